"""The blend applied to a round not yet held: anchors conserved, carried levels by hand."""

from __future__ import annotations

import numpy as np
import pytest
from tests.test_protocol import _as_history, _history

from swingcast.model.roundforecast import blend_forecast


@pytest.fixture(scope="module")
def history():
    return _as_history(_history())


def test_given_anchors_are_the_weighted_means(history):
    out = blend_forecast(history, "2027-presidentielle", 1, "LE PEN", turnout_level=0.7, share_level=0.3)
    p = out["predictions"]
    assert np.average(p["turnout_pred"], weights=p["inscrits"]) == pytest.approx(0.7, abs=1e-9)
    # a share anchor is a share of the votes cast: the expected voters' weighted mean
    voters = p["inscrits"] * p["turnout_pred"]
    assert np.average(p["share_pred"], weights=voters) == pytest.approx(0.3, abs=1e-9)
    assert out["anchors"]["share_weights"].startswith("expected voters")
    assert (p["turnout_lo"] < p["turnout_pred"]).all() and (p["share_pred"] < p["share_hi"]).all()
    assert out["anchors"]["turnout_source"] == "given"
    assert sum(out["training"]["share"]["weights"].values()) == pytest.approx(1.0)


def test_carried_levels_come_from_the_latest_round_of_the_same_kind(history):
    out = blend_forecast(history, "2027-presidentielle", 1, "LE PEN")
    st, vt = history.round("2022-presidentielle-1")
    turnout = st["votants"].sum() / st["inscrits"].sum()
    # the share as announced: her votes over the votes cast, a ratio of sums
    share = vt.loc[vt["candidate"].eq("LE PEN"), "voix"].sum() / st["exprimes"].sum()
    assert out["anchors"]["turnout"] == pytest.approx(turnout)
    assert out["anchors"]["share"] == pytest.approx(share)
    assert out["anchors"]["share_source"] == "carried from 2022-presidentielle-1"
    assert len(out["predictions"]) == len(st)
