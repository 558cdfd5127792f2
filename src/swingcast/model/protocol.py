"""The test-round protocol of issue 13: the last round of a history is scored once.

:func:`run_protocol` takes a :class:`HistorySpec` (rounds in order, the last one the *test*
round; the target share) and returns the metrics of the test round, with every choice made on
the earlier (*development*) rounds only (docs/models.md, "Protocol log"):

* turnout (votants / inscrits) and the target share are each forecast by model v3,
  :class:`~swingcast.model.stack.StackModel` (every baseline of every earlier round on
  denoised priors, weighted by how alike it is to the test round; its constants fitted once
  on development rounds; ``HistorySpec.model="blend"``: model v2,
  :class:`~swingcast.model.blend.BlendModel`), re-centred on the anchor; a spec may give its
  own share model (Paris: the vote-transfer model);
* intervals ``logit(pred) ± q s_i`` with ``s_i² = σ² + 1 / (n_i p_i (1 − p_i))``, σ² and q
  from the development forecasts (v3: q times :data:`STACK_Q_SCALE`; a history without
  development round: :func:`calibration_constants`);
* every baseline of :mod:`swingcast.model.priors`, the best named, the binomial floor and
  the share of the gap closed;
* ``swing_prob`` / ``flip_prob`` (:mod:`swingcast.model.events`) and their Brier scores
  against the uniform-swing simulation.

Anchors: ``"actual"`` (the test round's own area-wide level: distribution skill, a perfect
poll), ``"poll"`` (that level plus one draw of a final-poll error, sd :data:`POLL_SD`),
``"none"`` (the level of the latest comparable earlier round carried).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from swingcast.errors import ModelError, SchemaError
from swingcast.model.blend import PRIOR_FEATURES, BlendModel, carried_level, round_year
from swingcast.model.events import (
    comparable_first,
    comparable_round,
    contender_matrix,
    first_place_probs,
    flip_probability,
    main_contenders,
)
from swingcast.model.priors import (
    PriorRound,
    baseline_predictions,
    best_baseline,
    binomial_floor,
    blocs_of,
    fill_missing,
    gap_closed,
    round_totals,
    share_priors,
    turnout_priors,
    votes_in,
)
from swingcast.model.stack import CANDIDATE_FEATURES, StackModel
from swingcast.model.transitions import RoundValues, _elogit, round_values
from swingcast.schema import (
    BUREAU_ID,
    CANDIDATE,
    EXPRIMES,
    INSCRITS,
    LIST,
    NUANCE,
    SHARE_HI,
    SHARE_LO,
    SHARE_PRED,
    SWING_PROB,
    TURNOUT_HI,
    TURNOUT_LO,
    TURNOUT_PRED,
    VOIX,
)

__all__ = ["HistorySpec", "run_protocol", "protocol_spec", "make_model", "model_predict", "calibration_constants",
           "development_forecasts", "share_bloc", "first_place_events", "POLL_SD", "forecast_class",
           "calibration_guarded",
           "ANCHOR_WORDS"]

#: sd of a final-poll error of the area-wide level (proportions), see docs/models.md
POLL_SD = {"turnout": 0.04, "share": 0.029}
#: what each anchor means, written into the JSON
ANCHOR_WORDS = {
    "actual": "re-centred on the test round's own area-wide result (a perfect poll): measures "
              "how well the vote is distributed across bureaux, not a forecast of the level",
    "poll": "re-centred on the test round's area-wide result plus one draw of a final-poll "
            "error (sd 4 pp turnout, 2.9 pp share): what a campaign with a final poll sees",
    "none": "the area-wide level of the latest comparable earlier round carried (same kind and "
            "round, else same kind, else the latest; a duel: the finalists' share): a forecast "
            "from earlier data only",
}
_COVERAGE = 0.8
#: (sigma², q) of the 80 % intervals when a history has no development round: the calibration
#: of the blend's forecasts of the pooled development rounds (docs/models.md, entry 6)
DEFAULT_CALIBRATION = {"turnout": (0.0256, 1.095), "share": (0.0483, 1.073)}
#: model v3's (sigma², q) for a history without development round: the calibration of v3's
#: forecasts of the single-prior development transitions (docs/models.md, entry 9)
STACK_DEFAULT_CALIBRATION = {"turnout": (0.0788, 1.174), "share": (0.0761, 1.106)}
#: model v3: the multiplier of q calibrated on a history's development forecasts, chosen so
#: that the median coverage of the development pseudo-tests is 80 % (entry 9; share re-made
#: with the by-round denoising of entry 14)
STACK_Q_SCALE = {"turnout": 0.783, "share": 1.200}


def forecast_class(label: str, earlier: Sequence[str]) -> str:
    """``"within"`` for a round 2 whose round 1 is among the ``earlier`` rounds, else ``"between"``.

    A round 2 forecast from its own round 1 errs far less than a forecast of a new election
    (docs/models.md, protocol log, entry 23).

    Examples
    --------
    >>> forecast_class("2017-presidentielle-2", ["2017-presidentielle-1"])
    'within'
    >>> forecast_class("2022-presidentielle-1", ["2017-presidentielle-1", "2017-presidentielle-2"])
    'between'
    """
    head, _, rnd = str(label).rpartition("-")
    return "within" if rnd == "2" and f"{head}-1" in set(map(str, earlier)) else "between"


def calibration_guarded(test_label: str, labels: Sequence[str], development: Sequence[int]) -> bool:
    """True when a history's own calibration must not be used for ``test_label``: a forecast
    of a new election (``"between"``) whose every development forecast is a round 2 from its
    round 1 (docs/models.md, protocol log, entry 23); the single-prior calibration is used.

    ``labels`` are the rounds of the history before the test round, ``development`` the
    positions in it of the rounds forecast for the calibration.

    Examples
    --------
    >>> calibration_guarded("2022-presidentielle-1", ["2017-presidentielle-1", "2017-presidentielle-2"], [1])
    True
    >>> calibration_guarded("2019-europeennes-1", ["2014-europeennes-1", "2017-presidentielle-1"], [1])
    False
    """
    if not development or forecast_class(test_label, labels) != "between":
        return False
    return all(forecast_class(labels[k], labels[:k]) == "within" for k in development)


def calibration_constants(model: str, quantity: str) -> tuple[float, float, float]:
    """``(sigma², q)`` without development round, and the multiplier of a history's own q.

    Examples
    --------
    >>> calibration_constants("stack", "share")
    (0.0761, 1.106, 1.2)
    >>> calibration_constants("blend", "share")
    (0.0483, 1.073, 1.0)
    """
    if model == "stack":
        return (*STACK_DEFAULT_CALIBRATION[quantity], STACK_Q_SCALE[quantity])
    return (*DEFAULT_CALIBRATION[quantity], 1.0)


@dataclass
class HistorySpec:
    """A history whose last round is the test round.

    Attributes
    ----------
    name : str
    rounds : list of PriorRound
        Chronological; the last one is scored.
    target : callable
        ``target(votes) -> boolean Series``: the target's vote rows.
    bloc : str
        The target's bloc.
    opponent, opponent_bloc : optional
        For a two-candidate test round.
    model : {"stack", "blend"}
        Model v3 (default) or v2.
    share_model : callable, optional
        ``share_model(level) -> {"pred", "lo", "hi", "scale", "residuals", "common_sd"}`` on
        the test bureaux (Series or arrays aligned with them): replaces the share model.
    areas : callable, optional
        ``areas(index) -> Series``: swing area of bureaux (default: commune from the id).
    census : DataFrame, optional
        Census counts per bureau of the test round's map (indexed by ``bureau_id``), with
        ``census_total`` their denominator: predictors of model v3's denoiser where its
        defaults take them.
    """

    name: str
    rounds: list[PriorRound]
    target: Callable[[pd.DataFrame], pd.Series]
    bloc: str
    opponent: Callable[[pd.DataFrame], pd.Series] | None = None
    opponent_bloc: str | None = None
    share_model: Callable[[float], dict] | None = None
    areas: Callable[[pd.Index], pd.Series] | None = None
    census: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    census_total: str | None = None
    #: ``"stack"`` (model v3, :class:`~swingcast.model.stack.StackModel`, the default) or
    #: ``"blend"`` (model v2, :class:`~swingcast.model.blend.BlendModel`, kept for comparison)
    model: str = "stack"
    #: what the development rounds decided, per quantity (filled by :func:`run_protocol`,
    #: independent of the anchor, so every anchor of one spec shares it)
    cache: dict = field(default_factory=dict, repr=False, compare=False)


def _commune(index: pd.Index) -> pd.Series:
    return pd.Series(index.astype(str).str.split("_").str[0], index=index)


def _score(pred: np.ndarray, obs: np.ndarray, w: np.ndarray, lo=None, hi=None) -> dict:
    from swingcast.model.backtest import score

    return score(pred, obs, w, lo, hi)


def _calibrate(pred: np.ndarray, obs: np.ndarray, n: np.ndarray) -> tuple[float, float, np.ndarray]:
    """σ², q and the standardised errors of forecasts ``pred`` of ``obs`` (denominators ``n``)."""
    p = np.clip(pred, 1e-6, 1 - 1e-6)
    eta = np.log(p / (1 - p))
    t = _elogit(obs, n)
    binvar = 1.0 / np.clip(n * p * (1 - p), 1e-9, None)
    r = t - eta
    sigma2 = max(float(np.var(r) - np.mean(binvar)), 1e-4)
    z = r / np.sqrt(sigma2 + binvar)
    return sigma2, float(np.quantile(np.abs(z), _COVERAGE)), z


def within_commune_variance(rv: RoundValues) -> float:
    """The variance of a round's bureaux around their commune, on the logit scale, net of
    binomial noise: what a bureau no earlier round knows adds to its error, since its priors
    are its commune's levels (docs/models.md, protocol log, entry 17).

    Inscrits-weighted, over communes with at least two bureaux; 0 when there are none.

    Examples
    --------
    >>> idx = pd.Index(["1_a", "1_b", "2_a"])
    >>> rv = RoundValues("2019-europeennes-1", "europeennes", 1, pd.Series([0.4, 0.6, 0.5], index=idx),
    ...                  pd.Series([1e6] * 3, index=idx), pd.Series([1.0] * 3, index=idx),
    ...                  pd.Series(["1", "1", "2"], index=idx), "turnout")
    >>> round(within_commune_variance(rv), 4)  # logit(0.6)² x 2 / (2 - 1): two bureaux, mean 0
    0.3288
    """
    value, n = rv.value.to_numpy(float), rv.n.to_numpy(float)
    w = rv.inscrits.reindex(rv.value.index).to_numpy(float)
    com = rv.commune.reindex(rv.value.index).astype(str).to_numpy()
    ok = ~np.isnan(value) & (n > 0) & (w > 0)
    value, n, w, com = value[ok], n[ok], w[ok], com[ok]
    _, ci, counts = np.unique(com, return_inverse=True, return_counts=True)
    several = counts[ci] >= 2
    if not several.any():
        return 0.0
    t = _elogit(value, n)
    mean = np.bincount(ci, weights=w * t) / np.bincount(ci, weights=w)
    # the sampling variance of the empirical logit (bounded where a share is 0 or 1)
    binvar = 1.0 / (value * n + 0.5) + 1.0 / ((1.0 - value) * n + 0.5)
    dev2 = (t - mean[ci]) ** 2
    k = counts[ci][several]
    # the deviation from a mean that includes the bureau itself shrinks by (k - 1) / k
    var = np.average(dev2[several] * k / (k - 1), weights=w[several])
    return max(float(var - np.average(binvar[several], weights=w[several])), 0.0)


def _interval(pred: np.ndarray, n: np.ndarray, sigma2: float, q: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    p = np.clip(pred, 1e-6, 1 - 1e-6)
    s = np.sqrt(sigma2 + 1.0 / np.clip(n * p * (1 - p), 1e-9, None))
    eta = np.log(p / (1 - p))
    lo = 1.0 / (1.0 + np.exp(-(eta - q * s)))
    hi = 1.0 / (1.0 + np.exp(-(eta + q * s)))
    return lo, hi, s


def _area_sd(pred: np.ndarray, obs: np.ndarray, w: np.ndarray, areas: np.ndarray) -> float:
    from swingcast.model.simulate import area_error_sd

    if len(pd.unique(areas)) < 2:
        return 0.0
    return area_error_sd(pred, obs, w, areas)


def _level(anchor: str, actual: float, previous: float, quantity: str, rng: np.random.Generator) -> float:
    if anchor == "actual":
        return actual
    if anchor == "poll":
        return float(np.clip(actual + rng.normal(0.0, POLL_SD[quantity]), 0.005, 0.995))
    return previous


def _carried(spec: HistorySpec, quantity: str, test: RoundValues, earlier: Sequence[RoundValues]) -> float:
    """``anchor="none"``: the level carried from earlier rounds only.

    The latest earlier round of the test round's kind and round number, else of its kind,
    else the latest (:func:`swingcast.model.blend.carried_level`); for the share of
    a two-candidate round 2 with a known opponent, the target's share of the two finalists'
    votes in the latest earlier round where both stood (a round 1 share is no duel level).
    """
    if quantity == "share" and test.round_no == 2 and spec.opponent is not None:
        for r in reversed(spec.rounds[:-1]):
            totals = round_totals(r.stations)
            vt = votes_in(r.votes, totals.index)
            own = vt.loc[np.asarray(spec.target(vt), dtype=bool), VOIX].astype(float).sum()
            opp = vt.loc[np.asarray(spec.opponent(vt), dtype=bool), VOIX].astype(float).sum()
            if own > 0 and opp > 0:
                return float(own / (own + opp))
    return carried_level(earlier, test.kind, test.round_no)[0]


def _baselines_on(rounds: Sequence[PriorRound], spec: HistorySpec, quantity: str, index: pd.Index,
                  inscrits: pd.Series, level: float) -> dict[str, np.ndarray]:
    if quantity == "turnout":
        pr = turnout_priors(rounds)
    else:
        pr = share_priors(rounds, spec.target, bloc=spec.bloc, opponent=spec.opponent,
                          opponent_bloc=spec.opponent_bloc)
    filled = fill_missing(pr, index, _commune(index), inscrits)
    return baseline_predictions(filled, inscrits.reindex(index).to_numpy(float), level)


def _blend_predict(model: BlendModel, earlier: Sequence[RoundValues], rv: RoundValues, level: float) -> np.ndarray:
    return model.predict(earlier, kind=rv.kind, round_no=rv.round_no, year=round_year(rv.label),
                         index=rv.value.index, inscrits=rv.inscrits, communes=rv.commune, level=level)


def make_model(name: str, quantity: str) -> BlendModel | StackModel:
    """Model v3 (``"stack"``) or v2 (``"blend"``) of one quantity, with its defaults.

    Examples
    --------
    >>> type(make_model("stack", "share")).__name__
    'StackModel'
    """
    if name == "stack":
        return StackModel(quantity)
    if name == "blend":
        return BlendModel(quantity)
    raise ModelError(f"unknown model {name!r}; expected 'stack' or 'blend'")


def model_predict(model: BlendModel | StackModel, spec: HistorySpec, rounds: Sequence[PriorRound],
                  earlier: Sequence[RoundValues], rv: RoundValues, level: float) -> np.ndarray:
    """The prediction of ``model`` for the round ``rv`` from the earlier ``rounds`` (v3) or
    their values ``earlier`` (v2); the opponent enters for a round 2 only."""
    if isinstance(model, BlendModel):
        return _blend_predict(model, earlier, rv, level)
    two = rv.round_no == 2 and spec.opponent is not None
    return model.predict(rounds, kind=rv.kind, round_no=rv.round_no, year=round_year(rv.label),
                         index=rv.value.index, inscrits=rv.inscrits, level=level, communes=rv.commune,
                         target=spec.target, bloc=spec.bloc, opponent=spec.opponent if two else None,
                         opponent_bloc=spec.opponent_bloc if two else None, census=spec.census,
                         census_total=spec.census_total)


def development_forecasts(model: BlendModel | StackModel, spec: HistorySpec,
                          rvs: Sequence[RoundValues | None]) -> list[tuple[int, RoundValues, np.ndarray, dict]]:
    """The rolling-origin forecasts of a history's rounds: each round of ``rvs`` (the values of
    ``spec.rounds[:len(rvs)]``, None where a round is not usable) that has an earlier usable
    round, forecast from the rounds before it at its own area-wide level.

    Returns ``(k, values, prediction, weights of the earlier rounds)`` per forecast round.

    Examples
    --------
    >>> development_forecasts(make_model("stack", "turnout"), HistorySpec("x", [], None, "far_right"), [])
    []
    """
    out = []
    for k, rv in enumerate(rvs):
        before = [r for r in rvs[:k] if r is not None]
        if rv is None or not before:
            continue
        pred = model_predict(model, spec, spec.rounds[:k], before, rv, rv.level)
        out.append((k, rv, pred, dict(model.last_weights_)))
    return out


def _develop(spec: HistorySpec, quantity: str) -> dict:
    """Everything the development rounds decide for one quantity (anchor-independent).

    Each development round that has an earlier usable round is forecast from the rounds
    before it only (its own area-wide level as anchor): those forecasts are the rolling
    table and calibrate the intervals.
    """
    rvs: list[RoundValues | None] = [
        round_values(r, quantity, target=spec.target, bloc=spec.bloc) for r in spec.rounds]
    test = rvs[-1]
    if test is None:
        raise SchemaError(f"{spec.name}: the test round {spec.rounds[-1].label} has no usable {quantity}")
    earlier = [r for r in rvs[:-1] if r is not None]
    if not earlier:
        raise SchemaError(f"{spec.name}: no earlier round with a usable {quantity}")
    index = test.value.index
    w = test.inscrits.to_numpy(float)
    obs = test.value.to_numpy(float)
    model = make_model(spec.model, quantity)
    dev_rows, dev_table = [], []
    for k, rv, pred, weights in development_forecasts(model, spec, rvs[:-1]):
        row = {"round": rv.label, "k": k, "mae": float(np.mean(np.abs(pred - rv.value.to_numpy(float)))),
               "pred": pred, "obs": rv.value.to_numpy(float), "n": rv.n.to_numpy(float),
               "index": rv.value.index, "w": rv.inscrits.to_numpy(float), "weights": weights}
        dev_rows.append(row)
        base = _baselines_on(spec.rounds[:k], spec, quantity, rv.value.index, rv.inscrits, rv.level)
        name, bmae = best_baseline(base, row["obs"])
        dev_table.append({"round": rv.label, "model_mae": row["mae"], "best_baseline": name,
                          "best_baseline_mae": bmae, "ratio": row["mae"] / bmae if bmae > 0 else float("nan"),
                          "weights": row["weights"]})
    if isinstance(model, StackModel):
        described = {"model": "model v3: weighted mean of every baseline on denoised priors "
                              "(swingcast.model.stack.StackModel)",
                     "defaults": {"theta": dict(zip(CANDIDATE_FEATURES, model.theta, strict=True)),
                                  "denoise": model.denoise},
                     "census": (f"census shares among the denoiser's predictors (total {spec.census_total!r}, "
                                "docs/models.md entries 20-21)" if model.census and model.denoise
                                and spec.census is not None else None)}
    else:
        described = {"model": "model v2: blend of earlier rounds (swingcast.model.blend.BlendModel)",
                     "defaults": {"theta": dict(zip(PRIOR_FEATURES, model.theta, strict=True)),
                                  "beta": model.beta, "denoise": model.denoise}}
    training = {**described,
                "choice": {"model": spec.model, "denoise": model.denoise},
                "sources": {r.label: r.source for r in earlier},
                "calibration": "development forecasts (each development round from the rounds before it)"}
    default_s2, default_q, q_scale = calibration_constants(spec.model, quantity)
    guarded = bool(dev_rows) and calibration_guarded(spec.rounds[-1].label, [r.label for r in spec.rounds[:-1]],
                                                     [r["k"] for r in dev_rows])
    if dev_rows and not guarded:
        cal_pred = np.concatenate([r["pred"] for r in dev_rows])
        cal_obs = np.concatenate([r["obs"] for r in dev_rows])
        cal_n = np.concatenate([r["n"] for r in dev_rows])
        last = dev_rows[-1]
        sigma2, q, z = _calibrate(cal_pred, cal_obs, cal_n)
        q *= q_scale
        if q_scale != 1.0:
            training["calibration"] += f"; q times {q_scale} (docs/models.md entry 9)"
        common_sd = _area_sd(last["pred"], last["obs"], last["w"], _areas(spec, last["index"]))
    else:  # nothing in this history to calibrate this test round on: the pooled constants
        sigma2, q = default_s2, default_q
        z, common_sd = None, float(np.sqrt(sigma2)) / 2.0
        why = ("every development forecast is a round 2 from its round 1, the test round a new election "
               "(entry 23)" if guarded else "no development round in this history")
        training["calibration"] = (f"{why}: the pooled development calibration of docs/models.md "
                                   + ("entry 9 (STACK_DEFAULT_CALIBRATION)" if spec.model == "stack"
                                      else "entry 6 (DEFAULT_CALIBRATION)"))
    training.update(sigma2=sigma2, q=q, common_sd=common_sd)
    return {"rvs": rvs, "test": test, "earlier": earlier, "index": index, "w": w, "obs": obs,
            "training": training, "model": model, "dev_table": dev_table,
            "dev_rows": dev_rows, "sigma2": sigma2, "q": q, "z": z, "common_sd": common_sd}


def _quantity(spec: HistorySpec, quantity: str, anchor: str, rng: np.random.Generator,
              turnout_pred: np.ndarray | None = None) -> dict:
    """Model, baselines, floor and the development table of one quantity."""
    dev = spec.cache.get((spec.model, quantity))
    if dev is None:
        dev = spec.cache[(spec.model, quantity)] = _develop(spec, quantity)
    test, earlier, index, w, obs = dev["test"], dev["earlier"], dev["index"], dev["w"], dev["obs"]
    model, dev_table, dev_rows = dev["model"], dev["dev_table"], dev["dev_rows"]
    sigma2, q, z, common_sd = dev["sigma2"], dev["q"], dev["z"], dev["common_sd"]
    training = dict(dev["training"])
    level = _level(anchor, test.level, _carried(spec, quantity, test, earlier) if anchor == "none" else 0.0,
                   quantity, rng)
    n_test = w if quantity == "turnout" else w * (turnout_pred if turnout_pred is not None else test.level)
    own = spec.share_model if quantity == "share" else None
    if own is not None:
        out = own(level)
        cols = pd.DataFrame({k: np.asarray(out[k], dtype=float) for k in ("pred", "lo", "hi", "scale")},
                            index=out.get("index", index)).reindex(index)
        missing = cols["pred"].isna()
        if missing.any():  # bureaux the share model does not know: the area level, widest interval
            cols.loc[missing, "pred"] = level
            cols.loc[missing, "lo"] = float(cols["lo"].min())
            cols.loc[missing, "hi"] = float(cols["hi"].max())
            cols.loc[missing, "scale"] = float(cols["scale"].max())
        pred, lo, hi, scale = (cols[c].to_numpy(float) for c in ("pred", "lo", "hi", "scale"))
        z, common_sd = np.asarray(out["residuals"], dtype=float), float(out["common_sd"])
        training["share_model"] = "the spec's own share model (vote transfers)"
        training["common_sd"] = common_sd
    else:
        pred = model_predict(model, spec, spec.rounds[:-1], earlier, test, level)
        training["weights"] = dict(model.last_weights_)
        if hasattr(model, "last_constants_"):
            training["constants"] = model.last_constants_
        lo, hi, scale = _interval(pred, n_test, sigma2, q)
        known = pd.Index([], dtype=object)
        for r in earlier:
            known = known.union(pd.Index(r.value.index.astype(str), dtype=object))
        new = ~pd.Index(index.astype(str), dtype=object).isin(known)
        if new.any():  # no earlier round knows them: commune levels, plus the commune's spread
            tau2 = within_commune_variance(earlier[-1])
            lo[new], hi[new], scale[new] = _interval(pred[new], n_test[new], sigma2 + tau2, q)
            training["unknown_bureaux"] = {"n": int(new.sum()), "tau2": tau2}
    matched = pd.Series(index.isin(earlier[-1].value.index), index=index)
    res = {"model": _score(pred, obs, w, lo, hi)}
    m = matched.to_numpy(bool)
    inside = (lo <= obs) & (obs <= hi)
    res["coverage"] = {"all": float(inside.mean()),
                       "matched": float(inside[m].mean()) if m.any() else None,
                       "unmatched": float(inside[~m].mean()) if (~m).any() else None,
                       "n_matched": int(m.sum()), "n_unmatched": int((~m).sum())}
    res["model_mae_unmatched"] = float(np.mean(np.abs(pred - obs)[~m])) if (~m).any() else None
    base = _baselines_on(spec.rounds[:-1], spec, quantity, index, test.inscrits, level)
    maes = {k: float(np.mean(np.abs(v - obs))) for k, v in base.items()}
    name, bmae = best_baseline(base, obs)
    floor = binomial_floor(obs, test.n.to_numpy(float))
    res.update(baselines=maes, best_baseline={"name": name, "mae": bmae},
               mae_ratio=res["model"]["mae"] / bmae, floor_mae=floor,
               gap_closed=gap_closed(bmae, res["model"]["mae"], floor), level=level,
               actual_level=test.level, training=training, development=dev_table)
    res["_arrays"] = {"pred": pred, "lo": lo, "hi": hi, "matched": m, "scale": scale, "z": z,
                      "common_sd": common_sd, "index": index,
                      "obs": obs, "w": w, "base": base, "level": level, "dev_last": dev_rows[-1] if dev_rows else None}
    return res


def _areas(spec: HistorySpec, index: pd.Index) -> np.ndarray:
    if spec.areas is not None:
        return spec.areas(index).reindex(index).astype(str).to_numpy()
    return _commune(index).to_numpy()


def _units(votes: pd.DataFrame) -> pd.Series:
    """The contender name of every vote row (nuance, else list, else candidate)."""
    label = pd.Series(pd.NA, index=votes.index, dtype="object")
    for col in (NUANCE, LIST, CANDIDATE):
        if col in votes.columns:
            v = votes[col].astype("object")
            label = label.fillna(v.where(v.notna() & (v.astype(str).str.strip() != "")))
    return label.fillna("?").astype(str)


def _unit_table(r: PriorRound, target: Callable[[pd.DataFrame], pd.Series], bloc: str) -> tuple[pd.DataFrame, pd.Series]:
    """Voix per bureau and contender (the target's rows as one contender ``TARGET``), blocs."""
    vt = r.votes
    units = _units(vt).where(~np.asarray(target(vt), dtype=bool), "TARGET")
    blocs = blocs_of(vt).where(units != "TARGET", bloc)
    voix = vt[VOIX].astype(float).groupby([vt[BUREAU_ID], units]).sum().unstack(fill_value=0.0)
    bloc_of = pd.Series(blocs.to_numpy(), index=units.to_numpy()).groupby(level=0).first()
    return voix, bloc_of


def first_place_events(
    test_round: PriorRound,
    earlier: Sequence[PriorRound],
    target: Callable[[pd.DataFrame], pd.Series],
    bloc: str,
    index: pd.Index,
    weights: np.ndarray,
    methods: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray | None, float]],
    *,
    anchor: str = "actual",
    level: float | None = None,
    n_draws: int = 1000,
    seed: int = 0,
) -> dict:
    """``swing_prob`` (target first) and ``flip_prob`` (first place changes bloc) with Brier.

    Parameters
    ----------
    test_round : PriorRound
        The scored round (its contenders and their actual votes).
    earlier : sequence of PriorRound
        The rounds before it (the comparable round: latest of the same kind, else latest).
    target, bloc
        The target's vote rows and bloc.
    index, weights
        The scored bureaux and their inscrits.
    methods : dict
        ``name -> (share prediction, logit scale, standardised residual pool, common logit
        sd)`` on ``index``: each gets its simulation and its Brier scores.
    anchor : {"actual", "poll", "none"}
        The contenders' area-wide levels: actual (``actual``, ``poll``) or their bloc's
        previous level split evenly (``none``); ``poll`` adds the poll sd to the common sd.
    level : float, optional
        The target's anchor level (for the poll sd in logit units).
    n_draws, seed : int

    Returns
    -------
    dict
        ``contenders``, ``comparable_round``, counts, ``brier`` (``swing_prob`` and
        ``flip_prob`` per method) and ``_arrays`` (the probabilities per method).
    """
    from swingcast.model.backtest import brier

    w = np.asarray(weights, dtype=float)
    comp = comparable_round(earlier, test_round.kind)
    voix, blocs = _unit_table(test_round, target, bloc)
    voix = voix.reindex(index, fill_value=0.0)
    exp = round_totals(test_round.stations)[EXPRIMES].reindex(index)
    shares = voix.div(exp.where(exp > 0), axis=0).fillna(0.0)
    levels = pd.Series(np.average(shares.to_numpy(float), axis=0, weights=w), index=shares.columns)
    keep = main_contenders(levels)
    observed_first = voix.idxmax(axis=1)
    target_first = (observed_first == "TARGET").to_numpy()
    # the comparable round: its first place (bloc) and the bloc shares of its bureaux
    prev_first, cb = comparable_first(comp, target, bloc, index, _commune(index), w)
    known_prev = prev_first.notna().to_numpy()
    flipped = (observed_first.map(blocs).to_numpy() != prev_first.to_numpy())
    if anchor == "none":  # contenders' levels unknown: their bloc's previous level, split evenly
        bloc_prev = pd.Series(np.average(cb.to_numpy(float), axis=0, weights=w), index=cb.columns)
        counts = blocs.reindex(keep).value_counts()
        lv = pd.Series({c: float(bloc_prev.get(blocs[c], 0.0)) / counts[blocs[c]] for c in keep})
    else:
        lv = levels.reindex(keep)
    cont_blocs = [bloc, *[blocs[c] for c in keep]]
    out: dict = {"contenders": ["TARGET", *keep], "comparable_round": comp.label,
                 "n_target_first": int(target_first.sum()), "n_flips": int(flipped[known_prev].sum()),
                 "n_scored_flip": int(known_prev.sum()), "brier": {"swing_prob": {}, "flip_prob": {}},
                 "_arrays": {}}
    poll_logit = 0.0
    if anchor == "poll" and level is not None:
        p = float(np.clip(level, 0.01, 0.99))
        poll_logit = POLL_SD["share"] / (p * (1 - p))
    for name, (pred, scale, pool, common_sd) in methods.items():
        mat = contender_matrix(np.asarray(pred, dtype=float), lv, blocs.reindex(keep), cb, "TARGET", weights=w)
        probs = first_place_probs(mat, np.asarray(scale, dtype=float),
                                  common_sd=float(np.hypot(common_sd, poll_logit)), residuals=pool,
                                  n_draws=n_draws, seed=seed)
        sw = probs[:, 0]
        fl = flip_probability(probs, cont_blocs, prev_first.fillna("?").to_numpy())
        out["brier"]["swing_prob"][name] = brier(sw, target_first)
        out["brier"]["flip_prob"][name] = brier(fl[known_prev], flipped[known_prev])
        out["_arrays"][name] = {"swing_prob": sw, "flip_prob": fl}
    return out


