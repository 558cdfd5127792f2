"""Tests of swingcast.model.backtest, swingcast.model.cases and swingcast.model.casedata.

Metrics are checked on tiny hand-made tables; the Paris and Hauts-de-Seine cases are run once
each (module fixtures) and checked against figures computed independently from the raw files.
The national case (france-eu2019) takes longer than the test budget: see
``benchmarks/bench_backtest.py``.
"""

from __future__ import annotations

import csv
import gzip
import importlib
import json
import math

import numpy as np
import pandas as pd
import pytest

from swingcast.cli import main
from swingcast.errors import SchemaError
from swingcast.model.cases import get_case, list_cases

bt = importlib.import_module("swingcast.model.backtest")

METHODS = ("model", "carry_forward", "uniform_swing", "proportional_swing")


# --- metrics on hand-made tables ------------------------------------------------------------


def test_score_by_hand() -> None:
    pred = np.array([0.50, 0.70, 0.20])
    obs = np.array([0.60, 0.40, 0.20])
    w = np.array([1.0, 3.0, 4.0])
    s = bt.score(pred, obs, w, lo=np.array([0.55, 0.30, 0.25]), hi=np.array([0.65, 0.50, 0.30]))
    # errors -0.1, 0.3, 0: MAE 0.4/3, RMSE sqrt(0.1/3); weighted MAE (0.1 + 0.9) / 8
    assert s["mae"] == pytest.approx(0.4 / 3)
    assert s["rmse"] == pytest.approx(math.sqrt(0.10 / 3))
    assert s["mae_weighted"] == pytest.approx(1.0 / 8)
    assert s["rmse_weighted"] == pytest.approx(math.sqrt((0.01 + 3 * 0.09) / 8))
    # 0.60 in [0.55, 0.65], 0.40 in [0.30, 0.50], 0.20 not in [0.25, 0.30]
    assert s["coverage"] == pytest.approx(2 / 3)
    assert s["mean_width"] == pytest.approx((0.10 + 0.20 + 0.05) / 3)
    assert s["n"] == 3


def test_brier_by_hand() -> None:
    # (0.9-1)^2 + (0.2-0)^2 + (0.5-1)^2 = 0.01 + 0.04 + 0.25
    assert bt.brier(np.array([0.9, 0.2, 0.5]), np.array([1, 0, 1])) == pytest.approx(0.30 / 3)


def test_table_and_json_round_trip(tmp_path) -> None:
    metrics = {"turnout": {"model": {"mae": 0.1, "rmse": 0.2}}, "share": {},
               "interval_coverage": {"turnout": 0.8, "share": 0.7}, "brier": {"model": 0.1}}
    res = bt.BacktestResult("x", metrics, pd.DataFrame())
    assert res.table.to_dict("records") == [
        {"target": "turnout", "method": "model", "metric": "mae", "value": 0.1},
        {"target": "turnout", "method": "model", "metric": "rmse", "value": 0.2},
    ]
    assert json.loads(res.to_json(tmp_path / "m.json").read_text()) == metrics


def test_swingcast_backtest_stays_callable_after_the_submodule_import() -> None:
    import swingcast

    assert callable(swingcast.backtest)  # the submodule is imported at the top of this file
    with pytest.raises(SchemaError, match="unknown back-test case"):
        swingcast.backtest("nope")


def test_cases_are_listed_and_unknown_ones_refused() -> None:
    assert list_cases()["name"].tolist() == ["paris-2017-t2", "hds13-eu2024", "france-eu2019"]
    with pytest.raises(SchemaError, match="unknown back-test case 'nope'"):
        get_case("nope")
    with pytest.raises(SchemaError, match="anchor must be 'actual' or 'none'"):
        bt.backtest("paris-2017-t2", anchor="poll", legacy=True)  # the older models have no poll
    with pytest.raises(SchemaError, match="anchor must be 'actual', 'poll' or 'none'"):
        bt.backtest("paris-2017-t2", anchor="oops")
    with pytest.raises(SchemaError, match="legacy models only"):
        bt.backtest("paris-2017-t2", method="gbm")


