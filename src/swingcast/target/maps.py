"""Maps of the priority: a static PNG (matplotlib, Agg) and an interactive HTML map (folium)."""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import geopandas as gpd
import pandas as pd

from swingcast import schema as S
from swingcast.cache import atomic_write
from swingcast.errors import GeometryError, SchemaError, where

__all__ = ["priority_frame", "priority_png", "priority_html"]

#: columns shown in the tooltip of the interactive map, when present
TOOLTIP = (S.BUREAU_ID, S.RANK, S.VALUE_PER_HOUR, S.TURNOUT_PRED, S.SHARE_PRED, S.SWING_PROB, S.HOURS)


def priority_frame(ranking: pd.DataFrame, bureaux: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Join a ranking (or plan) to the bureau polygons.

    Parameters
    ----------
    ranking : DataFrame
        Indexed by ``bureau_id`` with ``value_per_hour``.
    bureaux : GeoDataFrame
        Polygons indexed by ``bureau_id``.

    Returns
    -------
    GeoDataFrame
        One row per ranked bureau, CRS of ``bureaux``.

    Raises
    ------
    GeometryError
        A ranked bureau has no polygon (ids named).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)], crs="EPSG:2154",
    ...                      index=pd.Index(["a"], name="bureau_id"))
    >>> r = pd.DataFrame({"value_per_hour": [1.0]}, index=pd.Index(["a"], name="bureau_id"))
    >>> priority_frame(r, g).geom_type.tolist()
    ['Polygon']
    """
    if S.VALUE_PER_HOUR not in ranking.columns:
        raise SchemaError(f"ranking: missing column {S.VALUE_PER_HOUR!r}")
    idx = ranking.index.astype(str)
    geo = bureaux.set_axis(bureaux.index.astype(str))
    missing = idx.difference(geo.index)
    if len(missing):
        raise GeometryError(f"{where(ids=missing)}: ranked bureau without a polygon")
    out = gpd.GeoDataFrame(
        ranking.set_axis(idx), geometry=geo.loc[idx].geometry.to_numpy(), crs=bureaux.crs
    )
    out.index.name = S.BUREAU_ID
    return out


def priority_png(
    frame: gpd.GeoDataFrame,
    path: str | PathLike[str],
    *,
    title: str = "Expected net votes per volunteer-hour",
    column: str = S.VALUE_PER_HOUR,
) -> Path:
    """Draw a choropleth of ``column`` (Lambert-93) to a PNG file with the Agg backend.

    Examples
    --------
    >>> import tempfile, os
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame({"value_per_hour": [1.0, 2.0]}, crs="EPSG:2154",
    ...                      geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)])
    >>> p = priority_png(g, os.path.join(tempfile.mkdtemp(), "m.png"))
    >>> p.read_bytes()[:4] == b"\\x89PNG"
    True
    """
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(8, 6), dpi=110)
    try:
        frame.to_crs(S.LAMBERT93).plot(
            column=column, ax=ax, cmap="YlOrRd", legend=True, linewidth=0.1, edgecolor="grey",
            legend_kwds={"shrink": 0.7, "label": column},
        )
        ax.set_axis_off()
        ax.set_title(title)
        fig.tight_layout()
        with atomic_write(path) as tmp:
            fig.savefig(tmp, format=path.suffix.lstrip(".") or "png")
    finally:
        plt.close(fig)
    return path


def priority_html(
    frame: gpd.GeoDataFrame,
    path: str | PathLike[str],
    *,
    column: str = S.VALUE_PER_HOUR,
    simplify: float = 5.0,
) -> Path:
    """Write an interactive folium map of ``column`` with a tooltip per bureau.

    The page draws the bureaux over OpenStreetMap tiles (streets help canvassers); the tiles
    and Leaflet are fetched by the browser when the page is opened, never by swingcast.

    Parameters
    ----------
    frame : GeoDataFrame
        From :func:`priority_frame`.
    path : str or PathLike
        The HTML file.
    column : str
        The value coloured.
    simplify : float
        Geometry simplification tolerance in metres (keeps the file small).

    Examples
    --------
    >>> import tempfile, os
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame({"value_per_hour": [1.0, 2.0]}, crs="EPSG:4326",
    ...                      geometry=[box(2.3, 48.8, 2.31, 48.81), box(2.31, 48.8, 2.32, 48.81)])
    >>> p = priority_html(g, os.path.join(tempfile.mkdtemp(), "m.html"))
    >>> "leaflet" in p.read_text()
    True
    """
    import branca.colormap as cm
    import folium

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = frame.reset_index() if frame.index.name == S.BUREAU_ID else frame.copy()
    data = data[[c for c in (*TOOLTIP, column) if c in data.columns] + ["geometry"]]
    data = data.loc[:, ~data.columns.duplicated()]
    data = data.to_crs(S.LAMBERT93)
    data["geometry"] = data.geometry.simplify(simplify)
    data = data.to_crs("EPSG:4326")
    for col in data.columns:
        if col != "geometry" and pd.api.types.is_float_dtype(data[col]):
            data[col] = data[col].round(4)
    lo, hi = float(data[column].min()), float(data[column].max())
    cmap = cm.LinearColormap(["#ffffb2", "#fd8d3c", "#bd0026"], vmin=lo, vmax=max(hi, lo + 1e-9))
    cmap.caption = column
    minx, miny, maxx, maxy = data.total_bounds
    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=12, tiles="OpenStreetMap")
    folium.GeoJson(
        data,
        style_function=lambda f: {
            "fillColor": cmap(f["properties"][column]),
            "color": "#555555",
            "weight": 0.3,
            "fillOpacity": 0.75,
        },
        tooltip=folium.GeoJsonTooltip(fields=[c for c in data.columns if c != "geometry"]),
    ).add_to(m)
    cmap.add_to(m)
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    with atomic_write(path) as tmp:
        m.save(str(tmp))
    return path
