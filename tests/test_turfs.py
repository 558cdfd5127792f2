"""Tests of swingcast.target.turfs (turfs are team-shifts) and whole doors in plans.

Geometries are hand-drawn 100 m squares in Lambert-93, so adjacency is known by eye; the real
Finistère REU addresses check the walking order against a hand count of the raw file.
"""

from __future__ import annotations

import csv
from collections import deque

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from swingcast.errors import GeometryError, TargetingError
from swingcast.target.plan import allocate_hours, whole_numbers
from swingcast.target.turfs import (
    adjacency,
    build_turfs,
    shift_capacity,
    turf_stops,
    turf_table,
)
from swingcast.target.value import rank_bureaux


def _squares(layout: dict[str, tuple[int, int]]) -> gpd.GeoDataFrame:
    """bureau -> (column, row) of a 100 m square on a grid (touching squares are neighbours)."""
    geoms = [box(100 * c, 100 * r, 100 * c + 100, 100 * r + 100) for c, r in layout.values()]
    return gpd.GeoDataFrame(geometry=geoms, index=pd.Index(list(layout), name="bureau_id"),
                            crs="EPSG:2154")


# a row a-b-c-d of touching squares, and e far away (isolated)
GRID = _squares({"a": (0, 0), "b": (1, 0), "c": (2, 0), "d": (3, 0), "e": (9, 9)})


def _plan(hours: dict[str, float], votes_per_hour: dict[str, float] | None = None,
          rate: float = 15.0) -> pd.DataFrame:
    h = pd.Series(hours, dtype="float64")
    vph = pd.Series(votes_per_hour or {b: 1.0 for b in hours})
    plan = pd.DataFrame({"hours": h, "doors_knocked": whole_numbers(rate * h),
                         "expected_votes": h * vph[h.index]})
    plan.index.name = "bureau_id"
    return plan


def _connected(ids, neighbours) -> bool:
    ids = set(ids)
    start = next(iter(ids))
    seen, queue = {start}, deque([start])
    while queue:
        for n in neighbours[queue.popleft()] & ids:
            if n not in seen:
                seen.add(n)
                queue.append(n)
    return seen == ids


def test_a_bureau_with_three_shifts_gets_three_turfs():
    turfs = build_turfs(_plan({"a": 18.0}), GRID)  # 3 h x 2 volunteers = 6 h a shift
    assert turfs["turf"].tolist() == [1, 2, 3]
    assert turfs["hours"].tolist() == [6.0, 6.0, 6.0]
    assert turfs["doors_knocked"].tolist() == [90, 90, 90]  # 18 h x 15 doors = 270
    # the shift is configurable: 4 h x 3 volunteers = 12 h, so 18 h = one shift and a half
    wide = build_turfs(_plan({"a": 18.0}), GRID, shift_hours=4, team_size=3)
    assert wide["hours"].tolist() == [12.0, 6.0]


