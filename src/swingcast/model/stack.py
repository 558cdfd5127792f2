"""Model v3: a weighted average of every baseline, on denoised priors.

A baseline is a prior (a quantity of an earlier round, :mod:`swingcast.model.priors`) carried
to the anchor by one method. The strongest baseline of a round is only known after the
round; this model averages all of them, each weighted by what is known *before*:

1. **Priors.** Every prior of the quantity in the earlier rounds: turnout of each round; for a
   share, the target's share, its bloc's share (also when the target stood), and for a
   two-candidate round the finalists' share and one minus the opponent's (bloc's) share
   (:func:`swingcast.model.priors.share_priors`), each kept when it stood in enough of its
   round's bureaux (:func:`usable_priors`). A bureau a round does not know gets its
   commune's value (:func:`swingcast.model.priors.fill_by_commune`).
2. **Denoising** (optional per quantity, :func:`swingcast.model.blend.denoise`): each prior's
   deviation from its level is shrunk toward its prediction from the other priors and the
   commune, by ``tau² / (tau² + p(1-p)/n)``; given a census of the bureaux, its shares are
   predictors too (shares only, :data:`STACK_DEFAULTS`, docs/models.md entries 20–21).
3. **Candidates.** Each denoised prior is carried to the anchor ``L`` by a uniform swing
   (``p + L - level``), a proportional swing (``p · L / level``) and a logit swing
   (``expit(logit L + logit p - logit level)``).
   The logit swing is re-centred on ``L`` (the other two are centred by construction).
4. **Weights.** Candidate ``k`` gets ``softmax(theta · phi_k)``, ``phi_k`` =
   :data:`CANDIDATE_FEATURES` (method, kind of prior, and how alike its round is to the
   round forecast: same kind, same kind and round number, years apart, same election, a
   round 2, the latest earlier round, the distance of the levels); the prediction is
   ``L + beta · (weighted mean - L)`` (``beta`` < 1: deviations fade between rounds), shifted
   so that its inscrits-weighted mean is ``L``.

``theta``, ``beta`` and the denoising switch are fitted once on *development* rounds only
(docs/models.md, "Protocol log", entry 9; ``benchmarks/fit_stack_defaults.py``) and stored in
:data:`STACK_DEFAULTS`; a share forecast of a round 2 from its own round 1 has constants of
its own, fitted on the round-2 development transitions (:data:`STACK_ROUND2_DEFAULTS`,
entries 32–33).

Examples
--------
>>> st = pd.DataFrame({"bureau_id": ["1_a", "1_b", "2_a"], "inscrits": [500, 500, 500],
...                    "votants": [300, 400, 350], "exprimes": [290, 390, 340]})
>>> vt = pd.DataFrame({"bureau_id": ["1_a", "1_b", "2_a"], "candidate": ["LE PEN"] * 3,
...                    "voix": [60, 120, 30]})
>>> r = PriorRound("2017-presidentielle-1", "presidentielle", st, vt)
>>> idx = pd.Index(["1_a", "1_b", "2_a"])
>>> ins = pd.Series(500.0, index=idx)
>>> m = StackModel("turnout", denoise=False)
>>> p = m.predict([r], kind="europeennes", round_no=1, year=2019, index=idx, inscrits=ins,
...               level=0.5)
>>> round(float(np.average(p, weights=ins)), 6), bool(p[1] > p[2] > p[0])
(0.5, True)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from swingcast.errors import ModelError
from swingcast.model.blend import _logit, _recentre, denoise, round_year
from swingcast.model.priors import (
    PriorRound,
    fill_by_commune,
    round_totals,
    share_prior_columns,
    turnout_prior_columns,
)
from swingcast.model.transitions import USABLE_SHARE
from swingcast.schema import EXPRIMES, INSCRITS

__all__ = ["CANDIDATE_FEATURES", "STACK_DEFAULTS", "STACK_ROUND2_DEFAULTS", "StackModel", "candidates", "stack_weights", "usable_priors"]

#: what describes a candidate (a prior carried by a method) relative to the round forecast
CANDIDATE_FEATURES = ("proportional", "logit", "prior_is_bloc", "prior_is_finalists",
                      "prior_is_one_minus", "same_kind", "same_kind_and_round", "years_apart_over_5",
                      "same_election", "prior_is_round2", "latest_round", "level_distance",
                      "proportional_x_distance", "logit_x_distance")
METHODS = ("uniform", "proportional", "logit")

#: ``theta`` (one per :data:`CANDIDATE_FEATURES`), ``beta`` and ``denoise`` per quantity, fitted on
#: development rounds only (docs/models.md, entry 9); ``census``: census shares among the
#: denoiser's predictors when a census is given (adopted for shares on development rounds,
#: entries 20–21; turnout not)
STACK_DEFAULTS: dict[str, dict] = {
    "turnout": {"theta": (-0.286, 0.520, 0.000, 0.000, 0.000, 0.687, 0.140,
                          0.133, 0.562, -0.325, 0.343, -0.827, -0.592, 0.382),
                "beta": 0.891, "denoise": False},
    "share": {"theta": (-0.046, 0.056, -0.056, 0.099, -0.258, 0.368, -0.008,
                        -0.109, 0.385, -0.316, 0.254, -0.810, -0.279, -0.238),
              "beta": 0.962, "denoise": True, "census": True},
}

#: the constants of a *share* forecast of a round 2 whose round 1 is among the earlier rounds
#: (``theta``, ``beta``, ``denoise``), fitted on the round-2 development transitions only
#: (docs/models.md, protocol log, entries 32–33; ``benchmarks/fit_stack_round2.py``)
STACK_ROUND2_DEFAULTS: dict[str, dict] = {
    "share": {"theta": (0.005, 0.046, -0.036, -0.503, -0.178, 0.335, 0.000, -0.171, 0.387, -0.195,
                        0.507, -0.904, -0.237, -0.252),
              "beta": 1.064, "denoise": False},
}

#: denoise each prior from the *other rounds* only, not from the priors of its own round,
#: which count the same ballots (their sampling noise is shared); adopted on development
#: rounds (docs/models.md, protocol log, entry 14). False: entry 9's denoiser.
DENOISE_BY_ROUND = True

Selector = Callable[[pd.DataFrame], pd.Series]


def _round_no(label: str) -> int:
    tail = str(label).rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else 1


@dataclass
class Candidates:
    """The candidate predictions of one round forecast and their features.

    Attributes
    ----------
    names : list of str
        ``"<method>[<prior>]"``.
    C : array (bureaux, candidates)
    F : array (candidates, len(CANDIDATE_FEATURES))
    """

    names: list[str]
    C: np.ndarray
    F: np.ndarray


def usable_priors(priors: pd.DataFrame | dict[str, pd.Series]) -> pd.DataFrame | dict[str, pd.Series]:
    """The share priors that stood in enough bureaux of their round to be an input.

    A prior column is kept when it is present (the target / bloc got votes; for a finalists'
    share both finalists did; for one minus the opponent, the opponent did) in at least
    :data:`~swingcast.model.transitions.USABLE_SHARE` of the bureaux its round knows: the
    usability rule of every round value of the project (a legislative round 2 where the
    target was in few duels is no prior of a bureau where it was not). When no column
    passes, all are kept. A DataFrame gives a DataFrame, a ``{column: Series}`` a dict.

    Examples
    --------
    >>> pr = pd.DataFrame({"share:a": [0.2, 0.3, 0.1], "bloc:b": [0.0, 0.0, 0.4]})
    >>> usable_priors(pr).columns.tolist()
    ['share:a']
    """
    keep = []
    for col in priors:
        v = priors[col].dropna()
        kind = col.split(":", 1)[0]
        present = (v < 1) if kind.startswith("1-") else ((v > 0) & (v < 1)) if kind == "finalists" else (v > 0)
        if len(v) and float(present.mean()) >= USABLE_SHARE:
            keep.append(col)
    if not keep:
        return priors
    return priors[keep] if isinstance(priors, pd.DataFrame) else {c: priors[c] for c in keep}


def _prior_matrix(rounds: Sequence[PriorRound], quantity: str, index: pd.Index, communes: pd.Series,
                  inscrits: pd.Series, target: Selector | None, bloc: str | None,
                  opponent: Selector | None, opponent_bloc: str | None) -> tuple[pd.DataFrame, np.ndarray]:
    """Filled priors on ``index`` and their binomial variances (0 where filled)."""
    if quantity == "turnout":
        pr = turnout_prior_columns(rounds)
    else:
        if target is None:
            raise ModelError("StackModel: a share needs its target selector")
        pr = usable_priors(share_prior_columns(rounds, target, bloc=bloc, opponent=opponent,
                                               opponent_bloc=opponent_bloc))
    # positions, not labels: one hash lookup of the bureaux per column (a union of the rounds'
    # bureaux and a reindex per column cost seconds on 69,000 bureaux)
    names = list(pr)
    P = np.full((len(index), len(names)), np.nan)
    for j, col in enumerate(names):
        series = pr[col]
        at = series.index.get_indexer(index)
        vals = series.to_numpy(dtype=float, na_value=np.nan)
        P[:, j] = np.where(at >= 0, vals[np.clip(at, 0, None)], np.nan)
    known = ~np.isnan(P)
    P, keep = fill_by_commune(P, inscrits.reindex(index).to_numpy(float), communes.reindex(index).astype(str).to_numpy())
    cols = [n for n, k in zip(names, keep, strict=True) if k]
    P, known = P[:, keep], known[:, keep]
    var = np.zeros(P.shape)
    by_label = {r.label: r for r in rounds}
    n_of: dict[str, np.ndarray] = {}
    for j, col in enumerate(cols):
        lab = col.split(":", 1)[1]
        if lab not in n_of:
            t = round_totals(by_label[lab].stations)[INSCRITS if quantity == "turnout" else EXPRIMES]
            at = t.index.get_indexer(index)
            n_of[lab] = np.where(at >= 0, t.to_numpy(float)[np.clip(at, 0, None)], np.nan)
        n = n_of[lab]
        p = np.clip(P[:, j], 0.01, 0.99)
        ok = known[:, j] & ~np.isnan(n)
        var[:, j] = np.where(ok, p * (1 - p) / np.clip(np.nan_to_num(n, nan=1.0), 1.0, None), 0.0)
    return pd.DataFrame(P, index=index, columns=cols), var


def candidates(rounds: Sequence[PriorRound], quantity: str, *, kind: str, round_no: int, year: int,
               index: pd.Index, inscrits: pd.Series, level: float, communes: pd.Series | None = None,
               target: Selector | None = None, bloc: str | None = None, opponent: Selector | None = None,
               opponent_bloc: str | None = None, denoise_priors: bool = True,
               census: np.ndarray | None = None, df_correct: bool = False, profile: bool = False,
               loo: bool = False) -> Candidates:
    """Every prior of ``rounds`` carried to ``level`` by every method, with its features.

    Parameters
    ----------
    rounds : sequence of PriorRound
        The earlier rounds, oldest first.
    quantity : {"turnout", "share"}
    kind, round_no, year
        The round forecast.
    index, inscrits, level
        Its bureaux, their inscrits (weights of the level) and the anchor.
    communes : Series, optional
        Commune per bureau (default: the text before ``_`` in the id).
    target, bloc, opponent, opponent_bloc
        As :func:`swingcast.model.priors.share_priors` (shares only).
    denoise_priors : bool
        Shrink each prior's deviations for binomial noise first.
    census : array (bureaux, k), optional
        Census predictors of the bureaux of ``index`` (in its order,
        :func:`swingcast.model.censusinputs.census_predictors`): more predictors of the
        denoiser.
    df_correct : bool
        The denoiser's residual variance with a degrees-of-freedom correction.
    profile : bool
        The other rounds' whole vote (:func:`swingcast.model.profiles.profile_predictors`)
        among the denoiser's predictors.
    loo : bool
        The denoiser shrinks toward leave-one-out predictions.

    Returns
    -------
    Candidates

    Examples
    --------
    >>> st = pd.DataFrame({"bureau_id": ["1_a", "1_b"], "inscrits": [100, 100],
    ...                    "votants": [50, 70], "exprimes": [48, 68]})
    >>> r = PriorRound("2017-presidentielle-1", "presidentielle", st, st.iloc[:0])
    >>> c = candidates([r], "turnout", kind="presidentielle", round_no=2, year=2017,
    ...                index=pd.Index(["1_a", "1_b"]), inscrits=pd.Series([100.0, 100.0],
    ...                index=["1_a", "1_b"]), level=0.7, denoise_priors=False)
    >>> c.names[:2], c.C[:, 0].round(3).tolist()
    (['uniform[turnout:2017-presidentielle-1]', 'proportional[turnout:2017-presidentielle-1]'], [0.6, 0.8])
    """
    if not rounds:
        raise ModelError("StackModel: no earlier round")
    if communes is None:
        communes = pd.Series(index.astype(str).str.split("_").str[0], index=index)
    ins = inscrits.reindex(index).astype(float)
    filled, var = _prior_matrix(rounds, quantity, index, communes, ins, target, bloc, opponent, opponent_bloc)
    if filled.shape[1] == 0:
        raise ModelError(f"StackModel: no earlier round has a usable {quantity} for these bureaux")
    w = ins.to_numpy(float)
    P = filled.to_numpy(float)
    lev = (P * w[:, None]).sum(axis=0) / w.sum()
    labels = [c.split(":", 1)[1] for c in filled.columns]
    if denoise_priors:
        by_round = None
        if profile:
            from swingcast.model.profiles import profile_predictors

            used = [r for r in rounds if r.label in set(labels)]
            by_round = profile_predictors(used, index, communes.reindex(index).astype(str).to_numpy(), w)
        P = lev[None, :] + denoise(P - lev[None, :], var, w, communes.reindex(index).astype(str).to_numpy(),
                                   rounds=labels if DENOISE_BY_ROUND else None, extra=census,
                                   df_correct=df_correct, extra_by_round=by_round, leave_one_out=loo)
    P = np.clip(P, 1e-4, 1 - 1e-4)
    order = {r.label: i for i, r in enumerate(rounds)}
    latest = max(order[lab] for lab in labels)
    kinds = {r.label: r.kind for r in rounds}
    names, cols, feats = [], [], []
    for j, col in enumerate(filled.columns):
        lab, ptype = labels[j], col.split(":", 1)[0]
        rk, rn, ry = kinds[lab], _round_no(lab), round_year(lab)
        dist = float(abs(_logit(lev[j]) - _logit(level)))
        base = [float(ptype == "bloc"), float(ptype == "finalists"), float(ptype.startswith("1-")),
                float(rk == kind), float(rk == kind and rn == round_no), (year - ry) / 5.0,
                float(rk == kind and ry == year), float(rn == 2), float(order[lab] == latest), dist]
        logit = 1.0 / (1.0 + np.exp(-(_logit(level) + _logit(P[:, j]) - _logit(lev[j]))))
        carried = {"uniform": P[:, j] + (level - lev[j]),
                   "proportional": P[:, j] * (level / max(lev[j], 1e-6)),
                   "logit": _recentre(logit, w, level)}
        for m in METHODS:
            names.append(f"{m}[{col}]")
            cols.append(np.clip(carried[m], 0.0, 1.0))
            feats.append([float(m == "proportional"), float(m == "logit")] + base
                         + [float(m == "proportional") * dist, float(m == "logit") * dist])
    return Candidates(names, np.column_stack(cols), np.asarray(feats, dtype=float))


def stack_weights(F: np.ndarray, theta: Sequence[float]) -> np.ndarray:
    """``softmax(F @ theta)``: the weight of each candidate (rows of ``F``).

    Examples
    --------
    >>> stack_weights(np.array([[1.0], [0.0]]), [np.log(3.0)]).round(3).tolist()
    [0.75, 0.25]
    """
    z = np.asarray(F, dtype=float) @ np.asarray(theta, dtype=float)
    e = np.exp(z - z.max())
    return e / e.sum()


def candidate_spread(c: Candidates, weights: np.ndarray) -> np.ndarray:
    """How much the candidates disagree on each bureau: the weighted variance of their logits.

    Examples
    --------
    >>> c = Candidates(["a", "b"], np.array([[0.5, 0.5], [0.3, 0.7]]), np.zeros((2, 1)))
    >>> candidate_spread(c, np.array([0.5, 0.5])).round(3).tolist()
    [0.0, 0.718]
    """
    L = _logit(np.clip(c.C, 1e-4, 1 - 1e-4))
    wts = np.asarray(weights, dtype=float)
    mean = L @ wts
    return ((L - mean[:, None]) ** 2) @ wts


def stack_predict(c: Candidates, theta: Sequence[float], w: np.ndarray, level: float,
                  beta: float = 1.0) -> np.ndarray:
    """The weighted mean of the candidates, its deviations from ``level`` times ``beta``,
    shifted so that its ``w``-weighted mean is ``level``.

    Each candidate is already centred on ``level`` but for its clipping to [0, 1], so the
    shift is small; it is additive (then clipped), the same arithmetic in the fit of
    :data:`STACK_DEFAULTS` and in every prediction.

    Examples
    --------
    >>> c = Candidates(["a", "b"], np.array([[0.2, 0.4], [0.4, 0.6]]), np.array([[1.0], [0.0]]))
    >>> stack_predict(c, [0.0], np.array([1.0, 1.0]), 0.4).round(3).tolist()
    [0.3, 0.5]
    """
    w = np.asarray(w, dtype=float)
    p = level + float(beta) * (c.C @ stack_weights(c.F, theta) - level)
    return np.clip(p + (level - float(np.average(p, weights=w))), 0.0, 1.0)


@dataclass
class StackModel:
    """Weighted average of every baseline on denoised priors; see the module docstring.

    Parameters
    ----------
    quantity : {"turnout", "share"}
        Picks :data:`STACK_DEFAULTS`.
    theta, beta, denoise : optional
        Override the defaults.
    round2 : bool
        A share forecast of a round 2 whose round 1 is among the earlier rounds takes
        :data:`STACK_ROUND2_DEFAULTS` (default True; False: :data:`STACK_DEFAULTS` always;
        ignored when ``theta``, ``beta`` or ``denoise`` is given: those are used throughout).
    census, df_correct, profile, loo : optional
        Override the defaults: census shares among the denoiser's predictors (when
        :meth:`predict` is given a census), its degrees-of-freedom correction, the other
        rounds' whole vote among its predictors, leave-one-out shrinkage.

    Examples
    --------
    >>> StackModel("share").denoise
    True
    """

    quantity: str
    theta: tuple[float, ...] | None = None
    beta: float | None = None
    denoise: bool | None = None
    census: bool | None = None
    df_correct: bool | None = None
    profile: bool | None = None
    loo: bool | None = None
    round2: bool = True
    last_weights_: dict[str, float] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.quantity not in STACK_DEFAULTS:
            raise ModelError(f"StackModel: quantity must be 'turnout' or 'share', got {self.quantity!r}")
        d = STACK_DEFAULTS[self.quantity]
        # constants given by the caller are used for every forecast, a round 2's included
        self._given = self.theta is not None or self.beta is not None or self.denoise is not None
        self.theta = tuple(d["theta"]) if self.theta is None else tuple(self.theta)
        self.denoise = bool(d["denoise"]) if self.denoise is None else bool(self.denoise)
        self.beta = float(d["beta"]) if self.beta is None else float(self.beta)
        self.census = bool(d.get("census", False)) if self.census is None else bool(self.census)
        self.df_correct = bool(d.get("df_correct", False)) if self.df_correct is None else bool(self.df_correct)
        self.profile = bool(d.get("profile", False)) if self.profile is None else bool(self.profile)
        self.loo = bool(d.get("loo", False)) if self.loo is None else bool(self.loo)
        if len(self.theta) != len(CANDIDATE_FEATURES):
            raise ModelError(f"StackModel: theta needs {len(CANDIDATE_FEATURES)} values, got {len(self.theta)}")

    def predict(self, rounds: Sequence[PriorRound], *, kind: str, round_no: int, year: int, index: pd.Index,
                inscrits: pd.Series, level: float, communes: pd.Series | None = None,
                target: Selector | None = None, bloc: str | None = None, opponent: Selector | None = None,
                opponent_bloc: str | None = None, census: pd.DataFrame | None = None,
                census_total: str | None = None) -> np.ndarray:
        """Predicted proportions of the bureaux ``index`` (inscrits-weighted mean ``level``).

        ``census`` (counts per bureau, ``census_total`` their denominator) enters the
        denoiser when the quantity's defaults say so (``STACK_DEFAULTS[...]["census"]``).
        ``last_weights_`` keeps the weight of each round (summed over its candidates),
        ``last_spread_`` the candidates' disagreement per bureau
        (:func:`candidate_spread`).
        """
        theta, beta, denoise_priors = self.theta, self.beta, bool(self.denoise)
        own_round2 = False
        if self.round2 and not self._given and round_no == 2 and self.quantity in STACK_ROUND2_DEFAULTS and \
                f"{year}-{kind}-1" in {r.label for r in rounds}:
            r2 = STACK_ROUND2_DEFAULTS[self.quantity]
            theta, beta, denoise_priors = tuple(r2["theta"]), float(r2["beta"]), bool(r2["denoise"])
            own_round2 = True
        if communes is None:
            communes = pd.Series(index.astype(str).str.split("_").str[0], index=index)
        Z = None
        if census is not None and self.census and denoise_priors:
            from swingcast.model.censusinputs import census_predictors

            if census_total is None:
                raise ModelError("StackModel: a census needs the name of its total column (census_total)")
            Z = census_predictors(census, census_total, index, communes)
        c = candidates(rounds, self.quantity, kind=kind, round_no=round_no, year=year, index=index,
                       inscrits=inscrits, level=level, communes=communes, target=target, bloc=bloc,
                       opponent=opponent, opponent_bloc=opponent_bloc, denoise_priors=denoise_priors,
                       census=Z, df_correct=bool(self.df_correct), profile=bool(self.profile),
                       loo=bool(self.loo))
        wts = stack_weights(c.F, theta)
        by_round: dict[str, float] = {}
        for name, x in zip(c.names, wts, strict=True):
            lab = name.split(":", 1)[1].rstrip("]")
            by_round[lab] = by_round.get(lab, 0.0) + float(x)
        self.last_weights_ = by_round
        self.last_candidates_ = {n: float(x) for n, x in zip(c.names, wts, strict=True)}
        self._last = (c, wts)
        self.last_constants_ = "STACK_ROUND2_DEFAULTS" if own_round2 else "STACK_DEFAULTS"
        return stack_predict(c, theta, inscrits.reindex(index).to_numpy(float), level, beta)

    @property
    def last_spread_(self) -> np.ndarray:
        """The candidates' disagreement per bureau in the last :meth:`predict`
        (:func:`candidate_spread`; computed when asked, not on every forecast)."""
        if not hasattr(self, "_last"):
            raise ModelError("StackModel: last_spread_ is known after a predict()")
        return candidate_spread(*self._last)
