"""Back-testing: train on what was known before an election, score on that election.

:func:`backtest` scores with the test-round protocol by default
(:mod:`swingcast.model.protocol_backtest`: the model of
:func:`~swingcast.model.protocol.run_protocol` against the strongest baseline of the same
quantity; docs/models.md, "Back-test JSON"). With ``legacy=True`` it runs the older harness of
this module on one named case (:func:`list_cases`), a :class:`~swingcast.model.cases.CaseSpec`
or a history (:func:`score_case`):

1. the case assembles a training transition (features at t-1 -> outcome at t, both known
   before the scored election E) and the features of E's bureaux (see :mod:`swingcast.model.cases`);
2. the **anchor** is the area-wide level of E, weighted by inscrits (``anchor="actual"``: the
   aggregate of E itself, a "perfect poll" identical for every method, so the comparison
   measures how well each method *distributes* the result across bureaux), or the previous
   level (``anchor="none"``);
3. the model (:class:`~swingcast.model.estimators.TurnoutModel`, :class:`~swingcast.model.estimators.ShareModel`)
   is fitted on the training transition, applied to E's features and re-centred on the
   anchor with a logit shift (:func:`~swingcast.model.estimators.recentre`); its conformal intervals
   get the same shift; with a development round (``CaseData.dev``) the interval scale is
   calibrated on the model's errors there (time-split conformal, :func:`_dev_inflation`);
   transfer models (Paris) carry their own uncertainty (:mod:`swingcast.model.transfer`) and
   replace the model, which is then not fitted;
4. the baselines (:mod:`swingcast.model.baselines`) get the same anchor;
5. the case's threshold event (``above_area_prob``: share above the area-wide anchor, or the
   case's fixed threshold) comes from :func:`~swingcast.model.simulate.simulate_swing` (common
   swing + local noise from the model's residuals); the baseline's from the same simulation
   around the uniform-swing prediction with the uniform-swing residuals of the training
   transition; its Brier scores are ``brier``;
6. ``swing_prob`` (P(the target comes first in the bureau; round 2: wins it)) and
   ``flip_prob`` (P(first place changes bloc from the latest comparable round)) of the
   predictions come from :func:`swingcast.model.protocol.first_place_events`, with their
   Brier scores under ``extras.events``;
7. metrics: MAE and RMSE of turnout and share per bureau (unweighted and weighted by
   inscrits), coverage of the intervals, the Brier scores.
"""

from __future__ import annotations

import dataclasses
import json
import math
import sys
import time
import types
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from swingcast._log import logger
from swingcast.cache import atomic_write
from swingcast.errors import ModelError, SchemaError
from swingcast.model._modelinput import EPS, logit, weighted_mean
from swingcast.model.cases import CaseSpec, get_case, list_cases
from swingcast.model.training import MATCHED, PRIOR_SHARE, PRIOR_TURNOUT, CaseData
from swingcast.schema import (
    ABOVE_AREA_PROB,
    ARRONDISSEMENT_CODE,
    COMMUNE_CODE,
    FLIP_PROB,
    INSCRITS,
    MARGIN_HI,
    MARGIN_LO,
    MARGIN_PRED,
    SHARE_HI,
    SHARE_LO,
    SHARE_PRED,
    SWING_PROB,
    TURNOUT_HI,
    TURNOUT_LO,
    TURNOUT_PRED,
)

if TYPE_CHECKING:
    from swingcast.model.history import History

__all__ = [
    "backtest", "score_case", "history_case", "rolling_backtest", "BacktestResult", "list_cases", "score", "brier", "format_report", "METHODS", "TARGETS",
]

#: Method names of the metrics, in the order of the table.
METHODS = ("model", "carry_forward", "uniform_swing", "proportional_swing")
#: Targets of the metrics.
TARGETS = ("turnout", "share")
#: Columns of ``BacktestResult.predictions``, in order.
PREDICTION_COLUMNS = (
    TURNOUT_PRED, TURNOUT_LO, TURNOUT_HI, SHARE_PRED, SHARE_LO, SHARE_HI,
    SWING_PROB, FLIP_PROB, ABOVE_AREA_PROB, MARGIN_PRED, MARGIN_LO, MARGIN_HI,
    INSCRITS, COMMUNE_CODE, ARRONDISSEMENT_CODE, "turnout_obs", "share_obs", MATCHED,
)


# --- metrics -------------------------------------------------------------------------------


def score(
    pred: np.ndarray,
    obs: np.ndarray,
    weights: np.ndarray,
    lo: np.ndarray | None = None,
    hi: np.ndarray | None = None,
) -> dict[str, float]:
    """Errors of one method on one target.

    Parameters
    ----------
    pred, obs : array of float
        Predicted and observed proportions per bureau.
    weights : array of float
        Inscrits (for the weighted metrics).
    lo, hi : array of float, optional
        Interval bounds; adds ``coverage`` (share of bureaux with ``lo <= obs <= hi``) and
        ``mean_width``.

    Returns
    -------
    dict
        ``mae``, ``rmse`` (unweighted), ``mae_weighted``, ``rmse_weighted``, ``n``
        (and ``coverage``, ``mean_width``).

    Examples
    --------
    >>> s = score(np.array([0.5, 0.7]), np.array([0.6, 0.4]), np.array([1.0, 3.0]))
    >>> round(s["mae"], 6), round(s["mae_weighted"], 6), round(s["rmse"], 6)
    (0.2, 0.25, 0.223607)
    """
    p = np.asarray(pred, dtype=float)
    o = np.asarray(obs, dtype=float)
    w = np.asarray(weights, dtype=float)
    err = p - o
    if not np.all(np.isfinite(err)):
        raise ModelError("score: non-finite predictions or observations")
    out = {
        "mae": float(np.mean(np.abs(err))),
        "rmse": float(np.sqrt(np.mean(err**2))),
        "mae_weighted": float(np.average(np.abs(err), weights=w)),
        "rmse_weighted": float(np.sqrt(np.average(err**2, weights=w))),
        "n": int(len(p)),
    }
    if lo is not None and hi is not None:
        lo_ = np.asarray(lo, dtype=float)
        hi_ = np.asarray(hi, dtype=float)
        out["coverage"] = float(np.mean((lo_ <= o) & (o <= hi_)))
        out["mean_width"] = float(np.mean(hi_ - lo_))
    return out


