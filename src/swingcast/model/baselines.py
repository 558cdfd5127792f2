"""Baselines every model is judged against: carry-forward, uniform swing, proportional swing.

Each baseline is a scikit-learn estimator with the same interface as the models of
:mod:`swingcast.model.estimators`: ``fit(X, y, sample_weight=None)``, ``predict(X)``,
``predict_interval(X)``. ``X`` is a DataFrame indexed by ``bureau_id`` holding the previous
value of the target (``prior_col``, a proportion) and the bureau size (``size_col``,
``inscrits``, the weight of every area-wide mean).

* :class:`CarryForward` predicts the previous value unchanged.
* :class:`UniformSwing` adds the same swing to every bureau: the anchor minus the
  inscrits-weighted mean of the previous values (or, without an anchor, the mean swing learned
  on the training transition).
* :class:`ProportionalSwing` multiplies every bureau by the same ratio: anchor over the
  weighted mean of the previous values (or the ratio learned on the training transition).

Predictions are clipped to [0, 1] (a share cannot leave that range; clipping only lowers the
error). Intervals are the previous-value prediction plus the ``(1 - coverage) / 2`` and
``(1 + coverage) / 2`` quantiles of the training residuals (observed minus predicted, with the
training transition's own area-wide mean as anchor, i.e. a perfect poll), clipped to [0, 1].
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin

from swingcast.errors import ModelError
from swingcast.model._modelinput import (
    as_frame,
    check_finite,
    check_fitted,
    check_proportions,
    check_sizes,
    check_weights,
    require_columns,
    weighted_mean,
)
from swingcast.schema import INSCRITS

__all__ = ["CarryForward", "UniformSwing", "ProportionalSwing"]


class _Baseline(RegressorMixin, BaseEstimator):
    """Shared machinery: input checks, residual quantiles, intervals."""

    prior_col: str
    size_col: str | None
    coverage: float
    anchor: float | None

    # --- hooks --------------------------------------------------------------------------
    def _learn(self, prior: np.ndarray, y: np.ndarray, w: np.ndarray | None) -> None:
        """Learn the area-wide adjustment from one transition (overridden)."""

    def _apply(self, prior: np.ndarray, w: np.ndarray | None, anchor: float | None) -> np.ndarray:
        raise NotImplementedError

    def _residuals(self, prior: np.ndarray, y: np.ndarray, w: np.ndarray | None) -> np.ndarray:
        """Training residuals, with the transition's own area-wide level as anchor: the same
        "perfect poll" the back-test gives every method."""
        return y - self._apply(prior, w, weighted_mean(y, w))

    # --- helpers ------------------------------------------------------------------------
    def _prior(self, X: object) -> tuple[pd.DataFrame, np.ndarray, np.ndarray | None]:
        frame = as_frame(X)
        require_columns(frame, [self.prior_col])
        prior = check_finite(frame, [self.prior_col])[:, 0]
        check_proportions(prior, frame.index, what=f"X[{self.prior_col!r}]")
        sizes = check_sizes(frame, self.size_col) if self.size_col is not None else None
        return frame, prior, sizes

    def _check_params(self) -> None:
        if not 0 < self.coverage < 1:
            raise ModelError(f"coverage must be strictly between 0 and 1, got {self.coverage!r}")
        if self.anchor is not None and not 0 <= float(self.anchor) <= 1:
            raise ModelError(f"anchor must be a proportion in [0, 1] or None, got {self.anchor!r}")

    # --- estimator interface ----------------------------------------------------------
    def fit(self, X: object, y: object, sample_weight: object | None = None) -> _Baseline:
        """Learn the mean swing of the training transition and its residual spread.

        Parameters
        ----------
        X : DataFrame
            Indexed by ``bureau_id``; needs ``prior_col`` (and ``size_col`` unless None).
        y : array-like of float
            Observed proportions at the end of the training transition.
        sample_weight : array-like, optional
            Weights of the area-wide means (default: ``size_col``).

        Returns
        -------
        self
        """
        self._check_params()
        frame, prior, sizes = self._prior(X)
        target = check_proportions(y, frame.index).reshape(-1)
        w = sizes if sample_weight is None else check_weights(sample_weight, frame.index)
        self._learn(prior, target, w)
        residuals = self._residuals(prior, target, w)
        alpha = (1.0 - self.coverage) / 2.0
        self.residual_quantiles_ = np.quantile(residuals, [alpha, 1.0 - alpha])
        self.residuals_ = residuals
        self.n_features_in_ = frame.shape[1]
        return self

    def predict(self, X: object) -> np.ndarray:
        """Predict the proportion of every bureau of ``X``.

        Parameters
        ----------
        X : DataFrame
            Indexed by ``bureau_id``; needs ``prior_col`` (and ``size_col`` unless None).

        Returns
        -------
        numpy.ndarray
            One proportion per row of ``X``, in [0, 1].
        """
        check_fitted(self, "residual_quantiles_")
        self._check_params()
        _, prior, sizes = self._prior(X)
        anchor = None if self.anchor is None else float(self.anchor)
        return np.clip(self._apply(prior, sizes, anchor), 0.0, 1.0)

    def predict_interval(self, X: object) -> tuple[np.ndarray, np.ndarray]:
        """Interval at ``coverage``: prediction plus the training residual quantiles.

        Parameters
        ----------
        X : DataFrame
            As for :meth:`predict`.

        Returns
        -------
        (numpy.ndarray, numpy.ndarray)
            Lower and upper bounds, clipped to [0, 1].
        """
        pred = self.predict(X)
        lo_q, hi_q = self.residual_quantiles_
        return np.clip(pred + lo_q, 0.0, 1.0), np.clip(pred + hi_q, 0.0, 1.0)


class CarryForward(_Baseline):
    """Predict the previous value unchanged (ignores any anchor).

    Parameters
    ----------
    prior_col : str
        Column of ``X`` with the previous value of the target (a proportion).
    size_col : str or None
        Column with the bureau size (weights of the area-wide means).
    coverage : float
        Nominal coverage of :meth:`predict_interval`.
    anchor : float or None
        Accepted for a uniform interface; carry-forward does not use it.

    Examples
    --------
    >>> X = pd.DataFrame({"prior": [0.6, 0.4], "inscrits": [100, 300]}, index=["a", "b"])
    >>> CarryForward().fit(X, [0.7, 0.5]).predict(X).tolist()
    [0.6, 0.4]
    """

    def __init__(
        self,
        prior_col: str = "prior",
        size_col: str | None = INSCRITS,
        coverage: float = 0.8,
        anchor: float | None = None,
    ) -> None:
        self.prior_col = prior_col
        self.size_col = size_col
        self.coverage = coverage
        self.anchor = anchor

    def _apply(self, prior: np.ndarray, w: np.ndarray | None, anchor: float | None) -> np.ndarray:
        return prior.copy()

    def _residuals(self, prior: np.ndarray, y: np.ndarray, w: np.ndarray | None) -> np.ndarray:
        """The changes observed minus previous *less the training transition's area-wide
        change*: the interval describes how bureaux depart from the area, centred on the
        prediction. The raw changes would carry the training transition's own level shift
        (EU 2014 -> presidential 2017 turnout: +30 points) into intervals of an election
        moving the other way, and cover nothing."""
        change = y - prior
        return change - weighted_mean(change, w)


class _Swing(_Baseline):
    """Parameters shared by :class:`UniformSwing` and :class:`ProportionalSwing`."""

    def __init__(
        self,
        prior_col: str = "prior",
        anchor: float | None = None,
        size_col: str | None = INSCRITS,
        coverage: float = 0.8,
    ) -> None:
        self.prior_col = prior_col
        self.anchor = anchor
        self.size_col = size_col
        self.coverage = coverage


class UniformSwing(_Swing):
    """Add the same swing to every bureau.

    With ``anchor`` (the area-wide level expected for the election), the swing is
    ``anchor - weighted mean of prior`` over the bureaux being predicted; without it, the
    swing learned on the training transition (``swing_``) is carried over.

    Parameters
    ----------
    prior_col : str
        Column of ``X`` with the previous value of the target (a proportion).
    anchor : float or None
        Area-wide (inscrits-weighted) level expected for the predicted election.
    size_col : str or None
        Column with the bureau size (weights of the area-wide means).
    coverage : float
        Nominal coverage of :meth:`predict_interval`.

    Examples
    --------
    >>> X = pd.DataFrame({"prior": [0.6, 0.4], "inscrits": [100, 300]}, index=["a", "b"])
    >>> m = UniformSwing().fit(X, [0.65, 0.45])
    >>> round(m.swing_, 6)
    0.05
    >>> m.set_params(anchor=0.5).predict(X).round(6).tolist()
    [0.65, 0.45]
    """

    def _learn(self, prior: np.ndarray, y: np.ndarray, w: np.ndarray | None) -> None:
        self.swing_ = weighted_mean(y, w) - weighted_mean(prior, w)

    def _apply(self, prior: np.ndarray, w: np.ndarray | None, anchor: float | None) -> np.ndarray:
        swing = self.swing_ if anchor is None else anchor - weighted_mean(prior, w)
        return prior + swing


class ProportionalSwing(_Swing):
    """Multiply every bureau by the same ratio.

    With ``anchor``, the ratio is ``anchor / weighted mean of prior`` over the bureaux being
    predicted; without it, the ratio learned on the training transition (``ratio_``).
    Predictions are clipped to [0, 1].

    Parameters
    ----------
    prior_col : str
        Column of ``X`` with the previous value of the target (a proportion).
    anchor : float or None
        Area-wide (inscrits-weighted) level expected for the predicted election.
    size_col : str or None
        Column with the bureau size (weights of the area-wide means).
    coverage : float
        Nominal coverage of :meth:`predict_interval`.

    Examples
    --------
    >>> X = pd.DataFrame({"prior": [0.6, 0.4], "inscrits": [100, 300]}, index=["a", "b"])
    >>> ProportionalSwing(anchor=0.54).fit(X, [0.7, 0.5]).predict(X).round(6).tolist()
    [0.72, 0.48]
    """

    def _ratio(self, level: float, prior: np.ndarray, w: np.ndarray | None) -> float:
        """``level`` over the weighted mean of ``prior`` (refused when that mean is 0)."""
        base = weighted_mean(prior, w)
        if base <= 0:
            raise ModelError(
                f"ProportionalSwing: the weighted mean of {self.prior_col!r} is 0; "
                "a ratio swing needs a positive previous level"
            )
        return level / base

    def _learn(self, prior: np.ndarray, y: np.ndarray, w: np.ndarray | None) -> None:
        self.ratio_ = self._ratio(weighted_mean(y, w), prior, w)

    def _apply(self, prior: np.ndarray, w: np.ndarray | None, anchor: float | None) -> np.ndarray:
        ratio = self.ratio_ if anchor is None else self._ratio(anchor, prior, w)
        return np.clip(prior * ratio, 0.0, 1.0)
