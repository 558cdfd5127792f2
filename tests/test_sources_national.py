"""National simplified tables: hand-made fixtures, then the real files of data/README.md."""

from __future__ import annotations

import pandas as pd
import pytest

from swingcast import schema
from swingcast.load.sources import Results, read_results

FIX = "results/2017-presidentielle-2_par_bureau_large.csv"


def test_fixture_large_ids_and_hand_totals(fixtures_dir):
    r = read_results(fixtures_dir / FIX)
    st = r.stations
    assert list(st.columns) == list(schema.STATION_COLUMNS)
    assert r.format == "national-large" and r.encoding == "utf-8"
    assert set(st[schema.ELECTION]) == {"2017-presidentielle"} and set(st[schema.ROUND]) == {2}
    assert st[schema.BUREAU_ID].tolist() == ["01001_1", "2A004_3", "75056_1905", "97101_2",
                                             "97801_1"]
    assert st[schema.DEPARTEMENT].tolist() == ["01", "2A", "75", "971", "978"]
    assert st[schema.ARRONDISSEMENT_CODE].tolist()[2] == "75119"
    assert st[schema.ARRONDISSEMENT_CODE].isna().sum() == 4
    # hand sums of the fixture's columns
    assert st[schema.INSCRITS].sum() == 598 + 1000 + 1200 + 800 + 500
    assert st[schema.NULS].tolist() == [498 - 37 - 453, 10, 10, 10, 5]
    assert (st[schema.ABSTENTIONS] == st[schema.INSCRITS] - st[schema.VOTANTS]).all()
    by = r.votes.groupby(schema.CANDIDATE)[schema.VOIX].sum()
    assert by["MACRON"] == 272 + 370 + 760 + 300 + 200
    assert by["LE PEN"] == 181 + 300 + 100 + 80 + 40
    assert r.issues.empty


def test_fixture_long_equals_large(fixtures_dir):
    large = read_results(fixtures_dir / FIX)
    long = read_results(fixtures_dir / "results/2017-presidentielle-2_par_bureau_long.csv")
    assert long.format == "national-long"
    pd.testing.assert_frame_equal(large.stations, long.stations)
    key = [schema.BUREAU_ID, schema.CANDIDATE]
    a = large.votes.sort_values(key, ignore_index=True)[[*key, schema.VOIX]]
    b = long.votes.sort_values(key, ignore_index=True)[[*key, schema.VOIX]]
    pd.testing.assert_frame_equal(a, b)
    assert long.votes[schema.PANEL].notna().all()


def test_fixture_2014_overseas_numeric_codes_and_no_blancs(fixtures_dir):
    r = read_results(fixtures_dir / "results/2014-europeennes_par_bureau_large.csv")
    st = r.stations
    assert st[schema.BUREAU_ID].tolist() == ["97101_1", "97801_1", "99001_1"]
    assert st[schema.BLANCS].isna().all() and st[schema.NULS].isna().all()
    assert set(r.votes[schema.LIST]) == {"LFN", "LUMP"}
    assert (r.votes[schema.LIST] == r.votes[schema.CANDIDATE]).all()
    assert r.votes[schema.VOIX].sum() == st[schema.EXPRIMES].sum() == 190 + 58 + 149


# --- real files ---------------------------------------------------------------------------

NATIONAL = {  # file -> (rows, sum of inscrits), from data/README.md
    "2014-europeennes_par_bureau_large.csv.gz": (68_246, 46_544_712),
    "2017-presidentielle-1_par_bureau_large.csv.gz": (69_242, 47_582_183),
    "2017-presidentielle-2_par_bureau_large.csv": (69_242, 47_568_693),
    "2017-presidentielle-2_par_bureau_large.csv.gz": (69_242, 47_568_693),
    "2017-presidentielle-2_par_bureau_long.csv.gz": (69_242, 47_568_693),
    "2017-legislatives-1_par_bureau_large.csv.gz": (69_242, 47_570_988),
    "2017-legislatives-2_par_bureau_large.csv.gz": (68_767, 47_293_103),
    "2017-legislatives-2_par_bureau_long.csv.gz": (68_767, 47_293_103),
    "2019-europeennes_par_bureau_large.csv.gz": (69_297, 47_345_120),
}

_CACHE: dict[str, Results] = {}


def _load(shared_dir, name: str) -> Results:
    if name not in _CACHE:
        _CACHE[name] = read_results(shared_dir / "france/results" / name)
    return _CACHE[name]


@pytest.mark.shared
@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(NATIONAL))
def test_national_rows_and_inscrits(shared_dir, name):
    r = _load(shared_dir, name)
    rows, inscrits = NATIONAL[name]
    assert len(r.stations) == rows
    assert r.stations[schema.BUREAU_ID].is_unique
    assert r.stations[schema.INSCRITS].sum() == inscrits
    # conservation: every bureau's voix add up to its exprimes (no invariant break)
    assert r.issues.empty
    assert r.votes[schema.VOIX].sum() == r.stations[schema.EXPRIMES].sum()