def brier(prob: np.ndarray, event: np.ndarray) -> float:
    """Brier score: mean squared difference between probabilities and 0/1 outcomes.

    Examples
    --------
    >>> brier(np.array([0.9, 0.2]), np.array([True, False]))
    0.025
    """
    p = np.asarray(prob, dtype=float)
    e = np.asarray(event, dtype=float)
    return float(np.mean((p - e) ** 2))


# --- the result ----------------------------------------------------------------------------


@dataclass
class BacktestResult:
    """Outcome of :func:`backtest`.

    Attributes
    ----------
    case : str
    metrics : dict
        ``{"turnout": {method: {...}}, "share": {...}, "interval_coverage": {...},
        "brier": {...}, ...}`` (the JSON written by :meth:`to_json`).
    predictions : DataFrame
        Per bureau: schema prediction columns, ``inscrits``, ``commune_code``,
        ``arrondissement_code``, ``turnout_obs``, ``share_obs``, ``matched``.
    seconds : float
        Wall time of fit + predict + simulation (data assembly excluded).
    baseline_predictions : dict
        Legacy only: ``{target: {method: predictions}}`` of the case's three baselines
        (empty for the protocol, whose JSON gives every baseline's MAE).
    """

    case: str
    metrics: dict
    predictions: pd.DataFrame
    seconds: float = 0.0
    baseline_predictions: dict = field(default_factory=dict)

    @property
    def table(self) -> pd.DataFrame:
        """Metrics as a long table: one row per target, method and metric.

        The protocol's metrics give the model's figures (method ``model``), then
        ``best_baseline`` and every baseline by name (metric ``mae``); the legacy ones every
        method's figures.

        Examples
        --------
        >>> r = BacktestResult("x", {"turnout": {"model": {"mae": 0.1}}}, pd.DataFrame())
        >>> r.table.to_dict("records")
        [{'target': 'turnout', 'method': 'model', 'metric': 'mae', 'value': 0.1}]
        >>> r = BacktestResult("x", {"share": {"model": {"mae": 0.1}, "baselines": {"u[s:r]": 0.2},
        ...                                    "best_baseline": {"name": "u[s:r]", "mae": 0.2}}}, pd.DataFrame())
        >>> r.table["method"].tolist()
        ['model', 'best_baseline', 'u[s:r]']
        """
        rows = []
        for target in TARGETS:
            block = self.metrics.get(target, {})
            if "baselines" in block:  # the protocol: model figures, then the baselines' MAE
                rows += [{"target": target, "method": "model", "metric": k, "value": v}
                         for k, v in block.get("model", {}).items()]
                best = block.get("best_baseline") or {}
                if "mae" in best:
                    rows.append({"target": target, "method": "best_baseline", "metric": "mae", "value": best["mae"]})
                rows += [{"target": target, "method": k, "metric": "mae", "value": v}
                         for k, v in block["baselines"].items()]
                continue
            for method, values in block.items():
                for metric, value in values.items():
                    rows.append({"target": target, "method": method, "metric": metric, "value": value})
        return pd.DataFrame(rows, columns=["target", "method", "metric", "value"])

    def summary(self) -> pd.DataFrame:
        """Wide table: rows target × method, columns the main metrics (for printing).

        Examples
        --------
        >>> r = BacktestResult("x", {"turnout": {"model": {"mae": 0.1, "rmse": 0.2}}}, pd.DataFrame())
        >>> r.summary().columns.tolist()
        ['mae', 'rmse']
        """
        tab = self.table
        if tab.empty:
            return pd.DataFrame()
        tab = tab.assign(value=pd.to_numeric(tab["value"], errors="coerce"))
        wide = tab.pivot_table(index=["target", "method"], columns="metric", values="value", sort=False,
                               dropna=False)
        order = [c for c in ("mae", "rmse", "mae_weighted", "rmse_weighted", "coverage", "mean_width")
                 if c in wide.columns]
        return wide[order]

    def to_json(self, path: str | PathLike[str]) -> Path:
        """Write :attr:`metrics` as JSON (NaN and infinities as null).

        Examples
        --------
        >>> import tempfile, os
        >>> r = BacktestResult("x", {"turnout": {}, "gap": float("nan")}, pd.DataFrame())
        >>> p = r.to_json(os.path.join(tempfile.mkdtemp(), "m.json"))
        >>> json.loads(p.read_text())
        {'turnout': {}, 'gap': None}
        """
        out = Path(path)
        text = json.dumps(_json_safe(self.metrics), indent=2, sort_keys=False, default=_jsonable) + "\n"
        with atomic_write(out, "w", encoding="utf-8") as handle:
            handle.write(text)
        return out


