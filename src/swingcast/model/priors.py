"""Every reasonable prior of a target, every baseline on it, the best of them, and the floor.

A baseline is only as strong as its prior. For a target proportion of a scored round (turnout
= votants / inscrits, or a candidate's / list's share of exprimés) this module builds, from
the earlier rounds of a history, **every prior of the same quantity**:

* turnout: ``turnout:<round>`` = votants / inscrits of each earlier round;
* share: ``share:<round>`` the target's own share of exprimés in each earlier round where it
  stood; ``bloc:<round>`` the share of its bloc (allies by bloc,
  :func:`swingcast.model.blocs.assign_blocs`);
* for a two-candidate round (a round 2), with the opponent named:
  ``finalists:<round>`` = target / (target + opponent) in each earlier round where both stood
  (the target's share of the two finalists' round-1 votes), ``1-opponent:<round>`` = one minus
  the opponent's share and ``1-opponent_bloc:<round>`` = one minus the opponent's bloc.

Each prior is carried by three methods (:func:`baseline_predictions`): carry-forward, uniform
swing and proportional swing to an area-wide ``level`` (the anchor). :func:`best_baseline`
names the one with the lowest MAE on the scored round (an ex-post choice: the strongest
comparator a model can face). Bureaux that a round does not know are given their commune's
value in that round (weighted by inscrits), else the round's area-wide value.

:func:`binomial_floor` is the error that binomial noise alone leaves:
``E|Bin(n, p)/n - p| ~ sqrt(2/pi) sqrt(p (1 - p) / n)`` averaged over bureaux;
:func:`gap_closed` is ``(best baseline - model) / (best baseline - floor)``.

Rounds are given as :class:`PriorRound` (label, kind, stations, votes), the rows of
:func:`swingcast.read_results` or of a ``History`` filtered to one round.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from swingcast.errors import ModelError
from swingcast.model.blocs import assign_blocs
from swingcast.schema import BUREAU_ID, EXPRIMES, INSCRITS, VOIX, VOTANTS

__all__ = [
    "PriorRound",
    "round_totals",
    "votes_in",
    "turnout_priors",
    "share_priors",
    "share_prior_columns",
    "turnout_prior_columns",
    "fill_missing",
    "fill_by_commune",
    "baseline_predictions",
    "best_baseline",
    "binomial_floor",
    "gap_closed",
    "BASELINE_METHODS",
    "case_extras",
    "history_priors",
]

#: The methods applied to every prior.
BASELINE_METHODS = ("carry_forward", "uniform_swing", "proportional_swing")

Selector = Callable[[pd.DataFrame], pd.Series]


@dataclass(frozen=True)
class PriorRound:
    """One earlier round: its label (``2017-presidentielle-1``), kind, stations and votes.

    Attributes
    ----------
    label : str
    kind : str
        The election kind (``presidentielle``, ``europeennes``, ...), for "same kind".
    stations, votes : DataFrame
        Schema rows of that round (``bureau_id``, ``inscrits``, ``votants``, ``exprimes``;
        ``bureau_id``, ``voix`` and a nuance, list or candidate column).
    """

    label: str
    kind: str
    stations: pd.DataFrame
    votes: pd.DataFrame


def round_totals(stations: pd.DataFrame) -> pd.DataFrame:
    """``inscrits, votants, exprimes`` per ``bureau_id`` (floats), bureaux with inscrits > 0.

    Examples
    --------
    >>> st = pd.DataFrame({"bureau_id": ["a", "b"], "inscrits": [10, 0], "votants": [5, 0],
    ...                    "exprimes": [4, 0]})
    >>> round_totals(st).index.tolist()
    ['a']
    """
    key = ("totals", id(stations))
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is stations:
        return hit[2].copy()
    out = stations.set_index(BUREAU_ID)[[INSCRITS, VOTANTS, EXPRIMES]].apply(pd.to_numeric).astype(float)
    out = out.groupby(level=0).sum()
    out = out[out[INSCRITS] > 0]
    # plain Python strings: every later reindex / lookup on this index is a hash lookup, not a
    # conversion of Arrow strings (9 s of an all-France forecast before)
    out.index = pd.Index(out.index.astype(str).to_numpy(dtype=object), dtype=object, name=BUREAU_ID)
    _CACHE[key] = (stations, None, out)
    return out.copy()


def votes_in(votes: pd.DataFrame, index: pd.Index) -> pd.DataFrame:
    """The rows of ``votes`` whose ``bureau_id`` is in ``index``.

    The same as ``votes[votes[BUREAU_ID].isin(index)]``; the bureau codes of a votes table
    are factorised once (cached), so a national table of 2.3 million rows is filtered by
    looking up its ~70,000 distinct codes only.

    Examples
    --------
    >>> vt = pd.DataFrame({"bureau_id": ["a", "b", "a", "c"], "voix": [1, 2, 3, 4]})
    >>> votes_in(vt, pd.Index(["a", "c"]))["voix"].tolist()
    [1, 3, 4]
    """
    codes, uniques = _codes(votes)
    keep = uniques.isin(pd.Index(np.asarray(index, dtype=object), dtype=object))
    mask = np.where(codes >= 0, keep[np.clip(codes, 0, None)], False)
    return votes if mask.all() else votes[mask]


def _codes(votes: pd.DataFrame) -> tuple[np.ndarray, pd.Index]:
    """``pd.factorize`` of the bureau codes of a votes table, computed once per table."""
    key = ("codes", id(votes))
    hit = _CACHE.get(key)
    if hit is None or hit[0] is not votes:
        codes, uniques = pd.factorize(votes[BUREAU_ID])
        hit = (votes, None, (codes, pd.Index(np.asarray(uniques, dtype=object), dtype=object)))
        _CACHE[key] = hit
    return hit[2]


def _voix_of(votes: pd.DataFrame, mask: pd.Series | np.ndarray) -> pd.Series:
    """Sum of ``voix`` per bureau over the rows ``mask`` (bureaux with a row only)."""
    codes, uniques = _codes(votes)
    v = pd.to_numeric(votes[VOIX]).to_numpy(dtype=float, na_value=np.nan)
    m = np.asarray(mask, dtype=bool) & (codes >= 0)
    sums = np.bincount(codes[m], weights=np.nan_to_num(v[m]), minlength=len(uniques))
    seen = np.bincount(codes[m], minlength=len(uniques)) > 0
    return pd.Series(sums[seen], index=uniques[seen])


def _share(voix: pd.Series, totals: pd.DataFrame) -> pd.Series:
    exp = totals[EXPRIMES]
    v = voix.reindex(totals.index, fill_value=0.0)
    return (v / exp.where(exp > 0)).rename(None)


def turnout_priors(rounds: Sequence[PriorRound]) -> pd.DataFrame:
    """Votants / inscrits of every earlier round, one column ``turnout:<label>`` each.

    Parameters
    ----------
    rounds : sequence of PriorRound

    Returns
    -------
    DataFrame
        Indexed by ``bureau_id`` (the union of the rounds' bureaux; NaN where a round does
        not know a bureau).

    Examples
    --------
    >>> st = pd.DataFrame({"bureau_id": ["a", "b"], "inscrits": [100, 200],
    ...                    "votants": [50, 150], "exprimes": [48, 140]})
    >>> pr = turnout_priors([PriorRound("2017-presidentielle-1", "presidentielle", st, st.iloc[:0])])
    >>> pr["turnout:2017-presidentielle-1"].tolist()
    [0.5, 0.75]
    """
    return pd.DataFrame(turnout_prior_columns(rounds))


def turnout_prior_columns(rounds: Sequence[PriorRound]) -> dict[str, pd.Series]:
    """:func:`turnout_priors` as ``{column: Series}``, each on its own round's bureaux.

    Examples
    --------
    >>> st = pd.DataFrame({"bureau_id": ["a"], "inscrits": [100], "votants": [50], "exprimes": [48]})
    >>> list(turnout_prior_columns([PriorRound("2017-presidentielle-1", "presidentielle", st, st.iloc[:0])]))
    ['turnout:2017-presidentielle-1']
    """
    cols = {}
    for r in rounds:
        t = round_totals(r.stations)
        cols[f"turnout:{r.label}"] = t[VOTANTS] / t[INSCRITS]
    return cols


def share_priors(
    rounds: Sequence[PriorRound],
    target: Selector,
    *,
    bloc: str | None = None,
    opponent: Selector | None = None,
    opponent_bloc: str | None = None,
) -> pd.DataFrame:
    """Every prior of a target share of exprimés found in the earlier rounds.

    Parameters
    ----------
    rounds : sequence of PriorRound
    target : callable
        ``target(votes) -> boolean Series``: the rows of the target candidate / list / party.
    bloc : str, optional
        The target's bloc (:data:`swingcast.model.blocs.BLOCS`): adds ``bloc:<label>``.
    opponent : callable, optional
        The opponent's rows (a two-candidate round): adds ``finalists:<label>`` and
        ``1-opponent:<label>``.
    opponent_bloc : str, optional
        The opponent's bloc: adds ``1-opponent_bloc:<label>``.

    Returns
    -------
    DataFrame
        One column per prior that exists (a candidate absent from a round gives no column),
        indexed by ``bureau_id``.

    Examples
    --------
    >>> st = pd.DataFrame({"bureau_id": ["a"], "inscrits": [100], "votants": [90],
    ...                    "exprimes": [80]})
    >>> vt = pd.DataFrame({"bureau_id": ["a"] * 3, "candidate": ["MACRON", "LE PEN", "FILLON"],
    ...                    "voix": [40, 20, 20]})
    >>> r = PriorRound("2017-presidentielle-1", "presidentielle", st, vt)
    >>> pr = share_priors([r], lambda v: v["candidate"].eq("MACRON"),
    ...                   opponent=lambda v: v["candidate"].eq("LE PEN"))
    >>> pr.round(4).iloc[0].to_dict()   # 40/80, 40/(40+20), 1 - 20/80
    {'share:2017-presidentielle-1': 0.5, 'finalists:2017-presidentielle-1': 0.6667, '1-opponent:2017-presidentielle-1': 0.75}
    """
    return pd.DataFrame(share_prior_columns(rounds, target, bloc=bloc, opponent=opponent,
                                            opponent_bloc=opponent_bloc))


def share_prior_columns(rounds: Sequence[PriorRound], target: Selector, *, bloc: str | None = None,
                        opponent: Selector | None = None,
                        opponent_bloc: str | None = None) -> dict[str, pd.Series]:
    """:func:`share_priors` as ``{column: Series}``, each on its own round's bureaux.

    Examples
    --------
    >>> st = pd.DataFrame({"bureau_id": ["a"], "inscrits": [100], "votants": [90], "exprimes": [80]})
    >>> vt = pd.DataFrame({"bureau_id": ["a"], "candidate": ["X"], "voix": [20]})
    >>> cols = share_prior_columns([PriorRound("2017-presidentielle-1", "presidentielle", st, vt)],
    ...                            lambda v: v["candidate"].eq("X"))
    >>> {k: v.tolist() for k, v in cols.items()}
    {'share:2017-presidentielle-1': [0.25]}
    """
    cols: dict[str, pd.Series] = {}
    for r in rounds:
        key = (id(r.votes), id(r.stations), id(target), bloc, id(opponent), opponent_bloc)
        hit = _CACHE.get(key)
        if hit is not None and hit[0] is r.votes and hit[1] is r.stations:
            cols.update(hit[2])
            continue
        before = set(cols)
        _round_share_priors(r, target, bloc, opponent, opponent_bloc, cols)
        _CACHE[key] = (r.votes, r.stations, {k: v for k, v in cols.items() if k not in before})
    return cols


#: per-round results of :func:`share_priors` (the round's own frames are kept with them, so
#: an id can only be reused by the same objects)
_CACHE: dict[tuple, tuple] = {}


def blocs_of(votes: pd.DataFrame) -> pd.Series:
    """:func:`~swingcast.model.blocs.assign_blocs`, computed once per votes table.

    Examples
    --------
    >>> blocs_of(pd.DataFrame({"candidate": ["LE PEN"]})).tolist()
    ['far_right']
    """
    key = ("blocs", id(votes))
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is votes:
        return hit[2]
    out = assign_blocs(votes)
    _CACHE[key] = (votes, None, out)
    return out


def _round_share_priors(r: PriorRound, target: Selector, bloc: str | None, opponent: Selector | None,
                        opponent_bloc: str | None, cols: dict[str, pd.Series]) -> None:
    """Add the priors of one round to ``cols`` (see :func:`share_priors`)."""
    totals = round_totals(r.stations)
    vt = votes_in(r.votes, totals.index)
    t_mask = np.asarray(target(vt), dtype=bool)
    own = _voix_of(vt, t_mask)
    has_target = own.sum() > 0
    if has_target:
        cols[f"share:{r.label}"] = _share(own, totals)
    blocs = ((blocs_of(r.votes) if vt is r.votes else blocs_of(r.votes).loc[vt.index])
             if (bloc or opponent_bloc) and len(vt) else None)
    if bloc is not None and blocs is not None:
        b_voix = _voix_of(vt, blocs.eq(bloc))
        if b_voix.sum() > 0 and not (has_target and np.allclose(
                b_voix.reindex(totals.index, fill_value=0.0), own.reindex(totals.index, fill_value=0.0))):
            cols[f"bloc:{r.label}"] = _share(b_voix, totals)
    if opponent is not None:
        o_mask = np.asarray(opponent(vt), dtype=bool)
        opp = _voix_of(vt, o_mask)
        if opp.sum() > 0:
            if has_target:
                both = own.reindex(totals.index, fill_value=0.0) + opp.reindex(totals.index, fill_value=0.0)
                cols[f"finalists:{r.label}"] = own.reindex(totals.index, fill_value=0.0) / both.where(both > 0)
            cols[f"1-opponent:{r.label}"] = 1.0 - _share(opp, totals)
    if opponent_bloc is not None and blocs is not None:
        ob = _voix_of(vt, blocs.eq(opponent_bloc))
        if ob.sum() > 0:
            cols[f"1-opponent_bloc:{r.label}"] = 1.0 - _share(ob, totals)


def fill_missing(
    priors: pd.DataFrame, index: pd.Index, communes: pd.Series, weights: pd.Series
) -> pd.DataFrame:
    """The priors of the bureaux ``index``, gaps given commune values, then area values.

    A bureau that a round does not know (new, renumbered, or no exprimés) gets the
    ``weights``-weighted mean of its commune's bureaux in that round, else the round's
    weighted mean over all known bureaux of ``index``.

    Parameters
    ----------
    priors : DataFrame
        Output of :func:`turnout_priors` / :func:`share_priors`.
    index : Index
        Bureaux to describe (the scored round's).
    communes, weights : Series
        Commune code and weight (inscrits) of each bureau of ``index``.

    Returns
    -------
    DataFrame
        Indexed by ``index``, no NaN (a column no bureau of ``index`` knows is dropped).

    Examples
    --------
    >>> pr = pd.DataFrame({"p": [0.2, 0.4]}, index=["a", "b"])
    >>> idx = pd.Index(["a", "b", "c", "d"])
    >>> com = pd.Series(["x", "x", "x", "y"], index=idx)
    >>> w = pd.Series([1.0, 3.0, 1.0, 1.0], index=idx)
    >>> fill_missing(pr, idx, com, w)["p"].round(6).tolist()   # c: commune x mean 0.35; d: all 0.35
    [0.2, 0.4, 0.35, 0.35]
    """
    out = priors.reindex(index)
    P, keep = fill_by_commune(out.to_numpy(dtype=float, na_value=np.nan),
                              weights.reindex(index).to_numpy(dtype=float, na_value=np.nan),
                              communes.reindex(index).astype(str).to_numpy())
    return pd.DataFrame(P[:, keep], index=out.index, columns=out.columns[keep])


def fill_by_commune(P: np.ndarray, w: np.ndarray, communes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The gaps (NaN) of each column of ``P`` given their commune's ``w``-weighted mean of the
    known values, else the column's weighted mean; and which columns have a known value.

    The arithmetic of :func:`fill_missing`, on arrays (bureaux × priors).

    Examples
    --------
    >>> P = np.array([[0.2, np.nan], [0.4, np.nan], [np.nan, np.nan], [np.nan, np.nan]])
    >>> out, keep = fill_by_commune(P, np.array([1.0, 3.0, 1.0, 1.0]), np.array(["x", "x", "x", "y"]))
    >>> out[:, 0].round(6).tolist(), keep.tolist()
    ([0.2, 0.4, 0.35, 0.35], [True, False])
    """
    P = np.array(P, dtype=float)
    w = np.nan_to_num(np.asarray(w, dtype=float))
    _, ci = np.unique(np.asarray(communes).astype(str), return_inverse=True)
    known = ~np.isnan(P)
    keep = known.any(axis=0)
    for j in np.flatnonzero(keep & ~known.all(axis=0)):
        k = known[:, j]
        wk = np.where(k, w, 0.0)
        num = np.bincount(ci, weights=np.where(k, P[:, j], 0.0) * wk)
        den = np.bincount(ci, weights=wk)
        area = float(num.sum() / den.sum()) if den.sum() > 0 else float("nan")
        by_com = np.where(den > 0, num / np.where(den > 0, den, 1.0), area)
        P[:, j] = np.where(k, P[:, j], by_com[ci])
    return P, keep


def _wmean(x: np.ndarray, w: np.ndarray) -> float:
    return float(np.average(x, weights=w))


def baseline_predictions(
    priors: pd.DataFrame, weights: np.ndarray, level: float | None
) -> dict[str, np.ndarray]:
    """Carry-forward, uniform and proportional swing of every prior to an area-wide level.

    Parameters
    ----------
    priors : DataFrame
        Filled priors of the scored bureaux (:func:`fill_missing`).
    weights : array of float
        Weights of the area-wide level (inscrits for turnout, expected exprimés for shares;
        the back-test uses inscrits for both, as the model's anchor does).
    level : float or None
        The anchor. None: no swing (the three methods coincide; only carry-forward is
        returned).

    Returns
    -------
    dict
        ``"<method>[<prior>]" -> predictions`` in [0, 1].

    Examples
    --------
    >>> pr = pd.DataFrame({"share:r": [0.2, 0.4]})
    >>> out = baseline_predictions(pr, np.array([1.0, 1.0]), 0.4)
    >>> {k: v.round(3).tolist() for k, v in out.items()}
    {'carry_forward[share:r]': [0.2, 0.4], 'uniform_swing[share:r]': [0.3, 0.5], 'proportional_swing[share:r]': [0.267, 0.533]}
    """
    w = np.asarray(weights, dtype=float)
    out: dict[str, np.ndarray] = {}
    for col in priors.columns:
        p = priors[col].to_numpy(float)
        out[f"carry_forward[{col}]"] = np.clip(p, 0.0, 1.0)
        if level is None:
            continue
        base = _wmean(p, w)
        out[f"uniform_swing[{col}]"] = np.clip(p + (level - base), 0.0, 1.0)
        if base > 0:
            out[f"proportional_swing[{col}]"] = np.clip(p * (level / base), 0.0, 1.0)
    return out


def best_baseline(predictions: dict[str, np.ndarray], observed: np.ndarray) -> tuple[str, float]:
    """Name and MAE of the baseline closest to the observed values (unweighted MAE).

    Examples
    --------
    >>> name, mae = best_baseline({"a": np.array([0.1, 0.2]), "b": np.array([0.3, 0.3])},
    ...                           np.array([0.3, 0.2]))
    >>> name, round(mae, 6)
    ('b', 0.05)
    """
    if not predictions:
        raise ModelError("best_baseline: no baseline predictions")
    obs = np.asarray(observed, dtype=float)
    maes = {k: float(np.mean(np.abs(np.asarray(v, dtype=float) - obs))) for k, v in predictions.items()}
    name = min(maes, key=maes.__getitem__)
    return name, maes[name]


def binomial_floor(p: np.ndarray, n: np.ndarray) -> float:
    """Mean over bureaux of ``sqrt(2/pi) sqrt(p (1 - p) / n)``: the MAE binomial noise leaves.

    A perfect model of the bureau's propensity ``p`` still misses the observed proportion of
    ``n`` voters by ``E|Bin(n, p)/n - p|``, about ``sqrt(2/pi)`` standard deviations.

    Parameters
    ----------
    p : array of float
        Observed proportions (turnout, share).
    n : array of float
        Their denominators (inscrits for turnout, exprimés for a share).

    Examples
    --------
    >>> round(binomial_floor(np.array([0.5]), np.array([400.0])), 6)   # 0.7979 * 0.025
    0.019947
    """
    p_ = np.clip(np.asarray(p, dtype=float), 0.0, 1.0)
    n_ = np.asarray(n, dtype=float)
    ok = n_ > 0
    return float(np.mean(math.sqrt(2.0 / math.pi) * np.sqrt(p_[ok] * (1.0 - p_[ok]) / n_[ok])))


def gap_closed(best: float, model: float, floor: float) -> float:
    """Share of the room between the best baseline and the binomial floor that a model closes.

    1 = at the floor, 0 = no better than the best baseline, negative = worse.

    Examples
    --------
    >>> round(gap_closed(3.65, 3.0, 2.39), 4)   # 0.65 / 1.26
    0.5159
    """
    room = best - floor
    if room <= 0:
        return float("nan")
    return (best - model) / room


def case_extras(
    predictions: pd.DataFrame,
    outcome: pd.DataFrame,
    anchors: dict[str, float] | None,
    priors: dict | None = None,
) -> dict:
    """The additions of issue 13 to a back-test JSON, per target.

    ``floor_mae`` (:func:`binomial_floor`: n = inscrits for turnout, exprimés for the share),
    coverage of the model's intervals for matched and unmatched bureaux, and, when the
    earlier rounds are given (``priors = {"rounds", "select", "bloc"}``), every baseline of
    this module on them (``baselines``: MAE of each), ``best_baseline`` (name, mae),
    ``mae_ratio_best`` and ``gap_closed``.

    Parameters
    ----------
    predictions : DataFrame
        The back-test's predictions (``turnout_pred``, ``turnout_lo``, ``turnout_hi``,
        ``turnout_obs``, the same for ``share``, ``inscrits``, ``commune_code``, ``matched``),
        indexed by ``bureau_id``.
    outcome : DataFrame
        ``inscrits``, ``exprimes`` of the scored round per bureau.
    anchors : dict or None
        ``{"turnout": level, "share": level}`` the baselines swing to (None: carry-forward only).
    priors : dict, optional

    Returns
    -------
    dict
        ``{"turnout": {...}, "share": {...}}``.

    Examples
    --------
    >>> p = pd.DataFrame({"turnout_pred": [0.5], "turnout_lo": [0.4], "turnout_hi": [0.6],
    ...     "turnout_obs": [0.55], "share_pred": [0.2], "share_lo": [0.1], "share_hi": [0.3],
    ...     "share_obs": [0.25], "inscrits": [400.0], "commune_code": ["x"], "matched": [True]},
    ...     index=["x_1"])
    >>> out = case_extras(p, pd.DataFrame({"inscrits": [400.0], "exprimes": [200.0]}, index=["x_1"]), None)
    >>> round(out["share"]["floor_mae"], 5), out["share"]["coverage"]["matched"]  # 0.798 * sqrt(.25 * .75 / 200)
    (0.02443, 1.0)
    """
    out: dict = {}
    idx = predictions.index
    matched = predictions["matched"].astype(bool).to_numpy()
    w = predictions["inscrits"].to_numpy(float)
    for target, denom in (("turnout", INSCRITS), ("share", EXPRIMES)):
        obs = predictions[f"{target}_obs"].to_numpy(float)
        pred = predictions[f"{target}_pred"].to_numpy(float)
        inside = ((predictions[f"{target}_lo"].to_numpy(float) <= obs)
                  & (obs <= predictions[f"{target}_hi"].to_numpy(float)))
        floor = binomial_floor(obs, outcome[denom].reindex(idx).to_numpy(float))
        res: dict = {"floor_mae": floor, "coverage": {
            "matched": float(inside[matched].mean()) if matched.any() else None,
            "unmatched": float(inside[~matched].mean()) if (~matched).any() else None,
            "n_matched": int(matched.sum()), "n_unmatched": int((~matched).sum())}}
        if priors is not None and priors.get("rounds"):
            rounds = priors["rounds"]
            if target == "turnout":
                pr = turnout_priors(rounds)
            else:
                pr = share_priors(rounds, priors["select"], bloc=priors.get("bloc"),
                                  opponent=priors.get("opponent"), opponent_bloc=priors.get("opponent_bloc"))
            filled = fill_missing(pr, idx, predictions["commune_code"].astype(str),
                                  predictions["inscrits"])
            base = baseline_predictions(filled, w, None if anchors is None else anchors[target])
            if base:
                maes = {k: float(np.mean(np.abs(v - obs))) for k, v in base.items()}
                name, best = best_baseline(base, obs)
                model = float(np.mean(np.abs(pred - obs)))
                res.update(baselines=maes, best_baseline={"name": name, "mae": best},
                           mae_ratio_best=model / best if best > 0 else float("nan"),
                           gap_closed=gap_closed(best, model, floor))
        out[target] = res
    return out


def history_priors(history: object, labels: Sequence[str], share: object, opponent: object | None = None,
                   test: str | None = None) -> dict:
    """The ``priors`` of :func:`case_extras` from a :class:`~swingcast.model.history.History`.

    Parameters
    ----------
    history : History
    labels : sequence of str
        The earlier rounds to draw priors from.
    share, opponent : str or Share
        The target share and, for a two-candidate round, the opponent
        (:func:`~swingcast.model.training.resolve_share`).
    test : str, optional
        The scored round: added as ``"test_round"`` (its contenders, for the first-place
        events of :func:`swingcast.model.protocol.first_place_events`).

    Returns
    -------
    dict
        ``{"rounds", "select", "bloc"}`` (plus ``"opponent"``, ``"opponent_bloc"``).

    Examples
    --------
    >>> from swingcast.model.history import History
    >>> h = History(pd.DataFrame({"label": ["2017-presidentielle-1"], "bureau_id": ["x"]}),
    ...             pd.DataFrame({"label": [], "bureau_id": []}), ["2017-presidentielle-1"])
    >>> p = history_priors(h, ["2017-presidentielle-1"], "LE PEN", opponent="MACRON")
    >>> p["bloc"], p["opponent_bloc"], [r.kind for r in p["rounds"]]
    ('far_right', 'centre', ['presidentielle'])
    """
    from swingcast.model.blocs import bloc_of
    from swingcast.model.history import parse_label
    from swingcast.model.training import resolve_share

    def bloc(s: object) -> str:
        return s.key if s.kind == "bloc" else ("far_right" if s.key == "rn" else bloc_of(s.key))  # type: ignore[attr-defined]

    s = resolve_share(share)  # type: ignore[arg-type]
    rounds = [PriorRound(r, parse_label(r)[0].split("-", 1)[1], *history.round(r)) for r in labels]  # type: ignore[attr-defined]
    out: dict = {"rounds": rounds, "select": s.select, "bloc": bloc(s)}
    if test is not None:
        out["test_round"] = PriorRound(test, parse_label(test)[0].split("-", 1)[1], *history.round(test))  # type: ignore[attr-defined]
    if opponent is not None:
        o = resolve_share(opponent)  # type: ignore[arg-type]
        out.update(opponent=o.select, opponent_bloc=bloc(o))
    return out
