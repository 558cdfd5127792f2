"""The validated model applied to a round not yet held: the blend of every round of a history.

:func:`blend_forecast` is what :func:`swingcast.forecast` runs: for turnout (votants /
inscrits) and the target share, the :class:`~swingcast.model.blend.BlendModel` of the
protocol path (the model scored in docs/models.md, "Protocol log") predicts every bureau of
the latest round, re-centred on the anchor, with 80 % intervals calibrated on the history's
own development rounds (each round forecast from the rounds before it) exactly as in
:func:`swingcast.model.protocol.run_protocol`.

Anchor not given: the level of the latest round of the same kind and round number (else the
same kind, else the latest round) is carried — a forecast from earlier data only, and said
so in ``anchors[...+"_source"]``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import pandas as pd

from swingcast.errors import SchemaError
from swingcast.model.blend import BlendModel, _recentre, carried_level
from swingcast.model.protocol import (
    HistorySpec,
    _area_sd,
    _calibrate,
    _interval,
    calibration_constants,
    calibration_guarded,
    development_forecasts,
    make_model,
    model_predict,
    protocol_spec,
)
from swingcast.model.stack import StackModel
from swingcast.model.transitions import RoundValues, round_values

__all__ = ["aggregate_level", "blend_forecast", "carried_level"]


def _calibration(model: BlendModel | StackModel, spec: HistorySpec, all_rvs: Sequence[RoundValues | None],
                 quantity: str, label: str) -> tuple[float, float, np.ndarray | None, str, float]:
    """σ², q, the standardised errors of the development forecasts of the rounds, how, and the
    sd of the commune-level errors of the latest one (the common part of a simulation), for
    forecasting the round ``label``."""
    done = development_forecasts(model, spec, all_rvs)
    pred = [p for _, _, p, _ in done]
    obs = [rv.value.to_numpy(float) for _, rv, _, _ in done]
    n = [rv.n.to_numpy(float) for _, rv, _, _ in done]
    default_s2, default_q, q_scale = calibration_constants(spec.model, quantity)
    if not pred:
        return (default_s2, default_q, None, "pooled development calibration (a single round in the history)",
                float(np.sqrt(default_s2)) / 2)
    if calibration_guarded(label, [r.label for r in spec.rounds], [k for k, _, _, _ in done]):
        return (default_s2, default_q, None, "pooled development calibration (the history's development "
                "forecasts are all round 2 from their round 1, the forecast a new election; docs/models.md "
                "entry 23)", float(np.sqrt(default_s2)) / 2)
    s2, q, z = _calibrate(np.concatenate(pred), np.concatenate(obs), np.concatenate(n))
    q *= q_scale
    last = done[-1][1]
    common = _area_sd(pred[-1], obs[-1], last.inscrits.to_numpy(float), last.commune.astype(str).to_numpy())
    return s2, q, z, f"the history's {len(pred)} development forecasts", common


def aggregate_level(rv: RoundValues) -> float:
    """The area-wide value of one round: a ratio of sums (votes over exprimés for a share).

    :attr:`RoundValues.level` is the inscrits-weighted mean of the bureaux' values, the
    protocol's convention for its anchors; for a share it differs from the result as
    announced (the votes over the votes cast) wherever the share varies with turnout.

    Examples
    --------
    >>> idx = pd.Index(["1_a", "1_b"])
    >>> rv = RoundValues("2019-europeennes-1", "europeennes", 1, pd.Series([0.1, 0.3], index=idx),
    ...                  pd.Series([100.0, 300.0], index=idx), pd.Series([200.0, 400.0], index=idx),
    ...                  pd.Series(["1", "1"], index=idx), "target")
    >>> aggregate_level(rv), round(rv.level, 4)
    (0.25, 0.2333)
    """
    value, n = rv.value.to_numpy(float), rv.n.to_numpy(float)
    ok = ~np.isnan(value) & ~np.isnan(n) & (n > 0)
    if not ok.any():
        raise SchemaError(f"forecast: round {rv.label} has no bureau with votes cast")
    return float(np.sum(value[ok] * n[ok]) / np.sum(n[ok]))


def blend_forecast(
    history: object,
    election: str,
    round: int,
    share: str,
    *,
    turnout_level: float | None = None,
    share_level: float | None = None,
    spec: HistorySpec | None = None,
    model: str = "stack",
) -> dict:
    """Turnout and share of every bureau of the latest round for the round ``election``/``round``.

    Parameters
    ----------
    history : History
        From :func:`swingcast.load_history`.
    election : str
        ``"<year>-<kind>"`` of the round forecast.
    round : int
    share : str
        As :func:`~swingcast.model.training.resolve_share` reads it.
    turnout_level, share_level : float, optional
        The anchors; None: :func:`carried_level`.
    spec : HistorySpec, optional
        Built from ``history`` when not given.
    model : {"stack", "blend"}
        Model v3 (:class:`~swingcast.model.stack.StackModel`, default) or v2
        (:class:`~swingcast.model.blend.BlendModel`).

    Returns
    -------
    dict
        ``predictions`` (DataFrame indexed by ``bureau_id``: ``turnout_pred/lo/hi``,
        ``share_pred/lo/hi``, ``share_scale`` (logit sd), ``inscrits``, ``matched``),
        ``anchors`` (levels and their source), ``training`` (per quantity: weights of the
        rounds, calibration, ``common_sd``) and ``residuals`` (standardised development errors of the share,
        for simulations).

    Examples
    --------
    >>> blend_forecast(None, "2027-presidentielle", 1, "rn", spec=HistorySpec("x", [], None, "far_right"))
    Traceback (most recent call last):
    ...
    swingcast.errors.SchemaError: forecast: the history has no round
    """
    if spec is None:
        spec = protocol_spec(history, share)
    if not spec.rounds:
        raise SchemaError("forecast: the history has no round")
    spec = dataclasses.replace(spec, model=model, cache={})
    kind = election.split("-", 1)[1] if "-" in election else election
    latest = round_values(spec.rounds[-1], "turnout")
    index, inscrits, communes = latest.value.index, latest.inscrits, latest.commune
    known_before = pd.Index([])
    if len(spec.rounds) > 1:
        known_before = round_values(spec.rounds[-2], "turnout").value.index
    out = pd.DataFrame(index=index)
    out["inscrits"] = inscrits.to_numpy(float)
    anchors: dict = {}
    training: dict = {}
    residuals = None
    turnout_pred = None
    for quantity, given in (("turnout", turnout_level), ("share", share_level)):
        all_rvs = [round_values(p, quantity, target=spec.target, bloc=spec.bloc) for p in spec.rounds]
        rvs = [r for r in all_rvs if r is not None]
        if not rvs:
            raise SchemaError(f"forecast: no round of the history has a usable {quantity} for {share!r}")
        mdl = make_model(spec.model, quantity)
        if given is None:
            level, source = carried_level(rvs, kind, round)
            if quantity == "share":  # the source round's result: its votes over its exprimés
                level = aggregate_level(next(r for r in rvs if r.label == source))
            anchors[f"{quantity}_source"] = f"carried from {source}"
        else:
            level = float(given)
            anchors[f"{quantity}_source"] = "given"
        anchors[quantity] = level
        future = RoundValues(f"{election}-{round}", kind, int(round), inscrits * np.nan, inscrits, inscrits,
                             communes, quantity)
        pred = model_predict(mdl, spec, spec.rounds, rvs, future, level)
        if quantity == "share":
            # an area-wide share is a share of the votes cast: re-centred (a logit shift) so
            # that the expected voters' weighted mean is the anchor, not the inscrits' one
            pred = _recentre(np.asarray(pred, dtype=float), inscrits.to_numpy(float) * turnout_pred, level)
            anchors["share_weights"] = "expected voters (inscrits x turnout_pred)"
        weights = dict(mdl.last_weights_)
        s2, q, z, how, common_sd = _calibration(mdl, spec, all_rvs, quantity, future.label)
        n = inscrits.to_numpy(float) * (1.0 if quantity == "turnout" else turnout_pred)
        lo, hi, scale = _interval(pred, n, s2, q)
        out[f"{quantity}_pred"], out[f"{quantity}_lo"], out[f"{quantity}_hi"] = pred, lo, hi
        out[f"{quantity}_scale"] = scale
        training[quantity] = {"weights": weights, "sigma2": s2, "q": q, "calibration": how,
                              "common_sd": common_sd, "sources": {r.label: r.source for r in rvs}}
        if quantity == "turnout":
            turnout_pred = pred
        else:
            residuals = z
    out["matched"] = index.isin(known_before) if len(known_before) else True
    return {"predictions": out, "anchors": anchors, "training": training, "residuals": residuals}