def _events(spec: HistorySpec, share: dict, anchor: str, n_draws: int, seed: int) -> dict:
    """swing_prob and flip_prob of the model and of the uniform-swing simulation, with Brier."""
    a = share["_arrays"]
    earlier = spec.rounds[:-1]
    same = [r for r in earlier if r.kind == spec.rounds[-1].kind]
    comp = same[-1] if same else earlier[-1]
    # the uniform-swing comparator: the same-kind (else latest) prior of the target share
    us_key = next((k for k in (f"uniform_swing[share:{comp.label}]", f"uniform_swing[bloc:{comp.label}]")
                   if k in a["base"]), next(k for k in a["base"] if k.startswith("uniform_swing")))
    try:
        us_pool, us_common = _uniform_residuals(spec, share)
    except ModelError:  # a single earlier round: standard-normal noise, the model's common sd
        us_pool, us_common = None, float(a["common_sd"])
    methods = {"model": (a["pred"], a["scale"], a["z"], a["common_sd"]),
               "uniform_swing": (a["base"][us_key], np.ones(len(a["index"])), us_pool, us_common)}
    out = first_place_events(spec.rounds[-1], earlier, spec.target, spec.bloc, a["index"], a["w"], methods,
                             anchor=anchor, level=a["level"], n_draws=n_draws, seed=seed)
    out["uniform_swing_prior"] = us_key
    out["_arrays"] = out["_arrays"]["model"]
    return out


