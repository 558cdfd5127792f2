"""Back-test of the three named cases: model vs baselines (MAE ratio, coverage, Brier) and speed.

Run: ``.venv/bin/python benchmarks/bench_backtest.py [CASE ...] [--json-dir DIR] [--legacy]``. Prints,
per case, the report of :func:`swingcast.model.backtest.backtest` (the test-round protocol; the
older one-transition models with ``--legacy``) and one summary line: the
model's MAE over the best baseline's (turnout, share), the coverage of the 80 % intervals,
the Brier score of the model's swing probabilities next to the uniform-swing baseline's, and
the wall time of fit + predict + 1,000 simulation draws (data assembly excluded).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from swingcast.model.backtest import backtest, format_report, list_cases


def main() -> int:
    """Run the cases given (default: all); return 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", help="case names (default: every case)")
    parser.add_argument("--json-dir", type=Path, default=None, help="write <case>.json here")
    parser.add_argument("--legacy", action="store_true", help="the older one-transition models")
    args = parser.parse_args()
    os.environ.setdefault("SWINGCAST_DATA_DIR", str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    names = args.cases or list_cases()["name"].tolist()
    for name in names:
        start = time.perf_counter()
        res = backtest(name, n_draws=1000, legacy=args.legacy)
        total = time.perf_counter() - start
        print(format_report(res))
        m = res.metrics
        print(
            f"SUMMARY {name}: n={m['n_bureaux']} unmatched={m['unmatched_bureaux']} "
            f"MAE ratio model/best baseline turnout={m['mae_ratio']['turnout']:.3f} "
            f"share={m['mae_ratio']['share']:.3f}; 80% coverage turnout="
            f"{m['interval_coverage']['turnout']:.3f} share={m['interval_coverage']['share']:.3f}; "
            f"Brier model={m['brier']['model']:.4f} uniform_swing={m['brier']['uniform_swing']:.4f}; "
            f"fit+predict+simulate {res.seconds:.1f} s, total with data assembly {total:.1f} s",
            flush=True,
        )
        if args.json_dir is not None:
            res.to_json(args.json_dir / f"{name}.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