# --- the Paris case ---------------------------------------------------------------------------


def _raw_paris(shared_dir, name: str) -> pd.DataFrame:
    """Paris rows of a national file, read with the csv module (independent of the loaders)."""
    path = shared_dir / "france/results" / name
    opener = gzip.open if name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["departement"] == "75"]
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def paris(shared_dir):
    """The older model of the case (legacy=True): the tests below check its own figures."""
    return bt.backtest("paris-2017-t2", n_draws=500, legacy=True)


@pytest.mark.shared
def test_paris_json_schema(paris, tmp_path) -> None:
    data = json.loads(paris.to_json(tmp_path / "paris.json").read_text())
    for target in ("turnout", "share"):
        assert set(data[target]) == set(METHODS)
        for method in METHODS:
            values = data[target][method]
            for key in ("mae", "rmse", "mae_weighted", "rmse_weighted"):
                assert math.isfinite(values[key]) and values[key] >= 0
    assert set(data["interval_coverage"]) == {"turnout", "share"}
    assert all(0 <= v <= 1 for v in data["interval_coverage"].values())
    assert {"model", "uniform_swing"} <= set(data["brier"])
    assert all(0 <= v <= 1 for v in data["brier"].values())


@pytest.mark.shared
def test_paris_anchor_is_the_official_paris_aggregate(paris, shared_dir) -> None:
    raw = _raw_paris(shared_dir, "2017-presidentielle-2_par_bureau_large.csv")
    inscrits = raw["inscrits"].astype(int)
    turnout = raw["votants"].astype(int) / inscrits
    share = raw["MACRON"].astype(int) / raw["exprimes"].astype(int)
    # the anchor: inscrits-weighted means of the observed round 2, computed from the raw file
    turnout_anchor = (turnout * inscrits).sum() / inscrits.sum()
    share_anchor = (share * inscrits).sum() / inscrits.sum()
    assert turnout_anchor == pytest.approx(raw["votants"].astype(int).sum() / inscrits.sum())
    p = paris.predictions
    w = p["inscrits"]
    assert len(p) == len(raw) == 896
    assert float(w.sum()) == inscrits.sum()
    for col in ("turnout_pred", "turnout_obs"):
        assert np.average(p[col], weights=w) == pytest.approx(turnout_anchor, abs=1e-9)
    for col in ("share_pred", "share_obs"):
        assert np.average(p[col], weights=w) == pytest.approx(share_anchor, abs=1e-9)
    # the baselines get the same anchor: uniform swing on turnout exactly; on the share,
    # Macron's round-1 share + 55 points exceeds 1 in some bureaux and is clipped, which
    # can only lower the mean
    us = paris.baseline_predictions["turnout"]["uniform_swing"]
    assert np.average(us, weights=w) == pytest.approx(turnout_anchor, abs=1e-9)
    us = paris.baseline_predictions["share"]["uniform_swing"]
    assert np.average(us, weights=w) <= share_anchor + 1e-12


@pytest.mark.shared
def test_paris_predictions_are_complete_and_ordered(paris) -> None:
    p = paris.predictions
    cols = ["turnout_pred", "turnout_lo", "turnout_hi", "share_pred", "share_lo", "share_hi",
            "swing_prob", "flip_prob", "above_area_prob", "margin_pred", "margin_lo", "margin_hi",
            "inscrits", "commune_code",
            "arrondissement_code", "turnout_obs", "share_obs", "matched"]
    assert list(p.columns) == cols
    assert not p.isna().any().any()
    assert (p["turnout_lo"] <= p["turnout_pred"]).all() and (p["turnout_pred"] <= p["turnout_hi"]).all()
    assert (p["share_lo"] <= p["share_pred"]).all() and (p["share_pred"] <= p["share_hi"]).all()
    for col in ("swing_prob", "flip_prob", "above_area_prob"):
        assert p[col].between(0, 1).all()
    assert p["arrondissement_code"].nunique() == 20
    # coverage reported = share of bureaux inside their interval (recomputed here)
    inside = (p["turnout_lo"] <= p["turnout_obs"]) & (p["turnout_obs"] <= p["turnout_hi"])
    assert paris.metrics["interval_coverage"]["turnout"] == pytest.approx(inside.mean())


