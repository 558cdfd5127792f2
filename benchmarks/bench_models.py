"""Benchmark: fit + predict + 1,000 swing draws for every bureau of France (< 30 s target).

Real data: the 2017 presidential election, 69,242 bureaux. Features are the first-round
candidate shares of exprimés and the first-round turnout; targets are the second-round
turnout (votants / inscrits) and Macron's share of exprimés; communes are the pooling groups.
Timed: the turnout model and the share model (fit with their default conformal calibration:
5-fold for the GLM, split for the GBM; predict, intervals), the logit re-centring and the
simulation of 1,000 draws.

Run: ``SWINGCAST_DATA_DIR=/work/shared/data .venv/bin/python benchmarks/bench_models.py
[--method glm|gbm] [--synthetic]`` (``--synthetic``: 69k generated bureaux instead).
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import pandas as pd

from swingcast import schema
from swingcast.model.estimators import ShareModel, TurnoutModel, recentre
from swingcast.model.simulate import simulate_swing

TARGET_SECONDS = 30.0
ROUND1 = "france/results/2017-presidentielle-1_par_bureau_large.csv.gz"
ROUND2 = "france/results/2017-presidentielle-2_par_bureau_large.csv.gz"


def real_data() -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Features from round 1, turnout and Macron share of round 2, indexed by bureau_id."""
    from swingcast.load.datasets import fetch
    from swingcast.load.sources import read_results

    r1 = read_results(fetch(ROUND1))
    r2 = read_results(fetch(ROUND2))
    s1 = r1.stations.set_index(schema.BUREAU_ID)
    s2 = r2.stations.set_index(schema.BUREAU_ID)
    votes = r1.votes.pivot_table(
        index=schema.BUREAU_ID, columns=schema.CANDIDATE, values=schema.VOIX, aggfunc="sum"
    )
    shares = votes.div(votes.sum(axis=1), axis=0)
    shares = shares.drop(columns=shares.columns[-1])  # shares sum to 1: drop one
    shares.columns = [f"t1_{c}" for c in shares.columns]
    X = shares.assign(
        t1_turnout=s1[schema.VOTANTS] / s1[schema.INSCRITS],
    )
    X = X.join(s2[[schema.COMMUNE_CODE, schema.INSCRITS]], how="inner")
    macron = r2.votes[r2.votes[schema.CANDIDATE].str.upper().str.contains("MACRON")]
    macron = macron.set_index(schema.BUREAU_ID)[schema.VOIX]
    frame = X.join(
        pd.DataFrame(
            {
                "turnout": s2[schema.VOTANTS] / s2[schema.INSCRITS],
                "share": macron / s2[schema.EXPRIMES],
            }
        ),
        how="inner",
    )
    ok = (
        frame.notna().all(axis=1)
        & (frame[schema.INSCRITS] > 0)
        & np.isfinite(frame["share"].astype(float))
    )
    dropped = int((~ok).sum())
    if dropped:
        print(f"  {dropped} bureaux dropped (no exprimés, no inscrits or absent in one round)")
    frame = frame[ok]
    X = frame.drop(columns=["turnout", "share"])
    X[schema.INSCRITS] = X[schema.INSCRITS].astype(float)
    for col in X.columns:
        if col != schema.COMMUNE_CODE:
            X[col] = X[col].astype(float)
    X[schema.COMMUNE_CODE] = X[schema.COMMUNE_CODE].astype(str)
    return X, frame["turnout"].to_numpy(float), frame["share"].to_numpy(float)


def synthetic_data() -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """69k generated bureaux (two outcomes from the same generator, different seeds)."""
    from swingcast.model.synthbureaux import make_bureaux

    a = make_bureaux(n_communes=17_400, seed=1)
    b = make_bureaux(n_communes=17_400, seed=1, intercept=-0.2)
    return a.X, a.y, b.y


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--method", default="glm", choices=["glm", "gbm"])
    parser.add_argument("--synthetic", action="store_true")
    parser.add_argument("--draws", type=int, default=1000)
    args = parser.parse_args()
    if not args.synthetic and not os.environ.get("SWINGCAST_DATA_DIR"):
        raise SystemExit("set SWINGCAST_DATA_DIR (or pass --synthetic)")

    t0 = time.perf_counter()
    X, turnout, share = synthetic_data() if args.synthetic else real_data()
    load = time.perf_counter() - t0
    print(f"data: {len(X):,} bureaux, {X[schema.COMMUNE_CODE].nunique():,} communes, "
          f"{X.shape[1] - 2} features (loaded in {load:.1f} s, not counted)")

    timings: dict[str, float] = {}
    start = time.perf_counter()
    t = time.perf_counter()
    tm = TurnoutModel(method=args.method).fit(X, turnout)
    sm = ShareModel(method=args.method).fit(X, share)
    folds = "5-fold cross-conformal" if tm._folds > 1 else "split conformal"
    timings[f"fit (2 models, {folds})"] = time.perf_counter() - t

    t = time.perf_counter()
    w = X[schema.INSCRITS].to_numpy(float)
    t_pred = recentre(tm.predict(X), w, float(np.average(turnout, weights=w)))
    s_raw = sm.predict(X)
    t_lo, t_hi = tm.predict_interval(X)
    s_lo, s_hi = sm.predict_interval(X)
    s_pred = recentre(s_raw, w * t_pred, float(np.average(share, weights=w * turnout)))
    scale = sm.scale(X)
    timings["predict + intervals + recentre"] = time.perf_counter() - t

    t = time.perf_counter()
    preds = pd.DataFrame(
        {schema.SHARE_PRED: s_pred, schema.INSCRITS: w, schema.TURNOUT_PRED: t_pred}, index=X.index
    )
    sim = simulate_swing(preds, n_draws=args.draws, common_sd=0.1,
                         local_residuals=sm.residuals_, scale=scale)
    timings[f"simulate {args.draws} draws"] = time.perf_counter() - t
    total = time.perf_counter() - start

    for name, secs in timings.items():
        print(f"  {name:38s} {secs:6.2f} s")
    print(f"total {total:.2f} s for {len(X):,} bureaux, method={args.method} "
          f"(target {TARGET_SECONDS:.0f} s: ratio {total / TARGET_SECONDS:.2f})")
    # in-sample sanity figures (not a back-test): conformal calibration coverage
    cov_t = np.mean((turnout >= t_lo) & (turnout <= t_hi))
    cov_s = np.mean((share >= s_lo) & (share <= s_hi))
    print(f"  80 % intervals cover {cov_t:.3f} (turnout) and {cov_s:.3f} (share) of the "
          "training bureaux (before re-centring; a check of the calibration, not a back-test)")
    print(f"  bureaux with swing_prob in (0.1, 0.9): {int(sim[schema.SWING_PROB].between(0.1, 0.9).sum()):,}")


if __name__ == "__main__":
    main()
