"""Tests of swingcast.model.features and swingcast.model.blocs: hand-made tables and raw-file hand counts."""

from __future__ import annotations

import csv
import gzip
import logging

import numpy as np
import pandas as pd
import pytest

from swingcast.errors import InvariantError, SchemaError
from swingcast.model.blocs import BLOCS, assign_blocs, bloc_of, is_rn
from swingcast.model.features import build_features, summarise_rounds

E = ("2014-europeennes", 1)


def _tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two communes; commune A has bureaux 1 and 2, commune B bureau 1 (zero exprimés)."""
    stations = pd.DataFrame(
        {
            "election": E[0], "round": E[1],
            "bureau_id": ["0A_1", "0A_2", "0B_1"],
            "commune_code": ["0A", "0A", "0B"],
            "inscrits": [100, 300, 50],
            "votants": [60, 90, 0],
            "exprimes": [50, 90, 0],
        }
    )
    votes = pd.DataFrame(
        {
            "election": E[0], "round": E[1],
            "bureau_id": ["0A_1", "0A_1", "0A_2", "0A_2"],
            "list": ["LFN", "LUMP", "LFN", "LVEC"],
            "voix": [20, 30, 30, 60],
        }
    )
    return stations, votes


def test_shares_turnout_and_names_by_hand() -> None:
    st, vt = _tables()
    f = build_features(st, vt, [E], parties={"rn": is_rn})
    # hand: 0A_1 turnout 60/100, far right 20/50 of exprimés, 20/100 of inscrits
    assert f.loc["0A_1", "turnout_2014-europeennes_1"] == pytest.approx(0.6)
    assert f.loc["0A_1", "share_exp_far_right_2014-europeennes_1"] == pytest.approx(0.4)
    assert f.loc["0A_1", "share_ins_far_right_2014-europeennes_1"] == pytest.approx(0.2)
    assert f.loc["0A_2", "share_exp_green_2014-europeennes_1"] == pytest.approx(60 / 90)
    assert f.loc["0A_2", "share_exp_rn_2014-europeennes_1"] == pytest.approx(30 / 90)
    # the blocs of a bureau sum to 1 (conservation: every vote is in exactly one bloc)
    blocs = [f"share_exp_{b}_2014-europeennes_1" for b in BLOCS]
    assert f.loc[["0A_1", "0A_2"], blocs].sum(axis=1).to_numpy() == pytest.approx([1.0, 1.0])
    assert f.loc["0A_1", "log_inscrits"] == pytest.approx(np.log(100))
    assert f["commune_code"].tolist() == ["0A", "0A", "0B"]


def test_shared_round_summaries_describe_several_bureau_sets_alike() -> None:
    st, vt = _tables()
    summaries = summarise_rounds(st, vt, [E], parties={"rn": is_rn})
    # a second set of bureaux: other sizes and one bureau unknown in the round
    other = pd.DataFrame({"commune_code": ["0A", "0B"], "inscrits": [120.0, 80.0]},
                         index=pd.Index(["0A_2", "0B_9"], name="bureau_id"))
    for bureaux in (None, other):
        direct = build_features(st, vt, [E], bureaux=bureaux, parties={"rn": is_rn})
        shared = build_features(st, vt, [E], bureaux=bureaux, parties={"rn": is_rn}, summaries=summaries)
        pd.testing.assert_frame_equal(shared, direct, check_exact=True)
    # hand: 0B_9 is absent, so it gets commune 0B's turnout, 0 votants / 50 inscrits
    assert shared.loc["0B_9", "turnout_2014-europeennes_1"] == 0.0
    with pytest.raises(SchemaError, match="rn"):  # summaries made without the party
        build_features(st, vt, [E], parties={"rn": is_rn}, summaries=summarise_rounds(st, vt, [E]))


def test_zero_exprimes_and_unknown_bureau_are_filled_and_flagged(caplog) -> None:
    st, vt = _tables()
    bureaux = pd.DataFrame(
        {"commune_code": ["0A", "0B", "0C"], "inscrits": [120.0, 40.0, 10.0]},
        index=pd.Index(["0A_9", "0B_1", "0C_1"], name="bureau_id"),
    )
    with caplog.at_level(logging.INFO, logger="swingcast"):
        f = build_features(st, vt, [E], bureaux=bureaux)
    far_right = "share_exp_far_right_2014-europeennes_1"
    # new bureau of commune A: commune level = (20 + 30) / (50 + 90)
    assert f.loc["0A_9", far_right] == pytest.approx(50 / 140)
    assert f.loc["0A_9", "turnout_2014-europeennes_1"] == pytest.approx(150 / 400)
    assert f.loc["0A_9", "matched_2014-europeennes_1"] == 0.0
    # commune C unknown everywhere: area level (50 far-right voix / 140 exprimés)
    assert f.loc["0C_1", far_right] == pytest.approx(50 / 140)
    # 0B_1 exists but has zero exprimés: its commune (only itself) has none either -> area level
    assert f.loc["0B_1", far_right] == pytest.approx(50 / 140)
    assert f.loc["0B_1", "matched_2014-europeennes_1"] == 1.0
    assert f.loc["0B_1", "turnout_2014-europeennes_1"] == 0.0  # defined (0 / 50): kept
    numeric = f.drop(columns=["commune_code", "arrondissement_code"])
    assert not numeric.isna().any().any()
    assert "not found in that round" in caplog.text


def test_census_shares_and_missing_coverage() -> None:
    st, vt = _tables()
    census = pd.DataFrame(
        {"pop": [100.0, 300.0], "cadres": [50.0, 30.0]}, index=pd.Index(["0A_1", "0A_2"])
    )
    f = build_features(st, vt, [E], census=census, census_total="pop")
    assert f.loc["0A_1", "census_cadres_share"] == pytest.approx(0.5)
    # 0B_1 has no census row: commune B has none -> area share 80 / 400
    assert f.loc["0B_1", "census_cadres_share"] == pytest.approx(0.2)
    assert f["census_missing"].tolist() == [0.0, 0.0, 1.0]
    with pytest.raises(SchemaError, match="census total"):
        build_features(st, vt, [E], census=census, census_total=None)


def test_bad_input_is_refused_with_ids() -> None:
    st, vt = _tables()
    wrong = vt.assign(voix=[20, 31, 30, 60])
    with pytest.raises(InvariantError, match="0A_1"):
        build_features(st, wrong, [E])
    dup = pd.concat([st, st.iloc[[0]]])
    with pytest.raises(SchemaError, match="duplicated bureau"):
        build_features(dup, vt, [E])
    with pytest.raises(SchemaError, match="no row for election"):
        build_features(st, vt, [("2019-europeennes", 1)])
    zero = pd.DataFrame({"commune_code": ["0A"], "inscrits": [0]}, index=["0A_1"])
    with pytest.raises(SchemaError, match="zero inscrits"):
        build_features(st, vt, [E], bureaux=zero)


def test_bloc_mapping() -> None:
    assert bloc_of("LFN") == bloc_of("PRENEZ LE POUVOIR") == bloc_of("Le Pen") == "far_right"
    assert bloc_of("Mélenchon") == bloc_of("LA FRANCE INSOUMISE") == "far_left"
    assert bloc_of("REM") == bloc_of("RENAISSANCE") == bloc_of("LENS") == "centre"
    assert bloc_of("unknown list") == "other"
    votes = pd.DataFrame({"nuance": [None, "LRN"], "list": ["EUROPE ÉCOLOGIE", None]})
    assert assign_blocs(votes).tolist() == ["green", "far_right"]
    assert is_rn(votes).tolist() == [False, True]
    with pytest.raises(SchemaError):
        assign_blocs(pd.DataFrame({"voix": [1]}))


@pytest.mark.shared
def test_paris_bureau_against_the_raw_file(shared_dir) -> None:
    """Bureau 75056_101, presidential 2017 round 1: shares by hand from the raw CSV line."""
    from swingcast.model.casedata import PRES17_1, load_round

    path = shared_dir / "france/results/2017-presidentielle-1_par_bureau_large.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        row = next(r for r in csv.DictReader(handle)
                   if (r["departement"], r["commune"], r["bureau"]) == ("75", "056", "0101"))
    st, vt = load_round(PRES17_1, departements=["75"])
    f = build_features(st, vt, [PRES17_1], parties={"rn": is_rn})
    label = "2017-presidentielle_1"
    exp = int(row["exprimes"])
    far_left = int(row["ARTHAUD"]) + int(row["POUTOU"]) + int(row["MÉLENCHON"])
    assert f.loc["75056_101", f"turnout_{label}"] == pytest.approx(int(row["votants"]) / int(row["inscrits"]))
    assert f.loc["75056_101", f"share_exp_far_left_{label}"] == pytest.approx(far_left / exp)
    assert f.loc["75056_101", f"share_exp_centre_{label}"] == pytest.approx(int(row["MACRON"]) / exp)
    assert f.loc["75056_101", f"share_exp_rn_{label}"] == pytest.approx(int(row["LE PEN"]) / exp)
    assert f.loc["75056_101", "arrondissement_code"] == "75101"
    assert len(f) == 896  # Paris bureaux in the national file (data README)


def test_lag_matrix_is_a_logit_deviation_from_the_weighted_level() -> None:
    from swingcast.model.cases import lag_matrix

    f = pd.DataFrame(
        {"turnout_e_1": [0.5, 0.25], "share_exp_rn_e_1": [0.2, 0.4], "census_x_share": [0.1, 0.4],
         "log_inscrits": np.log([100.0, 200.0]), "inscrits": [100.0, 200.0],
         "commune_code": ["01001", "01001"]},
        index=["a", "b"],
    )
    X = lag_matrix(f, ("e", 1), census_columns=["census_x_share"], groups=("rn",))
    # turnout level = (50 + 50) / 300 = 1/3: deviation of a = logit(1/2) - logit(1/3) = log 2
    assert X.loc["a", "turnout_lag"] == pytest.approx(np.log(2))
    # RN level weighted by votants (50, 50): 0.3; deviation of b = logit(0.4) - logit(0.3)
    assert X.loc["b", "share_rn_lag"] == pytest.approx(np.log(0.4 / 0.6) - np.log(0.3 / 0.7))
    # census centred on its inscrits-weighted mean (0.1 + 2 * 0.4) / 3 = 0.3
    assert X["census_x_share"].tolist() == pytest.approx([-0.2, 0.1])


def test_outcomes_drop_bureaux_without_exprimes(caplog) -> None:
    from swingcast.model.cases import outcomes

    st = pd.DataFrame({"bureau_id": ["a", "b"], "inscrits": [10, 5], "votants": [5, 0],
                       "exprimes": [4, 0]})
    with caplog.at_level(logging.WARNING, logger="swingcast"):
        out = outcomes(st, pd.Series({"a": 3}))
    assert out.index.tolist() == ["a"]
    assert out.loc["a", "share"] == pytest.approx(0.75)
    assert "id b" in caplog.text