@pytest.mark.shared
def test_paris_swing_prob_is_macron_winning_the_bureau(paris, shared_dir) -> None:
    def by_id(raw):
        return raw.set_index("75056_" + raw["bureau"].str.lstrip("0"))

    t2 = by_id(_raw_paris(shared_dir, "2017-presidentielle-2_par_bureau_large.csv.gz"))
    t1 = by_id(_raw_paris(shared_dir, "2017-presidentielle-1_par_bureau_large.csv.gz"))
    p = paris.predictions
    ev = paris.metrics["extras"]["events"]
    # a duel: the contenders are Macron (the target) and Le Pen
    assert ev["contenders"] == ["TARGET", "LE PEN"] and ev["comparable_round"] == "2017-presidentielle-1"
    won = (t2["MACRON"].astype(int) > t2["LE PEN"].astype(int)).reindex(p.index)
    assert ev["n_target_first"] == int(won.sum()) == 896  # Macron won every Paris bureau
    assert p["swing_prob"].min() > 0.99
    assert ev["brier"]["swing_prob"]["model"] == pytest.approx(bt.brier(p["swing_prob"], won))
    # first place changes bloc where round 1 was not won by Macron (Fillon, Melenchon: other
    # blocs; the duel can only be won by the centre or the far right)
    cands = ["ARTHAUD", "ASSELINEAU", "CHEMINADE", "DUPONT-AIGNAN", "FILLON", "HAMON", "LASSALLE",
             "LE PEN", "MACRON", "MÉLENCHON", "POUTOU"]
    first1 = t1[cands].astype(int).idxmax(axis=1).reindex(p.index)
    flipped = first1 != "MACRON"
    assert ev["n_flips"] == int(flipped.sum())
    assert ev["brier"]["flip_prob"]["model"] == pytest.approx(bt.brier(p["flip_prob"], flipped))
    assert (p.loc[flipped, "flip_prob"] > 0.99).all() and (p.loc[~flipped, "flip_prob"] < 0.01).all()
    # the former event, share above the Paris-wide anchor, is kept under its own name
    event = p["share_obs"] > paris.metrics["swing_event"]["threshold"]
    assert paris.metrics["brier"]["model"] == pytest.approx(bt.brier(p["above_area_prob"], event))


@pytest.mark.shared
def test_paris_transfer_share_of_one_bureau_by_hand(shared_dir) -> None:
    from swingcast.model.casedata import PRES17_1, TRANSFER_RATES, load_round, transfer_share

    raw = _raw_paris(shared_dir, "2017-presidentielle-1_par_bureau_large.csv.gz")
    row = raw[raw["bureau"] == "0101"].iloc[0]
    macron = sum(int(row[c]) * TRANSFER_RATES[c][0] for c in TRANSFER_RATES)
    both = sum(int(row[c]) * (TRANSFER_RATES[c][0] + TRANSFER_RATES[c][1]) for c in TRANSFER_RATES)
    _, votes = load_round(PRES17_1, departements=["75"])
    assert transfer_share(votes)["75056_101"] == pytest.approx(macron / both)


