"""Development experiment: denoise each v3 prior from the other rounds only.

Builds the development pool of :mod:`fit_stack_defaults` twice (``DENOISE_BY_ROUND`` off, on)
and compares, on development transitions only, the ratio model / best baseline of each
transition with the current constants (``STACK_DEFAULTS``) and after a refit with the same
4-fold leave-histories-out cross-validation.

Usage (from ``benchmarks/``)::

    SWINGCAST_DATA_DIR=../../shared/data PYTHONPATH=../src python dev_denoise_by_round.py
"""

from __future__ import annotations

import numpy as np
from fit_stack_defaults import NF, _ratio, fit, pool

from swingcast.model import stack


def _defaults(q: str) -> np.ndarray:
    d = stack.STACK_DEFAULTS[q]
    return np.array([*d["theta"], d["beta"]], dtype=float)


def main() -> None:
    for flag in (False, True):
        stack.DENOISE_BY_ROUND = flag
        ts_all = [t for t in pool() if t["q"] == "share"]
        fixed = np.array([_ratio(t, _defaults("share"), True) for t in ts_all])
        groups = sorted({t["name"].rstrip("c") for t in ts_all})
        folds = [groups[i::4] for i in range(4)]
        cv = []
        for g in folds:
            test = [t for t in ts_all if t["name"].rstrip("c") in g]
            xt = fit([t for t in ts_all if t["name"].rstrip("c") not in g], True)
            cv += [_ratio(t, xt, True) for t in test]
        cv = np.array(cv)
        print(f"DENOISE_BY_ROUND={flag}: {len(ts_all)} share transitions; with STACK_DEFAULTS "
              f"median {np.median(fixed):.3f} mean {fixed.mean():.3f}; refit 4-fold CV median "
              f"{np.median(cv):.3f} mean {cv.mean():.3f} share > 1 {np.mean(cv > 1):.2f} (NF={NF})",
              flush=True)


if __name__ == "__main__":
    main()
