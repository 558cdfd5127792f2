"""First-place and flip probabilities against closed forms."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from swingcast.errors import ModelError
from swingcast.model.events import (
    contender_matrix,
    first_place_probs,
    first_places,
    flip_probability,
)


def _logit(p):
    return np.log(p) - np.log1p(-p)


def test_two_contenders_match_the_normal_closed_form():
    # A leads B by d on the logit scale; independent N(0, s^2) noise on each:
    # P(A first) = Phi(d / (s sqrt 2)); a common error of sd c per contender adds c^2 twice.
    shares = np.array([[0.45, 0.40], [0.30, 0.35]])
    s, c = 0.2, 0.1
    p = first_place_probs(shares, np.full(2, s), common_sd=c, n_draws=40_000, seed=3)
    d = _logit(shares[:, 0]) - _logit(shares[:, 1])
    expected = norm.cdf(d / np.sqrt(2 * s**2 + 2 * c**2))
    np.testing.assert_allclose(p[:, 0], expected, atol=0.01)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)


def test_flip_is_one_minus_the_previous_bloc_coming_first():
    probs = np.array([[0.6, 0.3, 0.1], [0.1, 0.1, 0.8]])
    out = flip_probability(probs, ["rn", "centre", "rn"], ["rn", "centre"])
    np.testing.assert_allclose(out, [1 - 0.7, 1 - 0.1])


def test_contenders_follow_their_bloc_proportionally():
    levels = pd.Series({"T": 0.25, "A": 0.30, "A2": 0.10, "G": 0.05})
    blocs = pd.Series({"T": "far_right", "A": "centre", "A2": "centre", "G": "green"})
    prior = pd.DataFrame({"centre": [0.2, 0.6]})
    m = contender_matrix(np.array([0.2, 0.3]), levels, blocs, prior, "T", weights=np.array([1.0, 1.0]))
    # centre's previous level is 0.4: A = prior * 0.30 / 0.4, A2 = prior * 0.10 / 0.4; G absent before
    np.testing.assert_allclose(m, [[0.2, 0.15, 0.05, 0.05], [0.3, 0.45, 0.15, 0.05]])


def test_first_places_and_bad_input():
    assert first_places(pd.DataFrame({"A": [1, 4], "B": [2, 3]})).tolist() == ["B", "A"]
    with pytest.raises(ModelError, match="non-finite"):
        first_place_probs(np.array([[np.nan, 0.2]]), np.ones(1), common_sd=0.1)
