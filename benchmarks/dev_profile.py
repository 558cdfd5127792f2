"""The other rounds' whole vote, and leave-one-out shrinkage, in v3's denoiser? Development only.

docs/models.md, protocol log, entry 30. Every development share transition of entry 9's pool
(``fit_stack_defaults.dev_specs``: 21 départements and hds13, RN and centre targets; no test
round) is forecast from the rounds before it by model v3 as in use (``base``) and with
``loo`` (leave-one-out shrinkage), ``profile`` (the other rounds' bloc shares and turnout
among the denoiser's predictors) and ``profile+loo``. Prints MAE(variant) / MAE(base) per
transition, then per variant the mean, median and share better, and what entry 30's rule
says (the lowest mean, if below 0.99 and better in more than half). Usage (from
``benchmarks/``)::

    SWINGCAST_DATA_DIR=../../shared/data PYTHONPATH=../src ../.venv/bin/python dev_profile.py
"""

from __future__ import annotations

import numpy as np
from fit_stack_defaults import dev_specs, development_steps

from swingcast.model.protocol import model_predict
from swingcast.model.stack import StackModel

VARIANTS = {"base": {}, "loo": {"loo": True}, "profile": {"profile": True},
            "profile+loo": {"profile": True, "loo": True}}


def main() -> None:
    rows = []
    for name, spec in dev_specs():
        for k, rv, before in development_steps(spec, "share"):
            obs = rv.value.to_numpy(float)
            maes = {}
            for v, kw in VARIANTS.items():
                pred = model_predict(StackModel("share", **kw), spec, spec.rounds[:k], before, rv, rv.level)
                maes[v] = float(np.mean(np.abs(pred - obs)))
            rows.append((name, rv.label, len(obs), maes))
            print(f"{name:7s} {rv.label:24s} n={len(obs):5d} "
                  + " ".join(f"{v} {m / maes['base']:.4f}" for v, m in maes.items() if v != "base"), flush=True)
    best, best_mean = None, np.inf
    for v in VARIANTS:
        if v == "base":
            continue
        r = np.array([m[v] / m["base"] for _, _, _, m in rows])
        small = np.array([n < 300 for _, _, n, _ in rows])
        print(f"{v}: {len(r)} transitions, mean {r.mean():.4f}, median {np.median(r):.4f}, better in "
              f"{np.mean(r < 1):.2f}; areas under 300 bureaux ({small.sum()}): mean {r[small].mean():.4f}")
        if r.mean() < best_mean:
            best, best_mean = v, r.mean()
    r = np.array([m[best] / m["base"] for _, _, _, m in rows])
    ok = r.mean() < 0.99 and np.mean(r < 1) > 0.5
    print(f"lowest mean: {best} ({best_mean:.4f}); rule says {'adopt it' if ok else 'adopt nothing'}")


if __name__ == "__main__":
    main()
