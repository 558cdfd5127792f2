"""Intersection areas without building the intersection: convex clipping, compiled.

When one polygon of a pair is convex (every part one ring without holes, every turn the same
way), the area of the pair's intersection is exactly the area Sutherland–Hodgman clipping
leaves of the other polygon, whatever that one looks like (non-convex, holes, several parts):
clipping a closed ring by a half-plane keeps its winding number inside the half-plane and
sets it to zero outside (the edges it adds along the line cancel), so after the clip ring's
half-planes the shoelace area of each clipped ring is the area of that ring inside the convex
polygon. Exterior rings count +, holes −; parts of the convex polygon are disjoint, so their
areas add. This is *not* exact when the clipping polygon is not convex (the intersection of
its edges' half-planes is then smaller than the polygon), so non-convex pairs go to the GEOS
overlay (:mod:`swingcast.join.overlay`).

"Convex" allows floating-point noise: a turn the wrong way whose sine is below
:data:`CONVEX_SINE` (segmentized straight edges are collinear only to the last bit). Such a
turn can cut away at most a wedge of ``sine × diameter²``, i.e. less than 1e-10 of a
polygon's area for the sizes of IRIS and bureaux; the tests compare with GEOS to 1e-9.

The kernels are compiled with numba (cached on disk after the first call); without numba,
:func:`available` is False and everything goes to GEOS.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from types import ModuleType

import numpy as np
import shapely

__all__ = ["CONVEX_SINE", "Rings", "any_convex", "available", "rings_of", "convex_clip_areas", "set_threads"]

#: Largest wrong-way turn (sine of the angle) still taken as straight in a convex polygon.
CONVEX_SINE = 1e-10



@cache
def available() -> bool:
    """Tell whether the compiled clipping kernels can be used (numba is installed).

    Examples
    --------
    >>> isinstance(available(), bool)
    True
    """
    return importlib.util.find_spec("numba") is not None


def _k() -> ModuleType:
    """The kernels (numba imported, kernels loaded or compiled, on the first call)."""
    from swingcast.join import _clipkernels

    return _clipkernels


class Rings:
    """A polygon layer as flat arrays: what the compiled kernels read.

    Attributes
    ----------
    x, y : ndarray of float64
        Coordinates, rings closed (last point = first).
    ring_start : ndarray of int64
        Ring ``r`` is ``x[ring_start[r]:ring_start[r + 1]]``.
    geom_start : ndarray of int64
        Geometry ``g`` has rings ``geom_start[g]:geom_start[g + 1]``.
    sign : ndarray of float64
        +1 for exterior rings, -1 for holes.
    bounds : ndarray of float64, shape (n_rings, 4)
        Ring bounding boxes.
    convex : ndarray of bool
        Per geometry: no holes and every ring convex (see :data:`CONVEX_SINE`).
    ring_area : ndarray of float64
        Signed (shoelace) area of each ring: > 0 counter-clockwise.
    area : ndarray of float64
        Per geometry: exterior areas minus hole areas.

    Examples
    --------
    >>> from shapely import box
    >>> r = rings_of(np.array([box(0, 0, 1, 1)]))
    >>> r.geom_start.tolist(), r.convex.tolist()
    ([0, 1], [True])
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, ring_start: np.ndarray,
                 geom_start: np.ndarray, sign: np.ndarray, bounds: np.ndarray,
                 convex: np.ndarray, ring_area: np.ndarray) -> None:
        self.x, self.y, self.ring_start, self.geom_start = x, y, ring_start, geom_start
        self.sign, self.bounds, self.convex, self.ring_area = sign, bounds, convex, ring_area
        n_geoms = len(geom_start) - 1
        self.ring_geom = np.repeat(np.arange(n_geoms), np.diff(geom_start))
        self.area = np.bincount(self.ring_geom, weights=sign * np.abs(ring_area),
                                minlength=n_geoms)


