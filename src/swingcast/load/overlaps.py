"""Polygons of one layer that overlap: bureaux or IRIS must partition the ground.

Two bureaux drawn over the same ground (one polygon spilling into its neighbours, or one
polygon given to two bureaux) make the crosswalk send the people of that ground to both:
areas are counted twice and nothing adds up any more. Contours are digitised by hand, so
neighbours often overlap by a sliver along their common edge; a pair is reported only when
the overlap is more than :data:`OVERLAP_SHARE` of the smaller polygon's area.
"""

from __future__ import annotations

from os import PathLike

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from swingcast._log import logger

__all__ = ["OVERLAP_SHARE", "DUPLICATE_SHARE", "find_overlaps", "describe_overlaps",
           "report_overlaps", "refuse_overlaps_in_overlay"]

#: A pair overlaps when the ground they share is more than this share of the smaller one.
#: 1%: the slivers of hand-digitised neighbours (a few metres along an edge) stay far below.
OVERLAP_SHARE = 0.01
#: Two polygons are the same polygon when each covers this share of the other.
DUPLICATE_SHARE = 0.999

_COLUMNS = ("id_a", "id_b", "area_a", "area_b", "overlap_area", "overlap_share", "duplicate")


def find_overlaps(layer: gpd.GeoDataFrame, id_column: str, *,
                  share: float = OVERLAP_SHARE) -> pd.DataFrame:
    """Pairs of polygons that share more ground than ``share`` of the smaller one.

    Parameters
    ----------
    layer : GeoDataFrame
        Polygons in a projected CRS (areas in square units of the CRS).
    id_column : str
        Column with the polygons' ids.
    share : float
        Tolerance, as a share of the smaller polygon's area.

    Returns
    -------
    DataFrame
        One row per pair: ``id_a, id_b, area_a, area_b, overlap_area``, ``overlap_share``
        (overlap / smaller area) and ``duplicate`` (the two are the same polygon), sorted by
        decreasing overlap.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame({"bv": ["1", "2", "3", "4"]}, crs="EPSG:2154", geometry=[
    ...     box(0, 0, 100, 100), box(100, 0, 200, 100), box(150, 0, 250, 100),
    ...     box(0, 0, 100, 100)])
    >>> find_overlaps(g, "bv")[["id_a", "id_b", "overlap_area", "duplicate"]].values.tolist()
    [['1', '4', 10000.0, True], ['2', '3', 5000.0, False]]
    """
    geoms = layer.geometry.to_numpy()
    ids = layer[id_column].astype(str).to_numpy()
    if len(geoms) < 2:
        return pd.DataFrame(columns=list(_COLUMNS))
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    # interiors that meet (DE-9IM): neighbours that only share an edge are dropped before
    # any intersection is measured
    inner = shapely.relate_pattern(geoms[left], geoms[right], "T********")
    left, right = left[inner], right[inner]
    areas = shapely.area(geoms)
    inter = shapely.area(shapely.intersection(geoms[left], geoms[right]))
    smaller = np.minimum(areas[left], areas[right])
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(smaller > 0, inter / smaller, 0.0)
        larger = np.maximum(areas[left], areas[right])
        both = np.where(larger > 0, inter / larger, 0.0)
    hit = ratio > share
    out = pd.DataFrame({
        "id_a": ids[left[hit]], "id_b": ids[right[hit]],
        "area_a": areas[left[hit]], "area_b": areas[right[hit]],
        "overlap_area": inter[hit], "overlap_share": ratio[hit],
        "duplicate": both[hit] >= DUPLICATE_SHARE,
    })
    return out.sort_values(["overlap_area", "id_a"], ascending=[False, True],
                           ignore_index=True)


def describe_overlaps(pairs: pd.DataFrame, unit: str = "m2", shown: int = 5) -> str:
    """One line about the pairs of :func:`find_overlaps` (ids and areas).

    Examples
    --------
    >>> p = pd.DataFrame({"id_a": ["1"], "id_b": ["4"], "area_a": [100.0], "area_b": [100.0],
    ...                   "overlap_area": [100.0], "overlap_share": [1.0], "duplicate": [True]})
    >>> describe_overlaps(p)
    '1 pair(s) of polygons overlap: 1 and 4 are the same polygon (100 m2)'
    """
    parts = []
    for row in pairs.head(shown).itertuples(index=False):
        if row.duplicate:
            parts.append(f"{row.id_a} and {row.id_b} are the same polygon "
                         f"({row.overlap_area:,.0f} {unit})")
        else:
            parts.append(f"{row.id_a} ({row.area_a:,.0f} {unit}) and {row.id_b} "
                         f"({row.area_b:,.0f} {unit}) share {row.overlap_area:,.0f} {unit} "
                         f"({row.overlap_share:.0%} of the smaller)")
    more = f" (and {len(pairs) - shown} more)" if len(pairs) > shown else ""
    return f"{len(pairs)} pair(s) of polygons overlap: " + "; ".join(parts) + more


