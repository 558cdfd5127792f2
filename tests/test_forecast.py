"""Tests of swingcast.forecast and swingcast.backtest on a history (département 04 cut from the
national files, fixture ``dep04``).

Every figure is checked against plain pandas on the raw cut files: the carried anchors, the
re-centring on a given anchor, and the baselines of the back-test JSON.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import swingcast
from swingcast.errors import SchemaError
from swingcast.model.forecast import FORECAST_COLUMNS

from .conftest import DEP04_ROUNDS

pytestmark = pytest.mark.shared

RN_COLUMNS = ("LFN", "FN", "LE PEN", "PRENEZ LE POUVOIR")  # the RN in each raw file


def raw(path) -> pd.DataFrame:
    """A raw cut file indexed by a hand-built bureau id, counts as floats, RN voix summed."""
    df = pd.read_csv(path, dtype=str)
    df.index = df["departement"] + df["commune"] + "_" + df["bureau"].str.lstrip("0")
    out = df[["inscrits", "votants", "exprimes"]].astype(float)
    out["rn"] = sum(df[c].astype(float) for c in RN_COLUMNS if c in df.columns)
    out["commune"] = df["departement"] + df["commune"]
    return out


def logit(p: float) -> float:
    return float(np.log(p) - np.log1p(-p))


def expit(x: float) -> float:
    return float(1 / (1 + np.exp(-x)))


@pytest.fixture(scope="module")
def history04(dep04):
    return swingcast.load_history([dep04[n] for n in DEP04_ROUNDS],
                                  labels=[lab for _, lab in DEP04_ROUNDS.values()])


@pytest.fixture(scope="module")
def forecast04(history04):
    return swingcast.forecast(history04, election="2022-presidentielle", round=1, share="Le Pen")


@pytest.fixture(scope="module")
def legacy04(history04):
    return swingcast.forecast(history04, election="2022-presidentielle", round=1, share="Le Pen", model="legacy")


def _described(prev: pd.DataFrame, bureaux: pd.Index, rate) -> pd.Series:
    """A previous-round rate on other bureaux: own value, else the commune's (ratio of sums)."""
    own = rate(prev).reindex(bureaux)
    com = prev.groupby("commune")[["inscrits", "votants", "exprimes", "rn"]].sum()
    communes = pd.Series(bureaux.str[:5], index=bureaux)
    return own.fillna(communes.map(rate(com)))


@pytest.mark.parametrize("which", ["forecast04", "legacy04"])
def test_forecast_predictions_and_training(which, request, dep04) -> None:
    f = request.getfixturevalue(which)
    eu19 = raw(dep04["04_2019-europeennes.csv"])
    eu19 = eu19[eu19["inscrits"] > 0]
    p = f.predictions
    assert list(p.columns) == list(FORECAST_COLUMNS)
    assert sorted(p["bureau_id"]) == sorted(eu19.index)  # the bureaux of the latest round
    assert p.set_index("bureau_id")["inscrits"].to_dict() == eu19["inscrits"].to_dict()
    assert p["matched"].all()  # the latest round describes its own bureaux
    for t in ("turnout", "share"):
        assert (p[f"{t}_lo"] <= p[f"{t}_pred"]).all() and (p[f"{t}_pred"] <= p[f"{t}_hi"]).all()
    assert p["swing_prob"].between(0, 1).all()
    assert len(swingcast.rank_bureaux(p)) == len(p)
    if which == "forecast04":  # the blend: every round, weights summing to one
        assert f.training["rule"] == "stack"
        for q in ("turnout", "share"):
            assert sum(f.training["weights"][q].values()) == pytest.approx(1.0)
            assert len(f.training["weights"][q]) == len(DEP04_ROUNDS)
        assert f.anchors["turnout_source"] == f.anchors["share_source"] == "carried from 2017-presidentielle-1"
        return
    # European 2014 -> presidential 2017 round 1, applied to European 2019 -> presidential 2022
    assert f.training["rule"] == "same-transition"
    assert (f.training["features"], f.training["outcome"], f.training["apply"]) == (
        ["2014-europeennes-1"], "2017-presidentielle-1", ["2019-europeennes-1"])
    assert f.anchors["turnout_source"] == f.anchors["share_source"] == "carried swing"