@pytest.mark.shared
@pytest.mark.slow
def test_presidentielle_2017_round2_official_totals(shared_dir):
    r = _load(shared_dir, "2017-presidentielle-2_par_bureau_large.csv.gz")
    st = r.stations
    assert st[schema.INSCRITS].sum() == 47_568_693
    assert st[schema.EXPRIMES].sum() == 31_381_603
    assert st[schema.NULS].sum() == 1_064_225
    by = r.votes.groupby(schema.CANDIDATE)[schema.VOIX].sum()
    assert by["MACRON"] == 20_743_128
    assert by["LE PEN"] == 10_638_475
    # Paris, Lyon, Marseille number bureaux AANN; bureaux counted with awk in the raw file
    for city, n_bureaux, n_arr, prefix in [("75056", 896, 20, "751"), ("69123", 294, 9, "6938"),
                                           ("13055", 480, 16, "132")]:
        sub = st[st[schema.COMMUNE_CODE] == city]
        assert len(sub) == n_bureaux, city
        assert sub[schema.ARRONDISSEMENT_CODE].str.startswith(prefix).all(), city
        assert sub[schema.ARRONDISSEMENT_CODE].nunique() == n_arr, city
    assert not st[schema.COMMUNE_CODE].str.startswith("Z").any()


@pytest.mark.shared
@pytest.mark.slow
@pytest.mark.parametrize("suffix", ["presidentielle-2", "legislatives-2"])
def test_round2_large_and_long_give_identical_votes(shared_dir, suffix):
    large = _load(shared_dir, f"2017-{suffix}_par_bureau_large.csv.gz")
    long = _load(shared_dir, f"2017-{suffix}_par_bureau_long.csv.gz")
    by_id = schema.BUREAU_ID
    pd.testing.assert_frame_equal(
        large.stations.sort_values(by_id, ignore_index=True),
        long.stations.sort_values(by_id, ignore_index=True),
    )
    # presidential: one column per candidate; legislative: one column per nuance (sum of
    # that nuance's candidates), columns of nuances absent from a bureau hold 0
    key = [by_id, schema.CANDIDATE if suffix.startswith("pres") else schema.NUANCE]
    a = large.votes[large.votes[schema.VOIX] > 0].groupby(key)[schema.VOIX].sum()
    b = long.votes[long.votes[schema.VOIX] > 0].groupby(key)[schema.VOIX].sum()
    pd.testing.assert_series_equal(a, b)
    if suffix.startswith("pres"):
        assert len(large.votes) == len(long.votes) == 2 * 69_242


@pytest.mark.shared
@pytest.mark.slow
def test_2019_paris_prisoners_bureau_has_no_arrondissement(shared_dir):
    r = _load(shared_dir, "2019-europeennes_par_bureau_large.csv.gz")
    row = r.stations[r.stations[schema.BUREAU_ID] == "75056_JUS1"]
    assert len(row) == 1 and row[schema.ARRONDISSEMENT_CODE].isna().all()
    assert r.votes[schema.LIST].nunique() == 34


# --- Hauts-de-Seine, 13th constituency: the same bureaux from 2014 to 2024 -------------------

HDS_COMMUNES = ["92002", "92014", "92019", "92071"]
HDS_NATIONAL = [
    "2017-presidentielle-1_par_bureau_large.csv.gz",
    "2017-presidentielle-2_par_bureau_large.csv.gz",
    "2017-legislatives-1_par_bureau_large.csv.gz",
    "2017-legislatives-2_par_bureau_large.csv.gz",
    "2019-europeennes_par_bureau_large.csv.gz",
]
HDS_XLSX = {  # file -> (election, round)
    "municipales_2014_t1_antony.xlsx": ("2014-municipales", 1),
    "municipales_2020_t1_antony.xlsx": ("2020-municipales", 1),
    "departementales_2021_t1.xlsx": ("2021-departementales", 1),
    "legislatives2022_t2_9213.xlsx": ("2022-legislatives", 2),
    "europeennes_2024.xlsx": ("2024-europeennes", 1),
    "legislatives2024_t1_9213.xlsx": ("2024-legislatives", 1),
    "legislatives2024_t2_9213.xlsx": ("2024-legislatives", 2),
}


@pytest.mark.shared
@pytest.mark.slow
def test_hauts_de_seine_13_same_bureaux_2014_2024(shared_dir):
    ids: dict[str, set[str]] = {}
    for name in HDS_NATIONAL:
        st = _load(shared_dir, name).stations
        ids[name] = set(st.loc[st[schema.COMMUNE_CODE].isin(HDS_COMMUNES), schema.BUREAU_ID])
    for name, (election, round_) in HDS_XLSX.items():
        r = read_results(shared_dir / "hauts-de-seine-13/results" / name)
        assert r.issues.empty, name
        assert set(r.stations[schema.ELECTION]) == {election}, name
        assert set(r.stations[schema.ROUND]) == {round_}, name
        # conservation in every bureau: voix add up to exprimes, turnout splits exactly
        per = r.votes.groupby(schema.BUREAU_ID)[schema.VOIX].sum()
        st = r.stations.set_index(schema.BUREAU_ID)
        assert per.reindex(st.index).tolist() == st[schema.EXPRIMES].tolist(), name
        ids[name] = set(r.stations[schema.BUREAU_ID])
    base = ids["2017-presidentielle-1_par_bureau_large.csv.gz"]
    assert len(base) == 91  # data/README.md: 91 bureaux
    antony = {b for b in base if b.startswith("92002_")}
    for name, got in ids.items():
        if name.endswith("_antony.xlsx"):
            assert got == antony, name
        elif "2024" in name:
            assert got == base | {"92019_20"}, name
        else:
            assert got == base, name
