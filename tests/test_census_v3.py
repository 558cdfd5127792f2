"""Census among model v3's denoiser predictors (docs/models.md, protocol log, entries 20–21)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from swingcast.errors import ModelError
from swingcast.model.blend import denoise
from swingcast.model.censusinputs import census_predictors
from swingcast.model.priors import PriorRound
from swingcast.model.stack import STACK_DEFAULTS, StackModel


def test_census_predictors_are_standardised_shares_filled_by_commune():
    idx = pd.Index(["1_a", "1_b", "1_c", "2_a"])
    census = pd.DataFrame({"pop": [100.0, 300.0, 100.0, 50.0], "x": [50.0, 60.0, 0.0, 10.0],
                           "flat": [10.0, 30.0, 10.0, 5.0]}, index=["1_a", "1_b", "1_c", "2_a"])
    z = census_predictors(census.drop(index="1_c"), "pop", idx,
                          pd.Series(["1", "1", "1", "2"], index=idx))
    # by hand: shares 0.5, 0.2, 1_c absent -> commune 1's (50 + 60) / (100 + 300) = 0.275, 0.2;
    # "flat" (0.1 everywhere) carries nothing and is dropped
    shares = np.array([0.5, 0.2, 0.275, 0.2])
    assert z.shape == (4, 1)
    assert np.allclose(z[:, 0], (shares - shares.mean()) / shares.std())


def test_a_census_that_knows_the_truth_makes_the_denoiser_closer_to_it():
    rng = np.random.default_rng(7)
    n_b = 300
    communes = np.arange(n_b) // 3
    truth = rng.normal(0.0, 0.06, n_b)
    census = truth[:, None] + rng.normal(0.0, 0.01, (n_b, 1))  # a census that tracks the truth
    D = np.column_stack([truth + rng.normal(0.0, 0.05, n_b), rng.normal(0.0, 0.05, n_b)])
    V = np.full_like(D, 0.05 ** 2)
    w = np.ones(n_b)
    plain = denoise(D, V, w, communes)[:, 0]
    with_census = denoise(D, V, w, communes, extra=census)[:, 0]
    err = lambda x: float(np.mean(np.abs(x - truth)))  # noqa: E731
    assert err(with_census) < 0.6 * err(plain) < err(D[:, 0])


def test_df_correction_scales_the_residual_variance_by_n_over_n_minus_p():
    rng = np.random.default_rng(1)
    n_b = 40
    D = rng.normal(0.0, 0.1, (n_b, 1))
    V = np.full_like(D, 0.004)
    communes = np.arange(n_b)  # one bureau per commune: the commune mean is absent (0)
    a = denoise(D, V, np.ones(n_b), communes)[:, 0]
    b = denoise(D, V, np.ones(n_b), communes, df_correct=True)[:, 0]
    # predictors: constant, leave-one-out mean (all 0), "has" (all 0): the fit is the mean, and
    # lstsq's rank is 1 but the correction counts the 3 columns, as written
    y = D[:, 0]
    r2 = float(np.mean((y - y.mean()) ** 2))
    for out, scale in ((a, 1.0), (b, n_b / (n_b - 3))):
        tau2 = r2 * scale - 0.004
        assert np.allclose(out, y.mean() + tau2 / (tau2 + 0.004) * (y - y.mean()))


def _rounds(rng, n_b=120):
    ids = [f"{c}_{i}" for i, c in enumerate(np.repeat(np.arange(n_b // 4), 4))]
    cadres = rng.uniform(0.05, 0.6, n_b)
    out = []
    for label, kind in (("2014-europeennes-1", "europeennes"), ("2017-presidentielle-1", "presidentielle"),
                        ("2019-europeennes-1", "europeennes")):
        ins = np.full(n_b, 800)
        exp = rng.binomial(ins, 0.6)
        p = np.clip(0.4 - 0.5 * (cadres - 0.3) + rng.normal(0, 0.02, n_b), 0.02, 0.98)
        voix = rng.binomial(exp, p)
        st = pd.DataFrame({"bureau_id": ids, "inscrits": ins, "votants": exp + 10, "exprimes": exp})
        vt = pd.DataFrame({"bureau_id": ids, "candidate": "LE PEN", "voix": voix})
        out.append(PriorRound(label, kind, st, vt))
    census = pd.DataFrame({"pop": 1000.0, "cadres": 1000.0 * cadres}, index=ids)
    return out, census, pd.Index(ids)


def _is_lp(votes):
    return votes["candidate"] == "LE PEN"


def test_stack_model_takes_the_census_for_shares_only():
    assert STACK_DEFAULTS["share"]["census"] is True and not STACK_DEFAULTS["turnout"].get("census", False)
    rng = np.random.default_rng(5)
    rounds, census, idx = _rounds(rng)
    ins = pd.Series(800.0, index=idx)
    kw = dict(kind="europeennes", round_no=1, year=2024, index=idx, inscrits=ins, level=0.4)
    share = StackModel("share")
    p0 = share.predict(rounds, target=_is_lp, **kw)
    p1 = share.predict(rounds, target=_is_lp, census=census, census_total="pop", **kw)
    assert not np.allclose(p0, p1)
    for p in (p0, p1):  # both centred on the anchor
        assert np.average(p, weights=ins) == pytest.approx(0.4, abs=1e-9)
    off = StackModel("share", census=False).predict(rounds, target=_is_lp, census=census,
                                                   census_total="pop", **kw)
    assert np.allclose(off, p0)
    turnout = StackModel("turnout")
    t0 = turnout.predict(rounds, **{**kw, "level": 0.5})
    t1 = turnout.predict(rounds, census=census, census_total="pop", **{**kw, "level": 0.5})
    assert np.allclose(t0, t1)
    with pytest.raises(ModelError, match="census_total"):
        share.predict(rounds, target=_is_lp, census=census, **kw)


def test_census_predictors_follow_a_table_changed_in_place():
    idx = pd.Index(["1_a", "1_b", "1_c"])
    com = pd.Series(["1", "1", "1"], index=idx)
    c = pd.DataFrame({"pop": [100.0, 100.0, 100.0], "x": [10.0, 20.0, 60.0]}, index=idx)
    first = census_predictors(c, "pop", idx, com)
    c.loc["1_c", "x"] = 30.0  # an analyst edits the table in a notebook and runs again
    second = census_predictors(c, "pop", idx, com)
    shares = np.array([0.1, 0.2, 0.3])
    assert np.allclose(second[:, 0], (shares - shares.mean()) / shares.std())
    assert not np.allclose(first, second)


def test_a_census_of_other_bureaux_is_refused_with_both_id_forms():
    from swingcast.errors import SchemaError

    idx = pd.Index(["92002_1", "92002_2"])
    c = pd.DataFrame({"pop": [1.0, 2.0], "x": [0.5, 1.0]}, index=["BV1", "BV2"])
    with pytest.raises(SchemaError, match=r"none of the 2 bureaux.*'92002_1'.*'BV1'"):
        census_predictors(c, "pop", idx, pd.Series(["92002", "92002"], index=idx))