def _uniform_residuals(spec: HistorySpec, share: dict) -> tuple[np.ndarray, float]:
    """Logit residuals and area-error sd of the uniform swing on the latest development round."""
    rvs = spec.cache[(spec.model, "share")]["rvs"][:-1]
    usable = [(k, r) for k, r in enumerate(rvs) if r is not None]
    if len(usable) < 2:
        raise ModelError(f"{spec.name}: the uniform-swing simulation needs two usable earlier rounds")
    k, rv = usable[-1]
    earlier = [r for _, r in usable[:-1]]
    same = [r for r in earlier if r.kind == rv.kind]
    prior_rv = same[-1] if same else earlier[-1]
    idx = rv.value.index
    prior = fill_missing(prior_rv.value.to_frame("p"), idx, _commune(idx), rv.inscrits)["p"].to_numpy(float)
    wv = rv.inscrits.to_numpy(float)
    pred = np.clip(prior + (rv.level - float(np.average(prior, weights=wv))), 1e-4, 1 - 1e-4)
    obs = np.clip(rv.value.to_numpy(float), 1e-4, 1 - 1e-4)
    resid = np.log(obs / (1 - obs)) - np.log(pred / (1 - pred))
    return resid, _area_sd(pred, obs, wv, _areas(spec, idx))


