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

A round not yet held (:func:`forecast_first_place`, what :func:`swingcast.forecast` writes) has
no contenders of its own: they are the contenders of the latest comparable round ``C`` of the
history (:func:`comparable_round`), the target at its forecast share and area-wide level ``S``,
every other contender ``j`` at its area-wide level in ``C`` scaled to what the target leaves,
``L_j = L_j^C (1 - S) / (1 - L_T^C)`` (``L_T^C`` the target's level in ``C``, 0 when it was
absent), so the levels of the forecast round sum as those of ``C`` did; then as above.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from swingcast.errors import ModelError
from swingcast.model._modelinput import logit
from swingcast.model.priors import PriorRound, fill_missing

__all__ = ["first_place_probs", "contender_matrix", "first_places", "flip_probability", "main_contenders", "comparable_round", "comparable_first", "forecast_first_place", "TARGET"]

#: The target's name among the contenders (``swingcast.model.protocol._unit_table``).
TARGET = "TARGET"


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


def main_contenders(levels: pd.Series) -> list[str]:
    """The contenders simulated beside the target: the five largest others with at least 3 %
    area-wide (at least the largest one).

    Examples
    --------
    >>> main_contenders(pd.Series({"TARGET": 0.3, "A": 0.4, "B": 0.01, "C": 0.2}))
    ['A', 'C']
    """
    keep = [c for c in levels.sort_values(ascending=False).index if c != TARGET][:5]
    return [c for c in keep if levels[c] >= 0.03] or keep[:1]


def comparable_round(earlier: Sequence[PriorRound] | Sequence[str], kind: str,
                     round: int | None = None) -> PriorRound | str:
    """The latest round of ``kind`` among ``earlier`` (chronological), else the latest round.

    With ``round``, the latest round of that kind *and* round number comes first (a
    presidential round 1 is compared with the previous round 1, not with the duel that
    followed it), then the rule above.

    ``earlier`` holds :class:`~swingcast.model.priors.PriorRound` objects or round labels
    (``"2019-europeennes-1"``); the chosen one is returned as given.

    Examples
    --------
    >>> labels = ["2014-europeennes-1", "2017-presidentielle-1", "2017-presidentielle-2"]
    >>> comparable_round(labels, "europeennes"), comparable_round(labels, "municipales")
    ('2014-europeennes-1', '2017-presidentielle-2')
    >>> comparable_round(labels, "presidentielle"), comparable_round(labels, "presidentielle", round=1)
    ('2017-presidentielle-2', '2017-presidentielle-1')
    """
    from swingcast.model.history import parse_label

    if not earlier:
        raise ModelError("comparable_round: no earlier round")

    def kind_of(r: PriorRound | str) -> str:
        return parse_label(r)[0].split("-", 1)[1] if isinstance(r, str) else r.kind

    def number_of(r: PriorRound | str) -> int:
        return parse_label(r if isinstance(r, str) else r.label)[1]

    same = [r for r in earlier if kind_of(r) == kind]
    if round is not None:
        same_round = [r for r in same if number_of(r) == int(round)]
        if same_round:
            return same_round[-1]
    return same[-1] if same else earlier[-1]


def comparable_first(comp: PriorRound, target: Callable[[pd.DataFrame], pd.Series], bloc: str,
                     index: pd.Index, communes: pd.Series, weights: np.ndarray, *,
                     votes: tuple[pd.DataFrame, pd.Series] | None = None) -> tuple[pd.Series, pd.DataFrame]:
    """The bloc that came first in each bureau of the comparable round, and its bloc shares.

    Parameters
    ----------
    comp : PriorRound
        The comparable round (:func:`comparable_round`).
    target, bloc
        The target's vote rows and bloc.
    index, communes, weights
        The bureaux to describe, their commune and inscrits.
    votes : (DataFrame, Series), optional
        ``comp``'s voix per bureau and contender and the contenders' blocs, when already
        computed (``swingcast.model.protocol._unit_table``).

    Returns
    -------
    (Series, DataFrame)
        The first bloc per bureau of ``index`` (NaN where ``comp`` does not know the bureau);
        the bloc shares (of the contenders' votes) per bureau, bureaux ``comp`` does not know
        given their commune's (:func:`swingcast.model.priors.fill_missing`).

    Examples
    --------
    >>> vt = pd.DataFrame({"bureau_id": ["a", "a", "b", "b"], "candidate": ["LE PEN", "MACRON"] * 2,
    ...                    "voix": [10, 30, 25, 5]})
    >>> idx = pd.Index(["a", "b", "c"])
    >>> first, shares = comparable_first(PriorRound("x", "presidentielle", vt.iloc[:0], vt),
    ...     lambda v: v["candidate"].eq("LE PEN"), "far_right", idx, pd.Series("1", index=idx), np.ones(3))
    >>> first.tolist(), shares["far_right"].round(3).tolist()
    (['centre', 'far_right', nan], [0.25, 0.833, 0.542])
    """
    from swingcast.model.protocol import _unit_table

    cvoix, cblocs = votes if votes is not None else _unit_table(comp, target, bloc)
    cvoix = cvoix[cvoix.sum(axis=1) > 0]
    prev_first = cvoix.idxmax(axis=1).map(cblocs)
    cb = cvoix.T.groupby(cblocs.reindex(cvoix.columns).to_numpy()).sum().T
    cb = cb.div(cvoix.sum(axis=1), axis=0)
    cb = fill_missing(cb, index, communes, pd.Series(np.asarray(weights, dtype=float), index=index))
    return prev_first.reindex(index), cb


