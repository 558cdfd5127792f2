"""Development experiment: one more feature of v3's weights, the latest round when it is of
the same year as the round forecast (a snap or paired election weeks later).

On the pooled development set of ``fit_stack_defaults`` (with entry 14's denoiser), compares
the 4-fold leave-histories-out CV of entry 9's features with the same features plus
``latest_same_year`` = ``latest_round`` × (``years_apart`` = 0), per quantity (turnout not
denoised, share denoised, as adopted). Development rounds only.

Usage (from ``benchmarks/``)::

    SWINGCAST_DATA_DIR=../../shared/data PYTHONPATH=../src ../.venv/bin/python dev_latest_same_year.py [POOL.pkl]
"""

from __future__ import annotations

import dataclasses
import sys

import numpy as np
from fit_stack_defaults import _ratio, cached_pool, fit

from swingcast.model.stack import CANDIDATE_FEATURES

LATEST, YEARS = CANDIDATE_FEATURES.index("latest_round"), CANDIDATE_FEATURES.index("years_apart_over_5")


def augmented(c):
    extra = c.F[:, LATEST] * (np.abs(c.F[:, YEARS]) < 1e-12)
    return dataclasses.replace(c, F=np.column_stack([c.F, extra]))


def main() -> None:
    ts_all = cached_pool(sys.argv[1] if len(sys.argv) > 1 else None)
    for q, dn in (("turnout", 0), ("share", 1)):
        base = [t for t in ts_all if t["q"] == q]
        aug = [dict(t, c=tuple(augmented(c) for c in t["c"])) for t in base]
        groups = sorted({t["name"].rstrip("c") for t in base})
        folds = [groups[i::4] for i in range(4)]
        for label, ts, nf in (("entry 9 features", base, len(CANDIDATE_FEATURES)),
                              ("+ latest_same_year", aug, len(CANDIDATE_FEATURES) + 1)):
            cv, same_year = [], []
            for g in folds:
                test = [t for t in ts if t["name"].rstrip("c") in g]
                xt = fit([t for t in ts if t["name"].rstrip("c") not in g], bool(dn), nf)
                for t in test:
                    r = _ratio(t, xt, bool(dn), nf)
                    cv.append(r)
                    if t["round"].startswith("2017-legislatives"):
                        same_year.append(r)
            cv = np.array(cv)
            print(f"{q} {label}: {len(ts)} transitions; CV median {np.median(cv):.3f} mean {cv.mean():.3f} "
                  f"share > 1 {np.mean(cv > 1):.2f}; legislative 2017 rounds (same year as a prior) "
                  f"median {np.median(same_year):.3f}", flush=True)


if __name__ == "__main__":
    main()
