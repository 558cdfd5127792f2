"""Model v3 (:mod:`swingcast.model.stack`) against independent computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from swingcast.errors import ModelError
from swingcast.model.priors import PriorRound, baseline_predictions, fill_missing, share_priors
from swingcast.model.stack import (
    CANDIDATE_FEATURES,
    StackModel,
    candidates,
    stack_predict,
    stack_weights,
)


def _round(label: str, kind: str, seed: int, n: int = 60, shift: float = 0.0) -> PriorRound:
    rng = np.random.default_rng(seed)
    ids = [f"{c}_{i:03d}" for c in ("01001", "01002", "01003") for i in range(n // 3)]
    ins = rng.integers(300, 900, len(ids))
    vot = (ins * rng.uniform(0.4, 0.8, len(ids))).astype(int)
    exp = (vot * 0.97).astype(int)
    st = pd.DataFrame({"bureau_id": ids, "inscrits": ins, "votants": vot, "exprimes": exp})
    base = np.clip(0.2 + shift + 0.1 * np.sin(np.arange(len(ids))), 0.02, 0.9)
    rn = (exp * base).astype(int)
    other = (exp * 0.3).astype(int)
    vt = pd.DataFrame({"bureau_id": ids * 3,
                       "candidate": ["LE PEN"] * len(ids) + ["MACRON"] * len(ids) + ["DUPONT-AIGNAN"] * len(ids),
                       "voix": np.concatenate([rn, other, exp - rn - other])})
    return PriorRound(label, kind, st, vt)


def _is_le_pen(v: pd.DataFrame) -> pd.Series:
    return v["candidate"].eq("LE PEN")


def test_undenoised_candidates_are_the_baselines_of_priors():
    rounds = [_round("2014-europeennes-1", "europeennes", 1), _round("2017-presidentielle-1", "presidentielle", 2)]
    test = _round("2019-europeennes-1", "europeennes", 3, shift=0.03)
    idx = pd.Index(test.stations["bureau_id"][:50])  # some bureaux unknown to no round: all known
    ins = test.stations.set_index("bureau_id")["inscrits"].astype(float).reindex(idx)
    com = pd.Series(idx.str.split("_").str[0], index=idx)
    c = candidates(rounds, "share", kind="europeennes", round_no=1, year=2019, index=idx, inscrits=ins,
                   level=0.25, target=_is_le_pen, bloc="far_right", denoise_priors=False)
    # independent path: priors.py's own baselines on the same priors
    pr = fill_missing(share_priors(rounds, _is_le_pen, bloc="far_right"), idx, com, ins)
    base = baseline_predictions(pr, ins.to_numpy(float), 0.25)
    for col in pr.columns:
        for mine, theirs in (("uniform", "uniform_swing"), ("proportional", "proportional_swing")):
            np.testing.assert_allclose(c.C[:, c.names.index(f"{mine}[{col}]")], base[f"{theirs}[{col}]"], atol=1e-9)
    assert c.F.shape == (len(c.names), len(CANDIDATE_FEATURES))


def test_prediction_conserves_the_anchor_and_a_dominant_weight_picks_one_candidate():
    rounds = [_round("2014-europeennes-1", "europeennes", 1), _round("2017-presidentielle-1", "presidentielle", 2)]
    test = _round("2019-europeennes-1", "europeennes", 3)
    idx = pd.Index(test.stations["bureau_id"])
    ins = test.stations.set_index("bureau_id")["inscrits"].astype(float)
    c = candidates(rounds, "turnout", kind="europeennes", round_no=1, year=2019, index=idx, inscrits=ins,
                   level=0.5, denoise_priors=False)
    w = ins.to_numpy(float)
    p = stack_predict(c, np.zeros(len(CANDIDATE_FEATURES)), w, 0.5)
    assert abs(np.average(p, weights=w) - 0.5) < 1e-9
    # all the weight on "same kind" and "proportional": the proportional swing of EU 2014's turnout
    theta = np.zeros(len(CANDIDATE_FEATURES))
    theta[CANDIDATE_FEATURES.index("same_kind")] = 60.0
    theta[CANDIDATE_FEATURES.index("proportional")] = 60.0
    t14 = test.stations.set_index("bureau_id")  # recomputed by hand from the raw counts
    r14 = rounds[0].stations.set_index("bureau_id")
    prior = (r14["votants"] / r14["inscrits"]).reindex(idx).to_numpy(float)
    by_hand = prior * 0.5 / np.average(prior, weights=t14["inscrits"].to_numpy(float))
    np.testing.assert_allclose(stack_predict(c, theta, w, 0.5), by_hand, atol=1e-9)
    wts = stack_weights(c.F, theta)
    assert wts.max() > 0.999 and c.names[int(wts.argmax())] == "proportional[turnout:2014-europeennes-1]"


def test_beta_scales_deviations_and_model_reports_weights_per_round():
    rounds = [_round("2014-europeennes-1", "europeennes", 1), _round("2017-presidentielle-1", "presidentielle", 2)]
    test = _round("2019-europeennes-1", "europeennes", 3)
    idx = pd.Index(test.stations["bureau_id"])
    ins = test.stations.set_index("bureau_id")["inscrits"].astype(float)
    full = StackModel("turnout", beta=1.0, denoise=False).predict(rounds, kind="europeennes", round_no=1, year=2019,
                                                                  index=idx, inscrits=ins, level=0.5)
    m = StackModel("turnout", beta=0.5, denoise=False)
    half = m.predict(rounds, kind="europeennes", round_no=1, year=2019, index=idx, inscrits=ins, level=0.5)
    np.testing.assert_allclose(half - 0.5, 0.5 * (full - 0.5), atol=1e-9)
    assert set(m.last_weights_) == {"2014-europeennes-1", "2017-presidentielle-1"}
    assert abs(sum(m.last_weights_.values()) - 1.0) < 1e-9


def test_denoising_brings_noisy_priors_closer_to_the_truth():
    rng = np.random.default_rng(5)
    n = 300
    ids = [f"{c:05d}_{i:03d}" for c in range(30) for i in range(n // 30)]
    truth = np.clip(0.25 + np.repeat(rng.normal(0, 0.05, 30), n // 30) + rng.normal(0, 0.02, n), 0.02, 0.9)
    rounds = []
    for lab, kind in (("2014-europeennes-1", "europeennes"), ("2017-presidentielle-1", "presidentielle"),
                      ("2017-legislatives-1", "legislatives")):
        exp = rng.integers(150, 400, n)
        st = pd.DataFrame({"bureau_id": ids, "inscrits": exp * 2, "votants": exp + 5, "exprimes": exp})
        rn = rng.binomial(exp, truth)
        vt = pd.DataFrame({"bureau_id": ids * 2, "candidate": ["LE PEN"] * n + ["MACRON"] * n,
                           "voix": np.concatenate([rn, exp - rn])})
        rounds.append(PriorRound(lab, kind, st, vt))
    idx = pd.Index(ids)
    ins = pd.Series(600.0, index=idx)
    kw = dict(kind="europeennes", round_no=1, year=2019, index=idx, inscrits=ins, level=0.25, target=_is_le_pen)
    raw = candidates(rounds, "share", denoise_priors=False, **kw)
    den = candidates(rounds, "share", denoise_priors=True, **kw)
    j = raw.names.index("uniform[share:2017-legislatives-1]")
    target = truth - truth.mean() + 0.25
    assert np.mean(np.abs(den.C[:, j] - target)) < 0.8 * np.mean(np.abs(raw.C[:, j] - target))


def test_errors_are_clear():
    with pytest.raises(ModelError, match="quantity must be"):
        StackModel("votes")
    with pytest.raises(ModelError, match="theta needs"):
        StackModel("share", theta=(1.0,))
    with pytest.raises(ModelError, match="no earlier round"):
        candidates([], "turnout", kind="europeennes", round_no=1, year=2019, index=pd.Index(["a"]),
                   inscrits=pd.Series([1.0], index=["a"]), level=0.5)
