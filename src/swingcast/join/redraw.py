"""Follow bureaux across a redrawing: carry a round's results from its map onto a later map.

When a commune redraws its bureaux, the same code can name another patch of streets, and new
bureaux appear. Matching the rounds by code then gives a bureau the past of another one. With
the contours of both maps, :func:`~swingcast.join.crosswalk.crosswalk` gives the share of each
old bureau inside each new one (area-weighted by default, or weighted by addresses or a
population grid); :func:`redraw_round` moves every count of the round (inscrits, votants,
exprimés, each candidate's votes) with those shares, so the round's totals are conserved
exactly and the counts become fractional. :func:`redraw_history` does it for some rounds of a
:class:`~swingcast.model.history.History`.

A bureau of the round with no polygon on its old map (created after the map was drawn) keeps
its code when the new map has that code, else it is dropped; both are counted in
:attr:`RedrawReport` and said in a warning (codes only: results by bureau are public data).
More than :data:`MAX_UNMAPPED_SHARE` of the round's bureaux without a polygon is refused: those
contours are not the map the round was voted on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from swingcast._log import logger
from swingcast.errors import SchemaError
from swingcast.join.crosswalk import SOURCE_ID, TARGET_ID, WEIGHT, Crosswalk
from swingcast.schema import BUREAU_CODE, BUREAU_ID, STATION_COUNTS, VOIX

if TYPE_CHECKING:
    from swingcast.model.history import History

__all__ = ["RedrawReport", "redraw_round", "redraw_history", "redraw_from_contours"]

#: Count columns of a votes table carried by the weights (the rest identify the candidate).
_VOTE_COUNTS = (VOIX,)
#: Largest share of a round's bureaux allowed without a polygon on the old map (new bureaux
#: created after the map was drawn); more means the contours are not that round's map.
MAX_UNMAPPED_SHARE = 0.1


@dataclass
class RedrawReport:
    """What :func:`redraw_round` did with the bureaux of one round.

    Attributes
    ----------
    carried : int
        Bureaux of the round found on the old map, carried by the weights.
    kept : list of str
        Bureaux without an old polygon whose code is on the new map: kept as they are.
    dropped : list of str
        Bureaux on neither map: left out (their counts are lost, said in a warning).
    """

    carried: int = 0
    kept: list = field(default_factory=list)
    dropped: list = field(default_factory=list)


def _pairs(ids: pd.Index, crosswalk: Crosswalk, label: str) -> tuple[pd.DataFrame, RedrawReport]:
    """(source, target, weight) rows for the bureaux ``ids`` of the round."""
    table = crosswalk.table[[SOURCE_ID, TARGET_ID, WEIGHT]].astype({SOURCE_ID: object, TARGET_ID: object})
    sources = pd.Index(crosswalk.sources.astype(str), dtype=object)
    targets = pd.Index(crosswalk.targets.astype(str), dtype=object)
    on_old = ids.isin(sources)
    lost = ids[~on_old]
    on_new = lost.isin(targets)
    kept, dropped = list(lost[on_new]), list(lost[~on_new])
    report = RedrawReport(int(on_old.sum()), kept, dropped)
    if not report.carried:
        raise SchemaError(f"redraw {label}: none of its {len(ids)} bureaux is on the old map "
                          f"(ids like {ids[0]!r}; the map has {sources[0]!r} ...); expected the "
                          "contours of the map this round was voted on")
    if len(lost) > MAX_UNMAPPED_SHARE * len(ids):
        raise SchemaError(f"redraw {label}: {len(lost)} of its {len(ids)} bureaux have no polygon on the "
                          f"old map (e.g. {', '.join(map(str, lost[:3]))}); expected the contours of the "
                          f"whole map this round was voted on (at most {MAX_UNMAPPED_SHARE:.0%} of its "
                          "bureaux may be missing: bureaux created after the map was drawn)")
    if kept or dropped:
        logger.warning("redraw %s: %d bureaux without a polygon on the old map; %d keep their code "
                       "on the new map (%s), %d dropped (%s)", label, len(lost), len(kept),
                       ", ".join(kept[:5]) or "-", len(dropped), ", ".join(dropped[:5]) or "-")
    table = table[table[SOURCE_ID].astype(str).isin(ids)]
    own = pd.DataFrame({SOURCE_ID: kept, TARGET_ID: kept, WEIGHT: 1.0})
    pairs = pd.concat([table.astype({SOURCE_ID: str, TARGET_ID: str}), own], ignore_index=True)
    return pairs, report


def redraw_round(stations: pd.DataFrame, votes: pd.DataFrame, crosswalk: Crosswalk, *,
                 label: str = "round") -> tuple[pd.DataFrame, pd.DataFrame, RedrawReport]:
    """Carry one round's ``stations`` and ``votes`` from its map onto a later one.

    Parameters
    ----------
    stations, votes : DataFrame
        One round, as :func:`swingcast.read_results` gives it (``bureau_id`` of the old map).
    crosswalk : Crosswalk
        From the old map's bureaux (sources) to the new map's (targets), both identified by
        ``bureau_id`` (:func:`swingcast.crosswalk` with ``source_id="bureau_id",
        target_id="bureau_id"``).
    label : str
        The round's name, for messages.

    Returns
    -------
    (DataFrame, DataFrame, RedrawReport)
        The round on the new map's bureaux (float counts; every total of the carried and kept
        bureaux conserved) and what happened to each bureau.

    Raises
    ------
    SchemaError
        None of the round's bureaux is on the old map, or more than
        :data:`MAX_UNMAPPED_SHARE` of them lack a polygon there (the wrong contours); a bureau
        twice; a count column missing.

    Examples
    --------
    >>> from shapely import box
    >>> import geopandas as gpd
    >>> from swingcast.join.crosswalk import crosswalk
    >>> old = gpd.GeoDataFrame({"bureau_id": ["1_1"]}, geometry=[box(0, 0, 2, 1)], crs=2154)
    >>> new = gpd.GeoDataFrame({"bureau_id": ["1_1", "1_2"]},
    ...                        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=2154)
    >>> cw = crosswalk(old, new, source_id="bureau_id", target_id="bureau_id", within=None)
    >>> st = pd.DataFrame({"bureau_id": ["1_1"], "commune_code": ["1"], "inscrits": [100],
    ...                    "votants": [60], "exprimes": [58]})
    >>> vt = pd.DataFrame({"bureau_id": ["1_1"], "candidate": ["X"], "voix": [20]})
    >>> s, v, rep = redraw_round(st, vt, cw)
    >>> s["bureau_id"].tolist(), s["inscrits"].tolist(), v["voix"].tolist(), rep.carried
    (['1_1', '1_2'], [50.0, 50.0], [10.0, 10.0], 1)
    """
    counts = [c for c in STATION_COUNTS if c in stations.columns]
    if BUREAU_ID not in stations.columns or not counts:
        raise SchemaError(f"redraw {label}: the stations table needs bureau_id and counts "
                          f"({', '.join(STATION_COUNTS)})")
    st = stations.assign(**{BUREAU_ID: stations[BUREAU_ID].astype(str)})
    if st[BUREAU_ID].duplicated().any():
        dup = st.loc[st[BUREAU_ID].duplicated(), BUREAU_ID].iloc[0]
        raise SchemaError(f"redraw {label}: bureau {dup!r} appears twice; expected one row per bureau")
    ids = pd.Index(st[BUREAU_ID].to_numpy(dtype=object), dtype=object)
    if not len(ids):
        raise SchemaError(f"redraw {label}: the round has no bureau")
    pairs, report = _pairs(ids, crosswalk, label)
    new_stations = _carry(st, pairs, counts, keys=[])
    vt = votes.assign(**{BUREAU_ID: votes[BUREAU_ID].astype(str)})
    vt = vt[vt[BUREAU_ID].isin(set(pairs[SOURCE_ID]))]
    keys = [c for c in vt.columns if c not in (BUREAU_ID, *_VOTE_COUNTS)]
    new_votes = _carry(vt, pairs, [c for c in _VOTE_COUNTS if c in vt.columns], keys=keys)
    return new_stations, new_votes, report


def _carry(table: pd.DataFrame, pairs: pd.DataFrame, counts: Sequence[str], keys: Sequence[str]) -> pd.DataFrame:
    """``table``'s counts summed over the pairs' weights per target (and per ``keys``)."""
    merged = table.merge(pairs, left_on=BUREAU_ID, right_on=SOURCE_ID, how="inner")
    w = merged[WEIGHT].to_numpy(float)
    for c in counts:
        # NA (e.g. no blancs column in a file) stays NA where every part is NA
        merged[c] = pd.to_numeric(merged[c]).astype("Float64") * w
    if keys:
        group = [TARGET_ID, *keys]
        out = merged.groupby(group, dropna=False, sort=False)[list(counts)].sum(min_count=1).reset_index()
    else:
        # bureau attributes (commune, arrondissement, election, ...) from the largest part of
        # each new bureau (a crosswalk within communes never mixes two of them)
        attrs = [c for c in table.columns if c not in (BUREAU_ID, *counts)]
        first = merged.sort_values(WEIGHT, ascending=False, kind="stable").drop_duplicates(TARGET_ID)
        sums = merged.groupby(TARGET_ID, sort=False)[list(counts)].sum(min_count=1)
        out = first[[TARGET_ID, *attrs]].set_index(TARGET_ID).join(sums).reset_index()
        if BUREAU_CODE in out.columns:
            code = out[TARGET_ID].astype(str).str.split("_", n=1).str[-1]
            out[BUREAU_CODE] = code.astype(table[BUREAU_CODE].dtype)
    out = out.rename(columns={TARGET_ID: BUREAU_ID})
    order = [c for c in table.columns if c in out.columns]
    out = out[order]
    for c in counts:
        out[c] = out[c].astype("Float64")
    return out.sort_values(BUREAU_ID, kind="stable").reset_index(drop=True)


def redraw_history(history: History, crosswalks: dict[str, Crosswalk]) -> History:
    """A copy of ``history`` whose rounds named in ``crosswalks`` are carried onto a later map.

    Parameters
    ----------
    history : History
        From :func:`swingcast.load_history`; it is not modified.
    crosswalks : dict
        Round label -> crosswalk from the map that round was voted on to the map of the
        bureaux to score or forecast (usually the latest round's).

    Returns
    -------
    History
        The same rounds; those named have fractional counts on the new bureaux, and
        ``history.area["redrawn"]`` says which rounds moved and what happened to their bureaux.

    Raises
    ------
    SchemaError
        A label that is not a round of the history.

    Examples
    --------
    >>> from shapely import box
    >>> import geopandas as gpd
    >>> from swingcast.join.crosswalk import crosswalk
    >>> from swingcast.model.history import History
    >>> old = gpd.GeoDataFrame({"bureau_id": ["1_1"]}, geometry=[box(0, 0, 2, 1)], crs=2154)
    >>> new = gpd.GeoDataFrame({"bureau_id": ["1_1", "1_2"]},
    ...                        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=2154)
    >>> cw = crosswalk(old, new, source_id="bureau_id", target_id="bureau_id", within=None)
    >>> st = pd.DataFrame({"label": ["2014-europeennes-1"], "bureau_id": ["1_1"], "inscrits": [100],
    ...                    "votants": [60], "exprimes": [58]})
    >>> vt = pd.DataFrame({"label": ["2014-europeennes-1"], "bureau_id": ["1_1"],
    ...                    "candidate": ["X"], "voix": [20]})
    >>> h = redraw_history(History(st, vt, ["2014-europeennes-1"]), {"2014-europeennes-1": cw})
    >>> h.stations["bureau_id"].tolist(), h.area["redrawn"]["2014-europeennes-1"]["carried"]
    (['1_1', '1_2'], 1)
    """
    from swingcast.model.history import History

    unknown = [lab for lab in crosswalks if lab not in history.rounds]
    if unknown:
        raise SchemaError(f"redraw: no round {unknown[0]!r} in the history; expected one of "
                          f"{', '.join(history.rounds)}")
    latest = next((lab for lab in reversed(history.rounds) if lab not in crosswalks), None)
    if latest is not None:  # the new map must be the map of the rounds left as they are
        ids = pd.Index(history.stations.loc[history.stations["label"] == latest, BUREAU_ID].astype(str),
                       dtype=object)
        for lab, cw in crosswalks.items():
            off = ids[~ids.isin(pd.Index(cw.targets.astype(str), dtype=object))]
            if len(off) > MAX_UNMAPPED_SHARE * max(len(ids), 1):
                raise SchemaError(f"redraw {lab}: {len(off)} of the {len(ids)} bureaux of {latest} are not on "
                                  f"the new map (e.g. {', '.join(map(str, off[:3]))}); expected the contours "
                                  f"of the bureaux of {latest}, with the same bureau ids")
    stations, votes, done = [], [], {}
    for lab in history.rounds:
        st = history.stations[history.stations["label"] == lab]
        vt = history.votes[history.votes["label"] == lab]
        if lab in crosswalks:
            st, vt, rep = redraw_round(st, vt, crosswalks[lab], label=lab)
            done[lab] = {"carried": rep.carried, "kept": rep.kept, "dropped": rep.dropped,
                         "method": crosswalks[lab].meta.get("method", "?")}
        stations.append(st)
        votes.append(vt)
    area = {**history.area, "redrawn": {**history.area.get("redrawn", {}), **done}}
    return History(pd.concat(stations, ignore_index=True), pd.concat(votes, ignore_index=True),
                   list(history.rounds), dict(history.sources), area)



def redraw_from_contours(history: History, old_maps: dict[str, object], new_map: object,
                         **crosswalk_options: object) -> History:
    """:func:`redraw_history` from contour files: what ``--old-map`` / ``--map`` of
    ``swingcast backtest`` and ``swingcast forecast`` run.

    Parameters
    ----------
    history : History
    old_maps : dict
        Round label -> the contours of the bureaux that round was voted on (a path or a
        GeoDataFrame, read by :func:`swingcast.read_bureaux`).
    new_map : path or GeoDataFrame
        The contours of the bureaux to score or forecast (those of the latest rounds).
    **crosswalk_options
        Passed to :func:`swingcast.crosswalk` (default: area weights within communes; e.g.
        ``weights=`` an address layer for address weights).

    Returns
    -------
    History

    Examples
    --------
    >>> from shapely import box
    >>> import geopandas as gpd
    >>> from swingcast.model.history import History
    >>> old = gpd.GeoDataFrame({"bureau_id": ["1_1"]}, geometry=[box(0, 0, 2, 1)], crs=2154)
    >>> new = gpd.GeoDataFrame({"bureau_id": ["1_1", "1_2"]},
    ...                        geometry=[box(0, 0, 1, 1), box(1, 0, 3, 1)], crs=2154)
    >>> st = pd.DataFrame({"label": ["2014-europeennes-1"], "bureau_id": ["1_1"], "inscrits": [90],
    ...                    "votants": [60], "exprimes": [58]})
    >>> h = History(st, st.iloc[:0].assign(voix=0), ["2014-europeennes-1"])
    >>> out = redraw_from_contours(h, {"2014-europeennes-1": old}, new, within=None)
    >>> out.stations["inscrits"].tolist()
    [45.0, 45.0]
    """
    from swingcast.join.crosswalk import crosswalk
    from swingcast.load.contours import read_bureaux

    def layer(x: object) -> object:
        return x if hasattr(x, "geometry") else read_bureaux(x)  # type: ignore[arg-type]

    new = layer(new_map)
    options = {"source_id": BUREAU_ID, "target_id": BUREAU_ID, **crosswalk_options}
    walks = {label: crosswalk(layer(old), new, **options) for label, old in old_maps.items()}  # type: ignore[arg-type]
    return redraw_history(history, walks)
