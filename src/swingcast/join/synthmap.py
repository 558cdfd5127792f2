"""Seeded synthetic maps: communes, IRIS-like and bureau-like tessellations, up to all France.

Used by the tests and benchmarks of the crosswalk, where the real national contours are not
available. The map imitates the structure that matters for a crosswalk:

* communes tile a square extent (Voronoi cells of seeds clustered around "cities", so urban
  communes are small and populous, rural ones large and sparse);
* IRIS and bureaux both nest in communes: a commune under 5,000 inhabitants is one IRIS
  (type Z) and has one or a few bureaux; larger communes are cut into several IRIS (type H)
  and many bureaux, by independent Voronoi cuttings;
* boundaries are wiggly: every polygon is densified and pushed through one smooth,
  injective displacement field (a few sine waves, tapered to zero at the extent's edge), so
  polygons have about a hundred vertices each, share their boundaries exactly (to floating
  point) and still tile the extent with no gap or overlap.

At ``scale=1`` there are about 35,000 communes, 49,000 IRIS and 69,000 bureaux on a
741 km × 741 km square (the area of metropolitan France) in Lambert-93 coordinates.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from swingcast import schema

__all__ = ["SyntheticMap", "synthetic_map", "voronoi_tessellations"]

#: Counts of the real national layers, matched by ``scale=1``.
N_COMMUNES = 35_000
N_IRIS = 49_000
N_BUREAUX = 69_000
#: Side of the square extent at ``scale=1`` (sqrt of 550,000 km²), metres.
SIDE = 741_000.0
ORIGIN = (100_000.0, 6_100_000.0)
#: Communes from this population are split into IRIS (INSEE's rule of thumb).
IRIS_THRESHOLD = 5_000

# Displacement field: (wavelength m, amplitude m). sum(2π a / λ) ≈ 0.29 < 0.35 keeps the
# map injective (Jacobian determinant > 0).
_WAVES = ((4_000.0, 80.0), (1_500.0, 25.0), (600.0, 6.0))
_TAPER = 2_000.0


@dataclass(frozen=True)
class SyntheticMap:
    """Three nested layers of one synthetic map (all in Lambert-93).

    Attributes
    ----------
    communes : GeoDataFrame
        ``commune_code``, ``population``.
    iris : GeoDataFrame
        ``iris_code``, ``commune_code``, ``iris_type`` (Z or H), ``population`` (counts that
        add up to the commune's).
    bureaux : GeoDataFrame
        ``bureau_id``, ``commune_code``, ``inscrits``.
    extent : shapely.Polygon
        The square the communes tile.

    Examples
    --------
    >>> m = synthetic_map(0.001, seed=3)
    >>> sorted(m.iris["iris_type"].unique())[:1], m.bureaux.crs.to_epsg()
    (['H'], 2154)
    """

    communes: gpd.GeoDataFrame
    iris: gpd.GeoDataFrame
    bureaux: gpd.GeoDataFrame
    extent: shapely.Polygon


def synthetic_map(
    scale: float = 0.01,
    *,
    seed: int = 0,
    segment: float = 125.0,
    vertices: int = 115,
) -> SyntheticMap:
    """Generate a seeded synthetic map of communes, IRIS and bureaux.

    Parameters
    ----------
    scale : float
        Fraction of France: 1 gives about 35,000 communes, 49,000 IRIS and 69,000 bureaux;
        the extent's area scales with it, so densities stay realistic.
    seed : int
        Random seed; the same seed gives the same map.
    segment : float
        Maximum edge length (m) on commune boundaries (sets the vertex count of communes).
    vertices : int
        Target vertex count of the cells cutting split communes.

    Returns
    -------
    SyntheticMap

    Examples
    --------
    >>> m = synthetic_map(0.002, seed=1)
    >>> len(m.communes), len(m.iris) > len(m.communes), len(m.bureaux) > len(m.iris)
    (70, True, True)
    >>> bool(abs(m.communes.area.sum() / m.extent.area - 1) < 1e-9)
    True
    """
    if not 0 < scale <= 4:
        raise ValueError(f"scale={scale}: expected a fraction of France in (0, 4]")
    rng = np.random.default_rng(seed)
    side = SIDE * np.sqrt(scale)
    x0, y0 = ORIGIN
    extent = shapely.box(x0, y0, x0 + side, y0 + side)
    n_communes = max(3, round(N_COMMUNES * scale))
    seeds, urban = _commune_seeds(rng, n_communes, x0, y0, side)
    warp = _Warp(rng, x0, y0, side)

    cells = shapely.voronoi_polygons(
        shapely.multipoints(seeds), extend_to=extent, ordered=True
    )
    straight = shapely.intersection(shapely.get_parts(cells), extent)
    communes = warp(shapely.segmentize(straight, segment))
    codes = np.array([f"{i:05d}" for i in range(n_communes)], dtype=object)
    pop = np.where(
        urban,
        rng.lognormal(np.log(6_000), 0.9, n_communes),
        rng.lognormal(np.log(450), 1.0, n_communes),
    ).round().astype(np.int64) + 50

    n_iris = _allocate(pop, max(n_communes, round(N_IRIS * scale)), IRIS_THRESHOLD)
    n_bv = _allocate(pop, max(n_communes, round(N_BUREAUX * scale)), 0)

    iris_geom, iris_of = _cut(rng, straight, communes, n_iris, warp, vertices)
    bv_geom, bv_of = _cut(rng, straight, communes, n_bv, warp, vertices)

    iris_rank = _rank_within(iris_of)
    iris_pop = _split_counts(rng, pop, iris_of, shapely.area(iris_geom))
    iris = gpd.GeoDataFrame(
        {
            schema.IRIS_CODE: [f"{codes[c]}{r + 1:04d}" if n_iris[c] > 1 else f"{codes[c]}0000"
                               for c, r in zip(iris_of, iris_rank, strict=True)],
            schema.COMMUNE_CODE: codes[iris_of],
            schema.IRIS_TYPE: np.where(n_iris[iris_of] > 1, "H", "Z"),
            "population": iris_pop,
        },
        geometry=iris_geom,
        crs=schema.LAMBERT93,
    )
    bv_rank = _rank_within(bv_of)
    bv_pop = _split_counts(rng, pop, bv_of, shapely.area(bv_geom))
    bureaux = gpd.GeoDataFrame(
        {
            schema.BUREAU_ID: [f"{codes[c]}_{r + 1}" for c, r in zip(bv_of, bv_rank, strict=True)],
            schema.COMMUNE_CODE: codes[bv_of],
            schema.INSCRITS: np.round(bv_pop * 0.72).astype(np.int64),
        },
        geometry=bv_geom,
        crs=schema.LAMBERT93,
    )
    communes_gdf = gpd.GeoDataFrame(
        {schema.COMMUNE_CODE: codes, "population": pop}, geometry=communes, crs=schema.LAMBERT93
    )
    return SyntheticMap(communes=communes_gdf, iris=iris, bureaux=bureaux, extent=extent)


def voronoi_tessellations(
    scale: float = 0.01,
    *,
    seed: int = 0,
    segment: tuple[float, float] = (100.0, 120.0),
    counts: tuple[int, int] = (N_IRIS, N_BUREAUX),
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Two independent Voronoi tessellations of one square, without commune codes.

    The general case of a crosswalk: two layers that share nothing but their outer edge
    (another country's zones, a city's own sectors). Each layer is the Voronoi diagram of
    uniform random seeds clipped to the square, its edges segmentized every
    ``segment[0]`` (sources) and ``segment[1]`` (targets) metres, which gives about a hundred
    vertices per polygon at ``scale=1`` (49,000 × 69,000 cells on the area of France).

    Parameters
    ----------
    scale : float
        Fraction of France (cell counts and the square's area scale with it).
    seed : int
        Random seed.
    segment : (float, float)
        Maximum edge length of the source and target cells, metres.
    counts : (int, int)
        Cells of each layer at ``scale=1``.

    Returns
    -------
    (GeoDataFrame, GeoDataFrame)
        Sources (``source_code``, ``population``) and targets (``target_code``), in
        Lambert-93.

    Examples
    --------
    >>> src, tgt = voronoi_tessellations(0.001, seed=2)
    >>> len(src), len(tgt)
    (49, 69)
    >>> bool(abs(src.area.sum() / tgt.area.sum() - 1) < 1e-12)
    True
    """
    if not 0 < scale <= 4:
        raise ValueError(f"scale={scale}: expected a fraction of France in (0, 4]")
    rng = np.random.default_rng(seed)
    side = SIDE * np.sqrt(scale)
    x0, y0 = ORIGIN
    extent = shapely.box(x0, y0, x0 + side, y0 + side)
    layers = []
    for count, step, prefix in zip(counts, segment, ("S", "T"), strict=True):
        n = max(3, round(count * scale))
        pts = rng.uniform(0, 1, (n, 2)) * side + (x0, y0)
        cells = shapely.get_parts(
            shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=extent, ordered=True))
        cells = shapely.segmentize(shapely.intersection(cells, extent), step)
        layers.append(gpd.GeoDataFrame(
            {f"{'source' if prefix == 'S' else 'target'}_code":
             [f"{prefix}{i:06d}" for i in range(n)]},
            geometry=cells, crs=schema.LAMBERT93))
    layers[0]["population"] = rng.integers(100, 5_000, len(layers[0]))
    return layers[0], layers[1]


