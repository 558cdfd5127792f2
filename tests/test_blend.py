"""The blend of earlier rounds: weights, denoising and the anchor, checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from swingcast.model.blend import DEFAULTS, PRIOR_FEATURES, BlendModel, denoise, prior_features
from swingcast.model.transitions import RoundValues


def _rv(label: str, kind: str, values: np.ndarray, n: float = 400.0, source: str = "target") -> RoundValues:
    idx = pd.Index([f"{i // 5}_{i}" for i in range(len(values))])
    return RoundValues(label, kind, int(label.rsplit("-", 1)[1]), pd.Series(values, index=idx),
                       pd.Series(n, index=idx), pd.Series(n * 1.5, index=idx),
                       pd.Series(idx.str.split("_").str[0], index=idx), source)


def test_weights_are_the_softmax_of_the_features_by_hand():
    a = _rv("2014-europeennes-1", "europeennes", np.full(10, 0.25))
    b = _rv("2017-presidentielle-1", "presidentielle", np.full(10, 0.20))
    m = BlendModel("share")
    w = m.weights([a, b], "europeennes", 1, 2019, 0.23)
    theta = np.array(DEFAULTS["share"]["theta"])
    lg = lambda p: np.log(p / (1 - p))  # noqa: E731
    fa = np.array([1, 1, abs(lg(0.25) - lg(0.23)), 1.0, 0, 0, 0])
    fb = np.array([0, 0, abs(lg(0.20) - lg(0.23)), 0.4, 0, 0, 0])
    za, zb = fa @ theta, fb @ theta
    assert w[0] == pytest.approx(np.exp(za) / (np.exp(za) + np.exp(zb)))
    assert w.sum() == pytest.approx(1.0)
    assert prior_features([a], "europeennes", 1, 2019, 0.23).shape == (1, len(PRIOR_FEATURES))


def test_prediction_averages_to_the_anchor_and_keeps_the_order():
    rng = np.random.default_rng(0)
    truth = rng.uniform(0.1, 0.4, 200)
    a = _rv("2017-presidentielle-1", "presidentielle", np.clip(truth + rng.normal(0, 0.02, 200), 0.01, 0.99))
    b = _rv("2019-europeennes-1", "europeennes", np.clip(truth + 0.03 + rng.normal(0, 0.02, 200), 0.01, 0.99))
    m = BlendModel("share")
    p = m.predict([a, b], kind="presidentielle", round_no=1, year=2022, index=a.value.index,
                  inscrits=a.inscrits, communes=a.commune, level=0.3)
    assert np.average(p, weights=a.inscrits) == pytest.approx(0.3, abs=1e-9)
    assert np.corrcoef(p, truth)[0, 1] > 0.9
    assert set(m.last_weights_) == {a.label, b.label}


def test_denoising_brings_noisy_rounds_closer_to_the_truth():
    rng = np.random.default_rng(3)
    n = 600
    truth = rng.normal(0, 0.04, n)
    noise_sd = 0.03
    D = np.column_stack([truth + rng.normal(0, noise_sd, n) for _ in range(4)])
    V = np.full_like(D, noise_sd ** 2)
    out = denoise(D, V, np.ones(n), np.arange(n) // 6)
    for j in range(4):
        assert np.mean((out[:, j] - truth) ** 2) < 0.8 * np.mean((D[:, j] - truth) ** 2)
    # no own measurement (V = 0): nothing is shrunk
    same = denoise(D, np.zeros_like(D), np.ones(n), np.arange(n) // 6)
    assert np.allclose(same, D)


def test_bad_quantity_and_theta_are_refused():
    from swingcast.errors import ModelError

    with pytest.raises(ModelError, match="quantity"):
        BlendModel("turnover")
    with pytest.raises(ModelError, match="theta"):
        BlendModel("share", theta=(1.0, 2.0))
