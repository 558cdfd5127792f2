"""Areas (and optionally shapes) of the pairwise intersections of two polygon layers.

This is the geometric engine behind :func:`swingcast.join.crosswalk.crosswalk`. Given two arrays of
polygons it returns, for every pair whose interiors overlap, the two positions and the area
of the intersection. It is written for national layers (tens of thousands of polygons with
about a hundred vertices each):

1. candidate pairs come from one bulk ``STRtree.query`` on bounding boxes;
2. pairs whose group keys differ (e.g. two different communes) are dropped before any
   geometry is computed;
3. in overlays of at least :data:`KERNEL_MIN_PAIRS` candidate pairs, pairs where one
   polygon is convex (every part one ring without holes) are measured by exact convex
   clipping, compiled (:mod:`swingcast.join.clip`; about 4× cheaper than the overlay); no
   intersection geometry is built;
4. the other pairs: a prepared ``intersects``; identical polygons, or one strictly inside
   the other, need no overlay: the area is the smaller polygon's area (``equals_exact`` and a
   prepared ``contains_properly`` are far cheaper than an intersection);
5. the remaining pairs go through a vectorised ``shapely.intersection``, in chunks to bound
   memory, spread over worker processes (by default one per available core, see
   :mod:`swingcast._jobs`; each worker runs BLAS/OpenMP on one thread).
"""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass

import numpy as np
import shapely

from swingcast._jobs import resolve_n_jobs, single_threaded
from swingcast.join import clip

__all__ = ["Pairs", "intersection_areas"]

#: Pairs processed per vectorised call (bounds the memory of intermediate geometries).
CHUNK = 20_000

#: Fewer pairs than this are intersected in this process (forking costs more than it saves).
PARALLEL_MIN_PAIRS = 4_000

#: Measure pairs with a convex side by exact convex clipping (:mod:`swingcast.join.clip`,
#: compiled) instead of the GEOS overlay; set False to measure without it.
CONVEX_KERNEL = True
#: ... for overlays of at least this many candidate pairs: below, GEOS takes less time than
#: importing numba and loading (or, once per install, compiling) the kernels.
KERNEL_MIN_PAIRS = 20_000
#: A clipped area below this share of the smaller polygon of its pair is rounding noise
#: (pairs that only touch): 0. The shoelace sum's own rounding is about 1e-14 of it.
KERNEL_NOISE = 1e-12

#: Skip the overlay for coordinate-identical pairs (exact; set False to measure without it).
IDENTICAL_SHORTCUT = True

# Geometries shared with forked worker processes (set just before the pool starts).
_SHARED: dict[str, np.ndarray] = {}


@dataclass(frozen=True)
class Pairs:
    """Overlapping pairs of two polygon layers.

    Attributes
    ----------
    left, right : numpy.ndarray of int64
        Positions in the left and right arrays.
    area : numpy.ndarray of float64
        Area of each intersection (in the squared unit of the CRS).
    geometry : numpy.ndarray of shapely geometries, or None
        The intersections themselves, when asked for.

    Examples
    --------
    >>> p = Pairs(np.array([0]), np.array([2]), np.array([0.5]))
    >>> len(p), p.right.tolist()
    (1, [2])
    """

    left: np.ndarray
    right: np.ndarray
    area: np.ndarray
    geometry: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.left)


