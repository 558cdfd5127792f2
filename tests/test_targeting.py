"""Tests of swingcast.target.value: the value-per-hour model and the ranking."""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest

from swingcast.errors import SchemaError, TargetingError
from swingcast.target.value import (
    TargetingParams,
    expected_votes,
    other_side,
    race_for_election,
    rank_bureaux,
)


def _pred(rows: dict[str, tuple[float, float, float, float]]) -> pd.DataFrame:
    """bureau_id -> (inscrits, turnout, share, swing_prob)."""
    df = pd.DataFrame.from_dict(
        rows, orient="index", columns=["inscrits", "turnout_pred", "share_pred", "swing_prob"]
    )
    df.index.name = "bureau_id"
    return df


def test_composition_adds_up_to_inscrits():
    pred = _pred({"a": (1000, 0.7, 0.6, 0.1), "b": (503, 0.45, 0.2, 0.3), "c": (0, 0.5, 0.5, 0.5)})
    r = rank_bureaux(pred)
    total = r["abstainers"] + r["supporters"] + r["persuadables"]
    np.testing.assert_allclose(total.sort_index(), pred["inscrits"].sort_index())
    # hand count for "a": 1000 * 0.7 * 0.4 opponents' voters, 300 abstainers
    assert r.loc["a", "persuadables"] == pytest.approx(280.0)
    assert r.loc["a", "abstainers"] == pytest.approx(300.0)
    assert r.loc["c", "value_per_hour"] == 0.0


def test_value_per_hour_by_hand():
    p = TargetingParams(doors_per_hour=10, contact_rate=0.4, persuasion_rate=0.05,
                        mobilisation_rate=0.1, voters_per_door=2.0)
    r = rank_bureaux(_pred({"a": (800, 0.75, 0.6, 0.2)}), p)
    # per door: 2 voters * 0.4 * (0.05 * 2 * 0.75 * 0.4 + 0.1 * (2 * 0.6 - 1) * 0.25) = 0.028
    assert r.loc["a", "votes_per_door"] == pytest.approx(0.028)
    assert r.loc["a", "value_per_hour"] == pytest.approx(0.28)
    assert r.loc["a", "doors"] == pytest.approx(400.0)


# Pons (2018), AER 108(6), figures typed from the paper (see docs/targeting.md):
# Table 5, panel A, column 6 (ITT on Hollande's 2nd-round share, all controls) and its
# control-group mean; Section 3.4 (second-round multiplier m2); Section 2.3 (doors opened);
# footnote 9 (registered citizens per door); Section 5.2 (the paper's persuasion rates).
ITT_R2, CONTROL_SHARE_R2, M2, OPENED, PER_DOOR = 0.0046, 0.5597, 6.0, 0.48, 1.4


def test_defaults_are_the_papers_figures():
    p = TargetingParams()
    assert (p.contact_rate, p.voters_per_door, p.mobilisation_rate) == (OPENED, PER_DOOR, 0.0)
    assert p.doors_per_hour == 15.0  # the assumption, unchanged
    # 0.0046 * 6.0 = 0.0276 in covered precincts; / 0.48 = 0.0575 of the voters behind an
    # opened door; / (1 - 0.5597) = 0.1306 of the opponents' voters there
    assert p.persuasion_rate == pytest.approx(0.0276 / 0.48 / 0.4403, rel=1e-12)
    assert p.persuasion_rate == pytest.approx(0.130, abs=0.001)  # paper, Section 5.2: 13.0 %


def test_covered_precinct_gives_back_the_papers_effect():
    # A bureau like the experiment's control group (2nd-round turnout 0.8122, Table 4 col. 6;
    # Hollande 0.5597, Table 5 col. 6) with every door knocked once: Pons's effect in a covered
    # precinct is ITT x m2 = 0.0276 of the voters, i.e. a net margin of 2 x 0.0276 x voters.
    inscrits, turnout = 14_000, 0.8122
    r = rank_bureaux(_pred({"p": (inscrits, turnout, CONTROL_SHARE_R2, 0.5)}))
    assert r.loc["p", "doors"] == pytest.approx(10_000)  # 14,000 / 1.4
    every_door = float(expected_votes(r, 10_000 / 15).iloc[0])
    assert every_door == pytest.approx(2 * ITT_R2 * M2 * inscrits * turnout, rel=1e-9)


def test_five_million_doors_give_about_a_quarter_of_the_2012_margin():
    # Official 2012 second round (Conseil constitutionnel) and Pons's five million doors. The
    # paper's own extrapolation (Section 5.1) gives one fourth of the margin; the defaults,
    # applied to France as one bureau, give it within 15 % (France's opponents' share, 48.4 %,
    # is higher than the experiment's control group's, 44.0 %).
    inscrits, hollande, sarkozy = 46_066_307, 18_000_668, 16_860_685
    exprimes = hollande + sarkozy
    r = rank_bureaux(_pred({"fr": (inscrits, exprimes / inscrits, hollande / exprimes, 0.5)}))
    gained = 5_000_000 * r.loc["fr", "votes_per_door"]
    assert gained == pytest.approx((hollande - sarkozy) / 4, rel=0.15)


def test_ranking_order_and_local_weighting():
    pred = _pred({"lost": (1000, 0.8, 0.4, 0.0), "close": (1000, 0.8, 0.8, 0.45),
                  "won": (1000, 0.8, 0.6, 1.0)})
    national = rank_bureaux(pred, {"race": "national"})
    local = rank_bureaux(pred, {"race": "local"})
    assert national.index.tolist() == ["lost", "won", "close"]  # most opponents first
    assert local.index[0] == "close"  # certain outcomes weigh nothing in a local race
    assert local.loc[["lost", "won"], "value_per_hour"].tolist() == [0.0, 0.0]
    assert local.loc["close", "value_per_hour"] == pytest.approx(
        national.loc["close", "value_per_hour"] * 4 * 0.45 * 0.55
    )
    assert national["rank"].tolist() == [1, 2, 3]