def run_protocol(spec: HistorySpec, *, anchor: str = "actual", n_draws: int = 1000, seed: int = 0) -> dict:
    """Score the test round (the last round) of a history, every choice made on earlier rounds.

    Parameters
    ----------
    spec : HistorySpec
    anchor : {"actual", "poll", "none"}
    n_draws, seed : int

    Returns
    -------
    dict
        JSON-ready: ``history``, ``test_round``, ``anchor``, ``anchor_means``, ``n_bureaux``,
        per target ``turnout`` / ``share``: ``model`` metrics, ``baselines`` (MAE of each),
        ``best_baseline`` (name, mae), ``mae_ratio``, ``floor_mae``, ``gap_closed``,
        ``coverage`` (all, matched, unmatched), ``training``, ``development`` (rolling table);
        ``events`` (``brier`` of ``swing_prob`` and ``flip_prob``, model and uniform swing);
        ``_predictions`` (not JSON: a DataFrame per bureau of the test round, ``turnout_pred``,
        ``turnout_lo``, ``turnout_hi``, ``turnout_obs``, the same for the share, ``swing_prob``,
        ``flip_prob``, ``inscrits``, ``matched``).

    Examples
    --------
    >>> run_protocol(HistorySpec("x", [], lambda v: v, "far_right"), anchor="oops")
    Traceback (most recent call last):
    ...
    swingcast.errors.SchemaError: run_protocol: anchor must be 'actual', 'poll' or 'none', got 'oops'
    """
    if anchor not in ANCHOR_WORDS:
        raise SchemaError(f"run_protocol: anchor must be 'actual', 'poll' or 'none', got {anchor!r}")
    if len(spec.rounds) < 2:
        raise SchemaError(f"{spec.name}: a history needs at least two rounds (one before the test round)")
    rng = np.random.default_rng(seed)
    out: dict = {"history": spec.name, "test_round": spec.rounds[-1].label, "anchor": anchor,
                 "anchor_means": ANCHOR_WORDS[anchor],
                 "rounds": [r.label for r in spec.rounds]}
    turnout = _quantity(spec, "turnout", anchor, rng)
    tp = pd.Series(turnout["_arrays"]["pred"], index=turnout["_arrays"]["index"])
    rv_share = round_values(spec.rounds[-1], "share", target=spec.target, bloc=spec.bloc)
    share_idx = rv_share.value.index if rv_share is not None else tp.index
    share = _quantity(spec, "share", anchor, rng, turnout_pred=tp.reindex(share_idx).fillna(tp.mean()).to_numpy(float))
    events = _events(spec, share, anchor, n_draws, seed)
    out["n_bureaux"] = int(len(turnout["_arrays"]["index"]))
    out["unmatched_bureaux"] = turnout["coverage"]["n_unmatched"]
    for key, res in (("turnout", turnout), ("share", share)):
        out[key] = {k: v for k, v in res.items() if k != "_arrays"}
    out["events"] = {k: v for k, v in events.items() if k != "_arrays"}
    out["_predictions"] = _prediction_frame(turnout["_arrays"], share["_arrays"], events["_arrays"])
    return out


