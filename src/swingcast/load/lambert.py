"""Bring any vector layer to Lambert-93 (EPSG:2154), checked and repaired: one function for all.

Every contour and point loader of :mod:`swingcast.load.geometry` goes through
:func:`to_lambert93` (through :func:`read_layer` for files), so that CRS checks, unit checks,
repair of invalid polygons and the handling of empty geometries are written once.
"""

from __future__ import annotations

import warnings
from os import PathLike
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError as ProjCRSError

from swingcast._log import logger, quiet_library_warnings
from swingcast.errors import CRSError, GeometryError, InputFormatError, SwingcastWarning, where
from swingcast.schema import LAMBERT93

__all__ = ["to_lambert93", "read_layer", "read_vector", "dissolve_duplicates"]

_L93 = CRS.from_user_input(LAMBERT93)
_POLYGONAL = ("Polygon", "MultiPolygon")


def _describe(crs: CRS) -> str:
    code = crs.to_epsg()
    return f"EPSG:{code}" if code else (crs.name or "custom CRS")


def _check_units(gdf: gpd.GeoDataFrame, crs: CRS, source: str, *, given: bool) -> None:
    """Refuse coordinates in degrees under a metric CRS, and the reverse.

    ``given`` says whether ``crs`` came from the ``crs=`` argument (not from the file), so
    that the message says which CRS is contradicted and how to fix it.
    """
    geoms = gdf.geometry[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    if geoms.empty:
        return
    xmin, ymin, xmax, ymax = geoms.total_bounds
    in_degree_range = xmin >= -180 and xmax <= 180 and ymin >= -90 and ymax <= 90
    whose = (f"the CRS given as crs={_describe(crs)}" if given
             else f"the file's CRS {_describe(crs)}")
    if crs.is_geographic and not in_degree_range:
        raise CRSError(
            f"{source}: coordinates look like metres (bounds {xmin:.0f}, {ymin:.0f}, "
            f"{xmax:.0f}, {ymax:.0f}) but {whose} is in degrees; expected longitudes in "
            "[-180, 180] and latitudes in [-90, 90] (pass the file's projected CRS as crs=, "
            "for example crs='EPSG:2154': crs= overrides the file's CRS)"
        )
    if crs.is_projected and in_degree_range:
        raise CRSError(
            f"{source}: coordinates look like degrees (bounds {xmin:.4f}, {ymin:.4f}, "
            f"{xmax:.4f}, {ymax:.4f}) but {whose} is in metres; expected projected "
            "coordinates (pass crs='EPSG:4326' for a file in degrees: crs= overrides the "
            "file's CRS)"
        )


def _polygonal_part(geom: shapely.Geometry) -> shapely.Geometry:
    """Polygonal part of a geometry returned by ``make_valid`` (empty if none)."""
    if geom.geom_type in _POLYGONAL:
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in _POLYGONAL]
    if not parts:
        return shapely.Polygon()
    return shapely.union_all(parts)


def _ids(gdf: gpd.GeoDataFrame, mask: pd.Series, id_column: str | None) -> list[str]:
    values = gdf.loc[mask, id_column] if id_column in gdf.columns else gdf.index[mask]
    return [str(v) for v in values]