def _box_pairs(
    left: np.ndarray,
    right: np.ndarray,
    left_keys: np.ndarray | None,
    right_keys: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs whose bounding boxes meet (and keys agree), sorted by left then right."""
    li, ri = shapely.STRtree(right).query(left)
    if left_keys is not None and right_keys is not None:
        # the key filter is far cheaper than an exact predicate
        same = np.asarray(left_keys)[li] == np.asarray(right_keys)[ri]
        li, ri = li[same], ri[same]
    order = np.lexsort((ri, li))
    return li[order].astype(np.int64), ri[order].astype(np.int64)


def _touching(left: np.ndarray, right: np.ndarray, li: np.ndarray, ri: np.ndarray) -> np.ndarray:
    """Which pairs really intersect (prepared left geometries)."""
    shapely.prepare(left)
    return shapely.intersects(left[li], right[ri])


def _chunk_areas(
    left: np.ndarray,
    right: np.ndarray,
    li: np.ndarray,
    ri: np.ndarray,
    with_geometry: bool,
) -> tuple[np.ndarray, np.ndarray | None]:
    a, b = left[li], right[ri]
    area = np.empty(len(li), dtype=np.float64)
    geoms = np.empty(len(li), dtype=object) if with_geometry else None
    # a strictly inside b (or b inside a): the intersection is the smaller one. The prepared
    # contains_properly test is cheap; `covers` is not (boundaries that touch, as in nested
    # tessellations, send it to a full relate that costs as much as the overlay itself).
    # Identical polygons (a commune that is one IRIS and one bureau, drawn from the same
    # contour; a bureau unchanged between two maps) are the overlay's worst case, as every
    # edge overlaps: compare coordinates instead.
    if IDENTICAL_SHORTCUT:
        same = shapely.equals_exact(a, b, tolerance=0.0)
    else:
        same = np.zeros(len(li), dtype=bool)
    a_holds = same | shapely.contains_properly(a, b)
    b_holds = ~a_holds & shapely.contains_properly(b, a)
    rest = ~(a_holds | b_holds)
    area[a_holds] = shapely.area(b[a_holds])  # only the nested pairs' areas are needed
    area[b_holds] = shapely.area(a[b_holds])
    inter = shapely.intersection(a[rest], b[rest])
    area[rest] = shapely.area(inter)
    if geoms is not None:
        geoms[a_holds] = b[a_holds]
        geoms[b_holds] = a[b_holds]
        geoms[rest] = inter
    return area, geoms


def _worker(bounds: tuple[int, int]) -> np.ndarray:
    start, stop = bounds
    li = _SHARED["li"][start:stop]
    ri = _SHARED["ri"][start:stop]
    area, _ = _chunk_areas(_SHARED["left"], _SHARED["right"], li, ri, False)
    return area


def intersection_areas(
    left: np.ndarray,
    right: np.ndarray,
    *,
    left_keys: np.ndarray | None = None,
    right_keys: np.ndarray | None = None,
    with_geometry: bool = False,
    n_jobs: int | None = None,
    chunk: int = CHUNK,
) -> Pairs:
    """Intersect every overlapping pair of two polygon arrays.

    Parameters
    ----------
    left, right : array of shapely Polygon/MultiPolygon
        The two layers, in the same projected CRS.
    left_keys, right_keys : array, optional
        Group keys (e.g. commune codes); only pairs with equal keys are intersected.
    with_geometry : bool
        Also return the intersection geometries (uses more memory; single process).
    n_jobs : int, optional
        Worker processes (forked). Default: ``$SWINGCAST_N_JOBS``, else the available
        cores; 1 = in this process; -1 = all cores (see :func:`swingcast._jobs.resolve_n_jobs`).
        Fewer than :data:`PARALLEL_MIN_PAIRS` pairs are always done in this process.
    chunk : int
        Pairs per vectorised call.

    Returns
    -------
    Pairs
        Pairs with a positive intersection area, sorted by ``left`` then ``right``.

    Examples
    --------
    Two unit squares side by side against one rectangle straddling them:

    >>> from shapely import box
    >>> left = np.array([box(0, 0, 1, 1), box(1, 0, 2, 1)])
    >>> right = np.array([box(0.5, 0, 1.5, 1)])
    >>> p = intersection_areas(left, right)
    >>> p.left.tolist(), p.right.tolist(), p.area.tolist()
    ([0, 1], [0, 0], [0.5, 0.5])
    """
    left = np.asarray(left, dtype=object)
    right = np.asarray(right, dtype=object)
    n_jobs = resolve_n_jobs(n_jobs)
    li, ri = _box_pairs(left, right, left_keys, right_keys)
    if (not with_geometry and CONVEX_KERNEL and len(li) >= KERNEL_MIN_PAIRS
            and clip.available() and (clip.any_convex(left) or clip.any_convex(right))):
        return _kernel_areas(left, right, li, ri, n_jobs, chunk)
    hit = _touching(left, right, li, ri)
    li, ri = li[hit], ri[hit]
    area, geoms = _geos_areas(left, right, li, ri, n_jobs, chunk, with_geometry)
    keep = area > 0
    return Pairs(
        left=li[keep],
        right=ri[keep],
        area=area[keep],
        geometry=None if geoms is None else geoms[keep],
    )


def _geos_areas(
    left: np.ndarray,
    right: np.ndarray,
    li: np.ndarray,
    ri: np.ndarray,
    n_jobs: int,
    chunk: int,
    with_geometry: bool,
) -> tuple[np.ndarray, np.ndarray | None]:
    """GEOS overlay of the given pairs, in chunks, over ``n_jobs`` forked processes."""
    shapely.prepare(left)
    shapely.prepare(right)
    if len(li) < PARALLEL_MIN_PAIRS:
        n_jobs = 1
    if n_jobs > 1:  # smaller chunks balance the workers (pair costs vary a lot)
        chunk = min(chunk, max(1_000, -(-len(li) // (8 * n_jobs))))
    bounds = [(s, min(s + chunk, len(li))) for s in range(0, len(li), chunk)]
    if not (with_geometry or n_jobs == 1 or len(bounds) <= 1):
        try:
            ctx = multiprocessing.get_context("fork")
        except ValueError:  # no fork on this platform: stay in this process
            ctx = None
        if ctx is not None:
            _SHARED.update(left=left, right=right, li=li, ri=ri)
            try:
                with ctx.Pool(n_jobs, initializer=single_threaded) as pool:
                    return np.concatenate(pool.map(_worker, bounds)), None
            finally:
                _SHARED.clear()
    areas, parts = [], []
    for start, stop in bounds:
        area, geom = _chunk_areas(left, right, li[start:stop], ri[start:stop], with_geometry)
        areas.append(area)
        if geom is not None:
            parts.append(geom)
    area = np.concatenate(areas) if areas else np.empty(0)
    geoms = None
    if with_geometry:
        geoms = np.concatenate(parts) if parts else np.empty(0, dtype=object)
    return area, geoms


def _kernel_areas(
    left: np.ndarray,
    right: np.ndarray,
    li: np.ndarray,
    ri: np.ndarray,
    n_jobs: int,
    chunk: int,
) -> Pairs:
    """Pairs with a convex side by the compiled clipping kernel, the others by GEOS."""
    rl, rr = clip.rings_of(left), clip.rings_of(right)
    area = np.zeros(len(li))
    by_right = rr.convex[ri]
    by_left = ~by_right & rl.convex[li]
    clip.set_threads(n_jobs)
    area[by_right] = clip.convex_clip_areas(rl, rr, li[by_right], ri[by_right])
    area[by_left] = clip.convex_clip_areas(rr, rl, ri[by_left], li[by_left])
    # rounding noise of pairs that only touch (or whose boxes only meet) is no overlap
    kernel = by_right | by_left
    smaller = np.minimum(rl.area[li[kernel]], rr.area[ri[kernel]])
    area[kernel] = np.where(area[kernel] > KERNEL_NOISE * smaller, area[kernel], 0.0)
    rest = np.flatnonzero(~kernel)
    if len(rest):
        rest = rest[_touching(left, right, li[rest], ri[rest])]
        area[rest] = _geos_areas(left, right, li[rest], ri[rest], n_jobs, chunk, False)[0]
    keep = area > 0
    return Pairs(left=li[keep], right=ri[keep], area=area[keep])
