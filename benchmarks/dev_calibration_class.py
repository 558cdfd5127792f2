"""Calibrate intervals on development forecasts of the same *class* as the test? Development only.

A round 2 forecast with its own round 1 among the earlier rounds (``within``: presidential
2017 round 2 from round 1) errs far less than any other forecast (``between``: a new election).
The rule in use pools every development forecast of a history, so a history whose only
development forecast is a round 2 (say presidential 2017 rounds 1 and 2 -> presidential
2022 round 1) gets intervals fitted to the small errors of the round 2.

Pseudo-tests: every development history of ``fit_stack_defaults.dev_specs`` cut after each of
its rounds ``k`` that has at least one development forecast before it (so the histories
[pres 2017 T1, T2 -> leg 2017 T1], [EU 2014, pres T1 -> pres T2], ... of every département):
the forecast of round ``k`` is the pseudo-test, the forecasts before it calibrate
``logit(pred) ± q s_i``, ``s_i² = σ² + 1/(n p (1-p))``:

* ``pooled``: every earlier development forecast (the rule in use), q times
  ``STACK_Q_SCALE``;
* ``class``: only those of the pseudo-test's class; none: the single-prior calibration
  ``STACK_DEFAULT_CALIBRATION`` (σ², q, as a history with no development round gets), else
  q times a factor chosen leave-one-history-out so that the median coverage is 80 %.

Printed per quantity and rule: median coverage, share of pseudo-tests within 75–85 %, mean
|coverage − 0.8|, and the same for the pseudo-tests whose class no earlier forecast has.
Reads the forecasts ``dev_interval_spread.py`` caches (``SPREAD_ROWS``); with
``--without-eu14``, the development histories without European 2014 (so [pres 2017 T1, T2 ->
leg 2017 T1, ...]: a new election calibrated on a round 2 only). Usage (from ``benchmarks/``)::

    SWINGCAST_DATA_DIR=../../shared/data PYTHONPATH=../src ../.venv/bin/python dev_calibration_class.py [--without-eu14]
"""

from __future__ import annotations

import os

import numpy as np
from dev_calibration import kappa_for
from dev_interval_spread import forecast_table
from fit_stack_defaults import cached, dev_specs

from swingcast.model.protocol import STACK_DEFAULT_CALIBRATION, STACK_Q_SCALE


def forecast_class(label: str, earlier: list[str]) -> str:
    """``within`` for a round 2 whose round 1 is among ``earlier``, else ``between``."""
    if label.endswith("-2") and label[:-1] + "1" in earlier:
        return "within"
    return "between"


def _sq(rows: list[dict]) -> tuple[float, float]:
    r = np.concatenate([x["t"] - x["eta"] for x in rows])
    b = np.concatenate([x["bin"] for x in rows])
    s2 = max(float(np.var(r) - np.mean(b)), 1e-4)
    return s2, float(np.quantile(np.abs(r) / np.sqrt(s2 + b), 0.8))


def rows_without_eu14(path: str) -> list:
    """The development forecasts of every development history without European 2014 (it
    then starts with the presidential 2017 round 1), cached in ``path``."""
    import dataclasses

    def build():
        return forecast_table((name, dataclasses.replace(spec, rounds=[r for r in spec.rounds
                                                                       if not r.label.startswith("2014")],
                                                         cache={}))
                              for name, spec in dev_specs())
    return cached(path, build)


def main() -> None:
    import sys

    if "--without-eu14" in sys.argv:
        table = rows_without_eu14(os.environ.get("NO_EU14_ROWS", "/tmp/dev/rows_no_eu14.pkl"))
    else:
        table = cached(os.environ.get("SPREAD_ROWS", "/tmp/dev/spread_rows.pkl"),
                       lambda: forecast_table(dev_specs()))
    for q in ("turnout", "share"):
        cases = []  # (history, u = |z| / (q s) before the factor, rule, fallback?)
        for name, qq, rows in table:
            if qq != q:
                continue
            labels = [r["round"] for r in rows]
            for k in range(1, len(rows)):
                test, cal = rows[k], rows[:k]
                # the rounds before the pseudo-test: the first forecast's own earlier rounds
                # are not in ``rows``; a round 2's round 1 is, when it was forecast too
                # every round 2 of these histories has its round 1 among the rounds before it
                # (the first round of a history has no forecast, so is not in ``labels``)
                cls = forecast_class(test["round"], [test["round"][:-1] + "1"])
                r_t = test["t"] - test["eta"]
                s2, qv = _sq(cal)
                u_pooled = np.abs(r_t) / (qv * STACK_Q_SCALE[q] * np.sqrt(s2 + test["bin"]))
                same = [c for c, lab in zip(cal, labels[:k], strict=True)
                        if forecast_class(lab, [lab[:-1] + "1"]) == cls]
                if same:
                    s2c, qc = _sq(same)
                    u_class = np.abs(r_t) / (qc * np.sqrt(s2c + test["bin"]))
                    fallback = False
                else:
                    s2c, qc = STACK_DEFAULT_CALIBRATION[q]
                    u_class = np.abs(r_t) / (qc * np.sqrt(s2c + test["bin"]))
                    fallback = True
                cases.append((name.rstrip("c"), u_pooled, u_class, fallback, cls, test["round"], len(same)))
        # the class rule's factor, leave one history out (fallback cases keep factor 1)
        groups = sorted({c[0] for c in cases})
        cov_p, cov_c = [], []
        for g in groups:
            train = [c[2] for c in cases if c[0] != g and not c[3]]
            kg = kappa_for(train)
            for c in cases:
                if c[0] == g:
                    cov_p.append(float(np.mean(c[1] <= 1.0)))
                    cov_c.append(float(np.mean(c[2] <= (1.0 if c[3] else kg))))
        k_all = kappa_for([c[2] for c in cases if not c[3]])
        order = [c for g in groups for c in cases if c[0] == g]
        fb = np.array([c[3] for c in order])
        for rule, cov in (("pooled", np.array(cov_p)), ("class", np.array(cov_c))):
            def stats(x):
                return (f"median {np.median(x):.3f}, in 0.75-0.85 {np.mean((x >= .75) & (x <= .85)):.2f}, "
                        f"mean |cov - 0.8| {np.mean(np.abs(x - 0.8)):.3f} ({len(x)})")
            print(f"{q} {rule:6s}: all {stats(cov)}; no same-class forecast before: {stats(cov[fb])}; "
                  f"others: {stats(cov[~fb])}", flush=True)
        print(f"{q} class factor (all histories): {k_all:.3f}")
        by = {}
        for c, cp, cc in zip(order, cov_p, cov_c, strict=True):
            by.setdefault((c[4], c[5], c[3]), []).append((cp, cc))
        for key, v in sorted(by.items()):
            v = np.array(v)
            print(f"   {q} {key[0]:7s} {key[1]:24s} fallback={key[2]!s:5s} n={len(v):2d} "
                  f"pooled {np.median(v[:, 0]):.3f} class {np.median(v[:, 1]):.3f}")


if __name__ == "__main__":
    main()
