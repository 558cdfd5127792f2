"""A blend of every earlier round, weighted by how alike each one is to the round forecast.

For one quantity (turnout = votants / inscrits, or a target share of exprimés) and a round
``t`` forecast from the usable rounds ``j`` before it:

1. **Deviations.** ``d_j = value_j - level_j`` per bureau (inscrits-weighted level; a bureau a
   round does not know gets its commune's mean deviation, else 0).
2. **Denoising** (:func:`denoise`, optional per quantity). A bureau's value in a round is a
   binomial draw: a bureau of 300 exprimés measures a 20 % share to ±2.3 pp. Each ``d_j`` is
   shrunk toward its prediction from the other rounds and the leave-one-out mean of its
   commune (a weighted regression across bureaux), by the empirical-Bayes factor
   ``tau² / (tau² + p(1-p)/n)``, ``tau²`` the residual variance left once the binomial part
   is taken out.
3. **Weights.** Each earlier round gets ``softmax(theta · phi_j)`` with ``phi_j`` =
   :data:`PRIOR_FEATURES`: same kind as ``t``; same kind and same round number; distance of
   the area-wide levels on the logit scale; years between them (/5); the prior is the
   target's bloc rather than the target itself; same election (round 1 of the round 2
   forecast); the prior is a round 2.
4. **Logit swing.** ``eta = beta · sum_j w_j (logit(level_j + d_j) - logit(level_j))`` and
   the prediction ``p = expit(logit(level_t) + eta)``, re-centred so that its
   inscrits-weighted mean is exactly the anchor ``level_t``.

``theta``, ``beta`` and whether to denoise are not fitted per history (a history has two to
five transitions, of other kinds than the round forecast): they are the defaults
:data:`DEFAULTS`, fitted once on the *development* rounds of the named histories (docs/models.md,
"Protocol log", entry 6; ``benchmarks/fit_blend_defaults.py`` refits them).

Examples
--------
>>> idx = pd.Index(["1_a", "1_b", "2_a"])
>>> rv = RoundValues("2017-presidentielle-1", "presidentielle", 1,
...                  pd.Series([0.2, 0.3, 0.1], index=idx), pd.Series([500.0] * 3, index=idx),
...                  pd.Series([600.0] * 3, index=idx), pd.Series(["1", "1", "2"], index=idx), "target")
>>> m = BlendModel("share")
>>> p = m.predict([rv], kind="europeennes", round_no=1, year=2019, index=idx,
...               inscrits=rv.inscrits, communes=rv.commune, level=0.25)
>>> round(float(np.average(p, weights=rv.inscrits)), 6)
0.25
>>> bool(p[1] > p[0] > p[2])
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from swingcast.errors import ModelError
from swingcast.model.transitions import RoundValues, _on

__all__ = ["PRIOR_FEATURES", "DEFAULTS", "BlendModel", "carried_level", "denoise", "prior_features",
           "round_year", "swing_of", "weights_of"]

#: the description of an earlier round ``j`` relative to the round forecast ``t``
PRIOR_FEATURES = ("same_kind", "same_kind_and_round", "level_distance", "years_apart_over_5",
                  "prior_is_bloc", "same_election", "prior_is_round2")

#: ``theta`` (one weight per :data:`PRIOR_FEATURES`), ``beta`` and ``denoise`` per quantity,
#: fitted on development rounds only (docs/models.md, entry 6)
DEFAULTS: dict[str, dict] = {
    "turnout": {"theta": (0.75, 0.11, -0.76, 0.08, 0.0, 0.60, -0.26), "beta": 0.87, "denoise": False},
    "share": {"theta": (0.34, -0.01, -0.09, -0.20, 0.0, 0.35, -0.01), "beta": 1.06, "denoise": True},
}

_EPS = 1e-3


def _logit(p: np.ndarray | float) -> np.ndarray:
    q = np.clip(p, _EPS, 1 - _EPS)
    return np.log(q / (1 - q))


def round_year(label: str) -> int:
    """The year of a round label ``<year>-<kind>-<round>``.

    Examples
    --------
    >>> round_year("2019-europeennes-1")
    2019
    """
    head = str(label).split("-", 1)[0]
    if not head.isdigit():
        raise ModelError(f"round label {label!r}: expected '<year>-<kind>-<round>'")
    return int(head)


def prior_features(earlier: Sequence[RoundValues], kind: str, round_no: int, year: int,
                   level: float) -> np.ndarray:
    """One row of :data:`PRIOR_FEATURES` per earlier round.

    Examples
    --------
    >>> idx = pd.Index(["1_a"])
    >>> one = pd.Series([0.5], index=idx)
    >>> rv = RoundValues("2017-presidentielle-1", "presidentielle", 1, one, one, one,
    ...                  pd.Series(["1"], index=idx), "target")
    >>> prior_features([rv], "presidentielle", 2, 2017, 0.5).tolist()
    [[1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0]]
    """
    rows = []
    for r in earlier:
        y = round_year(r.label)
        rows.append([float(r.kind == kind), float(r.kind == kind and r.round_no == round_no),
                     float(abs(_logit(r.level) - _logit(level))), (year - y) / 5.0,
                     float(r.source == "bloc"), float(r.kind == kind and y == year),
                     float(r.round_no == 2)])
    return np.asarray(rows, dtype=float).reshape(len(rows), len(PRIOR_FEATURES))


def _deviations(earlier: Sequence[RoundValues], index: pd.Index, inscrits: pd.Series,
                communes: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Deviations ``d_j`` on ``index`` (filled) and their binomial variances (0 where filled)."""
    w = inscrits.reindex(index).astype(float)
    D, V = [], []
    for r in earlier:
        D.append(_on(r.value.astype(float) - r.level, index, communes, w).to_numpy(float))
        val = r.value.reindex(index)
        n = r.n.reindex(index).astype(float)
        p = np.clip(val.fillna(r.level).to_numpy(float), 0.01, 0.99)
        V.append(np.where(n.notna().to_numpy() & val.notna().to_numpy(),
                          p * (1 - p) / np.clip(n.fillna(1.0).to_numpy(float), 1.0, None), 0.0))
    return np.column_stack(D), np.column_stack(V)


