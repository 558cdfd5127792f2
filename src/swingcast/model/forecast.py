"""Forecast an election not yet held, bureau by bureau, from a history of rounds.

By default (``model="stack"``) :func:`forecast` runs the model that the test-round protocol
scores (docs/models.md, "Protocol log", entries 9–10):
:func:`swingcast.model.roundforecast.blend_forecast` predicts turnout (votants / inscrits)
and the share in every bureau of the latest round from **every** round of the history: a
weighted mean of every baseline (every prior of the quantity carried by a uniform,
proportional and logit swing), each weighted by how alike its round is to the forecast round
(:class:`swingcast.model.stack.StackModel`, model v3; ``model="blend"`` keeps model v2,
:class:`swingcast.model.blend.BlendModel`),
re-centred on the **anchor**: the area-wide turnout and share the user expects (from polls),
or, when not given, the level of the latest round of the same kind and round number (else
same kind, else the latest) -- said in ``anchors[...+"_source"]``. Intervals are calibrated
on the history's own development forecasts.

``model="legacy"`` keeps the former one-transition model:
:func:`swingcast.model.history.choose_training` picks one earlier transition (a rule
documented in ``docs/models.md``), :func:`swingcast.model.training.case_data` builds the
frame (census features when given) and :func:`swingcast.model.backtest.fit_target` fits it,
the level carried by the training transition's swing (:func:`carried_anchor`).

Two event probabilities per bureau (:func:`swingcast.model.events.forecast_first_place`):
``swing_prob`` = P(the target comes first in the bureau; in a two-candidate round, wins it)
and ``flip_prob`` = P(the bureau's first place changes bloc from the latest comparable round
of the history: the latest round of the forecast's kind, else the latest round, as in the
back-test). The forecast round's contenders are not known, so they are those of the latest
round of the same kind *and round number* (else of the same kind, else the latest): the
target at its forecast share, every other contender at its area-wide level there scaled to
what the target's anchor leaves (``L_j (1 - S) / (1 - L_T)``), spread over the bureaux as
its bloc was.
``above_area_prob`` keeps the former event, P(share above the area-wide anchor)
(:func:`swingcast.model.backtest.swing_simulation`).

Turnout is votants / inscrits; shares are of exprimés.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from swingcast._log import logger
from swingcast.csvout import write_csv
from swingcast.errors import ModelError, SchemaError
from swingcast.model._modelinput import logit, weighted_mean
from swingcast.model.history import History, choose_training, parse_label, round_label, round_order
from swingcast.model.training import (
    MATCHED,
    PRIOR_SHARE,
    PRIOR_TURNOUT,
    CaseData,
    case_data,
    resolve_share,
)
from swingcast.schema import (
    ABOVE_AREA_PROB,
    BUREAU_ID,
    COMMUNE_CODE,
    FLIP_PROB,
    INSCRITS,
    SHARE_HI,
    SHARE_LO,
    SHARE_PRED,
    SWING_PROB,
    TURNOUT_HI,
    TURNOUT_LO,
    TURNOUT_PRED,
)

__all__ = ["forecast", "Forecast", "FORECAST_COLUMNS", "carried_anchor"]

#: Columns of :attr:`Forecast.predictions`, in order (what :func:`swingcast.rank_bureaux` reads).
FORECAST_COLUMNS = (BUREAU_ID, COMMUNE_CODE, INSCRITS, TURNOUT_PRED, TURNOUT_LO, TURNOUT_HI,
                    SHARE_PRED, SHARE_LO, SHARE_HI, SWING_PROB, FLIP_PROB, ABOVE_AREA_PROB, MATCHED)


@dataclass
class Forecast:
    """A forecast of one round.

    Attributes
    ----------
    predictions : DataFrame
        One row per bureau of the latest round, columns :data:`FORECAST_COLUMNS`.
    training : dict
        Which transition the model learnt from and why (:class:`~swingcast.model.history.Training`),
        plus the forecast round and the share.
    anchors : dict
        Area-wide turnout and share the predictions are centred on, and where each comes
        from (``"given"`` or ``"carried swing"``).
    contours : GeoDataFrame, optional
        The bureau contours given to :func:`forecast`.
    """

    predictions: pd.DataFrame
    training: dict
    anchors: dict
    contours: object | None = None
    notes: dict = field(default_factory=dict)

    def to_csv(self, path: str | PathLike[str]) -> Path:
        """Write :attr:`predictions` (the input of ``swingcast rank``), atomically
        (:func:`swingcast.csvout.write_csv`).

        Examples
        --------
        >>> import tempfile, os
        >>> f = Forecast(pd.DataFrame({"bureau_id": ["a"]}), {}, {})
        >>> f.to_csv(os.path.join(tempfile.mkdtemp(), "p.csv")).read_text().splitlines()
        ['bureau_id', 'a']
        """
        return write_csv(self.predictions, path)


def carried_anchor(data: CaseData, target: str) -> float:
    """The latest round's area-wide level moved by the training transition's logit swing.

    ``expit(logit(L) + logit(B) - logit(A))`` with A and B the inscrits-weighted levels of
    the training transition (features round -> outcome round, over the training bureaux) and
    L the level of the latest round over the forecast bureaux.

    Examples
    --------
    >>> d = CaseData(pd.DataFrame({"inscrits": [1.0]}), pd.DataFrame({"turnout": [0.6]}),
    ...     pd.DataFrame({"prior_turnout": [0.5]}), pd.DataFrame({"inscrits": [1.0]}),
    ...     pd.DataFrame(), pd.DataFrame({"prior_turnout": [0.5]}), pd.DataFrame())
    >>> round(carried_anchor(d, "turnout"), 6)
    0.6
    """
    prior = PRIOR_TURNOUT if target == "turnout" else PRIOR_SHARE
    w_tr = data.X_train[INSCRITS].to_numpy(float)
    a = weighted_mean(data.prior_train[prior].reindex(data.X_train.index).to_numpy(float), w_tr)
    b = weighted_mean(data.train[target].reindex(data.X_train.index).to_numpy(float), w_tr)
    latest = weighted_mean(data.prior_test[prior].reindex(data.X_test.index).to_numpy(float),
                           data.X_test[INSCRITS].to_numpy(float))
    eta = float(logit(np.array([latest]))[0] + logit(np.array([b]))[0] - logit(np.array([a]))[0])
    return float(1.0 / (1.0 + np.exp(-eta)))


def _anchors(anchor: object) -> dict[str, float | None]:
    if anchor is None:
        return {"turnout": None, "share": None}
    if isinstance(anchor, Mapping):
        unknown = set(anchor) - {"turnout", "share"}
        if unknown:
            raise SchemaError(f"forecast: anchor keys {sorted(unknown)}; expected 'turnout' and/or 'share'")
        given = {"turnout": anchor.get("turnout"), "share": anchor.get("share")}
    elif isinstance(anchor, (tuple, list)) and len(anchor) == 2:
        given = {"turnout": anchor[0], "share": anchor[1]}
    else:
        raise SchemaError(f"forecast: anchor {anchor!r}; expected None, (turnout, share) or "
                          "{'turnout': ..., 'share': ...} (proportions, None to carry the swing)")
    for k, v in given.items():
        if v is not None and not 0.0 < float(v) < 1.0:
            raise SchemaError(f"forecast: anchor {k}={v!r}; expected a proportion strictly between 0 and 1 "
                              "(0.74, not 74)")
    return {k: (None if v is None else float(v)) for k, v in given.items()}


def _census(census: pd.DataFrame | None) -> tuple[pd.DataFrame | None, str | None]:
    from swingcast.model.censusinputs import census_total_of

    return (None, None) if census is None else (census, census_total_of(census))


def _contours(contours: object) -> object:
    if contours is None or not isinstance(contours, (str, PathLike)):
        return contours
    from swingcast.load.contours import read_bureaux

    return read_bureaux(contours)


def _checked_notes(pred: pd.DataFrame, target: str, history: History, contours: object, common_sd: float,
                   first_place: dict, share_level: float) -> tuple[object, dict]:
    """Refuse NaN predictions; the contours and the notes every forecast carries."""
    if pred.drop(columns=[BUREAU_ID, COMMUNE_CODE]).isna().any().any():
        raise ModelError(f"forecast {target}: NaN in the predictions")
    polygons = _contours(contours)
    notes = {"common_sd": common_sd,
             "swing_event": "the target comes first in the bureau (two-candidate round: wins it)",
             "flip_event": f"first place changes bloc from {first_place['flip_round']}",
             "above_area_event": f"share above the area-wide anchor {share_level:.4f}",
             "first_place": first_place, "unmatched": history.unmatched().to_dict("records")}
    if polygons is not None:
        ids = polygons[BUREAU_ID] if BUREAU_ID in getattr(polygons, "columns", []) else polygons.index
        notes["bureaux_without_polygon"] = int((~pred[BUREAU_ID].isin(set(map(str, ids)))).sum())
    return polygons, notes


def _events_for(history: History, target: str, share: object, share_pred: np.ndarray, idx: pd.Index,
                communes: pd.Series, w: np.ndarray, level: float, *, scale: np.ndarray,
                residuals: np.ndarray | None, common_sd: float, n_draws: int,
                seed: int) -> tuple[pd.DataFrame, dict]:
    """``swing_prob`` and ``flip_prob`` of the forecast bureaux (see the module docstring)."""
    from swingcast.model.events import comparable_round, forecast_first_place
    from swingcast.model.priors import history_priors

    election, number = parse_label(target)
    kind = election.split("-", 1)[1]
    labels = list(history.rounds)
    contenders, previous = comparable_round(labels, kind, round=number), comparable_round(labels, kind)
    pri = history_priors(history, list(dict.fromkeys([str(contenders), str(previous)])), share)
    rounds = {r.label: r for r in pri["rounds"]}
    return forecast_first_place(
        np.asarray(share_pred, dtype=float), idx, communes, np.asarray(w, dtype=float),
        rounds[str(contenders)], pri["select"], pri["bloc"], level, scale=np.asarray(scale, dtype=float),
        residuals=None if residuals is None else np.asarray(residuals, dtype=float),
        common_sd=common_sd, previous=rounds[str(previous)], n_draws=n_draws, seed=seed)


def _first_place(history: History, target: str, share: object, data: CaseData, fit: object, level: float,
                 common_sd: float, *, n_draws: int, seed: int) -> tuple[pd.DataFrame, dict]:
    """:func:`_events_for` of a fitted legacy model."""
    idx = data.X_test.index
    return _events_for(history, target, share, np.asarray(fit.pred, dtype=float), idx,  # type: ignore[attr-defined]
                       data.meta_test[COMMUNE_CODE].reindex(idx).astype(str), data.X_test[INSCRITS].to_numpy(float),
                       level, scale=np.asarray(fit.scale, dtype=float),  # type: ignore[attr-defined]
                       residuals=np.asarray(fit.est.residuals_, dtype=float),  # type: ignore[attr-defined]
                       common_sd=common_sd, n_draws=n_draws, seed=seed)


def forecast(
    history: History,
    election: str,
    round: int = 1,
    share: str = "rn",
    *,
    anchor: Mapping[str, float | None] | tuple[float | None, float | None] | None = None,
    census: pd.DataFrame | None = None,
    contours: object = None,
    model: str = "stack",
    method: str = "glm",
    n_draws: int = 1000,
    seed: int = 0,
    coverage: float = 0.8,
) -> Forecast:
    """Forecast turnout and a share in every bureau of the latest round, for a round not yet held.

    Parameters
    ----------
    history : History
        The rounds known (:func:`swingcast.load_history`).
    election : str
        ``"<year>-<kind>"`` of the forecast election (``"2027-presidentielle"``); it must be
        later than every round of the history.
    round : int
        1 or 2.
    share : str
        What share of exprimés to forecast (:func:`~swingcast.model.training.resolve_share`):
        a bloc (``"far_right"``) or party key (``"rn"``) for an election whose candidates are
        not known yet; a candidate's surname (``"LE PEN"``, any case or accents) or a nuance /
        list code present in the history.
    anchor : mapping or (turnout, share), optional
        The area-wide turnout (votants / inscrits) and share the user expects, e.g.
        ``{"turnout": 0.74, "share": 0.25}`` from polls; the share is one of the votes cast
        (models v3 and v2 re-centre so that the mean weighted by the expected voters,
        inscrits x ``turnout_pred``, is the anchor). A missing or None value: with v3 and v2,
        the result of the latest round of the same kind carried (its votes over its exprimés);
        with ``model="legacy"``, the latest round's inscrits-weighted level moved by the
        training transition's swing (:func:`carried_anchor`).
    census : DataFrame, optional
        Census counts per bureau (index ``bureau_id``), e.g. from
        :meth:`swingcast.Crosswalk.apply`; the total (denominator) column is
        ``census.attrs["census_total"]`` or the first column. Model v3 adds its shares to
        the predictors of its share denoiser (docs/models.md, protocol log, entries 20–21);
        the legacy model uses them as features; v2 ignores them (with a warning).
    contours : GeoDataFrame or path, optional
        Bureau contours (:func:`swingcast.read_bureaux`), kept on the result for maps;
        forecast bureaux without a polygon are counted in ``notes``.
    model : {"stack", "blend", "legacy"}
        ``"stack"`` (default): model v3, the one scored by the test-round protocol
        (:func:`swingcast.model.roundforecast.blend_forecast`: every baseline of every round
        of the history, weighted by its likeness to the forecast round). ``"blend"``: model
        v2. ``"legacy"``: the one-transition model (census features, ``method``), as before
        the protocol.
    method : {"glm", "gbm"}
        The legacy model's fixed part.
    n_draws : int
        Simulation draws of ``swing_prob``, ``flip_prob`` and ``above_area_prob``.
    seed : int
        Seed of the simulation and the conformal folds.
    coverage : float
        Nominal coverage of the intervals.

    Returns
    -------
    Forecast

    Raises
    ------
    SchemaError
        A forecast round not after the history, fewer than two earlier rounds, a bad anchor.

    Examples
    --------
    >>> from swingcast.load.datasets import fetch  # doctest: +SKIP
    >>> h = load_history([fetch("france/results/2014-europeennes_par_bureau_large.csv.gz"),
    ...                   fetch("france/results/2019-europeennes_par_bureau_large.csv.gz")],
    ...                  departements="04")  # doctest: +SKIP
    >>> f = forecast(h, "2024-europeennes", share="rn")  # doctest: +SKIP
    >>> f.training["rule"], len(f.predictions)  # doctest: +SKIP
    ('same-target-kind', 261)
    """
    target = round_label(election, round)
    parse_label(target)
    if round_order(target) <= round_order(history.latest):
        raise SchemaError(f"forecast: {target} is not after the latest round of the history "
                          f"({history.latest}); to score a round already held use swingcast.backtest")
    if model not in ("stack", "blend", "legacy"):
        raise SchemaError(f"forecast: model must be 'stack', 'blend' or 'legacy', got {model!r}")
    if model == "legacy":
        return _legacy(history, election, round, share, anchor=anchor, census=census, contours=contours,
                       method=method, n_draws=n_draws, seed=seed, coverage=coverage)
    return _blend(history, election, round, share, anchor=anchor, census=census, contours=contours,
                  n_draws=n_draws, seed=seed, model=model)


def _blend(history: History, election: str, round: int, share: str, *, anchor: object, census: object,
           contours: object, n_draws: int, seed: int, model: str = "stack") -> Forecast:
    """:func:`forecast` with model v3 (``"stack"``) or v2 (``"blend"``), the protocol's models."""
    from swingcast.model.backtest import _simulate
    from swingcast.model.protocol import protocol_spec
    from swingcast.model.roundforecast import blend_forecast

    target = round_label(election, round)
    s = resolve_share(share)
    given = _anchors(anchor)
    spec = protocol_spec(history, share)
    if census is not None and model == "stack":  # v3: census shares among the denoiser's predictors
        cens, total = _census(census)
        spec = dataclasses.replace(spec, census=cens, census_total=total)
    elif census is not None:
        logger.warning("forecast: census= is used by models 'stack' (v3, its share denoiser) and "
                       "'legacy' only; model v2 does not take census features")
    bf = blend_forecast(history, election, round, share, turnout_level=given["turnout"],
                        share_level=given["share"], spec=spec, model=model)
    p = bf["predictions"]
    idx = p.index
    latest = history.round(history.latest)[0].drop_duplicates(BUREAU_ID).set_index(BUREAU_ID)
    communes = latest[COMMUNE_CODE].reindex(idx).astype(str)
    w = p[INSCRITS].to_numpy(float)
    common_sd = float(bf["training"]["share"]["common_sd"])
    residuals = bf["residuals"]
    scale = p["share_scale"].to_numpy(float)
    share_pred = p[SHARE_PRED].to_numpy(float)
    sim = _simulate(share_pred, w, p[TURNOUT_PRED].to_numpy(float), idx, scale=scale, residuals=residuals,
                    common_sd=common_sd, threshold=bf["anchors"]["share"], n_draws=n_draws, seed=seed)
    events, first_place = _events_for(history, target, s, share_pred, idx, communes, w, bf["anchors"]["share"],
                                      scale=scale, residuals=residuals, common_sd=common_sd,
                                      n_draws=n_draws, seed=seed)
    pred = pd.DataFrame({
        BUREAU_ID: idx.astype(str), COMMUNE_CODE: communes.to_numpy(), INSCRITS: w,
        TURNOUT_PRED: p[TURNOUT_PRED].to_numpy(float), TURNOUT_LO: p[TURNOUT_LO].to_numpy(float),
        TURNOUT_HI: p[TURNOUT_HI].to_numpy(float), SHARE_PRED: share_pred,
        SHARE_LO: p[SHARE_LO].to_numpy(float), SHARE_HI: p[SHARE_HI].to_numpy(float),
        SWING_PROB: events[SWING_PROB].to_numpy(float), FLIP_PROB: events[FLIP_PROB].to_numpy(float),
        ABOVE_AREA_PROB: sim[SWING_PROB].to_numpy(float),
        MATCHED: np.asarray(p["matched"], dtype=bool),
    }, columns=list(FORECAST_COLUMNS))
    polygons, notes = _checked_notes(pred, target, history, contours, common_sd, first_place,
                                     bf["anchors"]["share"])
    rounds = list(history.rounds)
    weights = bf["training"]
    reason = ("every baseline of every earlier round, weighted by its likeness to the forecast round "
              "(model v3, swingcast.model.stack; docs/models.md, Protocol log, entries 9 and 14)" if model == "stack" else
              "every earlier round weighted by its likeness to the forecast round "
              "(model v2, swingcast.model.blend; docs/models.md, Protocol log, entry 6)")
    training = {"model": model, "rule": model, "reason": reason,
                "features": rounds, "outcome": target, "apply": rounds,
                "weights": {q: weights[q]["weights"] for q in ("turnout", "share")},
                "calibration": {q: weights[q]["calibration"] for q in ("turnout", "share")},
                "forecast": target, "share": share, "share_group": s.group,
                "census": (f"census shares ({len(spec.census.columns) - 1} variables, total "
                           f"{spec.census_total!r}) among the share denoiser's predictors"
                           if model == "stack" and spec.census is not None else None)}
    logger.info("forecast %s (%s): model %s on %d rounds, %d bureaux", target, share, model, len(rounds), len(pred))
    return Forecast(pred, training, bf["anchors"], polygons, notes)


