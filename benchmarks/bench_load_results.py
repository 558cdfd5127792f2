"""Benchmark: ``swingcast.read_results`` on the national per-bureau tables.

Times (best of ``--repeat`` runs, after one warm-up) the load of the national 2017
presidential round-2 table (69,242 bureaux; target: well under 2 s) and of the largest table
(2019 European, 69,297 bureaux x 34 lists), each against its peer: a bare
``pandas.read_csv`` of the same file, which does none of our work (ids, counts checked,
derived counts, invariants, long votes table). Prints seconds and the ratio.

Usage::

    SWINGCAST_DATA_DIR=../shared/data .venv/bin/python benchmarks/bench_load_results.py
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from swingcast.load.sources import read_results

FILES = [
    "france/results/2017-presidentielle-2_par_bureau_large.csv",
    "france/results/2017-presidentielle-2_par_bureau_large.csv.gz",
    "france/results/2019-europeennes_par_bureau_large.csv.gz",
]


def best_of(fn: Callable[[], object], repeat: int) -> float:
    """Best wall time of ``repeat`` calls of ``fn`` (after one warm-up call)."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    """Run the benchmark and print one line per file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    data = Path(os.environ.get("SWINGCAST_DATA_DIR", "../shared/data"))
    print(f"python {platform.python_version()}, pandas {pd.__version__}, "
          f"{os.cpu_count()} cpus, best of {args.repeat}")
    for name in FILES:
        path = data / name
        results = read_results(path)
        ours = best_of(lambda p=path: read_results(p), args.repeat)
        peer = best_of(lambda p=path: pd.read_csv(p, dtype={"departement": str, "commune": str,
                                                            "bureau": str}), args.repeat)
        print(f"{path.name}: {len(results.stations):,} bureaux, {len(results.votes):,} votes; "
              f"read_results {ours:.2f} s, pandas.read_csv {peer:.2f} s, "
              f"ratio {ours / peer:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
