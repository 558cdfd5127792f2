"""Which interval calibration transfers? Compared on development pseudo-tests only.

For every development history of ``dev_pseudotest.py`` (test round removed; its last
development round is the pseudo-test), model v3 forecasts the pseudo-test from the rounds
before it and the 80 % interval ``logit(pred) ± q s_i``, ``s_i² = σ² + 1/(n p (1-p))``, is
calibrated from the history's development forecasts before the pseudo-test by each rule:

* ``pooled``: σ², q of all of them (the rule of entries 1 and 6);
* ``latest``: of the latest one only;
* ``max``: the largest per-round σ², q from all of them with that σ²;
* ``pooled+default``: σ² the larger of ``pooled`` and the pooled single-prior
  calibration (``DEFAULT_CALIBRATION``);
* ``pooled`` with q times a multiplier per quantity that puts the median coverage of the
  pseudo-tests at 80 % (its leave-one-history-out coverage is printed).

Prints the coverage of the pseudo-test per history and rule, then the median and the share
of histories within 75–85 %. Usage (from ``benchmarks/``)::

    SWINGCAST_DATA_DIR=../../shared/data PYTHONPATH=../src ../.venv/bin/python dev_calibration.py
"""

from __future__ import annotations

import numpy as np
from fit_stack_defaults import dev_specs

from swingcast.model.protocol import (
    DEFAULT_CALIBRATION,
    _calibrate,
    _interval,
    development_forecasts,
    make_model,
)
from swingcast.model.transitions import _elogit, round_values


def kappa_for(us: list[np.ndarray], target: float = 0.8) -> float:
    """The multiplier of q that puts the median pseudo-test coverage at ``target``."""
    lo, hi = 0.2, 5.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if np.median([np.mean(u <= mid) for u in us]) < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2

RULES = ("pooled", "latest", "max", "pooled+default")


def _sigma_q(rows: list[tuple], rule: str, quantity: str) -> tuple[float, float]:
    cat = [np.concatenate([r[i] for r in rows]) for i in range(3)]
    if rule == "pooled":
        s2, q, _ = _calibrate(*cat)
    elif rule == "latest":
        s2, q, _ = _calibrate(*rows[-1])
    elif rule == "max":
        s2 = max(_calibrate(*r)[0] for r in rows)
        p = np.clip(cat[0], 1e-6, 1 - 1e-6)
        binvar = 1.0 / np.clip(cat[2] * p * (1 - p), 1e-9, None)
        z = (_elogit(cat[1], cat[2]) - np.log(p / (1 - p))) / np.sqrt(s2 + binvar)
        q = float(np.quantile(np.abs(z), 0.8))
    else:
        s2, q, _ = _calibrate(*cat)
        s2 = max(s2, DEFAULT_CALIBRATION[quantity][0])
    return s2, q


def main() -> None:
    cov: dict[tuple[str, str], list[float]] = {}
    scaled: dict[str, list[tuple[str, np.ndarray]]] = {}
    for name, spec in dev_specs():
        while len(spec.rounds) > 2 and round_values(spec.rounds[-1], "share", target=spec.target,
                                                   bloc=spec.bloc) is None:
            spec.rounds = spec.rounds[:-1]
        for q in ("turnout", "share"):
            if q == "turnout" and name.endswith("c"):
                continue
            model = make_model("stack", q)
            rvs = [round_values(r, q, target=spec.target, bloc=spec.bloc) for r in spec.rounds]
            rows = [(pred, rv.value.to_numpy(float), rv.n.to_numpy(float))
                    for _, rv, pred, _ in development_forecasts(model, spec, rvs)]
            if len(rows) < 2:
                continue
            test, dev = rows[-1], rows[:-1]
            s2, qq = _sigma_q(dev, "pooled", q)
            _, _, sd = _interval(test[0], test[2], s2, qq)
            p = np.clip(test[0], 1e-6, 1 - 1e-6)
            u = np.abs(_elogit(test[1], test[2]) - np.log(p / (1 - p))) / (qq * sd)
            scaled.setdefault(q, []).append((name.rstrip("c"), u))
            line = []
            for rule in RULES:
                s2, qq = _sigma_q(dev, rule, q)
                lo, hi, _ = _interval(test[0], test[2], s2, qq)
                c = float(np.mean((lo <= test[1]) & (test[1] <= hi)))
                cov.setdefault((q, rule), []).append(c)
                line.append(f"{rule} {c:.2f}")
            print(f"{name:7s} {q:7s} " + " | ".join(line), flush=True)
    for q, items in scaled.items():
        k = kappa_for([u for _, u in items])
        loo = []  # leave one history (RN and centre targets together) out
        for g in sorted({n for n, _ in items}):
            kg = kappa_for([u for n, u in items if n != g])
            loo += [float(np.mean(u <= kg)) for n, u in items if n == g]
        loo = np.array(loo)
        print(f"{q}: q multiplier (pooled rule) {k:.3f}; leave-one-history-out coverage median "
              f"{np.median(loo):.3f}, in 0.75-0.85 {np.mean((loo >= .75) & (loo <= .85)):.2f}, "
              f"mean |cov - 0.8| {np.mean(np.abs(loo - 0.8)):.3f}")
    for (q, rule), cs in sorted(cov.items()):
        cs = np.array(cs)
        print(f"{q} {rule}: median {np.median(cs):.3f}, in 0.75-0.85 {np.mean((cs >= .75) & (cs <= .85)):.2f}, "
              f"mean |cov - 0.8| {np.mean(np.abs(cs - 0.8)):.3f} ({len(cs)} pseudo-tests)")


if __name__ == "__main__":
    main()