def _legacy(history: History, election: str, round: int, share: str, *, anchor: object, census: object,
            contours: object, method: str, n_draws: int, seed: int, coverage: float) -> Forecast:
    """:func:`forecast` with the one-transition model (``model="legacy"``)."""
    from swingcast.model.backtest import fit_target, swing_simulation

    target = round_label(election, round)
    s = resolve_share(share)
    present = history.has_share(s.select)
    chosen = choose_training(history.rounds, target, has_share=present)
    given = _anchors(anchor)
    cens, total = _census(census)
    data = case_data(history.stations, history.votes,
                     features=[parse_label(r) for r in chosen.features],
                     outcome=parse_label(chosen.outcome), apply=[parse_label(r) for r in chosen.apply],
                     target=None, share=s, census=cens, census_total=total)
    anchors: dict = {}
    fits = {}
    for tgt in ("turnout", "share"):
        value = given[tgt]
        anchors[f"{tgt}_source"] = "given" if value is not None else "carried swing"
        anchors[tgt] = value if value is not None else carried_anchor(data, tgt)
        fits[tgt] = fit_target(data, tgt, anchors[tgt], method=method, coverage=coverage, seed=seed)
    sim, common_sd = swing_simulation(data, fits["share"], fits["turnout"].pred,
                                      threshold=anchors["share"], offset=False,
                                      n_draws=n_draws, seed=seed)
    idx = data.X_test.index
    events, first_place = _first_place(history, target, s, data, fits["share"], anchors["share"],
                                       common_sd, n_draws=n_draws, seed=seed)
    pred = pd.DataFrame({
        BUREAU_ID: idx.astype(str),
        COMMUNE_CODE: data.meta_test[COMMUNE_CODE].reindex(idx).astype(str).to_numpy(),
        INSCRITS: data.X_test[INSCRITS].to_numpy(float),
        TURNOUT_PRED: fits["turnout"].pred, TURNOUT_LO: fits["turnout"].lo, TURNOUT_HI: fits["turnout"].hi,
        SHARE_PRED: fits["share"].pred, SHARE_LO: fits["share"].lo, SHARE_HI: fits["share"].hi,
        SWING_PROB: events[SWING_PROB].to_numpy(float),
        FLIP_PROB: events[FLIP_PROB].to_numpy(float),
        ABOVE_AREA_PROB: sim[SWING_PROB].to_numpy(float),
        MATCHED: data.meta_test[MATCHED].reindex(idx).fillna(False).astype(bool).to_numpy(),
    }, columns=list(FORECAST_COLUMNS))
    polygons, notes = _checked_notes(pred, target, history, contours, common_sd, first_place,
                                     anchors["share"])
    training = {**chosen.as_dict(), "forecast": target, "share": share, "share_group": s.group,
                "training_bureaux": int(len(data.X_train)), "model_features": list(data.features or [])}
    logger.info("forecast %s (%s): trained on %s -> %s (%s), %d bureaux", target, share,
                ", ".join(chosen.features), chosen.outcome, chosen.rule, len(pred))
    return Forecast(pred, training, anchors, polygons, notes)