def _json_safe(value: object) -> object:
    """A JSON-safe copy: numpy scalars as Python numbers, NaN and infinities as None."""
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _jsonable(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


# --- the harness ---------------------------------------------------------------------------


def _baseline_training(data: CaseData, prior_col: str, target: str) -> tuple[pd.DataFrame, np.ndarray]:
    """The baselines' training transition: X (``prior``, ``inscrits``) and the outcome."""
    Xtr = pd.DataFrame({"prior": data.prior_train[prior_col], INSCRITS: data.X_train[INSCRITS]})
    return Xtr, data.train.loc[Xtr.index, target].to_numpy(float)


def _baselines(
    data: CaseData, prior_col: str, target: str, anchor: float | None, coverage: float
) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, object]]:
    """Fit the three baselines on the training transition; predict the test bureaux."""
    from swingcast.model.baselines import CarryForward, ProportionalSwing, UniformSwing

    Xtr, ytr = _baseline_training(data, prior_col, target)
    Xte = pd.DataFrame({"prior": data.prior_test[prior_col], INSCRITS: data.X_test[INSCRITS]})
    out = {}
    for name, est in (
        ("carry_forward", CarryForward(prior_col="prior", coverage=coverage)),
        ("uniform_swing", UniformSwing(prior_col="prior", anchor=anchor, coverage=coverage)),
        ("proportional_swing", ProportionalSwing(prior_col="prior", anchor=anchor, coverage=coverage)),
    ):
        est.fit(Xtr, ytr)
        pred = est.predict(Xte)
        lo, hi = est.predict_interval(Xte)
        out[name] = (pred, lo, hi, est)
    return out


@dataclass
class Fitted:
    """One target's predictions on the scored bureaux and the source of their uncertainty."""

    pred: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    scale: np.ndarray
    #: the model fitted on the training transition (None: a transfer model with its own
    #: uncertainty needs none)
    est: object | None = None
    #: that transfer model's uncertainty (``CaseData.share_uncertainty``), if any
    transfer: dict | None = None


def fit_target(
    data: CaseData,
    target: str,
    anchor: float | None,
    *,
    method: str,
    coverage: float,
    seed: int,
    pooling: bool = True,
    offset: bool = False,
) -> Fitted:
    """Predict one target on the scored bureaux, with intervals, re-centred on ``anchor``.

    The model is fitted on the training transition unless the case overrides the prediction
    with a transfer model carrying its own uncertainty (then nothing would use the fit).
    """
    from swingcast.model.estimators import ShareModel, TurnoutModel, logit_shift, recentre
    from swingcast.model.intervals import logit_interval

    prior_col = PRIOR_TURNOUT if target == "turnout" else PRIOR_SHARE
    offset = offset or data.offset
    override = data.share_override if target == "share" else data.turnout_override
    uncertainty = data.share_uncertainty if target == "share" else data.turnout_uncertainty
    w = data.X_test[INSCRITS].to_numpy(float)
    est = unc = None
    if override is None or uncertainty is None:
        cls = TurnoutModel if target == "turnout" else ShareModel
        est = cls(method=method, group_col=data.group_col, size_col=INSCRITS, coverage=coverage,
                  random_state=seed, features=data.features, pooling=pooling,
                  offset_col=prior_col if offset else None, alpha=data.alpha)
        X_train, X_test = data.X_train, data.X_test
        if offset:  # the previous value of the target enters the logit with coefficient 1
            X_train = X_train.assign(**{prior_col: data.prior_train[prior_col]})
            X_test = X_test.assign(**{prior_col: data.prior_test[prior_col]})
        est.fit(X_train, data.train.loc[X_train.index, target].to_numpy(float))
    if override is not None:
        raw = np.clip(override(), EPS, 1 - EPS)
        eta = logit(raw)
        if uncertainty is not None:  # the transfer model's own uncertainty
            unc = uncertainty()
            scale, q = np.asarray(unc["scale"], dtype=float), float(unc["q"])
        else:  # borrowed from the model of the training transition (an approximation)
            scale, q = est.scale(X_test, eta=eta, sizes=w), est.q_
    else:
        raw = est.predict(X_test)
        scale = est.scale(X_test)
        q = est.q_
        if data.dev is not None:  # time-split conformal: the errors of a later round
            scale = scale * _dev_inflation(est, data, target, prior_col, offset)  # also the simulation's
        eta = np.log(np.clip(raw, 1e-12, 1)) - np.log(np.clip(1 - raw, 1e-12, 1))
    lo, hi = logit_interval(eta, scale, q)
    if anchor is None:  # a level forecast of its own (the transfer model without a poll)
        return Fitted(raw, lo, hi, scale, est, unc)
    pred, shift = recentre(raw, w, anchor, return_shift=True)
    return Fitted(pred, logit_shift(lo, shift), logit_shift(hi, shift), scale, est, unc)


def _dev_inflation(est: object, data: CaseData, target: str, prior_col: str, offset: bool) -> float:
    """Ratio of the development round's error quantile to the training conformal quantile.

    The fitted model is applied to ``data.dev()`` (a round known before the scored election
    that shares the features), re-centred on that round's own inscrits-weighted level (the
    same perfect poll as the scored round), and its standardised errors
    ``|t - eta| / s`` are compared with the training transition's out-of-fold ones: the
    interval quantile of the scored round is ``q_ x`` this ratio (at least 1). Stored as
    ``est.dev_inflation_``.
    """
    from swingcast.model.estimators import recentre
    from swingcast.model.intervals import conformal_quantile, empirical_logit

    cached = getattr(data, "_dev_cache", None)
    if cached is None:
        cached = data.dev()  # type: ignore[misc]
        data._dev_cache = cached  # type: ignore[attr-defined]
    X_dev, out_dev, prior_dev = cached
    if offset:
        X_dev = X_dev.assign(**{prior_col: prior_dev[prior_col]})
    n = X_dev[INSCRITS].to_numpy(float)
    y = out_dev[target].to_numpy(float)
    pred = recentre(np.clip(est.predict(X_dev), 1e-6, 1 - 1e-6), n, weighted_mean(y, n))  # type: ignore[attr-defined]
    eta = np.log(pred) - np.log1p(-pred)
    scores = np.abs(empirical_logit(y, n) - eta) / est.scale(X_dev, eta=eta, sizes=n)  # type: ignore[attr-defined]
    ratio = max(1.0, conformal_quantile(scores, est.coverage) / est.q_)  # type: ignore[attr-defined]
    est.dev_inflation_ = ratio  # type: ignore[attr-defined]
    logger.info("development round: %s interval quantile x %.3f (time-split conformal)", target, ratio)
    return ratio


