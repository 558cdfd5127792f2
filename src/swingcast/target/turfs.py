"""Walkable turfs: group adjacent bureaux of a plan into teams' areas.

Adjacency comes from the geometries: two bureaux are neighbours when their polygons are within
``tolerance`` metres (default 10) of each other in Lambert-93 (the Paris polygons leave gaps of
5-8 m along streets). The bureaux that receive hours are grouped into connected pieces of that
graph, and a piece larger than ``max_hours`` is cut into turfs by a breadth-first walk from its most
valuable bureau.
"""

from __future__ import annotations

from collections import deque

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely import STRtree

from swingcast import schema as S
from swingcast.errors import CRSError, GeometryError, SchemaError, TargetingError, where

__all__ = ["adjacency", "build_turfs"]

TURF = "turf"


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


def build_turfs(
    plan: pd.DataFrame,
    bureaux: gpd.GeoDataFrame,
    *,
    max_hours: float = 40.0,
    tolerance: float = 10.0,
) -> gpd.GeoDataFrame:
    """Group the planned bureaux into turfs of adjacent bureaux of at most ``max_hours``.

    Parameters
    ----------
    plan : DataFrame
        Output of :func:`swingcast.target.plan.allocate_hours` (indexed by ``bureau_id``, ``hours``).
    bureaux : GeoDataFrame
        Bureau polygons indexed by ``bureau_id`` (every planned bureau must be there).
    max_hours : float
        Size of a turf in volunteer-hours; a single bureau above it is a turf on its own.
    tolerance : float
        Adjacency tolerance in metres (see :func:`adjacency`).

    Returns
    -------
    GeoDataFrame
        The plan with a ``turf`` column (1, 2, ... in order of expected votes) and the
        bureau geometry (CRS of ``bureaux``).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> sq = [box(0, 0, 99, 99), box(99, 0, 198, 99), box(500, 0, 599, 99)]  # metres
    >>> g = gpd.GeoDataFrame(geometry=sq,
    ...                      index=pd.Index(["a", "b", "c"], name="bureau_id"), crs="EPSG:2154")
    >>> plan = pd.DataFrame({"hours": [3.0, 2.0, 1.0], "expected_votes": [3.0, 2.0, 1.0]},
    ...                     index=pd.Index(["a", "b", "c"], name="bureau_id"))
    >>> build_turfs(plan, g)["turf"].to_dict()
    {'a': 1, 'b': 1, 'c': 2}
    """
    if not (isinstance(max_hours, int | float) and max_hours > 0):
        raise TargetingError(f"max_hours = {max_hours!r}; expected a positive number")
    if S.HOURS not in plan.columns:
        raise SchemaError(f"plan: missing column {S.HOURS!r}")
    idx = plan.index.astype(str)
    geo_ids = bureaux.index.astype(str)
    missing = idx.difference(geo_ids)
    if len(missing):
        raise GeometryError(f"{where(ids=missing)}: planned bureau without a geometry")
    shapes = bureaux.set_axis(geo_ids).loc[idx]
    neighbours = adjacency(shapes, tolerance)
    hours = plan[S.HOURS].set_axis(idx)
    order_key = plan.get(S.EXPECTED_VOTES, plan[S.HOURS]).set_axis(idx)
    order = list(order_key.sort_values(ascending=False, kind="stable").index)

    turf_of: dict[str, int] = {}
    next_turf = 1
    for seed in order:
        if seed in turf_of:
            continue
        turf, load = next_turf, 0.0
        queue = deque([seed])
        seen = {seed}
        while queue:
            b = queue.popleft()
            if b in turf_of:
                continue
            if load > 0 and load + hours[b] > max_hours:
                continue  # left for a later turf
            turf_of[b] = turf
            load += hours[b]
            for n in sorted(neighbours[b], key=lambda x: -order_key[x]):
                if n not in seen and n not in turf_of:
                    seen.add(n)
                    queue.append(n)
        next_turf += 1

    out = gpd.GeoDataFrame(
        plan.set_axis(idx).assign(**{TURF: pd.Series(turf_of)}),
        geometry=shapes.geometry.to_numpy(),
        crs=bureaux.crs,
    )
    out.index.name = S.BUREAU_ID
    return out
