"""Constants of model v3 for a round 2 forecast from its round 1 (docs/models.md, entry 32).

Development transitions only: entry 9's pool (``fit_stack_defaults.pool``, cached with
``STACK_POOL``) restricted to the transitions into a round 2 whose round 1 is among the
earlier rounds. ``theta`` and ``beta`` are fitted as entry 9 fits them
(``fit_stack_defaults.fit``, both denoising switches) and compared with v3's constants on the
same transitions by 4-fold leave-histories-out cross-validation (entry 9's folds), also per
kind of round 2. The rule of entry 32: adopted for a quantity when the CV median is at least
0.01 below v3's constants', the CV mean is below theirs, and no kind with at least five
transitions has a CV median above v3's. Usage (from ``benchmarks/``)::

    STACK_POOL=/tmp/dev/pool.pkl SWINGCAST_DATA_DIR=../../shared/data PYTHONPATH=../src \\
        ../.venv/bin/python fit_stack_round2.py
"""

from __future__ import annotations

import os

import numpy as np
from fit_stack_defaults import NF, _ratio, cached_pool, cross_validate

from swingcast.model.stack import CANDIDATE_FEATURES, STACK_DEFAULTS


def is_round2(label: str) -> bool:
    """A round 2 (every development history holds its round 1 before it)."""
    return label.endswith("-2")


def main() -> None:
    pool = cached_pool(os.environ.get("STACK_POOL", "/tmp/dev/pool.pkl"))
    for q in ("turnout", "share"):
        ts = [t for t in pool if t["q"] == q and is_round2(t["round"])]
        groups = sorted({t["name"].rstrip("c") for t in ts})
        folds = [groups[i::4] for i in range(4)]
        d = STACK_DEFAULTS[q]
        x_v3 = np.array([*d["theta"], d["beta"]])
        kinds = sorted({t["round"].split("-")[1] for t in ts})
        counts = {k: sum(t["round"].split("-")[1] == k for t in ts) for k in kinds}
        print(f"{q}: {len(ts)} round-2 transitions {counts}", flush=True)
        for dn in (False, True):
            x, cv, order = cross_validate(ts, dn, folds)
            v3 = np.array([_ratio(t, x_v3, bool(d["denoise"])) for t in order])
            by_kind, kinds_ok = [], True
            for k in kinds:
                m = np.array([t["round"].split("-")[1] == k for t in order])
                by_kind.append(f"{k} ({m.sum()}): cv {np.median(cv[m]):.4f} vs v3 {np.median(v3[m]):.4f}")
                if m.sum() >= 5 and np.median(cv[m]) > np.median(v3[m]):
                    kinds_ok = False
            ok = np.median(cv) <= np.median(v3) - 0.01 and cv.mean() < v3.mean() and kinds_ok
            print(f"  denoise={dn} theta={dict(zip(CANDIDATE_FEATURES, np.round(x[:NF], 3).tolist(), strict=True))} "
                  f"beta={x[NF]:.3f}\n    cv median {np.median(cv):.4f} mean {cv.mean():.4f} (v3 {np.median(v3):.4f} / "
                  f"{v3.mean():.4f}); {'; '.join(by_kind)}; rule: {'passes' if ok else 'fails'}", flush=True)


if __name__ == "__main__":
    main()
