"""The test-round protocol on a small synthetic history: the test round never steers a choice."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from swingcast.errors import SchemaError
from swingcast.model.priors import PriorRound, binomial_floor
from swingcast.model.protocol import HistorySpec, run_protocol
from swingcast.model.transitions import TransitionModel, round_values, transition_matrix

KINDS = [("2014-europeennes-1", "europeennes"), ("2017-presidentielle-1", "presidentielle"),
         ("2017-legislatives-1", "legislatives"), ("2019-europeennes-1", "europeennes"),
         ("2022-presidentielle-1", "presidentielle")]


def _history(seed: int = 0, n: int = 120, test_shift: float = 0.0) -> list[PriorRound]:
    rng = np.random.default_rng(seed)
    ids = [f"{10000 + i // 12}_{i % 12}" for i in range(n)]
    base_t = rng.normal(0, 0.4, n)
    base_s = rng.normal(0, 0.5, n)
    ins = rng.integers(300, 1200, n)
    rounds = []
    for k, (label, kind) in enumerate(KINDS):
        lt = {"europeennes": -0.3, "presidentielle": 1.3, "legislatives": 0.2}[kind]
        shift = test_shift if k == len(KINDS) - 1 else 0.0
        t = 1 / (1 + np.exp(-(lt + base_t + rng.normal(0, 0.1, n))))
        s = 1 / (1 + np.exp(-(-1.2 + base_s + shift + rng.normal(0, 0.15, n))))
        vot = rng.binomial(ins, t)
        exp = np.maximum(vot - rng.binomial(vot, 0.03), 1)
        rn = rng.binomial(exp, s)
        other = exp - rn
        st = pd.DataFrame({"bureau_id": ids, "inscrits": ins, "votants": vot, "exprimes": exp})
        vt = pd.DataFrame({"bureau_id": ids * 3, "candidate": ["LE PEN"] * n + ["MACRON"] * n + ["HAMON"] * n,
                           "voix": np.concatenate([rn, other // 2, other - other // 2])})
        rounds.append(PriorRound(label, kind, st, vt))
    return rounds


def _spec(rounds):
    return HistorySpec("synthetic", rounds, lambda v: v["candidate"].eq("LE PEN"), "far_right")


@pytest.fixture(scope="module")
def result():
    return run_protocol(_spec(_history()), n_draws=200)


def test_metrics_are_consistent(result):
    rounds = _history()
    rv = round_values(rounds[-1], "share", target=lambda v: v["candidate"].eq("LE PEN"))
    sh = result["share"]
    assert sh["floor_mae"] == pytest.approx(binomial_floor(rv.value.to_numpy(), rv.n.to_numpy()))
    best = min(sh["baselines"].values())
    assert sh["best_baseline"]["mae"] == pytest.approx(best)
    assert sh["mae_ratio"] == pytest.approx(sh["model"]["mae"] / best)
    assert sh["gap_closed"] == pytest.approx((best - sh["model"]["mae"]) / (best - sh["floor_mae"]))
    assert result["anchor"] == "actual" and "perfect poll" in result["anchor_means"]
    for q in ("turnout", "share"):
        assert result[q]["coverage"]["n_matched"] == 120
    b = result["events"]["brier"]
    assert 0 <= b["swing_prob"]["model"] <= 1 and 0 <= b["flip_prob"]["uniform_swing"] <= 1


def test_the_test_round_never_steers_a_choice(result):
    other = run_protocol(_spec(_history(test_shift=0.4)), n_draws=200)
    for q in ("turnout", "share"):
        a, b = result[q]["training"], other[q]["training"]
        assert a["choice"] == b["choice"]
        assert a["sigma2"] == b["sigma2"] and a["q"] == b["q"]
        assert result[q]["development"] == other[q]["development"]
    assert result["share"]["model"]["mae"] != other["share"]["model"]["mae"]


def test_model_recovers_a_known_blend():
    rng = np.random.default_rng(2)
    X = pd.DataFrame({"recent": rng.normal(size=400), "same": rng.normal(size=400)})
    y = 0.6 * X["recent"] + 0.3 * X["same"] + rng.normal(0, 0.01, 400)
    m = TransitionModel(alpha=0.01, offset="recent").fit([(X, y)])
    assert m.coef_["recent"] == pytest.approx(-0.4, abs=0.01)  # departures from the offset
    assert m.coef_["same"] == pytest.approx(0.3, abs=0.01)


def test_unmatched_bureaux_get_their_commune():
    rounds = _history()
    target = lambda v: v["candidate"].eq("LE PEN")  # noqa: E731
    rv0 = round_values(rounds[0], "turnout", target=target)
    idx = pd.Index([*rv0.value.index[:3], "10000_99"])
    com = pd.Series(idx.str.split("_").str[0], index=idx)
    X, matched = transition_matrix([rv0], "presidentielle", 1, idx, com, pd.Series(500.0, index=idx))
    assert matched.tolist() == [True, True, True, False]
    assert X.loc["10000_99", "recent"] == pytest.approx(X.loc[idx[:3], "recent"].mean())


def test_bad_anchor_and_short_history():
    with pytest.raises(SchemaError, match="anchor"):
        run_protocol(_spec(_history()), anchor="exit-poll")
    with pytest.raises(SchemaError, match="two rounds"):
        run_protocol(_spec(_history()[:1]))


def test_two_rounds_use_the_pooled_calibration():
    from dataclasses import replace

    from swingcast.model.protocol import DEFAULT_CALIBRATION, STACK_DEFAULT_CALIBRATION

    for model, table in (("stack", STACK_DEFAULT_CALIBRATION), ("blend", DEFAULT_CALIBRATION)):
        res = run_protocol(replace(_spec(_history()[:2]), model=model), n_draws=100)
        for q in ("turnout", "share"):
            t = res[q]["training"]
            assert (t["sigma2"], t["q"]) == table[q]
            assert res[q]["development"] == []
            assert "pooled development" in t["calibration"]


def test_stack_scales_the_history_calibration_and_blend_does_not():
    """With development rounds, v3's q is the history's own calibration times STACK_Q_SCALE."""
    from dataclasses import replace

    from swingcast.model.protocol import STACK_Q_SCALE, _calibrate

    spec = _spec(_history())
    for model, scale in (("stack", STACK_Q_SCALE), ("blend", {"turnout": 1.0, "share": 1.0})):
        s = replace(spec, model=model, cache={})
        run_protocol(s, n_draws=50)
        for q in ("turnout", "share"):
            dev = s.cache[(model, q)]
            rows = dev["dev_rows"]
            s2, q0, _ = _calibrate(*(np.concatenate([r[k] for r in rows]) for k in ("pred", "obs", "n")))
            assert dev["sigma2"] == pytest.approx(s2)
            assert dev["q"] == pytest.approx(q0 * scale[q])


def _as_history(rounds):
    from swingcast.model.history import History

    st, vt = [], []
    for r in rounds:
        e, k = r.label.rsplit("-", 1)
        s = r.stations.assign(election=e, round=int(k), label=r.label, departement="10",
                              commune_code=r.stations["bureau_id"].str.split("_").str[0],
                              arrondissement_code=None, blancs=0,
                              nuls=r.stations["votants"] - r.stations["exprimes"],
                              abstentions=r.stations["inscrits"] - r.stations["votants"])
        st.append(s)
        vt.append(r.votes.assign(election=e, round=int(k), label=r.label, nuance=None, list=None, panel=None))
    return History(pd.concat(st, ignore_index=True), pd.concat(vt, ignore_index=True), [r.label for r in rounds])


def test_history_backtest_json_has_the_strongest_baselines_and_the_floor():
    from swingcast.model.backtest import backtest

    rounds = _history()
    # the older models' JSON (legacy=True) carries the strongest baselines as extras
    res = backtest(_as_history(rounds), target=rounds[-1].label, share="LE PEN", n_draws=100, legacy=True)
    ex = res.metrics["extras"]
    rv = round_values(rounds[-1], "share", target=lambda v: v["candidate"].eq("LE PEN"))
    assert ex["share"]["floor_mae"] == pytest.approx(binomial_floor(rv.value.to_numpy(), rv.n.to_numpy()))
    for q in ("turnout", "share"):
        assert ex[q]["best_baseline"]["mae"] == pytest.approx(min(ex[q]["baselines"].values()))
        # the named cases' three baselines are among them: the best is at least as strong
        assert ex[q]["best_baseline"]["mae"] <= min(res.metrics[q][m]["mae"] for m in
                                                    ("carry_forward", "uniform_swing", "proportional_swing")) + 1e-12
        assert ex[q]["coverage"]["n_matched"] + ex[q]["coverage"]["n_unmatched"] == res.metrics["n_bureaux"]
    ev = ex["events"]
    assert ev["contenders"][0] == "TARGET"
    # in the synthetic rounds Le Pen (mean ~25 %) is below Macron's half of the rest only sometimes
    rv_all = rounds[-1].votes.pivot_table(index="bureau_id", columns="candidate", values="voix")
    assert ev["n_target_first"] == int((rv_all.idxmax(axis=1) == "LE PEN").sum())
    for event in ("swing_prob", "flip_prob"):
        for method in ("model", "uniform_swing"):
            assert 0.0 <= ev["brier"][event][method] <= 1.0


def test_protocol_spec_from_a_history():
    from swingcast import protocol_spec

    rounds = _history()
    h = _as_history(rounds)
    spec = protocol_spec(h, "Le Pen", target=rounds[-2].label)
    assert [r.label for r in spec.rounds] == [r.label for r in rounds[:-1]]  # later rounds left out
    assert spec.bloc == "far_right"
    votes = spec.rounds[0].votes
    assert spec.target(votes).sum() == (votes["candidate"] == "LE PEN").sum()
    with pytest.raises(SchemaError, match="no round"):
        protocol_spec(h, "rn", target="2030-presidentielle-1")


def test_history_backtest_is_the_protocol_with_the_older_keys_alongside():
    """backtest(history) = run_protocol on the rounds up to the target; the older keys agree."""
    from swingcast import protocol_spec
    from swingcast.model.backtest import backtest

    rounds = _history()
    h = _as_history(rounds)
    res = backtest(h, target=rounds[-2].label, share="LE PEN", n_draws=100)
    m = res.metrics
    direct = run_protocol(protocol_spec(h, "LE PEN", target=rounds[-2].label), n_draws=100)
    assert m["path"] == "protocol" and m["test_round"] == rounds[-2].label  # later round dropped
    assert m["rounds"] == [r.label for r in rounds[:-1]]
    p = res.predictions
    for q in ("turnout", "share"):
        assert m[q]["model"] == pytest.approx(direct[q]["model"])
        assert m[q]["best_baseline"]["mae"] == pytest.approx(direct[q]["best_baseline"]["mae"])
        assert m["mae_ratio"][q] == m[q]["mae_ratio"] == pytest.approx(
            m[q]["model"]["mae"] / m[q]["best_baseline"]["mae"])
        for key in ("best_baseline", "floor_mae", "gap_closed"):
            assert m["extras"][q][key] == m[q][key]
        # the per-bureau frame gives back the reported MAE and coverage
        err = (p[f"{q}_pred"] - p[f"{q}_obs"]).abs().dropna()
        assert err.mean() == pytest.approx(m[q]["model"]["mae"], rel=1e-12)
        inside = ((p[f"{q}_lo"] <= p[f"{q}_obs"]) & (p[f"{q}_obs"] <= p[f"{q}_hi"]))[p[f"{q}_obs"].notna()]
        assert inside.mean() == pytest.approx(m["interval_coverage"][q], rel=1e-12)
    assert m["brier"]["model"] == m["events"]["brier"]["swing_prob"]["model"]
    assert m["brier"]["flip_uniform_swing"] == m["events"]["brier"]["flip_prob"]["uniform_swing"]
    assert p["swing_prob"].between(0, 1).all() and p["flip_prob"].between(0, 1).all()
    with pytest.raises(SchemaError, match="legacy models only"):
        backtest(h, target=rounds[-1].label, share="LE PEN", method="gbm")
    with pytest.raises(SchemaError, match="'actual', 'poll' or 'none'"):
        backtest(h, target=rounds[-1].label, share="LE PEN", anchor="perfect")


def test_rolling_protocol_scores_every_round_with_two_earlier_ones():
    from swingcast.model.backtest import backtest

    rounds = _history()
    h = _as_history(rounds)
    table = backtest(h, share="LE PEN", rolling=True, n_draws=100)
    assert table["round"].tolist() == [r.label for r in rounds[2:] for _ in (0, 1)]
    assert table["target"].tolist() == ["turnout", "share"] * 3
    single = backtest(h, target=rounds[3].label, share="LE PEN", n_draws=100).metrics
    row = table[(table["round"] == rounds[3].label) & (table["target"] == "share")].iloc[0]
    assert row["model_mae"] == pytest.approx(single["share"]["model"]["mae"], rel=1e-12)
    assert row["best_baseline"] == single["share"]["best_baseline"]["name"]
    assert row["mae_ratio"] == pytest.approx(row["model_mae"] / row["best_baseline_mae"], rel=1e-12)
    assert row["brier_flip_model"] == pytest.approx(single["brier"]["flip_model"], rel=1e-12)
    assert table.attrs["anchor"] == "actual" and "perfect poll" in table.attrs["anchor_means"]


def test_anchor_none_carries_the_latest_same_kind_level_by_hand():
    rounds = _history()
    res = run_protocol(_spec(rounds), anchor="none", n_draws=100)
    p17 = rounds[1]  # 2017-presidentielle-1: the latest earlier round of the test round's kind
    st = p17.stations
    turnout = float(np.average(st["votants"] / st["inscrits"], weights=st["inscrits"]))
    rn = p17.votes[p17.votes["candidate"].eq("LE PEN")]["voix"].to_numpy()
    share = float(np.average(rn / st["exprimes"].to_numpy(), weights=st["inscrits"]))
    assert res["turnout"]["level"] == pytest.approx(turnout)
    assert res["share"]["level"] == pytest.approx(share)
    assert "from earlier data only" in res["anchor_means"]


def test_backtest_model_option_runs_v3_or_v2_on_the_same_rounds():
    from dataclasses import replace

    from swingcast.model.backtest import backtest

    rounds = _history()
    h = _as_history(rounds)
    v3 = backtest(h, target=rounds[-1].label, share="LE PEN", n_draws=50)
    v2 = backtest(h, target=rounds[-1].label, share="LE PEN", n_draws=50, model="blend")
    assert "model v3" in v3.metrics["share"]["training"]["model"]
    assert "model v2" in v2.metrics["share"]["training"]["model"]
    # the v2 figure is the protocol's own v2 run on the same spec (independent entry point)
    direct = run_protocol(replace(_spec(rounds), model="blend"), n_draws=50)
    assert v2.metrics["turnout"]["model"]["mae"] == pytest.approx(direct["turnout"]["model"]["mae"])
    rolled = backtest(h, share="LE PEN", rolling=True, n_draws=50, model="blend")
    assert len(rolled) > 0
    with pytest.raises(SchemaError, match="model must be"):
        backtest(h, target=rounds[-1].label, share="LE PEN", model="ridge")
    with pytest.raises(SchemaError, match="legacy models"):
        backtest(h, target=rounds[-1].label, share="LE PEN", model="blend", legacy=True)
