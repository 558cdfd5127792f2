"""Benchmark: swingcast.crosswalk against tobler.area_interpolate on a synthetic France.

Two cases, each timed side by side with tobler in the same run (``--case``):

**no-commune** (``voronoi``): two independent Voronoi tessellations of the area of France
(``swingcast.join.synthmap.voronoi_tessellations``: 49,000 × 69,000 cells at ``--scale 1``,
edges segmentized every 100 / 120 m, ~100-140 vertices per polygon), no commune codes.
``crosswalk`` + ``apply`` with **default arguments** against ``tobler.area_interpolate``
with its defaults, then the same crosswalk with the convex-clipping kernel off (the GEOS
overlay for every pair) and with ``n_jobs=1``; the weights are compared with tobler's area
table (max |difference| over all pairs).

**communes** (``communes``): builds the seeded synthetic map (``--scale 1``: ~49,000 IRIS × ~69,000 bureaux, ~115 vertices
per polygon), then times, in one run:

* tobler's ``area_interpolate`` (default settings, one process) carrying a population count;
* swingcast's ``crosswalk`` (area weights, within communes, renormalised as by default,
  ``--n-jobs`` processes) followed by ``Crosswalk.apply`` on the same count, in three settings:

  - **headline**: the coordinate-identical-polygon shortcut of ``swingcast.join.overlay`` disabled
    (it flatters a synthetic map where a small commune is one IRIS and one bureau drawn from
    the same polygon; real layers from different publishers rarely agree to the last
    coordinate), the single-target-commune shortcut of ``swingcast.join.crosswalk`` on (it holds on
    real data: a commune with one bureau sends everything to it);
  - **all shortcuts on**;
  - **general path**: both shortcuts off (every pair overlaid);

prints the speed ratios, the largest weight difference over all pairs (tobler's area table
``_area_tables_binning``, raw area shares, against ours: the synthetic layers tile exactly, so
the renormalised and raw shares agree), the largest difference of the interpolated counts, and
the time to load the saved crosswalk from Parquet.

Usage::

    .venv/bin/python benchmarks/bench_crosswalk.py                # both cases, national (minutes)
    .venv/bin/python benchmarks/bench_crosswalk.py --case voronoi --scale 0.05   # quick
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from swingcast.join import crosswalk as joiner
from swingcast.join import overlay
from swingcast.join.crosswalk import crosswalk, load_crosswalk
from swingcast.join.synthmap import synthetic_map, voronoi_tessellations

#: name -> (identical-polygon shortcut, single-target-commune shortcut)
SETTINGS = {"headline": (False, True), "all": (True, True), "general": (False, False)}


def _tobler_weights(iris, bureaux, source_id="iris_code", target_id="bureau_id") -> pd.DataFrame:
    from tobler.area_weighted.area_interpolate import _area_tables_binning

    table = _area_tables_binning(iris, bureaux, "auto").tocoo()
    area = iris.area.to_numpy()
    return pd.DataFrame(
        {
            "source_id": iris[source_id].to_numpy()[table.row],
            "target_id": bureaux[target_id].to_numpy()[table.col],
            "tobler": table.data / area[table.row],
        }
    )


def _cold(*layers) -> None:
    # every run starts cold: GEOS builds prepared indexes lazily and keeps them on the
    # geometry objects, which would favour whichever run comes later
    for layer in layers:
        shapely.destroy_prepared(layer.geometry.to_numpy())


def no_commune_case(args: argparse.Namespace) -> str:
    """Time the general path (no commune codes, default arguments) against tobler."""
    from tobler.area_weighted import area_interpolate

    from swingcast._jobs import resolve_n_jobs
    from swingcast.join import clip

    t0 = time.perf_counter()
    src, tgt = voronoi_tessellations(args.scale, seed=args.seed)
    t_gen = time.perf_counter() - t0
    nv = shapely.get_num_coordinates(np.concatenate([src.geometry.values, tgt.geometry.values]))
    print(f"no-commune case: Voronoi tessellations scale={args.scale} seed={args.seed}: "
          f"{len(src)} sources x {len(tgt)} targets, {nv.mean():.0f} vertices/polygon "
          f"(median {np.median(nv):.0f}); generated in {t_gen:.1f} s; default n_jobs = "
          f"{resolve_n_jobs(None)}", flush=True)
    t0 = time.perf_counter()
    clip.rings_of(src.geometry.to_numpy()[:1])  # numba: load (or compile) the kernels
    clip.convex_clip_areas(clip.rings_of(src.geometry.to_numpy()[:1]),
                           clip.rings_of(src.geometry.to_numpy()[:1]), np.array([0]),
                           np.array([0]))
    print(f"kernel load/compile (numba cache): {time.perf_counter() - t0:.2f} s", flush=True)

    def ours(**kw):
        _cold(src, tgt)
        t0 = time.perf_counter()
        cw = crosswalk(src, tgt, source_id="source_code", target_id="target_code", **kw)
        pop = cw.apply(src, extensive=["population"])["population"]
        return cw, pop, time.perf_counter() - t0

    def tobler():
        _cold(src, tgt)
        t0 = time.perf_counter()
        out = area_interpolate(src, tgt, extensive_variables=["population"])
        return out, time.perf_counter() - t0

    cw, pop, t_a = ours()
    print(f"swingcast crosswalk+apply, defaults: {t_a:.2f} s, {len(cw.table)} pairs", flush=True)
    tob, t_tob = tobler()
    print(f"tobler area_interpolate, defaults: {t_tob:.2f} s", flush=True)
    _, _, t_b = ours()
    print(f"swingcast defaults again: {t_b:.2f} s", flush=True)
    overlay.CONVEX_KERNEL = False
    try:
        geos, _, t_geos = ours()
    finally:
        overlay.CONVEX_KERNEL = True
    print(f"swingcast, convex kernel off (GEOS overlay for every pair): {t_geos:.2f} s", flush=True)
    _, _, t_one = ours(n_jobs=1)
    print(f"swingcast, n_jobs=1: {t_one:.2f} s", flush=True)
    tob2, t_tob2 = tobler()
    print(f"tobler again: {t_tob2:.2f} s", flush=True)
    t_ours, t_tobler = (t_a + t_b) / 2, (t_tob + t_tob2) / 2

    both = _tobler_weights(src, tgt, "source_code", "target_code").merge(
        cw.table, on=["source_id", "target_id"], how="outer")
    diff = (both["tobler"].fillna(0) - both["weight"].fillna(0)).abs().max()
    g = geos.table.merge(cw.table, on=["source_id", "target_id"], how="outer")
    diff_geos = (g["weight_x"].fillna(0) - g["weight_y"].fillna(0)).abs().max()
    tob_pop = pd.Series(tob["population"].to_numpy(), index=tgt["target_code"])
    pop_diff = np.abs(tob_pop.reindex(pop.index).to_numpy() - pop.to_numpy()).max()
    print(f"max |weight difference| vs tobler over {len(both)} pairs: {diff:.2e}; vs the GEOS "
          f"overlay: {diff_geos:.2e}; max |population difference| per target {pop_diff:.2e} "
          f"(total {pop.sum():.0f})")
    print(f"speed ratio tobler / swingcast (defaults, mean of two runs each): "
          f"{t_tobler / t_ours:.2f}x; kernel off {t_tobler / t_geos:.2f}x; n_jobs=1 "
          f"{t_tobler / t_one:.2f}x", flush=True)
    return (f"| {time.strftime('%Y-%m-%d %H:%M')} | crosswalk no-commune scale={args.scale} "
            f"({len(src)}x{len(tgt)}, {nv.mean():.0f} vtx) | swingcast defaults {t_ours:.1f} s "
            f"({t_a:.1f} / {t_b:.1f}), kernel off {t_geos:.1f} s, n_jobs=1 {t_one:.1f} s | "
            f"tobler {t_tobler:.1f} s ({t_tob:.1f} / {t_tob2:.1f}) | ratio {t_tobler / t_ours:.2f}x"
            f" | max weight diff vs tobler {diff:.1e}, vs GEOS {diff_geos:.1e} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=["voronoi", "communes", "both"], default="both")
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of France (1 = all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-jobs", type=int, default=None,
                        help="processes for swingcast (default: the crosswalk's default)")
    parser.add_argument("--no-tobler", action="store_true", help="time swingcast only")
    parser.add_argument("--record", type=Path, help="append a result line to this Markdown file")
    args = parser.parse_args(argv)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}"
    print(f"{machine}; load average {os.getloadavg()}", flush=True)
    if args.case in ("voronoi", "both"):
        line = no_commune_case(args) + f" {machine}, load avg {os.getloadavg()[0]:.1f} |"
        print(line, flush=True)
        if args.record:
            with open(args.record, "a", encoding="utf-8") as handle:
                handle.write(line + "\n")
        if args.case == "voronoi":
            return 0

    t0 = time.perf_counter()
    m = synthetic_map(args.scale, seed=args.seed)
    t_gen = time.perf_counter() - t0
    iris, bureaux = m.iris, m.bureaux
    nv = shapely.get_num_coordinates(np.concatenate([iris.geometry.values, bureaux.geometry.values]))
    print(f"synthetic map scale={args.scale} seed={args.seed}: {len(m.communes)} communes, "
          f"{len(iris)} IRIS x {len(bureaux)} bureaux, {nv.mean():.0f} vertices/polygon "
          f"(median {np.median(nv):.0f}); generated in {t_gen:.1f} s", flush=True)

    def ours(setting: str = "headline"):
        overlay.IDENTICAL_SHORTCUT, joiner.SINGLE_TARGET_SHORTCUT = SETTINGS[setting]
        _cold(iris, bureaux)
        try:
            t0 = time.perf_counter()
            cw = crosswalk(iris, bureaux, source_id="iris_code", target_id="bureau_id",
                           n_jobs=args.n_jobs)
            pop = cw.apply(iris, extensive=["population"])["population"]
            return cw, pop, time.perf_counter() - t0
        finally:
            overlay.IDENTICAL_SHORTCUT, joiner.SINGLE_TARGET_SHORTCUT = SETTINGS["all"]

    # the machine is shared: every setting runs once before and once after tobler, and the
    # mean of the two is compared (not the best: the ratio should not flatter us)
    cw, ours_pop, t_before = ours()
    print(f"swingcast crosswalk+apply, headline (within commune, n_jobs={args.n_jobs}): "
          f"{t_before:.2f} s, {len(cw.table)} pairs, {len(cw.uncovered)} sources not fully "
          "covered", flush=True)
    runs = {"headline": [t_before]}
    for setting in ("all", "general"):
        other, other_pop, t = ours(setting)
        runs[setting] = [t]
        same = (other.table[["source_id", "target_id"]].equals(cw.table[["source_id", "target_id"]])
                and np.allclose(other.table["weight"], cw.table["weight"], rtol=0, atol=1e-9))
        print(f"swingcast, {setting}: {t:.2f} s (same pairs and weights to 1e-9 "
              f"as the headline: {same})", flush=True)
    times = {k: v[0] for k, v in runs.items()}
    t_ours = times.pop("headline")

    with tempfile.TemporaryDirectory() as tmp:
        path = cw.save(Path(tmp) / "national.parquet")
        size = os.path.getsize(path) / 1e6
        t0 = time.perf_counter()
        back = load_crosswalk(path)
        t_load = time.perf_counter() - t0
    assert back.table.equals(cw.table)
    print(f"load saved crosswalk ({size:.1f} MB): {t_load:.3f} s", flush=True)

    if not args.no_tobler:
        from tobler.area_weighted import area_interpolate

        t0 = time.perf_counter()
        tob = area_interpolate(iris, bureaux, extensive_variables=["population"])
        t_tobler = time.perf_counter() - t0
        print(f"tobler area_interpolate (n_jobs=1): {t_tobler:.2f} s", flush=True)
        for setting, measured in runs.items():
            measured.append(ours(setting)[2])
            print(f"swingcast {setting} again after tobler: {measured[1]:.2f} s (mean "
                  f"{np.mean(measured):.2f} s)", flush=True)
        times = {k: float(np.mean(v)) for k, v in runs.items()}
        t_ours = times.pop("headline")
        tob_pop = pd.Series(tob["population"].to_numpy(), index=bureaux["bureau_id"])
        pop_diff = np.abs(tob_pop.reindex(ours_pop.index).to_numpy() - ours_pop.to_numpy()).max()

        t0 = time.perf_counter()
        tw = _tobler_weights(iris, bureaux)
        t_table = time.perf_counter() - t0
        both = tw.merge(cw.table, on=["source_id", "target_id"], how="outer")
        diff = (both["tobler"].fillna(0) - both["weight"].fillna(0)).abs()
        ratio = t_tobler / t_ours
        print(f"tobler area table alone: {t_table:.2f} s; pairs tobler {len(tw)}, "
              f"swingcast {len(cw.table)}")
        print(f"max |weight difference| over {len(both)} pairs: {diff.max():.2e}")
        print(f"max |population difference| per bureau: {pop_diff:.2e} "
              f"(total {ours_pop.sum():.0f})")
        print(f"speed ratio tobler / swingcast, headline (identical-polygon shortcut off): "
              f"{ratio:.2f}x")
        for setting, t in times.items():
            print(f"speed ratio tobler / swingcast, {setting}: {t_tobler / t:.2f}x")
    line = (f"| {time.strftime('%Y-%m-%d')} | crosswalk scale={args.scale} "
            f"({len(iris)}x{len(bureaux)}, {nv.mean():.0f} vtx) | swingcast headline "
            f"{t_ours:.1f} s, all shortcuts {times['all']:.1f} s, general {times['general']:.1f} s "
            f"(n_jobs={args.n_jobs}) | load {t_load:.2f} s |")
    if not args.no_tobler:
        line += (f" tobler {t_tobler:.1f} s | ratio headline {ratio:.2f}x, all "
                 f"{t_tobler / times['all']:.2f}x, general {t_tobler / times['general']:.2f}x | "
                 f"max weight diff {diff.max():.1e} |")
    line += f" {machine}, load avg {os.getloadavg()[0]:.1f} |"
    print(line)
    if args.record:
        with open(args.record, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