class _Warp:
    """A smooth displacement of the plane, zero on the extent's boundary."""

    def __init__(self, rng: np.random.Generator, x0: float, y0: float, side: float) -> None:
        self.x0, self.y0, self.side = x0, y0, side
        self.terms = []
        for wavelength, amplitude in _WAVES:
            for _axis in range(2):
                theta = rng.uniform(0, 2 * np.pi)
                phase = rng.uniform(0, 2 * np.pi)
                k = 2 * np.pi / wavelength
                self.terms.append((k * np.cos(theta), k * np.sin(theta), phase, amplitude))
        self.taper = min(_TAPER, side / 4)

    def displace(self, xy: np.ndarray) -> np.ndarray:
        x, y = xy[:, 0], xy[:, 1]
        out = np.empty_like(xy)
        for axis in range(2):
            d = np.zeros(len(xy))
            for kx, ky, phase, amp in self.terms[axis::2]:
                d += amp * np.sin(kx * x + ky * y + phase)
            out[:, axis] = d
        edge = np.minimum.reduce(
            [x - self.x0, self.x0 + self.side - x, y - self.y0, self.y0 + self.side - y]
        )
        # a smooth (C1) ramp from 0 at the edge to 1 at `taper` inside
        t = np.clip(edge / self.taper, 0.0, 1.0)
        t = t * t * (3 - 2 * t)
        # the ramp's slope times the amplitude must stay small: scale it down if needed
        return xy + out * t[:, None]

    def __call__(self, geoms: np.ndarray) -> np.ndarray:
        return shapely.transform(geoms, self.displace)


