"""A model that learns from every usable transition of a history at once.

Every round of a history is described, per bureau, by the logit deviation of a quantity
(turnout = votants / inscrits, or a target share of exprimés) from its area-wide level. For a
round ``t`` forecast from the rounds before it, the features are the deviations in

* ``recent``: the most recent earlier usable round,
* ``same``: the latest earlier round of the same kind as ``t`` (``recent`` when there is none,
  with ``no_same = 1``),
* ``recent2``: the second most recent usable round (``recent`` when there is none),

each also interacted with the kind of ``t`` (one-hot over :data:`swingcast.schema.ELECTION_KINDS`)
and with "``t`` is a round 2"; ``commune_dev`` (the commune's inscrits-weighted mean of
``recent`` minus the bureau's own: shrinkage toward the commune) and the centred log of
inscrits. The target is the deviation of ``t``. One ridge regression is fitted on the
transitions into every development round at once (:class:`TransitionModel`), its penalty
chosen by rolling origin (:func:`rolling_origin`); predictions are re-centred on an area-wide
anchor with a logit shift.

A round is usable for a share when the target (or, failing that, its bloc) got votes in at
least :data:`USABLE_SHARE` of its bureaux; turnout is usable in every round. Bureaux a round
does not know get their commune's mean deviation (else 0) and ``matched = False`` when the
most recent round does not know them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.linear_model import Ridge

from swingcast._log import logger
from swingcast.errors import ModelError
from swingcast.model.priors import _CACHE, PriorRound, _voix_of, blocs_of, round_totals, votes_in
from swingcast.schema import (
    ARRONDISSEMENT_CODE,
    BUREAU_ID,
    ELECTION_KINDS,
    EXPRIMES,
    INSCRITS,
    VOTANTS,
)

__all__ = ["RoundValues", "round_values", "bureau_groups", "transition_matrix", "TransitionModel",
           "rolling_origin", "USABLE_SHARE", "ALPHAS", "GROUP_BY_ARRONDISSEMENT"]

#: a round is a usable share prior / target when the target or its bloc got votes in at least
#: this share of its bureaux
USABLE_SHARE = 0.9
#: group the bureaux of Paris, Lyon and Marseille by municipal arrondissement (the
#: ``arrondissement_code`` of their results), not by the city (docs/models.md, entries 25–26)
GROUP_BY_ARRONDISSEMENT = True
#: penalties tried by :func:`rolling_origin`
ALPHAS = (0.1, 1.0, 10.0, 100.0)
#: offsets tried by :func:`rolling_origin`
OFFSETS = (None, "recent", "same")
#: deviation scales tried by :func:`rolling_origin`
SCALES = ("logit", "linear")
_BASE = ("recent", "same", "recent2")


@dataclass
class RoundValues:
    """One round described by one quantity.

    Attributes
    ----------
    label, kind : str
    round_no : int
    value : Series
        The proportion per ``bureau_id``.
    n : Series
        Its denominator (inscrits for turnout, exprimés for a share).
    inscrits : Series
    commune : Series
        Commune code (or the pooling area) per bureau.
    source : str
        ``"turnout"``, ``"target"`` or ``"bloc"``.
    """

    label: str
    kind: str
    round_no: int
    value: pd.Series
    n: pd.Series
    inscrits: pd.Series
    commune: pd.Series
    source: str

    @property
    def level(self) -> float:
        """Inscrits-weighted area-wide level."""
        return float(np.average(self.value.to_numpy(float), weights=self.inscrits.to_numpy(float)))


def _round_no(label: str) -> int:
    tail = label.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else 1


def bureau_groups(stations: pd.DataFrame, index: pd.Index) -> pd.Series:
    """The pooling group of each bureau of ``index``: its municipal arrondissement where the
    results give one (Paris, Lyon, Marseille), else its commune (the text before ``_`` in the id).

    Examples
    --------
    >>> st = pd.DataFrame({"bureau_id": ["75056_0101", "75056_1801", "92002_1"],
    ...                    "arrondissement_code": ["75101", "75118", None]})
    >>> bureau_groups(st, pd.Index(["75056_0101", "75056_1801", "92002_1"])).tolist()
    ['75101', '75118', '92002']
    """
    ids = pd.Series(index.astype(str).str.split("_").str[0], index=index)
    if not GROUP_BY_ARRONDISSEMENT or ARRONDISSEMENT_CODE not in stations.columns:
        return ids
    col = stations[ARRONDISSEMENT_CODE]
    if not col.notna().any():  # outside Paris, Lyon and Marseille: nothing to look up
        return ids
    arr = col.set_axis(stations[BUREAU_ID].astype(str))
    arr = arr[~arr.index.duplicated()].astype("string").str.strip().reindex(index.astype(str))
    given = (arr.notna() & (arr != "")).to_numpy(bool)
    return ids.where(~given, arr.to_numpy(dtype=object, na_value=None))


def round_values(
    r: PriorRound,
    quantity: str,
    *,
    target: Callable[[pd.DataFrame], pd.Series] | None = None,
    bloc: str | None = None,
    communes: pd.Series | None = None,
) -> RoundValues | None:
    """The quantity of one round per bureau, or None when the round is not usable for it.

    Parameters
    ----------
    r : PriorRound
    quantity : {"turnout", "share"}
    target : callable, optional
        The target's vote rows (needed for a share).
    bloc : str, optional
        The target's bloc (used when the target itself is not usable in the round).
    communes : Series, optional
        Pooling area per ``bureau_id`` (default: :func:`bureau_groups`, the commune, or the
        municipal arrondissement in Paris, Lyon and Marseille).

    Examples
    --------
    >>> st = pd.DataFrame({"bureau_id": ["1_a", "1_b"], "inscrits": [100, 200],
    ...                    "votants": [50, 150], "exprimes": [40, 100]})
    >>> vt = pd.DataFrame({"bureau_id": ["1_a", "1_b"], "candidate": ["X", "X"], "voix": [10, 50]})
    >>> rv = round_values(PriorRound("2017-presidentielle-1", "presidentielle", st, vt), "share",
    ...                   target=lambda v: v["candidate"].eq("X"))
    >>> rv.value.tolist(), rv.source
    ([0.25, 0.5], 'target')
    """
    totals = round_totals(r.stations)
    if communes is None:
        key = ("groups", id(r.stations), GROUP_BY_ARRONDISSEMENT)
        hit = _CACHE.get(key)
        if hit is not None and hit[0] is r.stations:  # the same table as round_totals' cache
            com = hit[2].copy()
        else:
            com = bureau_groups(r.stations, totals.index)
            _CACHE[key] = (r.stations, None, com)
            com = com.copy()
    else:
        com = communes.reindex(totals.index).fillna(pd.Series(totals.index.astype(str).str.split("_").str[0],
                                                              index=totals.index))
    if quantity == "turnout":
        return RoundValues(r.label, r.kind, _round_no(r.label), totals[VOTANTS] / totals[INSCRITS],
                           totals[INSCRITS], totals[INSCRITS], com, "turnout")
    if quantity != "share":
        raise ModelError(f"round_values: quantity must be 'turnout' or 'share', got {quantity!r}")
    if target is None:
        raise ModelError("round_values: a share needs a target selector")
    totals = totals[totals[EXPRIMES] > 0]
    vt = votes_in(r.votes, totals.index)
    def bloc_mask() -> np.ndarray:
        blocs = blocs_of(r.votes)
        return (blocs if vt is r.votes else blocs.loc[vt.index]).eq(bloc).to_numpy(dtype=bool)

    candidates = [("target", lambda: np.asarray(target(vt), dtype=bool))]
    if bloc is not None and len(vt):
        candidates.append(("bloc", bloc_mask))
    for source, mask_of in candidates:  # the bloc only when the target is not usable
        voix = _voix_of(vt, mask_of())
        present = (voix.reindex(totals.index, fill_value=0.0) > 0).mean()
        if present >= USABLE_SHARE:
            value = voix.reindex(totals.index, fill_value=0.0) / totals[EXPRIMES]
            return RoundValues(r.label, r.kind, _round_no(r.label), value, totals[EXPRIMES],
                               totals[INSCRITS], com.reindex(totals.index), source)
    return None


def _elogit(value: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Empirical logit ``log((v n + 0.5) / ((1 - v) n + 0.5))``."""
    return np.log(value * n + 0.5) - np.log((1.0 - value) * n + 0.5)