def forecast_first_place(
    target_pred: np.ndarray,
    index: pd.Index,
    communes: pd.Series,
    weights: np.ndarray,
    comparable: PriorRound,
    target: Callable[[pd.DataFrame], pd.Series],
    bloc: str,
    level: float,
    *,
    scale: np.ndarray,
    residuals: np.ndarray | None,
    common_sd: float,
    previous: PriorRound | None = None,
    n_draws: int = 1000,
    seed: int = 0,
) -> tuple[pd.DataFrame, dict]:
    """``swing_prob`` and ``flip_prob`` of a round not yet held, by simulation.

    The contenders are those of the ``comparable`` round (:func:`main_contenders` of its
    area-wide levels over ``index``); the target sits at ``target_pred``, every other
    contender ``j`` at the area-wide level ``L_j^C (1 - level) / (1 - L_T^C)`` spread over the
    bureaux as its bloc was in ``comparable`` (:func:`contender_matrix`). Simulation:
    :func:`first_place_probs`. ``flip_prob`` compares with the bloc first in ``previous``
    (default ``comparable``); a bureau that round does not know takes the bloc leading its
    commune-filled bloc shares there.

    Parameters
    ----------
    target_pred : array (n_bureaux,)
        The target's forecast share on ``index``.
    index, communes, weights
        Forecast bureaux, their commune and inscrits.
    comparable : PriorRound
        Where the contenders come from: the latest round of the forecast round's kind and
        round number in the history, else of its kind, else the latest
        (:func:`comparable_round` with ``round``).
    target, bloc
        The target's vote rows and bloc.
    level : float
        The target's area-wide forecast level (the anchor).
    scale, residuals, common_sd
        The share model's logit noise (as :func:`first_place_probs`).
    previous : PriorRound, optional
        The round whose first place ``flip_prob`` compares with: the latest round of the
        forecast's kind, else the latest (:func:`comparable_round`), as in the back-test.
    n_draws, seed : int

    Returns
    -------
    (DataFrame, dict)
        ``swing_prob`` and ``flip_prob`` indexed by ``index``; the contenders, their blocs and
        levels and the comparable round (JSON-ready).

    Examples
    --------
    One contender far ahead everywhere: it comes first, and first place does not change.

    >>> vt = pd.DataFrame({"bureau_id": ["a", "a", "b", "b"], "candidate": ["LE PEN", "MACRON"] * 2,
    ...                    "voix": [80, 20, 70, 30]})
    >>> idx = pd.Index(["a", "b"])
    >>> ev, info = forecast_first_place(np.array([0.78, 0.68]), idx, pd.Series("1", index=idx),
    ...     np.ones(2), PriorRound("x", "presidentielle", vt.iloc[:0], vt),
    ...     lambda v: v["candidate"].eq("LE PEN"), "far_right", 0.73,
    ...     scale=np.full(2, 0.1), residuals=None, common_sd=0.05, n_draws=500)
    >>> ev.round(3).to_dict("list"), info["levels"]
    ({'swing_prob': [1.0, 1.0], 'flip_prob': [0.0, 0.0]}, {'TARGET': 0.73, 'MACRON': 0.27})
    """
    from swingcast.model.protocol import _unit_table

    w = np.asarray(weights, dtype=float)
    pred = np.asarray(target_pred, dtype=float)
    if pred.shape != (len(index),) or w.shape != (len(index),):
        raise ModelError(f"forecast_first_place: {len(index)} bureaux, but {pred.shape} predictions "
                         f"and {w.shape} weights")
    if not 0.0 < float(level) < 1.0:
        raise ModelError(f"forecast_first_place: level {level!r}; expected a proportion in (0, 1)")
    cvoix, cblocs = _unit_table(comparable, target, bloc)
    cvoix = cvoix[cvoix.sum(axis=1) > 0]
    if cvoix.empty:
        raise ModelError(f"forecast_first_place: the comparable round {comparable.label} has no votes")
    first_c, cb = comparable_first(comparable, target, bloc, index, communes, w, votes=(cvoix, cblocs))
    prev_first, prev_cb = ((first_c, cb) if previous is None or previous.label == comparable.label
                           else comparable_first(previous, target, bloc, index, communes, w))
    cshares = fill_missing(cvoix.div(cvoix.sum(axis=1), axis=0), index, communes, pd.Series(w, index=index))
    clevels = pd.Series(np.average(cshares.to_numpy(float), axis=0, weights=w), index=cshares.columns)
    keep = main_contenders(clevels)
    if not keep:
        raise ModelError(f"forecast_first_place: the comparable round {comparable.label} has no contender "
                         "beside the target")
    target_before = float(clevels.get(TARGET, 0.0))
    rest = (1.0 - float(level)) / (1.0 - target_before) if target_before < 1.0 else 0.0
    lv = clevels.reindex(keep) * rest
    mat = contender_matrix(pred, lv, cblocs.reindex(keep), cb, TARGET, weights=w)
    probs = first_place_probs(mat, np.asarray(scale, dtype=float), common_sd=float(common_sd),
                              residuals=residuals, n_draws=n_draws, seed=seed)
    # a bureau the comparable round does not know: the bloc leading its (commune) bloc shares
    prev = prev_first.fillna(prev_cb.idxmax(axis=1))
    out = pd.DataFrame({"swing_prob": probs[:, 0],
                        "flip_prob": flip_probability(probs, [bloc, *cblocs.reindex(keep)], prev.to_numpy())},
                       index=index)
    info = {"contenders_round": comparable.label, "flip_round": (previous or comparable).label,
            "contenders": [TARGET, *keep],
            "blocs": {TARGET: bloc, **{c: str(cblocs[c]) for c in keep}},
            "levels": {TARGET: round(float(level), 6), **{c: round(float(lv[c]), 6) for c in keep}},
            "bureaux_unknown_to_flip_round": int(prev_first.isna().sum())}
    return out, info
