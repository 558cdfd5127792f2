"""Tests of swingcast.target.svgmap: coordinates computed by hand, escaping, colours, borders."""

from __future__ import annotations

import re

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from swingcast.errors import GeometryError
from swingcast.target.svgmap import NO_DATA, PALETTE, colour_scale, svg_legend, svg_map


@pytest.fixture
def two_squares():
    ids = pd.Index(["75056_101", "75056_102"], name="bureau_id")
    return gpd.GeoDataFrame(
        {"v": [1.0, float("nan")], "arr": ["75101", "75101"]},
        geometry=[box(651000, 6862000, 651100, 6862100), box(651100, 6862000, 651200, 6862100)],
        index=ids, crs="EPSG:2154")


def test_coordinates_by_hand(two_squares):
    # 200 m wide, width 220 units with a pad of 2.2 -> 1.078 units per metre; y flipped
    svg = svg_map(two_squares, width=220, simplify=0)
    scale = (220 - 2 * 2.2) / 200
    d = re.findall(r' d="([^"]+)"', svg)[0]
    pts = [tuple(map(float, p.split(","))) for p in d.strip("MZ").split()]
    expected = {(round(2.2 + x * scale, 1), round(2.2 + (100 - y) * scale, 1))
                for x, y in ((0, 0), (100, 0), (100, 100), (0, 100))}
    assert set(pts) == expected and len(pts) == 4
    assert 'viewBox="0 0 220 112"' in svg  # 100 m * scale + 2 pads = 112.2


def test_values_colours_and_missing(two_squares):
    svg = svg_map(two_squares, column="v")
    fills = re.findall(r'class="shape"[^>]*fill="(#[0-9a-f]{6})"', svg)
    assert fills == [colour_scale([1.0])[0], NO_DATA]
    assert svg.count("data-value=") == 1  # the NaN has none
    assert colour_scale([0, 10], 0, 10) == [PALETTE[0], PALETTE[-1]]


def test_markup_is_escaped(two_squares):
    g = two_squares.set_axis(pd.Index(['<img src=x onerror="alert(1)">', "a&b"],
                                      name="bureau_id"))
    tips = pd.Series(["</title><script>alert(2)</script>", "x"], index=g.index)
    svg = svg_map(g, tooltips=tips, group="arr", group_labels={"75101": "<b>1er</b>"},
                  title='"><script>')
    assert "<script" not in svg and "<img" not in svg and "<b>" not in svg
    assert "&lt;/title&gt;&lt;script&gt;alert(2)" in svg
    assert 'data-id="&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"' in svg
    assert "&lt;b&gt;1er&lt;/b&gt;" in svg


def test_borders_labels_points(two_squares):
    places = gpd.GeoDataFrame(geometry=[Point(651050, 6862050)], crs="EPSG:2154")
    svg = svg_map(two_squares.to_crs("EPSG:4326"), group="arr", points=places)
    borders = re.search(r'<g class="borders"[^>]*>(.*?)</g>', svg).group(1)
    assert borders.count("<path") == 1  # the two squares are one arrondissement
    assert svg.count("<text") == 1 and svg.count("<circle") == 1


def test_no_crs_is_refused(two_squares):
    with pytest.raises(GeometryError, match="no CRS"):
        svg_map(two_squares.set_crs(None, allow_override=True))


def test_legend_ticks():
    svg = svg_legend(0.1, 0.3, "Net votes <per> hour", ticks=["0,1", "0,2", "0,3"])
    assert re.findall(r">([^<]+)</text>", svg) == ["Net votes &lt;per&gt; hour", "0,1", "0,2", "0,3"]


def test_mercator_affine_puts_corners_back(two_squares):
    from pyproj import Transformer

    svg = svg_map(two_squares, width=220, simplify=0)
    a, b, c, d, e, f = map(float, re.search(r'data-mercator="([^"]+)"', svg).group(1).split())
    d_attr = re.findall(r' d="([^"]+)"', svg)[0]
    drawn = [tuple(map(float, p.split(","))) for p in d_attr.strip("MZ").split()]
    to_merc = Transformer.from_crs("EPSG:2154", "EPSG:3857", always_xy=True)
    corners = [(651000, 6862000), (651100, 6862000), (651100, 6862100), (651000, 6862100)]
    for (x, y) in corners:
        mx, my = to_merc.transform(x, y)
        u, v = a * mx + b * my + c, d * mx + e * my + f
        # the drawn vertex of that corner (the path starts where the polygon does)
        assert min(abs(u - pu) + abs(v - pv) for pu, pv in drawn) < 0.1
    assert float(re.search(r'data-mercator-misfit="([^"]+)"', svg).group(1)) < 0.1