def _common_sd(data: CaseData, fitted: np.ndarray, target: str) -> float:
    """sd of the area-level logit errors of predictions on the training transition.

    ``fitted`` (proportions) is re-centred on the training transition's own level (its
    perfect poll) first; areas are ``CaseData.swing_area`` (arrondissement, commune or
    département). The result is on the logit scale, the unit of ``simulate_swing``'s
    ``common_sd``. For the model, pass out-of-fold predictions (:func:`_oof_fitted`): in-sample
    ones contain the fitted area effects and leave almost no area error.
    """
    from swingcast.model.estimators import recentre
    from swingcast.model.simulate import area_error_sd

    w = data.X_train[INSCRITS].to_numpy(float)
    y = data.train.loc[data.X_train.index, target].to_numpy(float)
    pred = recentre(np.clip(fitted, 1e-6, 1 - 1e-6), w, weighted_mean(y, w))
    areas = data.X_train[data.group_col].astype(str)
    if data.swing_area == "departement":
        areas = areas.str[:2]
    if areas.nunique() < 2:
        return 0.0
    return area_error_sd(pred, y, w, areas.to_numpy())


def _oof_fitted(est: object, X: pd.DataFrame, y: np.ndarray) -> np.ndarray:
    """Out-of-fold predictions on the training transition, as proportions.

    The model's ``residuals_`` are standardised out-of-fold scores ``(t - eta) / s``; times
    the scale ``s`` they are logit residuals, so ``expit(t - residuals_ * s)`` is the
    out-of-fold prediction. With split conformal (only the calibration bureaux have scores)
    the in-sample prediction is returned instead.
    """
    from swingcast.model.intervals import empirical_logit

    r = np.asarray(est.residuals_, dtype=float)  # type: ignore[attr-defined]
    if len(r) != len(X):
        return est.predict(X)  # type: ignore[attr-defined]
    t = empirical_logit(y, X[INSCRITS].to_numpy(float))
    eta = t - r * est.scale(X)  # type: ignore[attr-defined]
    return 1.0 / (1.0 + np.exp(-np.clip(eta, -30, 30)))


def _simulate(
    share: np.ndarray,
    inscrits: np.ndarray,
    turnout: np.ndarray,
    index: pd.Index,
    *,
    scale: np.ndarray,
    residuals: np.ndarray,
    common_sd: float,
    threshold: float,
    n_draws: int,
    seed: int,
) -> pd.DataFrame:
    from swingcast.model.simulate import simulate_swing

    frame = pd.DataFrame({SHARE_PRED: share, INSCRITS: inscrits, TURNOUT_PRED: turnout}, index=index)
    return simulate_swing(frame, n_draws=n_draws, common_sd=common_sd, local_residuals=residuals,
                          scale=scale, threshold=threshold, seed=seed)


def swing_simulation(
    data: CaseData, share_fit: Fitted, turnout_pred: np.ndarray, *, threshold: float,
    offset: bool, n_draws: int, seed: int,
) -> tuple[pd.DataFrame, float]:
    """Swing probabilities of the scored (or forecast) bureaux and the common-swing sd used.

    Common swing + local noise (:func:`~swingcast.model.simulate.simulate_swing`): for a
    fitted model, the sd of its out-of-fold area errors on the training transition and its
    standardised residuals; for a transfer model, its own.
    """
    unc = share_fit.transfer
    if unc is not None:  # the transfer model: its own local noise and area errors
        common_sd, s_resid = float(unc["common_sd"]), np.asarray(unc["residuals"], dtype=float)
    else:
        s_est = share_fit.est
        X_fit = (data.X_train.assign(**{PRIOR_SHARE: data.prior_train[PRIOR_SHARE]})
                 if offset or data.offset else data.X_train)
        y_fit = data.train.loc[X_fit.index, "share"].to_numpy(float)
        common_sd = _common_sd(data, _oof_fitted(s_est, X_fit, y_fit), "share")
        s_resid = np.asarray(s_est.residuals_, dtype=float)  # type: ignore[attr-defined]
    w = data.X_test[INSCRITS].to_numpy(float)
    sim = _simulate(share_fit.pred, w, turnout_pred, data.X_test.index, scale=share_fit.scale,
                    residuals=s_resid, common_sd=common_sd,
                    threshold=threshold, n_draws=n_draws, seed=seed)
    return sim, common_sd