def _commune_seeds(
    rng: np.random.Generator, n: int, x0: float, y0: float, side: float
) -> tuple[np.ndarray, np.ndarray]:
    n_cities = max(1, round(n / 120))
    centres = rng.uniform(0.05, 0.95, (n_cities, 2)) * side + (x0, y0)
    size = 1.0 / np.arange(1, n_cities + 1) ** 0.9  # Zipf-like city sizes
    n_urban = round(0.35 * n)
    city = rng.choice(n_cities, n_urban, p=size / size.sum())
    spread = 2_500.0 + 9_000.0 * np.sqrt(size[city] / size[0])
    urban_pts = centres[city] + rng.normal(0, 1, (n_urban, 2)) * spread[:, None]
    rural_pts = rng.uniform(0, 1, (n - n_urban, 2)) * side + (x0, y0)
    pts = np.vstack([urban_pts, rural_pts])
    # keep seeds inside, away from the edge, and distinct
    pts = np.clip(pts, (x0 + 1, y0 + 1), (x0 + side - 1, y0 + side - 1))
    pts += rng.uniform(-0.5, 0.5, pts.shape)
    urban = np.zeros(n, dtype=bool)
    urban[:n_urban] = True
    return pts, urban


def _allocate(pop: np.ndarray, total: int, threshold: int) -> np.ndarray:
    """Units per commune: 1 below ``threshold``, else ~pop / k, with k set to hit ``total``."""
    big = pop >= threshold
    if not big.any():
        return np.ones(len(pop), dtype=np.int64)

    def count(k: float) -> np.ndarray:
        n = np.ones(len(pop), dtype=np.int64)
        n[big] = np.maximum(2 if threshold else 1, np.round(pop[big] / k)).astype(np.int64)
        return n

    lo, hi = 1.0, float(pop.max()) * 2
    for _ in range(60):
        mid = np.sqrt(lo * hi)
        if count(mid).sum() > total:
            lo = mid
        else:
            hi = mid
    return count(hi)


