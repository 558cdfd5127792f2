"""Swing that means swing: who comes first in each bureau, and whether first place changes.

Two events per bureau, both from simulation:

``swing_prob``
    P(the target candidate / list comes first in the bureau); in a two-candidate round, P(it
    wins the bureau).
``flip_prob``
    P(the bureau's first place changes from the latest comparable round), first places being
    compared by bloc (:func:`swingcast.model.blocs.bloc_of`), the unit that carries across
    elections whose lists differ.

Contenders are the target plus the other candidates / lists of the scored round
(:func:`contender_matrix`): the target's share is the model's (or a baseline's) prediction;
every other contender ``j`` of bloc ``b`` gets its bloc's share in the comparable round times
``L_j / B_b`` (its area-wide level over that bloc's previous area-wide level: a proportional
swing of the bloc to the contender's level; a bloc absent before gets ``L_j`` everywhere).
Each draw moves every contender on the logit scale by a common error ``c ~ N(0, common_sd^2)``
of its own plus local noise ``s_i r`` (``r`` resampled from the method's standardised
residuals), as :func:`swingcast.model.simulate.simulate_swing` does for one share; the
contender with the largest simulated share comes first.

The observed events (:func:`first_places`) use the same contenders' actual votes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from swingcast.errors import ModelError
from swingcast.model._modelinput import logit

__all__ = ["first_place_probs", "contender_matrix", "first_places", "flip_probability"]


def first_place_probs(
    shares: np.ndarray,
    scale: np.ndarray,
    *,
    common_sd: float,
    residuals: np.ndarray | None = None,
    n_draws: int = 1000,
    seed: int = 0,
    chunk_size: int = 1024,
) -> np.ndarray:
    """P(each contender comes first) per bureau, by simulation.

    Parameters
    ----------
    shares : array (n_bureaux, n_contenders)
        Predicted shares (need not sum to 1: only their order matters).
    scale : array (n_bureaux,)
        Logit-scale local noise scale per bureau.
    common_sd : float
        sd of each contender's common (area-wide) logit error.
    residuals : array, optional
        Standardised residuals to resample the local noise from (default standard normal).
    n_draws, seed, chunk_size : int

    Returns
    -------
    array (n_bureaux, n_contenders)
        Rows sum to 1.

    Examples
    --------
    Two contenders level in bureau 0, far apart in bureau 1:

    >>> p = first_place_probs(np.array([[0.4, 0.4], [0.6, 0.2]]), np.full(2, 0.1),
    ...                       common_sd=0.0, n_draws=4000)
    >>> p.round(1).tolist()
    [[0.5, 0.5], [1.0, 0.0]]
    """
    s = np.asarray(shares, dtype=float)
    if s.ndim != 2 or s.shape[1] < 1:
        raise ModelError(f"first_place_probs: shares must be (bureaux, contenders), got shape {s.shape}")
    if not np.all(np.isfinite(s)):
        raise ModelError("first_place_probs: non-finite predicted shares")
    sc = np.asarray(scale, dtype=float).reshape(-1)
    if sc.shape[0] != s.shape[0] or not np.all(np.isfinite(sc)) or np.any(sc < 0):
        raise ModelError("first_place_probs: scale must be one finite value >= 0 per bureau")
    if common_sd < 0 or not np.isfinite(common_sd):
        raise ModelError(f"first_place_probs: common_sd must be finite and >= 0, got {common_sd!r}")
    n, k = s.shape
    rng = np.random.default_rng(seed)
    common = rng.normal(0.0, common_sd, (n_draws, k)).astype(np.float32)
    base = logit(np.clip(s, 1e-6, 1 - 1e-6)).astype(np.float32)
    pool = None if residuals is None else np.asarray(residuals, dtype=np.float32).reshape(-1)
    if pool is not None and (pool.size == 0 or not np.all(np.isfinite(pool))):
        raise ModelError("first_place_probs: residuals must be a non-empty array of finite numbers")
    out = np.zeros((n, k))
    for start in range(0, n, chunk_size):
        rows = slice(start, min(start + chunk_size, n))
        m = rows.stop - rows.start
        if pool is None:
            draws = rng.standard_normal((m, n_draws, k), dtype=np.float32)
        else:
            draws = np.take(pool, rng.integers(0, pool.size, (m, n_draws, k), dtype=np.int32))
        draws *= sc[rows, None, None].astype(np.float32)
        draws += base[rows, None, :]
        draws += common[None, :, :]
        winner = draws.argmax(axis=2)
        for j in range(k):
            out[rows, j] = (winner == j).mean(axis=1)
    return out


def contender_matrix(
    target_pred: np.ndarray,
    levels: pd.Series,
    blocs: pd.Series,
    prior_bloc_shares: pd.DataFrame,
    target: str,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """Predicted shares of every contender (target first column, then ``levels`` order).

    Parameters
    ----------
    target_pred : array (n_bureaux,)
        The target's predicted share.
    levels : Series
        Area-wide share of each contender (the anchor: actual, polled, or previous).
    blocs : Series
        Bloc of each contender (same index as ``levels``).
    prior_bloc_shares : DataFrame
        Bloc shares per bureau in the comparable round (columns = blocs), rows aligned with
        ``target_pred``.
    target : str
        The target's name in ``levels`` (left out of the other columns).
    weights : array, optional
        Bureau weights of the blocs' previous area-wide levels (inscrits; default equal).

    Returns
    -------
    array (n_bureaux, 1 + n_others)

    Examples
    --------
    >>> lv = pd.Series({"T": 0.3, "A": 0.2, "B": 0.1})
    >>> bl = pd.Series({"T": "far_right", "A": "centre", "B": "green"})
    >>> pb = pd.DataFrame({"centre": [0.1, 0.3], "far_right": [0.3, 0.2]})
    >>> contender_matrix(np.array([0.3, 0.3]), lv, bl, pb, "T").round(3).tolist()
    [[0.3, 0.1, 0.1], [0.3, 0.3, 0.1]]
    """
    cols = [np.asarray(target_pred, dtype=float)]
    n = len(cols[0])
    for name, level in levels.items():
        if name == target:
            continue
        b = blocs[name]
        if b in prior_bloc_shares.columns:
            prior = prior_bloc_shares[b].to_numpy(float)
            prev_level = float(np.average(prior, weights=weights)) if len(prior) else 0.0
            cols.append(prior * (float(level) / prev_level) if prev_level > 0 else np.full(n, float(level)))
        else:
            cols.append(np.full(n, float(level)))
    return np.clip(np.column_stack(cols), 0.0, 1.0)


def first_places(voix: pd.DataFrame) -> pd.Series:
    """The contender with the most votes per bureau (ties: the first column).

    Examples
    --------
    >>> first_places(pd.DataFrame({"A": [3, 1], "B": [2, 5]}, index=["x", "y"])).tolist()
    ['A', 'B']
    """
    if voix.shape[1] == 0:
        raise ModelError("first_places: no contenders")
    return voix.idxmax(axis=1)


def flip_probability(probs: np.ndarray, contender_blocs: Sequence[str], previous_first_bloc: Sequence[str]) -> np.ndarray:
    """P(first place changes bloc): one minus the probability that a contender of the bureau's
    previous winning bloc comes first.

    Examples
    --------
    >>> flip_probability(np.array([[0.7, 0.3], [0.2, 0.8]]), ["rn", "centre"], ["rn", "rn"]).tolist()
    [0.30000000000000004, 0.8]
    """
    p = np.asarray(probs, dtype=float)
    b = np.asarray(list(contender_blocs), dtype=object)
    prev = np.asarray(list(previous_first_bloc), dtype=object)
    same = b[None, :] == prev[:, None]
    return 1.0 - (p * same).sum(axis=1)
