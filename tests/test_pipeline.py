"""End-to-end: the Paris demo on the real data, and the CLI commands over its outputs."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re

import numpy as np
import pandas as pd
import pytest

from swingcast.cli import main
from swingcast.errors import TargetingError
from swingcast.pipeline import forecast_hds13, run_demo

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def demo(shared_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    result = run_demo(out, area="paris", hours=2000)
    return out, result


def _paris_inscrits(shared_dir):
    total = 0
    with open(shared_dir / "france/results/2017-presidentielle-2_par_bureau_large.csv",
              encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["departement"] == "75":
                total += int(row["inscrits"])
    return total


def test_demo_writes_every_output(demo):
    out, result = demo
    for name in ("ranking.csv", "plan.csv", "turfs.csv", "walksheets/index.html", "map.png",
                 "map.html", "report.html", "backtest.json", "targeting.gpkg"):
        assert (out / name).stat().st_size > 0, name
    assert (out / "map.png").read_bytes()[:4] == b"\x89PNG"
    assert "data:image/png;base64," in (out / "report.html").read_text()
    assert set(result.seconds) >= {"rank", "plan", "maps", "report"}  # stages timed (speed: benchmarks/)


def test_ranking_covers_paris(demo, shared_dir):
    out, _ = demo
    r = pd.read_csv(out / "ranking.csv", dtype={"bureau_id": str})
    assert {"bureau_id", "turnout_pred", "share_pred", "swing_prob", "value_per_hour",
            "rank"} <= set(r.columns)
    assert len(r) == 896 and r["bureau_id"].is_unique
    assert r["inscrits"].sum() == _paris_inscrits(shared_dir)  # hand count from the raw file
    assert sorted(r["rank"]) == list(range(1, 897))
    assert r.loc[r["rank"] == 1, "value_per_hour"].item() == r["value_per_hour"].max()
    total = r["abstainers"] + r["supporters"] + r["persuadables"]
    np.testing.assert_allclose(total, r["inscrits"])  # conservation, bureau by bureau


def test_ranking_swing_prob_is_macron_winning_the_bureau(demo, shared_dir):
    out, _ = demo
    r = pd.read_csv(out / "ranking.csv", dtype={"bureau_id": str}).set_index("bureau_id")
    events = json.loads((out / "backtest.json").read_text())["events"]  # the protocol's (model v3)
    won, first1 = {}, {}
    for name, into in (("2017-presidentielle-2", won), ("2017-presidentielle-1", first1)):
        with gzip.open(shared_dir / f"france/results/{name}_par_bureau_large.csv.gz", "rt",
                       encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row["departement"] != "75":
                    continue
                key = "75056_" + row["bureau"].lstrip("0")
                if name.endswith("2"):
                    into[key] = int(row["MACRON"]) > int(row["LE PEN"])
                else:
                    # ties go to the first name in alphabetical order (one Paris bureau: a tie)
                    votes = {c: int(row[c]) for c in ("FILLON", "HAMON", "LE PEN", "MACRON", "MÉLENCHON")}
                    into[key] = max(votes, key=votes.get)
    won_s = pd.Series(won).reindex(r.index)
    flipped = pd.Series(first1).reindex(r.index) != "MACRON"  # the duel's winners: centre or far right
    assert "flip_prob" in r.columns
    # ranking.csv carries the back-test's first-place probabilities (Brier recomputed by hand)
    assert ((r["swing_prob"] - won_s) ** 2).mean() == pytest.approx(events["brier"]["swing_prob"]["model"], abs=1e-9)
    assert ((r["flip_prob"] - flipped) ** 2).mean() == pytest.approx(events["brier"]["flip_prob"]["model"], abs=1e-9)
    assert int(won_s.sum()) == events["n_target_first"] and int(flipped.sum()) == events["n_flips"]


def test_plan_uses_the_budget_and_matches_the_ranking(demo):
    out, _ = demo
    r = pd.read_csv(out / "ranking.csv", dtype={"bureau_id": str}).set_index("bureau_id")
    plan = pd.read_csv(out / "plan.csv", dtype={"bureau_id": str}).set_index("bureau_id")
    assert plan["hours"].sum() == 2000
    knocked = np.minimum(15 * plan["hours"], r.loc[plan.index, "doors"])
    assert plan["doors_knocked"].dtype.kind == "i"  # whole doors
    assert plan["doors_knocked"].sum() == round(knocked.sum())
    assert (np.abs(plan["doors_knocked"] - knocked) < 1).all()
    expected = plan["doors_knocked"] * r.loc[plan.index, "votes_per_door"]  # national: weight 1
    np.testing.assert_allclose(plan["expected_votes"], expected)
    assert plan["turfs"].notna().all()


def test_demo_turfs_are_whole_door_shifts_with_walk_sheets(demo):
    out, result = demo
    plan = pd.read_csv(out / "plan.csv", dtype={"bureau_id": str}).set_index("bureau_id")
    turfs = pd.read_csv(out / "turfs.csv", dtype={"bureaux": str})
    assert turfs["hours"].sum() == plan["hours"].sum() == 2000  # hours conserved
    assert turfs["doors_knocked"].dtype.kind == "i"
    assert turfs["doors_knocked"].sum() == plan["doors_knocked"].sum()
    assert (turfs["hours"] <= 3 * 2).all()  # one shift of a team of two, at most
    assert len(turfs) > len(plan)  # bureaux with more than one shift get several turfs
    assert len(turfs) >= sum(int(h // 6) for h in plan["hours"])
    # the plan's turf numbers and the turfs' bureaux agree
    for bureau, numbers in plan["turfs"].items():
        for n in str(numbers).split(";"):
            assert bureau in turfs.loc[turfs["turf"] == int(n), "bureaux"].item().split(";")
    sheets = sorted(p.name for p in (out / "walksheets").glob("turf-*.html"))
    assert sheets == [f"turf-{n:03d}.html" for n in turfs["turf"]]
    index = (out / "walksheets/index.html").read_text(encoding="utf-8")
    assert all(f'href="{name}"' in index for name in sheets)
    first = (out / "walksheets" / sheets[0]).read_text(encoding="utf-8")
    assert "<svg" in first and "@media print" in first and "<script" not in first
    assert not re.search(r"""(src|href)=['"]https?:""", first)  # nothing fetched from outside


def test_backtest_json_agrees_with_ranking(demo):
    out, _ = demo
    bt = json.loads((out / "backtest.json").read_text())
    assert bt["case"] == "paris-2017-t2" and bt["n_bureaux"] == 896
    r = pd.read_csv(out / "ranking.csv")
    mae = (r["share_pred"] - r["share_obs"]).abs().mean()
    assert bt["share"]["model"]["mae"] == pytest.approx(mae, rel=1e-6)


def test_cli_over_demo_outputs(demo, tmp_path, capsys):
    out, _ = demo
    ranking = out / "ranking.csv"
    assert main(["rank", str(ranking), "--out", str(tmp_path / "r.csv")]) == 0
    again = pd.read_csv(tmp_path / "r.csv", dtype={"bureau_id": str})
    first = pd.read_csv(ranking, dtype={"bureau_id": str})
    assert again["bureau_id"].tolist() == first["bureau_id"].tolist()  # same order

    args = ["plan", str(ranking), "--hours", "300", "--cap", "75116=10", "--area", "paris",
            "--out", str(tmp_path / "p.csv")]
    assert main(args) == 0
    plan = pd.read_csv(tmp_path / "p.csv", dtype={"arrondissement_code": str})
    assert plan["hours"].sum() == 300
    assert plan.loc[plan["arrondissement_code"] == "75116", "hours"].sum() <= 10

    args = ["turfs", str(tmp_path / "p.csv"), "--area", "paris", "--out", str(tmp_path / "t"),
            "--team-size", "3"]
    assert main(args) == 0
    turfs = pd.read_csv(tmp_path / "t/turfs.csv")
    assert turfs["hours"].sum() == 300 and (turfs["hours"] <= 3 * 3).all()
    assert turfs["doors_knocked"].sum() == plan["doors_knocked"].sum()
    assert len(list((tmp_path / "t/walksheets").glob("turf-*.html"))) == len(turfs)

    assert main(["report", str(ranking), "--plan", str(tmp_path / "p.csv"),
                 "--out", str(tmp_path / "rep.html")]) == 0
    assert (tmp_path / "rep.png").exists()
    assert main(["plan", str(ranking), "--hours", "-3"]) == 2
    assert "budget" in capsys.readouterr().err


def test_demo_refuses_what_it_cannot_do(tmp_path):
    with pytest.raises(TargetingError, match="unknown area"):
        run_demo(tmp_path, area="lyon")
    with pytest.raises(TargetingError, match="unknown candidate or bloc 'FILLON'"):
        run_demo(tmp_path, area="paris", candidate="FILLON")
    assert not list(tmp_path.iterdir())  # refused before writing anything


def test_hds13_forecast_keeps_the_2024_level(shared_dir):
    from swingcast._log import cli_messages
    from swingcast.model.cases import get_case
    from swingcast.target.value import check_predictions

    err = io.StringIO()
    with cli_messages(stream=err):  # as `swingcast demo --area hds13` prints its warnings
        pred = check_predictions(forecast_hds13(n_draws=200))
    lines = err.getvalue().splitlines()
    assert len(lines) == len(set(lines))  # nothing said twice
    assert len(pred) == 92 and not {"turnout_obs", "share_obs"} & set(pred.columns)
    assert (pred["turnout_lo"] <= pred["turnout_pred"]).all()
    assert (pred["turnout_pred"] <= pred["turnout_hi"]).all()
    # no national swing is assumed: the area-wide level is the 2024 European one (model v3
    # conserves the anchor it is given; here the latest round of the same kind, carried)
    eu24 = get_case("hds13-eu2024").build().test
    level = np.average(eu24["turnout"], weights=eu24["inscrits"])
    assert np.average(pred["turnout_pred"], weights=pred["inscrits"]) == pytest.approx(level, abs=1e-6)
    share = np.average(eu24["share"], weights=eu24["exprimes"])
    voters = pred["inscrits"] * pred["turnout_pred"]
    assert np.average(pred["share_pred"], weights=voters) == pytest.approx(share, abs=1e-6)
    # first place among the 2024 lists: an RN list at ~12 % is rarely first anywhere
    assert share < 0.2 and pred["swing_prob"].between(0, 1).all() and pred["flip_prob"].between(0, 1).all()
    assert pred["swing_prob"].mean() < 0.1 and (pred["swing_prob"] < 0.5).mean() > 0.95


def test_demo_on_the_embedded_sample_alone_gives_the_same_outputs(demo, tmp_path, monkeypatch):
    """No data folder, an empty cache, no mirror: the sample in the package stands in, and
    the ranking, plan and back-test are those of the run on the full shared files."""
    from swingcast.load import datasets

    monkeypatch.setenv(datasets.ENV_DATA_DIR, str(tmp_path / "no-data"))
    monkeypatch.setenv(datasets.ENV_CACHE, str(tmp_path / "cache"))
    monkeypatch.delenv(datasets.ENV_MIRROR, raising=False)
    out = tmp_path / "out"
    run_demo(out, area="paris", hours=2000)
    full = demo[0]
    for name in ("ranking.csv", "plan.csv"):
        assert (out / name).read_bytes() == (full / name).read_bytes(), name

    def metrics(folder):
        data = json.loads((folder / "backtest.json").read_text(encoding="utf-8"))
        data.pop("seconds", None)
        return data

    assert metrics(out) == metrics(full)
    assert not (tmp_path / "cache" / datasets.RECORDS).exists()  # nothing was downloaded