def _cut(
    rng: np.random.Generator,
    straight: np.ndarray,
    warped: np.ndarray,
    n_units: np.ndarray,
    warp: _Warp,
    vertices: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Cut each commune into ``n_units`` cells; return the geometries and their commune."""
    geoms: list[np.ndarray] = []
    owner: list[np.ndarray] = []
    single = np.flatnonzero(n_units == 1)
    geoms.append(warped[single])
    owner.append(single)
    split = np.flatnonzero(n_units > 1)
    cells_all: list[np.ndarray] = []
    seg_all: list[np.ndarray] = []
    for c in split:
        poly, n = straight[c], int(n_units[c])
        pts = _points_in(rng, poly, n)
        xmin, ymin, xmax, ymax = shapely.bounds(poly)
        margin = 1_000.0 + max(xmax - xmin, ymax - ymin)
        env = shapely.box(xmin - margin, ymin - margin, xmax + margin, ymax + margin)
        cells = shapely.get_parts(
            shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=env, ordered=True)
        )
        cells = shapely.intersection(cells, env)
        # edge length giving about `vertices` vertices on a typical cell's perimeter
        typical = 3.7 * np.sqrt(shapely.area(poly) / n)
        cells_all.append(cells)
        seg_all.append(np.full(len(cells), max(typical / vertices, 2.0)))
        owner.append(np.full(len(cells), c))
    if cells_all:
        cells = np.concatenate(cells_all)
        cells = warp(shapely.segmentize(cells, np.concatenate(seg_all)))
        own = np.concatenate(owner[1:])
        shapely.prepare(warped)
        geoms.append(_clip(cells, warped[own]))
    geom = np.concatenate(geoms)
    own_all = np.concatenate(owner)
    order = np.argsort(own_all, kind="stable")
    return geom[order], own_all[order]


def _clip(cells: np.ndarray, communes: np.ndarray) -> np.ndarray:
    """Intersect each cell with its commune, keeping polygonal parts only."""
    out = shapely.intersection(cells, communes)
    kinds = shapely.get_type_id(out)
    odd = np.flatnonzero(~np.isin(kinds, [3, 6]))
    for i in odd:
        parts = shapely.get_parts(out[i])
        polys = parts[np.isin(shapely.get_type_id(parts), [3, 6])]
        out[i] = shapely.union_all(polys) if len(polys) else shapely.Polygon()
    return out


def _points_in(rng: np.random.Generator, poly: shapely.Geometry, n: int) -> np.ndarray:
    xmin, ymin, xmax, ymax = shapely.bounds(poly)
    found: list[np.ndarray] = []
    got = 0
    while got < n:
        cand = rng.uniform((xmin, ymin), (xmax, ymax), (4 * n + 8, 2))
        cand = cand[shapely.contains_xy(poly, cand[:, 0], cand[:, 1])]
        found.append(cand)
        got += len(cand)
    return np.vstack(found)[:n]


def _rank_within(owner: np.ndarray) -> np.ndarray:
    """0, 1, 2, ... within each run of equal (sorted) owners."""
    starts = np.r_[0, np.flatnonzero(np.diff(owner)) + 1]
    rank = np.arange(len(owner))
    return rank - np.repeat(starts, np.diff(np.r_[starts, len(owner)]))


def _split_counts(
    rng: np.random.Generator, total: np.ndarray, owner: np.ndarray, area: np.ndarray
) -> np.ndarray:
    """Split each commune's count over its units (by area, with noise), exactly."""
    out = np.zeros(len(owner), dtype=np.int64)
    w = area * rng.lognormal(0, 0.5, len(owner))
    starts = np.r_[0, np.flatnonzero(np.diff(owner)) + 1]
    ends = np.r_[starts[1:], len(owner)]
    for s, e in zip(starts, ends, strict=True):
        if e - s == 1:
            out[s] = total[owner[s]]
        else:
            p = w[s:e] / w[s:e].sum()
            out[s:e] = rng.multinomial(total[owner[s]], p)
    return out
