"""Bureau areas from address points, where no contours are published.

Every address of the Répertoire électoral unique (REU) carries its bureau. Etalab's national
"proposition de contours des bureaux de vote" turns these points into areas by cutting each
commune into the Voronoi cells of its addresses and merging the cells of each bureau. We do
the same: a Voronoi diagram of the (distinct) address locations of each commune, clipped to
the commune (or, without commune contours, to the buffered convex hull of the commune's addresses),
merged per bureau. The result can be used as the target layer of a crosswalk.

How good such areas are is measured by the share of addresses that fall in their own
bureau's area: in-sample (≈1 by construction, less where one location carries several
bureaux) and on addresses held out of the construction (:func:`validate_bureau_areas`).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from swingcast import schema
from swingcast.errors import CRSError, GeometryError, SchemaError, where

__all__ = ["address_agreement", "bureau_areas_from_addresses", "validate_bureau_areas"]


def bureau_areas_from_addresses(
    points: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame | None = None,
    *,
    bureau_column: str = schema.BUREAU_ID,
    commune_column: str = schema.COMMUNE_CODE,
    weight_column: str | None = None,
    buffer: float = 300.0,
) -> gpd.GeoDataFrame:
    """Build one area per bureau from its address points (Voronoi within communes).

    Parameters
    ----------
    points : GeoDataFrame
        Address points with their bureau (``bureau_column``) and commune
        (``commune_column``); any CRS (reprojected to Lambert-93).
    communes : GeoDataFrame, optional
        Commune polygons with a ``commune_column``; cells are clipped to them. Without it,
        each commune's cells are clipped to the convex hull of its addresses buffered by
        ``buffer`` metres,
        and communes are separated by the Voronoi edges between their addresses.
    bureau_column, commune_column : str
        Columns of ``points`` (and ``communes``).
    weight_column : str, optional
        Addresses per point (e.g. ``nb_adresses``); decides which bureau gets a location
        that carries several. Default: 1 per point.
    buffer : float
        Metres around the addresses when no commune contours are given.

    Returns
    -------
    GeoDataFrame
        One row per bureau: ``bureau_column``, ``commune_column``, ``n_points``,
        ``n_addresses``, geometry (Lambert-93).

    Examples
    --------
    Two bureaux of one commune, two addresses each, on a line: the areas meet half-way.

    >>> from shapely import Point, box
    >>> pts = gpd.GeoDataFrame({"bureau_id": ["1", "1", "2", "2"], "commune_code": "c"},
    ...                        geometry=[Point(0, 0), Point(1, 0), Point(3, 0), Point(4, 0)],
    ...                        crs=2154)
    >>> com = gpd.GeoDataFrame({"commune_code": ["c"]}, geometry=[box(-1, -1, 5, 1)], crs=2154)
    >>> areas = bureau_areas_from_addresses(pts, com)
    >>> areas["bureau_id"].tolist(), areas.area.tolist()
    (['1', '2'], [6.0, 6.0])
    """
    for col in (bureau_column, commune_column):
        if col not in points.columns:
            raise SchemaError(f"{where(column=col)}: not in the address points; columns are "
                              f"{list(points.columns)}")
    if points.crs is None:
        raise CRSError(f"address points have no CRS (communes: "
                       f"{None if communes is None else communes.crs}); expected one")
    pts = points.to_crs(schema.LAMBERT93)
    geoms = pts.geometry.to_numpy()
    bad = shapely.is_missing(geoms) | shapely.is_empty(geoms) | (shapely.get_type_id(geoms) != 0)
    if bad.any():
        raise GeometryError(f"{where(column=bureau_column, ids=pts[bureau_column][bad].unique())}:"
                            " address without a point geometry")
    weight = (np.ones(len(pts)) if weight_column is None
              else pd.to_numeric(pts[weight_column], errors="coerce").fillna(0).to_numpy(float))
    df = pd.DataFrame({
        "bureau": pts[bureau_column].astype("string").to_numpy(),
        "commune": pts[commune_column].astype("string").to_numpy(),
        "x": shapely.get_x(geoms), "y": shapely.get_y(geoms), "w": weight,
    })
    if df["bureau"].isna().any() or df["commune"].isna().any():
        raise SchemaError(f"{where(column=bureau_column)}: addresses without bureau or commune "
                          f"(rows {np.flatnonzero(df['bureau'].isna() | df['commune'].isna())[:10].tolist()})")
    counts = df.groupby("bureau").agg(n_points=("w", "size"), n_addresses=("w", "sum"))
    # one site per commune and location; it goes to the bureau with most addresses there
    sites = (df.groupby(["commune", "x", "y", "bureau"], as_index=False)["w"].sum()
             .sort_values(["commune", "x", "y", "w"], ascending=[True, True, True, False])
             .drop_duplicates(["commune", "x", "y"]))
    if communes is not None:
        clip = _commune_shapes(communes, commune_column, sites["commune"].unique())
    else:
        clip = None
    cells, owners = [], []
    site_commune = sites["commune"].to_numpy()
    all_sites = shapely.points(sites["x"].to_numpy(), sites["y"].to_numpy())
    if clip is None:
        # one diagram for all communes: their cells meet half-way between their addresses
        env = shapely.buffer(shapely.envelope(shapely.multipoints(all_sites)), 4 * buffer)
        diagram_all = shapely.get_parts(
            shapely.voronoi_polygons(shapely.multipoints(all_sites), extend_to=env, ordered=True)
        )
    for commune in pd.unique(site_commune):
        mine = site_commune == commune
        pts_c = all_sites[mine]
        if clip is not None:
            region = clip[commune]
            env = shapely.buffer(shapely.envelope(shapely.union(
                shapely.envelope(region), shapely.envelope(shapely.multipoints(pts_c)))), buffer)
            diagram = shapely.get_parts(
                shapely.voronoi_polygons(shapely.multipoints(pts_c), extend_to=env, ordered=True)
            )
        else:
            region = shapely.buffer(shapely.convex_hull(shapely.multipoints(pts_c)), buffer)
            diagram = diagram_all[mine]
        cells.append(_clip_cells(diagram, region))
        owners.append(sites["bureau"].to_numpy()[mine])
    cell = np.concatenate(cells)
    owner = np.concatenate(owners)
    out_geoms, out_ids = [], []
    order = np.argsort(owner, kind="stable")
    owner, cell = owner[order], cell[order]
    starts = np.r_[0, np.flatnonzero(owner[1:] != owner[:-1]) + 1]
    for s, e in zip(starts, np.r_[starts[1:], len(owner)], strict=True):
        out_ids.append(owner[s])
        out_geoms.append(shapely.make_valid(shapely.union_all(cell[s:e])))
    commune_of = df.drop_duplicates("bureau").set_index("bureau")["commune"]
    result = gpd.GeoDataFrame(
        {
            bureau_column: out_ids,
            commune_column: commune_of.reindex(out_ids).to_numpy(),
            "n_points": counts["n_points"].reindex(out_ids).to_numpy(),
            "n_addresses": counts["n_addresses"].reindex(out_ids).to_numpy(),
        },
        geometry=out_geoms,
        crs=schema.LAMBERT93,
    )
    missing = counts.index.difference(pd.Index(out_ids))
    if len(missing):  # every location of these bureaux went to another bureau
        result = pd.concat([result, gpd.GeoDataFrame(
            {bureau_column: list(missing), commune_column: commune_of.reindex(missing).to_numpy(),
             "n_points": counts["n_points"].reindex(missing).to_numpy(),
             "n_addresses": counts["n_addresses"].reindex(missing).to_numpy()},
            geometry=[shapely.Polygon()] * len(missing), crs=schema.LAMBERT93)],
            ignore_index=True)
    return result


def address_agreement(
    points: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame,
    *,
    bureau_column: str = schema.BUREAU_ID,
    weight_column: str | None = None,
) -> float:
    """Share of addresses lying in the area of their own bureau.

    Parameters
    ----------
    points : GeoDataFrame
        Address points with their bureau.
    areas : GeoDataFrame
        Bureau areas with the same ``bureau_column``.
    weight_column : str, optional
        Addresses per point (default 1).

    Returns
    -------
    float
        Between 0 and 1.

    Examples
    --------
    >>> from shapely import Point, box
    >>> areas = gpd.GeoDataFrame({"bureau_id": ["1", "2"]},
    ...                          geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=2154)
    >>> pts = gpd.GeoDataFrame({"bureau_id": ["1", "1", "2", "1"]}, crs=2154,
    ...     geometry=[Point(.5, .5), Point(.2, .2), Point(1.5, .5), Point(1.7, .5)])
    >>> address_agreement(pts, areas)
    0.75
    """
    if areas.crs is None or points.crs is None:
        raise CRSError(f"address points CRS {points.crs}, areas CRS {areas.crs}; expected both")
    pts = points.to_crs(areas.crs)
    weight = (np.ones(len(pts)) if weight_column is None
              else pd.to_numeric(pts[weight_column], errors="coerce").fillna(0).to_numpy(float))
    tree = shapely.STRtree(areas.geometry.to_numpy())
    pi, ai = tree.query(pts.geometry.to_numpy(), predicate="intersects")
    own = (pts[bureau_column].astype("string").to_numpy()[pi]
           == areas[bureau_column].astype("string").to_numpy()[ai])
    hit = np.zeros(len(pts), dtype=bool)
    hit[pi[own]] = True
    return float(weight[hit].sum() / weight.sum())


def validate_bureau_areas(
    points: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame | None = None,
    *,
    bureau_column: str = schema.BUREAU_ID,
    commune_column: str = schema.COMMUNE_CODE,
    weight_column: str | None = None,
    buffer: float = 300.0,
    holdout: float = 0.2,
    seed: int = 0,
) -> pd.Series:
    """Agreement of Voronoi bureau areas with the addresses, in-sample and held out.

    The held-out figure builds the areas from a random ``1 - holdout`` of the address
    locations and counts how many of the other addresses fall in their own bureau's area:
    an honest estimate of how well the areas place an address they were not built from.

    Parameters
    ----------
    points, communes, bureau_column, commune_column, weight_column, buffer
        As for :func:`bureau_areas_from_addresses` (both sets of areas are built the same way).
    holdout : float
        Share of the address locations left out of the second set of areas.
    seed : int
        Seed of the random split.

    Returns
    -------
    pandas.Series
        ``in_sample``, ``held_out``, ``n_points``, ``n_bureaux``.

    Examples
    --------
    >>> validate_bureau_areas(addresses, bureau_column="id_brut_bv_reu")  # doctest: +SKIP
    """

    def built_and_scored(build: gpd.GeoDataFrame, score: gpd.GeoDataFrame):
        areas = bureau_areas_from_addresses(build, communes, bureau_column=bureau_column,
                                            commune_column=commune_column,
                                            weight_column=weight_column, buffer=buffer)
        return areas, address_agreement(score, areas, bureau_column=bureau_column,
                                        weight_column=weight_column)

    full, in_sample = built_and_scored(points, points)
    test = np.random.default_rng(seed).random(len(points)) < holdout
    _, held_out = built_and_scored(points[~test], points[test])
    return pd.Series({"in_sample": in_sample, "held_out": held_out,
                      "n_points": len(points), "n_bureaux": len(full)})


def _clip_cells(cells: np.ndarray, region: shapely.Geometry) -> np.ndarray:
    """Intersect cells with one region; cells strictly inside need no overlay."""
    shapely.prepare(region)
    inside = shapely.contains_properly(region, cells)
    out = cells.copy()
    out[~inside] = shapely.intersection(cells[~inside], region)
    return out


def _commune_shapes(communes: gpd.GeoDataFrame, column: str, needed: np.ndarray) -> dict:
    if column not in communes.columns:
        raise SchemaError(f"{where(column=column)}: not in the commune layer")
    if communes.crs is None:
        raise CRSError("commune layer has no CRS; expected one")
    com = communes.to_crs(schema.LAMBERT93)
    geoms = shapely.make_valid(com.geometry.to_numpy())
    shapes = dict(zip(com[column].astype("string"), geoms, strict=True))
    absent = [c for c in needed if c not in shapes]
    if absent:
        raise SchemaError(f"{where(column=column, ids=absent)}: communes of the addresses missing "
                          "from the commune layer")
    return shapes