def backtest(
    case: str | CaseSpec | PathLike[str] | History,
    target: str | None = None,
    share: str | None = None,
    *,
    rolling: bool = False,
    anchor: str = "actual",
    legacy: bool = False,
    opponent: str | None = None,
    n_draws: int = 1000,
    seed: int = 0,
    coverage: float | None = None,
    method: str | None = None,
    pooling: bool | None = None,
    offset: bool | None = None,
    model: str = "stack",
    census: pd.DataFrame | None = None,
) -> BacktestResult:
    """Back-test on a history, a named case or a case file: the test-round protocol by default.

    The headline is the issue-13 protocol (:mod:`swingcast.model.protocol_backtest`,
    :func:`~swingcast.model.protocol.run_protocol`): the scored round is the *test* round,
    every choice is made on the earlier (development) rounds, and the model is compared with
    the strongest baseline of the same quantity (every prior, every method, named), with the
    binomial floor and the share of the gap closed. With a
    :class:`~swingcast.model.history.History`, the rounds after ``target`` are dropped; a
    round 2 with two finalists gets the other one as the opponent. The named cases run the
    named protocol histories (``paris-2017-t2`` -> ``paris``, ``france-eu2019`` ->
    ``france``, ``hds13-eu2024`` -> ``hds13``); a case file its own files. ``rolling=True``
    scores every round that has at least two earlier rounds, each as a test round (a
    DataFrame, :func:`~swingcast.model.protocol_backtest.rolling_table`).

    ``legacy=True`` runs the older one-transition models instead (:func:`score_case`:
    training transition chosen by :func:`~swingcast.model.history.choose_training` or by the
    case file; the demo uses it), with their own options ``coverage``, ``method``,
    ``pooling``, ``offset``.

    Parameters
    ----------
    case : str, path, CaseSpec or History
        A name of :func:`list_cases` (``"paris-2017-t2"``, ``"hds13-eu2024"``,
        ``"france-eu2019"``), the path of a case file (``.toml``), a case object, or a history.
    target : str, optional
        With a history: the scored round, ``"2022-presidentielle-1"``.
    share : str, optional
        With a history: what share is predicted (:func:`~swingcast.model.training.resolve_share`:
        ``"LE PEN"``, ``"rn"``, ``"far_right"``, a nuance or list code).
    rolling : bool
        Score every round that can be (returns a DataFrame).
    anchor : {"actual", "poll", "none"}
        ``"actual"``: every method is re-centred on the test round's own area-wide turnout
        and share (a perfect poll: distribution skill); ``"poll"``: that level plus one draw of
        a final-poll error (protocol only); ``"none"``: the most recent round's level carried
        (legacy: the previous level, baselines with the training transition's swing). The
        JSON says it in words (``anchor_means``).
    legacy : bool
        The older models (:func:`score_case`) instead of the protocol.
    model : {"stack", "blend"}
        The protocol's model: v3 (:class:`~swingcast.model.stack.StackModel`, default) or v2
        (:class:`~swingcast.model.blend.BlendModel`), to compare them on the same rounds.
    opponent : str, optional
        With a history: the opponent of a two-candidate test round (default: found).
    census : DataFrame, optional
        With a history: census counts per bureau (:func:`swingcast.load.bureaucensus.read_bureau_census`),
        among model v3's share-denoiser predictors (docs/models.md, protocol log, entries 20–21).
    n_draws, seed : int
        Simulation draws and seed.
    coverage, method, pooling, offset
        Legacy only: nominal coverage (0.8), ``"glm"`` or ``"gbm"``, pooled commune effects
        (True), previous value as a logit offset (False).

    Returns
    -------
    BacktestResult
        (a DataFrame with ``rolling=True``).

    Raises
    ------
    SchemaError
        Unknown case, anchor, round or a legacy option without ``legacy=True``.

    Examples
    --------
    >>> from swingcast.model.history import load_history  # doctest: +SKIP
    >>> h = load_history(["2014-europeennes.csv", "2017-presidentielle-1.csv",
    ...                   "2019-europeennes.csv"], departements="04")  # doctest: +SKIP
    >>> m = backtest(h, target="2019-europeennes-1", share="rn").metrics  # doctest: +SKIP
    >>> m["share"]["mae_ratio"] == m["share"]["model"]["mae"] / m["share"]["best_baseline"]["mae"]  # doctest: +SKIP
    True
    >>> backtest("paris-2017-t2", anchor="oops")
    Traceback (most recent call last):
    ...
    swingcast.errors.SchemaError: backtest: anchor must be 'actual', 'poll' or 'none', got 'oops'
    """
    from swingcast.model.history import History

    if census is not None and not isinstance(case, History):
        raise SchemaError("backtest: census= goes with a history (a case says its own census)")
    if legacy:
        if census is not None:
            raise SchemaError("backtest: census= goes with the protocol (the legacy models take a case's census)")
        if model != "stack":
            raise SchemaError("backtest: model= chooses the protocol's model; the legacy models "
                              "(legacy=True) have their own method=")
        return _legacy(case, target, share, rolling=rolling, anchor=anchor, n_draws=n_draws, seed=seed,
                       coverage=0.8 if coverage is None else coverage, method=method or "glm",
                       pooling=True if pooling is None else pooling, offset=bool(offset))
    from swingcast.model import protocol_backtest as pb
    from swingcast.model.protocol import ANCHOR_WORDS

    given = [k for k, v in (("coverage", coverage), ("method", method), ("pooling", pooling),
                            ("offset", offset)) if v is not None]
    if given:
        raise SchemaError(f"backtest: {', '.join(given)} apply to the legacy models only; pass "
                          "legacy=True (--legacy) or leave them out")
    if anchor not in ANCHOR_WORDS:
        raise SchemaError(f"backtest: anchor must be 'actual', 'poll' or 'none', got {anchor!r}")
    if model not in ("stack", "blend"):
        raise SchemaError(f"backtest: model must be 'stack' or 'blend', got {model!r}")
    draws = dict(anchor=anchor, n_draws=n_draws, seed=seed)

    def with_model(spec):
        return dataclasses.replace(spec, model=model, cache={})

    def builders_with_model(builders):
        return [(lab, (lambda b=b: with_model(b()))) for lab, b in builders]

    if isinstance(case, History):
        if share is None or (target is None and not rolling):
            raise SchemaError("backtest(history): expected share=... and target='<year>-<kind>-<round>' "
                              "(or rolling=True)")
        if rolling:
            if target is not None:
                raise SchemaError("backtest(history, rolling=True): every round is scored; leave target out")
            return pb.rolling_table(builders_with_model(pb.history_rolling(case, share=share, opponent=opponent,  # type: ignore[return-value]
                                                                           census=census)),
                                    name=f"history {share}", **draws)
        spec = pb.history_spec(case, target=target, share=share, opponent=opponent, census=census)  # type: ignore[arg-type]
        result = pb.protocol_result(with_model(spec), name=f"{target} {share}", **draws)
        if case.area.get("redrawn"):  # rounds carried onto a later map (swingcast.join.redraw)
            result.metrics["redrawn"] = case.area["redrawn"]
        return result
    if target is not None or share is not None or opponent is not None:
        raise SchemaError("backtest(case): the case says its target, share and opponent; give them "
                          "with a history instead")
    name, spec = pb.case_history_spec(case)
    spec = with_model(spec)
    if rolling:
        return pb.rolling_table(pb.spec_rolling(spec), name=name, **draws)  # type: ignore[return-value]
    return pb.protocol_result(spec, name=name, **draws)


