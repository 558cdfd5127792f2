"""End-to-end: the Paris demo on the real data, and the CLI commands over its outputs."""

from __future__ import annotations

import csv
import json

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
    for name in ("ranking.csv", "plan.csv", "map.png", "map.html", "report.html",
                 "backtest.json", "targeting.gpkg"):
        assert (out / name).stat().st_size > 0, name
    assert (out / "map.png").read_bytes()[:4] == b"\x89PNG"
    assert "data:image/png;base64," in (out / "report.html").read_text()
    assert sum(result.seconds.values()) < 60


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


def test_plan_uses_the_budget_and_matches_the_ranking(demo):
    out, _ = demo
    r = pd.read_csv(out / "ranking.csv", dtype={"bureau_id": str}).set_index("bureau_id")
    plan = pd.read_csv(out / "plan.csv", dtype={"bureau_id": str}).set_index("bureau_id")
    assert plan["hours"].sum() == 2000
    knocked = np.minimum(15 * plan["hours"], r.loc[plan.index, "doors"])
    expected = knocked * r.loc[plan.index, "votes_per_door"]  # national race: weight 1
    np.testing.assert_allclose(plan["expected_votes"], expected)
    assert plan["turf"].notna().all()


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
    from swingcast.model.cases import get_case
    from swingcast.target.value import check_predictions

    pred = check_predictions(forecast_hds13(n_draws=200))
    assert len(pred) == 92 and not {"turnout_obs", "share_obs"} & set(pred.columns)
    assert (pred["turnout_lo"] <= pred["turnout_pred"]).all()
    assert (pred["turnout_pred"] <= pred["turnout_hi"]).all()
    # no national swing is assumed: the area-wide level is the 2024 European one
    eu24 = get_case("hds13-eu2024").build().test
    level = np.average(eu24["turnout"], weights=eu24["inscrits"])
    assert np.average(pred["turnout_pred"], weights=pred["inscrits"]) == pytest.approx(level, abs=0.01)
    share = np.average(eu24["share"], weights=eu24["exprimes"])
    voters = pred["inscrits"] * pred["turnout_pred"]
    assert np.average(pred["share_pred"], weights=voters) == pytest.approx(share, abs=0.01)


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
