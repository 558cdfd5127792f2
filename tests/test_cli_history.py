"""End to end through the CLI on a user's own files: backtest -> forecast -> rank -> plan -> report.

Two areas the shipped cases do not cover as such: Alpes-de-Haute-Provence (04) cut out of the
national files (with the REU-derived contours of the data folder), and the Hauts-de-Seine 13th
constituency from its own results workbooks (with Etalab's contours).
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from swingcast.cli import main

from .conftest import DEP04_ROUNDS
from .test_forecast import check_against_hand, hand_baselines, raw

pytestmark = pytest.mark.shared


def _args(dep04) -> list[str]:
    """The files as the CLI takes them: FILE, or FILE=LABEL when the name does not say the round."""
    return [f"{dep04[n]}={lab}" if lab else str(dep04[n]) for n, (_, lab) in DEP04_ROUNDS.items()]


def _label_of(name: str) -> str:
    """The round of a cut file (its label in DEP04_ROUNDS, else its name + round 1)."""
    lab = DEP04_ROUNDS[name][1]
    return lab or name[3:].removesuffix(".csv") + ("" if name[-6:-4] in ("-1", "-2") else "-1")


def _rate(d: pd.DataFrame, quantity: str) -> pd.Series:
    if quantity == "turnout":
        return d["votants"] / d["inscrits"]
    return d["rn"] / d["exprimes"].where(d["exprimes"] > 0)


def hand_baseline(dep04, name: str, test_label: str) -> float:
    """MAE of one baseline ``method[quantity:round]`` of the JSON, from the raw cut files.

    Plain pandas: the prior round's rate of each bureau of the test round (a bureau it does
    not know: its commune's inscrits-weighted mean, else the area's), moved to the test
    round's inscrits-weighted level by the method, against the observed rate.
    """
    method, quantity, prior = re.fullmatch(r"(\w+)\[(turnout|share):(.+)\]", name).groups()
    files = {_label_of(n): dep04[n] for n in DEP04_ROUNDS}
    test = raw(files[test_label])
    test = test[(test["inscrits"] > 0) & ((test["exprimes"] > 0) if quantity == "share" else True)]
    obs, w = _rate(test, quantity), test["inscrits"]
    prev = raw(files[prior])
    p = _rate(prev[prev["inscrits"] > 0], quantity).reindex(test.index)
    known = p.notna()
    com = test["commune"]
    by_com = (p * w)[known].groupby(com[known]).sum() / w[known].groupby(com[known]).sum()
    p = p.fillna(com.map(by_com)).fillna((p * w)[known].sum() / w[known].sum())
    level, base = np.average(obs, weights=w), np.average(p, weights=w)
    pred = {"carry_forward": p, "uniform_swing": p + (level - base),
            "proportional_swing": p * (level / base)}[method].clip(0, 1)
    return float((pred - obs).abs().mean())


def hand_floor(dep04, quantity: str, test_label: str) -> float:
    """sqrt(2/pi) sqrt(p (1 - p) / n) averaged over the test round's bureaux, by hand."""
    test = raw({_label_of(n): dep04[n] for n in DEP04_ROUNDS}[test_label])
    test = test[(test["inscrits"] > 0) & ((test["exprimes"] > 0) if quantity == "share" else True)]
    p = _rate(test, quantity)
    n = test["inscrits"] if quantity == "turnout" else test["exprimes"]
    return float((np.sqrt(2 / np.pi) * np.sqrt(p * (1 - p) / n)).mean())


def test_dep04_protocol_backtest_against_hand(dep04, tmp_path) -> None:
    """swingcast backtest FILE... --json: the headline figures recomputed from the raw files."""
    files = _args(dep04)
    out = tmp_path / "bt.json"
    assert main(["backtest", *files, "--target", "2019-europeennes-1", "--share", "rn",
                 "--n-draws", "200", "--json", str(out)]) == 0
    m = json.loads(out.read_text())
    assert (m["path"], m["test_round"], m["anchor"]) == ("protocol", "2019-europeennes-1", "actual")
    assert "perfect poll" in m["anchor_means"]
    for q in ("turnout", "share"):
        r = m[q]
        best = r["best_baseline"]
        # the strongest baseline, recomputed from the raw rounds (and its neighbours of the
        # same prior, which must not beat it)
        assert best["mae"] == pytest.approx(hand_baseline(dep04, best["name"], "2019-europeennes-1"), rel=1e-9)
        prior = best["name"].split("[", 1)[1]
        for method in ("carry_forward", "uniform_swing", "proportional_swing"):
            assert hand_baseline(dep04, f"{method}[{prior}", "2019-europeennes-1") >= best["mae"] - 1e-12
        for name in r["baselines"]:
            if name.split("[", 1)[1].split(":", 1)[0] in ("turnout", "share"):
                assert r["baselines"][name] == pytest.approx(
                    hand_baseline(dep04, name, "2019-europeennes-1"), rel=1e-9, abs=1e-12)
        assert r["mae_ratio"] == pytest.approx(r["model"]["mae"] / best["mae"], rel=1e-12)
        assert m["mae_ratio"][q] == r["mae_ratio"]
        assert r["floor_mae"] == pytest.approx(hand_floor(dep04, q, "2019-europeennes-1"), rel=1e-9)
        assert r["gap_closed"] == pytest.approx((best["mae"] - r["model"]["mae"]) / (best["mae"] - r["floor_mae"]))
        assert m["extras"][q]["best_baseline"] == best
    assert m["n_bureaux"] == len(raw(dep04["04_2019-europeennes.csv"]).query("inscrits > 0"))


