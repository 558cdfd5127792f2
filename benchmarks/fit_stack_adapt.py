"""Does fine-tuning model v3 on a history's own earlier transitions help? (development rounds only)

Cross-validation of ``fit_stack_defaults.py`` (same pool, same 4 folds of histories): each
held-out transition is forecast (a) with the constants fitted on the other folds and (b) with
them fine-tuned on the *earlier* transitions of its own history (rolling origin), the
penalty ``lam |x - x_fold|²`` keeping them near the pooled ones. Prints the medians.

Usage: ``STACK_POOL=/tmp/stackpool.pkl PYTHONPATH=../src python fit_stack_adapt.py`` from
``benchmarks/`` after ``fit_stack_defaults.py`` wrote the pool.
"""

from __future__ import annotations

import os
import pickle

import numpy as np
from fit_stack_defaults import _ratio, fit
from scipy.optimize import minimize


def tune(ts: list[dict], x0: np.ndarray, dn: bool, lam: float) -> np.ndarray:
    def obj(x: np.ndarray) -> float:
        return float(np.mean([_ratio(t, x, dn) for t in ts]) + lam * np.sum((x - x0) ** 2))
    return minimize(obj, x0, method="Powell", options={"maxiter": 2000, "xtol": 1e-3, "ftol": 1e-5}).x


def main() -> None:
    with open(os.environ["STACK_POOL"], "rb") as fh:
        pool = pickle.load(fh)
    for q, dn in (("turnout", False), ("share", True)):
        ts = [t for t in pool if t["q"] == q]
        groups = sorted({t["name"].rstrip("c") for t in ts})
        res: dict[str, list[float]] = {"pooled": []}
        lams = (0.03, 0.3, 3.0)
        for lam in lams:
            res[f"tuned lam={lam}"] = []
        for g in (groups[i::4] for i in range(4)):
            xf = fit([t for t in ts if t["name"].rstrip("c") not in g], dn)
            for t in ts:
                if t["name"].rstrip("c") not in g:
                    continue
                own = [u for u in ts if u["name"] == t["name"]]
                before = own[:own.index(t)]
                res["pooled"].append(_ratio(t, xf, dn))
                for lam in lams:
                    x = tune(before, xf, dn, lam) if before else xf
                    res[f"tuned lam={lam}"].append(_ratio(t, x, dn))
        for k, v in res.items():
            v = np.array(v)
            print(f"{q} {k}: median {np.median(v):.3f} mean {v.mean():.3f} share > 1 {np.mean(v > 1):.2f}", flush=True)


if __name__ == "__main__":
    main()
