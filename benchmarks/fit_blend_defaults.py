"""Refit :data:`swingcast.model.blend.DEFAULTS` on development rounds only.

The pooled development set (docs/models.md, "Protocol log", entry 6): every transition into a
round that has an earlier usable round, in

* ``hds13`` without its test round (EU 2014 ... EU 2019),
* ``dep29`` and 20 départements drawn with seed 1 from the national files, without their test
  round (EU 2014 ... legislative 2017 round 2),

turnout and the RN share each. ``theta`` and ``beta`` minimise the mean over transitions of
MAE(model) / MAE(best baseline of that transition) + 0.01 |theta|² (Powell), for the logit
scale with and without denoising; the variant with the lower median of a 4-fold
leave-histories-out cross-validation is kept.

Usage (from the project root, about 10 minutes on 2 cores)::

    SWINGCAST_DATA_DIR=../shared/data PYTHONPATH=src .venv/bin/python benchmarks/fit_blend_defaults.py
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from swingcast.model.blend import (
    PRIOR_FEATURES,
    _deviations,
    denoise,
    prior_features,
    round_year,
    swing_of,
    weights_of,
)
from swingcast.model.histories import named_history
from swingcast.model.priors import (
    PriorRound,
    baseline_predictions,
    best_baseline,
    fill_missing,
    share_priors,
    turnout_priors,
)
from swingcast.model.protocol import HistorySpec
from swingcast.model.transitions import round_values
from swingcast.schema import BUREAU_ID, DEPARTEMENT

NF = len(PRIOR_FEATURES)


def _communes(index: pd.Index) -> pd.Series:
    return pd.Series(index.astype(str).str.split("_").str[0], index=index)


def transitions(spec: HistorySpec, quantity: str, name: str) -> list[dict]:
    rvs = [round_values(r, quantity, target=spec.target, bloc=spec.bloc) for r in spec.rounds]
    out = []
    for k, rv in enumerate(rvs):
        earlier = [r for r in rvs[:k] if r is not None]
        if rv is None or not earlier:
            continue
        idx = rv.value.index
        com = _communes(idx)
        pr = (turnout_priors(spec.rounds[:k]) if quantity == "turnout" else
              share_priors(spec.rounds[:k], spec.target, bloc=spec.bloc))
        base = baseline_predictions(fill_missing(pr, idx, com, rv.inscrits), rv.inscrits.to_numpy(float), rv.level)
        obs = rv.value.to_numpy(float)
        D, V = _deviations(earlier, idx, rv.inscrits, com)
        w = rv.inscrits.to_numpy(float)
        out.append({"name": name, "round": rv.label, "D": D, "Dd": denoise(D, V, w, com.to_numpy()),
                    "F": prior_features(earlier, rv.kind, rv.round_no, round_year(rv.label), rv.level),
                    "levels": np.array([r.level for r in earlier]), "obs": obs, "w": w,
                    "level": rv.level, "best": best_baseline(base, obs)[1]})
    return out


def _ratio(t: dict, x: np.ndarray, dn: bool) -> float:
    """MAE of the blend with ``theta, beta = x`` on transition ``t``, over its best baseline's."""
    p = swing_of(t["Dd"] if dn else t["D"], t["levels"], weights_of(t["F"], x[:NF]), x[NF], t["level"], t["w"])
    return float(np.mean(np.abs(p - t["obs"])) / t["best"])


def fit(ts: list[dict], dn: bool) -> np.ndarray:
    x0 = np.zeros(NF + 1)
    x0[NF] = 1.0

    def obj(x: np.ndarray) -> float:
        return float(np.mean([_ratio(t, x, dn) for t in ts]) + 0.01 * np.sum(x[:NF] ** 2))
    return minimize(obj, x0, method="Powell", options={"maxiter": 3000, "xtol": 1e-3, "ftol": 1e-4}).x


def _local(spec: HistorySpec, deps: list[str]) -> HistorySpec:
    """``spec`` cut to the départements ``deps`` (target, bloc, opponent kept)."""
    rounds = []
    for r in spec.rounds:
        st = r.stations[r.stations[DEPARTEMENT].isin(deps)]
        rounds.append(PriorRound(r.label, r.kind, st, r.votes[r.votes[BUREAU_ID].isin(set(st[BUREAU_ID]))]))
    return dataclasses.replace(spec, name="+".join(deps), rounds=rounds, areas=None, cache={})


def main() -> None:
    pool: list[dict] = []
    for name in ("hds13", "dep29"):
        spec = named_history(name)
        spec.rounds = spec.rounds[:-1]  # the test round never enters
        for q in ("turnout", "share"):
            pool += [dict(t, q=q) for t in transitions(spec, q, name)]
    fr = named_history("france")
    fr.rounds = fr.rounds[:-1]
    deps = sorted(fr.rounds[0].stations[DEPARTEMENT].astype(str).unique())
    pick = [d for d in np.random.default_rng(1).choice(deps, 24, replace=False) if d != "29"][:20]
    print("départements:", " ".join(map(str, pick)))
    for d in pick:
        sub = _local(fr, [str(d)])
        for q in ("turnout", "share"):
            pool += [dict(t, q=q) for t in transitions(sub, q, f"d{d}")]
    for q in ("turnout", "share"):
        ts = [t for t in pool if t["q"] == q]
        names = sorted({t["name"] for t in ts})
        for dn in (False, True):
            x = fit(ts, dn)
            cv = []
            for g in (names[i::4] for i in range(4)):
                xt = fit([t for t in ts if t["name"] not in g], dn)
                cv += [_ratio(t, xt, dn) for t in ts if t["name"] in g]
            print(f"{q} denoise={dn} theta={np.round(x[:NF], 2).tolist()} beta={x[NF]:.2f} "
                  f"({len(ts)} transitions) cv median ratio {np.median(cv):.3f} mean {np.mean(cv):.3f} "
                  f"share > 1 {np.mean(np.array(cv) > 1):.2f}")


if __name__ == "__main__":
    main()