def _deviation(rv: RoundValues, scale: str = "logit") -> pd.Series:
    """Deviation from the round's level: logit (empirical) or linear (proportion points)."""
    if scale == "linear":
        return rv.value.astype(float) - rv.level
    lv = float(np.clip(rv.level, 1e-6, 1 - 1e-6))
    return pd.Series(_elogit(rv.value.to_numpy(float), rv.n.to_numpy(float)) - np.log(lv / (1 - lv)),
                     index=rv.value.index)


def _on(dev: pd.Series, index: pd.Index, communes: pd.Series, weights: pd.Series) -> pd.Series:
    """``dev`` on ``index``; unknown bureaux get their commune's weighted mean, else 0."""
    out = dev.reindex(index)
    if out.notna().all():
        return out
    known = out.notna()
    com = communes.reindex(index).astype(str)
    w = weights.reindex(index).astype(float)
    by_com = (out * w).where(known).groupby(com).sum() / w.where(known).groupby(com).sum()
    return out.fillna(com.map(by_com)).fillna(0.0)


def transition_matrix(earlier: Sequence[RoundValues], kind: str, round_no: int, index: pd.Index,
                      communes: pd.Series, inscrits: pd.Series,
                      scale: str = "logit") -> tuple[pd.DataFrame, pd.Series]:
    """Features of the bureaux ``index`` of a round of ``kind`` / ``round_no`` from ``earlier``.

    Returns
    -------
    (DataFrame, Series)
        The features and ``matched`` (the most recent earlier round knows the bureau).

    Examples
    --------
    >>> idx = pd.Index(["1_a", "1_b"])
    >>> rv = RoundValues("2019-europeennes-1", "europeennes", 1, pd.Series([0.2, 0.4], index=idx),
    ...                  pd.Series([100.0, 100.0], index=idx), pd.Series([100.0, 100.0], index=idx),
    ...                  pd.Series(["1", "1"], index=idx), "target")
    >>> X, matched = transition_matrix([rv], "europeennes", 1, idx, rv.commune, rv.inscrits)
    >>> bool(X["no_same"].iloc[0]), matched.tolist()
    (False, [True, True])
    """
    if not earlier:
        raise ModelError("transition_matrix: no earlier usable round")
    rec = earlier[-1]
    same_rounds = [r for r in earlier if r.kind == kind]
    same = same_rounds[-1] if same_rounds else rec
    rec2 = earlier[-2] if len(earlier) > 1 else rec
    w = inscrits.reindex(index).astype(float)
    base = {name: _on(_deviation(rv, scale), index, communes, w) for name, rv in
            (("recent", rec), ("same", same), ("recent2", rec2))}
    cols = {k: v.to_numpy(float) for k, v in base.items()}
    com = communes.reindex(index).astype(str).to_numpy()
    wv = w.to_numpy(float)
    com_codes, com_idx = np.unique(com, return_inverse=True)
    wsum = np.bincount(com_idx, weights=wv, minlength=len(com_codes))
    rsum = np.bincount(com_idx, weights=wv * cols["recent"], minlength=len(com_codes))
    cols["commune_dev"] = rsum[com_idx] / np.where(wsum[com_idx] > 0, wsum[com_idx], 1.0) - cols["recent"]
    cols["no_same"] = np.full(len(index), float(not same_rounds))
    logn = np.log(np.clip(wv, 1.0, None))
    cols["log_inscrits"] = logn - float(np.average(logn, weights=wv))
    for k in ELECTION_KINDS:
        flag = float(kind == k)
        for b in _BASE:
            cols[f"{b}_x_{k}"] = cols[b] * flag
    for b in _BASE:
        cols[f"{b}_x_round2"] = cols[b] * float(round_no == 2)
    X = pd.DataFrame(cols, index=index)
    matched = pd.Series(index.isin(rec.value.index), index=index)
    return X, matched


