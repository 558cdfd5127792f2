"""A new election calibrated only on round-2 forecasts (docs/models.md, protocol log, entry 23)."""

from __future__ import annotations

import numpy as np
import pytest

from swingcast.model.protocol import (
    STACK_DEFAULT_CALIBRATION,
    STACK_Q_SCALE,
    _calibrate,
    calibration_guarded,
    forecast_class,
)


def test_classes_of_forecasts():
    assert forecast_class("2017-legislatives-2", ["2017-legislatives-1"]) == "within"
    assert forecast_class("2017-legislatives-2", ["2017-presidentielle-1"]) == "between"
    assert forecast_class("2017-presidentielle-1", ["2014-europeennes-1"]) == "between"


def test_guard_only_when_every_development_forecast_is_within():
    labels = ["2014-europeennes-1", "2017-presidentielle-1", "2017-presidentielle-2"]
    assert not calibration_guarded("2019-europeennes-1", labels, [1, 2])  # pres T1 is between
    assert calibration_guarded("2019-europeennes-1", labels[1:], [1])
    assert not calibration_guarded("2017-presidentielle-2", labels[:2], [1])  # a within test
    assert not calibration_guarded("2019-europeennes-1", labels[1:], [])  # no development forecast


@pytest.mark.shared
def test_presidential_rounds_then_a_new_election(dep04):
    """[pres 2017 T1, T2] -> leg 2017 T1 in the 04: the round 2's calibration alone would be
    far too narrow; the single-prior calibration is used instead, and covers better."""
    from swingcast.model.backtest import backtest
    from swingcast.model.history import load_history
    from swingcast.model.protocol import _interval, development_forecasts, make_model
    from swingcast.model.protocol_backtest import history_spec
    from swingcast.model.transitions import round_values

    files = [dep04["04_p17a.csv"], dep04["04_p17b.csv"], dep04["04_2017-legislatives-1.csv"]]
    h = load_history(files, labels=["2017-presidentielle-1", "2017-presidentielle-2", None])
    res = backtest(h, target="2017-legislatives-1", share="rn", n_draws=100)
    m = res.metrics
    s2, q = STACK_DEFAULT_CALIBRATION["turnout"]
    assert m["turnout"]["training"]["sigma2"] == s2 and m["turnout"]["training"]["q"] == q
    assert "entry 23" in m["turnout"]["training"]["calibration"]
    # what the pooled rule would have given: the round 2's own calibration, by hand
    spec = history_spec(h, target="2017-legislatives-1", share="rn")
    rvs = [round_values(r, "turnout") for r in spec.rounds]
    (_, rv2, pred2, _), = development_forecasts(make_model("stack", "turnout"), spec, rvs[:-1])
    s2_own, q_own, _ = _calibrate(pred2, rv2.value.to_numpy(float), rv2.n.to_numpy(float))
    assert s2_own < 0.25 * s2  # a round 2 from its round 1 errs far less
    pred = res.predictions
    obs, ins = pred["turnout_obs"].to_numpy(float), pred["inscrits"].to_numpy(float)
    lo, hi, _ = _interval(pred["turnout_pred"].to_numpy(float), ins, s2_own, q_own * STACK_Q_SCALE["turnout"])
    narrow = float(np.mean((lo <= obs) & (obs <= hi)))
    guarded = m["turnout"]["coverage"]["all"]
    assert narrow < 0.7 and abs(guarded - 0.8) < abs(narrow - 0.8)
