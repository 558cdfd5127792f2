"""Turnout and vote-share models per bureau: fractional logit (default) or gradient boosting.

The estimators follow scikit-learn: hyper-parameters in ``__init__``, ``fit(X, y,
sample_weight=None)`` returns ``self``, learned state ends with ``_``. ``X`` is a numeric
DataFrame indexed by ``bureau_id``; ``group_col`` (``commune_code``) and ``size_col``
(``inscrits``) are used for pooling, weights and interval widths, not as features.

How a model is fitted
---------------------
1. Features are standardised (training mean and standard deviation; constant columns are
   dropped with a log message, collinear ones logged as a warning).
2. The fixed part is a binomial GLM on the proportions with ``var_weights`` = inscrits (a
   fractional logit whose quasi-likelihood is the binomial likelihood of the counts), solved by
   :func:`irls_logit` (the same estimator as statsmodels ``GLM(family=Binomial())``, checked in
   the tests, much faster when refitted many times) or, with ``method="gbm"``, a
   :class:`~sklearn.ensemble.HistGradientBoostingRegressor` on the empirical logit weighted by
   inscrits. With ``offset_col`` the logit of the previous value is a fixed offset.
3. Pooling: commune random intercepts estimated from the logit residuals by
   :func:`swingcast.model.pooling.shrunk_effects` (precision-weighted commune mean shrunk by
   ``W / (W + 1 / tau2)``); the GLM is refitted with those effects as an offset until its
   coefficients settle (backfitting). Communes never seen in training get effect 0 (the
   population mean; logged) and a wider interval.
4. Intervals: conformal on the logit scale. With ``cv`` folds (default 5 for the GLM) each
   bureau's out-of-fold score ``|logit residual| / s_i`` feeds the conformal quantile ``q_``;
   ``cv=1`` (default for the GBM) is split conformal. ``s_i`` (:meth:`scale`, from
   :func:`swingcast.model.intervals.size_scale`) grows for small bureaux and for bureaux whose commune
   effect is poorly known. Intervals are ``expit(eta -/+ q_ * s_i)``.

Fits and predictions run with one BLAS/OpenMP thread (faster on the shared 2-core machine).

:func:`recentre` shifts predictions on the logit scale so that their weighted mean equals an
area-wide anchor (a poll); the back-test applies it after ``predict``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.model_selection import KFold
from threadpoolctl import threadpool_limits

from swingcast._log import logger
from swingcast.errors import ModelError, where
from swingcast.model._modelinput import (
    EPS,
    as_frame,
    check_finite,
    check_fitted,
    check_proportions,
    check_sizes,
    check_weights,
    expit,
    logit,
    require_columns,
)
from swingcast.model.intervals import (
    conformal_quantile,
    empirical_logit,
    logit_interval,
    size_scale,
)
from swingcast.model.pooling import estimate_overdispersion, mixed_model_cov, shrunk_effects
from swingcast.schema import COMMUNE_CODE, INSCRITS

__all__ = [
    "TurnoutModel",
    "ShareModel",
    "BlocShareModel",
    "recentre",
    "logit_shift",
    "irls_logit",
]

METHODS = ("glm", "gbm")
#: at most this many backfitting rounds (GLM), stopping when coefficients move < BACKFIT_TOL
MAX_BACKFIT = 8
BACKFIT_TOL = 1e-4
#: ridge penalties tried by ``alpha="cv"``, as multiples of the number of training bureaux
ALPHA_GRID = (0.0, 0.01, 0.03, 0.1, 0.3, 1.0)


class _Core:
    """One fitted fixed part plus commune effects (used for the final fit and each fold).

    Commune effects are an array over the integer group codes of the training data; code -1
    (a commune unseen in training) gets effect 0.
    """

    def __init__(self) -> None:
        self.params: np.ndarray | None = None  # GLM, standardised scale, intercept first
        self.bse: np.ndarray | None = None
        self.gbm: object | None = None
        self.effects: np.ndarray | None = None
        self.effect_postvar: np.ndarray | None = None
        self.tau2: float = 0.0
        self.sigma2: float = 0.0

    def fixed(self, Z: np.ndarray) -> np.ndarray:
        if self.gbm is not None:
            return self.gbm.predict(Z)  # type: ignore[attr-defined]
        assert self.params is not None
        return self.params[0] + Z @ self.params[1:]

    def offset(self, codes: np.ndarray | None) -> np.ndarray | float:
        if self.effects is None or codes is None:
            return 0.0
        return np.append(self.effects, 0.0)[codes]

    def eta(
        self, Z: np.ndarray, codes: np.ndarray | None, base: np.ndarray | float = 0.0
    ) -> np.ndarray:
        return base + self.fixed(Z) + self.offset(codes)

    def effect_var(self, codes: np.ndarray | None) -> np.ndarray | float:
        """Posterior variance of each bureau's commune effect (``tau2`` when unseen)."""
        if self.effect_postvar is None or codes is None:
            return 0.0
        return np.append(self.effect_postvar, self.tau2)[codes]

    def scale(self, eta: np.ndarray, n: np.ndarray, codes: np.ndarray | None) -> np.ndarray:
        return size_scale(expit(eta), n, self.sigma2, self.effect_var(codes))


