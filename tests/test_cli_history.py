"""End to end through the CLI on a user's own files: backtest -> forecast -> rank -> plan -> report.

Two areas the shipped cases do not cover as such: Alpes-de-Haute-Provence (04) cut out of the
national files (with the REU-derived contours of the data folder), and the Hauts-de-Seine 13th
constituency from its own results workbooks (with Etalab's contours).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from swingcast.cli import main

from .conftest import DEP04_ROUNDS
from .test_forecast import check_against_hand, hand_baselines

pytestmark = pytest.mark.shared


def _args(dep04) -> list[str]:
    """The files as the CLI takes them: FILE, or FILE=LABEL when the name does not say the round."""
    return [f"{dep04[n]}={lab}" if lab else str(dep04[n]) for n, (_, lab) in DEP04_ROUNDS.items()]


def test_dep04_backtest_forecast_rank_plan_report(dep04, shared_dir, tmp_path, capsys) -> None:
    files = _args(dep04)
    out = tmp_path / "bt.json"
    assert main(["backtest", *files, "--target", "2019-europeennes-1", "--share", "rn",
                 "--n-draws", "200", "--json", str(out)]) == 0
    metrics = json.loads(out.read_text())
    check_against_hand(metrics, hand_baselines(dep04))
    assert metrics["training"]["outcome"] == "2017-legislatives-1"
    assert {"turnout", "share", "interval_coverage", "brier", "anchor", "unmatched_bureaux"} <= set(metrics)

    # the same back-test written as a case file of the user's
    case = tmp_path / "my-case.toml"
    case.write_text("\n".join([
        'name = "dep04-eu2019"', "files = [" + ", ".join(json.dumps(f) for f in files) + "]",
        'target = "2019-europeennes-1"', 'share = "rn"', 'training = "rule"',
        "[area]", 'departements = ["04"]']) + "\n", encoding="utf-8")
    assert main(["backtest", "--case", str(case), "--n-draws", "200", "--json",
                 str(tmp_path / "case.json")]) == 0
    from_case = json.loads((tmp_path / "case.json").read_text())
    for target in ("turnout", "share"):
        assert from_case[target] == metrics[target]

    pred = tmp_path / "predictions.csv"
    assert main(["forecast", *files, "--election", "2022-presidentielle", "--round", "1",
                 "--share", "LE PEN", "--turnout-anchor", "0.74", "--share-anchor", "0.25",
                 "--n-draws", "200", "--out", str(pred)]) == 0
    assert "same-transition" in capsys.readouterr().out
    p = pd.read_csv(pred, dtype={"bureau_id": str, "commune_code": str})
    assert np.average(p["turnout_pred"], weights=p["inscrits"]) == pytest.approx(0.74, abs=1e-6)
    assert np.average(p["share_pred"], weights=p["inscrits"]) == pytest.approx(0.25, abs=1e-6)

    ranking, plan = tmp_path / "ranking.csv", tmp_path / "plan.csv"
    contours = shared_dir / "alpes-de-haute-provence" / "contours" / "Bvote_Propre_Dep_04.geojson"
    assert main(["rank", str(pred), "--out", str(ranking)]) == 0
    assert main(["plan", str(ranking), "--hours", "200", "--cap", "04070=20", "--contours",
                 str(contours), "--drop-empty", "--out", str(plan)]) == 0
    planned = pd.read_csv(plan, dtype={"bureau_id": str, "commune_code": str})
    assert planned["hours"].sum() == pytest.approx(200)
    assert planned.loc[planned["bureau_id"].str.startswith("04070_"), "hours"].sum() <= 20
    assert planned["turfs"].notna().all()  # every planned bureau has a polygon, so a turf
    report = tmp_path / "report.html"
    assert main(["report", str(ranking), "--plan", str(plan), "--contours", str(contours),
                 "--drop-empty", "--out", str(report)]) == 0
    assert report.with_suffix(".png").exists() and "priority map" in report.read_text()
    bare = tmp_path / "bare.html"
    assert main(["report", str(ranking), "--out", str(bare)]) == 0
    text = bare.read_text()
    assert "No map: no bureau contours were given" in text and "Top 20 bureaux" in text
    assert not bare.with_suffix(".png").exists()
    assert main(["plan", str(ranking), "--hours", "10", "--cap", "75118=3"]) == 2
    assert "cap '75118'" in capsys.readouterr().err


def test_labels_and_usage_errors(dep04, capsys) -> None:
    f = str(dep04["04_p17a.csv"])
    assert main(["forecast", f"{f}=2017-presidential-1", "--election", "2022-presidentielle",
                 "--share", "rn"]) == 2
    assert "expected <year>-<kind>-<round>" in capsys.readouterr().err
    assert main(["backtest", f"{f}=2017-presidentielle-1"]) == 2
    assert "expected --share and --target" in capsys.readouterr().err


def test_hauts_de_seine_workbooks_end_to_end(shared_dir, tmp_path) -> None:
    res = shared_dir / "hauts-de-seine-13" / "results"
    files = [str(res / n) for n in ("departementales_2021_t1.xlsx", "europeennes_2024.xlsx",
                                    "legislatives2024_t1_9213.xlsx")]
    pred, ranking, plan = tmp_path / "p.csv", tmp_path / "r.csv", tmp_path / "plan.csv"
    assert main(["forecast", *files, "--election", "2027-presidentielle", "--share", "rn",
                 "--n-draws", "200", "--out", str(pred)]) == 0
    p = pd.read_csv(pred, dtype={"bureau_id": str})
    assert len(p) == 92 and p["share_pred"].between(0, 1).all()
    contours = shared_dir / "hauts-de-seine-13" / "contours" / "circo_contours.geojson"
    assert main(["rank", str(pred), "--out", str(ranking)]) == 0
    assert main(["plan", str(ranking), "--hours", "100", "--cap", "92002=30", "--contours",
                 str(contours), "--out", str(plan)]) == 0
    planned = pd.read_csv(plan, dtype={"bureau_id": str})
    assert planned.loc[planned["bureau_id"].str.startswith("92002_"), "hours"].sum() <= 30
    assert main(["report", str(ranking), "--contours", str(contours), "--out",
                 str(tmp_path / "rep.html")]) == 0
    assert (tmp_path / "rep.png").exists()