def rings_of(geoms: np.ndarray) -> Rings:
    """Flatten an array of (Multi)Polygons for the kernels.

    Parameters
    ----------
    geoms : array of shapely Polygon/MultiPolygon
        Non-empty, valid.

    Returns
    -------
    Rings

    Examples
    --------
    >>> from shapely import Polygon, box
    >>> ring = [(0, 0), (4, 0), (4, 4), (0, 4)]
    >>> r = rings_of(np.array([Polygon(ring, [[(1, 1), (2, 1), (2, 2)]]), box(0, 0, 1, 1)]))
    >>> r.sign.tolist(), r.convex.tolist()
    ([1.0, -1.0, 1.0], [False, True])
    """
    geoms = np.asarray(geoms, dtype=object)
    if (shapely.get_type_id(geoms) == 3).all() and not shapely.get_num_interior_rings(geoms).any():
        # plain polygons (the common case): one ring each, no need for the ragged layout
        coords = shapely.get_coordinates(geoms)
        ring_start = np.zeros(len(geoms) + 1, dtype=np.int64)
        np.cumsum(shapely.get_num_coordinates(geoms), out=ring_start[1:])
        poly_start = geom_start = np.arange(len(geoms) + 1, dtype=np.int64)
    else:
        _, coords, offsets = shapely.to_ragged_array(geoms)
        ring_start = np.asarray(offsets[0], dtype=np.int64)
        poly_start = np.asarray(offsets[1], dtype=np.int64)
        if len(offsets) == 3:  # MultiPolygons (Polygons promoted): geometry > polygons > rings
            geom_start = poly_start[np.asarray(offsets[2], dtype=np.int64)]
        else:  # Polygons only
            geom_start = poly_start
    n_rings = len(ring_start) - 1
    sign = -np.ones(n_rings)
    sign[poly_start[:-1]] = 1.0  # the first ring of each polygon is its exterior
    x, y = coords[:, 0], coords[:, 1]  # views: the kernels read strided arrays
    bounds = np.empty((n_rings, 4))
    ring_convex = np.zeros(n_rings, dtype=np.bool_)
    ring_area = np.zeros(n_rings)
    if n_rings and available():
        _k().ring_bounds(x, y, ring_start, bounds)
        _k().ring_convexity(x, y, ring_start, CONVEX_SINE, ring_convex, ring_area)
    elif n_rings:
        bounds, ring_convex, ring_area = _ring_shapes(x, y, ring_start)
    bad = (sign < 0) | ~ring_convex
    n_geoms = len(geom_start) - 1
    ring_geom = np.repeat(np.arange(n_geoms), np.diff(geom_start))
    convex = (np.bincount(ring_geom, weights=bad, minlength=n_geoms) == 0) & (
        np.diff(geom_start) > 0)
    return Rings(x, y, ring_start, geom_start, sign, bounds, convex, ring_area)


def any_convex(geoms: np.ndarray, sample: int = 256) -> bool:
    """Tell whether a layer seems to hold convex polygons, from an even sample of them.

    Decides whether the kernels are worth loading: numba is not imported for layers where
    none of ``sample`` polygons taken at even intervals is convex (real IRIS and bureaux).
    A layer whose few convex polygons the sample misses is measured by GEOS: exact too.

    Parameters
    ----------
    geoms : array of shapely Polygon/MultiPolygon
    sample : int
        Polygons looked at.

    Returns
    -------
    bool

    Examples
    --------
    >>> from shapely import Point, box
    >>> any_convex(np.array([box(0, 0, 1, 1)])), any_convex(np.array([
    ...     Point(0, 0).buffer(1).difference(box(0, 0, 2, 2))]))
    (True, False)
    """
    geoms = np.asarray(geoms, dtype=object)
    if not len(geoms):
        return False
    picked = geoms[np.unique(np.linspace(0, len(geoms) - 1, min(sample, len(geoms))).astype(int))]
    picked = picked[(shapely.get_type_id(picked) == 3) & (shapely.get_num_interior_rings(picked) == 0)]
    if not len(picked):
        return False
    ring_start = np.zeros(len(picked) + 1, dtype=np.int64)
    np.cumsum(shapely.get_num_coordinates(picked), out=ring_start[1:])
    coords = shapely.get_coordinates(picked)
    return bool(_ring_shapes(coords[:, 0], coords[:, 1], ring_start)[1].any())


