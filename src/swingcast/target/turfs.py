"""Turfs: a plan's hours cut into team-shifts, each a walkable piece of one or a few bureaux.

A turf is what one team walks in one shift: ``shift_hours * team_size`` volunteer-hours
(default 3 h x 2 = 6 h, 90 doors at 15 doors an hour). A bureau's hours give as many full
turfs as they hold shifts; what is left over (less than a shift) is packed with the leftovers
of adjacent bureaux into shared turfs of at most one shift, by a breadth-first walk of the
adjacency graph from the most valuable bureau, so a shared turf is always a connected set of
neighbouring bureaux.

Adjacency comes from the geometries: two bureaux are neighbours when their polygons are within
``tolerance`` metres (default 10) of each other in Lambert-93 (the Paris polygons leave gaps of
5-8 m along streets).

Doors are whole: the plan's whole doors of a bureau are shared among its turfs in proportion to
their hours (largest remainder, :func:`swingcast.target.plan.whole_numbers`), and its expected
votes follow the doors. Where REU address points are given (:func:`turf_stops`), each bureau's
addresses are put in walking order along a Hilbert curve (a space-filling curve: consecutive
points stay close) and each turf of the bureau takes the next run of addresses holding its
doors.
"""

from __future__ import annotations

from collections import deque

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely import STRtree

from swingcast import schema as S
from swingcast.errors import CRSError, GeometryError, SchemaError, TargetingError, where
from swingcast.target.plan import DOORS_KNOCKED, whole_numbers
from swingcast.target.value import DOORS

__all__ = ["adjacency", "build_turfs", "label_plan", "shift_capacity", "turf_stops", "turf_table"]

TURF = "turf"
#: Position of an address point in its turf's walking order (1, 2, ...).
STOP = "stop"
#: Turfs of a bureau in the plan table ("3;4;17").
TURFS = "turfs"
_EPS = 1e-9


