"""Every supported layout, on small fixtures whose totals are counted by hand.

The fixtures (tests/data/results/, written by make_fixtures.py) copy the publishers'
layouts; the expected figures below are sums of the numbers typed in them.
"""

from __future__ import annotations

import logging

import pandas as pd
import pytest

from swingcast import schema
from swingcast.load.sources import Results, read_results, summarize_results
from swingcast.load.sources.results import PCT_INSCRITS


def _voix(r: Results, by: str) -> dict[str, int]:
    return {k: int(v) for k, v in r.votes.groupby(by)[schema.VOIX].sum().items()}


def _conserved(r: Results) -> None:
    """Conservation laws every complete fixture obeys."""
    st = r.stations
    assert r.issues.empty
    assert (st[schema.INSCRITS] == st[schema.ABSTENTIONS] + st[schema.VOTANTS]).all()
    keys = [schema.ELECTION, schema.ROUND, schema.BUREAU_ID]
    per_bureau = r.votes.groupby(keys)[schema.VOIX].sum()
    assert per_bureau.sort_index().tolist() == (
        st.set_index(keys)[schema.EXPRIMES].sort_index().tolist())
    assert list(st.columns) == list(schema.STATION_COLUMNS)
    assert list(r.votes.columns)[:8] == list(schema.VOTE_COLUMNS)


def test_ministry_presidential_txt_cp1252(fixtures_dir):
    r = read_results(fixtures_dir / "results/PR17_BVot_T1_extrait.txt")
    assert (r.format, r.encoding) == ("ministry-wide", "cp1252")
    st = r.stations
    assert set(st[schema.ELECTION]) == {"2017-presidentielle"} and set(st[schema.ROUND]) == {1}
    assert st[schema.BUREAU_ID].tolist() == ["75056_101", "2A004_3", "97101_2"]
    assert st[schema.ARRONDISSEMENT_CODE].tolist()[0] == "75101"
    assert st[schema.INSCRITS].sum() == 1000 + 500 + 400
    assert st[schema.NULS].tolist() == [5, 5, 3]
    assert _voix(r, schema.CANDIDATE) == {"ARTHAUD Nathalie": 5 + 10 + 1,
                                          "MACRON Emmanuel": 500 + 150 + 60,
                                          "LE PEN Marine": 280 + 180 + 34}
    assert r.votes[schema.PANEL].tolist()[:3] == [1, 2, 3]
    _conserved(r)


def test_ministry_legislative_txt_ragged_rows(fixtures_dir):
    r = read_results(fixtures_dir / "results/Leg_2017_Resultats_BVT_T1_extrait.txt")
    assert r.format == "ministry-wide" and r.encoding == "cp1252"
    st = r.stations
    assert st[schema.BUREAU_ID].tolist() == ["92002_1", "92071_2", "69123_405"]
    assert st[schema.ARRONDISSEMENT_CODE].tolist()[2] == "69384"  # Lyon 4e
    assert len(r.votes) == 3 + 3 + 2
    assert _voix(r, schema.NUANCE) == {"REM": 250 + 200 + 300, "LR": 150 + 200, "FI": 80 + 80,
                                       "FN": 80}
    assert "MARTIN Léa" in set(r.votes[schema.CANDIDATE])  # cp1252 accents decoded
    _conserved(r)


def test_ministry_txt_header_padded_with_blank_fields(fixtures_dir, tmp_path):
    """A header padded with empty fields for the later blocks (as a workbook saved as text
    writes it) reads as the published one."""
    src = fixtures_dir / "results/Leg_2017_Resultats_BVT_T1_extrait.txt"
    header, _, body = src.read_bytes().partition(b"\n")
    padded = tmp_path / src.name
    padded.write_bytes(header + b";" * 16 + b"\n" + body)  # two more blocks of 8 columns
    r, ref = read_results(padded), read_results(src)
    pd.testing.assert_frame_equal(r.stations, ref.stations)
    pd.testing.assert_frame_equal(r.votes, ref.votes)


def test_ministry_xlsx_below_title_rows_same_as_txt(fixtures_dir, caplog):
    """Two title rows and a blank row above the header: the header (sheet row 4) is found
    from the content, and the workbook reads exactly as the .txt holding the same bureaux."""
    with caplog.at_level(logging.INFO, logger="swingcast"):
        r = read_results(fixtures_dir / "results/Leg_2017_Resultats_BVT_T1_titres.xlsx")
    assert "header on sheet row 4, below 3 title rows" in caplog.text
    ref = read_results(fixtures_dir / "results/Leg_2017_Resultats_BVT_T1_extrait.txt")
    assert (r.format, r.encoding) == ("ministry-wide", None)
    pd.testing.assert_frame_equal(r.stations, ref.stations)
    pd.testing.assert_frame_equal(r.votes, ref.votes)
    assert r.stations[schema.INSCRITS].sum() == 1000 + 800 + 600  # typed in make_fixtures.py
    _conserved(r)


def test_ministry_departmental_xlsx_blank_block_headers(fixtures_dir):
    r = read_results(fixtures_dir / "results/departementales_2021_t1_extrait.xlsx")
    assert r.format == "ministry-wide" and r.encoding is None
    assert r.stations[schema.BUREAU_ID].tolist() == ["92002_1", "92014_2"]
    assert set(r.stations[schema.ELECTION]) == {"2021-departementales"}
    assert len(r.votes) == 2 + 3  # the empty third block of bureau 1 is skipped
    assert _voix(r, schema.NUANCE) == {"BC-RN": 90 + 100, "BC-UG": 400 + 90, "BC-DVD": 200}
    assert r.votes[schema.CANDIDATE].iloc[0] == "M. AAA Luc et Mme BBB Léa"
    _conserved(r)


