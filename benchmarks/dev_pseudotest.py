"""Development check of the protocol: the last *development* round of each history as a pseudo-test.

Every history of the pooled development set of ``fit_stack_defaults.py`` (docs/models.md,
entry 9), with its test round removed (and its last rounds, while the target has no share
there), is run through :func:`swingcast.model.protocol.run_protocol`
(``anchor="actual"``): its last development round is scored from the rounds before it, with
the intervals calibrated on the development forecasts before it. No test round is involved.
Prints, per history and model (v2 ``blend``, v3 ``stack``), the ratio to the ex-post best
baseline and the 80 % coverage, then medians.

Usage (from the project root; about 5 minutes on 2 cores)::

    SWINGCAST_DATA_DIR=../shared/data PYTHONPATH=src .venv/bin/python benchmarks/dev_pseudotest.py [--models stack blend]
"""

from __future__ import annotations

import argparse
import dataclasses
import json

import numpy as np

from swingcast.model.protocol import run_protocol


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", nargs="+", default=["stack", "blend"])
    ap.add_argument("--out")
    args = ap.parse_args()
    from fit_stack_defaults import dev_specs

    rows = []
    from swingcast.model.transitions import round_values

    for name, spec in dev_specs():
        while len(spec.rounds) > 2 and round_values(spec.rounds[-1], "share", target=spec.target,
                                                   bloc=spec.bloc) is None:
            spec.rounds = spec.rounds[:-1]  # a last round without the target: the one before
        for model in args.models:
            s = dataclasses.replace(spec, model=model, cache={})
            try:
                res = run_protocol(s, anchor="actual", n_draws=50)
            except Exception as exc:
                print(f"{name} {model}: {exc}", flush=True)
                continue
            row = {"history": name, "model": model, "test": res["test_round"]}
            for q in ("turnout", "share"):
                r = res[q]
                row[q] = {"ratio": r["mae_ratio"], "coverage": r["coverage"]["all"],
                          "best": r["best_baseline"]["name"]}
            rows.append(row)
            print(f"{name:8s} {model:12s} {row['test']:24s} turnout {row['turnout']['ratio']:.3f} "
                  f"cov {row['turnout']['coverage']:.2f} | share {row['share']['ratio']:.3f} "
                  f"cov {row['share']['coverage']:.2f}", flush=True)
    for model in sorted({r["model"] for r in rows}):
        for q in ("turnout", "share"):
            rs = [r[q] for r in rows if r["model"] == model]
            if rs:
                ratio = np.array([r["ratio"] for r in rs])
                cov = np.array([r["coverage"] for r in rs])
                print(f"{model} {q}: median ratio {np.median(ratio):.3f}, share > 1 {np.mean(ratio > 1):.2f}, "
                      f"coverage median {np.median(cov):.2f} (in 0.75-0.85: {np.mean((cov >= .75) & (cov <= .85)):.2f})")
    if args.out:
        json.dump(rows, open(args.out, "w"), indent=1)


if __name__ == "__main__":
    main()