def test_blend_carries_the_latest_same_kind_level_by_hand(forecast04, dep04) -> None:
    """No anchor: the presidential 2017 round 1's results (ratios of sums), re-centred on: turnout
    over the inscrits, the share over the expected voters."""
    p17 = raw(dep04["04_p17a.csv"])
    p17 = p17[p17["inscrits"] > 0]
    turnout = p17["votants"].sum() / p17["inscrits"].sum()
    share = p17["rn"].sum() / p17["exprimes"].sum()
    assert forecast04.anchors["turnout"] == pytest.approx(turnout, rel=1e-9)
    assert forecast04.anchors["share"] == pytest.approx(share, rel=1e-9)
    p = forecast04.predictions
    voters = p["inscrits"] * p["turnout_pred"]
    assert np.average(p["turnout_pred"], weights=p["inscrits"]) == pytest.approx(turnout, abs=1e-6)
    assert np.average(p["share_pred"], weights=voters) == pytest.approx(share, abs=1e-6)


def test_carried_anchor_by_hand(legacy04, dep04) -> None:
    """expit(logit L + logit B - logit A), every level a ratio of sums over the right bureaux."""
    eu14, p17 = raw(dep04["04_2014-europeennes.csv"]), raw(dep04["04_p17a.csv"])
    eu19 = raw(dep04["04_2019-europeennes.csv"])
    p17 = p17[(p17["inscrits"] > 0) & (p17["exprimes"] > 0)]  # training bureaux
    eu19 = eu19[eu19["inscrits"] > 0]
    turnout = lambda d: d["votants"] / d["inscrits"]  # noqa: E731
    share = lambda d: d["rn"] / d["exprimes"]  # noqa: E731
    w = p17["inscrits"]
    for target, rate, wl in (("turnout", turnout, eu19["inscrits"]),
                             ("share", share, eu19["inscrits"])):
        a = float(np.average(_described(eu14, p17.index, rate), weights=w))
        b = float(np.average(rate(p17), weights=w))
        latest = float(np.average(rate(eu19), weights=wl))
        expected = expit(logit(latest) + logit(b) - logit(a))
        assert legacy04.anchors[target] == pytest.approx(expected, rel=1e-9)
        got = np.average(legacy04.predictions[f"{target}_pred"], weights=legacy04.predictions["inscrits"])
        assert got == pytest.approx(expected, abs=1e-6)  # predictions re-centred on it


def test_given_anchor_and_share_spellings(history04, forecast04) -> None:
    f = swingcast.forecast(history04, "2022-presidentielle", 1, "rn",
                           anchor={"turnout": 0.74, "share": 0.25}, n_draws=200)
    p = f.predictions
    assert np.average(p["turnout_pred"], weights=p["inscrits"]) == pytest.approx(0.74, abs=1e-6)
    assert np.average(p["share_pred"], weights=p["inscrits"] * p["turnout_pred"]) == pytest.approx(0.25, abs=1e-6)
    assert f.anchors["turnout_source"] == "given"
    # "Le Pen", "LE PEN" and "rn" are the same party; the carried anchors are identical
    again = swingcast.forecast(history04, "2022-presidentielle", 1, "LE PEN")
    pd.testing.assert_frame_equal(again.predictions, forecast04.predictions)
    bloc = swingcast.forecast(history04, "2022-presidentielle", 1, "far_right", n_draws=100)
    assert bloc.training["share_group"] == "far_right"
    # a nuance code of the legislative files is the RN too; a surname absent before 2017 is refused
    assert swingcast.forecast(history04, "2022-presidentielle", 1, "FN", n_draws=50).training["share_group"] == "rn"
    with pytest.raises(SchemaError, match="give their bloc"):  # the legacy transition lacks him
        swingcast.forecast(history04, "2022-presidentielle", 1, "Macron", model="legacy")
    # the blend takes his share where he stood (2017) and his bloc's elsewhere
    macron = swingcast.forecast(history04, "2022-presidentielle", 1, "Macron", n_draws=50)
    assert macron.training["share_group"] != "rn" and macron.predictions["share_pred"].between(0, 1).all()
    with pytest.raises(SchemaError, match="not after the latest round"):
        swingcast.forecast(history04, "2019-europeennes", 1, "rn")
    with pytest.raises(SchemaError, match="0.74, not 74"):
        swingcast.forecast(history04, "2022-presidentielle", 1, "rn", anchor=(74, None))


