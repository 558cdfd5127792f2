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

import numpy as np
import shapely

__all__ = ["CONVEX_SINE", "Rings", "available", "rings_of", "convex_clip_areas", "set_threads"]

#: Largest wrong-way turn (sine of the angle) still taken as straight in a convex polygon.
CONVEX_SINE = 1e-10

try:  # pragma: no branch
    import numba
except ImportError:  # pragma: no cover - numba is a dependency; this keeps GEOS as a fallback
    numba = None


def available() -> bool:
    """Tell whether the compiled clipping kernels can be used (numba is importable).

    Examples
    --------
    >>> isinstance(available(), bool)
    True
    """
    return numba is not None


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
    convex = np.zeros(len(geom_start) - 1, dtype=bool)
    ring_area = np.zeros(n_rings)
    if numba is not None and n_rings:
        _ring_bounds(x, y, ring_start, bounds)
        ring_convex = np.empty(n_rings, dtype=np.bool_)
        _ring_convexity(x, y, ring_start, CONVEX_SINE, ring_convex, ring_area)
        bad = (sign < 0) | ~ring_convex
        n_geoms = len(geom_start) - 1
        ring_geom = np.repeat(np.arange(n_geoms), np.diff(geom_start))
        convex = (np.bincount(ring_geom, weights=bad, minlength=n_geoms) == 0) & (
            np.diff(geom_start) > 0)
    return Rings(x, y, ring_start, geom_start, sign, bounds, convex, ring_area)


def set_threads(n: int) -> None:
    """Run the kernels on ``n`` threads (capped at numba's maximum).

    Examples
    --------
    >>> set_threads(1)
    """
    if numba is not None:
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
    _pair_areas(subject.x, subject.y, subject.ring_start, subject.geom_start, subject.sign,
                subject.bounds, clip.x, clip.y, clip.ring_start, clip.geom_start, clip.bounds,
                clip.ring_area,
                np.ascontiguousarray(si, dtype=np.int64), np.ascontiguousarray(ci, dtype=np.int64),
                out)
    return out


# --- kernels -------------------------------------------------------------------------------

