"""Benchmark: swingcast.crosswalk against tobler.area_interpolate on a synthetic France.

Builds the seeded synthetic map (``--scale 1``: ~49,000 IRIS × ~69,000 bureaux, ~115 vertices
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

    .venv/bin/python benchmarks/bench_crosswalk.py                # national case (minutes)
    .venv/bin/python benchmarks/bench_crosswalk.py --scale 0.05   # quick iteration
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
from swingcast.join.synthmap import synthetic_map

#: name -> (identical-polygon shortcut, single-target-commune shortcut)
SETTINGS = {"headline": (False, True), "all": (True, True), "general": (False, False)}


def _tobler_weights(iris, bureaux) -> pd.DataFrame:
    from tobler.area_weighted.area_interpolate import _area_tables_binning

    table = _area_tables_binning(iris, bureaux, "auto").tocoo()
    area = iris.area.to_numpy()
    return pd.DataFrame(
        {
            "source_id": iris["iris_code"].to_numpy()[table.row],
            "target_id": bureaux["bureau_id"].to_numpy()[table.col],
            "tobler": table.data / area[table.row],
        }
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of France (1 = all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-jobs", type=int, default=2, help="processes for swingcast")
    parser.add_argument("--no-tobler", action="store_true", help="time swingcast only")
    parser.add_argument("--record", type=Path, help="append a result line to this Markdown file")
    args = parser.parse_args(argv)

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
        # every run starts cold: GEOS builds prepared indexes lazily and keeps them on the
        # geometry objects, which would favour whichever run comes later
        for layer in (iris, bureaux):
            shapely.destroy_prepared(layer.geometry.to_numpy())
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
    machine = f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}"
    line += f" {machine}, load avg {os.getloadavg()[0]:.1f} |"
    print(line)
    if args.record:
        with open(args.record, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
