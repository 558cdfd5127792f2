"""Round profiles and leave-one-out shrinkage of the denoiser (docs/models.md, entries 30–31)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from swingcast.model.blend import denoise
from swingcast.model.priors import PriorRound
from swingcast.model.profiles import profile_predictors, round_profile


def test_profile_shares_by_hand():
    st = pd.DataFrame({"bureau_id": ["a", "b"], "inscrits": [200, 100], "votants": [150, 50],
                       "exprimes": [100, 40]})
    vt = pd.DataFrame({"bureau_id": ["a", "a", "a", "b", "b"],
                       "candidate": ["LE PEN", "MACRON", "MELENCHON", "LE PEN", "FILLON"],
                       "voix": [30, 50, 20, 10, 30]})
    p = round_profile(PriorRound("2017-presidentielle-1", "presidentielle", st, vt))
    assert p.loc["a", "far_right"] == pytest.approx(0.30) and p.loc["b", "right"] == pytest.approx(0.75)
    assert p.loc["a", "turnout"] == pytest.approx(0.75) and p.loc["b", "turnout"] == pytest.approx(0.5)
    # every bloc's share sums to one in each bureau (all the votes are in some bloc)
    assert np.allclose(p.drop(columns="turnout").sum(axis=1), 1.0)


def test_unknown_bureau_gets_its_commune_in_the_profile():
    st = pd.DataFrame({"bureau_id": ["1_a", "1_b", "2_a"], "inscrits": [100, 300, 100],
                       "votants": [50, 90, 80], "exprimes": [50, 90, 80]})
    vt = pd.DataFrame({"bureau_id": ["1_a", "1_b", "2_a"], "candidate": ["LE PEN"] * 3, "voix": [10, 45, 8]})
    idx = pd.Index(["1_a", "1_b", "2_a", "1_c"])
    z = profile_predictors([PriorRound("2019-europeennes-1", "europeennes", st, vt)], idx,
                           np.array(["1", "1", "2", "1"]), np.array([100.0, 300.0, 100.0, 100.0]))
    P = z["2019-europeennes-1"]
    # 1_c: commune 1's far-right share weighted by inscrits, (0.2 x 100 + 0.5 x 300) / 400
    fr = np.array([0.2, 0.5, 0.1, (0.2 * 100 + 0.5 * 300) / 400])
    assert np.allclose(P[:, 0], (fr - fr.mean()) / fr.std())


def test_leave_one_out_prediction_is_the_refit_without_the_bureau():
    rng = np.random.default_rng(2)
    n = 30
    D = rng.normal(0, 0.05, (n, 2))
    V = np.full_like(D, 1e-12)  # no noise: the output is the data, whatever yhat is ...
    w = rng.uniform(1, 3, n)
    communes = np.arange(n)
    # ... so compare the yhat through a huge noise instead: tau²/(tau²+V) -> 0, output = yhat
    V_big = np.full_like(D, 1e6)
    out = denoise(D, V_big, w, communes, leave_one_out=True)[:, 0]
    # by hand: refit the weighted regression of column 0 on (1, column 1) without bureau 7
    X = np.column_stack([np.ones(n), D[:, 1]])
    keep = np.arange(n) != 7
    sw = np.sqrt(w[keep])
    beta, *_ = np.linalg.lstsq(X[keep] * sw[:, None], D[keep, 0] * sw, rcond=None)
    assert out[7] == pytest.approx(float(X[7] @ beta), abs=1e-10)
    assert np.allclose(denoise(D, V, w, communes, leave_one_out=True), D)
