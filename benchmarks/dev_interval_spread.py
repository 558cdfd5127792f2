"""Do intervals transfer better when they widen where the candidates disagree? Development only.

For every development history of ``fit_stack_defaults.dev_specs`` (no test round of any
history in them), model v3 forecasts each development round from the rounds before it; the
last of them is the *pseudo-test*, the others calibrate its 80 % interval
``logit(pred) ± q s_i`` by one rule:

* ``pooled`` (the rule in use, entries 9 and 14): ``s_i² = σ² + 1/(n p (1-p))``, σ² and q of
  the pooled calibration forecasts;
* ``spread``: ``s_i² = σ0² + γ d_i + 1/(n p (1-p))``, ``d_i`` the weighted variance of the
  candidates' logits in bureau ``i`` (:func:`swingcast.model.stack.candidate_spread`);
  ``σ0²``, ``γ ≥ 0`` by least squares of the squared calibration errors net of their binomial
  variance on ``(1, d)``;
* ``round``: ``σ²`` times the ratio of the pseudo-test's mean ``d`` to the calibration
  rounds' (a round whose candidates disagree more is harder).

Each rule's q is multiplied by the factor that puts the median pseudo-test coverage at 80 %,
chosen leave-one-history-out (the RN and centre targets of a history left out together);
printed: median coverage, share of pseudo-tests within 75–85 %, mean |coverage − 0.8|.
Also the correlation, over the pseudo-tests, of the realised residual variance with the
calibration σ² and with the round's mean spread. Usage (from ``benchmarks/``)::

    SWINGCAST_DATA_DIR=../../shared/data PYTHONPATH=../src ../.venv/bin/python dev_interval_spread.py
"""

from __future__ import annotations

import os

import numpy as np
from dev_calibration import kappa_for
from fit_stack_defaults import cached, dev_specs, development_steps

from swingcast.model.protocol import make_model, model_predict
from swingcast.model.transitions import _elogit, round_values

RULES = ("pooled", "spread", "round")


def rows_of(spec, quantity: str) -> list[dict]:
    """The rolling-origin forecasts of ``spec``'s rounds, with the candidates' spread."""
    model = make_model("stack", quantity)
    out = []
    for k, rv, before in development_steps(spec, quantity):
        pred = model_predict(model, spec, spec.rounds[:k], before, rv, rv.level)
        p = np.clip(pred, 1e-6, 1 - 1e-6)
        n = rv.n.to_numpy(float)
        obs = rv.value.to_numpy(float)
        out.append({"round": rv.label, "eta": np.log(p / (1 - p)), "t": _elogit(obs, n),
                    "bin": 1.0 / np.clip(n * p * (1 - p), 1e-9, None),
                    "d": np.asarray(model.last_spread_, dtype=float)})
    return out


def _cat(rows: list[dict], key: str) -> np.ndarray:
    return np.concatenate([r[key] for r in rows])


def scale_of(cal: list[dict], test: dict, rule: str) -> tuple[np.ndarray, float]:
    """The sd ``s_i`` of the pseudo-test's bureaux and the calibration's q (before the factor)."""
    r = _cat(cal, "t") - _cat(cal, "eta")
    b, d = _cat(cal, "bin"), _cat(cal, "d")
    if rule == "spread":
        X = np.column_stack([np.ones_like(d), d])
        coef, *_ = np.linalg.lstsq(X, r ** 2 - b, rcond=None)
        gamma = max(float(coef[1]), 0.0)
        s0 = max(float(np.mean(r ** 2 - b - gamma * d)), 1e-4)
        s_cal = np.sqrt(s0 + gamma * d + b)
        s_test = np.sqrt(s0 + gamma * test["d"] + test["bin"])
    else:
        s2 = max(float(np.var(r) - np.mean(b)), 1e-4)
        s_cal = np.sqrt(s2 + b)
        if rule == "round":
            s2 *= float(np.mean(test["d"]) / max(np.mean(d), 1e-9))
        s_test = np.sqrt(s2 + test["bin"])
    return s_test, float(np.quantile(np.abs(r) / s_cal, 0.8))


def forecast_table(specs) -> list[tuple[str, str, list[dict]]]:
    """``(history, quantity, rows_of(...))`` for every development history with at least two
    development forecasts (a history's unusable last rounds dropped first)."""
    table = []
    for name, spec in specs:
        while len(spec.rounds) > 2 and round_values(spec.rounds[-1], "share", target=spec.target,
                                                   bloc=spec.bloc) is None:
            spec.rounds = spec.rounds[:-1]
        for q in ("turnout", "share"):
            if q == "turnout" and name.endswith("c"):
                continue
            rows = rows_of(spec, q)
            if len(rows) >= 2:
                table.append((name, q, rows))
        print(name, flush=True)
    return table


def main() -> None:
    table = cached(os.environ.get("SPREAD_ROWS", "/tmp/dev/spread_rows.pkl"), lambda: forecast_table(dev_specs()))
    for q in ("turnout", "share"):
        items = [(n.rstrip("c"), rows) for n, qq, rows in table if qq == q]
        real, s2cal, spread_ratio = [], [], []
        for _, rows in items:
            cal, test = rows[:-1], rows[-1]
            r_cal = _cat(cal, "t") - _cat(cal, "eta")
            r_t = test["t"] - test["eta"]
            real.append(np.var(r_t) - np.mean(test["bin"]))
            s2cal.append(np.var(r_cal) - np.mean(_cat(cal, "bin")))
            spread_ratio.append(np.mean(test["d"]) / max(np.mean(_cat(cal, "d")), 1e-9))
        real, s2cal, spread_ratio = map(np.asarray, (real, s2cal, spread_ratio))
        print(f"{q}: {len(items)} pseudo-tests; corr(log realised/cal σ², log spread ratio) "
              f"{np.corrcoef(np.log(np.clip(real, 1e-4, None) / np.clip(s2cal, 1e-4, None)), np.log(spread_ratio))[0, 1]:.3f}")
        for rule in RULES:
            us = []
            for g, rows in items:
                s, qq = scale_of(rows[:-1], rows[-1], rule)
                us.append((g, np.abs(rows[-1]["t"] - rows[-1]["eta"]) / (qq * s)))
            k = kappa_for([u for _, u in us])
            loo = []
            for g in sorted({g for g, _ in us}):
                kg = kappa_for([u for h, u in us if h != g])
                loo += [float(np.mean(u <= kg)) for h, u in us if h == g]
            loo = np.asarray(loo)
            print(f"  {rule:7s} factor {k:.3f}; leave-one-history-out coverage median {np.median(loo):.3f}, "
                  f"in 0.75-0.85 {np.mean((loo >= .75) & (loo <= .85)):.2f}, "
                  f"mean |cov - 0.8| {np.mean(np.abs(loo - 0.8)):.3f}", flush=True)


if __name__ == "__main__":
    main()
