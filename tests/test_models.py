"""Tests of swingcast.model.estimators on synthetic bureaux with known effects (swingcast.synthetic)."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError as SklearnNotFittedError
from sklearn.model_selection import KFold, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from swingcast.errors import ModelError, NotFittedError
from swingcast.model.estimators import (
    BlocShareModel,
    ShareModel,
    TurnoutModel,
    irls_logit,
    logit_shift,
    recentre,
)
from swingcast.model.intervals import empirical_logit
from swingcast.model.synthbureaux import make_bureaux, redraw


def _expit(x):
    return 1.0 / (1.0 + np.exp(-x))


@pytest.fixture(scope="module")
def data():
    return make_bureaux(n_communes=300, seed=0)


@pytest.fixture(scope="module")
def fitted(data):
    return TurnoutModel().fit(data.X, data.y)


def _known_se(data) -> np.ndarray:
    """Standard errors of the GLS coefficients under the TRUE variance components.

    Dense ``(X' V^-1 X)^-1`` with V = diag(sigma^2 + 1/(n p (1-p))) + tau^2 within a
    commune, p the true expected proportion: computed here without the model's code.
    """
    X = data.X
    feats = list(data.coef.index)
    exog = np.column_stack([np.ones(len(X)), X[feats].to_numpy(dtype=float)])
    p = _expit(data.eta)
    n = X["inscrits"].to_numpy(dtype=float)
    same = (X["commune_code"].to_numpy()[:, None] == X["commune_code"].to_numpy()[None, :])
    V = data.tau**2 * same + np.diag(data.sigma**2 + 1.0 / (n * p * (1 - p)))
    cov = np.linalg.inv(exog.T @ np.linalg.solve(V, exog))
    return np.sqrt(np.diag(cov))[1:]


def test_coefficients_recovered_within_known_standard_errors(data, fitted):
    se = _known_se(data)
    err = (fitted.coef_ - data.coef).to_numpy()
    assert np.all(np.abs(err) < 4 * se), (err, se)
    # the model's own standard errors agree with the ones from the true variance components
    ratio = fitted.coef_se_.to_numpy() / se
    assert np.all((ratio > 0.7) & (ratio < 1.4)), ratio
    # variance components: tau (0.25) and sigma (0.1) of the generator
    assert np.sqrt(fitted.tau2_) == pytest.approx(data.tau, rel=0.25)
    assert np.sqrt(fitted.sigma2_) == pytest.approx(data.sigma, rel=0.35)


def test_pooled_commune_effects_beat_unpooled_for_small_communes(data, fitted):
    X = data.X
    feats = list(data.coef.index)
    # unpooled: the plain inscrits-weighted mean residual of each commune around the fixed part
    fixed = fitted.intercept_ + X[feats].to_numpy() @ fitted.coef_.to_numpy()
    resid = empirical_logit(data.y, X["inscrits"].to_numpy()) - fixed
    frame = pd.DataFrame({"g": X["commune_code"], "r": resid * X["inscrits"], "w": X["inscrits"]})
    sums = frame.groupby("g")[["r", "w"]].sum()
    unpooled = sums["r"] / sums["w"]
    size = X.groupby("commune_code").size()
    small = size.index[size <= 2]
    assert len(small) > 50
    # truth, centred like the estimates (the intercept absorbs the mean effect)
    truth = data.effects.reindex(small)
    pooled = fitted.group_effects_.reindex(small)
    mse_pooled = float(np.mean((pooled - truth) ** 2))
    mse_unpooled = float(np.mean((unpooled.reindex(small) - truth) ** 2))
    assert mse_pooled < mse_unpooled
    # large communes are barely shrunk: their pooled effect is close to the raw mean
    big = size.index[size >= 15]
    gap = (fitted.group_effects_.reindex(big) - unpooled.reindex(big)).abs()
    assert float(gap.max()) < 0.05


@pytest.mark.parametrize("method, cv", [("glm", 5), ("gbm", 1)])
def test_interval_coverage_on_fresh_draws(data, method, cv):
    model = TurnoutModel(method=method, cv=cv, coverage=0.8, gbm_max_iter=60).fit(data.X, data.y)
    covered = []
    for seed in (11, 12, 13):
        fresh = redraw(data, seed)
        lo, hi = model.predict_interval(fresh.X)
        covered.append((fresh.y >= lo) & (fresh.y <= hi))
    covered = np.concatenate(covered)
    assert 0.75 <= covered.mean() <= 0.85, covered.mean()


def test_small_bureaux_get_wider_intervals(data, fitted):
    X = data.X
    lo, hi = fitted.predict_interval(X)
    width = np.log(hi / (1 - hi)) - np.log(lo / (1 - lo))
    p = fitted.predict(X)
    n = X["inscrits"].to_numpy()
    # width = 2 q sqrt(sigma2 + 1/(n p (1-p)) + postvar_commune): what is left once the
    # binomial and over-dispersion parts are taken out is the commune-effect variance,
    # the same for every bureau of a commune and between 0 and tau2
    left = (width / (2 * fitted.q_)) ** 2 - fitted.sigma2_ - 1 / (n * p * (1 - p))
    by_commune = pd.Series(left, index=X.index).groupby(X["commune_code"])
    assert float((by_commune.max() - by_commune.min()).max()) < 1e-9
    assert left.min() > -1e-12 and left.max() <= fitted.tau2_ + 1e-12
    # communes with many bureaux know their effect better
    size = X.groupby("commune_code").size()
    assert by_commune.mean()[size[size >= 10].index].mean() < by_commune.mean()[size[size == 1].index].mean()
    assert width[n < 300].mean() > width[n > 1300].mean()
    # a commune never seen: its effect is unknown, the interval widens by tau2
    new = X.iloc[:1].assign(commune_code="NEW")
    lo_new, hi_new = fitted.predict_interval(new)
    assert hi_new[0] - lo_new[0] > hi[0] - lo[0]
    np.testing.assert_allclose(fitted.scale(X) * 2 * fitted.q_, width, rtol=1e-9)


def test_unseen_commune_gets_zero_effect_and_is_logged(data, fitted, caplog):
    X = data.X.iloc[:3].copy()
    X["commune_code"] = "NEW"
    with caplog.at_level(logging.INFO, logger="swingcast"):
        pred = fitted.predict(X)
    fixed = fitted.intercept_ + X[list(data.coef.index)].to_numpy() @ fitted.coef_.to_numpy()
    np.testing.assert_allclose(pred, _expit(fixed), rtol=1e-9)
    assert "unseen in training" in caplog.text


def test_bad_input_is_refused_with_ids(data):
    X = data.X.iloc[:40].copy()
    y = data.y[:40].copy()
    bad = X.copy()
    bad.loc[bad.index[3], "inscrits"] = 0
    with pytest.raises(ModelError, match=bad.index[3]):
        TurnoutModel().fit(bad, y)
    bad = X.copy()
    bad.loc[bad.index[5], "cadres"] = np.nan
    with pytest.raises(ModelError, match=f"column 'cadres', id {bad.index[5]}"):
        TurnoutModel().fit(bad, y)
    y_bad = y.copy()
    y_bad[7] = 1.5
    with pytest.raises(ModelError, match=X.index[7]):
        ShareModel().fit(X, y_bad)
    with pytest.raises(ModelError, match="missing column"):
        TurnoutModel().fit(X.drop(columns="commune_code"), y)
    model = TurnoutModel().fit(X, y)
    with pytest.raises(ModelError, match="missing column"):
        model.predict(X.drop(columns="cadres"))
    with pytest.raises(ModelError, match="method"):
        TurnoutModel(method="forest").fit(X, y)


@pytest.mark.parametrize("cls", [TurnoutModel, ShareModel, BlocShareModel])
def test_predict_before_fit(cls, data):
    with pytest.raises(NotFittedError):
        cls().predict(data.X)
    with pytest.raises(SklearnNotFittedError):
        cls().predict(data.X)


def test_sklearn_pipeline_and_cross_validation(data):
    model = TurnoutModel(cv=2)
    assert clone(model).get_params()["cv"] == 2
    assert model.set_params(coverage=0.9).coverage == 0.9
    pipe = Pipeline([("identity", FunctionTransformer(None)), ("model", model)])
    X, y = data.X.iloc[:400], data.y[:400]
    scores = cross_val_score(pipe, X, y, cv=KFold(3, shuffle=True, random_state=0))
    assert scores.shape == (3,)
    assert np.all(scores > 0.3)  # R^2 of a model with real signal


def test_bloc_model_with_two_blocs_matches_the_share_model(data):
    X, y = data.X, data.y
    blocs = pd.DataFrame({"cand": y, "rest": 1 - y}, index=X.index)
    bloc = BlocShareModel(cv=2).fit(X, blocs)
    single = ShareModel(cv=2).fit(X, y)
    pred = bloc.predict(X)
    np.testing.assert_allclose(pred.sum(axis=1), 1.0)
    # the binomial logit is symmetric: modelling 1 - y gives 1 - p, so no renormalisation
    np.testing.assert_allclose(pred[:, 0], single.predict(X), atol=1e-5)
    lo, hi = bloc.predict_interval(X)
    assert lo.shape == hi.shape == (len(X), 2)
    with pytest.raises(ModelError, match="sum to 1"):
        BlocShareModel().fit(X, blocs.assign(rest=0.1))


def test_recentre_conserves_anchor_and_order():
    rng = np.random.default_rng(3)
    p = rng.uniform(0.1, 0.9, 500)
    w = rng.integers(100, 1500, 500).astype(float)
    out, delta = recentre(p, w, 0.42, return_shift=True)
    assert np.average(out, weights=w) == pytest.approx(0.42, abs=1e-10)
    np.testing.assert_array_equal(np.argsort(out), np.argsort(p))
    np.testing.assert_allclose(logit_shift(p, delta), out)
    with pytest.raises(ModelError, match="anchor"):
        recentre(p, w, 1.0)


def test_recentre_blocs_matches_every_anchor():
    rng = np.random.default_rng(4)
    shares = rng.dirichlet([2.0, 3.0, 5.0], 300)
    w = rng.integers(100, 1500, 300).astype(float)
    anchor = np.array([0.3, 0.3, 0.4])
    out = recentre(shares, w, anchor)
    np.testing.assert_allclose(out.sum(axis=1), 1.0)
    np.testing.assert_allclose(w @ out / w.sum(), anchor, atol=1e-9)


def test_irls_equals_statsmodels_glm(data):
    import statsmodels.api as sm

    X = data.X
    exog = sm.add_constant(X[list(data.coef.index)].to_numpy(dtype=float))
    w = X["inscrits"].to_numpy(dtype=float)
    offset = np.linspace(-0.2, 0.2, len(X))
    ref = sm.GLM(data.y, exog, family=sm.families.Binomial(), offset=offset, var_weights=w).fit()
    np.testing.assert_allclose(irls_logit(exog, data.y, w, offset), ref.params, rtol=1e-7, atol=1e-9)


def test_offset_col_learns_the_change_from_the_prior():
    # y = expit(logit(prior) + 0.2 + 1.0 * cadres) with binomial noise: with the prior as an
    # offset, the model must find 0.2 and 1.0, and the prior is not a feature
    rng = np.random.default_rng(5)
    n = 3000
    prior = rng.uniform(0.3, 0.7, n)
    cadres = rng.uniform(0.0, 0.6, n)
    inscrits = rng.integers(300, 1500, n)
    y = rng.binomial(inscrits, _expit(np.log(prior / (1 - prior)) + 0.2 + cadres)) / inscrits
    X = pd.DataFrame({"cadres": cadres, "prior": prior, "inscrits": inscrits,
                      "commune_code": "C1"}, index=[f"b{i}" for i in range(n)])
    model = TurnoutModel(offset_col="prior", pooling=False, cv=2).fit(X, y)
    assert list(model.coef_.index) == ["cadres"]
    se = float(model.coef_se_["cadres"])
    assert abs(float(model.coef_["cadres"]) - 1.0) < 4 * se
    assert abs(model.intercept_ - 0.2) < 0.05
    with pytest.raises(ModelError, match="b3"):
        model.predict(X.assign(prior=np.where(np.arange(n) == 3, 1.2, prior)))


@pytest.mark.shared
@pytest.mark.slow
def test_real_national_2017_round2_share_conserves_the_official_total(shared_dir):
    """Round-1 shares -> Macron's round-2 share for every bureau of France (real files).

    Re-centred on the official national share, the predicted Macron votes add up to the
    official total (20,743,128 of 31,381,603 exprimés, data/README.md).
    """
    from swingcast.load.sources import read_results

    results = shared_dir / "france" / "results"
    r1 = read_results(results / "2017-presidentielle-1_par_bureau_large.csv.gz")
    r2 = read_results(results / "2017-presidentielle-2_par_bureau_large.csv.gz")
    votes = r1.votes.pivot_table(index="bureau_id", columns="candidate", values="voix", aggfunc="sum")
    X = votes.div(votes.sum(axis=1), axis=0).iloc[:, :-1].add_prefix("t1_")
    s2 = r2.stations.set_index("bureau_id")
    X = X.join(s2[["commune_code", "inscrits"]], how="inner")
    macron = r2.votes[r2.votes["candidate"].str.upper().str.contains("MACRON")]
    macron = macron.set_index("bureau_id")["voix"].reindex(X.index).astype(float)
    exprimes = s2["exprimes"].reindex(X.index).astype(float)
    assert float(exprimes.sum()) == 31_381_603
    assert float(macron.sum()) == 20_743_128
    scored = (exprimes > 0).to_numpy() & X.notna().all(axis=1).to_numpy()
    Xs = X[scored].astype({c: float for c in X.columns if c != "commune_code"})
    share = (macron / exprimes)[scored].to_numpy()
    model = ShareModel(cv=2).fit(Xs, share, sample_weight=exprimes[scored].to_numpy())
    pred = model.predict(Xs)
    assert np.all((pred > 0) & (pred < 1))
    # anchor: the official total minus the votes of bureaux left out (no exprimés or absent
    # from round 1), over the exprimés of the scored bureaux
    w = exprimes[scored].to_numpy()
    left_out = float(macron[~scored].fillna(0).sum())
    centred = recentre(pred, w, (20_743_128 - left_out) / w.sum())
    assert float(np.sum(centred * w)) + left_out == pytest.approx(20_743_128, abs=1.0)
    # the cross-conformal quantile leaves 20 % of the out-of-fold scores outside
    assert np.mean(np.abs(model.residuals_) > model.q_) == pytest.approx(0.2, abs=0.005)


def test_collinear_features_are_logged_and_do_not_change_predictions(data, caplog):
    X = data.X.assign(cadres_again=data.X["cadres"])
    with caplog.at_level(logging.WARNING, logger="swingcast"):
        model = TurnoutModel(cv=2).fit(X, data.y)
    assert "collinear" in caplog.text
    # the duplicated column splits the coefficient; the fitted values are those without it
    reference = TurnoutModel(cv=2).fit(data.X, data.y)
    np.testing.assert_allclose(model.predict(X), reference.predict(data.X), rtol=1e-6)
    assert float(model.coef_["cadres"] + model.coef_["cadres_again"]) == pytest.approx(
        float(reference.coef_["cadres"]), rel=1e-5
    )


def test_ridge_pulls_towards_a_uniform_logit_swing():
    rng = np.random.default_rng(8)
    n = 800
    prior = rng.uniform(0.3, 0.7, n)
    noise_feature = rng.normal(size=n)
    inscrits = rng.integers(300, 1500, n)
    y = rng.binomial(inscrits, _expit(np.log(prior / (1 - prior)) + 0.1)) / inscrits
    X = pd.DataFrame({"x": noise_feature, "prior": prior, "inscrits": inscrits,
                      "commune_code": "C1"}, index=[f"b{i}" for i in range(n)])
    huge = TurnoutModel(offset_col="prior", pooling=False, cv=2, alpha=1e9).fit(X, y)
    assert abs(float(huge.coef_["x"])) < 1e-6
    # intercept-only with the prior as offset: the binomial score equation makes the
    # weighted mean of the fit equal that of y, i.e. exactly recentre(prior, inscrits, mean y)
    expected = recentre(prior, inscrits.astype(float), float(np.average(y, weights=inscrits)))
    np.testing.assert_allclose(huge.predict(X), expected, atol=1e-6)
    chosen = TurnoutModel(offset_col="prior", pooling=False, cv=2, alpha="cv").fit(X, y)
    assert sorted(chosen.alpha_path_) == sorted(r * n for r in (0.0, 0.01, 0.03, 0.1, 0.3, 1.0))
    assert chosen.alpha_ == min(chosen.alpha_path_, key=chosen.alpha_path_.get)
    with pytest.raises(ModelError, match="alpha"):
        TurnoutModel(alpha=-1).fit(X, y)
    with pytest.raises(ModelError, match="glm"):
        TurnoutModel(method="gbm", alpha=1.0).fit(X, y)


def test_cross_validated_ridge_keeps_real_signal(data):
    model = TurnoutModel(alpha="cv", cv=2).fit(data.X, data.y)
    assert model.alpha_ <= 0.03 * len(data.y)