@dataclass
class TransitionModel:
    """Ridge regression of a round's deviation on the features of :func:`transition_matrix`,
    fitted on many transitions at once.

    Parameters
    ----------
    alpha : float
        Ridge penalty.
    offset : {None, "recent", "same"}
        A feature entered with coefficient 1 (the model then learns departures from a
        uniform logit swing on that round, and the penalty shrinks toward it).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"recent": rng.normal(size=50)})
    >>> m = TransitionModel(alpha=0.1).fit([(X, 0.8 * X["recent"])])
    >>> round(float(m.coef_["recent"]), 2)
    0.8
    """

    alpha: float = 1.0
    offset: str | None = None
    coef_: pd.Series = field(default=None, repr=False)  # type: ignore[assignment]
    intercept_: float = 0.0
    columns_: list[str] = field(default_factory=list, repr=False)

    def fit(self, transitions: Sequence[tuple[pd.DataFrame, pd.Series]]) -> TransitionModel:
        """Fit on ``[(X, y), ...]`` (y = the target round's deviation per bureau)."""
        if not transitions:
            raise ModelError("TransitionModel.fit: no training transition")
        self.columns_ = list(transitions[0][0].columns)
        X = pd.concat([t[0][self.columns_] for t in transitions]).to_numpy(float)
        y = np.concatenate([np.asarray(t[1], dtype=float) for t in transitions])
        if self.offset is not None:
            y = y - pd.concat([t[0][self.offset] for t in transitions]).to_numpy(float)
        if not np.all(np.isfinite(X)) or not np.all(np.isfinite(y)):
            raise ModelError("TransitionModel.fit: non-finite features or targets")
        reg = Ridge(alpha=self.alpha).fit(X, y)
        self.coef_ = pd.Series(reg.coef_, index=self.columns_)
        self.intercept_ = float(reg.intercept_)
        return self

    def predict_eta(self, X: pd.DataFrame) -> np.ndarray:
        """Predicted deviation (logit scale, before re-centring)."""
        if self.coef_ is None:
            raise ModelError("TransitionModel: predict before fit")
        eta = X[self.columns_].to_numpy(float) @ self.coef_.to_numpy(float) + self.intercept_
        return eta + (X[self.offset].to_numpy(float) if self.offset is not None else 0.0)