def _prediction_frame(turnout: dict, share: dict, events: dict) -> pd.DataFrame:
    """Per bureau of the test round (turnout's bureaux; share columns NaN where it has none):
    ``<q>_pred``, ``<q>_lo``, ``<q>_hi``, ``<q>_obs`` for turnout and share, ``swing_prob``,
    ``flip_prob``, ``inscrits`` and ``matched`` (the bureau is in the round before the test
    round, for both quantities)."""
    t_idx = turnout["index"]
    cols = {TURNOUT_PRED: "pred", TURNOUT_LO: "lo", TURNOUT_HI: "hi", "turnout_obs": "obs"}
    frame = pd.DataFrame({c: np.asarray(turnout[k], dtype=float) for c, k in cols.items()}, index=t_idx)
    cols = {SHARE_PRED: "pred", SHARE_LO: "lo", SHARE_HI: "hi", "share_obs": "obs"}
    s_frame = pd.DataFrame({c: np.asarray(share[k], dtype=float) for c, k in cols.items()}, index=share["index"])
    s_frame[SWING_PROB] = np.asarray(events["swing_prob"], dtype=float)
    s_frame["flip_prob"] = np.asarray(events["flip_prob"], dtype=float)
    frame = frame.join(s_frame, how="left")
    frame[INSCRITS] = np.asarray(turnout["w"], dtype=float)
    s_matched = pd.Series(np.asarray(share["matched"], dtype=bool), index=share["index"])
    frame["matched"] = np.asarray(turnout["matched"], dtype=bool) & s_matched.reindex(t_idx).fillna(True).to_numpy(bool)
    frame.index.name = BUREAU_ID
    return frame