def test_mobilisation_in_hostile_bureau_loses_votes():
    p = {"persuasion_rate": 0.0, "mobilisation_rate": 0.1}
    r = rank_bureaux(_pred({"hostile": (1000, 0.5, 0.3, 0.5), "friendly": (1000, 0.5, 0.7, 0.5)}), p)
    assert r.loc["hostile", "value_per_hour"] < 0 < r.loc["friendly", "value_per_hour"]
    assert r.loc["hostile", "value_per_hour"] == pytest.approx(-r.loc["friendly", "value_per_hour"])


def test_expected_votes_saturates_when_doors_run_out():
    r = rank_bureaux(_pred({"a": (150, 0.5, 0.5, 0.5)}), {"voters_per_door": 1.5})  # 100 doors
    v = [float(expected_votes(r, h).iloc[0]) for h in (1, 2, 100 / 15, 10, 50)]
    per_door = r.loc["a", "votes_per_door"]
    assert v[0] == pytest.approx(15 * per_door)
    assert v[1] == pytest.approx(30 * per_door)
    assert v[2] == pytest.approx(v[3]) == pytest.approx(v[4]) == pytest.approx(100 * per_door)
    with pytest.raises(TargetingError, match="hours >= 0"):
        expected_votes(r, -1.0)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.drop(columns="share_pred"), "missing column"),
        (lambda d: d.assign(turnout_pred=[1.2, 0.5]), "column 'turnout_pred', id a:"),
        (lambda d: d.assign(inscrits=[-1, 10]), "count >= 0"),
        (lambda d: d.assign(swing_prob=[np.nan, 0.1]), "expected a number"),
        (lambda d: d.assign(flip_prob=[0.2, 1.3]), "column 'flip_prob'.*expected a proportion"),
        (lambda d: d.set_axis(["a", "a"]).rename_axis("bureau_id"), "duplicated"),
    ],
)
def test_bad_predictions_are_refused_with_ids(change, message):
    pred = _pred({"a": (100, 0.5, 0.5, 0.5), "b": (100, 0.5, 0.5, 0.5)})
    with pytest.raises(SchemaError, match=message):
        rank_bureaux(change(pred))


def test_bad_parameters():
    with pytest.raises(TargetingError, match="unknown targeting parameter"):
        rank_bureaux(_pred({"a": (1, 0.5, 0.5, 0.5)}), {"doors_per_minute": 3})
    with pytest.raises(TargetingError, match="expected a positive number"):
        TargetingParams(doors_per_hour=0)
    with pytest.raises(TargetingError, match="race"):
        TargetingParams(race="regional")
    with pytest.raises(TargetingError, match="unknown election kind"):
        race_for_election("primaire")


@pytest.mark.shared
def test_rank_real_paris_results(shared_dir):
    """Rank the 896 Paris bureaux on the *observed* 2017 round-2 results (not a forecast)."""
    path = shared_dir / "france/results/2017-presidentielle-2_par_bureau_large.csv"
    rows = {}
    inscrits_total = 0
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["departement"] == "75":
                ins, vot, exp = int(row["inscrits"]), int(row["votants"]), int(row["exprimes"])
                rows["75056_" + row["bureau"].lstrip("0")] = (
                    ins, vot / ins, int(row["MACRON"]) / exp, 0.0)
                inscrits_total += ins
    r = rank_bureaux(_pred(rows))
    assert len(r) == 896
    assert r["inscrits"].sum() == inscrits_total == 1_301_537  # hand count, data/README
    assert sorted(r["rank"]) == list(range(1, 897))
    assert r["value_per_hour"].is_monotonic_decreasing
    # the most valuable bureau has the largest number of Le Pen voters per door
    opponents_per_door = r["persuadables"] / r["doors"]
    assert opponents_per_door.idxmax() == r.index[0]


def test_other_side_of_a_duel_mirrors_shares():
    pred = _pred({"a": (1000, 0.7, 0.62, 0.8), "b": (900, 0.6, 0.35, 0.1)})
    pred["share_lo"], pred["share_hi"] = pred["share_pred"] - 0.05, pred["share_pred"] + 0.03
    pred["flip_prob"], pred["above_area_prob"] = [0.3, 0.9], [0.7, 0.2]
    flipped = other_side(pred)
    np.testing.assert_allclose(flipped["share_pred"] + pred["share_pred"], 1.0)  # a duel
    # in a duel the opponent wins the bureau exactly when the candidate does not
    np.testing.assert_allclose(flipped["swing_prob"] + pred["swing_prob"], 1.0)
    np.testing.assert_allclose(flipped["above_area_prob"] + pred["above_area_prob"], 1.0)
    # whether the bureau changes hands does not depend on whose side one canvasses for
    np.testing.assert_allclose(flipped["flip_prob"], pred["flip_prob"])
    assert (flipped["share_lo"] <= flipped["share_pred"]).all()
    assert (flipped["share_pred"] <= flipped["share_hi"]).all()
    # one side's persuadables are the other side's supporters
    mine, theirs = rank_bureaux(pred), rank_bureaux(flipped)
    np.testing.assert_allclose(theirs.loc[["a", "b"], "persuadables"],
                               mine.loc[["a", "b"], "supporters"])