def _legacy(
    case: str | CaseSpec | PathLike[str] | History,
    target: str | None,
    share: str | None,
    *,
    rolling: bool,
    anchor: str,
    coverage: float,
    n_draws: int,
    seed: int,
    method: str,
    pooling: bool,
    offset: bool,
) -> BacktestResult:
    """The older back-test (``backtest(..., legacy=True)``): one training transition, :func:`score_case`."""
    if anchor not in ("actual", "none"):
        raise SchemaError(f"backtest(legacy=True): anchor must be 'actual' or 'none', got {anchor!r}")
    options = dict(anchor=anchor, coverage=coverage, n_draws=n_draws, seed=seed, method=method,
                   pooling=pooling, offset=offset)
    from swingcast.model.history import History

    if isinstance(case, History):
        if rolling:
            return rolling_backtest(case, share=share, **options)  # type: ignore[return-value]
        if target is None or share is None:
            raise SchemaError("backtest(history): expected target='<year>-<kind>-<round>' and share=...")
        data = history_case(case, target=target, share=share)
        return score_case(f"{target} {share}", data, training=data.training, **options)
    if rolling:
        raise SchemaError("backtest(case, legacy=True): rolling needs a history or the protocol")
    spec = get_case(case) if isinstance(case, (str, PathLike)) else case
    data = spec.build()
    training = data.training or {"description": spec.training}
    return score_case(spec.name, data, training=training, **options)


def score_case(
    name: str,
    data: CaseData,
    *,
    training: object = None,
    anchor: str = "actual",
    coverage: float = 0.8,
    n_draws: int = 1000,
    seed: int = 0,
    method: str = "glm",
    pooling: bool = True,
    offset: bool = False,
) -> BacktestResult:
    """Fit on the training transition of ``data``, predict its scored round and score it.

    The harness of :func:`backtest` (same parameters); ``training`` is recorded in the
    metrics as ``training``.

    Examples
    --------
    >>> score_case("x", get_case("paris-2017-t2").build())  # doctest: +SKIP
    """
    start = time.perf_counter()
    test = data.test.loc[data.X_test.index]
    w = data.X_test[INSCRITS].to_numpy(float)
    anchors = {
        "turnout": weighted_mean(test["turnout"], w) if anchor == "actual"
        else weighted_mean(data.prior_test[PRIOR_TURNOUT], w),
        "share": weighted_mean(test["share"], w) if anchor == "actual"
        else weighted_mean(data.prior_test[PRIOR_SHARE], w),
    }
    metrics: dict = {"case": name, "anchor": anchor, "training": training, "n_bureaux": int(len(test)),
                     "method": method, "pooling": pooling, "offset": offset or data.offset,
                     "alpha": data.alpha}
    preds = pd.DataFrame(index=data.X_test.index)
    fits: dict[str, Fitted] = {}
    base = {}
    for target, prior_col in (("turnout", PRIOR_TURNOUT), ("share", PRIOR_SHARE)):
        own_level = anchor == "none" and (data.share_override if target == "share"
                                          else data.turnout_override) is not None
        fit = fits[target] = fit_target(
            data, target, None if own_level else anchors[target], method=method,
            coverage=coverage, seed=seed, pooling=pooling, offset=offset)
        pred, lo, hi = fit.pred, fit.lo, fit.hi
        obs = test[target].to_numpy(float)
        metrics[target] = {"model": score(pred, obs, w, lo, hi)}
        base[target] = _baselines(data, prior_col, target,
                                  anchors[target] if anchor == "actual" else None, coverage)
        for name, (bp, blo, bhi, _) in base[target].items():
            metrics[target][name] = score(bp, obs, w, blo, bhi)
        preds[f"{target}_pred"] = pred
        preds[f"{target}_lo"] = lo
        preds[f"{target}_hi"] = hi
        preds[f"{target}_obs"] = obs
    threshold = anchors["share"] if data.threshold == "anchor" else float(data.threshold)
    event = test["share"].to_numpy(float) > threshold
    share_fit, turnout_pred = fits["share"], fits["turnout"].pred
    unc = share_fit.transfer
    sim, common_sd = swing_simulation(data, share_fit, turnout_pred, threshold=threshold,
                                      offset=offset, n_draws=n_draws, seed=seed)
    preds[ABOVE_AREA_PROB] = sim[SWING_PROB].to_numpy(float)  # the case's threshold event
    for col in (MARGIN_PRED, MARGIN_LO, MARGIN_HI):
        preds[col] = sim[col].to_numpy(float)
    us_pred = base["share"]["uniform_swing"][0]
    us_fitted, us_resid = _uniform_swing_training(data)
    us_common = _common_sd(data, us_fitted, "share")
    us_sim = _simulate(us_pred, w, turnout_pred, preds.index, scale=np.ones(len(w)),
                       residuals=us_resid, common_sd=us_common,
                       threshold=threshold, n_draws=n_draws, seed=seed)
    # no fitted model (a transfer model): no penalty chosen, no inflation
    metrics["alpha_chosen"] = {t: float(getattr(fits[t].est, "alpha_", 0.0)) for t in TARGETS}
    metrics["dev_inflation"] = {t: float(getattr(fits[t].est, "dev_inflation_", 1.0)) for t in TARGETS}
    metrics["interval_coverage"] = {t: metrics[t]["model"]["coverage"] for t in TARGETS}
    metrics["brier"] = {
        "model": brier(sim[SWING_PROB].to_numpy(float), event),
        "uniform_swing": brier(us_sim[SWING_PROB].to_numpy(float), event),
        "uniform_swing_01": brier((us_pred > threshold).astype(float), event),
    }
    metrics["swing_event"] = {"threshold": threshold, "n_events": int(event.sum()),
                              "common_sd": {"model": common_sd, "uniform_swing": us_common}}
    metrics["anchors"] = anchors
    if unc is not None:
        metrics["transfer_uncertainty"] = {
            "sigma2_local": float(unc["sigma2_local"]), "q": float(unc["q"]),
            "survey_sd_median": float(unc["survey_sd_median"]), "common_sd": common_sd}
    best = {t: min(metrics[t][m]["mae"] for m in METHODS[1:]) for t in TARGETS}
    metrics["mae_ratio"] = {t: metrics[t]["model"]["mae"] / best[t] for t in TARGETS}
    matched = data.meta_test[MATCHED].reindex(preds.index).fillna(False).astype(bool)
    metrics["unmatched_bureaux"] = int((~matched).sum())
    metrics["extras"] = _extras(data, preds, matched, test, anchors if anchor == "actual" else None)
    if data.priors is not None and data.priors.get("test_round") is not None:
        pool = (np.asarray(share_fit.transfer["residuals"], dtype=float) if share_fit.transfer is not None
                else np.asarray(share_fit.est.residuals_, dtype=float))  # type: ignore[attr-defined]
        events = _first_place(
            data, preds.index, w, {"model": (share_fit.pred, share_fit.scale, pool, common_sd),
                                   "uniform_swing": (us_pred, np.ones(len(w)), us_resid, us_common)},
            anchor=anchor, n_draws=n_draws, seed=seed)
        arrays = events.pop("_arrays")["model"]
        metrics["extras"]["events"] = events
        preds[SWING_PROB], preds[FLIP_PROB] = arrays["swing_prob"], arrays["flip_prob"]
    else:  # no contenders known: no first-place event (rank refuses the NaN, nothing is made up)
        preds[SWING_PROB] = preds[FLIP_PROB] = np.nan
        logger.warning("%s: the case gives no scored round's contenders (CaseData.priors['test_round']): "
                       "swing_prob and flip_prob left empty", name)
    metrics["notes"] = data.notes
    seconds = time.perf_counter() - start
    metrics["seconds"] = round(seconds, 3)
    if (~matched).any():
        logger.info("%s: %d bureaux unknown at training time predicted from commune levels (matched=False)",
                    name, int((~matched).sum()))
    preds = preds.rename(columns={"turnout_pred": TURNOUT_PRED, "turnout_lo": TURNOUT_LO,
                                  "turnout_hi": TURNOUT_HI, "share_pred": SHARE_PRED,
                                  "share_lo": SHARE_LO, "share_hi": SHARE_HI})
    preds[INSCRITS] = w
    preds[COMMUNE_CODE] = data.meta_test[COMMUNE_CODE].reindex(preds.index)
    preds[ARRONDISSEMENT_CODE] = data.meta_test[ARRONDISSEMENT_CODE].reindex(preds.index)
    preds[MATCHED] = matched.to_numpy()
    preds = preds[list(PREDICTION_COLUMNS)]
    if preds.drop(columns=[COMMUNE_CODE, ARRONDISSEMENT_CODE, SWING_PROB, FLIP_PROB]).isna().any().any():
        raise ModelError(f"backtest {name}: NaN in the predictions")
    if not math.isfinite(sum(metrics["brier"].values())):
        raise ModelError(f"backtest {name}: non-finite Brier score")
    return BacktestResult(name, metrics, preds, seconds,
                          {t: {k: v[0] for k, v in base[t].items()} for t in TARGETS})