@pytest.mark.parametrize("shift_hours,team_size", [(3, 2), (2, 1), (2.5, 3), (4, 2)])
def test_hours_doors_and_votes_are_conserved_and_turfs_fit_a_shift(shift_hours, team_size):
    rng = np.random.default_rng(int(10 * shift_hours + team_size))
    hours = {b: float(h) for b, h in zip("abcde", rng.integers(1, 30, size=5), strict=True)}
    plan = _plan(hours, {b: float(v) for b, v in zip("abcde", rng.random(5), strict=True)},
                 rate=13.7)
    turfs = build_turfs(plan, GRID, shift_hours=shift_hours, team_size=team_size)
    capacity = shift_hours * team_size
    by_bureau = turfs.groupby("bureau_id")[["hours", "doors_knocked", "expected_votes"]].sum()
    np.testing.assert_allclose(by_bureau["hours"], plan.loc[by_bureau.index, "hours"])
    assert (by_bureau["doors_knocked"] == plan.loc[by_bureau.index, "doors_knocked"]).all()
    np.testing.assert_allclose(by_bureau["expected_votes"],
                               plan.loc[by_bureau.index, "expected_votes"])
    assert turfs["doors_knocked"].dtype.kind == "i"
    table = turf_table(turfs)
    assert (table["hours"] <= capacity + 1e-9).all()
    assert table["hours"].sum() == pytest.approx(sum(hours.values()))
    assert table["doors_knocked"].sum() == plan["doors_knocked"].sum()
    assert list(table.index) == list(range(1, len(table) + 1))
    assert table["expected_votes"].is_monotonic_decreasing  # turf 1 is the most valuable
    # as many turfs as the shifts each bureau fills, plus the shared remainders
    full = sum(int(h // capacity) for h in hours.values())
    assert len(table) >= full + (1 if any(h % capacity for h in hours.values()) else 0)


def test_small_neighbours_share_a_turf_and_far_ones_do_not():
    # 2 + 3 h in neighbours a and b fit one 6 h shift; c (2 h) does not fit with them any more;
    # e (1 h) is alone, far away
    turfs = build_turfs(_plan({"a": 2.0, "b": 3.0, "c": 2.0, "e": 1.0},
                              {"a": 3.0, "b": 2.0, "c": 1.0, "e": 0.5}), GRID)
    members = turfs.groupby("turf")["bureau_id"].apply(sorted).to_dict()
    assert members == {1: ["a", "b"], 2: ["c"], 3: ["e"]}
    neighbours = adjacency(GRID)
    for ids in members.values():
        assert _connected(ids, neighbours)


def test_leftovers_of_big_bureaux_join_their_neighbours():
    # a: 13 h = two shifts + 1 h; b: 4 h; c: 5 h -> a's hour joins b (5 h), c stays alone
    turfs = build_turfs(_plan({"a": 13.0, "b": 4.0, "c": 5.0}, {"a": 3.0, "b": 2.0, "c": 1.0}),
                        GRID)
    table = turf_table(turfs)
    assert table["bureaux"].tolist() == ["a", "a", "a;b", "c"]
    assert table["hours"].tolist() == [6.0, 6.0, 5.0, 5.0]


def test_refusals():
    with pytest.raises(TargetingError, match="team_size = 0"):
        build_turfs(_plan({"a": 6.0}), GRID, team_size=0)
    with pytest.raises(TargetingError, match="shift_hours = -1"):
        build_turfs(_plan({"a": 6.0}), GRID, shift_hours=-1)
    with pytest.raises(GeometryError, match="zz"):
        build_turfs(_plan({"zz": 6.0}), GRID)
    half = _plan({"a": 6.0}).assign(doors_knocked=89.5)
    with pytest.raises(TargetingError, match="whole doors"):
        build_turfs(half, GRID)


def test_whole_numbers_conserve_the_total():
    rng = np.random.default_rng(3)
    for _ in range(200):
        x = rng.random(rng.integers(1, 40)) * rng.choice([1, 10, 1000])
        w = whole_numbers(x)
        assert w.sum() == round(x.sum())
        assert (np.abs(w - x) < 1).all()  # each amount rounded down or up
    assert whole_numbers([0.5, 0.5, 0.5, 0.5], total=2).tolist() == [1, 1, 0, 0]
    with pytest.raises(TargetingError, match="cannot be reached"):
        whole_numbers([1.2, 1.2], total=5)


def test_plans_knock_whole_doors_and_votes_follow_them():
    # 120 / 1.4 = 85.71 doors and 1000 / 1.4 = 714.29: fractional doors everywhere
    pred = pd.DataFrame({"inscrits": [120, 1000, 333], "turnout_pred": 0.6,
                         "share_pred": [0.3, 0.4, 0.45], "swing_prob": 0.5},
                        index=pd.Index(["a", "b", "c"], name="bureau_id"))
    r = rank_bureaux(pred)
    plan = allocate_hours(r, 40)
    assert plan["doors_knocked"].dtype.kind == "i"
    fractional = np.minimum(15 * plan["hours"], r.loc[plan.index, "doors"])
    assert plan["doors_knocked"].sum() == round(fractional.sum())
    assert (np.abs(plan["doors_knocked"] - fractional) < 1).all()
    expected = plan["doors_knocked"] * r.loc[plan.index, "votes_per_door"]
    np.testing.assert_allclose(plan["expected_votes"], expected)  # national race: weight 1


def test_stops_walk_each_address_once_in_runs():
    # bureau a: 8 points on a line (n_addresses 1), fully planned in 2 turfs
    pts = [Point(10 * x + 5, 50) for x in (7, 0, 3, 5, 1, 6, 2, 4)]
    addresses = gpd.GeoDataFrame({"bureau_id": ["a"] * 8, "n_addresses": 1}, geometry=pts,
                                 crs="EPSG:2154")
    plan = _plan({"a": 12.0}).assign(doors=180.0)
    turfs = build_turfs(plan, GRID)
    stops = turf_stops(turfs, addresses)
    assert len(stops) == 8 and stops.geometry.x.is_unique  # every address walked once
    for _, run in stops.groupby("turf"):
        xs = sorted(run.geometry.x)
        assert xs == [xs[0] + 10 * k for k in range(len(xs))]  # a compact run along the line
    assert turf_table(turfs, stops)["n_addresses"].tolist() == [4, 4]
    # half the doors planned: half the addresses walked
    half = turf_stops(build_turfs(_plan({"a": 6.0}).assign(doors=180.0), GRID), addresses)
    assert len(half) == 4


def _hand_count(path) -> dict[str, int]:
    counts: dict[str, int] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            counts[row["id_brut_bv_reu"]] = counts.get(row["id_brut_bv_reu"], 0) + int(
                row["nb_adresses"])
    return counts


@pytest.mark.shared
def test_turfs_on_real_finistere_addresses(shared_dir):
    from swingcast.join.voronoi import bureau_areas_from_addresses
    from swingcast.load.addresses import read_addresses

    path = shared_dir / "finistere/reu/addresses_sample.DERIVED.csv"
    addresses = read_addresses(path)
    areas = bureau_areas_from_addresses(addresses, weight_column="n_addresses")
    areas = areas.set_index("bureau_id")
    counts = _hand_count(path)
    # a plan that knocks every address of three bureaux (one door per address) and part of one
    ids = ["29039_1", "29039_2", "29046_3", "29046_4"]
    doors = {b: float(counts[b]) for b in ids}
    hours = {b: float(np.ceil(d / 15)) for b, d in doors.items()}
    hours["29046_4"] = 6.0  # 90 of its doors
    plan = pd.DataFrame({"hours": hours,
                         "doors_knocked": {b: int(min(15 * hours[b], doors[b])) for b in ids},
                         "expected_votes": 1.0, "doors": doors})
    plan.index.name = "bureau_id"
    turfs = build_turfs(plan, areas)
    stops = turf_stops(turfs, addresses)
    walked = stops.groupby("bureau_id")["n_addresses"].sum()
    for b in ids[:3]:
        assert walked[b] == counts[b]  # every address of a fully planned bureau, once
    assert walked["29046_4"] == pytest.approx(90, abs=10)  # 90 doors: a run of ~90 addresses
    table = turf_table(turfs, stops)
    assert (table["hours"] <= 6 + 1e-9).all()
    # runs are compact: a turf of a bureau cut into k >= 3 turfs spans less than half of the
    # area its bureau's addresses span (on average over these turfs)
    hull = {b: g.geometry.union_all().convex_hull.area
            for b, g in addresses[addresses["bureau_id"].isin(ids)].groupby("bureau_id")}
    ratios = []
    for turf, run in stops.groupby("turf"):
        bureau = run["bureau_id"].iloc[0]
        if table.loc[turf, "n_bureaux"] == 1 and (turfs["bureau_id"] == bureau).sum() >= 3:
            ratios.append(run.geometry.union_all().convex_hull.area / hull[bureau])
    assert len(ratios) >= 6 and np.mean(ratios) < 0.5, ratios


@pytest.mark.shared
def test_turfs_on_real_paris_geometry(shared_dir):
    from swingcast.pipeline import area_bureaux

    shapes = area_bureaux("paris")
    neighbours = adjacency(shapes)
    rng = np.random.default_rng(0)
    ids = rng.choice(shapes.index, size=300, replace=False)
    plan = _plan({b: float(h) for b, h in zip(ids, rng.integers(1, 15, size=300), strict=True)},
                 {b: float(v) for b, v in zip(ids, rng.random(300), strict=True)})
    turfs = build_turfs(plan, shapes)
    assert turfs["hours"].sum() == plan["hours"].sum()  # nothing lost, nothing counted twice
    assert turfs["doors_knocked"].sum() == plan["doors_knocked"].sum()
    for _, members in turfs.groupby("turf"):
        assert _connected(set(members["bureau_id"]), neighbours)
        assert members["hours"].sum() <= 6
    shared = turfs.groupby("turf")["bureau_id"].nunique()
    assert (shared > 1).any()  # some small neighbours were merged
    assert shift_capacity() == 6.0
