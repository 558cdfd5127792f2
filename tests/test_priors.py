"""Priors, baselines, best baseline and binomial floor against hand computations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from swingcast.model.priors import (
    PriorRound,
    baseline_predictions,
    best_baseline,
    binomial_floor,
    fill_missing,
    gap_closed,
    share_priors,
    turnout_priors,
)


def _round(label: str, kind: str, rows: list[tuple[str, int, int, int]], votes: list[tuple[str, str, int]]):
    st = pd.DataFrame(rows, columns=["bureau_id", "inscrits", "votants", "exprimes"])
    vt = pd.DataFrame(votes, columns=["bureau_id", "candidate", "voix"])
    return PriorRound(label, kind, st, vt)


@pytest.fixture
def rounds():
    eu = _round("2014-europeennes-1", "europeennes",
                [("a", 100, 40, 38), ("b", 200, 100, 95)],
                [("a", "LUC", 8), ("a", "LFN", 10), ("a", "LUMP", 20),
                 ("b", "LUC", 15), ("b", "LFN", 30), ("b", "LUMP", 50)])
    p1 = _round("2017-presidentielle-1", "presidentielle",
                [("a", 100, 80, 78), ("b", 200, 150, 148), ("c", 50, 40, 40)],
                [("a", "MACRON", 30), ("a", "LE PEN", 18), ("a", "FILLON", 30),
                 ("b", "MACRON", 48), ("b", "LE PEN", 50), ("b", "FILLON", 50),
                 ("c", "MACRON", 20), ("c", "LE PEN", 10), ("c", "FILLON", 10)])
    return [eu, p1]


def test_turnout_priors_are_votants_over_inscrits(rounds):
    pr = turnout_priors(rounds)
    assert pr.loc["a", "turnout:2014-europeennes-1"] == pytest.approx(40 / 100)
    assert pr.loc["b", "turnout:2017-presidentielle-1"] == pytest.approx(150 / 200)
    assert math.isnan(pr.loc["c", "turnout:2014-europeennes-1"])  # c unknown in 2014


def test_share_priors_of_a_round_two_target(rounds):
    macron = lambda v: v["candidate"].eq("MACRON")  # noqa: E731
    lepen = lambda v: v["candidate"].eq("LE PEN")  # noqa: E731
    pr = share_priors(rounds, macron, bloc="centre", opponent=lepen, opponent_bloc="far_right")
    # Macron absent in 2014: no share column of that round; the centre bloc (LUC) is there
    assert "share:2014-europeennes-1" not in pr
    assert pr.loc["a", "bloc:2014-europeennes-1"] == pytest.approx(8 / 38)
    assert pr.loc["b", "1-opponent_bloc:2014-europeennes-1"] == pytest.approx(1 - 30 / 95)
    assert pr.loc["b", "share:2017-presidentielle-1"] == pytest.approx(48 / 148)
    assert pr.loc["b", "finalists:2017-presidentielle-1"] == pytest.approx(48 / 98)
    assert pr.loc["a", "1-opponent:2017-presidentielle-1"] == pytest.approx(1 - 18 / 78)
    # Macron is the whole centre bloc in 2017: no duplicate "bloc" column
    assert "bloc:2017-presidentielle-1" not in pr


def test_fill_missing_uses_commune_then_area(rounds):
    pr = turnout_priors(rounds)
    idx = pd.Index(["a", "b", "c"])
    filled = fill_missing(pr, idx, pd.Series(["x", "x", "y"], index=idx),
                          pd.Series([100.0, 200.0, 50.0], index=idx))
    # c (commune y, alone) unknown in 2014: area mean over a, b weighted by inscrits
    assert filled.loc["c", "turnout:2014-europeennes-1"] == pytest.approx((40 + 100) / 300)
    assert not filled.isna().any().any()


def test_baselines_and_best_by_hand():
    pr = pd.DataFrame({"p": [0.2, 0.4, 0.6]})
    w = np.array([1.0, 1.0, 2.0])  # weighted mean 0.45
    obs = np.array([0.25, 0.45, 0.65])
    preds = baseline_predictions(pr, w, 0.5)
    np.testing.assert_allclose(preds["uniform_swing[p]"], [0.25, 0.45, 0.65])
    np.testing.assert_allclose(preds["proportional_swing[p]"], np.array([0.2, 0.4, 0.6]) * 0.5 / 0.45)
    name, mae = best_baseline(preds, obs)
    assert name == "uniform_swing[p]" and mae == pytest.approx(0.0)
    # without an anchor only carry-forward exists
    assert list(baseline_predictions(pr, w, None)) == ["carry_forward[p]"]


def test_floor_and_gap_closed_match_a_simulation():
    rng = np.random.default_rng(1)
    n = np.array([300.0, 800.0])
    p = np.array([0.3, 0.6])
    draws = rng.binomial(n.astype(int), p, size=(200_000, 2)) / n
    # the normal approximation of E|X/n - p| at these sizes is within 1 % of the exact value
    simulated = np.abs(draws - p).mean(axis=0).mean()
    assert binomial_floor(p, n) == pytest.approx(simulated, rel=0.02)
    assert gap_closed(4.0, 3.0, 2.0) == pytest.approx(0.5)
    assert gap_closed(4.0, 4.5, 2.0) == pytest.approx(-0.25)


@pytest.mark.usefixtures("shared_dir")
def test_paris_round_two_one_minus_le_pen_matches_the_review():
    """The outside review of issue 13: a uniform swing on one minus Le Pen's round-1 share,
    anchored on the actual Paris result, scores 1.668 pp on the round-2 Macron share."""
    from swingcast.model.casedata import PRES17_1, PRES17_2, load_round
    from swingcast.model.cases import outcomes

    st1, vt1 = load_round(PRES17_1, departements=["75"])
    st2, vt2 = load_round(PRES17_2, departements=["75"])
    up = vt2["candidate"].astype(str).str.upper()
    out = outcomes(st2, vt2[up.eq("MACRON").to_numpy()].groupby("bureau_id")["voix"].sum())
    r1 = PriorRound("2017-presidentielle-1", "presidentielle", st1, vt1)
    pr = share_priors([r1], lambda v: v["candidate"].astype(str).str.upper().eq("MACRON"),
                      opponent=lambda v: v["candidate"].astype(str).str.upper().eq("LE PEN"))
    w = out["inscrits"].to_numpy(float)
    com = pd.Series(out.index.str[:5], index=out.index)
    filled = fill_missing(pr, out.index, com, out["inscrits"])
    level = float(np.average(out["share"], weights=w))
    preds = baseline_predictions(filled, w, level)
    mae = np.mean(np.abs(preds["uniform_swing[1-opponent:2017-presidentielle-1]"] - out["share"].to_numpy()))
    assert mae * 100 == pytest.approx(1.668, abs=0.002)
