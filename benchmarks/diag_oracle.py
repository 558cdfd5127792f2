"""How far below the best baseline can *any* combination of the baselines go? A diagnostic.

Not a model and not a choice: it fits on the test round itself (the answer) to bound what the
class of models of the project can reach against the issue-13 target (model MAE / best
baseline MAE ≤ 0.85). For each named history and quantity, on its test round
(``anchor="actual"``), it prints the MAE of

* ``model``: model v3 as scored by the protocol;
* ``best``: the ex-post best baseline (the denominator of every ratio);
* ``best_cand``: the best single candidate of v3 (a baseline on *denoised* priors);
* ``simplex``: the least-squares weighted mean of v3's candidates with any ``beta``
  (``L + Σ v_k (c_k − L)``, ``v ≥ 0``), fitted on the test round itself, in sample;
* ``l1_pos`` / ``l1_any``: the weights that minimise the MAE itself (a linear programme),
  non-negative / of any sign, fitted on the test round itself, in sample (``l1_any``
  over-fits small areas);
* ``cv_lin``: a ridge regression of the test round on all candidates (plus the census shares
  where the history has a census), fitted on four fifths of its communes and scored on the
  fifth left out (grouped 5-fold; bureaux for a single commune): what knowing this very
  round's pattern in the *other* communes gives;
* ``floor``: the binomial floor of the round.

Every ratio is to ``best``. Usage (from the project root)::

    SWINGCAST_DATA_DIR=../shared/data PYTHONPATH=src .venv/bin/python benchmarks/diag_oracle.py \
        [--history france hds13 ...]
"""

from __future__ import annotations

import argparse

import numpy as np
from fit_stack_defaults import development_steps
from scipy import sparse
from scipy.optimize import linprog, nnls
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import GroupKFold

from swingcast.model.histories import HISTORIES, named_history
from swingcast.model.priors import best_baseline, binomial_floor
from swingcast.model.protocol import _baselines_on, make_model, model_predict

QUANTITIES = ("turnout", "share")


def _groups(communes: np.ndarray) -> np.ndarray:
    """Folds by commune, or by bureau when there are too few communes."""
    if len(set(communes)) >= 10:
        return communes
    return np.arange(len(communes)) % 5


def l1_fit(X: np.ndarray, y: np.ndarray, *, nonnegative: bool) -> np.ndarray:
    """The coefficients minimising ``mean |X b - y|`` (a linear programme, HiGHS), ``b ≥ 0``
    or of any sign: the weights that minimise the very MAE the ratios are made of."""
    n, k = X.shape
    eye = sparse.identity(n, format="csr")
    if nonnegative:
        A = sparse.hstack([sparse.csr_matrix(X), eye, -eye], format="csr")
        c = np.r_[np.zeros(k), np.ones(2 * n)]
        nb = k
    else:
        A = sparse.hstack([sparse.csr_matrix(X), sparse.csr_matrix(-X), eye, -eye], format="csr")
        c = np.r_[np.zeros(2 * k), np.ones(2 * n)]
        nb = 2 * k
    res = linprog(c, A_eq=A, b_eq=y, bounds=(0, None), method="highs")
    if res.status != 0:
        raise RuntimeError(f"l1_fit: {res.message}")
    b = res.x[:nb]
    return b if nonnegative else b[:k] - b[k:]


