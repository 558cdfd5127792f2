"""Intervals of bureaux no earlier round knows (docs/models.md, protocol log, entry 17)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from swingcast.model.protocol import within_commune_variance
from swingcast.model.transitions import RoundValues


def _round(values, n, communes):
    idx = pd.Index([f"{c}_{i}" for i, c in enumerate(communes)])
    return RoundValues("2019-europeennes-1", "europeennes", 1, pd.Series(values, index=idx),
                       pd.Series(n, index=idx, dtype=float), pd.Series(1000.0, index=idx),
                       pd.Series(communes, index=idx), "turnout")


def test_recovers_a_known_spread_net_of_binomial_noise():
    rng = np.random.default_rng(3)
    communes = np.repeat(np.arange(400), 5).astype(str)
    level = rng.normal(0.0, 0.5, 400)[communes.astype(int)]  # communes differ: not counted
    tau = 0.2
    eta = level + rng.normal(0.0, tau, len(communes))
    p = 1.0 / (1.0 + np.exp(-eta))
    n = np.full(len(p), 400.0)
    observed = rng.binomial(n.astype(int), p) / n  # binomial noise on top, removed by the estimate
    est = within_commune_variance(_round(observed, n, communes))
    assert est == pytest.approx(tau ** 2, rel=0.1)
    # without the noise correction it would be clearly larger (the mean binomial variance added)
    binvar = np.mean(1.0 / (n * p * (1 - p)))
    assert binvar > 0.2 * tau ** 2


def test_single_bureau_communes_say_nothing():
    assert within_commune_variance(_round([0.3, 0.6], [100, 100], ["1", "2"])) == 0.0


@pytest.mark.shared
def test_france_unknown_bureaux_get_wider_intervals(shared_dir):
    from swingcast.model.histories import named_history
    from swingcast.model.protocol import run_protocol

    spec = named_history("dep29")
    res = run_protocol(spec, n_draws=50)
    t = res["turnout"]
    info = t["training"]["unknown_bureaux"]
    pred = res["_predictions"]
    known = set()
    for r in spec.rounds[:-1]:
        st = r.stations
        known |= set(st.loc[st["inscrits"].astype(float) > 0, "bureau_id"].astype(str))
    new = ~pred.index.astype(str).isin(known)
    assert info["n"] == int(new.sum()) > 0  # counted by hand from the rounds' bureaux
    tau2, sigma2, q = info["tau2"], t["training"]["sigma2"], t["training"]["q"]
    sub = pred[new]
    p = np.clip(sub["turnout_pred"].to_numpy(float), 1e-6, 1 - 1e-6)
    n = sub["inscrits"].to_numpy(float)
    logit = lambda x: np.log(x / (1 - x))  # noqa: E731
    half = (logit(sub["turnout_hi"].to_numpy(float)) - logit(sub["turnout_lo"].to_numpy(float))) / (2 * q)
    np.testing.assert_allclose(half, np.sqrt(sigma2 + tau2 + 1.0 / (n * p * (1 - p))), rtol=1e-9)  # the rule
    assert tau2 > 0
