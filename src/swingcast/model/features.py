"""Features per bureau de vote: past results as shares, turnout, size and census shares.

:func:`build_features` turns the tidy ``stations`` and ``votes`` tables of earlier rounds
(schema :data:`~swingcast.schema.STATION_COLUMNS`, :data:`~swingcast.schema.VOTE_COLUMNS`)
and census counts already carried onto the bureaux (by :mod:`swingcast.crosswalk`) into one
numeric matrix indexed by ``bureau_id``. Column names are stable:

``turnout_<election>_<round>``          votants / inscrits
``share_exp_<bloc>_<election>_<round>`` votes of a bloc (or party) / exprimés
``share_ins_<bloc>_<election>_<round>`` votes of a bloc (or party) / inscrits
``matched_<election>_<round>``          1 if the bureau id exists in that round, else 0
``census_<var>_share``                  census count / census total
``census_missing``                      1 if the bureau had no census coverage
``log_inscrits``, ``inscrits``, ``commune_code``, ``arrondissement_code``

Nothing is left as NaN: a bureau absent from an earlier round (new or renumbered id), or
with zero inscrits/exprimés there, gets the inscrits-weighted level of its commune in that
round (or of the whole area if the commune is absent too); a bureau without census
coverage gets its commune's census shares (or the area's). Each such fill is logged with a
count and flagged in ``matched_*`` / ``census_missing``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from swingcast._log import logger
from swingcast.errors import InvariantError, SchemaError, where
from swingcast.model.blocs import BLOCS, assign_blocs
from swingcast.schema import (
    ARRONDISSEMENT_CODE,
    BUREAU_ID,
    COMMUNE_CODE,
    ELECTION,
    EXPRIMES,
    INSCRITS,
    ROUND,
    VOIX,
    VOTANTS,
)

__all__ = ["build_features", "summarise_rounds", "RoundSummary", "round_label", "feature_name"]

#: Rounds are given as ``(election, round)`` pairs, e.g. ``("2017-presidentielle", 1)``.
RoundKey = tuple[str, int]


def round_label(key: RoundKey) -> str:
    """Suffix naming one round in feature names.

    Examples
    --------
    >>> round_label(("2017-presidentielle", 1))
    '2017-presidentielle_1'
    """
    return f"{key[0]}_{int(key[1])}"


def feature_name(kind: str, key: RoundKey, bloc: str | None = None) -> str:
    """Name of a result feature.

    Parameters
    ----------
    kind : {"turnout", "share_exp", "share_ins", "matched"}
    key : (str, int)
        ``(election, round)``.
    bloc : str, optional
        Bloc or party name (for the share kinds).

    Examples
    --------
    >>> feature_name("share_exp", ("2014-europeennes", 1), "far_right")
    'share_exp_far_right_2014-europeennes_1'
    >>> feature_name("turnout", ("2014-europeennes", 1))
    'turnout_2014-europeennes_1'
    """
    middle = f"{bloc}_" if bloc else ""
    return f"{kind}_{middle}{round_label(key)}"


def _require(table: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise SchemaError(
            f"{what}: missing column(s) {', '.join(map(repr, missing))}; expected the schema "
            "columns of swingcast.schema"
        )


def _round_table(
    stations: pd.DataFrame,
    votes: pd.DataFrame,
    key: RoundKey,
    parties: Mapping[str, Callable[[pd.DataFrame], pd.Series]],
) -> pd.DataFrame:
    """Counts of one round per bureau: inscrits, votants, exprimés, voix per bloc/party."""
    st = stations[(stations[ELECTION] == key[0]) & (stations[ROUND].astype(int) == int(key[1]))]
    if st.empty:
        raise SchemaError(
            f"stations: no row for election {key[0]!r} round {key[1]}; expected the rounds "
            "listed in `rounds` to be loaded"
        )
    dup = st[BUREAU_ID].duplicated()
    if dup.any():
        raise SchemaError(
            f"stations {round_label(key)}: {where(column=BUREAU_ID, ids=st.loc[dup, BUREAU_ID])}: "
            "duplicated bureau; expected one row per bureau and round"
        )
    out = st.set_index(BUREAU_ID)[[COMMUNE_CODE, INSCRITS, VOTANTS, EXPRIMES]].copy()
    for col in (INSCRITS, VOTANTS, EXPRIMES):
        out[col] = pd.to_numeric(out[col], errors="raise").astype(float)
    vt = votes[(votes[ELECTION] == key[0]) & (votes[ROUND].astype(int) == int(key[1]))]
    voix = pd.to_numeric(vt[VOIX], errors="raise").astype(float)
    blocs = assign_blocs(vt)
    by_bloc = voix.groupby([vt[BUREAU_ID], blocs]).sum().unstack(fill_value=0.0)
    by_bloc = by_bloc.reindex(columns=list(BLOCS), fill_value=0.0)
    total = by_bloc.sum(axis=1).reindex(out.index, fill_value=0.0)
    bad = (total - out[EXPRIMES]).abs() > 0.5
    if bad.any():
        ids = out.index[bad.to_numpy()]
        raise InvariantError(
            f"votes {round_label(key)}: {where(ids=ids)}: sum of voix "
            f"({total[bad].iloc[0]:.0f}) differs from exprimés ({out.loc[bad, EXPRIMES].iloc[0]:.0f}); "
            "expected sum of voix = exprimés"
        )
    for bloc in BLOCS:
        out[bloc] = by_bloc[bloc].reindex(out.index, fill_value=0.0)
    for name, select in parties.items():
        mask = select(vt).to_numpy(dtype=bool)
        out[name] = voix[mask].groupby(vt.loc[mask, BUREAU_ID]).sum().reindex(
            out.index, fill_value=0.0
        )
    return out


def _fill(
    values: pd.DataFrame, communes: pd.Series, levels: pd.DataFrame, area: pd.Series
) -> pd.DataFrame:
    """Fill the missing cells of ``values`` from their commune's level, else the area's."""
    missing = values.isna().any(axis=1)
    if not missing.any():
        return values
    filled = levels.reindex(communes[missing].to_numpy())
    filled.index = values.index[missing.to_numpy()]
    filled = filled.fillna(area)
    out = values.copy()
    out.loc[missing, :] = values.loc[missing].fillna(filled[values.columns]).to_numpy()
    return out


@dataclass(frozen=True)
class RoundSummary:
    """One round per bureau, with the commune and area levels that fill missing bureaux.

    Attributes
    ----------
    table : DataFrame
        Counts per bureau of the round: ``commune_code``, ``inscrits``, ``votants``,
        ``exprimes`` and the voix of every bloc and party.
    rates : DataFrame
        ``turnout``, ``exp_<group>``, ``ins_<group>`` per bureau (NaN where undefined).
    levels : DataFrame
        The same rates per commune (ratios of summed counts, i.e. inscrits-weighted means).
    area : Series
        The same rates over the whole area.
    """

    table: pd.DataFrame
    rates: pd.DataFrame
    levels: pd.DataFrame
    area: pd.Series


def summarise_rounds(
    stations: pd.DataFrame,
    votes: pd.DataFrame,
    rounds: Sequence[RoundKey],
    *,
    parties: Mapping[str, Callable[[pd.DataFrame], pd.Series]] | None = None,
) -> dict[RoundKey, RoundSummary]:
    """The part of :func:`build_features` that does not depend on the bureaux described.

    Compute it once and pass it as ``summaries`` to describe several sets of bureaux (a
    training and an application set) with the same rounds.

    Parameters
    ----------
    stations, votes, rounds, parties
        As for :func:`build_features`.

    Returns
    -------
    dict
        :class:`RoundSummary` per ``(election, round)``.

    Raises
    ------
    SchemaError, InvariantError
        As :func:`build_features`.

    Examples
    --------
    Two communes of one bureau each; the area level is the ratio of summed counts.

    >>> key = ("2019-europeennes", 1)
    >>> st = pd.DataFrame({"election": key[0], "round": key[1], "bureau_id": ["a_1", "b_1"],
    ...     "commune_code": ["a", "b"], "inscrits": [100, 300], "votants": [40, 60],
    ...     "exprimes": [40, 60]})
    >>> vt = st.assign(list="LRN", voix=st["exprimes"])[["election", "round", "bureau_id", "list", "voix"]]
    >>> s = summarise_rounds(st, vt, [key])[key]
    >>> s.levels["turnout"].tolist(), float(s.area["turnout"])  # (40 + 60) / (100 + 300)
    ([0.4, 0.2], 0.25)
    """
    _require(stations, [ELECTION, ROUND, BUREAU_ID, COMMUNE_CODE, INSCRITS, VOTANTS, EXPRIMES], "stations")
    _require(votes, [ELECTION, ROUND, BUREAU_ID, VOIX], "votes")
    if not rounds:
        raise SchemaError("build_features: `rounds` is empty; expected at least one (election, round)")
    parties = dict(parties or {})
    groups = [*BLOCS, *parties]
    out: dict[RoundKey, RoundSummary] = {}
    for k in rounds:
        key = tuple(k)
        tab = _round_table(stations, votes, key, parties)
        label = round_label(key)
        rates = pd.DataFrame(index=tab.index)
        ok_ins = tab[INSCRITS] > 0
        ok_exp = tab[EXPRIMES] > 0
        rates["turnout"] = (tab[VOTANTS] / tab[INSCRITS]).where(ok_ins)
        for g in groups:
            rates[f"exp_{g}"] = (tab[g] / tab[EXPRIMES]).where(ok_exp)
            rates[f"ins_{g}"] = (tab[g] / tab[INSCRITS]).where(ok_ins)
        undefined = rates.isna().any(axis=1)
        if undefined.any():
            logger.info(
                "%s: %d bureaux with zero inscrits or exprimés; given their commune's level",
                label, int(undefined.sum()),
            )
        # Commune and area levels: ratios of summed counts (inscrits-weighted means).
        sums = tab.groupby(COMMUNE_CODE)[[INSCRITS, VOTANTS, EXPRIMES, *groups]].sum()
        levels = pd.DataFrame(index=sums.index)
        total = sums.sum()
        area = pd.Series(dtype=float)
        levels["turnout"] = sums[VOTANTS] / sums[INSCRITS]
        area["turnout"] = total[VOTANTS] / total[INSCRITS]
        for g in groups:
            levels[f"exp_{g}"] = sums[g] / sums[EXPRIMES]
            levels[f"ins_{g}"] = sums[g] / sums[INSCRITS]
            area[f"exp_{g}"] = total[g] / total[EXPRIMES]
            area[f"ins_{g}"] = total[g] / total[INSCRITS]
        out[key] = RoundSummary(tab, rates, levels, area)
    return out


def build_features(
    stations: pd.DataFrame,
    votes: pd.DataFrame,
    rounds: Sequence[RoundKey],
    *,
    bureaux: pd.DataFrame | None = None,
    census: pd.DataFrame | None = None,
    census_total: str | None = None,
    parties: Mapping[str, Callable[[pd.DataFrame], pd.Series]] | None = None,
    summaries: Mapping[RoundKey, RoundSummary] | None = None,
) -> pd.DataFrame:
    """Build the feature matrix of a set of bureaux from earlier rounds and the census.

    Parameters
    ----------
    stations : DataFrame
        One row per bureau and round (schema ``STATION_COLUMNS``; needs ``election``,
        ``round``, ``bureau_id``, ``commune_code``, ``inscrits``, ``votants``, ``exprimes``).
    votes : DataFrame
        One row per bureau, round and candidate/list (schema ``VOTE_COLUMNS``; needs
        ``election``, ``round``, ``bureau_id``, ``voix`` and one of ``nuance``/``list``/
        ``candidate`` for the bloc mapping of :mod:`swingcast.model.blocs`).
    rounds : sequence of (str, int)
        The earlier rounds to describe, e.g. ``[("2014-europeennes", 1)]``.
    bureaux : DataFrame, optional
        The bureaux to describe, indexed by ``bureau_id``, with ``commune_code``,
        ``inscrits`` (and optionally ``arrondissement_code``); default: the bureaux of the
        last of ``rounds``.
    census : DataFrame, optional
        Census counts carried onto the bureaux, indexed by ``bureau_id``.
    census_total : str, optional
        The column of ``census`` that is the denominator of the shares (required with
        ``census``); every other column ``v`` becomes ``census_<v>_share``.
    parties : mapping of str to callable, optional
        Extra vote groups: name -> function of the ``votes`` rows returning a boolean mask
        (e.g. ``{"rn": swingcast.model.blocs.is_rn}``); they get ``share_exp_<name>_*`` columns.
    summaries : mapping, optional
        :func:`summarise_rounds` of the same ``stations``, ``votes``, ``rounds`` and
        ``parties``, to describe several sets of bureaux without recomputing the rounds.

    Returns
    -------
    DataFrame
        Indexed by ``bureau_id``; numeric columns as listed in the module docstring plus
        ``commune_code`` and ``arrondissement_code`` (strings). No NaN.

    Raises
    ------
    SchemaError
        Missing columns, a round absent from ``stations``, duplicated bureaux.
    InvariantError
        Sum of voix differs from exprimés for a bureau.

    Examples
    --------
    >>> st = pd.DataFrame({"election": "2014-europeennes", "round": 1,
    ...     "bureau_id": ["01001_1", "01001_2"], "commune_code": "01001",
    ...     "inscrits": [100, 200], "votants": [50, 80], "exprimes": [40, 80]})
    >>> vt = pd.DataFrame({"election": "2014-europeennes", "round": 1,
    ...     "bureau_id": ["01001_1", "01001_1", "01001_2"],
    ...     "list": ["LFN", "LUMP", "LFN"], "voix": [10, 30, 80]})
    >>> f = build_features(st, vt, [("2014-europeennes", 1)])
    >>> f["turnout_2014-europeennes_1"].tolist()
    [0.5, 0.4]
    >>> f["share_exp_far_right_2014-europeennes_1"].tolist()
    [0.25, 1.0]
    """
    _require(stations, [ELECTION, ROUND, BUREAU_ID, COMMUNE_CODE, INSCRITS, VOTANTS, EXPRIMES], "stations")
    _require(votes, [ELECTION, ROUND, BUREAU_ID, VOIX], "votes")
    if not rounds:
        raise SchemaError("build_features: `rounds` is empty; expected at least one (election, round)")
    parties = dict(parties or {})
    groups = [*BLOCS, *parties]
    if summaries is None:
        summaries = summarise_rounds(stations, votes, rounds, parties=parties)
    else:
        absent = [tuple(k) for k in rounds if tuple(k) not in summaries]
        if absent:
            raise SchemaError(f"build_features: `summaries` lacks round(s) {absent}; expected "
                              "summarise_rounds of the same rounds")
        lacking = [g for g in groups for k in rounds if f"exp_{g}" not in summaries[tuple(k)].rates]
        if lacking:
            raise SchemaError(f"build_features: `summaries` lack the group(s) {sorted(set(lacking))}; "
                              "expected summarise_rounds with the same parties")
    keys = list(dict.fromkeys(tuple(k) for k in rounds))
    if bureaux is None:
        base = summaries[tuple(rounds[-1])].table[[COMMUNE_CODE, INSCRITS]].copy()
    else:
        _require(bureaux, [COMMUNE_CODE, INSCRITS], "bureaux")
        base = bureaux[[c for c in (COMMUNE_CODE, ARRONDISSEMENT_CODE, INSCRITS) if c in bureaux]].copy()
    if ARRONDISSEMENT_CODE not in base:
        arr = stations.drop_duplicates(BUREAU_ID, keep="last").set_index(BUREAU_ID)
        if ARRONDISSEMENT_CODE in arr:
            base[ARRONDISSEMENT_CODE] = arr[ARRONDISSEMENT_CODE].reindex(base.index)
        else:
            base[ARRONDISSEMENT_CODE] = pd.NA
    base[ARRONDISSEMENT_CODE] = base[ARRONDISSEMENT_CODE].fillna(base[COMMUNE_CODE]).astype(str)
    base[COMMUNE_CODE] = base[COMMUNE_CODE].astype(str)
    base[INSCRITS] = pd.to_numeric(base[INSCRITS]).astype(float)
    zero = base[INSCRITS] <= 0
    if zero.any():
        raise SchemaError(
            f"bureaux: {where(column=INSCRITS, ids=base.index[zero.to_numpy()])}: zero inscrits; "
            "expected bureaux with registered voters (drop them before building features)"
        )
    communes = base[COMMUNE_CODE]
    columns: dict[str, pd.Series] = {}
    for key in keys:
        label = round_label(key)
        summary = summaries[key]
        present = base.index.isin(summary.table.index)
        if not present.all():
            logger.info(
                "%s: %d of %d bureaux not found in that round (new or renumbered ids); "
                "given their commune's level, flagged matched_%s=0",
                label, int((~present).sum()), len(base), label,
            )
        values = _fill(summary.rates.reindex(base.index), communes, summary.levels, summary.area)
        columns[feature_name("turnout", key)] = values["turnout"]
        for g in groups:
            columns[feature_name("share_exp", key, g)] = values[f"exp_{g}"]
        for g in groups:
            columns[feature_name("share_ins", key, g)] = values[f"ins_{g}"]
        columns[feature_name("matched", key)] = pd.Series(present.astype(float), index=base.index)
    out = pd.DataFrame(columns, index=base.index)
    if census is not None:
        out = out.join(_census_shares(census, census_total, base))
    out["log_inscrits"] = np.log(base[INSCRITS])
    out[INSCRITS] = base[INSCRITS]
    out[COMMUNE_CODE] = base[COMMUNE_CODE]
    out[ARRONDISSEMENT_CODE] = base[ARRONDISSEMENT_CODE]
    out.index.name = BUREAU_ID
    numeric = out.drop(columns=[COMMUNE_CODE, ARRONDISSEMENT_CODE])
    if numeric.isna().any().any():  # pragma: no cover - every path above fills
        bad = numeric.columns[numeric.isna().any()].tolist()
        raise InvariantError(f"build_features: NaN left in {bad}")
    return out


def _census_shares(census: pd.DataFrame, total: str | None, base: pd.DataFrame) -> pd.DataFrame:
    """``census_<var>_share`` per bureau of ``base``; bureaux without coverage filled."""
    if total is None or total not in census.columns:
        raise SchemaError(
            f"census: {where(column=str(total))}: expected the name of the census total column "
            "(the denominator of the shares) in `census_total`"
        )
    counts = census.apply(pd.to_numeric, errors="raise").astype(float)
    variables = [c for c in counts.columns if c != total]
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = counts[variables].div(counts[total].where(counts[total] > 0), axis=0)
    shares.columns = [f"census_{str(v).lower()}_share" for v in variables]
    shares = shares.reindex(base.index)
    missing = shares.isna().any(axis=1)
    # Commune and area levels weight by census population, not by inscrits.
    covered = counts.reindex(base.index)[~missing.to_numpy()]
    by_commune = covered.groupby(base.loc[~missing, COMMUNE_CODE]).sum()
    levels = by_commune[variables].div(by_commune[total], axis=0)
    levels.columns = shares.columns
    area_sum = covered.sum()
    if area_sum[total] <= 0:
        raise SchemaError("census: no bureau has census coverage; expected counts for some bureaux")
    area = area_sum[variables] / area_sum[total]
    area.index = shares.columns
    if missing.any():
        logger.warning(
            "census: %d of %d bureaux without census coverage (%s); given their commune's "
            "census shares, flagged census_missing=1",
            int(missing.sum()), len(base), where(ids=base.index[missing.to_numpy()]),
        )
    out = _fill(shares, base[COMMUNE_CODE], levels, area)
    out["census_missing"] = missing.astype(float).to_numpy()
    return out