def _projected(bureaux: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if bureaux.crs is None:
        raise CRSError("bureau geometries have no CRS; expected one (e.g. EPSG:4326 or EPSG:2154)")
    empty = bureaux.geometry.isna() | bureaux.geometry.is_empty
    if empty.any():
        raise GeometryError(f"{where(ids=bureaux.index[empty])}: empty or missing geometry")
    return bureaux.to_crs(S.LAMBERT93)


def adjacency(bureaux: gpd.GeoDataFrame, tolerance: float = 10.0) -> dict[str, set[str]]:
    """Neighbours of every bureau: polygons within ``tolerance`` metres of each other.

    Parameters
    ----------
    bureaux : GeoDataFrame
        Indexed by ``bureau_id``, any CRS (reprojected to Lambert-93).
    tolerance : float
        Distance in metres under which two polygons count as touching.

    Returns
    -------
    dict of str to set of str
        ``bureau_id -> ids of its neighbours`` (symmetric; every bureau is a key).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> sq = [box(0, 0, 99, 99), box(99, 0, 198, 99), box(500, 0, 599, 99)]  # metres
    >>> g = gpd.GeoDataFrame(geometry=sq,
    ...                      index=pd.Index(["a", "b", "c"], name="bureau_id"), crs="EPSG:2154")
    >>> {k: sorted(v) for k, v in adjacency(g).items()}
    {'a': ['b'], 'b': ['a'], 'c': []}
    """
    proj = _projected(bureaux)
    geoms = proj.geometry.to_numpy()
    tree = STRtree(geoms)
    left, right = tree.query(geoms, predicate="dwithin", distance=tolerance)
    ids = np.asarray(proj.index.astype(str))
    out: dict[str, set[str]] = {i: set() for i in ids}
    for a, b in zip(left, right, strict=True):
        if a != b:
            out[ids[a]].add(ids[b])
    return out


def shift_capacity(shift_hours: float = 3.0, team_size: int = 2) -> float:
    """Volunteer-hours of one turf: one team of ``team_size`` out for ``shift_hours``.

    Examples
    --------
    >>> shift_capacity(), shift_capacity(2.5, 3)
    (6.0, 7.5)
    >>> shift_capacity(team_size=0)
    Traceback (most recent call last):
    ...
    swingcast.errors.TargetingError: team_size = 0; expected a whole number of volunteers >= 1
    """
    if not (isinstance(shift_hours, int | float) and np.isfinite(shift_hours)
            and shift_hours > 0):
        raise TargetingError(f"shift_hours = {shift_hours!r}; expected a positive number of hours")
    if isinstance(team_size, bool) or not isinstance(team_size, int | np.integer) or team_size < 1:
        raise TargetingError(f"team_size = {team_size!r}; expected a whole number of volunteers >= 1")
    return float(shift_hours) * int(team_size)


def _pack(leftover: pd.Series, neighbours: dict[str, set[str]], value: pd.Series,
          capacity: float) -> list[list[str]]:
    """Group bureaux' leftover hours into connected groups of at most ``capacity`` hours."""
    group_of: dict[str, int] = {}
    groups: list[list[str]] = []
    for seed in value[leftover.index].sort_values(ascending=False, kind="stable").index:
        if seed in group_of:
            continue
        members: list[str] = []
        load = 0.0
        queue, seen = deque([seed]), {seed}
        while queue:
            b = queue.popleft()
            if b in group_of or (members and load + leftover[b] > capacity + _EPS):
                continue  # left for a later turf
            group_of[b] = len(groups)
            members.append(b)
            load += leftover[b]
            for n in sorted(neighbours[b] & set(leftover.index), key=lambda x: -value[x]):
                if n not in seen and n not in group_of:
                    seen.add(n)
                    queue.append(n)
        groups.append(members)
    return groups


def build_turfs(
    plan: pd.DataFrame,
    bureaux: gpd.GeoDataFrame,
    *,
    shift_hours: float = 3.0,
    team_size: int = 2,
    max_hours: float | None = None,
    tolerance: float = 10.0,
) -> gpd.GeoDataFrame:
    """Cut a plan's hours into turfs of one team-shift each.

    A bureau with ``h`` hours gets ``floor(h / capacity)`` turfs of its own, each exactly one
    shift; the rest of its hours (less than a shift) joins the rest of adjacent bureaux in a
    shared turf of at most one shift (see the module docstring).

    Parameters
    ----------
    plan : DataFrame
        Output of :func:`swingcast.target.plan.allocate_hours`: indexed by ``bureau_id``, with
        ``hours`` and optionally ``doors_knocked`` (whole doors; default 0) and
        ``expected_votes`` (default 0; also orders the turfs).
    bureaux : GeoDataFrame
        Bureau polygons indexed by ``bureau_id`` (every planned bureau must be there).
    shift_hours : float
        Length of a shift in hours (default 3).
    team_size : int
        Volunteers in a team (default 2).
    max_hours : float, optional
        Volunteer-hours of a turf, overriding ``shift_hours * team_size``.
    tolerance : float
        Adjacency tolerance in metres (see :func:`adjacency`).

    Returns
    -------
    GeoDataFrame
        One row per piece of a turf in a bureau (a turf of its own bureau has one piece, a
        shared turf one per bureau), numbered ``turf`` 1, 2, ... by expected votes: ``turf``,
        ``bureau_id``, ``hours``, ``doors_knocked`` (whole), ``expected_votes``, the bureau's
        ``doors`` and other plan columns, and the bureau polygon (CRS of ``bureaux``).
        Hours, doors and expected votes sum, bureau by bureau, to the plan's.

    Raises
    ------
    TargetingError
        Shift, team or ``max_hours`` not positive.
    SchemaError, GeometryError
        No ``hours`` column; a planned bureau without a polygon.

    Examples
    --------
    Two adjacent 100 m squares and one far away; a shift is 3 h x 2 volunteers:

    >>> from shapely.geometry import box
    >>> sq = [box(0, 0, 99, 99), box(99, 0, 198, 99), box(500, 0, 599, 99)]  # metres
    >>> g = gpd.GeoDataFrame(geometry=sq,
    ...                      index=pd.Index(["a", "b", "c"], name="bureau_id"), crs="EPSG:2154")
    >>> plan = pd.DataFrame({"hours": [14.0, 3.0, 2.0], "doors_knocked": [210, 45, 30],
    ...                      "expected_votes": [7.0, 1.5, 1.0]},
    ...                     index=pd.Index(["a", "b", "c"], name="bureau_id"))
    >>> t = build_turfs(plan, g)
    >>> t[["turf", "bureau_id", "hours", "doors_knocked"]].values.tolist()
    [[1, 'a', 6.0, 90], [2, 'a', 6.0, 90], [3, 'a', 2.0, 30], [3, 'b', 3.0, 45], [4, 'c', 2.0, 30]]
    """
    capacity = shift_capacity(shift_hours, team_size) if max_hours is None else max_hours
    if not (isinstance(capacity, int | float) and np.isfinite(capacity) and capacity > 0):
        raise TargetingError(f"max_hours = {max_hours!r}; expected a positive number")
    if S.HOURS not in plan.columns:
        raise SchemaError(f"plan: missing column {S.HOURS!r}")
    idx = plan.index.astype(str)
    geo_ids = bureaux.index.astype(str)
    missing = idx.difference(geo_ids)
    if len(missing):
        raise GeometryError(f"{where(ids=missing)}: planned bureau without a geometry")
    table = plan.set_axis(idx)
    hours = table[S.HOURS].astype("float64")
    if (hours < 0).any() or not np.isfinite(hours).all():
        raise TargetingError(f"{where(column=S.HOURS, ids=idx[~(hours >= 0)])}: "
                             "expected hours >= 0")
    doors = table.get(DOORS_KNOCKED, pd.Series(0, index=idx)).astype("float64")
    if (doors != doors.round()).any():
        raise TargetingError(f"{where(column=DOORS_KNOCKED, ids=idx[doors != doors.round()])}: "
                             "expected whole doors (swingcast.target.plan.allocate_hours)")
    votes = table.get(S.EXPECTED_VOTES, pd.Series(0.0, index=idx)).astype("float64")
    value = table.get(S.EXPECTED_VOTES, hours).astype("float64")
    shapes = bureaux.set_axis(geo_ids).loc[idx]

    full = np.floor(hours / capacity + _EPS).astype("int64")
    leftover = (hours - full * capacity).where(lambda x: x > _EPS, 0.0)
    planned = leftover[leftover > 0]
    groups = _pack(planned, adjacency(shapes.loc[planned.index], tolerance), value, capacity)
    # turfs as (bureau, hours) pieces; full shifts first, bureaux by value
    turfs: list[list[tuple[str, float]]] = []
    for b in value.sort_values(ascending=False, kind="stable").index:
        turfs.extend([[(b, capacity)]] * int(full[b]))
    turfs.extend([[(b, float(leftover[b])) for b in members] for members in groups])

    rows = [(t, b, h) for t, pieces in enumerate(turfs) for b, h in pieces]
    pieces = pd.DataFrame(rows, columns=["_turf", S.BUREAU_ID, S.HOURS])
    pieces[DOORS_KNOCKED] = 0
    pieces[S.EXPECTED_VOTES] = 0.0
    for b, at in pieces.groupby(S.BUREAU_ID).groups.items():
        share = pieces.loc[at, S.HOURS].to_numpy() / hours[b]
        d = whole_numbers(share * doors[b], total=int(doors[b]))
        pieces.loc[at, DOORS_KNOCKED] = d
        pieces.loc[at, S.EXPECTED_VOTES] = (votes[b] * d / doors[b]) if doors[b] else share * votes[b]
    # number the turfs by expected votes (ties: the order above)
    turf_votes = pieces.groupby("_turf")[S.EXPECTED_VOTES].sum()
    number = pd.Series(np.arange(1, len(turf_votes) + 1),
                       index=turf_votes.sort_values(ascending=False, kind="stable").index)
    pieces.insert(0, TURF, pieces.pop("_turf").map(number))
    pieces = pieces.sort_values(TURF, kind="stable")  # within a turf: in walking order
    extra = [c for c in table.columns if c not in (S.HOURS, DOORS_KNOCKED, S.EXPECTED_VOTES,
                                                   TURF, TURFS)]
    pieces = pieces.join(table[extra], on=S.BUREAU_ID).reset_index(drop=True)
    return gpd.GeoDataFrame(pieces, geometry=shapes.geometry.loc[pieces[S.BUREAU_ID]].to_numpy(),
                            crs=bureaux.crs)


def turf_table(turfs: pd.DataFrame, stops: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per turf (what ``turfs.csv`` holds): its bureaux, hours, doors, votes.

    Parameters
    ----------
    turfs : DataFrame
        Output of :func:`build_turfs`.
    stops : DataFrame, optional
        Output of :func:`turf_stops`; adds ``n_stops`` and ``n_addresses`` per turf.

    Returns
    -------
    DataFrame
        Indexed by ``turf``: ``bureaux`` (ids joined by ``;``), ``n_bureaux``, ``hours``,
        ``doors_knocked``, ``expected_votes`` (and ``arrondissement_code`` of the first bureau
        when the plan has it).

    Examples
    --------
    >>> t = pd.DataFrame({"turf": [1, 2, 2], "bureau_id": ["a", "a", "b"],
    ...                   "hours": [6.0, 2.0, 3.0], "doors_knocked": [90, 30, 45],
    ...                   "expected_votes": [3.0, 1.0, 1.5]})
    >>> turf_table(t)[["bureaux", "hours", "doors_knocked"]].values.tolist()
    [['a', 6.0, 90], ['a;b', 5.0, 75]]
    """
    by = turfs.groupby(TURF, sort=True)
    out = pd.DataFrame({
        "bureaux": by[S.BUREAU_ID].agg(lambda ids: ";".join(map(str, ids))),
        "n_bureaux": by[S.BUREAU_ID].nunique(),
        S.HOURS: by[S.HOURS].sum(),
        DOORS_KNOCKED: by[DOORS_KNOCKED].sum().astype("int64"),
        S.EXPECTED_VOTES: by[S.EXPECTED_VOTES].sum(),
    })
    if S.ARRONDISSEMENT_CODE in turfs.columns:
        out[S.ARRONDISSEMENT_CODE] = by[S.ARRONDISSEMENT_CODE].first()
    if stops is not None:
        grouped = stops.groupby(TURF)
        out["n_stops"] = grouped.size().reindex(out.index, fill_value=0)
        out[S.N_ADDRESSES] = grouped[S.N_ADDRESSES].sum().reindex(out.index, fill_value=0)
    out.index.name = TURF
    return out


def _hilbert_order(points: gpd.GeoSeries) -> np.ndarray:
    if len(points) < 2:
        return np.arange(len(points))
    key = points.hilbert_distance(total_bounds=points.total_bounds, level=16)
    return np.argsort(key.to_numpy(), kind="stable")


def turf_stops(turfs: gpd.GeoDataFrame, addresses: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The address points each turf walks, in walking order.

    A bureau's address points are ordered along a Hilbert curve over the bureau; its turfs
    (full shifts first, then its piece of a shared turf) take consecutive runs of them. A turf
    knocking ``d`` of the bureau's ``D`` doors takes the next ``d / D`` of its addresses
    (counted with ``n_addresses``), so the turfs of a bureau planned to the last door cover all
    its addresses, and a bureau half planned has half its addresses walked.

    Parameters
    ----------
    turfs : GeoDataFrame
        Output of :func:`build_turfs` (``doors`` from the ranking gives ``D``; without it the
        planned doors are taken as all the bureau's doors).
    addresses : GeoDataFrame
        Output of :func:`swingcast.load.addresses.read_addresses` (``bureau_id``,
        ``n_addresses``, points).

    Returns
    -------
    GeoDataFrame
        One row per address point walked: ``turf``, ``stop`` (1, 2, ... within the turf),
        ``bureau_id``, ``n_addresses`` and the point (CRS of ``addresses``).

    Examples
    --------
    A bureau of six addresses on a line, planned to its last door in two turfs:

    >>> from shapely.geometry import Point
    >>> a = gpd.GeoDataFrame({"bureau_id": "a", "n_addresses": [1, 1, 1, 1, 1, 1]},
    ...                      geometry=[Point(x, 0) for x in (5, 0, 4, 1, 3, 2)], crs=2154)
    >>> t = pd.DataFrame({"turf": [1, 2], "bureau_id": ["a", "a"], "hours": [6.0, 6.0],
    ...                   "doors_knocked": [90, 90], "doors": [180.0, 180.0]})
    >>> s = turf_stops(t, a)
    >>> s["turf"].tolist(), [p.x for p in s.geometry]
    ([1, 1, 1, 2, 2, 2], [0.0, 1.0, 2.0, 3.0, 4.0, 5.0])
    """
    for col in (S.BUREAU_ID, S.N_ADDRESSES):
        if col not in addresses.columns:
            raise SchemaError(f"{where(column=col)}: not in the address points; expected the "
                              "output of read_addresses")
    if addresses.crs is None:
        raise CRSError("address points have no CRS; expected one (e.g. EPSG:2154)")
    points = addresses[addresses[S.BUREAU_ID].isin(set(turfs[S.BUREAU_ID]))]
    projected = points.geometry.to_crs(S.LAMBERT93)
    runs = []
    for b, pieces in turfs.groupby(S.BUREAU_ID, sort=False):
        at = np.flatnonzero((points[S.BUREAU_ID] == b).to_numpy())
        if not len(at):
            continue
        ordered = at[_hilbert_order(projected.iloc[at])]
        weight = points[S.N_ADDRESSES].to_numpy("float64")[ordered]
        # the run of each turf: cumulative share of the addresses against that of the doors
        total_doors = float(pieces[DOORS].iloc[0]) if DOORS in pieces else 0.0
        planned = pieces[DOORS_KNOCKED].to_numpy("float64")
        total_doors = max(total_doors, planned.sum())
        if total_doors <= 0 or weight.sum() <= 0:
            continue
        position = (np.cumsum(weight) - weight / 2) / weight.sum()  # mid-point of each stop
        edges = np.concatenate([[0.0], np.cumsum(planned) / total_doors])
        which = np.searchsorted(edges, position, side="right") - 1
        for k, turf in enumerate(pieces[TURF].to_numpy()):
            runs.append(pd.DataFrame({TURF: turf, "_pos": ordered[which == k]}))
    if not runs:
        return gpd.GeoDataFrame({TURF: [], STOP: [], S.BUREAU_ID: [], S.N_ADDRESSES: []},
                                geometry=[], crs=addresses.crs)
    walk = pd.concat(runs, ignore_index=True)
    walk[STOP] = walk.groupby(TURF).cumcount() + 1
    chosen = points.iloc[walk["_pos"].to_numpy()]
    out = gpd.GeoDataFrame({TURF: walk[TURF].to_numpy(), STOP: walk[STOP].to_numpy(),
                            S.BUREAU_ID: chosen[S.BUREAU_ID].to_numpy(),
                            S.N_ADDRESSES: chosen[S.N_ADDRESSES].to_numpy()},
                           geometry=chosen.geometry.to_numpy(), crs=addresses.crs)
    return out.sort_values([TURF, STOP], kind="stable").reset_index(drop=True)


def label_plan(plan: pd.DataFrame, turfs: pd.DataFrame) -> pd.DataFrame:
    """The plan with a ``turfs`` column: the turf numbers of each bureau (``"1;2;17"``).

    Bureaux of the plan in no turf (e.g. without a polygon) get a missing value.

    Examples
    --------
    >>> plan = pd.DataFrame({"hours": [8.0, 1.0]}, index=pd.Index(["a", "b"], name="bureau_id"))
    >>> t = pd.DataFrame({"turf": [1, 2], "bureau_id": ["a", "a"]})
    >>> label_plan(plan, t)["turfs"].tolist()
    ['1;2', nan]
    """
    numbers = turfs.groupby(S.BUREAU_ID, sort=False)[TURF].agg(
        lambda t: ";".join(str(int(x)) for x in sorted(set(t))))
    out = plan.copy()
    out[TURFS] = numbers.reindex(out.index.astype(str)).to_numpy()
    return out
