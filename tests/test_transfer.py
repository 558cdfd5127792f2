"""Tests of swingcast.model.transfer (uncertainty of a vote-transfer model) and transfer_turnout."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit, logit
from scipy.stats import norm

from swingcast.errors import ModelError, SchemaError
from swingcast.model.casedata import transfer_turnout
from swingcast.model.transfer import ecological_noise, survey_logit_sd


def _composition(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    a = rng.dirichlet([4.0, 3.0, 2.0], n)
    return a


def test_ecological_noise_recovers_rates_and_overdispersion() -> None:
    # outcome = constant rates on the logit scale + N(0, 0.2^2) bureau noise + binomial
    rng = np.random.default_rng(3)
    comp = _composition(3000, 3)
    rates = np.array([0.6, 0.3, 0.1])
    n = np.full(3000, 600.0)
    p = expit(logit(comp @ rates) + rng.normal(0.0, 0.2, 3000))
    y = rng.binomial(600, p) / 600
    res = ecological_noise(comp, y, n)
    # a linear fit of a logit-noised mean: rates within 0.02 of the truth
    np.testing.assert_allclose(res.rates, rates, atol=0.02)
    # sigma2 within 20 % of the true 0.04 (the linear fit's bias adds a little)
    assert res.sigma2 == pytest.approx(0.04, rel=0.2)
    # standardised residuals ~ N(0, 1): the 80 % quantile of |r| near the normal 1.2816
    assert res.q == pytest.approx(norm.ppf(0.9), abs=0.08)
    assert len(res.residuals) == len(res.fitted) == 3000


def test_ecological_noise_without_overdispersion_is_binomial() -> None:
    rng = np.random.default_rng(5)
    comp = _composition(2000, 5)
    n = rng.integers(200, 1500, 2000).astype(float)
    y = rng.binomial(n.astype(int), comp @ np.array([0.5, 0.2, 0.8])) / n
    res = ecological_noise(comp, y, n)
    assert res.sigma2 < 0.003
    # its scale of a new bureau is then the binomial one, 1 / sqrt(n p (1 - p))
    s = res.scale(np.array([0.5]), np.array([400.0]))
    assert s[0] == pytest.approx(np.sqrt(res.sigma2 + 1 / 100.0))


def test_survey_error_vanishes_when_every_bureau_has_the_same_mix() -> None:
    # identical compositions: any rate error moves every bureau alike, and the re-centring
    # on the area-wide level (the back-test's anchor) removes it exactly
    voix = np.tile([300.0, 200.0, 100.0], (5, 1))
    rates = np.array([[1.0, 0.0], [0.5, 0.2], [0.4, 0.3]])
    sd = survey_logit_sd(voix, rates, np.array([0.0, 150.0, 80.0]), np.ones(5), n_draws=200)
    np.testing.assert_allclose(sd, 0.0, atol=1e-6)


def test_survey_error_shrinks_like_one_over_root_sample_size() -> None:
    voix = np.array([[500.0, 100.0], [100.0, 500.0], [300.0, 300.0]])
    rates = np.array([[0.9, 0.05], [0.5, 0.3]])
    small = survey_logit_sd(voix, rates, np.array([0.0, 100.0]), np.ones(3), n_draws=3000, seed=1)
    large = survey_logit_sd(voix, rates, np.array([0.0, 400.0]), np.ones(3), n_draws=3000, seed=2)
    # four times the sample, half the sd (Monte Carlo error of 3,000 draws: ~3 %)
    np.testing.assert_allclose(small / large, 2.0, rtol=0.12)
    # loyal-only sources: no sampling error at all
    none = survey_logit_sd(voix, rates, np.array([0.0, 0.0]), np.ones(3), n_draws=50)
    np.testing.assert_allclose(none, 0.0, atol=1e-9)


def test_bad_shapes_are_model_errors() -> None:
    with pytest.raises(ModelError, match="expected voix"):
        survey_logit_sd(np.ones((3, 2)), np.ones((3, 2)), np.ones(2), np.ones(3))
    with pytest.raises(ModelError, match="rates must be"):
        survey_logit_sd(np.ones((3, 2)), np.array([[0.8, 0.5], [0.1, 0.1]]), np.ones(2), np.ones(3))
    with pytest.raises(ModelError, match="too few"):
        ecological_noise(np.ones((4, 2)), np.full(4, 0.5), np.ones(4))


def test_transfer_turnout_by_hand_and_unknown_candidate() -> None:
    votes = pd.DataFrame({"bureau_id": ["a", "a", "b"], "candidate": ["HAMON", "MACRON", "LE PEN"],
                          "voix": [50, 30, 40]})
    out = transfer_turnout(votes, pd.Series({"a": 200.0, "b": 100.0}))
    # a: 50 Hamon voters x (80 + 8) % + 30 Macron voters = 74 of 200; b: 40 of 100
    assert out["a"] == pytest.approx(0.37)
    assert out["b"] == pytest.approx(0.40)
    with pytest.raises(SchemaError, match="no transfer rates"):
        transfer_turnout(votes.assign(candidate="NOBODY"), pd.Series({"a": 1.0, "b": 1.0}))
    with pytest.raises(SchemaError, match="inscrits > 0"):
        transfer_turnout(votes, pd.Series({"a": 0.0, "b": 1.0}))
