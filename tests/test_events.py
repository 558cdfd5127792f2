"""First-place and flip probabilities against closed forms, in a back-test and in a forecast."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from swingcast.errors import ModelError
from swingcast.model.events import (
    comparable_round,
    contender_matrix,
    first_place_probs,
    first_places,
    flip_probability,
    forecast_first_place,
)
from swingcast.model.priors import PriorRound


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


# --- a round not yet held: swingcast.forecast and forecast_first_place ----------------------

def _presidential_history(folder, n=48, seed=0, lead=0.8):
    """Three presidential round-1 files (wide format) where LE PEN gets ~``lead`` everywhere."""
    rng = np.random.default_rng(seed)
    paths = []
    base = rng.normal(0, 0.3, n)
    for year in (2012, 2017, 2022):
        ins = rng.integers(400, 1200, n)
        vot = rng.binomial(ins, 0.75)
        exp = vot - rng.binomial(vot, 0.02)
        p_lp = 1 / (1 + np.exp(-(_logit(lead) + base + rng.normal(0, 0.1, n))))
        lp = rng.binomial(exp, p_lp)
        mel = rng.binomial(exp - lp, 0.6)
        mac = exp - lp - mel
        df = pd.DataFrame({"departement": "99", "commune": [f"{1 + i // 12:03d}" for i in range(n)],
                           "bureau": [f"{1 + i % 12:04d}" for i in range(n)], "circonscription": 1,
                           "commune_libelle": "X", "inscrits": ins, "votants": vot, "blancs": vot - exp,
                           "exprimes": exp, "LE PEN": lp, "MACRON": mac, "MÉLENCHON": mel})
        path = folder / f"p{year}.csv"
        df.to_csv(path, index=False)
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def landslide(tmp_path_factory):
    import swingcast

    paths = _presidential_history(tmp_path_factory.mktemp("landslide"))
    return swingcast.load_history(paths, labels=[f"{y}-presidentielle-1" for y in (2012, 2017, 2022)])


def test_forecast_of_a_landslide_is_certain(landslide):
    import swingcast

    lead = swingcast.forecast(landslide, "2027-presidentielle", share="Le Pen", n_draws=500).predictions
    trail = swingcast.forecast(landslide, "2027-presidentielle", share="Mélenchon", n_draws=500).predictions
    # Le Pen leads ~80 % to ~12 % and ~8 % in every bureau, before and in the forecast
    assert lead["share_pred"].min() > 0.6 and trail["share_pred"].max() < 0.3
    assert lead["swing_prob"].min() > 0.99 and trail["swing_prob"].max() < 0.01
    assert lead["flip_prob"].max() < 0.01 and trail["flip_prob"].max() < 0.01
    # the former event (share above the area-wide anchor) is a coin toss in the average bureau
    assert 0.3 < lead["above_area_prob"].mean() < 0.7


def _round(label, voix):
    """A PriorRound from ``{bureau: {candidate: voix}}``."""
    rows = [{"bureau_id": b, "candidate": c, "voix": v} for b, d in voix.items() for c, v in d.items()]
    return PriorRound(label, label.split("-")[1], pd.DataFrame(), pd.DataFrame(rows))


def test_forecast_first_place_against_the_closed_form():
    # comparable round: LE PEN 40/60 in a, 55/45 in b (one rival, MACRON, bloc centre)
    comp = _round("2017-presidentielle-1", {"a": {"LE PEN": 40, "MACRON": 60}, "b": {"LE PEN": 55, "MACRON": 45}})
    idx = pd.Index(["a", "b"])
    w = np.array([1.0, 1.0])
    level, pred = 0.5, np.array([0.45, 0.55])
    s, c = 0.15, 0.05
    ev, info = forecast_first_place(pred, idx, pd.Series("1", index=idx), w, comp,
                                    lambda v: v["candidate"].eq("LE PEN"), "far_right", level,
                                    scale=np.full(2, s), residuals=None, common_sd=c, n_draws=40_000, seed=1)
    # by hand: MACRON's level there 0.525, the target's 0.475; what the target's 0.5 leaves:
    level_macron = 0.525 * (1 - 0.5) / (1 - 0.475)
    macron = np.array([0.60, 0.45]) * level_macron / 0.525  # its bloc's spread, at its new level
    assert info["levels"]["MACRON"] == pytest.approx(level_macron)
    d = _logit(pred) - _logit(macron)
    expected = norm.cdf(d / np.sqrt(2 * s**2 + 2 * c**2))
    np.testing.assert_allclose(ev["swing_prob"], expected, atol=0.01)
    # first place before: MACRON (centre) in a, LE PEN (far right) in b
    np.testing.assert_allclose(ev["flip_prob"], [expected[0], 1 - expected[1]], atol=0.01)


def test_flip_compares_with_the_previous_round_and_fills_unknown_bureaux():
    # contenders from round 1; first place before from round 2 (MACRON won a, b; c is new)
    r1 = _round("2017-presidentielle-1", {"a": {"LE PEN": 30, "MACRON": 25, "FILLON": 45},
                                          "b": {"LE PEN": 50, "MACRON": 30, "FILLON": 20}})
    r2 = _round("2017-presidentielle-2", {"a": {"LE PEN": 30, "MACRON": 70}, "b": {"LE PEN": 45, "MACRON": 55}})
    idx = pd.Index(["a", "b", "c"])
    ev, info = forecast_first_place(np.array([0.9, 0.9, 0.9]), idx, pd.Series("1", index=idx), np.ones(3), r1,
                                    lambda v: v["candidate"].eq("LE PEN"), "far_right", 0.9,
                                    scale=np.full(3, 0.05), residuals=None, common_sd=0.0, previous=r2,
                                    n_draws=200)
    assert info["contenders"] == ["TARGET", "FILLON", "MACRON"] and info["flip_round"] == "2017-presidentielle-2"
    # the target far ahead everywhere: first everywhere, so first place leaves MACRON's centre
    assert ev["swing_prob"].tolist() == [1.0, 1.0, 1.0]
    assert ev["flip_prob"].tolist() == [1.0, 1.0, 1.0]
    assert info["bureaux_unknown_to_flip_round"] == 1


def test_comparable_round_prefers_the_same_round_number():
    rounds = ["2017-presidentielle-1", "2017-presidentielle-2", "2019-europeennes-1"]
    assert comparable_round(rounds, "presidentielle", round=1) == "2017-presidentielle-1"
    assert comparable_round(rounds, "presidentielle") == "2017-presidentielle-2"
    assert comparable_round(rounds, "legislatives", round=1) == "2019-europeennes-1"
    with pytest.raises(ModelError, match="no earlier round"):
        comparable_round([], "europeennes")
