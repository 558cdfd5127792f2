"""Tests of swingcast.model.simulate: closed-form probabilities, conservation, errors, Brier."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from swingcast.errors import ModelError
from swingcast.model.simulate import area_error_sd, brier_score, simulate_swing


def _logit(p):
    p = np.asarray(p, dtype=float)
    return np.log(p / (1 - p))


def _preds(shares, inscrits=800, **extra):
    return pd.DataFrame(
        {"share_pred": shares, "inscrits": inscrits, **extra},
        index=[f"75056_{i + 101}" for i in range(len(shares))],
    )


def test_no_noise_gives_the_prediction_itself():
    shares = [0.3, 0.49, 0.51, 0.8]
    out = simulate_swing(_preds(shares), n_draws=50, common_sd=0.0, scale=np.zeros(4))
    assert out["swing_prob"].tolist() == [0.0, 0.0, 1.0, 1.0]
    expected = 2 * np.array(shares) - 1
    np.testing.assert_allclose(out["margin_pred"], expected, atol=1e-6)
    np.testing.assert_allclose(out["margin_lo"], expected, atol=1e-6)
    np.testing.assert_allclose(out["margin_hi"], expected, atol=1e-6)


@pytest.mark.parametrize("common_sd, local", [(0.0, 0.3), (0.2, 0.0), (0.15, 0.25)])
def test_probability_matches_the_normal_closed_form(common_sd, local):
    shares = np.array([0.40, 0.47, 0.50, 0.55, 0.62])
    n_draws = 20000
    out = simulate_swing(_preds(shares), n_draws=n_draws, common_sd=common_sd,
                         scale=np.full(5, local), seed=3)
    # logit share ~ N(logit p, common^2 + local^2): P(share > 0.5) = Phi(logit p / sd)
    sd = np.hypot(common_sd, local)
    expected = norm.cdf(_logit(shares) / sd)
    tol = 4 * np.sqrt(expected * (1 - expected) / n_draws) + 1e-3
    if common_sd > 0:
        tol += 4 * common_sd / np.sqrt(n_draws)  # the common draws are shared by all bureaux
    assert np.all(np.abs(out["swing_prob"].to_numpy() - expected) < tol)
    # 80 % interval of the margin: 2 expit(logit p +/- 1.2816 sd) - 1
    z = norm.ppf(0.9)
    lo = 2 / (1 + np.exp(-(_logit(shares) - z * sd))) - 1
    np.testing.assert_allclose(out["margin_lo"], lo, atol=0.01)


def test_common_swing_is_shared_across_chunks():
    shares = np.linspace(0.3, 0.7, 9)
    a = simulate_swing(_preds(shares), n_draws=500, common_sd=0.3, scale=np.zeros(9), chunk_size=2)
    b = simulate_swing(_preds(shares), n_draws=500, common_sd=0.3, scale=np.zeros(9), chunk_size=100)
    # without local noise only the common draws matter, and they are drawn once
    pd.testing.assert_frame_equal(a, b)
    # and all bureaux move together: with one draw, the winners are a prefix by share
    one = simulate_swing(_preds(shares), n_draws=1, common_sd=0.3, scale=np.zeros(9), chunk_size=2)
    wins = one["swing_prob"].to_numpy()
    assert np.all(np.diff(wins) >= 0)


def test_opponent_and_vote_margin():
    preds = _preds([0.40, 0.30], inscrits=[1000, 500], opp=[0.35, 0.45], turnout_pred=[0.7, 0.6])
    out = simulate_swing(preds, n_draws=20000, common_sd=0.0, scale=np.array([0.2, 0.2]),
                         opponent_col="opp", seed=1)
    # candidate leads when share > opp / (1 - share_pred + opp) (others keep their weights)
    cut = np.array([0.35 / 0.95, 0.45 / 1.15])
    expected = norm.cdf((_logit([0.40, 0.30]) - _logit(cut)) / 0.2)
    np.testing.assert_allclose(out["swing_prob"], expected, atol=0.015)
    # vote margin = share margin x expected exprimés (inscrits x turnout)
    np.testing.assert_allclose(out["margin_votes_pred"], out["margin_pred"] * [700.0, 300.0])
    no_noise = simulate_swing(preds, n_draws=10, common_sd=0.0, scale=np.zeros(2), opponent_col="opp")
    np.testing.assert_allclose(no_noise["margin_pred"], [0.05, -0.15], atol=1e-6)


def test_scale_from_interval_bounds_equals_given_scale():
    rng = np.random.default_rng(0)
    pool = rng.standard_normal(999)
    shares = np.array([0.35, 0.5, 0.6])
    s = np.array([0.1, 0.3, 0.2])
    q = np.sort(np.abs(pool))[int(np.ceil(1000 * 0.8)) - 1]  # conformal quantile by hand
    bounds = {"share_lo": 1 / (1 + np.exp(-(_logit(shares) - q * s))),
              "share_hi": 1 / (1 + np.exp(-(_logit(shares) + q * s)))}
    derived = simulate_swing(_preds(shares, **bounds), local_residuals=pool, n_draws=300, seed=2)
    given = simulate_swing(_preds(shares), local_residuals=pool, scale=s, n_draws=300, seed=2)
    pd.testing.assert_frame_equal(derived, given, atol=1e-6)


def test_bad_input_is_refused():
    with pytest.raises(ModelError, match="share_pred"):
        simulate_swing(pd.DataFrame({"inscrits": [1]}))
    with pytest.raises(ModelError, match="75056_102"):
        simulate_swing(_preds([0.5, 1.5]))
    with pytest.raises(ModelError, match="75056_101"):
        simulate_swing(_preds([np.nan, 0.5]))
    with pytest.raises(ModelError, match="scale"):
        simulate_swing(_preds([0.5, 0.4]), scale=np.ones(3))
    with pytest.raises(ModelError, match="common_sd"):
        simulate_swing(_preds([0.5]), common_sd=-1)


def test_brier_score_by_hand():
    # (0.8-1)^2 = 0.04, (0.3-0)^2 = 0.09, (0.5-1)^2 = 0.25 -> mean 0.38/3
    assert brier_score([0.8, 0.3, 0.5], [1, 0, 1]) == pytest.approx(0.38 / 3)
    # weights 1, 1, 2 -> (0.04 + 0.09 + 0.5) / 4
    assert brier_score([0.8, 0.3, 0.5], [True, False, True], weights=[1, 1, 2]) == pytest.approx(0.63 / 4)
    with pytest.raises(ModelError, match="0/1"):
        brier_score([0.5], [2])
    with pytest.raises(ModelError, match="in \\[0, 1\\]"):
        brier_score([1.5], [1])


def test_area_error_sd_by_hand():
    # area errors on the logit scale: 0, logit(0.6), -logit(0.6) -> sd = logit(0.6)
    p = np.full(6, 0.5)
    o = np.array([0.5, 0.5, 0.6, 0.6, 0.4, 0.4])
    got = area_error_sd(p, o, np.ones(6), ["a", "a", "b", "b", "c", "c"])
    assert got == pytest.approx(float(_logit(0.6)))


def test_swing_probabilities_are_calibrated_on_fresh_draws():
    """Model -> simulate chain on synthetic bureaux: P(share > 0.5) matches the frequency."""
    from swingcast.model.estimators import ShareModel
    from swingcast.model.synthbureaux import make_bureaux, redraw

    data = make_bureaux(n_communes=400, intercept=-0.62, seed=4)
    model = ShareModel().fit(data.X, data.y)
    preds = pd.DataFrame({"share_pred": model.predict(data.X),
                          "inscrits": data.X["inscrits"]}, index=data.X.index)
    sim = simulate_swing(preds, n_draws=2000, common_sd=0.0, local_residuals=model.residuals_,
                         scale=model.scale(data.X), seed=0)
    prob = np.tile(sim["swing_prob"].to_numpy(), 10)
    won = np.concatenate([redraw(data, 50 + s).y > 0.5 for s in range(10)]).astype(float)
    # reliability: in each probability band the share of bureaux won matches the mean probability
    bands = np.digitize(prob, [0.1, 0.3, 0.5, 0.7, 0.9])
    for band in np.unique(bands):
        inside = bands == band
        if inside.sum() >= 200:
            assert abs(won[inside].mean() - prob[inside].mean()) < 0.06, band
    # and the probabilities beat the 0/1 call from the point prediction
    point = np.tile((preds["share_pred"] > 0.5).to_numpy(float), 10)
    assert brier_score(prob, won) < brier_score(point, won)