def test_census_counts_become_features(history04) -> None:
    ids = sorted(set(history04.stations["bureau_id"]))
    rng = np.random.default_rng(0)
    pop = rng.integers(200, 2000, len(ids)).astype(float)
    census = pd.DataFrame({"pop": pop, "workers": np.round(pop * rng.uniform(0.1, 0.5, len(ids)))},
                          index=pd.Index(ids, name="bureau_id"))
    census.attrs["census_total"] = "pop"
    f = swingcast.forecast(history04, "2022-presidentielle", 1, "rn", census=census, n_draws=100, model="legacy")
    assert "census_workers_share" in f.training["model_features"]
    assert "census_workers_share" not in swingcast.forecast(
        history04, "2022-presidentielle", 1, "rn", n_draws=100, model="legacy").training["model_features"]
    with pytest.raises(SchemaError, match="'blend' or 'legacy'"):
        swingcast.forecast(history04, "2022-presidentielle", 1, "rn", model="ridge")


def hand_baselines(dep04) -> dict:
    """Carry-forward and uniform swing of European 2019 from the legislative 2017 round 1."""
    leg, eu = raw(dep04["04_2017-legislatives-1.csv"]), raw(dep04["04_2019-europeennes.csv"])
    eu = eu[(eu["inscrits"] > 0) & (eu["exprimes"] > 0)]
    assert eu.index.isin(leg.index).all() and (leg.loc[eu.index, "exprimes"] > 0).all()
    w = eu["inscrits"].to_numpy()
    out = {}
    for target, num, den in (("turnout", "votants", "inscrits"), ("share", "rn", "exprimes")):
        prior = (leg.loc[eu.index, num] / leg.loc[eu.index, den]).to_numpy()
        obs = (eu[num] / eu[den]).to_numpy()
        uniform = np.clip(prior + np.average(obs, weights=w) - np.average(prior, weights=w), 0, 1)
        out[target] = {"carry_forward": np.abs(prior - obs).mean(),
                       "uniform_swing": np.abs(uniform - obs).mean(),
                       "uniform_swing_weighted": np.average(np.abs(uniform - obs), weights=w),
                       "n": len(obs), "anchor": np.average(obs, weights=w)}
    return out


def check_against_hand(metrics: dict, hand: dict) -> None:
    for target in ("turnout", "share"):
        m = metrics[target]
        assert m["carry_forward"]["mae"] == pytest.approx(hand[target]["carry_forward"], rel=1e-9)
        assert m["uniform_swing"]["mae"] == pytest.approx(hand[target]["uniform_swing"], rel=1e-9)
        assert m["uniform_swing"]["mae_weighted"] == pytest.approx(
            hand[target]["uniform_swing_weighted"], rel=1e-9)
        assert m["model"]["n"] == hand[target]["n"]
        assert metrics["anchors"][target] == pytest.approx(hand[target]["anchor"], rel=1e-9)


def test_backtest_of_a_history_against_hand(history04, dep04) -> None:
    # the older one-transition models (the protocol's figures: tests/test_cli_history.py)
    res = swingcast.backtest(history04, target="2019-europeennes-1", share="rn", n_draws=200, legacy=True)
    m = res.metrics
    # earlier rounds only: a first round described by the first round before it
    assert (m["training"]["rule"], m["training"]["features"], m["training"]["outcome"],
            m["training"]["apply"]) == ("same-round", ["2017-presidentielle-1"],
                                        "2017-legislatives-1", ["2017-legislatives-1"])
    check_against_hand(m, hand_baselines(dep04))
    assert m["unmatched_bureaux"] == 0
    assert {"interval_coverage", "brier", "anchor"} <= set(m)


def test_rolling_backtest_is_one_table(history04) -> None:
    table = swingcast.backtest(history04, share="rn", rolling=True, n_draws=100, legacy=True)
    assert table["round"].unique().tolist() == ["2017-presidentielle-2", "2017-legislatives-1",
                                                "2019-europeennes-1"]
    single = swingcast.backtest(history04, target="2019-europeennes-1", share="rn", n_draws=100, legacy=True)
    row = table[(table["round"] == "2019-europeennes-1") & (table["target"] == "share")
                & (table["method"] == "model")].iloc[0]
    assert row["mae"] == pytest.approx(single.metrics["share"]["model"]["mae"], rel=1e-12)
    assert row["brier_model"] == pytest.approx(single.metrics["brier"]["model"], rel=1e-12)