def test_ministry_municipal_xlsx_repeated_headers(fixtures_dir):
    r = read_results(fixtures_dir / "results/municipales_2020_t1_extrait.xlsx")
    assert r.format == "ministry-wide"
    assert _voix(r, schema.LIST) == {"ANTONY POUR TOUS": 300 + 250,
                                     "ANTONY TERRE CITOYENNE": 90 + 140}
    assert set(r.votes[schema.NUANCE]) == {"LDVD", "LDVG"}
    assert r.stations[schema.BLANCS].tolist() == [5, 0]
    _conserved(r)


def test_numbered_2024_layout(fixtures_dir):
    r = read_results(fixtures_dir / "results/legislatives2024_t1_extrait.xlsx")
    assert r.format == "numbered-2024"
    st = r.stations
    assert st[schema.BUREAU_ID].tolist() == ["92002_1", "92019_20"]
    assert st[schema.VOTANTS].tolist() == [797, 300]  # counts, not the "82,59%" strings
    assert _voix(r, schema.NUANCE) == {"DVC": 8 + 10, "UG": 237 + 180, "ENS": 544 + 100}
    _conserved(r)


def test_municipal_2014_long_without_blancs(fixtures_dir):
    r = read_results(fixtures_dir / "results/municipales_2014_t1_extrait.xlsx")
    assert r.format == "ministry-long"
    st = r.stations
    assert len(st) == 2 and set(st[schema.ROUND]) == {1}
    assert st[schema.BLANCS].isna().all() and st[schema.NULS].isna().all()
    assert st[schema.INSCRITS].tolist() == [1003, 900]
    assert _voix(r, schema.NUANCE) == {"LUMP": 418 + 300, "LFG": 44 + 40, "LUG": 176 + 150}
    _conserved(r)


def test_legislative_2022_long_republication(fixtures_dir):
    r = read_results(fixtures_dir / "results/legislatives2022_t2_extrait.xlsx")
    assert r.format == "ministry-long"
    assert r.stations[schema.BUREAU_ID].tolist() == ["92002_19", "92002_21"]
    assert set(r.stations[schema.ROUND]) == {2}
    assert _voix(r, schema.CANDIDATE) == {"BREGEON Maud": 306 + 260, "NOM Xavier": 182 + 161}
    _conserved(r)


def test_harmonised_general_and_candidates(fixtures_dir):
    d = fixtures_dir / "results"
    r = read_results(d / "general_results_extrait.csv",
                     candidates=d / "candidats_results_extrait.csv")
    assert r.format == "harmonised"
    st = r.stations
    assert st[[schema.ELECTION, schema.ROUND]].drop_duplicates().values.tolist() == [
        ["2017-presidentielle", 2], ["2019-europeennes", 1]]
    assert st[schema.BUREAU_ID].tolist() == ["01001_1", "75056_101", "01001_1"]
    pres = r.votes[r.votes[schema.ELECTION] == "2017-presidentielle"]
    assert pres.groupby(schema.CANDIDATE)[schema.VOIX].sum().to_dict() == {
        "LE PEN Marine": 181 + 160, "MACRON Emmanuel": 272 + 600}
    euro = r.votes[r.votes[schema.ELECTION] == "2019-europeennes"]
    assert euro[schema.LIST].tolist() == ["PRENEZ LE POUVOIR", "RENAISSANCE", "EUROPE ÉCOLOGIE"]
    _conserved(r)
    alone = read_results(d / "general_results_extrait.csv")
    assert len(alone.votes) == 0 and alone.stations[schema.INSCRITS].sum() == 598 + 1000 + 601


def test_paris_shares_of_inscrits_no_invented_counts(fixtures_dir):
    r = read_results(fixtures_dir / "results/2017-presidentielle-1-paris-parts-extrait.csv")
    assert r.format == "paris-parts"
    st = r.stations
    assert st[schema.BUREAU_ID].tolist() == ["75056_101", "75056_201", "75056_1905"]
    assert st[schema.ARRONDISSEMENT_CODE].tolist() == ["75101", "75102", "75119"]
    assert st[list(schema.STATION_COUNTS)].isna().all().all()
    assert r.votes[schema.VOIX].isna().all()
    macron = r.votes[r.votes[schema.CANDIDATE] == "MACRON"][PCT_INSCRITS].tolist()
    assert macron == pytest.approx([32.2520852641335, 35.913043, 20.5])
    assert r.issues[["line", "bureau_id", "check"]].values.tolist() == [
        [4, "75056_201", "duplicate_bureau"]]


def test_concat_and_summary(fixtures_dir):
    d = fixtures_dir / "results"
    a = read_results(d / "2017-presidentielle-2_par_bureau_large.csv")
    b = read_results(d / "PR17_BVot_T1_extrait.txt")
    both = Results.concat([a, b])
    assert len(both) == len(a) + len(b) and both.issues.empty
    summary = summarize_results(both).set_index(schema.ROUND)
    assert summary.loc[1, schema.INSCRITS] == 1900 and summary.loc[2, schema.INSCRITS] == 4098
    assert summary.loc[2, schema.VOIX] == summary.loc[2, schema.EXPRIMES]
    again = Results.concat([a, a])
    assert (again.issues["check"] == "duplicate_bureau").sum() == 2 * len(a)


def test_format_override_and_explicit_election(fixtures_dir, tmp_path):
    src = fixtures_dir / "results/2017-presidentielle-2_par_bureau_large.csv"
    renamed = tmp_path / "resultats.csv"
    renamed.write_bytes(src.read_bytes())
    r = read_results(renamed, format="national-large", election="2017-presidentielle", round=2)
    pd.testing.assert_frame_equal(r.stations, read_results(src).stations)