def irls_logit(
    exog: np.ndarray,
    y: np.ndarray,
    weights: np.ndarray,
    offset: np.ndarray | float = 0.0,
    start: np.ndarray | None = None,
    *,
    alpha: float = 0.0,
    maxiter: int = 100,
    tol: float = 1e-10,
) -> np.ndarray:
    """Fractional-logit (binomial GLM) coefficients by iteratively reweighted least squares.

    The same estimator as statsmodels ``GLM(y, exog, family=Binomial(), offset=offset,
    var_weights=weights).fit()`` (checked in the tests), solved on the small normal
    equations, which is much faster than statsmodels' pseudo-inverse of the full design when
    the model is refitted many times (backfitting rounds x conformal folds).

    Parameters
    ----------
    exog : array of shape (n, p)
        Design matrix, intercept column included.
    y : array of shape (n,)
        Proportions in [0, 1].
    weights : array of shape (n,)
        Variance weights (inscrits: the binomial likelihood of the counts).
    offset : array or float
        Known part of the linear predictor.
    start : array of shape (p,), optional
        Starting coefficients.
    alpha : float
        Ridge penalty on every coefficient but the first (the intercept), in units of
        "bureaux of average weight": with standardised columns a coefficient is shrunk
        towards 0 by about ``n / (n + alpha)``.
    maxiter, tol : int, float
        Stop when the largest coefficient change is below ``tol`` or after ``maxiter``.

    Returns
    -------
    numpy.ndarray of shape (p,)

    Examples
    --------
    Two groups with proportions 0.2 and 0.6: the saturated fit reproduces their log-odds.

    >>> exog = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 1.0], [1.0, 1.0]])
    >>> beta = irls_logit(exog, np.array([0.1, 0.3, 0.6, 0.6]), np.ones(4))
    >>> np.round(beta, 6).tolist() == np.round([np.log(0.25), np.log(1.5) - np.log(0.25)], 6).tolist()
    True
    """
    X = np.asarray(exog, dtype=float)
    y = np.asarray(y, dtype=float)
    w = np.asarray(weights, dtype=float)
    if start is None:
        mu = (y + 0.5) / 2.0  # statsmodels' binomial starting values
        eta = np.log(mu / (1 - mu))
        beta = None
    else:
        beta = np.asarray(start, dtype=float)
        eta = offset + X @ beta
    for _ in range(maxiter):
        mu = expit(eta)
        var = np.clip(mu * (1.0 - mu), 1e-12, None)
        z = eta - offset + (y - mu) / var
        wx = X * (w * var)[:, None]
        gram = wx.T @ X
        if alpha > 0:
            ridge = alpha * float(np.mean(w * var))
            gram[np.arange(1, X.shape[1]), np.arange(1, X.shape[1])] += ridge
        new = np.linalg.lstsq(gram, wx.T @ z, rcond=None)[0]
        done = beta is not None and np.max(np.abs(new - beta)) < tol * (1.0 + np.max(np.abs(new)))
        beta = new
        eta = offset + X @ beta
        if done:
            break
    if beta is None or not np.all(np.isfinite(beta)):
        raise ModelError("the GLM did not converge (non-finite coefficients); check the features")
    return beta


