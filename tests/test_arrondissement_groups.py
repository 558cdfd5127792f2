"""Paris, Lyon and Marseille grouped by municipal arrondissement (docs/models.md, entries 25–26)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from swingcast.model.priors import PriorRound
from swingcast.model.stack import StackModel
from swingcast.model.transitions import bureau_groups, round_values


def _round(label, kind, ids, arr, votants):
    st = pd.DataFrame({"bureau_id": ids, "arrondissement_code": arr, "inscrits": 1000,
                       "votants": votants, "exprimes": votants})
    vt = pd.DataFrame({"bureau_id": ids, "candidate": "X", "voix": [v // 2 for v in votants]})
    return PriorRound(label, kind, st, vt)


def test_groups_are_arrondissements_where_given():
    st = pd.DataFrame({"bureau_id": ["13055_101", "13055_801", "13001_1"],
                       "arrondissement_code": ["13201", "13208", pd.NA]})
    idx = pd.Index(["13055_101", "13055_801", "13001_1", "13001_2"])  # 13001_2: not in the file
    assert bureau_groups(st, idx).tolist() == ["13201", "13208", "13001", "13001"]
    assert bureau_groups(st.drop(columns="arrondissement_code"), idx).tolist() == ["13055", "13055", "13001", "13001"]


def test_a_new_paris_bureau_gets_its_arrondissement_not_the_city():
    # two arrondissements of very different turnout; a bureau of the 2nd appears in 2019
    old_ids = ["75056_0101", "75056_0102", "75056_0201", "75056_0202"]
    arr_old = ["75101", "75101", "75102", "75102"]
    r1 = _round("2014-europeennes-1", "europeennes", old_ids, arr_old, [300, 320, 700, 680])
    new_ids = old_ids + ["75056_0203"]
    r2 = _round("2019-europeennes-1", "europeennes", new_ids, arr_old + ["75102"], [310, 330, 690, 700, 690])
    rv = round_values(r2, "turnout")
    assert rv.commune["75056_0203"] == "75102"
    pred = StackModel("turnout").predict([r1], kind="europeennes", round_no=1, year=2019,
                                         index=rv.value.index, inscrits=rv.inscrits,
                                         level=rv.level, communes=rv.commune)
    p = pd.Series(pred, index=rv.value.index)
    # the new bureau's prior is the 2nd arrondissement's 2014 turnout (0.69), by hand; the
    # city's (0.50) would put it with the 1st
    assert p["75056_0203"] == pytest.approx(p[["75056_0201", "75056_0202"]].mean(), abs=0.01)
    assert p["75056_0203"] > np.mean([p["75056_0101"], p["75056_0102"]]) + 0.3