def report_overlaps(layer: gpd.GeoDataFrame, id_column: str,
                    source: str | PathLike[str]) -> gpd.GeoDataFrame:
    """Warn about overlapping polygons of a layer just read; list them in ``attrs``.

    ``layer.attrs["overlaps"]`` is a list of ``(id_a, id_b, overlap_area, duplicate)``
    (empty when the polygons partition the ground). The warning names the file, the ids and
    the areas; :func:`swingcast.check` shows it (exit status 1).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame({"bv": ["1", "2"]}, crs="EPSG:2154",
    ...                      geometry=[box(0, 0, 10, 10), box(5, 0, 15, 10)])
    >>> report_overlaps(g, "bv", "bv.geojson").attrs["overlaps"]
    [('1', '2', 50.0, False)]
    """
    pairs = find_overlaps(layer, id_column)
    layer.attrs["overlaps"] = [(str(r.id_a), str(r.id_b), float(r.overlap_area),
                                bool(r.duplicate)) for r in pairs.itertuples(index=False)]
    if len(pairs):
        logger.warning("%s: %s; expected polygons that do not overlap (the crosswalk would "
                       "count the shared ground twice)", source, describe_overlaps(pairs))
    return layer


def refuse_overlaps_in_overlay(source: gpd.GeoDataFrame, source_id: str,
                               target: gpd.GeoDataFrame, target_id: str, li: np.ndarray,
                               ri: np.ndarray, measure: np.ndarray) -> None:
    """Refuse an area crosswalk whose sources, or targets, overlap one another.

    Cheap first: a source covered more than once by the targets (or a target by the
    sources) shows their overlap in the measured areas; only the polygons involved are
    then compared pairwise with :func:`find_overlaps`.

    Parameters
    ----------
    source, target : GeoDataFrame
        The two layers, in the working CRS.
    source_id, target_id : str
        Their id columns.
    li, ri, measure : ndarray
        Positions of the source and target of each piece, and its area.

    Raises
    ------
    GeometryError
        Naming the layer, the ids and the areas of the overlapping pairs.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> s = gpd.GeoDataFrame({"s": ["A"]}, geometry=[box(0, 0, 2, 1)], crs="EPSG:2154")
    >>> t = gpd.GeoDataFrame({"t": ["1", "2"]}, crs="EPSG:2154",
    ...                      geometry=[box(0, 0, 1.5, 1), box(0.5, 0, 2, 1)])
    >>> refuse_overlaps_in_overlay(s, "s", t, "t", np.array([0, 0]), np.array([0, 1]),
    ...                            np.array([1.5, 1.5]))
    Traceback (most recent call last):
    ...
    swingcast.errors.GeometryError: crosswalk target layer: 1 pair(s) of polygons overlap: 1 (2 m2) and 2 (2 m2) share 1 m2 (67% of the smaller); expected polygons that do not overlap (the ground they share would be counted twice); fix the contours
    """
    from swingcast.errors import GeometryError

    for name, layer, id_col, own, other in (("target", target, target_id, ri, li),
                                            ("source", source, source_id, li, ri)):
        whole = shapely.area(
            (source if name == "target" else target).geometry.to_numpy())
        covered = np.bincount(other, weights=measure, minlength=len(whole))
        over = np.flatnonzero(covered > whole * (1 + 1e-6) + 1e-9)
        if not len(over):
            continue
        involved = np.unique(own[np.isin(other, over)])
        pairs = find_overlaps(layer.iloc[involved], id_col)
        if len(pairs):
            raise GeometryError(
                f"crosswalk {name} layer: {describe_overlaps(pairs)}; expected polygons that "
                "do not overlap (the ground they share would be counted twice); fix the "
                "contours"
            )