class _ProportionModel(RegressorMixin, BaseEstimator):
    """Shared fit/predict/intervals of :class:`TurnoutModel` and :class:`ShareModel`."""

    def __init__(
        self,
        method: str = "glm",
        group_col: str | None = COMMUNE_CODE,
        size_col: str | None = INSCRITS,
        coverage: float = 0.8,
        random_state: int | None = 0,
        features: Sequence[str] | None = None,
        pooling: bool = True,
        cv: int | None = None,
        use_group_as_feature: bool = False,
        gbm_max_iter: int = 200,
        gbm_learning_rate: float = 0.1,
        gbm_max_leaf_nodes: int = 15,
        offset_col: str | None = None,
        alpha: float | str = 0.0,
    ) -> None:
        self.method = method
        self.group_col = group_col
        self.size_col = size_col
        self.coverage = coverage
        self.random_state = random_state
        self.features = features
        self.pooling = pooling
        self.cv = cv
        self.use_group_as_feature = use_group_as_feature
        self.gbm_max_iter = gbm_max_iter
        self.gbm_learning_rate = gbm_learning_rate
        self.gbm_max_leaf_nodes = gbm_max_leaf_nodes
        self.offset_col = offset_col
        self.alpha = alpha

    # --- input ---------------------------------------------------------------------------
    def _check_params(self) -> None:
        if self.method not in METHODS:
            raise ModelError(f"method must be one of {METHODS}, got {self.method!r}")
        if not 0 < self.coverage < 1:
            raise ModelError(f"coverage must be strictly between 0 and 1, got {self.coverage!r}")
        if self.alpha != "cv" and not (isinstance(self.alpha, int | float) and self.alpha >= 0):
            raise ModelError(f"alpha must be a number >= 0 or 'cv', got {self.alpha!r}")
        if self.alpha != 0 and self.method != "glm":
            raise ModelError("alpha (ridge penalty) applies to method='glm' only")
        if self.cv is not None and int(self.cv) < 1:
            raise ModelError(
                f"cv must be 1 (split conformal) or >= 2 (cross-conformal folds), got {self.cv!r}"
            )

    @property
    def _folds(self) -> int:
        """Conformal folds: ``cv``, or 5 for the GLM and 1 (split) for the GBM by default."""
        if self.cv is not None:
            return int(self.cv)
        return 5 if self.method == "glm" else 1

    def _feature_names(self, frame: pd.DataFrame) -> list[str]:
        reserved = {c for c in (self.group_col, self.size_col, self.offset_col) if c is not None}
        if self.features is not None:
            names = list(self.features)
            require_columns(frame, names)
            return names
        names = [str(c) for c in frame.columns if c not in reserved]
        if not names and not self.use_group_as_feature:
            raise ModelError(
                f"X has no feature column besides {sorted(reserved)}; expected numeric features"
            )
        return names

    def _design(
        self, X: object, fitting: bool
    ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]:
        """Return (frame, raw features, sizes, group codes, logit offset), all checked."""
        frame = as_frame(X)
        if frame.index.has_duplicates:
            dup = frame.index[frame.index.duplicated()].unique()
            raise ModelError(f"X: {where(ids=dup)}: duplicated bureau id; expected one row per bureau")
        names = self._feature_names(frame) if fitting else self.feature_names_in_
        require_columns(frame, names)
        raw = check_finite(frame, names)
        if self.size_col is not None:
            sizes = check_sizes(frame, self.size_col)
        else:
            sizes = np.full(len(frame), 1000.0)
        groups = None
        if self.group_col is not None:
            require_columns(frame, [self.group_col])
            col = frame[self.group_col]
            if col.isna().any():
                raise ModelError(
                    f"X: {where(column=self.group_col, ids=frame.index[col.isna().to_numpy()])}: "
                    "missing group; expected a commune code for every bureau"
                )
            groups = col.astype(str).to_numpy(dtype=object)
        if self.use_group_as_feature:
            extra = [np.log(sizes)[:, None]]
            if groups is not None:
                levels = np.unique(groups) if fitting else self.group_levels_
                if fitting:
                    self.group_levels_ = levels
                extra.append((groups[:, None] == levels[None, 1:]).astype(float))
            raw = np.hstack([raw, *extra])
        if fitting:
            self.feature_names_in_ = names
        codes = None
        if groups is not None:
            if fitting:
                self.group_labels_ = pd.Index(pd.unique(groups))
            codes = self.group_labels_.get_indexer(groups)  # -1: unseen in training
        base = np.zeros(len(frame))
        if self.offset_col is not None:
            require_columns(frame, [self.offset_col])
            prior = check_finite(frame, [self.offset_col])[:, 0]
            check_proportions(prior, frame.index, what=f"X[{self.offset_col!r}]")
            base = logit(prior)
        return frame, raw, sizes, codes, base

    def _standardise_fit(self, raw: np.ndarray) -> np.ndarray:
        mean = raw.mean(axis=0)
        sd = raw.std(axis=0)
        keep = sd > 1e-12
        if not keep.all():
            logger.info("dropping %d constant feature column(s)", int((~keep).sum()))
        self.scale_mean_ = mean
        self.scale_sd_ = np.where(keep, sd, 1.0)
        self.keep_ = keep
        Z = self._standardise(raw)
        if Z.shape[1] and self.method == "glm":
            gram = np.column_stack([np.ones(len(Z)), Z])
            rank = np.linalg.matrix_rank(gram.T @ gram)
            if rank < gram.shape[1]:
                logger.warning(
                    "features are collinear (rank %d of %d with the intercept, e.g. shares "
                    "summing to 1): the minimum-norm GLM solution is used; predictions are "
                    "fine but coef_ and coef_se_ of the collinear columns are not identified",
                    rank, gram.shape[1],
                )
        return Z

    def _standardise(self, raw: np.ndarray) -> np.ndarray:
        return ((raw - self.scale_mean_) / self.scale_sd_)[:, self.keep_]

    # --- core fit --------------------------------------------------------------------------
    def _fit_core(
        self,
        Z: np.ndarray,
        y: np.ndarray,
        n: np.ndarray,
        w: np.ndarray,
        codes: np.ndarray | None,
        n_groups: int,
        base: np.ndarray,
        final: bool = False,
        alpha: float | None = None,
    ) -> _Core:
        core = _Core()
        t = empirical_logit(y, n)
        offset = base.copy()
        pooled = self.pooling and codes is not None
        exog = np.column_stack([np.ones(len(y)), Z]) if self.method == "glm" else None
        # Backfitting: fixed part with the commune effects as offset, then the effects from
        # the residuals, until the GLM coefficients settle (GBM: two rounds, it is costly;
        # a single round let the trees absorb commune effects and over-covered).
        rounds = (MAX_BACKFIT if self.method == "glm" else 2) if pooled else 1
        for _ in range(rounds):
            if exog is not None:
                previous = core.params
                core.params = irls_logit(
                    exog, y, w, offset, previous, alpha=self.alpha_ if alpha is None else alpha
                )
                if previous is not None and np.max(np.abs(core.params - previous)) < BACKFIT_TOL:
                    break
            else:
                self._fit_gbm(core, Z, t - offset, w)
            fixed = core.fixed(Z)
            samp = _sampling_var(expit(fixed + offset), n)
            resid = t - base - fixed
            core.sigma2 = estimate_overdispersion(resid, samp, codes)
            if pooled:
                core.effects, _, factor, core.tau2 = shrunk_effects(
                    resid, core.sigma2 + samp, codes, n_groups
                )
                # posterior variance of u_g: tau2 (1 - shrinkage) = 1 / (W_g + 1 / tau2)
                core.effect_postvar = core.tau2 * (1.0 - factor)
                offset = base + core.effects[codes]
        if final and exog is not None:
            # Model-based standard errors of the mixed model (linearised on the logit scale):
            # residual variance sigma2 + binomial, plus tau2 shared within a commune.
            samp = _sampling_var(expit(core.eta(Z, codes if pooled else None, base)), n)
            cov = mixed_model_cov(exog, core.sigma2 + samp, codes if pooled else None, core.tau2)
            core.bse = np.sqrt(np.diag(cov))
        return core

    def _fit_gbm(self, core: _Core, Z: np.ndarray, target: np.ndarray, w: np.ndarray) -> None:
        from sklearn.ensemble import HistGradientBoostingRegressor

        gbm = HistGradientBoostingRegressor(
            max_iter=self.gbm_max_iter,
            learning_rate=self.gbm_learning_rate,
            max_leaf_nodes=self.gbm_max_leaf_nodes,
            random_state=self.random_state,
        )
        gbm.fit(Z, target, sample_weight=w)
        core.gbm = gbm

    # --- public interface ------------------------------------------------------------------
    def fit(self, X: object, y: object, sample_weight: object | None = None) -> _ProportionModel:
        """Fit the model on one transition (features before -> proportions observed after).

        Parameters
        ----------
        X : DataFrame
            Numeric features indexed by ``bureau_id``, plus ``group_col`` and ``size_col``.
        y : array-like of float
            Observed proportions in [0, 1] (turnout or share), one per row of ``X``.
        sample_weight : array-like, optional
            Weights of the likelihood (default: ``size_col``, i.e. inscrits).

        Returns
        -------
        self

        Raises
        ------
        ModelError
            Missing columns, NaN features, zero sizes or proportions outside [0, 1], naming
            the bureau ids.
        """
        # One BLAS/OpenMP thread: the products here are tall and thin (n x 12) and the GBM
        # trees small, where threads gain little; on the shared 2-core machine
        # oversubscription made GLM fits 4x and GBM fits 3x slower.
        with threadpool_limits(limits=1):
            return self._fit(X, y, sample_weight)

    def _fit(self, X: object, y: object, sample_weight: object | None) -> _ProportionModel:
        self._check_params()
        frame, raw, n, codes, base = self._design(X, fitting=True)
        k = 0 if codes is None else len(self.group_labels_)
        target = check_proportions(y, frame.index).reshape(-1)
        w = n if sample_weight is None else check_weights(sample_weight, frame.index)
        if len(frame) < max(10, 2 * self._folds):
            raise ModelError(f"{len(frame)} bureaux are too few for conformal intervals (cv={self._folds})")
        Z = self._standardise_fit(raw)
        self.n_features_in_ = frame.shape[1]
        t = empirical_logit(target, n)
        if self.alpha == "cv":
            self.alpha_ = self._choose_alpha(Z, target, n, w, codes, k, base)
        else:
            self.alpha_ = float(self.alpha)
        if self._folds == 1:
            # Split conformal: the model fitted on 80 % is the final model, the other 20 %
            # calibrate it (one fit instead of cv + 1: the fast choice for method="gbm").
            rng = np.random.default_rng(self.random_state)
            calib = np.zeros(len(frame), dtype=bool)
            calib[rng.permutation(len(frame))[: max(5, len(frame) // 5)]] = True
            train = ~calib
            self.core_ = self._fit_core(
                Z[train], target[train], n[train], w[train], _take(codes, train), k, base[train],
                final=True,
            )
            self.residuals_ = self._scores(
                self.core_, Z[calib], t[calib], n[calib], _take(codes, calib), base[calib]
            )
        else:
            self.core_ = self._fit_core(Z, target, n, w, codes, k, base, final=True)
            folds = KFold(self._folds, shuffle=True, random_state=self.random_state)
            signed = np.empty(len(frame))
            for tr, te in folds.split(Z):
                core = self._fit_core(Z[tr], target[tr], n[tr], w[tr], _take(codes, tr), k, base[tr])
                # a commune with no bureau in this fold's training part has no weight, so its
                # shrunk effect is 0, as for a commune unseen at predict time
                signed[te] = self._scores(core, Z[te], t[te], n[te], _take(codes, te), base[te])
            self.residuals_ = signed
        self.q_ = conformal_quantile(np.abs(self.residuals_), self.coverage)
        return self

    def _choose_alpha(
        self,
        Z: np.ndarray,
        y: np.ndarray,
        n: np.ndarray,
        w: np.ndarray,
        codes: np.ndarray | None,
        k: int,
        base: np.ndarray,
    ) -> float:
        """Ridge penalty with the lowest weighted out-of-fold squared error (training only)."""
        folds = list(KFold(5, shuffle=True, random_state=self.random_state).split(Z))
        path = {}
        for ratio in ALPHA_GRID:
            alpha = ratio * len(y)
            pred = np.empty(len(y))
            for tr, te in folds:
                core = self._fit_core(
                    Z[tr], y[tr], n[tr], w[tr], _take(codes, tr), k, base[tr], alpha=alpha
                )
                pred[te] = expit(core.eta(Z[te], _take(codes, te), base[te]))
            path[alpha] = float(np.average((y - pred) ** 2, weights=w))
        self.alpha_path_ = path
        best = min(path, key=path.__getitem__)
        logger.info("ridge penalty chosen by 5-fold CV: alpha = %.4g (%.3g x n)", best, best / len(y))
        return best

    @staticmethod
    def _scores(
        core: _Core,
        Z: np.ndarray,
        t: np.ndarray,
        n: np.ndarray,
        codes: np.ndarray | None,
        base: np.ndarray,
    ) -> np.ndarray:
        """Signed standardised held-out residuals ``(t - eta) / s``."""
        eta = core.eta(Z, codes, base)
        return (t - eta) / core.scale(eta, n, codes)

    def _eta(self, X: object, with_codes: bool = False) -> tuple:
        check_fitted(self, "core_")
        _, raw, n, codes, base = self._design(X, fitting=False)
        if codes is not None and self.core_.effects is not None:
            unseen = codes < 0
            if unseen.any():
                logger.info(
                    "%d bureau(x) in commune(s) unseen in training: commune effect 0",
                    int(unseen.sum()),
                )
        with threadpool_limits(limits=1):  # see fit: oversubscribed threads slow GBM predict
            eta = self.core_.eta(self._standardise(raw), codes, base)
        return (eta, n, codes) if with_codes else (eta, n)

    def predict(self, X: object) -> np.ndarray:
        """Predicted proportion per bureau.

        Parameters
        ----------
        X : DataFrame
            Same columns as at fit.

        Returns
        -------
        numpy.ndarray
            One proportion in (0, 1) per row of ``X``.
        """
        eta, _ = self._eta(X)
        return expit(eta)

    def predict_interval(self, X: object) -> tuple[np.ndarray, np.ndarray]:
        """Conformal interval at ``coverage`` per bureau (wider for small bureaux).

        Parameters
        ----------
        X : DataFrame
            Same columns as at fit.

        Returns
        -------
        (numpy.ndarray, numpy.ndarray)
            Lower and upper bounds.
        """
        eta, n, codes = self._eta(X, with_codes=True)
        return logit_interval(eta, self.core_.scale(eta, n, codes), self.q_)

    def scale(
        self, X: object, *, eta: np.ndarray | None = None, sizes: np.ndarray | None = None
    ) -> np.ndarray:
        """Logit-scale residual scale ``s_i`` per bureau (see :mod:`swingcast.model.intervals`).

        ``expit(eta +/- q_ * s_i)`` is the interval; ``residuals_ * s_i`` are plausible
        logit-scale errors for bureau ``i`` (used by :func:`swingcast.model.simulate.simulate_swing`).

        Parameters
        ----------
        X : DataFrame
            Same columns as at fit.
        eta, sizes : numpy.ndarray, optional
            Precomputed linear predictor and sizes (skip recomputing them).

        Returns
        -------
        numpy.ndarray
        """
        eta_x, sizes_x, codes = self._eta(X, with_codes=True)
        if eta is None or sizes is None:
            eta, sizes = eta_x, sizes_x
        return self.core_.scale(eta, sizes, codes)

    # --- fitted attributes ------------------------------------------------------------------
    @property
    def coef_(self) -> pd.Series:
        """GLM coefficients per feature on the original (unstandardised) scale."""
        check_fitted(self, "core_")
        if self.core_.params is None:
            raise ModelError("coef_ exists only for method='glm'")
        names = np.asarray(self._all_feature_names(), dtype=object)[self.keep_]
        sd = self.scale_sd_[self.keep_]
        return pd.Series(self.core_.params[1:] / sd, index=names, name="coef")

    @property
    def coef_se_(self) -> pd.Series:
        """Standard errors of :attr:`coef_`: ``(X' V^-1 X)^-1`` with ``V`` the estimated
        residual variance (binomial + over-dispersion) plus ``tau2`` shared within a commune."""
        check_fitted(self, "core_")
        if self.core_.bse is None:
            raise ModelError("coef_se_ exists only for method='glm'")
        names = np.asarray(self._all_feature_names(), dtype=object)[self.keep_]
        return pd.Series(self.core_.bse[1:] / self.scale_sd_[self.keep_], index=names, name="se")

    @property
    def intercept_(self) -> float:
        """GLM intercept on the original feature scale."""
        coef = self.coef_
        mean = self.scale_mean_[self.keep_]
        return float(self.core_.params[0] - np.sum(coef.to_numpy() * mean))

    @property
    def group_effects_(self) -> pd.Series:
        """Pooled commune effects on the logit scale (empty without pooling)."""
        check_fitted(self, "core_")
        if self.core_.effects is None:
            return pd.Series(dtype=float, name="effect")
        return pd.Series(self.core_.effects, index=self.group_labels_, name="effect")

    @property
    def tau2_(self) -> float:
        """Between-commune variance of the effects on the logit scale (0 without pooling)."""
        check_fitted(self, "core_")
        return self.core_.tau2

    @property
    def sigma2_(self) -> float:
        """Bureau-level over-dispersion on the logit scale."""
        check_fitted(self, "core_")
        return self.core_.sigma2

    def _all_feature_names(self) -> list[str]:
        names = list(self.feature_names_in_)
        if self.use_group_as_feature:
            names.append(f"log_{self.size_col}")
            if self.group_col is not None:
                names += [f"{self.group_col}={g}" for g in self.group_levels_[1:]]
        return names


class TurnoutModel(_ProportionModel):
    """Turnout (votants / inscrits) per bureau: fractional logit with pooled commune effects.

    Parameters
    ----------
    method : {"glm", "gbm"}
        ``"glm"``: statsmodels binomial GLM (transparent default); ``"gbm"``: histogram
        gradient boosting on the empirical logit.
    group_col : str or None
        Column with the commune code used for pooling (None: no pooling).
    size_col : str or None
        Column with inscrits (likelihood weights and interval widths).
    coverage : float
        Nominal coverage of :meth:`predict_interval`.
    random_state : int or None
        Seed of the conformal folds and of the gradient boosting.
    features : sequence of str, optional
        Feature columns (default: every column except ``group_col`` and ``size_col``).
    pooling : bool
        Estimate shrunk commune effects.
    cv : int, optional
        Folds of the cross-conformal calibration (each bureau's out-of-fold residual is a
        calibration score; the final model uses all bureaux); ``1``: split conformal (the
        model is fitted on a random 80 %, the other 20 % calibrate it; faster). Default:
        5 for the GLM, 1 for the GBM.
    use_group_as_feature : bool
        Also use log(size) and one dummy per commune as features.
    gbm_max_iter, gbm_learning_rate, gbm_max_leaf_nodes
        Passed to :class:`~sklearn.ensemble.HistGradientBoostingRegressor`.
    offset_col : str, optional
        Column with the previous value of the target (a proportion) whose logit enters the
        linear predictor with coefficient 1: the model then learns each bureau's deviation
        from a uniform swing on the logit scale (features explain the *change*). Not a
        feature.
    alpha : float or "cv"
        GLM ridge penalty on the standardised coefficients (see :func:`irls_logit`; with
        ``offset_col`` it pulls the model towards a uniform logit swing). ``"cv"`` picks it
        from :data:`ALPHA_GRID` x n by 5-fold cross-validation on the training data
        (``alpha_``, ``alpha_path_``). Standard errors ignore the penalty.

    Examples
    --------
    >>> from swingcast.model.synthbureaux import make_bureaux
    >>> data = make_bureaux(n_communes=30, seed=1)
    >>> model = TurnoutModel().fit(data.X, data.y)
    >>> pred = model.predict(data.X)
    >>> bool(np.all((pred > 0) & (pred < 1)))
    True
    >>> lo, hi = model.predict_interval(data.X)
    >>> bool(np.all((lo <= pred) & (pred <= hi)))
    True
    """


class ShareModel(_ProportionModel):
    """One candidate's share (of exprimés) per bureau; same machinery as :class:`TurnoutModel`.

    Pass ``sample_weight`` = exprimés to :meth:`fit` to weight by valid votes rather than
    inscrits; ``size_col`` may name an ``exprimes`` column for the interval widths.

    Parameters
    ----------
    method, group_col, size_col, coverage, random_state, features, pooling, cv, use_group_as_feature, gbm_max_iter, gbm_learning_rate, gbm_max_leaf_nodes, offset_col, alpha
        As for :class:`TurnoutModel`.

    Examples
    --------
    >>> from swingcast.model.synthbureaux import make_bureaux
    >>> data = make_bureaux(n_communes=30, seed=2)
    >>> model = ShareModel(method="gbm", cv=1, gbm_max_iter=30).fit(data.X, data.y)
    >>> model.predict(data.X).shape == (len(data.X),)
    True
    """


class BlocShareModel(RegressorMixin, BaseEstimator):
    """Shares of a set of blocs summing to 1 per bureau.

    One :class:`ShareModel` per bloc (fractional logit of that bloc against the rest), whose
    predictions are divided by their row sum so that they add up to 1. Intervals are the
    marginal conformal intervals of each bloc's model.

    Parameters
    ----------
    method, group_col, size_col, coverage, random_state, features, pooling, cv
        As for :class:`TurnoutModel`; applied to every bloc.

    Examples
    --------
    >>> from swingcast.model.synthbureaux import make_bureaux
    >>> data = make_bureaux(n_communes=20, seed=3)
    >>> blocs = pd.DataFrame({"a": data.y, "b": (1 - data.y) / 2, "c": (1 - data.y) / 2},
    ...                      index=data.X.index)
    >>> model = BlocShareModel().fit(data.X, blocs)
    >>> np.allclose(model.predict(data.X).sum(axis=1), 1.0)
    True
    """

    def __init__(
        self,
        method: str = "glm",
        group_col: str | None = COMMUNE_CODE,
        size_col: str | None = INSCRITS,
        coverage: float = 0.8,
        random_state: int | None = 0,
        features: Sequence[str] | None = None,
        pooling: bool = True,
        cv: int | None = None,
    ) -> None:
        self.method = method
        self.group_col = group_col
        self.size_col = size_col
        self.coverage = coverage
        self.random_state = random_state
        self.features = features
        self.pooling = pooling
        self.cv = cv

    def fit(self, X: object, y: object, sample_weight: object | None = None) -> BlocShareModel:
        """Fit one share model per bloc.

        Parameters
        ----------
        X : DataFrame
            As for :meth:`TurnoutModel.fit`.
        y : DataFrame or array of shape (n, k)
            Bloc shares per bureau; each row must sum to 1 (tolerance 1e-6).
        sample_weight : array-like, optional
            Likelihood weights (default: ``size_col``).

        Returns
        -------
        self
        """
        frame = as_frame(X)
        if isinstance(y, pd.DataFrame):
            names = [str(c) for c in y.columns]
        else:
            names = [f"bloc{j}" for j in range(np.asarray(y).reshape(len(frame), -1).shape[1])]
        arr = check_proportions(y, frame.index).reshape(len(frame), -1)
        if arr.shape[1] < 2:
            raise ModelError(f"y: expected at least 2 bloc columns, got {arr.shape[1]}")
        off = np.abs(arr.sum(axis=1) - 1.0) > 1e-6
        if off.any():
            raise ModelError(f"y: {where(ids=frame.index[off])}: bloc shares must sum to 1 per bureau")
        template = ShareModel(**self.get_params())  # every parameter is a ShareModel one
        self.blocs_ = names
        self.models_ = [clone(template).fit(frame, arr[:, j], sample_weight) for j in range(arr.shape[1])]
        self.n_features_in_ = frame.shape[1]
        return self

    def predict(self, X: object) -> np.ndarray:
        """Bloc shares per bureau, shape (n, k), rows summing to 1.

        Parameters
        ----------
        X : DataFrame
            Same columns as at fit.

        Returns
        -------
        numpy.ndarray
        """
        check_fitted(self, "models_")
        raw = np.column_stack([m.predict(X) for m in self.models_])
        return raw / raw.sum(axis=1, keepdims=True)

    def predict_interval(self, X: object) -> tuple[np.ndarray, np.ndarray]:
        """Marginal interval of each bloc share, two arrays of shape (n, k).

        Parameters
        ----------
        X : DataFrame
            Same columns as at fit.

        Returns
        -------
        (numpy.ndarray, numpy.ndarray)
        """
        check_fitted(self, "models_")
        bounds = [m.predict_interval(X) for m in self.models_]
        return np.column_stack([b[0] for b in bounds]), np.column_stack([b[1] for b in bounds])

    def score(self, X: object, y: object, sample_weight: object | None = None) -> float:
        """Negative mean absolute error over bureaux and blocs (higher is better).

        Examples
        --------
        >>> from swingcast.model.synthbureaux import make_bureaux
        >>> data = make_bureaux(n_communes=20, seed=3)
        >>> Y = np.column_stack([data.y, 1 - data.y])
        >>> BlocShareModel().fit(data.X, Y).score(data.X, Y) > -0.05
        True
        """
        pred = self.predict(X)
        return -float(np.mean(np.abs(pred - np.asarray(y, dtype=float))))


def _sampling_var(p: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Binomial sampling variance of the empirical logit, ``1 / (n p (1 - p))``."""
    return 1.0 / (n * np.clip(p * (1 - p), EPS, None))


def _take(codes: np.ndarray | None, rows: np.ndarray) -> np.ndarray | None:
    return None if codes is None else codes[rows]


def logit_shift(p: np.ndarray, delta: float | np.ndarray) -> np.ndarray:
    """Shift proportions by ``delta`` on the logit scale.

    Examples
    --------
    >>> logit_shift(np.array([0.5]), np.log(3.0)).round(6).tolist()
    [0.75]
    """
    return expit(logit(p) + delta)


def recentre(
    pred: np.ndarray,
    weights: np.ndarray,
    anchor: float | np.ndarray,
    *,
    return_shift: bool = False,
) -> np.ndarray | tuple[np.ndarray, float | np.ndarray]:
    """Shift predictions on the logit scale so that their weighted mean equals ``anchor``.

    Parameters
    ----------
    pred : array of shape (n,) or (n, k)
        Predicted proportions. With shape (n, k) (bloc shares summing to 1 per row), each
        bloc's log-share is shifted and rows renormalised until every weighted bloc mean
        matches ``anchor`` (iterative proportional fitting, a multinomial-logit shift).
    weights : array of shape (n,)
        Weights of the area-wide mean (inscrits, or expected exprimés for shares).
    anchor : float or array of shape (k,)
        Area-wide level(s) in (0, 1).
    return_shift : bool
        Also return the logit shift (1-D case) or the log-scale bloc shifts (2-D case), so
        the same shift can be applied to interval bounds with :func:`logit_shift`.

    Returns
    -------
    numpy.ndarray, or (numpy.ndarray, shift)

    Examples
    --------
    >>> p = np.array([0.2, 0.4, 0.6])
    >>> w = np.array([1.0, 2.0, 1.0])
    >>> out = recentre(p, w, 0.5)
    >>> round(float(np.average(out, weights=w)), 10)
    0.5
    >>> bool(np.all(np.diff(out) > 0))  # the order of bureaux is kept
    True
    """
    p = np.asarray(pred, dtype=float)
    w = np.asarray(weights, dtype=float).reshape(-1)
    if p.shape[0] != w.shape[0]:
        raise ModelError(f"recentre: {p.shape[0]} predictions for {w.shape[0]} weights")
    if not np.all(np.isfinite(p)) or not np.all(np.isfinite(w)) or w.sum() <= 0:
        raise ModelError("recentre: predictions and weights must be finite with a positive total weight")
    if p.ndim == 2:
        return _recentre_blocs(p, w, np.asarray(anchor, dtype=float), return_shift)
    a = float(anchor)
    if not 0 < a < 1:
        raise ModelError(f"recentre: anchor must be strictly between 0 and 1, got {anchor!r}")
    base = logit(p)
    total = w.sum()

    def gap(delta: float) -> float:
        return float(np.dot(w, expit(base + delta)) / total - a)

    delta = float(brentq(gap, -40.0, 40.0, xtol=1e-12))
    out = expit(base + delta)
    return (out, delta) if return_shift else out


def _recentre_blocs(
    p: np.ndarray, w: np.ndarray, anchor: np.ndarray, return_shift: bool
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    k = p.shape[1]
    if anchor.shape != (k,) or np.any(anchor <= 0) or abs(anchor.sum() - 1) > 1e-6:
        raise ModelError(f"recentre: expected {k} bloc anchors in (0, 1) summing to 1, got {anchor!r}")
    q = np.clip(p, EPS, None)
    q = q / q.sum(axis=1, keepdims=True)
    log_shift = np.zeros(k)
    total = w.sum()
    for _ in range(500):
        means = w @ q / total
        step = np.log(anchor / means)
        log_shift += step
        q = q * np.exp(step)
        q = q / q.sum(axis=1, keepdims=True)
        if np.max(np.abs(w @ q / total - anchor)) < 1e-10:
            break
    return (q, log_shift) if return_shift else q
