"""Tests of swingcast.model.baselines: hand-computed swings, conservation of the anchor, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError as SklearnNotFittedError
from sklearn.model_selection import KFold, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from swingcast.errors import ModelError, NotFittedError, SwingcastError
from swingcast.model.baselines import CarryForward, ProportionalSwing, UniformSwing

# Three bureaux written by hand: prior shares, sizes, outcomes.
IDS = ["75056_101", "75056_102", "75056_103"]
PRIOR = [0.30, 0.50, 0.70]
INSCRITS = [1000, 500, 500]
OUTCOME = [0.40, 0.55, 0.70]


def _frame(prior=PRIOR, inscrits=INSCRITS, ids=IDS):
    return pd.DataFrame({"prior": prior, "inscrits": inscrits}, index=pd.Index(ids, name="bureau_id"))


def test_carry_forward_returns_prior_and_residual_quantiles():
    m = CarryForward(coverage=0.5).fit(_frame(), OUTCOME)
    assert m.predict(_frame()).tolist() == PRIOR
    # changes 0.10, 0.05, 0.00; their inscrits-weighted mean (100 + 25 + 0) / 2000 = 0.0625
    # is the area's level shift, removed: residuals 0.0375, -0.0125, -0.0625 -> quartiles by
    # linear interpolation: -0.0375 and 0.0125 (the interval is centred on the prediction)
    np.testing.assert_allclose(m.residual_quantiles_, [-0.0375, 0.0125])
    lo, hi = m.predict_interval(_frame())
    np.testing.assert_allclose(lo, np.array(PRIOR) - 0.0375)
    np.testing.assert_allclose(hi, np.array(PRIOR) + 0.0125)


def test_uniform_swing_learned_from_training_transition():
    # weighted means by hand: prior (300 + 250 + 350) / 2000 = 0.45,
    # outcome (400 + 275 + 350) / 2000 = 0.5125 -> swing 0.0625
    m = UniformSwing().fit(_frame(), OUTCOME)
    assert m.swing_ == pytest.approx(0.0625)
    np.testing.assert_allclose(m.predict(_frame()), np.array(PRIOR) + 0.0625)


def test_uniform_swing_with_anchor_conserves_the_anchor():
    X = _frame()
    m = UniformSwing(anchor=0.48).fit(X, OUTCOME)
    pred = m.predict(X)
    # the inscrits-weighted mean of the prediction is the anchor (conservation)
    assert np.average(pred, weights=INSCRITS) == pytest.approx(0.48)
    np.testing.assert_allclose(pred, np.array(PRIOR) + (0.48 - 0.45))


def test_proportional_swing_by_hand_and_clipping():
    m = ProportionalSwing().fit(_frame(), OUTCOME)
    assert m.ratio_ == pytest.approx(0.5125 / 0.45)
    anchored = ProportionalSwing(anchor=0.9).fit(_frame(), OUTCOME)
    pred = anchored.predict(_frame())
    # ratio 2: 0.6, 1.0, 1.4 -> clipped to 1.0
    np.testing.assert_allclose(pred, [0.6, 1.0, 1.0])
    assert np.average(ProportionalSwing(anchor=0.5).fit(_frame(), OUTCOME).predict(_frame()),
                      weights=INSCRITS) == pytest.approx(0.5)


def test_anchored_swing_uses_the_bureaux_being_predicted():
    # training on three bureaux, predicting two others: the anchor applies to the new set
    new = _frame(prior=[0.2, 0.6], inscrits=[100, 300], ids=["a", "b"])
    pred = UniformSwing(anchor=0.5).fit(_frame(), OUTCOME).predict(new)
    assert np.average(pred, weights=[100, 300]) == pytest.approx(0.5)


def test_interval_coverage_on_training_draws():
    rng = np.random.default_rng(1)
    n = 4000
    prior = rng.uniform(0.2, 0.8, n)
    X = pd.DataFrame({"prior": prior, "inscrits": rng.integers(200, 1500, n)},
                     index=[f"b{i}" for i in range(n)])
    y = np.clip(prior + 0.03 + rng.normal(0, 0.04, n), 0, 1)
    m = UniformSwing(coverage=0.8).fit(X.iloc[:2000], y[:2000])
    lo, hi = m.predict_interval(X.iloc[2000:])
    covered = np.mean((y[2000:] >= lo) & (y[2000:] <= hi))
    assert 0.75 <= covered <= 0.85


@pytest.mark.parametrize("cls", [CarryForward, UniformSwing, ProportionalSwing])
def test_predict_before_fit_refused(cls):
    with pytest.raises(NotFittedError, match="not fitted"):
        cls().predict(_frame())
    with pytest.raises(SklearnNotFittedError):
        cls().predict(_frame())


@pytest.mark.parametrize("cls", [CarryForward, UniformSwing, ProportionalSwing])
def test_bad_input_names_the_bureau(cls):
    with pytest.raises(ModelError, match="75056_102"):
        cls().fit(_frame(inscrits=[1000, 0, 500]), OUTCOME)
    with pytest.raises(ModelError, match="75056_103"):
        cls().fit(_frame(prior=[0.3, 0.5, np.nan]), OUTCOME)
    with pytest.raises(ModelError, match="75056_101"):
        cls().fit(_frame(), [1.4, 0.5, 0.5])
    with pytest.raises(ModelError, match="missing column"):
        cls().fit(_frame().drop(columns="prior"), OUTCOME)
    with pytest.raises(SwingcastError, match="coverage"):
        cls(coverage=1.5).fit(_frame(), OUTCOME)


@pytest.mark.parametrize("cls", [CarryForward, UniformSwing, ProportionalSwing])
def test_sklearn_compatibility(cls):
    m = cls(prior_col="prior", coverage=0.9)
    assert clone(m).get_params()["coverage"] == 0.9
    m.set_params(coverage=0.7)
    assert m.coverage == 0.7
    rng = np.random.default_rng(0)
    n = 60
    prior = rng.uniform(0.3, 0.7, n)
    X = pd.DataFrame({"prior": prior, "inscrits": rng.integers(300, 900, n)},
                     index=[f"b{i}" for i in range(n)])
    y = np.clip(prior + 0.02 + rng.normal(0, 0.01, n), 0, 1)
    pipe = Pipeline([("identity", FunctionTransformer(None)), ("model", m)])
    scores = cross_val_score(pipe, X, y, cv=KFold(3))
    assert scores.shape == (3,)
    assert np.all(np.isfinite(scores))