def oracle_of(spec, quantity: str, k: int, rv, before) -> dict:
    """The MAEs of round ``k`` of ``spec`` forecast from the rounds before it (see the module
    docstring); ``rv`` its values, ``before`` the earlier rounds' values."""
    model = make_model("stack", quantity)
    obs, w, index, L = rv.value.to_numpy(float), rv.inscrits.to_numpy(float), rv.value.index, rv.level
    pred = model_predict(model, spec, spec.rounds[:k], before, rv, L)
    C = model._last[0].C
    base = _baselines_on(spec.rounds[:k], spec, quantity, index, rv.inscrits, L)
    name, bmae = best_baseline(base, obs)
    mae = lambda p: float(np.mean(np.abs(p - obs)))  # noqa: E731
    single = min(mae(C[:, j]) for j in range(C.shape[1]))
    X = C - L
    sw = np.sqrt(w / w.mean())
    v, _ = nnls(X * sw[:, None], (obs - L) * sw)
    simplex = mae(np.clip(L + X @ v, 0, 1))
    l1_pos = mae(np.clip(L + X @ l1_fit(X, obs - L, nonnegative=True), 0, 1))
    l1_any = mae(np.clip(L + X @ l1_fit(X, obs - L, nonnegative=False), 0, 1))
    if quantity == "share" and spec.census is not None:
        from swingcast.model.censusinputs import census_predictors

        Z = census_predictors(spec.census, spec.census_total, index, rv.commune)
        X = np.column_stack([X, np.nan_to_num(np.asarray(Z, dtype=float))])
    cv = np.empty(len(obs))
    for tr, te in GroupKFold(n_splits=5).split(X, obs, _groups(rv.commune.astype(str).to_numpy())):
        r = RidgeCV(alphas=np.logspace(-6, 1, 15)).fit(X[tr], obs[tr] - L, sample_weight=w[tr])
        cv[te] = L + r.predict(X[te])
    return {"history": spec.name, "round": rv.label, "quantity": quantity, "n": len(obs), "model": mae(pred),
            "best": bmae, "best_name": name, "best_cand": single, "simplex": simplex,
            "l1_pos": l1_pos, "l1_any": l1_any, "cv_lin": mae(np.clip(cv, 0, 1)), "floor": binomial_floor(obs, rv.n.to_numpy(float)),
            "k": C.shape[1]}


def test_rows(names: list[str]):
    """The test round of each named history, per quantity."""
    for h in names:
        spec = named_history(h)
        for q in QUANTITIES:
            steps = list(development_steps(spec, q))
            k, rv, before = steps[-1]
            if k != len(spec.rounds) - 1:
                raise SystemExit(f"{h}: the test round has no usable {q}")
            yield h, oracle_of(spec, q, k, rv, before)


def development_rows():
    """Every development forecast of the development histories (no test round in them)."""
    from fit_stack_defaults import dev_specs

    for name, spec in dev_specs():
        for q in QUANTITIES:
            if q == "turnout" and name.endswith("c"):
                continue  # the centre variant of a history has the same turnout
            for k, rv, before in development_steps(spec, q):
                yield name, oracle_of(spec, q, k, rv, before)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--history", nargs="+", default=list(HISTORIES))
    ap.add_argument("--development", action="store_true",
                    help="the development forecasts of the development histories instead of the test rounds")
    args = ap.parse_args()
    rows = []
    print(f"{'history':15s} {'qty':8s} {'n':>6s} {'k':>4s} {'best pp':>8s} {'model':>6s} {'best_c':>6s} "
          f"{'simplex':>7s} {'l1_pos':>6s} {'l1_any':>6s} {'cv_lin':>6s} {'floor':>6s}  best baseline")
    for h, r in (development_rows() if args.development else test_rows(args.history)):
        q = r["quantity"]
        rows.append(r)
        b = r["best"]
        print(f"{h:15s} {q:8s} {r['n']:6d} {r['k']:4d} {100 * b:8.3f} {r['model'] / b:6.3f} "
              f"{r['best_cand'] / b:6.3f} {r['simplex'] / b:7.3f} {r['l1_pos'] / b:6.3f} {r['l1_any'] / b:6.3f} "
              f"{r['cv_lin'] / b:6.3f} "
              f"{r['floor'] / b:6.3f}  {r['round']}: {r['best_name']}", flush=True)
    for q in (*QUANTITIES, None):
        sel = [r for r in rows if q is None or r["quantity"] == q]
        print(f"{q or 'all'} ({len(sel)} forecasts): median ratio "
              + ", ".join(f"{key} {np.median([r[key] / r['best'] for r in sel]):.3f}"
                          for key in ("model", "best_cand", "simplex", "l1_pos", "l1_any", "cv_lin", "floor"))
              + "".join(f"; {key} ≤ 0.85 in {sum(r[key] / r['best'] <= 0.85 for r in sel)}, "
                        f"≥ 1 in {sum(r[key] / r['best'] >= 1 for r in sel)}" for key in ("simplex", "l1_pos", "l1_any")))


if __name__ == "__main__":
    main()
