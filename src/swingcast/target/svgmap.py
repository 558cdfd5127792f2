"""Dependency-free SVG maps: polygons as SVG paths, group borders, labels and a colour scale.

:func:`svg_map` turns a GeoDataFrame into one ``<svg>`` string that any browser draws with no
network and no JavaScript: one ``<path class="shape">`` per row (its tooltip in a ``<title>``),
the borders of groups of rows (arrondissements, communes) drawn over them, a label per group,
and optional points. :func:`svg_legend` draws the colour bar of the same scale. Every text and
attribute is escaped with :func:`html.escape`, so ids, names and titles cannot inject markup.

The geometries are projected to Lambert-93 (metres) and simplified before drawing: shared
edges are simplified once (:func:`shapely.coverage_simplify`), so neighbours stay joined.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from swingcast import schema as S
from swingcast.errors import GeometryError

__all__ = ["PALETTE", "NO_DATA", "colour_scale", "dissolve_groups", "svg_map", "svg_legend"]

#: ColorBrewer YlOrRd, 5 classes (low value = pale yellow, high value = dark red)
PALETTE = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
#: fill of a shape without a value
NO_DATA = "#d9d9d9"


def _hex(rgb: np.ndarray) -> str:
    r, g, b = (int(round(c)) for c in rgb)
    return f"#{r:02x}{g:02x}{b:02x}"


def colour_scale(
    values: Sequence[float] | pd.Series | np.ndarray,
    lo: float | None = None,
    hi: float | None = None,
    palette: Sequence[str] = PALETTE,
) -> list[str]:
    """Map numbers linearly onto a palette (hex colours); NaN gets :data:`NO_DATA`.

    Parameters
    ----------
    values : sequence of float
        The numbers to colour.
    lo, hi : float, optional
        Ends of the scale (default: the finite minimum and maximum of ``values``).
    palette : sequence of str
        ``#rrggbb`` colours from ``lo`` to ``hi``, interpolated in between.

    Examples
    --------
    >>> colour_scale([0.0, 0.5, 1.0, float("nan")], palette=("#000000", "#ffffff"))
    ['#000000', '#808080', '#ffffff', '#d9d9d9']
    """
    arr = np.asarray(values, dtype=float)
    finite = arr[np.isfinite(arr)]
    lo = float(finite.min()) if lo is None and finite.size else (0.0 if lo is None else lo)
    hi = float(finite.max()) if hi is None and finite.size else (1.0 if hi is None else hi)
    stops = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in palette], dtype=float)
    span = hi - lo if hi > lo else 1.0
    out = []
    for v in arr:
        if not math.isfinite(v):
            out.append(NO_DATA)
            continue
        t = min(max((v - lo) / span, 0.0), 1.0) * (len(stops) - 1)
        i = min(int(t), len(stops) - 2)
        out.append(_hex(stops[i] + (stops[i + 1] - stops[i]) * (t - i)))
    return out


class _Projector:
    """Lambert-93 metres -> SVG units: x to the right, y down, ``width`` units wide."""

    def __init__(self, bounds: np.ndarray, width: float, pad: float) -> None:
        minx, miny, maxx, maxy = (float(b) for b in bounds)
        self.scale = (width - 2 * pad) / max(maxx - minx, 1e-9)
        self.minx, self.maxy, self.pad = minx, maxy, pad
        self.width = width
        self.height = (maxy - miny) * self.scale + 2 * pad

    def mercator_affine(self) -> tuple[np.ndarray, float]:
        """Affine map Web Mercator (EPSG:3857 metres) -> SVG units, fitted over the map.

        Returns the six coefficients ``a b c d e f`` (``u = a x + b y + c``,
        ``v = d x + e y + f``) and the largest misfit on an 11 x 11 grid, in SVG units.
        Used to lay web-map tiles under the drawing; over a city the misfit is well under a
        unit.
        """
        from pyproj import Transformer

        width_m = (self.width - 2 * self.pad) / self.scale
        height_m = (self.height - 2 * self.pad) / self.scale
        gx, gy = np.meshgrid(np.linspace(self.minx, self.minx + width_m, 11),
                             np.linspace(self.maxy - height_m, self.maxy, 11))
        lam = np.column_stack([gx.ravel(), gy.ravel()])
        to_merc = Transformer.from_crs(S.LAMBERT93, "EPSG:3857", always_xy=True)
        mx, my = to_merc.transform(lam[:, 0], lam[:, 1])
        uv = self.xy(lam)
        design = np.column_stack([mx, my, np.ones_like(mx)])
        coef_u, *_ = np.linalg.lstsq(design, uv[:, 0], rcond=None)
        coef_v, *_ = np.linalg.lstsq(design, uv[:, 1], rcond=None)
        fit = np.column_stack([design @ coef_u, design @ coef_v])
        return np.concatenate([coef_u, coef_v]), float(np.abs(fit - uv).max())

    def xy(self, coords: np.ndarray) -> np.ndarray:
        x = (coords[:, 0] - self.minx) * self.scale + self.pad
        y = (self.maxy - coords[:, 1]) * self.scale + self.pad
        return np.column_stack([x, y])

    def ring(self, coords: np.ndarray, close: bool = True) -> str:
        pts = self.xy(np.asarray(coords)[:, :2])
        if close and len(pts) > 1 and np.allclose(pts[0], pts[-1]):
            pts = pts[:-1]
        body = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
        return f"M{body}{'Z' if close else ''}"

    def path(self, geom: BaseGeometry) -> str:
        """SVG path data of a (multi)polygon or (multi)line; holes by the even-odd rule."""
        if geom is None or geom.is_empty:
            return ""
        parts: list[str] = []
        for g in getattr(geom, "geoms", [geom]):
            if g.geom_type == "Polygon":
                parts.append(self.ring(g.exterior.coords))
                parts.extend(self.ring(r.coords) for r in g.interiors)
            elif g.geom_type in ("LineString", "LinearRing"):
                parts.append(self.ring(g.coords, close=g.geom_type == "LinearRing"))
            elif g.geom_type in ("MultiPolygon", "MultiLineString", "GeometryCollection"):
                parts.append(self.path(g))
        return "".join(parts)


def _attr(value: object) -> str:
    return html.escape(str(value), quote=True)


def _simplified(geoms: gpd.GeoSeries, tolerance: float) -> gpd.GeoSeries:
    if tolerance <= 0:
        return geoms
    polys = geoms.geom_type.isin(["Polygon", "MultiPolygon"]).all()
    try:
        if polys:
            # one simplification of each shared edge: neighbours stay joined, no slivers
            return gpd.GeoSeries(shapely.coverage_simplify(geoms.to_numpy(), tolerance),
                                 index=geoms.index, crs=geoms.crs)
    except (shapely.errors.GEOSException, ValueError):
        pass
    return geoms.simplify(tolerance, preserve_topology=True)


def dissolve_groups(data: gpd.GeoDataFrame, group: str, close: float = 5.0) -> gpd.GeoSeries:
    """Union of each group's polygons; gaps narrower than ``2 * close`` CRS units are closed.

    Bureau contours rarely tile exactly: a plain union keeps the slivers between neighbours
    as inner borders. Each polygon is grown by ``close``, the group united, then shrunk back.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame({"arr": ["1", "1"]}, crs="EPSG:2154",
    ...                      geometry=[box(0, 0, 10, 10), box(10.5, 0, 20, 10)])
    >>> u = dissolve_groups(g, "arr", close=1.0)
    >>> u.index.tolist(), u.iloc[0].geom_type, round(u.iloc[0].area)
    (['1'], 'Polygon', 200)
    """
    keys = data[group].astype(str)
    merged = {
        key: shapely.union_all(shapely.buffer(data.geometry[keys == key].to_numpy(), close))
        .buffer(-close)
        for key in sorted(keys.unique())
    }
    return gpd.GeoSeries(merged, crs=data.crs)


def svg_map(
    frame: gpd.GeoDataFrame,
    *,
    column: str | None = None,
    tooltips: pd.Series | None = None,
    classes: pd.Series | None = None,
    group: str | None = None,
    group_labels: Mapping[str, str] | None = None,
    points: gpd.GeoDataFrame | None = None,
    lo: float | None = None,
    hi: float | None = None,
    width: float = 900.0,
    simplify: float = 5.0,
    title: str = "",
) -> str:
    """Draw a GeoDataFrame as one self-contained ``<svg>`` element.

    Parameters
    ----------
    frame : GeoDataFrame
        Polygons (any CRS; drawn in Lambert-93). The index gives each shape's ``data-id``.
    column : str, optional
        Numeric column coloured with :func:`colour_scale` (``data-value`` of each shape);
        without it every shape is filled pale grey-blue.
    tooltips : Series of str, optional
        Tooltip text per row (same index as ``frame``; lines separated by ``"\\n"``), written
        as each shape's ``<title>``; default: the index value.
    classes : Series of str, optional
        Extra CSS classes per row (e.g. ``"planned"``), added to ``class="shape"``.
    group : str, optional
        Column whose groups (e.g. ``arrondissement_code``) get a border drawn and a label.
    group_labels : mapping, optional
        Group value -> label text (default: the group value).
    points : GeoDataFrame, optional
        Points drawn as small circles (``class="point"``), e.g. polling places or addresses.
    lo, hi : float, optional
        Ends of the colour scale (default: range of ``column``).
    width : float
        Width of the drawing in SVG units (the height follows the map's proportions).
    simplify : float
        Simplification tolerance in metres (0 keeps every vertex).
    title : str
        Accessible name of the drawing (``aria-label``).

    Returns
    -------
    str
        ``<svg ...>...</svg>``; shapes in ``<g class="shapes">``, borders in
        ``<g class="borders">``, labels in ``<g class="labels">``. The ``<svg>`` carries
        ``data-mercator``: the affine map from Web Mercator metres to its units (six
        numbers ``a b c d e f``: ``u = a x + b y + c``, ``v = d x + e y + f``), so a page can
        lay web-map tiles under it, and ``data-mercator-misfit``, its largest error in units.

    Raises
    ------
    GeometryError
        No CRS, or a row without a polygon.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame({"v": [1.0, 2.0], "arr": ["75101", "75101"]},
    ...                      geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100)],
    ...                      crs="EPSG:2154", index=pd.Index(["a", "<b>"], name="bureau_id"))
    >>> svg = svg_map(g, column="v", group="arr", group_labels={"75101": "1er"}, width=220)
    >>> svg.count('class="shape"'), 'data-id="&lt;b&gt;"' in svg, ">1er</text>" in svg
    (2, True, True)
    """
    if frame.crs is None:
        raise GeometryError("svg_map: the GeoDataFrame has no CRS; expected one (e.g. EPSG:2154)")
    data = frame.to_crs(S.LAMBERT93)
    empty = data.geometry.isna() | data.geometry.is_empty
    if empty.any():
        raise GeometryError(f"svg_map: rows {list(data.index[empty][:10])} have no geometry")
    geoms = _simplified(data.geometry, simplify)
    proj = _Projector(data.total_bounds, width, pad=max(width / 100, 2.0))
    if column is not None:
        values = pd.to_numeric(data[column], errors="coerce").to_numpy(float)
        fills = colour_scale(values, lo, hi)
    else:
        values = np.full(len(data), np.nan)
        fills = ["#dfe7f2"] * len(data)
    tips = (tooltips.reindex(data.index) if tooltips is not None
            else pd.Series(data.index.astype(str), index=data.index))
    extra = (classes.reindex(data.index).fillna("") if classes is not None
             else pd.Series("", index=data.index))
    shapes = []
    for key, geom, fill, value, tip, cls in zip(data.index, geoms, fills, values, tips, extra,
                                                strict=True):
        val = "" if not math.isfinite(value) else f' data-value="{value:.6g}"'
        text = _attr("" if tip is None or (isinstance(tip, float) and math.isnan(tip)) else tip)
        name = _attr(f"shape {cls}".strip())
        shapes.append(f'<path class="{name}" data-id="{_attr(key)}"{val} fill="{fill}" '
                      f'd="{proj.path(geom)}"><title>{text}</title></path>')
    parts = [f'<g class="shapes" stroke="#ffffff" stroke-width="0.4">{"".join(shapes)}</g>']
    if group is not None:
        dissolved = dissolve_groups(data, group, close=max(simplify, 1.0))
        lines = dissolved.geometry.simplify(simplify)
        borders = "".join(f'<path d="{proj.path(g.boundary)}"/>' for g in lines)
        parts.append(f'<g class="borders" fill="none" stroke="#333333" stroke-width="1.2" '
                     f'stroke-linejoin="round" pointer-events="none">{borders}</g>')
        size = max(width / 70, 8.0)
        labels = []
        for key, geom in zip(dissolved.index, dissolved.geometry, strict=True):
            (x, y), = proj.xy(np.array([geom.representative_point().coords[0]]))
            text = (group_labels or {}).get(key, key)
            labels.append(f'<text x="{x:.1f}" y="{y:.1f}">{_attr(text)}</text>')
        parts.append(f'<g class="labels" font-family="sans-serif" font-size="{size:.1f}" '
                     'font-weight="bold" text-anchor="middle" dominant-baseline="middle" '
                     'fill="#222222" stroke="#ffffff" stroke-width="2.5" paint-order="stroke" '
                     f'pointer-events="none">{"".join(labels)}</g>')
    if points is not None and len(points):
        pts = proj.xy(shapely.get_coordinates(points.to_crs(S.LAMBERT93).geometry.to_numpy()))
        dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{max(width / 400, 1.5):.1f}"/>'
                       for x, y in pts)
        parts.append(f'<g class="points" fill="#08519c" pointer-events="none">{dots}</g>')
    merc, misfit = proj.mercator_affine()
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="swingcast-map" role="img" '
            f'aria-label="{_attr(title)}" viewBox="0 0 {proj.width:.0f} {proj.height:.0f}" '
            f'preserveAspectRatio="xMidYMid meet" '
            f'data-mercator="{" ".join(f"{c:.12g}" for c in merc)}" '
            f'data-mercator-misfit="{misfit:.3g}">{"".join(parts)}</svg>')


def svg_legend(
    lo: float,
    hi: float,
    label: str,
    *,
    ticks: Sequence[str] | None = None,
    width: float = 320.0,
    palette: Sequence[str] = PALETTE,
) -> str:
    """Draw the colour bar of :func:`colour_scale` from ``lo`` to ``hi`` with a label.

    Parameters
    ----------
    lo, hi : float
        Ends of the scale.
    label : str
        What the colour shows, in words (escaped).
    ticks : sequence of str, optional
        Texts of the low, middle and high ticks (default: the numbers, 3 significant digits).
    width : float
        Width in pixels.
    palette : sequence of str
        The palette of :func:`colour_scale`.

    Examples
    --------
    >>> svg = svg_legend(0.0, 0.4, "Net votes per hour")
    >>> svg.count("<stop"), ">0.2</text>" in svg, "Net votes per hour" in svg
    (5, True, True)
    """
    if ticks is None:
        ticks = [f"{v:.3g}" for v in (lo, (lo + hi) / 2, hi)]
    n = len(palette) - 1
    stops = "".join(f'<stop offset="{i / n:.3f}" stop-color="{c}"/>' for i, c in enumerate(palette))
    bar_w = width - 20
    xs = [10 + bar_w * i / (len(ticks) - 1) for i in range(len(ticks))]
    anchors = ["start"] + ["middle"] * (len(ticks) - 2) + ["end"]
    tick_text = "".join(
        f'<line x1="{x:.1f}" x2="{x:.1f}" y1="34" y2="40" stroke="#333"/>'
        f'<text x="{x:.1f}" y="52" text-anchor="{a}">{_attr(t)}</text>'
        for x, t, a in zip(xs, ticks, anchors, strict=True)
    )
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="legend" width="{width:.0f}" '
            f'height="58" viewBox="0 0 {width:.0f} 58" font-family="sans-serif" font-size="11">'
            f'<defs><linearGradient id="swingcast-legend-gradient">{stops}</linearGradient>'
            f'</defs><text x="10" y="12">{_attr(label)}</text>'
            f'<rect x="10" y="18" width="{bar_w:.1f}" height="16" '
            f'fill="url(#swingcast-legend-gradient)" stroke="#999"/>{tick_text}</svg>')