@pytest.mark.shared
def test_paris_census_total_is_conserved_by_the_crosswalk(paris, shared_dir) -> None:
    from swingcast.model.casedata import paris_census

    census = paris_census()
    assert len(census) == 896
    # sum of C11_POP15P over the 992 IRIS of Paris (data README): area weights conserve it
    assert census["pop15p"].sum() == pytest.approx(1_926_666)
    with open(shared_dir / "paris/census/rp2011-cs8-iris-paris.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    for i in (3, 6, 8):
        raw_total = sum(float(r[f"C11_POP15P_CS{i}"]) for r in rows)
        assert census[f"cs{i}"].sum() == pytest.approx(raw_total)


# --- the Hauts-de-Seine case -----------------------------------------------------------------


@pytest.fixture(scope="module")
def hds13(shared_dir):
    return bt.backtest("hds13-eu2024", n_draws=500, legacy=True)


@pytest.mark.shared
def test_hds13_runs_with_finite_metrics_and_flags_the_new_bureau(hds13) -> None:
    m = hds13.metrics
    for target in ("turnout", "share"):
        for method in METHODS:
            assert all(math.isfinite(v) for v in m[target][method].values())
    p = hds13.predictions
    assert len(p) == 92  # 91 bureaux + the new 92019_20 of 2024 (data README)
    assert p.loc["92019_20", "matched"] == False  # noqa: E712  (numpy bool)
    assert int((~p["matched"]).sum()) == m["unmatched_bureaux"] == 1
    assert not p.drop(columns=["commune_code", "arrondissement_code"]).isna().any().any()
    w = p["inscrits"]
    assert np.average(p["share_pred"], weights=w) == pytest.approx(
        np.average(p["share_obs"], weights=w), abs=1e-9)


@pytest.mark.shared
def test_cli_backtest_writes_the_json(tmp_path, capsys, shared_dir) -> None:
    assert main(["backtest", "--list"]) == 0
    assert "france-eu2019" in capsys.readouterr().out
    out = tmp_path / "h.json"
    assert main(["backtest", "--case", "hds13-eu2024", "--n-draws", "200", "--json", str(out),
                 "--legacy"]) == 0
    text = capsys.readouterr().out
    assert "uniform_swing" in text and "interval_coverage" in text
    data = json.loads(out.read_text())
    assert data["case"] == "hds13-eu2024" and set(data["share"]) == set(METHODS)
    assert main(["backtest", "--case", "nope"]) == 2


# --- the protocol on the named cases (the headline of swingcast backtest) -------------------


def _consistent(m: dict, p: pd.DataFrame) -> None:
    """The protocol JSON's figures agree with each other and with the per-bureau frame."""
    for q in ("turnout", "share"):
        r = m[q]
        assert r["best_baseline"]["mae"] == pytest.approx(min(r["baselines"].values()))
        assert r["best_baseline"]["mae"] == r["baselines"][r["best_baseline"]["name"]]
        assert m["mae_ratio"][q] == r["mae_ratio"] == pytest.approx(r["model"]["mae"] / r["best_baseline"]["mae"])
        assert r["gap_closed"] == pytest.approx(
            (r["best_baseline"]["mae"] - r["model"]["mae"]) / (r["best_baseline"]["mae"] - r["floor_mae"]))
        assert m["extras"][q]["floor_mae"] == r["floor_mae"]
        assert (p[f"{q}_pred"] - p[f"{q}_obs"]).abs().mean() == pytest.approx(r["model"]["mae"], rel=1e-12)
        inside = (p[f"{q}_lo"] <= p[f"{q}_obs"]) & (p[f"{q}_obs"] <= p[f"{q}_hi"])
        assert inside.mean() == pytest.approx(r["coverage"]["all"], rel=1e-12)
        assert r["coverage"]["n_matched"] == int(p["matched"].sum())
    assert 0 <= m["brier"]["model"] <= 1 and 0 <= m["brier"]["flip_model"] <= 1


@pytest.mark.shared
def test_paris_protocol_is_the_headline(shared_dir) -> None:
    res = bt.backtest("paris-2017-t2", n_draws=200)
    m, p = res.metrics, res.predictions
    assert (m["case"], m["history"], m["path"], m["test_round"]) == (
        "paris-2017-t2", "paris", "protocol", "2017-presidentielle-2")
    assert m["n_bureaux"] == len(p) == 896 and p["arrondissement_code"].nunique() == 20
    # a round 2: the finalists' round-1 share and one minus Le Pen's are among the priors
    assert {"uniform_swing[finalists:2017-presidentielle-1]",
            "uniform_swing[1-opponent:2017-presidentielle-1]"} <= set(m["share"]["baselines"])
    _consistent(m, p)
    raw = _raw_paris(shared_dir, "2017-presidentielle-2_par_bureau_large.csv")
    share = raw["MACRON"].astype(int) / raw["exprimes"].astype(int)
    assert sorted(p["share_obs"].round(12)) == sorted(share.round(12))


@pytest.mark.shared
def test_cli_protocol_case_json_and_rolling(tmp_path, capsys, shared_dir) -> None:
    out = tmp_path / "h.json"
    assert main(["backtest", "--case", "hds13-eu2024", "--n-draws", "200", "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "best baseline" in text and "perfect poll" in text
    data = json.loads(out.read_text())
    assert (data["case"], data["history"], data["anchor"]) == ("hds13-eu2024", "hds13", "actual")
    assert data["n_bureaux"] == 92 and data["unmatched_bureaux"] == 1  # 92019_20, new in 2024
    res = bt.backtest("hds13-eu2024", n_draws=200)
    assert res.predictions.loc["92019_20", "matched"] == False  # noqa: E712  (numpy bool)
    _consistent(data, res.predictions)
    poll = tmp_path / "poll.json"
    assert main(["backtest", "--case", "hds13-eu2024", "--anchor", "poll", "--n-draws", "200",
                 "--json", str(poll)]) == 0
    assert "final-poll error" in json.loads(poll.read_text())["anchor_means"]
    # rolling: every round with two earlier ones, the last one the single run above
    roll = tmp_path / "roll.json"
    assert main(["backtest", "--case", "hds13-eu2024", "--rolling", "--n-draws", "200", "--json", str(roll)]) == 0
    table = json.loads(roll.read_text())
    assert table["anchor"] == "actual" and "perfect poll" in table["anchor_means"]
    assert [r["round"] for r in table["rows"]][::2] == data["rounds"][2:]
    last = table["rows"][-1]
    assert (last["round"], last["target"]) == ("2024-europeennes-1", "share")
    assert last["model_mae"] == pytest.approx(data["share"]["model"]["mae"], rel=1e-12)
    assert last["best_baseline"] == data["share"]["best_baseline"]["name"]
    assert last["brier_swing_model"] == pytest.approx(data["brier"]["model"], rel=1e-12)
    capsys.readouterr()
    for bad in (["--case", "hds13-eu2024", "--anchor", "perfect"],
                ["--case", "hds13-eu2024", "--method", "gbm"],
                ["--case", "hds13-eu2024", "--share", "rn"],
                ["--case", "hds13-eu2024", "--rolling", "--target", "2024-europeennes-1"],
                ["--case", "hds13-eu2024", "--legacy", "--anchor", "poll"]):
        assert main(["backtest", *bad]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("swingcast: error: ")


# --- the national case (about 40 s) ------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.shared
def test_france_runs_with_finite_metrics(shared_dir) -> None:
    res = bt.backtest("france-eu2019", n_draws=200, legacy=True)
    m = res.metrics
    for target in ("turnout", "share"):
        for method in METHODS:
            assert all(math.isfinite(v) for v in m[target][method].values())
    p = res.predictions
    # 69,297 bureaux in the 2019 file (data README) minus 2 with zero inscrits or exprimés
    assert len(p) == m["n_bureaux"] == 69_295
    assert int((~p["matched"]).sum()) == m["unmatched_bureaux"] > 0
    assert not p.drop(columns=["commune_code", "arrondissement_code"]).isna().any().any()
    w = p["inscrits"]
    # anchor = national inscrits-weighted turnout of 2019 (sum votants / sum inscrits)
    assert np.average(p["turnout_pred"], weights=w) == pytest.approx(
        np.average(p["turnout_obs"], weights=w), abs=1e-9)


@pytest.mark.shared
def test_paris_without_anchor_keeps_the_survey_turnout_level(paris, shared_dir) -> None:
    res = bt.backtest("paris-2017-t2", anchor="none", n_draws=100, legacy=True)
    t1 = _raw_paris(shared_dir, "2017-presidentielle-1_par_bureau_large.csv.gz").set_index("bureau")
    t2 = _raw_paris(shared_dir, "2017-presidentielle-2_par_bureau_large.csv").set_index("bureau")
    # Without a poll the turnout model keeps its own level: round-1 voix x share of each
    # electorate intending to vote Macron or Le Pen (the survey's figures written out here:
    # Mélenchon 51 + 19, Hamon 80 + 8, Fillon 41 + 33; assumptions: finalists' voters 100,
    # Arthaud/Poutou as Mélenchon, Dupont-Aignan 30 + 50, the others as Fillon) / inscrits,
    # averaged with the round-2 inscrits, from the raw files
    both = {"MACRON": 100, "LE PEN": 100, "MÉLENCHON": 70, "ARTHAUD": 70, "POUTOU": 70,
            "HAMON": 88, "FILLON": 74, "ASSELINEAU": 74, "LASSALLE": 74, "CHEMINADE": 74,
            "DUPONT-AIGNAN": 80}
    voters = sum(t1[c].astype(int) * v / 100 for c, v in both.items())
    turnout1 = voters / t1["inscrits"].astype(int)
    weights2 = t2["inscrits"].astype(int).reindex(turnout1.index)
    level = float((turnout1 * weights2).sum() / weights2.sum())
    p = res.predictions
    assert np.average(p["turnout_pred"], weights=p["inscrits"]) == pytest.approx(level, abs=1e-9)
    assert res.metrics["anchor"] == "none"


def test_time_split_inflation_restores_coverage_on_a_later_round() -> None:
    """Intervals calibrated on a development round cover a scored round that departs alike."""
    import types

    from scipy.special import expit

    from swingcast.model.estimators import ShareModel
    from swingcast.model.intervals import logit_interval
    from swingcast.model.synthbureaux import make_bureaux

    data = make_bureaux(n_communes=400, intercept=-0.62, seed=4)
    model = ShareModel().fit(data.X, data.y)
    n = data.X["inscrits"].to_numpy(int)

    def later_round(seed: int) -> np.ndarray:
        # a later election: every bureau departs from the training truth by N(0, 0.4^2)
        rng = np.random.default_rng(seed)
        return rng.binomial(n, expit(data.eta + rng.normal(0.0, 0.4, len(n)))) / n

    dev_y = later_round(11)
    case = types.SimpleNamespace(dev=lambda: (data.X, pd.DataFrame({"share": dev_y}, index=data.X.index),
                                              pd.DataFrame(index=data.X.index)))
    ratio = bt._dev_inflation(model, case, "share", "prior_share", False)
    scored = later_round(12)
    eta = np.log(model.predict(data.X)) - np.log1p(-model.predict(data.X))
    scale = model.scale(data.X)

    def coverage(factor: float) -> float:
        lo, hi = logit_interval(eta, scale * factor, model.q_)
        return float(np.mean((lo <= scored) & (scored <= hi)))

    # the training quantile alone under-covers the later round; the inflated one is nominal
    assert coverage(1.0) < 0.65
    assert ratio > 1.2
    assert coverage(ratio) == pytest.approx(0.8, abs=0.03)
