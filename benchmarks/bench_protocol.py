"""The issue-13 protocol on the named histories: the test round (the last one) scored once.

Usage (from the project root)::

    SWINGCAST_DATA_DIR=../shared/data .venv/bin/python benchmarks/bench_protocol.py \
        --out /tmp/protocol [--history paris hds13 dep29 france] [--anchor actual poll] [--model stack]

Writes ``<out>/<history>-<anchor>.json`` (the JSON of
:func:`swingcast.model.protocol.run_protocol`) and prints one table: per history and target
the model's MAE, the best baseline (named) and the ratio, the binomial floor, the gap closed,
80 % coverage (all / matched / unmatched), the Brier scores of ``swing_prob`` and
``flip_prob`` (model / uniform-swing simulation), then the development (rolling) rows.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from swingcast.cache import atomic_write
from swingcast.model.histories import HISTORIES, named_history
from swingcast.model.protocol import run_protocol


def _jsonable(o: object) -> object:
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, float) and not np.isfinite(o):
        return None
    raise TypeError(type(o).__name__)


def _fmt(x: object, scale: float = 100.0, nd: int = 2) -> str:
    return "—" if x is None else f"{x * scale:.{nd}f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--history", nargs="+", default=list(HISTORIES))
    ap.add_argument("--anchor", nargs="+", default=["actual", "poll"])
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--model", default="stack", choices=["stack", "blend"],
                    help="model v3 (default) or v2")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.history:
        t0 = time.perf_counter()
        spec = named_history(name)
        spec.model = args.model
        t_load = time.perf_counter() - t0
        for anchor in args.anchor:
            t1 = time.perf_counter()
            res = run_protocol(spec, anchor=anchor, n_draws=args.draws)
            res.pop("_predictions")
            res["seconds"] = round(time.perf_counter() - t1, 1)
            res["seconds_load"] = round(t_load, 1)
            with atomic_write(args.out / f"{name}-{anchor}.json", "w", encoding="utf-8") as fh:
                fh.write(json.dumps(res, indent=2, default=_jsonable) + "\n")
            print(f"== {name} test {res['test_round']} anchor={anchor} ({res['n_bureaux']} bureaux, "
                  f"{res['unmatched_bureaux']} unmatched, {res['seconds']} s + load {t_load:.0f} s)")
            for q in ("turnout", "share"):
                r = res[q]
                cov = r["coverage"]
                print(f"  {q:7s} model {_fmt(r['model']['mae'])} pp | best {r['best_baseline']['name']} "
                      f"{_fmt(r['best_baseline']['mae'])} pp | ratio {r['mae_ratio']:.3f} | floor "
                      f"{_fmt(r['floor_mae'])} | gap_closed {r['gap_closed']:.3f} | cov {_fmt(cov['all'], 1, 3)}"
                      f" (matched {_fmt(cov['matched'], 1, 3)}, unmatched {_fmt(cov['unmatched'], 1, 3)})"
                      f" | choice {r['training']['choice']}")
                for row in r["development"]:
                    print(f"      dev {row['round']}: model {_fmt(row['model_mae'])} vs "
                          f"{row['best_baseline']} {_fmt(row['best_baseline_mae'])} (ratio {row['ratio']:.3f})")
            b = res["events"]["brier"]
            print(f"  brier swing_prob {b['swing_prob']['model']:.4f} / uniform {b['swing_prob']['uniform_swing']:.4f}"
                  f"; flip_prob {b['flip_prob']['model']:.4f} / uniform {b['flip_prob']['uniform_swing']:.4f}"
                  f" (target first in {res['events']['n_target_first']}, flips {res['events']['n_flips']}"
                  f" of {res['events']['n_scored_flip']})")


if __name__ == "__main__":
    main()