def _extras(data: CaseData, preds: pd.DataFrame, matched: pd.Series, test: pd.DataFrame,
            anchors: dict | None) -> dict:
    """Issue 13's additions (floor, coverage matched / unmatched, the strongest baselines)."""
    from swingcast.model.priors import case_extras

    frame = preds.rename(columns={"turnout_pred": TURNOUT_PRED, "share_pred": SHARE_PRED}).assign(
        inscrits=data.X_test[INSCRITS].to_numpy(float), matched=matched.to_numpy(),
        commune_code=data.meta_test[COMMUNE_CODE].reindex(preds.index).astype(str).to_numpy())
    return case_extras(frame, test, anchors, data.priors)


def _first_place(data: CaseData, index: pd.Index, w: np.ndarray, methods: dict, *, anchor: str,
                 n_draws: int, seed: int) -> dict:
    """Issue 13's events: P(target first), P(first place changes bloc), Brier per method (and
    the probabilities per method under ``_arrays``)."""
    from swingcast.model.protocol import first_place_events

    pr = data.priors
    return first_place_events(pr["test_round"], pr["rounds"], pr["select"], pr["bloc"], index, w, methods,
                              anchor="none" if anchor == "none" else "actual", n_draws=n_draws, seed=seed)


def history_case(history: History, *, target: str, share: str) -> CaseData:
    """The :class:`~swingcast.model.training.CaseData` of back-testing ``target`` from the rounds before it.

    Only rounds earlier than ``target`` choose and train the model
    (:func:`~swingcast.model.history.choose_training`); ``target``'s results are the scored
    outcome. ``CaseData.training`` records the choice.

    Examples
    --------
    >>> history_case(h, target="2019-europeennes-1", share="rn").training["outcome"]  # doctest: +SKIP
    '2017-legislatives-2'
    """
    from swingcast.model.history import choose_training, parse_label
    from swingcast.model.priors import history_priors
    from swingcast.model.training import case_data, resolve_share

    key = history.key(target)
    s = resolve_share(share)
    earlier = history.before(target)
    present = history.has_share(s.select)
    chosen = choose_training(earlier, target, has_share=present)
    data = case_data(history.stations, history.votes, features=[parse_label(r) for r in chosen.features],
                     outcome=parse_label(chosen.outcome), apply=[parse_label(r) for r in chosen.apply],
                     target=key, share=s)
    data.training = chosen.as_dict()
    data.priors = history_priors(history, earlier, s, test=target)
    return data


