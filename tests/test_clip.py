"""The convex-clipping kernel against the GEOS overlay: same areas to 1e-9 of the polygons.

Every expected figure is GEOS's ``area(intersection(a, b))`` (an independent implementation),
or a hand count on polygons drawn by hand.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely import MultiPolygon, Point, Polygon, box

from swingcast.join import clip, overlay
from swingcast.join.synthmap import synthetic_map, voronoi_tessellations

pytestmark = pytest.mark.skipif(not clip.available(), reason="numba not installed")

TOL = 1e-9


@pytest.fixture(autouse=True)
def _kernel_even_for_small_layers(monkeypatch):
    monkeypatch.setattr(overlay, "KERNEL_MIN_PAIRS", 0)


def _geos(a: np.ndarray, b: np.ndarray, li: np.ndarray, ri: np.ndarray) -> np.ndarray:
    return shapely.area(shapely.intersection(a[li], b[ri]))


def _both_ways(a: np.ndarray, b: np.ndarray, scale: np.ndarray | None = None) -> tuple:
    """Overlay pairs with the kernel on and off; return both and the largest relative gap."""
    overlay.CONVEX_KERNEL = True
    on = overlay.intersection_areas(a, b, n_jobs=1)
    overlay.CONVEX_KERNEL = False
    try:
        off = overlay.intersection_areas(a, b, n_jobs=1)
    finally:
        overlay.CONVEX_KERNEL = True
    return on, off


def _same_pairs_and_weights(a: np.ndarray, b: np.ndarray) -> float:
    on, off = _both_ways(a, b)
    keys_on = set(zip(on.left.tolist(), on.right.tolist(), strict=True))
    keys_off = set(zip(off.left.tolist(), off.right.tolist(), strict=True))
    area_a = shapely.area(a)
    gap_on = {k: v for k, v in zip(zip(on.left.tolist(), on.right.tolist(), strict=True),
                                   on.area, strict=True)}
    gap_off = {k: v for k, v in zip(zip(off.left.tolist(), off.right.tolist(), strict=True),
                                    off.area, strict=True)}
    worst = 0.0
    for k in keys_on | keys_off:
        worst = max(worst, abs(gap_on.get(k, 0.0) - gap_off.get(k, 0.0)) / area_a[k[0]])
    # a pair only one engine keeps can only be a floating-point sliver
    assert worst < TOL
    return worst


def test_hand_drawn_pairs():
    square = box(0, 0, 2, 2)
    ring = Polygon([(0, 0), (6, 0), (6, 6), (0, 6)], [[(2, 2), (4, 2), (4, 4), (2, 4)]])
    l_shape = Polygon([(0, 0), (4, 0), (4, 2), (2, 2), (2, 4), (0, 4)])
    two = MultiPolygon([box(0, 0, 1, 1), box(3, 3, 4, 4)])
    subject = clip.rings_of(np.array([ring, l_shape, two, square]))
    clips = clip.rings_of(np.array([box(1, 1, 5, 5), box(1, 1, 3, 3),
                                    MultiPolygon([box(0, 0, 0.5, 0.5), box(3.5, 3.5, 9, 9)])]))
    assert clips.convex.tolist() == [True, True, True]
    got = clip.convex_clip_areas(subject, clips, np.array([0, 1, 2, 0, 3]),
                                 np.array([0, 1, 2, 2, 0]))
    # ring ∩ [1,5]²: 16 - the 2×2 hole = 12; L ∩ [1,3]²: 4 - the missing corner [2,3]² = 3;
    # two unit squares ∩ (a quarter square, a quarter square): 0.25 + 0.25;
    # the ring against that clip: 0.25 + ([3.5,6]² = 6.25, less the hole's [3.5,4]² = 0.25);
    # the square ∩ [1,5]²: 1
    assert got.tolist() == pytest.approx([12.0, 3.0, 0.5, 6.25, 1.0], abs=1e-12)


def test_convexity_is_recognised_with_rounding_noise_only():
    square_with_midpoints = shapely.segmentize(box(0, 0, 1000, 1000), 7.3)
    dented = Polygon([(0, 0), (500, 1e-3), (1000, 0), (1000, 1000), (0, 1000)])  # 2e-6 turn
    star = Point(0, 0).buffer(10, 8).union(box(-20, -1, 20, 1))
    holed = Polygon(box(0, 0, 4, 4).exterior.coords, [box(1, 1, 2, 2).exterior.coords])
    clockwise = Polygon([(0, 0), (0, 1), (1, 1), (1, 0)])
    rings = clip.rings_of(np.array([square_with_midpoints, dented, star, holed, clockwise,
                                    shapely.segmentize(Point(5e5, 6.5e6).buffer(3000, 64), 90)]))
    assert rings.convex.tolist() == [True, False, False, False, True, True]


def test_voronoi_tessellations_kernel_equals_geos():
    src, tgt = voronoi_tessellations(0.003, seed=11)
    a, b = src.geometry.to_numpy(), tgt.geometry.to_numpy()
    assert clip.rings_of(a).convex.all() and clip.rings_of(b).convex.all()
    _same_pairs_and_weights(a, b)


def test_non_convex_holes_and_multipolygons_against_convex_cells():
    m = synthetic_map(0.003, seed=4)
    iris = m.iris.geometry.to_numpy()  # warped: non-convex, some multipolygons
    rng = np.random.default_rng(3)
    # holes: punch a disc out of some IRIS; multipolygons: some IRIS merged with a far one
    holed = []
    for g in iris[:40]:
        c = g.representative_point()
        hole = c.buffer(0.2 * np.sqrt(g.area / np.pi), 12)
        holed.append(g.difference(hole) if g.contains(hole) else g)
    multi = [shapely.union_all([iris[i], iris[-1 - i]]) for i in range(10)]
    subjects = np.array(holed + multi + list(iris[40:]), dtype=object)
    assert (shapely.get_num_interior_rings(subjects) > 0).sum() >= 20
    assert (shapely.get_type_id(subjects) == 6).sum() >= 10
    assert clip.rings_of(subjects).convex.mean() < 0.2  # (cells at the untouched edge are)
    x0, y0, x1, y1 = m.extent.bounds
    cells = shapely.get_parts(shapely.voronoi_polygons(
        shapely.multipoints(rng.uniform((x0, y0), (x1, y1), (300, 2))), extend_to=m.extent))
    cells = shapely.segmentize(shapely.intersection(cells, m.extent), 110.0)
    assert clip.rings_of(cells).convex.all()
    _same_pairs_and_weights(subjects, cells)
    _same_pairs_and_weights(cells, subjects)  # convex on the left side too


def test_slivers_and_shared_edges():
    # thin rotated rectangles across a grid, and clips that share an edge with a subject
    grid = np.array([box(x, y, x + 10, y + 10) for x in range(0, 50, 10) for y in range(0, 50, 10)])
    slivers = np.array([shapely.affinity.rotate(box(0, 25 - w, 50, 25 + w), angle, origin=(25, 25))
                        for w, angle in [(1e-3, 0.0), (1e-4, 13.0), (1e-2, 45.0), (5e-4, 89.9)]])
    _same_pairs_and_weights(slivers, grid)
    _same_pairs_and_weights(grid, slivers)
    # neighbours that only touch: no pair, not a rounding-noise pair
    touching = overlay.intersection_areas(grid, grid[[0]], n_jobs=1)
    assert touching.left.tolist() == [0] and touching.area.tolist() == [100.0]


def test_multipolygon_clip_with_lambert_coordinates():
    x0, y0 = 652_000.0, 6_862_000.0
    parts = MultiPolygon([shapely.segmentize(box(x0, y0, x0 + 900, y0 + 700), 100),
                          shapely.segmentize(box(x0 + 1500, y0, x0 + 2000, y0 + 400), 100)])
    wiggly = shapely.affinity.translate(Point(0, 0).buffer(800, 32), x0 + 1000, y0 + 300)
    wiggly = wiggly.difference(Point(x0 + 1000, y0 + 300).buffer(200, 16))
    a, b = np.array([wiggly]), np.array([parts])
    assert clip.rings_of(b).convex.all()
    got = clip.convex_clip_areas(clip.rings_of(a), clip.rings_of(b), np.array([0]), np.array([0]))
    assert got[0] == pytest.approx(_geos(a, b, np.array([0]), np.array([0]))[0], rel=1e-12)


@pytest.mark.shared
def test_real_layers_kernel_equals_geos(shared_dir):
    from swingcast.load.geometry import read_bureaux, read_iris

    iris = read_iris(shared_dir / "ile-de-france/contours/map_iris.shp")
    iris = iris[iris["commune_code"].str.startswith("920")]
    grid = gpd.read_file(shared_dir / "hauts-de-seine-13/grid/carreaux.gpkg").to_crs(iris.crs)
    cells = grid.geometry.to_numpy()
    assert clip.rings_of(cells).convex.all()  # the INSEE 200 m squares
    _same_pairs_and_weights(iris.geometry.to_numpy(), cells)
    paris_iris = read_iris(shared_dir / "paris/contours/iris-paris-2013.gpkg")
    bv = read_bureaux(shared_dir / "paris/contours/secteurs-des-bureaux-de-vote-paris-2017.geojson")
    bv = bv.to_crs(paris_iris.crs)
    a, b = paris_iris.geometry.to_numpy(), bv.geometry.to_numpy()
    # real contours: the few convex ones go through the kernel, the rest through GEOS
    convex = clip.rings_of(a).convex.sum() + clip.rings_of(b).convex.sum()
    assert convex > 0
    _same_pairs_and_weights(a, b)


def test_numpy_and_compiled_ring_shapes_agree():
    from swingcast.join import _clipkernels as kernels

    m = synthetic_map(0.003, seed=4)
    src, _ = voronoi_tessellations(0.002, seed=1)
    odd = np.array([box(0, 0, 1, 1), Polygon(), MultiPolygon([box(0, 0, 1, 1), box(2, 2, 3, 3)]),
                    Polygon(box(0, 0, 4, 4).exterior.coords, [box(1, 1, 2, 2).exterior.coords]),
                    Polygon([(0, 0), (0, 0), (1, 0), (1, 1), (1, 1), (0, 1), (0, 0)]),
                    Polygon([(0, 0), (500, 1e-3), (1000, 0), (1000, 1000), (0, 1000)])],
                   dtype=object)
    for geoms in (m.iris.geometry.to_numpy(), src.geometry.to_numpy(), odd):
        r = clip.rings_of(geoms)
        n = len(r.ring_start) - 1
        bounds, convex, area = np.empty((n, 4)), np.empty(n, dtype=np.bool_), np.zeros(n)
        kernels.ring_bounds(r.x, r.y, r.ring_start, bounds)
        kernels.ring_convexity(r.x, r.y, r.ring_start, clip.CONVEX_SINE, convex, area)
        nb, nc, na = clip._ring_shapes(r.x, r.y, r.ring_start)
        assert np.array_equal(nb, bounds) and np.array_equal(nc, convex)
        assert np.allclose(na, area, rtol=1e-12, atol=0)
    assert clip.rings_of(odd).convex.tolist() == [True, False, True, False, True, False]
    assert clip.any_convex(src.geometry.to_numpy())
    assert not clip.any_convex(m.iris.geometry.to_numpy()[m.iris.area.to_numpy() > 0][5:6])