def denoise(D: np.ndarray, V: np.ndarray, w: np.ndarray, communes: np.ndarray,
            rounds: Sequence[str] | None = None, extra: np.ndarray | None = None,
            df_correct: bool = False, extra_by_round: Mapping[str, np.ndarray] | None = None,
            leave_one_out: bool = False) -> np.ndarray:
    """Empirical-Bayes shrinkage of each column of ``D`` toward its prediction from the others.

    Parameters
    ----------
    D : array (bureaux, rounds)
        Deviations of each round.
    V : array (bureaux, rounds)
        Their binomial variances (0: no own measurement, nothing to shrink).
    w : array
        Weights (inscrits).
    communes : array
        Commune of each bureau (the leave-one-out commune mean is a predictor).
    rounds : sequence of str, optional
        The round of each column. Columns of the same round share its sampling noise (a
        candidate's share and its bloc's count the same ballots), so they are left out of
        each other's predictors; default: every column is its own round.
    extra : array (bureaux, k), optional
        More predictors of every column (e.g. census shares of the bureaux).
    df_correct : bool
        Estimate the residual variance with ``n / (n - p)`` (``p`` predictors): an unbiased
        ``tau²`` when the predictors are many for the bureaux (small areas).
    extra_by_round : mapping of str to array (bureaux, k), optional
        Predictors that belong to a round (its whole vote, :mod:`swingcast.model.profiles`):
        those of every round but the column's own (``rounds`` is then required).
    leave_one_out : bool
        Shrink toward each bureau's leave-one-out prediction (``y - e / (1 - h)``, ``h`` the
        leverage) rather than the in-sample one, which holds the bureau's own noise.

    Returns
    -------
    array
        ``yhat + tau² / (tau² + V) · (D - yhat)`` per column.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> truth = rng.normal(0, 0.05, 400)
    >>> D = np.column_stack([truth + rng.normal(0, 0.03, 400) for _ in range(3)])
    >>> V = np.full_like(D, 0.03 ** 2)
    >>> out = denoise(D, V, np.ones(400), np.arange(400) // 4)
    >>> bool(np.mean(np.abs(out[:, 0] - truth)) < np.mean(np.abs(D[:, 0] - truth)))
    True
    """
    D = np.asarray(D, dtype=float)
    out = D.copy()
    w = np.asarray(w, dtype=float)
    _, ci = np.unique(np.asarray(communes).astype(str), return_inverse=True)
    sq = np.sqrt(w)
    for j in range(D.shape[1]):
        y = D[:, j]
        s = np.bincount(ci, weights=w * y)
        sw = np.bincount(ci, weights=w)
        rest = sw[ci] - w
        has = rest > 0
        loo = np.where(has, (s[ci] - w * y) / np.where(has, rest, 1.0), 0.0)
        X = np.column_stack([np.ones(len(y)), loo, has.astype(float)]
                            + [D[:, k] for k in range(D.shape[1])
                               if k != j and (rounds is None or rounds[k] != rounds[j])]
                            + ([] if extra is None else [np.asarray(extra, dtype=float)])
                            + [np.asarray(m, dtype=float) for lab, m in (extra_by_round or {}).items()
                               if rounds is not None and lab != rounds[j] and np.size(m)])
        Xw = X * sq[:, None]
        beta, *_ = np.linalg.lstsq(Xw, y * sq, rcond=None)
        yhat = X @ beta
        if leave_one_out:
            G = np.linalg.pinv(Xw.T @ Xw)
            h = np.clip(np.einsum("ij,jk,ik->i", Xw, G, Xw), 0.0, 0.99)
            yhat = y - (y - yhat) / (1.0 - h)
        resid2 = float(np.average((y - yhat) ** 2, weights=w))
        if df_correct and len(y) > X.shape[1] + 1:
            resid2 *= len(y) / (len(y) - X.shape[1])
        tau2 = max(resid2 - float(np.average(V[:, j], weights=w)), 1e-6)
        out[:, j] = yhat + tau2 / (tau2 + V[:, j]) * (y - yhat)
    return out


