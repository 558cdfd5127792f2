"""Share forecasts of a round 2 from its own round 1 take constants of their own (entries 32–33)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from swingcast.model.priors import PriorRound
from swingcast.model.stack import (
    STACK_DEFAULTS,
    STACK_ROUND2_DEFAULTS,
    StackModel,
    candidates,
    stack_predict,
)


def _round(label, kind, rng, ids, p_a):
    ins = np.full(len(ids), 900)
    exp = rng.binomial(ins, 0.7)
    a = rng.binomial(exp, p_a)
    st = pd.DataFrame({"bureau_id": ids, "inscrits": ins, "votants": exp + 20, "exprimes": exp})
    vt = pd.DataFrame({"bureau_id": np.repeat(ids, 2), "candidate": np.tile(["MACRON", "LE PEN"], len(ids)),
                       "voix": np.column_stack([a, exp - a]).ravel()})
    return PriorRound(label, kind, st, vt)


def _is_a(votes):
    return votes["candidate"] == "MACRON"


@pytest.fixture()
def rounds():
    rng = np.random.default_rng(4)
    ids = [f"{i // 5}_{i}" for i in range(100)]
    base = rng.uniform(0.2, 0.6, 100)
    return ids, [_round("2014-europeennes-1", "europeennes", rng, ids, base),
                 _round("2017-presidentielle-1", "presidentielle", rng, ids, base * 0.9)]


def test_a_round_2_after_its_round_1_takes_the_round_2_constants(rounds):
    ids, rr = rounds
    idx = pd.Index(ids)
    ins = pd.Series(900.0, index=idx)
    kw = dict(kind="presidentielle", round_no=2, year=2017, index=idx, inscrits=ins, level=0.45,
              target=_is_a, bloc="centre")
    m = StackModel("share")
    p = m.predict(rr, **kw)
    assert m.last_constants_ == "STACK_ROUND2_DEFAULTS"
    # by hand: the candidates without denoising, the round-2 theta and beta
    r2 = STACK_ROUND2_DEFAULTS["share"]
    c = candidates(rr, "share", denoise_priors=r2["denoise"], **{k: v for k, v in kw.items()})
    assert np.allclose(p, stack_predict(c, r2["theta"], ins.to_numpy(float), 0.45, r2["beta"]))
    off = StackModel("share", round2=False)
    p_off = off.predict(rr, **kw)
    assert off.last_constants_ == "STACK_DEFAULTS" and not np.allclose(p, p_off)


def test_other_forecasts_keep_the_general_constants(rounds):
    ids, rr = rounds
    idx = pd.Index(ids)
    ins = pd.Series(900.0, index=idx)
    m = StackModel("share")
    # a round 2 whose round 1 is not in the history (legislative 2022 round 2 after 2017 rounds)
    m.predict(rr, kind="legislatives", round_no=2, year=2022, index=idx, inscrits=ins, level=0.45,
              target=_is_a, bloc="centre")
    assert m.last_constants_ == "STACK_DEFAULTS"
    t = StackModel("turnout")
    t.predict(rr, kind="presidentielle", round_no=2, year=2017, index=idx, inscrits=ins, level=0.7)
    assert t.last_constants_ == "STACK_DEFAULTS" and "turnout" not in STACK_ROUND2_DEFAULTS
    assert len(STACK_ROUND2_DEFAULTS["share"]["theta"]) == len(STACK_DEFAULTS["share"]["theta"])


def test_constants_given_by_the_caller_are_used_for_a_round_2_too(rounds):
    ids, rr = rounds
    idx = pd.Index(ids)
    m = StackModel("share", theta=STACK_DEFAULTS["share"]["theta"])
    m.predict(rr, kind="presidentielle", round_no=2, year=2017, index=idx, inscrits=pd.Series(900.0, index=idx),
              level=0.45, target=_is_a, bloc="centre")
    assert m.last_constants_ == "STACK_DEFAULTS"
