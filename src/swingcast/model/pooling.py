"""Partial pooling of commune effects: small communes borrow strength from the rest.

A bureau's residual on the logit scale is modelled as ``e_i = u_g + eps_i`` where ``u_g`` is
the effect of its commune (``g``), drawn from ``N(0, tau2)``, and ``eps_i`` has a known
variance ``v_i`` (binomial sampling variance plus bureau-level over-dispersion). The best
linear unbiased predictor of ``u_g`` is the precision-weighted commune mean residual shrunk
towards zero by ``W_g / (W_g + 1 / tau2)``, with ``W_g = sum(1 / v_i)``: a commune with
few or small bureaux is pulled towards the population mean, a large one keeps its own mean
(the "n / (n + k)" shrinkage of a random-intercept model). ``tau2`` is estimated by the
DerSimonian-Laird method-of-moments formula, treating each commune as a study.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "GroupEffects",
    "estimate_overdispersion",
    "group_codes",
    "group_effects",
    "shrunk_effects",
    "mixed_model_cov",
]


class GroupEffects:
    """Estimated commune effects and the variance components behind them.

    Attributes
    ----------
    effects : pandas.Series
        Shrunk (or raw, when ``shrink=False``) effect per group.
    raw : pandas.Series
        Precision-weighted mean residual per group, before shrinkage.
    shrinkage : pandas.Series
        ``W_g / (W_g + 1 / tau2)`` per group (1 = no shrinkage).
    tau2 : float
        Between-group variance.
    """

    def __init__(
        self, effects: pd.Series, raw: pd.Series, shrinkage: pd.Series, tau2: float
    ) -> None:
        self.effects = effects
        self.raw = raw
        self.shrinkage = shrinkage
        self.tau2 = tau2

    def lookup(self, groups: object) -> np.ndarray:
        """Effect of each group in ``groups``; 0 for groups never seen.

        Examples
        --------
        >>> ge = GroupEffects(pd.Series({"a": 0.5}), pd.Series({"a": 0.5}), pd.Series({"a": 1.0}), 1.0)
        >>> ge.lookup(["a", "z"]).tolist()
        [0.5, 0.0]
        """
        pos = self.effects.index.get_indexer(np.asarray(groups, dtype=object))
        values = np.append(self.effects.to_numpy(dtype=float), 0.0)
        return values[pos]  # position -1 (unseen) picks the appended 0


def estimate_overdispersion(
    residuals: np.ndarray, sampling_var: np.ndarray, groups: object | None = None
) -> float:
    """Bureau-level over-dispersion ``sigma2`` beyond the sampling variance.

    With groups, the residuals are first centred on their group mean (with the
    ``n / (n - 1)`` correction) so that commune effects are not counted twice; groups of one
    bureau are skipped.

    Parameters
    ----------
    residuals : array of float
        Residuals on the logit scale.
    sampling_var : array of float
        Their sampling variance (``1 / (n p (1 - p))`` for a binomial proportion).
    groups : array-like, optional
        Group label of each residual.

    Returns
    -------
    float
        ``max(0, mean(e^2 - v))`` (within groups when given).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> e = rng.normal(0, np.sqrt(0.04 + 0.01), 20000)
    >>> round(estimate_overdispersion(e, np.full(20000, 0.01)), 2)
    0.04
    """
    e = np.asarray(residuals, dtype=float)
    v = np.asarray(sampling_var, dtype=float)
    if groups is None:
        return float(max(0.0, np.mean(e**2 - v)))
    codes, k = group_codes(groups)
    count = np.bincount(codes, minlength=k).astype(float)
    size = count[codes]
    centred = e - (np.bincount(codes, weights=e, minlength=k) / np.maximum(count, 1.0))[codes]
    keep = size > 1
    if not keep.any():
        return float(max(0.0, np.mean(e**2 - v)))
    dev = centred[keep] ** 2 * size[keep] / (size[keep] - 1)
    return float(max(0.0, np.mean(dev - v[keep])))


def group_codes(groups: object) -> tuple[np.ndarray, int]:
    """Integer code of each group label and the number of groups.

    An integer array is taken as codes already (``0 .. k - 1``).

    Examples
    --------
    >>> codes, k = group_codes(["b", "a", "b"])
    >>> codes.tolist(), k
    ([0, 1, 0], 2)
    """
    arr = np.asarray(groups)
    if arr.dtype.kind in "iu":
        return arr.astype(np.intp, copy=False), int(arr.max()) + 1 if arr.size else 0
    codes, uniques = pd.factorize(np.asarray(groups, dtype=object))
    return codes.astype(np.intp, copy=False), len(uniques)


def group_effects(
    residuals: np.ndarray,
    variance: np.ndarray,
    groups: object,
    *,
    shrink: bool = True,
    tau2: float | None = None,
) -> GroupEffects:
    """Random-intercept estimates of group effects from residuals.

    Parameters
    ----------
    residuals : array of float
        Residuals on the logit scale (observed minus fixed-effects prediction).
    variance : array of float
        Variance of each residual around its group effect (sampling + over-dispersion).
    groups : array-like
        Group (commune) of each residual.
    shrink : bool
        False returns the raw precision-weighted group means (no pooling).
    tau2 : float, optional
        Between-group variance; estimated (DerSimonian-Laird) when None.

    Returns
    -------
    GroupEffects

    Examples
    --------
    One commune with two bureaux at +0.2 and one single-bureau commune at -0.2, residual
    variance 0.01, between-commune variance 0.01: the shrinkage factors are
    ``200 / (200 + 100) = 2/3`` and ``100 / (100 + 100) = 1/2``.

    >>> ge = group_effects(np.array([0.2, 0.2, -0.2]), np.full(3, 0.01), ["a", "a", "b"], tau2=0.01)
    >>> ge.shrinkage.round(4).to_dict()
    {'a': 0.6667, 'b': 0.5}
    >>> ge.effects.round(4).to_dict()
    {'a': 0.1333, 'b': -0.1}
    """
    labels = pd.Index(pd.unique(np.asarray(groups, dtype=object)))
    codes = labels.get_indexer(np.asarray(groups, dtype=object))
    effects, raw, factor, tau2 = shrunk_effects(residuals, variance, codes, len(labels), shrink=shrink, tau2=tau2)
    return GroupEffects(
        pd.Series(effects, index=labels, name="effect"),
        pd.Series(raw, index=labels, name="raw"),
        pd.Series(factor, index=labels, name="shrinkage"),
        tau2,
    )


def shrunk_effects(
    residuals: np.ndarray,
    variance: np.ndarray,
    codes: np.ndarray,
    n_groups: int,
    *,
    shrink: bool = True,
    tau2: float | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Array version of :func:`group_effects` on integer group codes (the fast inner loop).

    Returns
    -------
    (effects, raw, shrinkage, tau2)
        Arrays of length ``n_groups`` and the between-group variance.

    Examples
    --------
    >>> eff, raw, fac, t2 = shrunk_effects(np.array([0.2, 0.2, -0.2]), np.full(3, 0.01),
    ...                                    np.array([0, 0, 1]), 2, tau2=0.01)
    >>> eff.round(4).tolist()
    [0.1333, -0.1]
    """
    e = np.asarray(residuals, dtype=float)
    w = 1.0 / np.asarray(variance, dtype=float)
    W = np.bincount(codes, weights=w, minlength=n_groups)
    safe = np.where(W > 0, W, 1.0)
    raw = np.bincount(codes, weights=w * e, minlength=n_groups) / safe
    present = W > 0
    if tau2 is None:
        tau2 = _dersimonian_laird(raw[present], W[present])
    if not shrink:
        factor = np.ones(n_groups)
    elif tau2 <= 0:
        factor = np.zeros(n_groups)
    else:
        factor = W / (W + 1.0 / tau2)
    return raw * factor, raw, factor, float(tau2)