def weights_of(F: np.ndarray, theta: Sequence[float]) -> np.ndarray:
    """``softmax(F @ theta)``: the weight of each earlier round (rows of ``F``).

    Examples
    --------
    >>> weights_of(np.array([[1.0], [0.0]]), [np.log(3.0)]).round(3).tolist()
    [0.75, 0.25]
    """
    z = np.asarray(F, dtype=float) @ np.asarray(theta, dtype=float)
    e = np.exp(z - z.max())
    return e / e.sum()


def swing_of(D: np.ndarray, levels: np.ndarray, weights: np.ndarray, beta: float, level: float,
             w: np.ndarray) -> np.ndarray:
    """The blend's prediction from the deviations ``D`` (bureaux × rounds) of rounds at ``levels``.

    ``expit(logit(level) + beta · Σ_j weights_j (logit(levels_j + D_j) − logit(levels_j)))``,
    re-centred so that its ``w``-weighted mean is ``level``.

    Examples
    --------
    >>> p = swing_of(np.array([[0.1], [-0.1]]), np.array([0.3]), np.array([1.0]), 1.0, 0.4,
    ...              np.array([1.0, 1.0]))
    >>> round(float(p.mean()), 6), bool(p[0] > p[1])
    (0.4, True)
    """
    levels = np.asarray(levels, dtype=float)
    E = _logit(levels[None, :] + D) - _logit(levels)[None, :]
    eta = float(beta) * (E @ np.asarray(weights, dtype=float))
    return _recentre(1.0 / (1.0 + np.exp(-(_logit(level) + eta))), np.asarray(w, dtype=float), level)


