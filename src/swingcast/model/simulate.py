"""Swing probability per bureau by simulation: a common swing plus local noise.

Each draw ``d`` shifts every bureau's predicted share on the logit scale by the same common
swing ``c_d ~ N(0, common_sd^2)`` (the area-wide forecast error: a poll that is off moves
every bureau together) plus a local error ``s_i * r_id``, where ``s_i`` is the bureau's
residual scale (:meth:`swingcast.model.estimators.ShareModel.scale`, larger for small bureaux) and
``r_id`` is resampled from the model's standardised held-out residuals (``residuals_``), so
the local noise has the model's own error distribution, tails included:

``share_id = expit(logit(share_pred_i) + c_d + s_i * r_id)``

Per bureau the simulation returns the probability that the candidate passes ``threshold``
(0.5 by default: leads everyone else in a two-way race) or leads a named opponent, and the
margin, candidate minus opponent in share points of exprimés (the opponent is "everyone
else", ``1 - share``, when no opponent column is given; with one, the other candidates keep
their relative weights when the candidate's share moves). With a turnout (or expected
exprimés) column the expected margin in votes is added, ``margin_votes_pred``.

Draws are processed in chunks of bureaux so memory stays bounded (69k bureaux x 1,000 draws
never materialise at once).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from swingcast.errors import ModelError, where
from swingcast.model._modelinput import (
    EPS,
    as_frame,
    check_finite,
    check_nonnegative,
    expit,
    logit,
    require_columns,
)
from swingcast.model.intervals import conformal_quantile
from swingcast.schema import (
    INSCRITS,
    MARGIN_HI,
    MARGIN_LO,
    MARGIN_PRED,
    SHARE_HI,
    SHARE_LO,
    SHARE_PRED,
    SWING_PROB,
    TURNOUT_PRED,
)

__all__ = ["simulate_swing", "brier_score", "area_error_sd", "MARGIN_VOTES_PRED", "EXPRIMES_PRED"]

#: expected vote margin per bureau (candidate minus opponent, in votes)
MARGIN_VOTES_PRED = "margin_votes_pred"
#: optional input column: expected exprimés per bureau (else inscrits x turnout_pred)
EXPRIMES_PRED = "exprimes_pred"


def simulate_swing(
    predictions: pd.DataFrame,
    *,
    n_draws: int = 1000,
    common_sd: float = 0.1,
    local_residuals: np.ndarray | None = None,
    scale: np.ndarray | None = None,
    threshold: float = 0.5,
    opponent_col: str | None = None,
    coverage: float = 0.8,
    seed: int = 0,
    chunk_size: int = 4096,
) -> pd.DataFrame:
    """Simulate shares per bureau; return swing probability and margin with its interval.

    Parameters
    ----------
    predictions : DataFrame
        Indexed by ``bureau_id``; needs ``share_pred`` and ``inscrits``; optional
        ``turnout_pred`` or ``exprimes_pred`` (for the vote margin), ``share_lo``/``share_hi``
        (to derive ``scale`` when it is not given) and ``opponent_col``.
    n_draws : int
        Number of simulated elections.
    common_sd : float
        Standard deviation of the common swing on the logit scale (0.1 is about 2.5 share
        points near 50 %; estimate it from area-level errors with :func:`area_error_sd`).
    local_residuals : array of float, optional
        Standardised residuals to resample the local noise from (a fitted model's
        ``residuals_``); default standard normal.
    scale : array of float, optional
        Logit-scale residual scale per bureau (a fitted model's ``scale(X)``). Default:
        derived from ``share_lo``/``share_hi`` as ``(logit(hi) - logit(lo)) / (2 q)`` with
        ``q`` the conformal quantile of ``|local_residuals|`` at ``coverage`` (or the normal
        quantile); without them, the binomial scale ``1 / sqrt(v p (1 - p))`` with ``v`` the
        expected exprimés (or inscrits).
    threshold : float
        Share the candidate must pass when there is no opponent column.
    opponent_col : str, optional
        Column with the opponent's predicted share: the event is then "candidate leads".
    coverage : float
        Coverage of the margin interval (``margin_lo``, ``margin_hi``).
    seed : int
        Seed (results also depend on ``chunk_size``).
    chunk_size : int
        Bureaux simulated at once.

    Returns
    -------
    DataFrame
        Indexed like ``predictions``: ``swing_prob``, ``margin_pred``, ``margin_lo``,
        ``margin_hi`` (share points, candidate minus opponent) and, when a turnout or
        exprimés column is present, ``margin_votes_pred``.

    Examples
    --------
    >>> preds = pd.DataFrame({"share_pred": [0.30, 0.50, 0.70], "inscrits": [800] * 3},
    ...                      index=["a", "b", "c"])
    >>> out = simulate_swing(preds, n_draws=2000, common_sd=0.1, scale=np.full(3, 0.2))
    >>> out["swing_prob"].round(1).tolist()
    [0.0, 0.5, 1.0]
    >>> out["margin_pred"].round(1).tolist()
    [-0.4, 0.0, 0.4]
    """
    frame = as_frame(predictions, "predictions")
    require_columns(frame, [SHARE_PRED, INSCRITS], "predictions")
    share = check_finite(frame, [SHARE_PRED], "predictions")[:, 0]
    outside = (share < 0) | (share > 1)
    if outside.any():
        raise ModelError(
            f"predictions: {where(column=SHARE_PRED, ids=frame.index[outside])}: share outside [0, 1]"
        )
    inscrits = check_finite(frame, [INSCRITS], "predictions")[:, 0]
    if n_draws < 1 or chunk_size < 1:
        raise ModelError(f"n_draws and chunk_size must be >= 1, got {n_draws}, {chunk_size}")
    if common_sd < 0 or not np.isfinite(common_sd):
        raise ModelError(f"common_sd must be a finite number >= 0, got {common_sd!r}")
    if not 0 < coverage < 1:
        raise ModelError(f"coverage must be strictly between 0 and 1, got {coverage!r}")
    if not 0 < threshold < 1:
        raise ModelError(f"threshold must be strictly between 0 and 1, got {threshold!r}")
    pool = None
    if local_residuals is not None:
        pool = np.asarray(local_residuals, dtype=float).reshape(-1)
        if pool.size == 0 or not np.all(np.isfinite(pool)):
            raise ModelError("local_residuals must be a non-empty array of finite numbers")
    voters = _expected_exprimes(frame, inscrits)
    s = _scale(frame, share, voters if voters is not None else inscrits, scale, pool, coverage)
    opponent = None
    if opponent_col is not None:
        require_columns(frame, [opponent_col], "predictions")
        opponent = check_finite(frame, [opponent_col], "predictions")[:, 0]
        if np.any(share + opponent > 1 + 1e-9):
            bad = frame.index[share + opponent > 1 + 1e-9]
            raise ModelError(f"predictions: {where(ids=bad)}: {SHARE_PRED} + {opponent_col} exceeds 1")

    rng = np.random.default_rng(seed)
    common = rng.normal(0.0, common_sd, n_draws).astype(np.float32)
    base = logit(share).astype(np.float32)
    s32 = s.astype(np.float32)
    pool32 = None if pool is None else pool.astype(np.float32)
    # The event "candidate wins" is a threshold on the simulated logit: share > threshold,
    # or, against an opponent whose share is opp * (1 - share) / rest, share > opp / (rest + opp).
    if opponent is None:
        cut = np.full(len(frame), logit(threshold))
    else:
        rest = np.clip(1.0 - share, EPS, None)
        cut = logit(opponent / (rest + opponent))
    # margin = a + b * share draw (monotone), so its quantiles are those of the logit draws
    if opponent is None:
        a, b = np.full(len(frame), -1.0), np.full(len(frame), 2.0)
    else:
        ratio = opponent / np.clip(1.0 - share, EPS, None)
        a, b = -ratio, 1.0 + ratio
    alpha = (1.0 - coverage) / 2.0
    n = len(frame)
    prob = np.empty(n)
    mean_share = np.empty(n)
    q_lo = np.empty(n)
    q_hi = np.empty(n)
    for start in range(0, n, chunk_size):
        rows = slice(start, min(start + chunk_size, n))
        m = rows.stop - rows.start
        if pool32 is None:
            draws = rng.standard_normal((m, n_draws), dtype=np.float32)
        else:
            draws = np.take(pool32, rng.integers(0, pool32.size, (m, n_draws), dtype=np.int32))
        draws *= s32[rows, None]
        draws += base[rows, None]
        draws += common[None, :]
        prob[rows] = (draws > cut[rows, None]).mean(axis=1)
        q = np.quantile(draws, [alpha, 1.0 - alpha], axis=1, method="inverted_cdf")
        q_lo[rows], q_hi[rows] = q[0], q[1]
        # in place: draws -> expit(draws); clipped first so exp cannot overflow float32
        # (|logit| > 80 is a share within 1e-34 of 0 or 1: the clip changes no mean)
        np.clip(draws, -80.0, 80.0, out=draws)
        np.negative(draws, out=draws)
        np.exp(draws, out=draws)
        draws += 1.0
        np.reciprocal(draws, out=draws)
        mean_share[rows] = draws.mean(axis=1, dtype=np.float64)
    mean = a + b * mean_share
    lo = a + b * expit(q_lo)
    hi = a + b * expit(q_hi)
    out = pd.DataFrame(
        {SWING_PROB: prob, MARGIN_PRED: mean, MARGIN_LO: lo, MARGIN_HI: hi}, index=frame.index
    )
    if voters is not None:
        out[MARGIN_VOTES_PRED] = mean * voters
    return out


def _expected_exprimes(frame: pd.DataFrame, inscrits: np.ndarray) -> np.ndarray | None:
    if EXPRIMES_PRED in frame.columns:
        return check_finite(frame, [EXPRIMES_PRED], "predictions")[:, 0]
    if TURNOUT_PRED in frame.columns:
        return inscrits * check_finite(frame, [TURNOUT_PRED], "predictions")[:, 0]
    return None


def _scale(
    frame: pd.DataFrame,
    share: np.ndarray,
    voters: np.ndarray,
    scale: np.ndarray | None,
    pool: np.ndarray | None,
    coverage: float,
) -> np.ndarray:
    """Per-bureau logit-scale residual scale (given, from the interval, or binomial)."""
    if scale is not None:
        return check_nonnegative(scale, frame.index, "scale")
    if SHARE_LO in frame.columns and SHARE_HI in frame.columns:
        lo = check_finite(frame, [SHARE_LO], "predictions")[:, 0]
        hi = check_finite(frame, [SHARE_HI], "predictions")[:, 0]
        if pool is not None:
            q = conformal_quantile(np.abs(pool), coverage)
        else:
            from scipy.stats import norm

            q = float(norm.ppf(0.5 + coverage / 2.0))
        return (logit(hi) - logit(lo)) / (2.0 * q)
    bad = voters <= 0
    if bad.any():
        raise ModelError(f"predictions: {where(ids=frame.index[bad])}: no expected voters")
    p = np.clip(share, EPS, 1 - EPS)
    return 1.0 / np.sqrt(voters * p * (1.0 - p))


def brier_score(prob: object, outcome: object, weights: object | None = None) -> float:
    """Brier score: (weighted) mean squared difference between probability and outcome.

    Parameters
    ----------
    prob : array-like of float
        Predicted probabilities in [0, 1].
    outcome : array-like of bool or {0, 1}
        What happened.
    weights : array-like, optional
        Weights (e.g. inscrits).

    Returns
    -------
    float
        0 is perfect; always predicting 0.5 scores 0.25.

    Examples
    --------
    >>> brier_score([0.9, 0.2], [1, 0])
    0.025
    >>> brier_score([0.5, 0.5], [True, False])
    0.25
    """
    p = np.asarray(prob, dtype=float).reshape(-1)
    o = np.asarray(outcome, dtype=float).reshape(-1)
    if p.shape != o.shape:
        raise ModelError(f"brier_score: {p.shape[0]} probabilities for {o.shape[0]} outcomes")
    if not np.all(np.isfinite(p)) or np.any((p < 0) | (p > 1)):
        raise ModelError("brier_score: probabilities must be finite and in [0, 1]")
    if not np.all(np.isin(o, (0.0, 1.0))):
        raise ModelError("brier_score: outcomes must be 0/1 or booleans")
    sq = (p - o) ** 2
    if weights is None:
        return float(sq.mean())
    return float(np.average(sq, weights=np.asarray(weights, dtype=float)))


def area_error_sd(
    pred: object, obs: object, weights: object, areas: object
) -> float:
    """Spread of area-level errors on the logit scale (a value for ``common_sd``).

    For each area (arrondissement, commune, département) the weighted mean prediction and the
    weighted mean observation are compared on the logit scale; the result is the standard
    deviation of those area errors across areas, weighting every area equally.

    Parameters
    ----------
    pred, obs : array-like of float
        Predicted and observed proportions per bureau (e.g. of a training transition).
    weights : array-like of float
        Bureau weights (inscrits).
    areas : array-like
        Area of each bureau.

    Returns
    -------
    float

    Examples
    --------
    Two areas, predictions right in one, ten points too low in the other
    (``logit(0.6) = 0.405``; the sd of ``[0, 0.405]`` is ``0.405 / sqrt(2)``):

    >>> p = np.array([0.5, 0.5, 0.5, 0.5])
    >>> o = np.array([0.5, 0.5, 0.6, 0.6])
    >>> round(area_error_sd(p, o, np.ones(4), ["a", "a", "b", "b"]), 4)
    0.2867
    """
    frame = pd.DataFrame(
        {
            "a": np.asarray(areas, dtype=object),
            "wp": np.asarray(pred, dtype=float) * np.asarray(weights, dtype=float),
            "wo": np.asarray(obs, dtype=float) * np.asarray(weights, dtype=float),
            "w": np.asarray(weights, dtype=float),
        }
    )
    sums = frame.groupby("a")[["wp", "wo", "w"]].sum()
    if len(sums) < 2:
        raise ModelError("area_error_sd: need at least two areas")
    err = logit(sums["wo"] / sums["w"]) - logit(sums["wp"] / sums["w"])
    return float(np.std(np.asarray(err), ddof=1))