def test_dep04_round2_finds_the_opponent(dep04, tmp_path) -> None:
    """A round-2 test round with two finalists: the other one is the opponent (round-2 priors)."""
    out = tmp_path / "t2.json"
    assert main(["backtest", *_args(dep04), "--target", "2017-presidentielle-2", "--share", "MACRON",
                 "--anchor", "none", "--n-draws", "200", "--json", str(out)]) == 0
    m = json.loads(out.read_text())
    assert m["rounds"] == ["2014-europeennes-1", "2017-presidentielle-1", "2017-presidentielle-2"]
    assert m["anchor"] == "none" and "earlier data only" in m["anchor_means"]
    names = set(m["share"]["baselines"])
    assert "carry_forward[finalists:2017-presidentielle-1]" in names
    assert "carry_forward[1-opponent:2017-presidentielle-1]" in names
    # one minus Le Pen's round-1 share, carried, by hand
    p1 = raw(dep04["04_p17a.csv"])
    t2 = raw(dep04["04_p17b.csv"])
    t2 = t2[(t2["inscrits"] > 0) & (t2["exprimes"] > 0)]
    macron = pd.read_csv(dep04["04_p17b.csv"], dtype=str)
    macron.index = macron["departement"] + macron["commune"] + "_" + macron["bureau"].str.lstrip("0")
    obs = macron["MACRON"].astype(float).reindex(t2.index) / t2["exprimes"]
    prior = 1 - (p1["rn"] / p1["exprimes"]).reindex(t2.index)
    assert prior.notna().all()
    assert m["share"]["baselines"]["carry_forward[1-opponent:2017-presidentielle-1]"] == pytest.approx(
        float((prior.clip(0, 1) - obs).abs().mean()), rel=1e-9)
    # the same test round from a case file naming the opponent: the same figures
    case = tmp_path / "t2.toml"
    case.write_text("\n".join([
        'name = "dep04-t2"', "files = [" + ", ".join(json.dumps(f) for f in _args(dep04)) + "]",
        'target = "2017-presidentielle-2"', 'share = "MACRON"', 'opponent = "LE PEN"']) + "\n", encoding="utf-8")
    assert main(["backtest", "--case", str(case), "--anchor", "none", "--n-draws", "200", "--json",
                 str(tmp_path / "t2-case.json")]) == 0
    from_case = json.loads((tmp_path / "t2-case.json").read_text())
    assert from_case["case"] == "dep04-t2"
    for q in ("turnout", "share"):
        assert from_case[q] == m[q]


def test_dep04_backtest_forecast_rank_plan_report(dep04, shared_dir, tmp_path, capsys) -> None:
    files = _args(dep04)
    out = tmp_path / "bt.json"
    assert main(["backtest", *files, "--target", "2019-europeennes-1", "--share", "rn",
                 "--n-draws", "200", "--json", str(out), "--legacy"]) == 0
    metrics = json.loads(out.read_text())
    check_against_hand(metrics, hand_baselines(dep04))
    assert metrics["training"]["outcome"] == "2017-legislatives-1"
    assert {"turnout", "share", "interval_coverage", "brier", "anchor", "unmatched_bureaux"} <= set(metrics)
    protocol = tmp_path / "protocol.json"
    assert main(["backtest", *files, "--target", "2019-europeennes-1", "--share", "rn",
                 "--n-draws", "200", "--json", str(protocol)]) == 0
    metrics = json.loads(protocol.read_text())

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
    assert "(stack: every baseline of every earlier round, weighted" in capsys.readouterr().out
    p = pd.read_csv(pred, dtype={"bureau_id": str, "commune_code": str})
    assert np.average(p["turnout_pred"], weights=p["inscrits"]) == pytest.approx(0.74, abs=1e-6)
    assert np.average(p["share_pred"], weights=p["inscrits"] * p["turnout_pred"]) == pytest.approx(0.25, abs=1e-6)

    ranking, plan = tmp_path / "ranking.csv", tmp_path / "plan.csv"
    contours = shared_dir / "alpes-de-haute-provence" / "contours" / "Bvote_Propre_Dep_04.geojson"
    assert main(["rank", str(pred), "--out", str(ranking)]) == 0
    assert main(["plan", str(ranking), "--hours", "200", "--cap", "04070=20", "--contours",
                 str(contours), "--drop-empty", "--out", str(plan)]) == 0
    planned = pd.read_csv(plan, dtype={"bureau_id": str, "commune_code": str})
    assert planned["hours"].sum() == pytest.approx(200)
    assert planned.loc[planned["bureau_id"].str.startswith("04070_"), "hours"].sum() <= 20
    import geopandas as gpd

    with_polygon = set(gpd.read_file(contours)["CODE_BV"].astype(str))
    # a planned bureau gets a turf exactly when it has a polygon (04081_2 has none in the file)
    assert (planned["turfs"].notna() == planned["bureau_id"].isin(with_polygon)).all()
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