def _recentre_eta(eta: np.ndarray, w: np.ndarray, level: float, scale: str = "logit") -> np.ndarray:
    """Predicted deviations -> proportions whose weighted mean is ``level`` (a logit shift, or
    for the linear scale an additive one, a uniform swing)."""
    from swingcast.model.estimators import recentre

    if scale == "linear":
        p = np.asarray(eta, dtype=float)
        for _ in range(20):  # the shift, then clipping, until the mean holds
            p = np.clip(p + (level - float(np.average(p, weights=w))), 1e-4, 1 - 1e-4)
        return p

    p = 1.0 / (1.0 + np.exp(-np.clip(eta, -30, 30)))
    return recentre(np.clip(p, 1e-6, 1 - 1e-6), w, float(np.clip(level, 1e-6, 1 - 1e-6)))


@dataclass
class _Transition:
    k: int
    X: pd.DataFrame
    y: pd.Series
    matched: pd.Series
    rv: RoundValues


def transitions_of(rounds: Sequence[RoundValues | None], scale: str = "logit") -> list[_Transition]:
    """Every transition into a usable round that has at least one usable earlier round."""
    out = []
    for k, rv in enumerate(rounds):
        if rv is None:
            continue
        earlier = [r for r in rounds[:k] if r is not None]
        if not earlier:
            continue
        X, matched = transition_matrix(earlier, rv.kind, rv.round_no, rv.value.index, rv.commune, rv.inscrits,
                                       scale)
        out.append(_Transition(k, X, _deviation(rv, scale), matched, rv))
    return out


def rolling_origin(
    rounds: Sequence[RoundValues | None], alphas: Sequence[float] = ALPHAS,
    offsets: Sequence[str | None] = OFFSETS, scales: Sequence[str] = SCALES,
) -> tuple[dict, dict, list[dict]]:
    """Choose the scale, penalty and offset by rolling origin over development rounds.

    For each transition ``j`` of ``rounds`` that has an earlier one, fit on the transitions
    before it and score it (MAE after re-centring on its own level, a perfect poll); the
    choice with the lowest mean MAE wins. Returns ``{"scale", "alpha", "offset"}``, the mean
    MAE per choice (``"scale|alpha|offset"``) and the per-round rows at the chosen one
    (out-of-sample predictions, for the interval calibration).
    """
    mean_mae: dict[str, float] = {}
    tables: dict[tuple, list[dict]] = {}
    for sc in scales:
        transitions = transitions_of(rounds, sc)
        scored = list(range(1, len(transitions)))
        if not scored:
            return {"scale": "logit", "alpha": 1.0, "offset": None}, {}, []
        for a in alphas:
            for off in offsets:
                rows = []
                for j in scored:
                    m = TransitionModel(alpha=a, offset=off).fit([(t.X, t.y) for t in transitions[:j]])
                    t = transitions[j]
                    w = t.rv.inscrits.to_numpy(float)
                    pred = _recentre_eta(m.predict_eta(t.X), w, t.rv.level, sc)
                    obs = t.rv.value.to_numpy(float)
                    rows.append({"round": t.rv.label, "mae": float(np.mean(np.abs(pred - obs))),
                                 "pred": pred, "obs": obs, "n": t.rv.n.to_numpy(float),
                                 "matched": t.matched.to_numpy(bool), "index": t.X.index,
                                 "commune": t.rv.commune.to_numpy(), "w": w})
                tables[(sc, a, off)] = rows
                mean_mae[f"{sc}|{a}|{off}"] = float(np.mean([r["mae"] for r in rows]))
    best = min(tables, key=lambda k: mean_mae["|".join(map(str, k))])
    logger.info("transition model: scale %s, alpha %s, offset %s chosen by rolling origin", *best)
    return {"scale": best[0], "alpha": best[1], "offset": best[2]}, mean_mae, tables[best]
