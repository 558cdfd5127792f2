"""Uncertainty of a vote-transfer share model (its own, not borrowed from another model).

A transfer model predicts a bureau's round-2 share from its round-1 votes and survey rates
(:func:`swingcast.model.casedata.transfer_share`). Two sources of error are modelled, on the logit
scale:

* **survey sampling**: each measured rate comes from a sub-sample of the survey (the voters of
  one candidate). :func:`survey_logit_sd` redraws the rates (Dirichlet around the published
  rates, concentration = sub-sample size), recomputes every bureau's share, removes the
  area-wide level of each draw (the back-test's anchor fixes it) and returns the per-bureau
  sd of what is left: the part of the rate error that moves bureaux differently;
* **local departures from constant rates**: voters of one candidate do not transfer alike in
  every bureau. :func:`ecological_noise` measures this on a transition known earlier (in
  Paris: European 2014 -> presidential 2017 round 1), by fitting constant transfer rates
  from the earlier composition of the vote (weighted least squares, out-of-fold) and
  returning the over-dispersion and the standardised out-of-fold residuals, whose conformal
  quantile sets the interval.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq
from scipy.special import expit, logit
from sklearn.model_selection import KFold

from swingcast.errors import ModelError
from swingcast.model.intervals import conformal_quantile, size_scale

__all__ = ["survey_logit_sd", "ecological_noise", "EcologicalNoise"]


def _level_shift(eta: np.ndarray, w: np.ndarray, level: float) -> float:
    def gap(delta: float) -> float:
        return float(np.average(expit(eta + delta), weights=w)) - level

    return brentq(gap, -20.0, 20.0, xtol=1e-10)


def survey_logit_sd(
    voix: np.ndarray,
    rates: np.ndarray,
    sizes: np.ndarray,
    weights: np.ndarray,
    *,
    n_draws: int = 400,
    seed: int = 0,
) -> np.ndarray:
    """Per-bureau logit sd of the transfer share due to the survey's sampling error.

    Parameters
    ----------
    voix : array (n_bureaux, n_sources)
        Round-1 votes of each source electorate (candidate) per bureau.
    rates : array (n_sources, 2)
        Share of each source's voters going to the candidate and to the opponent (0-1); the
        rest abstain or vote blank.
    sizes : array (n_sources,)
        Survey sub-sample behind each source's rates; 0 or ``inf`` = no sampling error
        (e.g. the candidates' own voters, assumed loyal).
    weights : array (n_bureaux,)
        Weights of the area-wide level removed from each draw (inscrits).
    n_draws, seed : int
        Monte Carlo draws.

    Returns
    -------
    numpy.ndarray
        sd over draws of each bureau's logit share once every draw is re-centred on the
        point prediction's area-wide level.

    Examples
    --------
    Two sources, the first loyal (no sampling error), the second measured on 100
    respondents: the bureaux far from the area's mix move most, and the error shrinks like
    ``1 / sqrt(size)``:

    >>> v = np.array([[60.0, 40.0], [20.0, 80.0], [40.0, 60.0]])
    >>> r = np.array([[0.9, 0.05], [0.5, 0.3]])
    >>> sd = survey_logit_sd(v, r, np.array([0.0, 100.0]), np.ones(3))
    >>> bool(sd[0] > sd[2]) and bool(sd[1] > sd[2])
    True
    >>> big = survey_logit_sd(v, r, np.array([0.0, 10000.0]), np.ones(3))
    >>> bool(np.all(big < sd / 5))
    True
    """
    voix = np.asarray(voix, dtype=float)
    rates = np.asarray(rates, dtype=float)
    sizes = np.asarray(sizes, dtype=float)
    w = np.asarray(weights, dtype=float)
    if voix.ndim != 2 or rates.shape != (voix.shape[1], 2) or sizes.shape != (voix.shape[1],):
        raise ModelError(
            f"survey_logit_sd: expected voix (n, k), rates (k, 2), sizes (k,); got "
            f"{voix.shape}, {rates.shape}, {sizes.shape}"
        )
    if np.any(rates < 0) or np.any(rates.sum(axis=1) > 1 + 1e-9):
        raise ModelError("survey_logit_sd: rates must be >= 0 with candidate + opponent <= 1")

    def share(r: np.ndarray) -> np.ndarray:
        num = voix @ r[:, 0]
        den = voix @ (r[:, 0] + r[:, 1])
        return np.clip(num / den, 1e-6, 1 - 1e-6)

    point = logit(share(rates))
    level = float(np.average(expit(point), weights=w))
    rng = np.random.default_rng(seed)
    draws = np.empty((n_draws, voix.shape[0]))
    third = np.clip(1.0 - rates.sum(axis=1), 0.0, None)
    probs = np.column_stack([rates, third])
    for d in range(n_draws):
        r = rates.copy()
        for c in np.flatnonzero(np.isfinite(sizes) & (sizes > 0)):
            r[c] = rng.dirichlet(probs[c] * sizes[c] + 1e-9)[:2]
        eta = logit(share(r))
        draws[d] = eta + _level_shift(eta, w, level)
    return draws.std(axis=0, ddof=1)


class EcologicalNoise:
    """Result of :func:`ecological_noise`.

    Attributes
    ----------
    sigma2 : float
        Logit-scale over-dispersion of the bureaux around constant transfer rates.
    residuals : numpy.ndarray
        Standardised out-of-fold residuals.
    q : float
        Their conformal quantile at the requested coverage.
    rates : numpy.ndarray
        Transfer rates fitted on all bureaux (one per source composition column).
    fitted : numpy.ndarray
        Out-of-fold predicted shares.
    """

    def __init__(
        self, sigma2: float, residuals: np.ndarray, q: float, rates: np.ndarray, fitted: np.ndarray
    ) -> None:
        self.sigma2 = sigma2
        self.residuals = residuals
        self.q = q
        self.rates = rates
        self.fitted = fitted

    def scale(self, p: np.ndarray, n: np.ndarray, extra: np.ndarray | float = 0.0) -> np.ndarray:
        """Logit scale ``sqrt(sigma2 + 1 / (n p (1 - p)) + extra)`` of new bureaux."""
        return size_scale(p, n, self.sigma2, extra)


def ecological_noise(
    composition: np.ndarray,
    outcome: np.ndarray,
    sizes: np.ndarray,
    *,
    coverage: float = 0.8,
    folds: int = 5,
    seed: int = 0,
) -> EcologicalNoise:
    """Local noise around constant transfer rates, measured on an earlier transition.

    ``outcome_i ~ sum_b composition_ib rate_b`` (weighted least squares, weights ``sizes``,
    no intercept: the composition columns sum to one), fitted ``folds`` times; the
    out-of-fold logit residuals ``e_i`` give ``sigma2`` (moment estimate
    ``mean(e^2 - 1/(n p (1 - p)))``, at least 0) and the standardised scores
    ``e_i / sqrt(sigma2 + 1/(n_i p_i (1 - p_i)))``.

    Parameters
    ----------
    composition : array (n, k)
        Earlier vote shares per bureau (rows sum to about 1).
    outcome : array (n,)
        The later share (proportion).
    sizes : array (n,)
        Bureau sizes (the later exprimés or inscrits).
    coverage : float
        Coverage of the quantile ``q``.
    folds, seed : int
        Cross-validation.

    Returns
    -------
    EcologicalNoise

    Examples
    --------
    Outcomes drawn exactly from constant rates plus binomial noise give little
    over-dispersion:

    >>> rng = np.random.default_rng(1)
    >>> a = rng.uniform(0.1, 0.9, 400)
    >>> comp = np.column_stack([a, 1 - a])
    >>> n = np.full(400, 800.0)
    >>> y = rng.binomial(800, comp @ np.array([0.7, 0.2])) / 800
    >>> res = ecological_noise(comp, y, n)
    >>> bool(res.sigma2 < 0.002), np.round(res.rates, 1).tolist()
    (True, [0.7, 0.2])
    """
    X = np.asarray(composition, dtype=float)
    y = np.asarray(outcome, dtype=float)
    n = np.asarray(sizes, dtype=float)
    if X.ndim != 2 or len(X) != len(y) or len(y) != len(n):
        raise ModelError(f"ecological_noise: shapes {X.shape}, {y.shape}, {n.shape} do not match")
    if len(y) < 2 * folds:
        raise ModelError(f"ecological_noise: {len(y)} bureaux are too few for {folds} folds")

    def fit(rows: np.ndarray) -> np.ndarray:
        sw = np.sqrt(n[rows])
        coef, *_ = np.linalg.lstsq(X[rows] * sw[:, None], y[rows] * sw, rcond=None)
        return coef

    pred = np.empty(len(y))
    for tr, te in KFold(folds, shuffle=True, random_state=seed).split(X):
        pred[te] = X[te] @ fit(tr)
    p = np.clip(pred, 1e-4, 1 - 1e-4)
    t = logit(np.clip(y, 0.5 / n, 1 - 0.5 / n))
    e = t - logit(p)
    binom = 1.0 / (n * p * (1 - p))
    sigma2 = max(0.0, float(np.mean(e**2 - binom)))
    scores = e / np.sqrt(sigma2 + binom)
    q = conformal_quantile(np.abs(scores), coverage)
    return EcologicalNoise(sigma2, scores, q, fit(np.arange(len(y))), p)
