"""Forecast for all France from every national round of the data folder, then the ranking.

Run: ``SWINGCAST_DATA_DIR=/work/shared/data .venv/bin/python benchmarks/bench_forecast.py
[--election 2022-presidentielle --round 1 --share "LE PEN" --n-draws 1000]``.

Reads the six national per-bureau rounds 2014-2019 (``france/results/*_large.csv.gz``) into one
:func:`swingcast.load_history`, forecasts the next election with the default model (v3,
:class:`swingcast.model.stack.StackModel`: every round; ``--model legacy``: the training
transition of :func:`swingcast.model.history.choose_training`) for the latest round's ~69k
bureaux with 1,000 swing draws, ranks the bureaux (:func:`swingcast.rank_bureaux`) and prints the wall and
CPU time of each stage, the peak resident memory of the process (``ru_maxrss``) and the load
average (the machine is shared: wall time depends on it).
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from pathlib import Path

NATIONAL = (
    "2014-europeennes_par_bureau_large.csv.gz",
    "2017-presidentielle-1_par_bureau_large.csv.gz",
    "2017-presidentielle-2_par_bureau_large.csv.gz",
    "2017-legislatives-1_par_bureau_large.csv.gz",
    "2017-legislatives-2_par_bureau_large.csv.gz",
    "2019-europeennes_par_bureau_large.csv.gz",
)


def main() -> int:
    """Run the benchmark; return 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--election", default="2022-presidentielle")
    parser.add_argument("--round", type=int, default=1)
    parser.add_argument("--share", default="LE PEN")
    parser.add_argument("--n-draws", type=int, default=1000)
    parser.add_argument("--model", default="stack", choices=["stack", "blend", "legacy"])
    args = parser.parse_args()
    os.environ.setdefault("SWINGCAST_DATA_DIR", str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    import swingcast
    from swingcast.load.datasets import fetch

    c0, t0 = time.process_time(), time.perf_counter()
    history = swingcast.load_history([fetch(f"france/results/{name}") for name in NATIONAL])
    c1, t1 = time.process_time(), time.perf_counter()
    result = swingcast.forecast(history, election=args.election, round=args.round, share=args.share,
                                n_draws=args.n_draws, model=args.model)
    c2, t2 = time.process_time(), time.perf_counter()
    ranking = swingcast.rank_bureaux(result.predictions)
    c3, t3 = time.process_time(), time.perf_counter()
    peak_gib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    t = result.training
    print(f"history: {history}")
    print(f"model: {t['model']} ({t.get('reason', '')}); rounds {', '.join(t['features'])}; "
          f"training bureaux {t.get('training_bureaux', 'all of every round')}; anchors {result.anchors}")
    print(f"SUMMARY forecast {t['forecast']} {args.share}: {len(result.predictions)} bureaux, "
          f"{args.n_draws} draws; load_history {t1 - t0:.1f} s, forecast {t2 - t1:.1f} s, "
          f"rank {t3 - t2:.1f} s, forecast+rank {t3 - t1:.1f} s, total {t3 - t0:.1f} s; "
          f"peak RSS {peak_gib:.2f} GiB; top bureau {ranking.index[0]}")
    print(f"CPU (process_time): load_history {c1 - c0:.1f} s, forecast {c2 - c1:.1f} s, "
          f"rank {c3 - c2:.1f} s; load average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
