"""Conformal prediction intervals on the logit scale, wider for small bureaux.

A bureau's observed log-odds ``t_i`` differs from the predicted ``eta_i`` by sampling noise
(binomial: variance ``1 / (n_i p_i (1 - p_i))``, large for small bureaux), a bureau-level
over-dispersion ``sigma2`` and the error of its commune effect (posterior variance
``1 / (W_g + 1 / tau2)``: small for a commune with many bureaux, ``tau2`` for a commune never
seen). The size factor ``s_i = sqrt(sigma2 + 1 / (n_i p_i (1 - p_i)) + postvar_g)`` puts every
bureau on a common scale; the conformity score is ``|t_i - eta_i| / s_i``. Its
finite-sample conformal quantile ``q`` (the ``ceil((m + 1) * coverage)``-th smallest of ``m``
held-out scores) gives the interval ``expit(eta_i -/+ q * s_i)``, valid at ``coverage`` for
exchangeable bureaux (Lei et al., 2018, "Distribution-free predictive inference for
regression", JASA 113:1094, normalised split conformal).
"""

from __future__ import annotations

import math

import numpy as np

from swingcast.errors import ModelError
from swingcast.model._modelinput import EPS, expit

__all__ = ["size_scale", "conformal_quantile", "logit_interval", "empirical_logit"]


def empirical_logit(y: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Log-odds of ``y`` with the +0.5 correction (finite for 0 and 1).

    ``log((y n + 0.5) / (n - y n + 0.5))`` with ``n`` the bureau size.

    Examples
    --------
    >>> empirical_logit(np.array([0.0, 0.5]), np.array([99.0, 10.0])).round(3).tolist()
    [-5.293, 0.0]
    """
    y = np.asarray(y, dtype=float)
    n = np.asarray(n, dtype=float)
    return np.log(y * n + 0.5) - np.log(n - y * n + 0.5)


def size_scale(
    p: np.ndarray, n: np.ndarray, sigma2: float, extra: np.ndarray | float = 0.0
) -> np.ndarray:
    """Scale of a bureau's logit residual: ``sqrt(sigma2 + 1 / (n p (1 - p)) + extra)``.

    Parameters
    ----------
    p : array of float
        Predicted proportion.
    n : array of float
        Bureau size (inscrits).
    sigma2 : float
        Over-dispersion on the logit scale.
    extra : array of float or float
        Further variance per bureau (the uncertainty of its commune effect).

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> size_scale(np.array([0.5, 0.5]), np.array([100.0, 400.0]), 0.0).tolist()
    [0.2, 0.1]
    """
    p = np.clip(np.asarray(p, dtype=float), EPS, 1 - EPS)
    n = np.asarray(n, dtype=float)
    return np.sqrt(sigma2 + 1.0 / (n * p * (1.0 - p)) + extra)


def conformal_quantile(scores: np.ndarray, coverage: float) -> float:
    """Finite-sample conformal quantile of non-negative scores.

    Parameters
    ----------
    scores : array of float
        Held-out conformity scores.
    coverage : float
        Nominal coverage in (0, 1).

    Returns
    -------
    float
        The ``ceil((m + 1) * coverage)``-th smallest score (``inf`` if that exceeds ``m``).

    Examples
    --------
    >>> conformal_quantile(np.arange(1.0, 10.0), 0.8)
    8.0
    """
    if not 0 < coverage < 1:
        raise ModelError(f"coverage must be strictly between 0 and 1, got {coverage!r}")
    s = np.sort(np.asarray(scores, dtype=float))
    m = s.shape[0]
    if m == 0:
        raise ModelError("conformal calibration needs at least one held-out score")
    k = math.ceil((m + 1) * coverage)
    if k > m:
        return math.inf
    return float(s[k - 1])


def logit_interval(
    eta: np.ndarray, scale: np.ndarray, q: float
) -> tuple[np.ndarray, np.ndarray]:
    """Interval ``expit(eta -/+ q * scale)`` on the proportion scale.

    Examples
    --------
    >>> lo, hi = logit_interval(np.array([0.0]), np.array([1.0]), 1.0)
    >>> round(float(lo[0]), 4), round(float(hi[0]), 4)
    (0.2689, 0.7311)
    """
    eta = np.asarray(eta, dtype=float)
    half = q * np.asarray(scale, dtype=float)
    return expit(eta - half), expit(eta + half)
