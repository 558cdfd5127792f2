"""Fit :data:`swingcast.model.stack.STACK_DEFAULTS` on development rounds only.

The pooled development set (docs/models.md, "Protocol log", entry 9) extends entry 6's:
every transition into a round that has an earlier usable round, in

* ``hds13`` without any round that is a test round of a history (EU 2014 ... EU 2019, then
  the legislative 2022 round 2, a round no history scores), RN and centre targets;
* ``dep29`` and 20 départements drawn with seed 1 from the national files, without EU 2019
  (EU 2014 ... legislative 2017 round 2), RN and centre targets; the presidential 2017
  round 2 with its opponent named (finalists' priors).

``theta`` minimises the mean over transitions of MAE(model) / MAE(best baseline of that
transition) + 0.01 |theta|² (Powell), with and without denoising; the variant with the lower
median of a 4-fold leave-histories-out cross-validation is kept, and compared on the same
folds with model v2 (:class:`swingcast.model.blend.BlendModel`, its defaults).

Usage (from the project root; about 15 minutes on 2 cores)::

    SWINGCAST_DATA_DIR=../shared/data PYTHONPATH=src .venv/bin/python benchmarks/fit_stack_defaults.py
"""

from __future__ import annotations

import dataclasses
import json
import sys

import numpy as np
from fit_blend_defaults import _communes, _local
from scipy.optimize import minimize

from swingcast.model.blend import BlendModel, round_year
from swingcast.model.blocs import is_rn
from swingcast.model.histories import _LEG22_2, _bloc_is, _name_is, _rounds, named_history
from swingcast.model.priors import (
    baseline_predictions,
    best_baseline,
    fill_missing,
    share_priors,
    turnout_priors,
)
from swingcast.model.protocol import HistorySpec
from swingcast.model.stack import CANDIDATE_FEATURES, candidates, stack_predict
from swingcast.model.transitions import round_values
from swingcast.schema import DEPARTEMENT

NF = len(CANDIDATE_FEATURES)


_is_centre = _bloc_is("centre")
_is_macron = _name_is("MACRON")


def transitions(spec: HistorySpec, quantity: str, name: str) -> list[dict]:
    rvs = [round_values(r, quantity, target=spec.target, bloc=spec.bloc) for r in spec.rounds]
    out = []
    for k, rv in enumerate(rvs):
        earlier = [r for r in rvs[:k] if r is not None]
        if rv is None or not earlier:
            continue
        idx = rv.value.index
        com = _communes(idx)
        rounds = spec.rounds[:k]
        two = rv.round_no == 2 and spec.opponent is not None and quantity == "share" and \
            rv.label.startswith("2017-presidentielle")
        opp = spec.opponent if two else None
        opp_bloc = spec.opponent_bloc if two else None
        pr = (turnout_priors(rounds) if quantity == "turnout" else
              share_priors(rounds, spec.target, bloc=spec.bloc, opponent=opp, opponent_bloc=opp_bloc))
        base = baseline_predictions(fill_missing(pr, idx, com, rv.inscrits), rv.inscrits.to_numpy(float), rv.level)
        obs = rv.value.to_numpy(float)
        w = rv.inscrits.to_numpy(float)
        kw = dict(kind=rv.kind, round_no=rv.round_no, year=round_year(rv.label), index=idx,
                  inscrits=rv.inscrits, level=rv.level, communes=com, target=spec.target, bloc=spec.bloc,
                  opponent=opp, opponent_bloc=opp_bloc)
        c0 = candidates(rounds, quantity, denoise_priors=False, **kw)
        c1 = candidates(rounds, quantity, denoise_priors=True, **kw)
        v2 = BlendModel(quantity).predict(earlier, kind=rv.kind, round_no=rv.round_no, year=round_year(rv.label),
                                          index=idx, inscrits=rv.inscrits, communes=com, level=rv.level)
        bname, bmae = best_baseline(base, obs)
        out.append({"name": name, "round": rv.label, "q": quantity, "c": (c0, c1), "obs": obs, "w": w,
                    "level": rv.level, "best": bmae, "best_name": bname,
                    "v2": float(np.mean(np.abs(v2 - obs)) / bmae)})
    return out


def _ratio(t: dict, x: np.ndarray, dn: bool, nf: int = NF) -> float:
    """MAE of v3 with ``x`` = (theta of ``nf`` features, beta) over the transition's best baseline."""
    p = stack_predict(t["c"][int(dn)], x[:nf], t["w"], t["level"], x[nf])
    return float(np.mean(np.abs(p - t["obs"])) / t["best"])


def fit(ts: list[dict], dn: bool, nf: int = NF) -> np.ndarray:
    def obj(x: np.ndarray) -> float:
        return float(np.mean([_ratio(t, x, dn, nf) for t in ts]) + 0.01 * np.sum(x[:nf] ** 2))
    x0 = np.zeros(nf + 1)
    x0[nf] = 1.0
    return minimize(obj, x0, method="Powell",
                    options={"maxiter": 4000, "xtol": 1e-3, "ftol": 1e-5}).x