def to_lambert93(
    gdf: gpd.GeoDataFrame,
    *,
    source: str | PathLike[str] = "<GeoDataFrame>",
    crs: object | None = None,
    drop_empty: bool = False,
    id_column: str | None = None,
) -> gpd.GeoDataFrame:
    """Return a copy of a layer in Lambert-93 (EPSG:2154), checked and repaired.

    Parameters
    ----------
    gdf : GeoDataFrame
        Any layer, in any CRS.
    source : str or PathLike
        Where the layer comes from, for the messages.
    crs : object, optional
        The layer's true CRS (anything pyproj accepts): used when the layer has none, and
        **overriding** the CRS it has when they differ (a wrong or missing ``.prj``; the
        coordinates are relabelled, not transformed). An override is logged as a warning
        and recorded in ``attrs["crs_overridden"]`` (``"<file's CRS> -> <crs>"``). The
        degrees-vs-metres check applies to the CRS in force, whichever it is.
    drop_empty : bool
        Drop missing/empty geometries with a warning instead of raising.
    id_column : str, optional
        Column naming the features in messages (default: the index).

    Returns
    -------
    GeoDataFrame
        Same rows (minus dropped empties) in EPSG:2154. A CRS equal to Lambert-93 but
        written without its EPSG code (ESRI ``.prj``) is recognised and relabelled, not
        transformed. ``attrs["crs_overridden"]`` is None unless ``crs=`` replaced the
        layer's CRS. Invalid polygons are repaired with :func:`shapely.make_valid`, keeping
        only their polygonal parts; their count is logged and kept in
        ``attrs["repaired"]`` (``attrs["dropped_empty"]`` lists dropped ids).

    Raises
    ------
    CRSError
        No CRS and no ``crs=``; a ``crs=`` pyproj does not know; coordinates in degrees
        under a metric CRS or the reverse (the CRS, where it came from, and the ``crs=``
        that fixes it are named in the message).
    GeometryError
        Missing or empty geometries (the ids are named), unless ``drop_empty=True``.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame({"id": ["a"]}, geometry=[box(2.35, 48.85, 2.36, 48.86)],
    ...                      crs="EPSG:4326")
    >>> out = to_lambert93(g)
    >>> out.crs.to_epsg(), round(float(out.area.iloc[0]) / 1e6, 2)
    (2154, 0.82)
    >>> to_lambert93(g.set_crs(None, allow_override=True), source="x.geojson")
    Traceback (most recent call last):
    ...
    swingcast.errors.CRSError: x.geojson: the layer has no CRS; expected one in the file, \
or pass crs= (for example crs='EPSG:2154')

    A file in degrees whose ``.prj`` wrongly says Lambert-93 is refused, and ``crs=`` fixes it:

    >>> wrong = g.set_crs("EPSG:2154", allow_override=True)
    >>> to_lambert93(wrong, source="w.shp")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    swingcast.errors.CRSError: w.shp: coordinates look like degrees ... but the file's CRS \
EPSG:2154 is in metres; expected projected coordinates (pass crs='EPSG:4326' for a file in \
degrees: crs= overrides the file's CRS)
    >>> fixed = to_lambert93(wrong, source="w.shp", crs="EPSG:4326")
    >>> fixed.attrs["crs_overridden"], round(float(fixed.area.iloc[0]) / 1e6, 2)
    ('EPSG:2154 -> EPSG:4326', 0.82)
    """
    source = str(source)
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise GeometryError(f"{source}: expected a GeoDataFrame, got {type(gdf).__name__}")
    out = gdf.copy()
    given = None
    if crs is not None:
        try:
            given = CRS.from_user_input(crs)
        except ProjCRSError as exc:
            raise CRSError(f"{source}: crs={crs!r} is not a CRS pyproj knows: {exc}") from exc
    overridden = None
    if out.crs is None:
        if given is None:
            raise CRSError(f"{source}: the layer has no CRS; expected one in the file, "
                           "or pass crs= (for example crs='EPSG:2154')")
        out = out.set_crs(given)
    elif given is not None and not CRS(out.crs).equals(given, ignore_axis_order=True):
        overridden = f"{_describe(CRS(out.crs))} -> {_describe(given)}"
        logger.warning("%s: crs=%s overrides the file's CRS %s (coordinates relabelled, "
                       "not transformed)", source, _describe(given), _describe(CRS(out.crs)))
        out = out.set_crs(given, allow_override=True)
    layer_crs = CRS(out.crs)

    missing = out.geometry.isna() | out.geometry.is_empty
    if missing.any():
        ids = _ids(out, missing, id_column)
        if not drop_empty:
            raise GeometryError(f"{where(source, ids=ids)}: missing or empty geometry; "
                                "expected a geometry for every feature (or drop_empty=True)")
        warnings.warn(f"{source}: dropped {len(ids)} features without geometry: "
                      f"{', '.join(ids[:10])}", SwingcastWarning, stacklevel=2)
        out = out[~missing.to_numpy()].copy()
        out.attrs["dropped_empty"] = ids
    _check_units(out, layer_crs, source, given=given is not None)

    if layer_crs.equals(_L93, ignore_axis_order=True):
        out = out.set_crs(LAMBERT93, allow_override=True)
    else:
        logger.info("%s: reprojecting from %s to %s", source, _describe(layer_crs), LAMBERT93)
        out = out.to_crs(LAMBERT93)

    geoms = out.geometry.to_numpy()
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        polygonal = np.isin(shapely.get_type_id(geoms), (3, 6))
        fixed = shapely.make_valid(geoms[invalid])
        fixed = np.array([_polygonal_part(g) if p else g
                          for g, p in zip(fixed, polygonal[invalid], strict=True)], dtype=object)
        geoms = geoms.copy()
        geoms[invalid] = fixed
        out[out.geometry.name] = gpd.GeoSeries(geoms, index=out.index, crs=LAMBERT93)
        logger.warning("%s: repaired %d invalid geometries with make_valid", source,
                       int(invalid.sum()))
        emptied = pd.Series(shapely.is_empty(geoms), index=out.index)
        if emptied.any():
            ids = _ids(out, emptied, id_column)
            raise GeometryError(f"{where(source, ids=ids)}: geometry has no area left after "
                                "repair; expected polygons")
    out.attrs["repaired"] = int(invalid.sum())
    out.attrs["crs_overridden"] = overridden
    return out