#: the bloc of each 2017 round-1 candidate (swingcast.model.blocs; the RN is far right)
BLOCS_2017 = {"MACRON": "centre", "MÉLENCHON": "far_left", "POUTOU": "far_left", "ARTHAUD": "far_left",
              "FILLON": "right", "DUPONT-AIGNAN": "right", "HAMON": "left", "LE PEN": "far_right",
              "ASSELINEAU": "other", "LASSALLE": "other", "CHEMINADE": "other"}


def test_forecast_swing_and_flip_are_first_place_draws(history04, dep04, monkeypatch) -> None:
    import swingcast.model.events as events

    seen: dict = {}
    real = events.first_place_probs

    def spy(shares, scale, **kw):
        seen.update(shares=np.array(shares), scale=np.array(scale), **kw)
        return real(shares, scale, **kw)

    monkeypatch.setattr(events, "first_place_probs", spy)
    f = swingcast.forecast(history04, election="2022-presidentielle", round=1, share="Le Pen", n_draws=2000)
    p = f.predictions.set_index("bureau_id")
    assert p["flip_prob"].between(0, 1).all() and p["swing_prob"].between(0, 1).all()
    # the contenders: the 2017 round 1 (same kind and round number), by hand from the raw file
    p17 = pd.read_csv(dep04["04_p17a.csv"], dtype=str)
    p17.index = p17["departement"] + p17["commune"] + "_" + p17["bureau"].str.lstrip("0")
    voix = p17[list(BLOCS_2017)].astype(float).reindex(p.index)
    assert voix.notna().all().all()  # every 2019 bureau voted in 2017
    shares = voix.div(voix.sum(axis=1), axis=0)
    w = p["inscrits"].to_numpy(float)
    levels = pd.Series(np.average(shares, axis=0, weights=w), index=shares.columns)
    others = levels.drop("LE PEN").sort_values(ascending=False)
    keep = [c for c in others.index[:5] if others[c] >= 0.03]
    assert f.notes["first_place"]["contenders"] == ["TARGET", *keep]
    rest = (1 - f.anchors["share"]) / (1 - levels["LE PEN"])
    bloc_shares = shares.T.groupby(pd.Series(BLOCS_2017)).sum().T
    expected = np.column_stack([p["share_pred"]] + [
        bloc_shares[BLOCS_2017[c]] * levels[c] * rest / np.average(bloc_shares[BLOCS_2017[c]], weights=w)
        for c in keep])
    np.testing.assert_allclose(seen["shares"], expected, rtol=1e-9)
    # an independent Monte Carlo of the same noise: common logit error per contender, local
    # noise = scale x a resampled standardised residual
    rng = np.random.default_rng(12345)
    n, k, draws = expected.shape[0], expected.shape[1], 4000
    e = np.clip(expected, 1e-6, 1 - 1e-6)  # as the simulation does
    eta = np.log(e) - np.log1p(-e)
    common = rng.normal(0, seen["common_sd"], (draws, k))
    pool = np.asarray(seen["residuals"])
    local = pool[rng.integers(0, pool.size, (n, draws, k))] * seen["scale"][:, None, None]
    winner = (eta[:, None, :] + common[None] + local).argmax(axis=2)
    mine = (winner == 0).mean(axis=1)
    assert np.abs(mine - p["swing_prob"].to_numpy()).mean() < 0.015
    assert np.abs(mine - p["swing_prob"].to_numpy()).max() < 0.08
    # flip: first place before = the 2017 round 2's winner (the latest presidential round)
    p17b = pd.read_csv(dep04["04_p17b.csv"], dtype=str)
    p17b.index = p17b["departement"] + p17b["commune"] + "_" + p17b["bureau"].str.lstrip("0")
    duel = p17b[["LE PEN", "MACRON"]].astype(float).reindex(p.index)
    before = np.where(duel["LE PEN"] > duel["MACRON"], "far_right", "centre")
    blocs = np.array(["far_right", *[BLOCS_2017[c] for c in keep]])
    stays = (blocs[winner] == before[:, None]).mean(axis=1)
    assert f.notes["first_place"]["flip_round"] == "2017-presidentielle-2"
    assert np.abs((1 - stays) - p["flip_prob"].to_numpy()).mean() < 0.015