if numba is not None:
    _jit = numba.njit(cache=True, nogil=True)

    @_jit
    def _ring_bounds(x, y, ring_start, bounds):  # pragma: no cover - compiled
        for r in range(len(ring_start) - 1):
            a, b = ring_start[r], ring_start[r + 1]
            if b - a < 4:  # an empty ring (empty geometry): a box that meets nothing
                bounds[r, 0] = bounds[r, 1] = np.inf
                bounds[r, 2] = bounds[r, 3] = -np.inf
                continue
            bounds[r, 0] = x[a:b].min()
            bounds[r, 1] = y[a:b].min()
            bounds[r, 2] = x[a:b].max()
            bounds[r, 3] = y[a:b].max()

    @_jit
    def _ring_convexity(x, y, ring_start, tol, out, ring_area):  # pragma: no cover - compiled
        for r in range(len(ring_start) - 1):
            a, b = ring_start[r], ring_start[r + 1] - 1  # last point repeats the first
            n = b - a
            if n < 3:  # empty
                ring_area[r] = 0.0
                out[r] = False
                continue
            x0, y0 = x[a], y[a]
            area2 = 0.0
            for k in range(n):
                k1 = a + (k + 1) % n
                area2 += (x[a + k] - x0) * (y[k1] - y0) - (x[k1] - x0) * (y[a + k] - y0)
            ring_area[r] = 0.5 * area2
            orient = 1.0 if area2 > 0 else -1.0
            ok = n >= 3 and area2 != 0.0
            # walk the edges, skipping zero-length ones, and check every turn
            px, py = 0.0, 0.0
            have = False
            fx, fy = 0.0, 0.0
            for k in range(n + 1):
                if not ok:
                    break
                i0 = a + k % n
                i1 = a + (k + 1) % n
                ex, ey = x[i1] - x[i0], y[i1] - y[i0]
                length = np.sqrt(ex * ex + ey * ey)
                if length == 0.0:
                    continue
                ex /= length
                ey /= length
                if not have:
                    fx, fy = ex, ey
                    have = True
                else:
                    if orient * (px * ey - py * ex) < -tol:
                        ok = False
                px, py = ex, ey
            if ok and have and orient * (px * fy - py * fx) < -tol:
                ok = False
            out[r] = ok

    @_jit
    def _clip_ring(x, y, a, b, cx, cy, c0, c1, ccw, bufx, bufy, tmpx, tmpy):  # pragma: no cover
        """|area| of ring x[a:b] (closed) clipped by the convex ring cx[c0:c1] (closed).

        -1 when the buffers are too small (the caller retries with larger ones)."""
        n = b - a - 1
        size = len(tmpx)
        ox, oy = cx[c0], cy[c0]  # local origin: precision of the cross products
        for k in range(n):
            bufx[k] = x[a + k] - ox
            bufy[k] = y[a + k] - oy
        xmin, ymin, xmax, ymax = bufx[:n].min(), bufy[:n].min(), bufx[:n].max(), bufy[:n].max()
        # the clip ring's box first (four axis-parallel half-planes, exact as the others, as
        # the box contains the convex ring): the subject shrinks to the part that matters
        # and most of the ring's own edges are then skipped by the box test below
        bx0, by0, bx1, by1 = cx[c0:c1].min() - ox, cy[c0:c1].min() - oy, cx[c0:c1].max() - ox, cy[c0:c1].max() - oy
        m = c1 - c0 - 1
        for e in range(-4, m):
            if e == -4:
                ax, ay, ex, ey = bx0, by0, 1.0, 0.0  # y >= by0
            elif e == -3:
                ax, ay, ex, ey = bx1, by0, 0.0, 1.0  # x <= bx1
            elif e == -2:
                ax, ay, ex, ey = bx1, by1, -1.0, 0.0  # y <= by1
            elif e == -1:
                ax, ay, ex, ey = bx0, by1, 0.0, -1.0  # x >= bx0
            else:
                if ccw:
                    i0, i1 = c0 + e, c0 + e + 1
                else:
                    i0, i1 = c1 - 1 - e, c1 - 2 - e
                ax, ay = cx[i0] - ox, cy[i0] - oy
                ex, ey = cx[i1] - ox - ax, cy[i1] - oy - ay
            if ex == 0.0 and ey == 0.0:
                continue
            # the subject's box wholly inside this half-plane: nothing to clip
            d1 = ex * (ymin - ay) - ey * (xmin - ax)
            d2 = ex * (ymin - ay) - ey * (xmax - ax)
            d3 = ex * (ymax - ay) - ey * (xmin - ax)
            d4 = ex * (ymax - ay) - ey * (xmax - ax)
            if d1 >= 0.0 and d2 >= 0.0 and d3 >= 0.0 and d4 >= 0.0:
                continue
            if d1 < 0.0 and d2 < 0.0 and d3 < 0.0 and d4 < 0.0:
                return 0.0
            out = 0
            px, py = bufx[n - 1], bufy[n - 1]
            dp = ex * (py - ay) - ey * (px - ax)
            for k in range(n):
                if out + 2 > size:
                    return -1.0
                qx, qy = bufx[k], bufy[k]
                dq = ex * (qy - ay) - ey * (qx - ax)
                if dq >= 0.0:
                    if dp < 0.0:
                        t = dp / (dp - dq)
                        tmpx[out] = px + t * (qx - px)
                        tmpy[out] = py + t * (qy - py)
                        out += 1
                    tmpx[out] = qx
                    tmpy[out] = qy
                    out += 1
                elif dp >= 0.0:
                    t = dp / (dp - dq)
                    tmpx[out] = px + t * (qx - px)
                    tmpy[out] = py + t * (qy - py)
                    out += 1
                px, py, dp = qx, qy, dq
            if out < 3:
                return 0.0
            n = out
            bufx, tmpx = tmpx, bufx  # the output is the next pass's input
            bufy, tmpy = tmpy, bufy
            xmin, ymin, xmax, ymax = 1e300, 1e300, -1e300, -1e300
            for k in range(n):
                xmin = min(xmin, bufx[k])
                xmax = max(xmax, bufx[k])
                ymin = min(ymin, bufy[k])
                ymax = max(ymax, bufy[k])
        area2 = 0.0
        for k in range(n):
            k1 = k + 1 if k + 1 < n else 0
            area2 += bufx[k] * bufy[k1] - bufx[k1] * bufy[k]
        return abs(area2) * 0.5

    @numba.njit(cache=True, nogil=True, parallel=True)
    def _pair_areas(sx, sy, s_ring, s_geom, s_sign, s_bounds, cx, cy, c_ring, c_geom,
                    c_bounds, c_area, si, ci, out):  # pragma: no cover - compiled
        for k in numba.prange(len(si)):
            g, h = si[k], ci[k]
            total = 0.0
            for q in range(c_geom[h], c_geom[h + 1]):
                c0, c1 = c_ring[q], c_ring[q + 1]
                ccw = c_area[q] > 0.0
                for r in range(s_geom[g], s_geom[g + 1]):
                    if (s_bounds[r, 2] < c_bounds[q, 0] or s_bounds[r, 0] > c_bounds[q, 2]
                            or s_bounds[r, 3] < c_bounds[q, 1] or s_bounds[r, 1] > c_bounds[q, 3]):
                        continue
                    a, b = s_ring[r], s_ring[r + 1]
                    size = 2 * ((b - a) + (c1 - c0)) + 8
                    piece = -1.0
                    while piece < 0.0:
                        bufx = np.empty(size)
                        bufy = np.empty(size)
                        tmpx = np.empty(size)
                        tmpy = np.empty(size)
                        piece = _clip_ring(sx, sy, a, b, cx, cy, c0, c1, ccw,
                                           bufx, bufy, tmpx, tmpy)
                        size *= 4
                    total += s_sign[r] * piece
            out[k] = total