def share_bloc(share: object) -> str:
    """The bloc of a resolved share (:func:`~swingcast.model.training.resolve_share`): a bloc's
    own, the RN's (``far_right``), or its name's.

    Examples
    --------
    >>> from swingcast.model.training import resolve_share
    >>> [share_bloc(resolve_share(s)) for s in ("rn", "LE PEN", "left", "MACRON")]
    ['far_right', 'far_right', 'left', 'centre']
    """
    from swingcast.model.blocs import bloc_of

    kind, key = share.kind, share.key  # type: ignore[attr-defined]
    return key if kind == "bloc" else ("far_right" if key == "rn" else bloc_of(key))


def protocol_spec(history: object, share: str, *, target: str | None = None,
                  opponent: str | None = None, name: str | None = None) -> HistorySpec:
    """A :class:`HistorySpec` from a :class:`~swingcast.model.history.History`.

    Parameters
    ----------
    history : History
        From :func:`swingcast.load_history`.
    share : str
        The target share as :func:`~swingcast.model.training.resolve_share` reads it (a
        surname, a nuance or list code, a bloc, a party key).
    target : str, optional
        The test round (default: the latest); rounds after it are left out.
    opponent : str, optional
        The opponent of a two-candidate test round (adds the round-2 priors).
    name : str, optional

    Examples
    --------
    >>> from swingcast.model.history import History
    >>> st = pd.DataFrame({"label": ["2017-presidentielle-1"], "bureau_id": ["x"]})
    >>> spec = protocol_spec(History(st, st.iloc[:0], ["2017-presidentielle-1"]), "rn")
    >>> spec.bloc, [r.label for r in spec.rounds]
    ('far_right', ['2017-presidentielle-1'])
    """
    from swingcast.model.history import parse_label
    from swingcast.model.training import resolve_share

    s = resolve_share(share)
    bloc = share_bloc(s)
    labels = list(history.rounds)  # type: ignore[attr-defined]
    if target is not None:
        if target not in labels:
            raise SchemaError(f"protocol_spec: no round {target!r}; expected one of {', '.join(labels)}")
        labels = labels[: labels.index(target) + 1]
    rounds = []
    for label in labels:
        st, vt = history.round(label)  # type: ignore[attr-defined]
        rounds.append(PriorRound(label, parse_label(label)[0].split("-", 1)[1], st, vt))
    opp = resolve_share(opponent) if opponent is not None else None
    return HistorySpec(name or f"history-{labels[-1]}", rounds, s.select, bloc,
                       opponent=opp.select if opp is not None else None,
                       opponent_bloc=share_bloc(opp) if opp is not None else None)