def dev_specs() -> list[tuple[str, HistorySpec]]:
    """The development histories (no test round of any history in them)."""
    from swingcast.model.casedata import EU14, EU19, HDS13_COMMUNES, LEG17_1, PRES17_1, PRES17_2

    hds = _rounds([EU14, PRES17_1, PRES17_2, LEG17_1, EU19, _LEG22_2], communes=HDS13_COMMUNES)
    specs = [("hds13", HistorySpec("hds13", hds[:-1], is_rn, "far_right", opponent=_is_macron,
                                   opponent_bloc="centre")),
             ("hds13c", HistorySpec("hds13c", hds, _is_centre, "centre", opponent=is_rn,
                                    opponent_bloc="far_right"))]
    fr = named_history("france")
    fr.rounds = fr.rounds[:-1]
    deps = sorted(fr.rounds[0].stations[DEPARTEMENT].astype(str).unique())
    pick = [d for d in np.random.default_rng(1).choice(deps, 24, replace=False) if d != "29"][:20]
    print("départements:", " ".join(map(str, pick)), flush=True)
    for d in ["29"] + pick:
        rn = dataclasses.replace(fr, target=is_rn, bloc="far_right", opponent=_is_macron, opponent_bloc="centre")
        centre = dataclasses.replace(fr, target=_is_centre, bloc="centre", opponent=is_rn, opponent_bloc="far_right")
        specs.append((f"d{d}", _local(rn, [str(d)])))
        specs.append((f"d{d}c", _local(centre, [str(d)])))
    return specs


def pool() -> list[dict]:
    out: list[dict] = []
    for name, spec in dev_specs():
        for q in ("turnout", "share"):
            if q == "turnout" and name.endswith("c"):
                continue  # the same turnout transitions as the RN spec
            out += transitions(spec, q, name.rstrip("c") if q == "turnout" else name)
        print(name, len(out), flush=True)
    return out


def cached(path: str | None, build):
    """``build()``, read from the pickle ``path`` when it exists, else built (and written there)."""
    import os
    import pickle

    if path and os.path.exists(path):
        with open(path, "rb") as fh:
            return pickle.load(fh)
    out = build()
    if path:
        with open(path, "wb") as fh:
            pickle.dump(out, fh)
    return out


def cached_pool(path: str | None) -> list[dict]:
    """:func:`pool`, read from the pickle ``path`` when it exists, else built (and written there)."""
    return cached(path, pool)


def development_steps(spec: HistorySpec, quantity: str):
    """``(k, values, earlier values)`` for every round of ``spec`` that has an earlier usable
    round: the rolling-origin forecasts a development script scores."""
    rvs = [round_values(r, quantity, target=spec.target, bloc=spec.bloc) for r in spec.rounds]
    for k, rv in enumerate(rvs):
        before = [r for r in rvs[:k] if r is not None]
        if rv is not None and before:
            yield k, rv, before


def cross_validate(ts: list[dict], dn: bool, folds: list[list[str]]) -> tuple[np.ndarray, np.ndarray, list[dict]]:
    """:func:`fit` on all ``ts``, and each transition's ratio with the fit that left its fold
    (histories by name) out; returns (full fit, CV ratios, the transitions in their order)."""
    x = fit(ts, dn)
    cv, order = [], []
    for g in folds:
        test = [t for t in ts if t["name"].rstrip("c") in g]
        xt = fit([t for t in ts if t["name"].rstrip("c") not in g], dn)
        cv += [_ratio(t, xt, dn) for t in test]
        order += test
    return x, np.array(cv), order


def main() -> None:
    import os

    ts_all = cached_pool(os.environ.get("STACK_POOL"))  # a pickle of pool(), to refit without rebuilding it
    result = {}
    for q in ("turnout", "share"):
        ts = [t for t in ts_all if t["q"] == q]
        groups = sorted({t["name"].rstrip("c") for t in ts})
        folds = [groups[i::4] for i in range(4)]
        v2 = [t["v2"] for t in ts]
        print(f"{q}: {len(ts)} transitions; v2 median {np.median(v2):.3f} mean {np.mean(v2):.3f} "
              f"share > 1 {np.mean(np.array(v2) > 1):.2f}", flush=True)
        for dn in (False, True):
            x, cv, _ = cross_validate(ts, dn, folds)
            print(f"  denoise={dn} theta={dict(zip(CANDIDATE_FEATURES, np.round(x[:NF], 2).tolist(), strict=True))}"
                  f" beta={x[NF]:.3f}\n"
                  f"    in-sample median {np.median([_ratio(t, x, dn) for t in ts]):.3f}; "
                  f"cv median {np.median(cv):.3f} mean {cv.mean():.3f} share > 1 {np.mean(cv > 1):.2f}",
                  flush=True)
            result[f"{q}-{dn}"] = {"theta": x[:NF].tolist(), "beta": float(x[NF]), "cv_median": float(np.median(cv)),
                                   "cv_mean": float(cv.mean()), "cv_share_above_1": float(np.mean(cv > 1))}
    json.dump(result, sys.stdout if len(sys.argv) < 2 else open(sys.argv[1], "w"), indent=1)


if __name__ == "__main__":
    main()