def test_hauts_de_seine_census_reaches_the_share_model_only(shared_dir, tmp_path) -> None:
    """--census (a per-bureau table) goes to v3's share denoiser: the share moves, turnout not,
    and the CLI gives what the function gives."""
    from swingcast.model.backtest import backtest
    from swingcast.model.casedata import hds13_census
    from swingcast.model.history import load_history

    res = shared_dir / "hauts-de-seine-13" / "results"
    files = [str(res / n) for n in ("departementales_2021_t1.xlsx", "europeennes_2024.xlsx",
                                    "legislatives2024_t1_9213.xlsx")]
    census = hds13_census()
    path = tmp_path / "census_by_bureau.csv"
    census.reset_index().to_csv(path, index=False)
    out = tmp_path / "bt.json"
    assert main(["backtest", *files, "--target", "2024-legislatives-1", "--share", "rn",
                 "--census", str(path), "--census-total", "pop1564", "--n-draws", "100",
                 "--json", str(out)]) == 0
    m = json.loads(out.read_text())
    h = load_history(files)
    with_census = backtest(h, target="2024-legislatives-1", share="rn", n_draws=100, census=census).metrics
    census_total = census.copy()
    census_total.attrs["census_total"] = "pop1564"
    direct = backtest(h, target="2024-legislatives-1", share="rn", n_draws=100, census=census_total).metrics
    plain = backtest(h, target="2024-legislatives-1", share="rn", n_draws=100).metrics
    assert m["share"]["model"]["mae"] == pytest.approx(direct["share"]["model"]["mae"], rel=1e-9)
    assert m["share"]["training"]["census"].startswith("census shares")
    assert plain["share"]["training"]["census"] is None
    assert m["share"]["model"]["mae"] != pytest.approx(plain["share"]["model"]["mae"], rel=1e-6)
    assert m["turnout"]["model"]["mae"] == pytest.approx(plain["turnout"]["model"]["mae"], rel=1e-12)
    # without attrs the first column is the total: pop1564 here too
    assert with_census["share"]["model"]["mae"] == pytest.approx(direct["share"]["model"]["mae"], rel=1e-12)


def test_forecast_cli_says_it_used_the_census(shared_dir, tmp_path, capsys) -> None:
    from swingcast.model.casedata import hds13_census

    res = shared_dir / "hauts-de-seine-13" / "results"
    files = [str(res / n) for n in ("departementales_2021_t1.xlsx", "europeennes_2024.xlsx",
                                    "legislatives2024_t1_9213.xlsx")]
    path = tmp_path / "census.csv"
    hds13_census().reset_index().to_csv(path, index=False)
    with_c, without = tmp_path / "c.csv", tmp_path / "n.csv"
    assert main(["forecast", *files, "--election", "2029-europeennes", "--share", "rn", "--n-draws", "100",
                 "--census", str(path), "--census-total", "pop1564", "--out", str(with_c)]) == 0
    assert "census: census shares (5 variables, total 'pop1564')" in capsys.readouterr().out
    assert main(["forecast", *files, "--election", "2029-europeennes", "--share", "rn", "--n-draws", "100",
                 "--out", str(without)]) == 0
    assert "census:" not in capsys.readouterr().out
    a = pd.read_csv(with_c, dtype={"bureau_id": str}).set_index("bureau_id")
    b = pd.read_csv(without, dtype={"bureau_id": str}).set_index("bureau_id")
    assert np.allclose(a["turnout_pred"], b["turnout_pred"])  # turnout takes no census
    assert not np.allclose(a["share_pred"], b["share_pred"])
    voters_a, voters_b = a["inscrits"] * a["turnout_pred"], b["inscrits"] * b["turnout_pred"]
    # both re-centred on the same carried share (EU 2024's votes over its exprimés)
    assert np.average(a["share_pred"], weights=voters_a) == pytest.approx(
        np.average(b["share_pred"], weights=voters_b), abs=1e-9)