def _ring_shapes(x: np.ndarray, y: np.ndarray,
                 ring_start: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bounding box, convexity and signed area of each closed ring (numpy, no numba).

    The same figures as the compiled ``ring_bounds`` and ``ring_convexity`` (tested), for
    :func:`any_convex`, which must not import numba.

    A ring is convex when, zero-length edges left out, every turn goes the way of its
    orientation, up to :data:`CONVEX_SINE`; an empty ring is not convex, and its box meets
    nothing.
    """
    n_rings = len(ring_start) - 1
    counts = np.diff(ring_start)
    ring_of = np.repeat(np.arange(n_rings), counts)
    bounds = np.empty((n_rings, 4))
    bounds[:, :2], bounds[:, 2:] = np.inf, -np.inf
    full = counts > 0
    if full.any():
        starts = ring_start[:-1][full]
        for col, (values, fn) in enumerate([(x, np.minimum), (y, np.minimum),
                                            (x, np.maximum), (y, np.maximum)]):
            bounds[full, col] = fn.reduceat(values, starts)
    # edges k -> k+1 inside a ring (not from one ring's last point to the next ring's first)
    k = np.flatnonzero(ring_of[:-1] == ring_of[1:]) if len(x) > 1 else np.empty(0, int)
    ring_k = ring_of[k]
    first = ring_start[:-1][ring_k]  # local origin of each ring: precision of the products
    x0, y0 = x[k] - x[first], y[k] - y[first]
    x1, y1 = x[k + 1] - x[first], y[k + 1] - y[first]
    ring_area = 0.5 * np.bincount(ring_k, weights=x0 * y1 - x1 * y0, minlength=n_rings)
    ex, ey = x1 - x0, y1 - y0
    length = np.hypot(ex, ey)
    keep = length > 0
    ring_k, ex, ey, length = ring_k[keep], ex[keep], ey[keep], length[keep]
    ux, uy = ex / length, ey / length
    # each edge's successor in its ring, the last one's being the ring's first
    nxt = np.arange(1, len(ring_k) + 1)
    last = np.ones(len(ring_k), dtype=bool)
    last[:-1] = ring_k[:-1] != ring_k[1:]
    firsts = np.flatnonzero(np.r_[True, ring_k[1:] != ring_k[:-1]]) if len(ring_k) else nxt[:0]
    nxt[last] = firsts
    turn = ux * uy[nxt] - uy * ux[nxt]
    orient = np.sign(ring_area)[ring_k]
    wrong = np.bincount(ring_k, weights=orient * turn < -CONVEX_SINE, minlength=n_rings)
    edges = np.bincount(ring_k, minlength=n_rings)
    ring_convex = (wrong == 0) & (edges >= 3) & (ring_area != 0)
    return bounds, ring_convex, ring_area


def set_threads(n: int) -> None:
    """Run the kernels on ``n`` threads (capped at numba's maximum).

    Examples
    --------
    >>> set_threads(1)
    """
    if available():
        import numba

        numba.set_num_threads(max(1, min(int(n), numba.config.NUMBA_NUM_THREADS)))


def convex_clip_areas(subject: Rings, clip: Rings, si: np.ndarray, ci: np.ndarray) -> np.ndarray:
    """Area of ``subject[si[k]] ∩ clip[ci[k]]`` for each k, each ``clip[ci[k]]`` convex.

    Parameters
    ----------
    subject, clip : Rings
        The two layers (:func:`rings_of`).
    si, ci : ndarray of int64
        Pairs; every ``clip.convex[ci]`` must be True.

    Returns
    -------
    ndarray of float64

    Examples
    --------
    A unit square against a triangle covering its lower-left half, and an L-shaped polygon
    (not convex: the subject) against a square straddling its notch:

    >>> from shapely import Polygon, box
    >>> subject = rings_of(np.array([box(0, 0, 1, 1),
    ...     Polygon([(0, 0), (2, 0), (2, 1), (1, 1), (1, 2), (0, 2)])]))
    >>> clip = rings_of(np.array([Polygon([(0, 0), (1, 0), (0, 1)]), box(0.5, 0.5, 1.5, 1.5)]))
    >>> convex_clip_areas(subject, clip, np.array([0, 1]), np.array([0, 1])).round(12).tolist()
    [0.5, 0.75]
    """
    if not np.all(clip.convex[ci]):
        raise ValueError("convex_clip_areas: every clipping polygon must be convex")
    out = np.empty(len(si))
    _k().pair_areas(subject.x, subject.y, subject.ring_start, subject.geom_start, subject.sign,
                subject.bounds, clip.x, clip.y, clip.ring_start, clip.geom_start, clip.bounds,
                clip.ring_area,
                np.ascontiguousarray(si, dtype=np.int64), np.ascontiguousarray(ci, dtype=np.int64),
                out)
    return out