def _recentre(p: np.ndarray, w: np.ndarray, level: float) -> np.ndarray:
    from swingcast.model.estimators import recentre

    return recentre(np.clip(p, 1e-6, 1 - 1e-6), w, float(np.clip(level, 1e-6, 1 - 1e-6)))


@dataclass
class BlendModel:
    """Similarity-weighted logit swing of (denoised) earlier rounds; see the module docstring.

    Parameters
    ----------
    quantity : {"turnout", "share"}
        Picks the defaults of :data:`DEFAULTS`.
    theta, beta, denoise : optional
        Override the defaults.

    Examples
    --------
    >>> BlendModel("share").denoise
    True
    """

    quantity: str
    theta: tuple[float, ...] | None = None
    beta: float | None = None
    denoise: bool | None = None
    last_weights_: dict[str, float] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.quantity not in DEFAULTS:
            raise ModelError(f"BlendModel: quantity must be 'turnout' or 'share', got {self.quantity!r}")
        d = DEFAULTS[self.quantity]
        self.theta = tuple(d["theta"]) if self.theta is None else tuple(self.theta)
        self.beta = float(d["beta"]) if self.beta is None else float(self.beta)
        self.denoise = bool(d["denoise"]) if self.denoise is None else bool(self.denoise)
        if len(self.theta) != len(PRIOR_FEATURES):
            raise ModelError(f"BlendModel: theta needs {len(PRIOR_FEATURES)} values, got {len(self.theta)}")

    def weights(self, earlier: Sequence[RoundValues], kind: str, round_no: int, year: int,
                level: float) -> np.ndarray:
        """The weight of each earlier round (they sum to 1)."""
        return weights_of(prior_features(earlier, kind, round_no, year, level), self.theta)

    def predict(self, earlier: Sequence[RoundValues], *, kind: str, round_no: int, year: int,
                index: pd.Index, inscrits: pd.Series, communes: pd.Series, level: float) -> np.ndarray:
        """Predicted proportions of the bureaux ``index``, inscrits-weighted mean ``level``.

        Parameters
        ----------
        earlier : sequence of RoundValues
            The usable rounds before the one forecast, oldest first.
        kind, round_no, year
            The round forecast.
        index, inscrits, communes
            Its bureaux, their inscrits (the weights of the level) and communes.
        level : float
            The anchor: the area-wide value the predictions average to.
        """
        if not earlier:
            raise ModelError("BlendModel.predict: no earlier usable round")
        D, V = _deviations(earlier, index, inscrits, communes)
        w = inscrits.reindex(index).astype(float).to_numpy()
        if self.denoise:
            D = denoise(D, V, w, communes.reindex(index).astype(str).to_numpy())
        wts = self.weights(earlier, kind, round_no, year, level)
        self.last_weights_ = {r.label: float(x) for r, x in zip(earlier, wts, strict=True)}
        return swing_of(D, np.array([r.level for r in earlier], dtype=float), wts, float(self.beta), level, w)


def carried_level(earlier: Sequence[RoundValues], kind: str, round_no: int) -> tuple[float, str]:
    """The level carried when no anchor is given, and the round it comes from.

    Examples
    --------
    >>> idx = pd.Index(["1_a"])
    >>> mk = lambda lab, kind, v: RoundValues(lab, kind, int(lab[-1]), pd.Series([v], index=idx),
    ...     pd.Series([1.0], index=idx), pd.Series([1.0], index=idx), pd.Series(["1"], index=idx), "turnout")
    >>> carried_level([mk("2017-presidentielle-1", "presidentielle", 0.78),
    ...                mk("2019-europeennes-1", "europeennes", 0.5)], "presidentielle", 1)
    (0.78, '2017-presidentielle-1')
    """
    for keep in (lambda r: r.kind == kind and r.round_no == round_no, lambda r: r.kind == kind,
                 lambda r: True):
        hits = [r for r in earlier if keep(r)]
        if hits:
            return float(hits[-1].level), hits[-1].label
    raise ModelError("carried_level: no earlier usable round")
