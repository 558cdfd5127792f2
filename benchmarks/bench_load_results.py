"""Benchmark: ``swingcast.read_results`` on the national per-bureau tables, cold and cached.

For each file, against two peers that do none of our work (ids, counts checked, derived
counts, invariants, long votes table): a bare ``pyarrow.csv.read_csv`` and a bare
``pandas.read_csv`` of the same file. Times (best of ``--repeat``):

- ``parse``: ``read_results(path, cache=False)``, the parser alone;
- ``first``: ``read_results(path)`` into an empty cache (parse + hash + write the Parquet
  entry); the cache is cleared before each repeat;
- ``cached``: ``read_results(path)`` with the entry in place (target: < 0.2 s for the national
  2017 round-2 file).

The cache goes to a temporary folder (``SWINGCAST_CACHE``), so the user's cache is not
touched. Prints seconds and ratios, and the load average before and after.

Usage::

    SWINGCAST_DATA_DIR=../shared/data .venv/bin/python benchmarks/bench_load_results.py
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow.csv

from swingcast.load.sources import read_results
from swingcast.load.sources.resultcache import clear_cache

FILES = [
    "france/results/2017-presidentielle-2_par_bureau_large.csv",
    "france/results/2017-presidentielle-2_par_bureau_large.csv.gz",
    "france/results/2019-europeennes_par_bureau_large.csv.gz",
]


def best_of(fn: Callable[[], object], repeat: int, before: Callable[[], object] = lambda: None,
            warm: bool = True, clock: Callable[[], float] = time.perf_counter) -> float:
    """Best time of ``repeat`` calls of ``fn`` (``before()`` untimed before each).

    ``clock``: wall time by default; ``time.process_time`` gives this process's CPU time,
    which other work on a shared machine does not inflate (the parsers are single-threaded;
    pyarrow's CSV reader is not, so its CPU time can exceed its wall time).
    """
    if warm:
        before()
        fn()
    times = []
    for _ in range(repeat):
        before()
        start = clock()
        fn()
        times.append(clock() - start)
    return min(times)


def main() -> int:
    """Run the benchmark and print one line per file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    data = Path(os.environ.get("SWINGCAST_DATA_DIR", "../shared/data"))
    os.environ["SWINGCAST_CACHE"] = tempfile.mkdtemp(prefix="bench-results-cache-")
    print(f"python {platform.python_version()}, pandas {pd.__version__}, "
          f"{os.cpu_count()} cpus, best of {args.repeat}, load average {os.getloadavg()}")
    for name in FILES:
        path = data / name
        results = read_results(path, cache=False)
        parse = best_of(lambda p=path: read_results(p, cache=False), args.repeat)
        first = best_of(lambda p=path: read_results(p), args.repeat, before=clear_cache)
        read_results(path)
        cached = best_of(lambda p=path: read_results(p), args.repeat)
        arrow = best_of(lambda p=path: pyarrow.csv.read_csv(p), args.repeat)
        bare = best_of(lambda p=path: pd.read_csv(p, dtype={"departement": str, "commune": str,
                                                            "bureau": str}), args.repeat)
        cpu = {label: best_of(fn, args.repeat, before, clock=time.process_time)
               for label, fn, before in [
                   ("parse", lambda p=path: read_results(p, cache=False), lambda: None),
                   ("first", lambda p=path: read_results(p), clear_cache),
                   ("cached", lambda p=path: read_results(p), lambda: None),
                   ("pyarrow", lambda p=path: pyarrow.csv.read_csv(p), lambda: None)]}
        print(f"{path.name}: {len(results.stations):,} bureaux, {len(results.votes):,} votes\n"
              f"  parse {parse:.3f} s, first read {first:.3f} s, cached read {cached:.3f} s; "
              f"pyarrow.csv {arrow:.3f} s, pandas.read_csv {bare:.3f} s\n"
              f"  first / pyarrow {first / arrow:.1f}x, cached / pyarrow {cached / arrow:.1f}x, "
              f"parse / pandas {parse / bare:.1f}x, parse / cached {parse / cached:.1f}x\n"
              f"  CPU time: parse {cpu['parse']:.3f} s, first read {cpu['first']:.3f} s, cached "
              f"read {cpu['cached']:.3f} s, pyarrow.csv {cpu['pyarrow']:.3f} s")
    clear_cache()
    print(f"load average after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
