"""Tests of swingcast.target.plan (greedy allocation vs brute force) and swingcast.target.turfs."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from swingcast.errors import GeometryError, TargetingError
from swingcast.target.plan import allocate_hours, plan_summary
from swingcast.target.turfs import adjacency, build_turfs
from swingcast.target.value import expected_votes, rank_bureaux

PARAMS = {"doors_per_hour": 10.0, "voters_per_door": 1.0}


def _ranking(rows: dict[str, tuple[float, float, str]]) -> pd.DataFrame:
    """bureau_id -> (inscrits = doors, share, arrondissement)."""
    df = pd.DataFrame(
        {
            "inscrits": [v[0] for v in rows.values()],
            "turnout_pred": 0.8,
            "share_pred": [v[1] for v in rows.values()],
            "swing_prob": 0.5,
            "arrondissement_code": [v[2] for v in rows.values()],
        },
        index=pd.Index(list(rows), name="bureau_id"),
    )
    return rank_bureaux(df, PARAMS)


def _brute_force(ranking, blocks, caps=None):
    """Best total over every way of giving `blocks` one-hour blocks (or fewer) to the bureaux."""
    ids = list(ranking.index)
    # gain[i][k]: expected votes of bureau i with k hours, from the targeting model itself
    gain = [[float(expected_votes(ranking.loc[[b]], float(k), PARAMS).iloc[0])
             for k in range(blocks + 1)] for b in ids]
    group = ranking["arrondissement_code"].tolist()
    best = -np.inf
    for alloc in itertools.product(range(blocks + 1), repeat=len(ids)):
        if sum(alloc) > blocks:
            continue
        if caps and any(sum(a for a, g in zip(alloc, group, strict=True) if g == key) > cap
                        for key, cap in caps.items()):
            continue
        best = max(best, sum(gain[i][k] for i, k in enumerate(alloc)))
    return best


# doors 25, 40, 12 and 33: the returns saturate after 2.5, 4, 1.2 and 3.3 hours
TINY = {"a": (25, 0.3, "75101"), "b": (40, 0.6, "75101"), "c": (12, 0.1, "75102"),
        "d": (33, 0.45, "75102")}


@pytest.mark.parametrize("budget", [1, 3, 5, 8, 12])
def test_greedy_matches_brute_force(budget):
    r = _ranking(TINY)
    plan = allocate_hours(r, budget, params=PARAMS)
    assert plan["expected_votes"].sum() == pytest.approx(_brute_force(r, budget))


@pytest.mark.parametrize("caps", [{"75101": 2}, {"75102": 1, "75101": 3}, {"75101": 0}])
def test_greedy_with_caps_matches_brute_force(caps):
    r = _ranking(TINY)
    plan = allocate_hours(r, 6, caps=caps, params=PARAMS)
    assert plan["expected_votes"].sum() == pytest.approx(_brute_force(r, 6, caps))
    used = plan.groupby("arrondissement_code")["hours"].sum()
    for group, cap in caps.items():
        assert used.get(group, 0.0) <= cap


def test_budget_is_conserved_until_doors_run_out():
    r = _ranking(TINY)
    assert plan_summary(allocate_hours(r, 7, params=PARAMS))["hours"] == 7.0
    # 110 doors in all at 10 per hour: whatever the budget, 110 doors at most are knocked
    big = allocate_hours(r, 1000, params=PARAMS)
    assert big["doors_knocked"].sum() == pytest.approx(r["doors"].sum())
    assert big["hours"].sum() == 3 + 4 + 2 + 4  # whole hours needed per bureau (ceil)


def test_plan_refuses_bad_budgets_and_caps():
    r = _ranking(TINY)
    for budget in (0, -5, float("nan")):
        with pytest.raises(TargetingError, match="budget"):
            allocate_hours(r, budget)
    with pytest.raises(TargetingError, match="no bureau of the ranking"):
        allocate_hours(r, 5, caps={"75120": 3})
    with pytest.raises(TargetingError, match="expected hours >= 0"):
        allocate_hours(r, 5, caps={"75101": -1})


@pytest.mark.shared
def test_adjacency_on_real_paris_geometry(shared_dir):
    from swingcast.pipeline import area_bureaux

    shapes = area_bureaux("paris")
    assert len(shapes) == 896  # data/README: 896 polygons
    neighbours = adjacency(shapes)
    assert all(a in neighbours[b] for a in neighbours for b in neighbours[a])  # symmetric
    # measured: 75056_101 is 5.1 m from 75056_102 across a street gap (10 m tolerance)
    assert "75056_102" in neighbours["75056_101"]
    assert all(neighbours.values())  # no isolated bureau in Paris

    # turfs on these shapes: tests/test_turfs.py
    with pytest.raises(GeometryError, match="75056_9999"):
        build_turfs(pd.DataFrame({"hours": [1.0]}, index=pd.Index(["75056_9999"])), shapes)