def rolling_backtest(history: History, *, share: str | None, **options: object) -> pd.DataFrame:
    """Back-test every round of ``history`` that has two earlier rounds; one row per round and method.

    Returns
    -------
    DataFrame
        ``round, training, target, method, mae, rmse, mae_weighted, rmse_weighted, n,
        coverage, mean_width`` plus ``brier_model``, ``brier_uniform_swing`` and
        ``unmatched_bureaux`` repeated on the rows of a round.

    Examples
    --------
    >>> rolling_backtest(h, share="rn")["round"].unique().tolist()  # doctest: +SKIP
    ['2017-legislatives-1', '2019-europeennes-1']
    """
    if share is None:
        raise SchemaError("backtest(history, rolling=True): expected share=...")
    rows = []
    for label in history.rounds[2:]:
        res = _legacy(history, label, share, rolling=False, **options)  # type: ignore[arg-type]
        m = res.metrics
        for t in TARGETS:
            for method, values in m[t].items():
                rows.append({"round": label, "training": f"{', '.join(m['training']['features'])} -> "
                             f"{m['training']['outcome']}", "target": t, "method": method, **values,
                             "brier_model": m["brier"]["model"],
                             "brier_uniform_swing": m["brier"]["uniform_swing"],
                             "unmatched_bureaux": m["unmatched_bureaux"]})
    return pd.DataFrame(rows)



def _uniform_swing_training(data: CaseData) -> tuple[np.ndarray, np.ndarray]:
    """Uniform-swing fit and logit residuals on the training transition (perfect-poll anchor)."""
    from swingcast.model.baselines import UniformSwing

    Xtr, y = _baseline_training(data, PRIOR_SHARE, "share")
    level = weighted_mean(y, Xtr[INSCRITS].to_numpy(float))
    fitted = UniformSwing(prior_col="prior", anchor=level).fit(Xtr, y).predict(Xtr)
    return fitted, logit(y) - logit(fitted)


def _num(x: object, nd: int = 3) -> str:
    return "-" if x is None or (isinstance(x, float) and not math.isfinite(x)) else f"{float(x):.{nd}f}"


def _pp(x: object) -> str:
    return "-" if x is None or (isinstance(x, float) and not math.isfinite(x)) else f"{100 * float(x):.2f}"


def _protocol_report(m: dict) -> list[str]:
    """The headline lines of a protocol back-test (model vs the strongest baseline)."""
    lines = [f"test round {m.get('test_round')} of {len(m.get('rounds', []))} rounds; "
             f"{m.get('n_bureaux')} bureaux, {m.get('unmatched_bureaux', 0)} not in the round before; "
             f"{m.get('seconds', 0):.1f} s",
             f"anchor={m.get('anchor')}: {m.get('anchor_means', '')}"]
    for q in TARGETS:
        r = m.get(q)
        if not isinstance(r, dict) or "model" not in r:
            continue
        cov, best = r.get("coverage", {}), r.get("best_baseline", {})
        gap = r.get("gap_closed")
        lines.append(
            f"{q}: model MAE {_pp(r['model'].get('mae'))} pp vs best baseline {best.get('name')} "
            f"{_pp(best.get('mae'))} pp (ratio {_num(r.get('mae_ratio'))}); floor {_pp(r.get('floor_mae'))} pp, gap closed "
            f"{_num(gap)}; 80 % coverage {_num(cov.get('all'))} (matched {_num(cov.get('matched'))}, "
            f"unmatched {_num(cov.get('unmatched'))})")
    ev = m.get("events", {}).get("brier", {})
    if ev:
        sw, fl = ev.get("swing_prob", {}), ev.get("flip_prob", {})
        lines.append(f"Brier swing_prob (target first) model {_num(sw.get('model'), 4)} vs uniform swing "
                     f"{_num(sw.get('uniform_swing'), 4)}; flip_prob (first place changes) model "
                     f"{_num(fl.get('model'), 4)} vs {_num(fl.get('uniform_swing'), 4)}")
    return lines


def format_report(result: BacktestResult) -> str:
    """The metrics of a back-test as printable text (table, coverage, Brier, ratios).

    Examples
    --------
    >>> r = BacktestResult("x", {"case": "x", "turnout": {"model": {"mae": 0.1}},
    ...                          "interval_coverage": {"turnout": 0.8}}, pd.DataFrame())
    >>> print(format_report(r).splitlines()[0])
    back-test x
    """
    m = result.metrics
    lines = [f"back-test {result.case}"]
    if m.get("path") == "protocol":
        return "\n".join(lines + _protocol_report(m))
    if "n_bureaux" in m:
        lines.append(f"{m['n_bureaux']} bureaux scored, {m.get('unmatched_bureaux', 0)} unknown at "
                     f"training time, anchor={m.get('anchor')}, {m.get('seconds', 0):.1f} s")
    table = result.summary()
    if not table.empty:
        lines.append(table.round(4).to_string())
    for key in ("interval_coverage", "brier", "mae_ratio"):
        if key in m:
            values = ", ".join(f"{k}={v:.4f}" for k, v in m[key].items())
            lines.append(f"{key}: {values}")
    return "\n".join(lines)


class _CallableModule(types.ModuleType):
    """``swingcast.backtest`` names both this module and its main function.

    Importing the submodule makes Python bind the package attribute ``swingcast.backtest`` to
    the module, shadowing the lazily exported function; making the module callable keeps
    ``swingcast.backtest("paris-2017-t2")`` working either way.
    """

    def __call__(self, *args: object, **kwargs: object) -> BacktestResult:
        return backtest(*args, **kwargs)  # type: ignore[arg-type]


sys.modules[__name__].__class__ = _CallableModule