def read_layer(
    path: str | PathLike[str],
    *,
    layer: str | None = None,
    crs: object | None = None,
    drop_empty: bool = False,
    id_column: str | None = None,
) -> gpd.GeoDataFrame:
    """Read a vector file (GeoJSON, GeoPackage, shapefile...) and pass it to :func:`to_lambert93`.

    Parameters
    ----------
    path : str or PathLike
        The file.
    layer : str, optional
        Layer of a multi-layer file (GeoPackage).
    crs, drop_empty, id_column
        As in :func:`to_lambert93`.

    Returns
    -------
    GeoDataFrame
        In EPSG:2154, string attributes as read.

    Raises
    ------
    InputFormatError
        Missing or unreadable file.

    Examples
    --------
    A GeoJSON in WGS84 comes back in Lambert-93 (metres):

    >>> import tempfile, pathlib
    >>> from shapely.geometry import box
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "zone.geojson"
    >>> gpd.GeoDataFrame({"id": ["a"]}, geometry=[box(2.29, 48.75, 2.30, 48.76)],
    ...                  crs="EPSG:4326").to_file(p)
    >>> zone = read_layer(p)
    >>> zone.crs.to_epsg(), bool(700_000 < zone.area.iloc[0] < 900_000)  # about 734 m x 1,112 m
    (2154, True)
    """
    gdf = read_vector(path, layer=layer)
    return to_lambert93(gdf, source=path, crs=crs, drop_empty=drop_empty, id_column=id_column)


def read_vector(path: str | PathLike[str], *, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read a vector file as it is (no CRS or geometry checks: see :func:`read_layer`).

    Parameters
    ----------
    path : str or PathLike
        GeoJSON, GeoPackage, shapefile or any format pyogrio reads.
    layer : str, optional
        Layer of a multi-layer file.

    Returns
    -------
    GeoDataFrame

    Raises
    ------
    InputFormatError
        Missing or unreadable file.

    Examples
    --------
    >>> read_vector("nowhere.shp")
    Traceback (most recent call last):
    ...
    swingcast.errors.InputFormatError: nowhere.shp: no such file; expected a vector layer \
(GeoJSON, GeoPackage, shapefile)
    """
    path = Path(path)
    if not path.is_file():
        raise InputFormatError(f"{path}: no such file; expected a vector layer "
                               "(GeoJSON, GeoPackage, shapefile)")
    try:
        with quiet_library_warnings():
            gdf = gpd.read_file(path, layer=layer, engine="pyogrio")
    except Exception as exc:  # pyogrio raises its own DataSourceError/DataLayerError
        raise InputFormatError(f"{path}: cannot read as a vector layer: {exc}") from exc
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.name not in gdf.columns:
        raise InputFormatError(f"{path}: no geometry (a table, not a vector layer); expected "
                               "a vector layer (GeoJSON, GeoPackage, shapefile)")
    return gdf


def dissolve_duplicates(gdf: gpd.GeoDataFrame, id_column: str, *,
                        source: str = "<GeoDataFrame>") -> gpd.GeoDataFrame:
    """Merge the features sharing an id into one (Multi)Polygon; other columns from the first.

    Parameters
    ----------
    gdf : GeoDataFrame
        Layer with an id column.
    id_column : str
        Column that must be unique.
    source : str
        For the log message.

    Returns
    -------
    GeoDataFrame
        One row per id, in first-appearance order; ``attrs["dissolved"]`` lists the ids
        that came as several features.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame({"id": ["a", "b", "a"]},
    ...                      geometry=[box(0, 0, 1, 1), box(5, 5, 6, 6), box(2, 0, 3, 1)])
    >>> out = dissolve_duplicates(g, "id")
    >>> out["id"].tolist(), out.area.tolist(), out.attrs["dissolved"]
    (['a', 'b'], [2.0, 1.0], ['a'])
    """
    dup = gdf[id_column].duplicated(keep=False)
    attrs = dict(gdf.attrs)
    if not dup.any():
        out = gdf.reset_index(drop=True)
        out.attrs = {**attrs, "dissolved": []}
        return out
    ids = list(dict.fromkeys(gdf.loc[dup, id_column].astype(str)))
    logger.warning("%s: %d ids come as several features, dissolved into one each: %s",
                   source, len(ids), ", ".join(ids[:10]))
    first = gdf.drop_duplicates(id_column).set_index(id_column)
    geom_col = gdf.geometry.name
    merged = gdf.loc[dup].groupby(id_column, sort=False)[geom_col].agg(
        lambda s: shapely.union_all(s.to_numpy()))
    geoms = first.geometry.to_numpy().copy()
    geoms[first.index.get_indexer(merged.index)] = merged.to_numpy()
    first[geom_col] = gpd.GeoSeries(geoms, index=first.index, crs=gdf.crs)
    out = first.reset_index()[list(gdf.columns)]
    out.attrs = {**attrs, "dissolved": ids}
    return out