def _dersimonian_laird(means: np.ndarray, precision: np.ndarray) -> float:
    """Between-group variance from group means and their precisions (method of moments)."""
    k = means.shape[0]
    if k < 2:
        return 0.0
    total = precision.sum()
    centre = np.sum(precision * means) / total
    q = np.sum(precision * (means - centre) ** 2)
    denom = total - np.sum(precision**2) / total
    if denom <= 0:
        return 0.0
    return float(max(0.0, (q - (k - 1)) / denom))


def mixed_model_cov(
    exog: np.ndarray, variance: np.ndarray, groups: object | None, tau2: float
) -> np.ndarray:
    """Covariance ``(X' V^-1 X)^-1`` of the GLS coefficients of a random-intercept model.

    ``V`` is block-diagonal: ``diag(variance) + tau2 * J`` within each group (Woodbury
    identity per group, so no n x n matrix is formed).

    Parameters
    ----------
    exog : array of shape (n, p)
        Design matrix (with the intercept column).
    variance : array of shape (n,)
        Residual variance of each observation around its group effect.
    groups : array-like or None
        Group of each observation (None or ``tau2 = 0``: independent observations).
    tau2 : float
        Between-group variance.

    Returns
    -------
    numpy.ndarray of shape (p, p)

    Examples
    --------
    Two observations of one group, unit variances, ``tau2 = 1``: the mean of the pair has
    variance ``1 + 1/2``.

    >>> mixed_model_cov(np.ones((2, 1)), np.ones(2), ["a", "a"], 1.0).round(12).tolist()
    [[1.5]]
    """
    X = np.asarray(exog, dtype=float)
    d = 1.0 / np.asarray(variance, dtype=float)
    info = (X * d[:, None]).T @ X
    if groups is not None and tau2 > 0:
        codes, k = group_codes(groups)
        W = np.bincount(codes, weights=d, minlength=k)
        S = np.zeros((k, X.shape[1]))
        np.add.at(S, codes, X * d[:, None])
        factor = tau2 / (1.0 + tau2 * W)
        info -= (S * factor[:, None]).T @ S
    return np.linalg.pinv(info)
