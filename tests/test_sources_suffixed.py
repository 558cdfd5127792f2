"""Data-lake exports with numbered-suffix blocks, Nom + Prénom candidates, percentages.

The fixtures (tests/data/results/make_suffixed.py) hold the real counts of five Rhône
bureaux in 2017 round 1, copied from the shared national table: the expected figures are
those of that table (hand-copied below, and compared with the table itself when present).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from swingcast import read_results
from swingcast.errors import SchemaError
from swingcast.model.blocs import assign_blocs, bloc_of, is_rn, unknown_names
from swingcast.model.features import build_features

RESULTS = Path(__file__).parent / "data" / "results"
STEM = "2017-presidentielle-1_datalake_"
IDS = ["69003_1", "69003_2", "69123_101", "69123_102", "69123_901"]
# from the national table, by hand: inscrits, votants, exprimes, LE PEN, MACRON per bureau
INSCRITS = [884, 781, 828, 895, 1017]
EXPRIMES = [713, 607, 650, 730, 760]
LE_PEN = [99, 140, 28, 23, 87]
MACRON = [190, 148, 199, 234, 243]


@pytest.mark.parametrize("name", ["suffixed", "pandas", "pourcentages"])
def test_datalake_exports_read_like_the_ministry_file(name: str) -> None:
    r = read_results(RESULTS / f"{STEM}{name}.csv")
    assert r.format == "suffixed"
    assert r.stations["bureau_id"].tolist() == IDS
    assert r.stations["inscrits"].tolist() == INSCRITS
    assert r.stations["exprimes"].tolist() == EXPRIMES
    assert len(r.issues) == 0  # every identity holds, sum of voix = exprimés
    v = r.votes.set_index(["bureau_id", "candidate"])["voix"]
    assert [v[(b, "LE PEN Marine")] for b in IDS] == LE_PEN
    assert [v[(b, "MACRON Emmanuel")] for b in IDS] == MACRON
    assert r.votes.groupby("bureau_id")["candidate"].count().tolist() == [11] * 5
    trailing = {"suffixed": ["source_url", "ingestion_time"],
                "pandas": ["_source_file", "_ingested_at"], "pourcentages": ["source_url"]}
    assert r.notes["ignored_columns"] == trailing[name]
    assert not r.votes["candidate"].str.contains("http|2024|PR17").any()


def test_percentages_rebuilt_exactly_and_rounding_reported(tmp_path: Path) -> None:
    r = read_results(RESULTS / f"{STEM}pourcentages.csv")
    rebuilt = r.notes["rebuilt_counts"]
    # 2 decimals of % of at most 1017 inscrits: at most 0.005 % x 1017 = 0.05 voter off
    assert rebuilt["exact"] and rebuilt["max_error"] == pytest.approx(0.051, abs=1e-3)
    assert "% Voix/Ins_2" in rebuilt["columns"] and "% Vot/Ins" in rebuilt["columns"]
    counts = read_results(RESULTS / f"{STEM}suffixed.csv")
    pd.testing.assert_frame_equal(r.stations, counts.stations)
    pd.testing.assert_frame_equal(r.votes, counts.votes)
    # one decimal: 0.05 % x 1017 = 0.51 voter > 0.5, the count cannot be told exactly
    text = (RESULTS / f"{STEM}pourcentages.csv").read_text(encoding="utf-8").splitlines()
    header, rows = text[0].split(";"), [line.split(";") for line in text[1:]]
    pct = [i for i, h in enumerate(header) if h.startswith("%")]
    for row in rows:
        for i in pct:
            row[i] = f"{float(row[i].replace(',', '.')):.1f}".replace(".", ",")
    one = tmp_path / f"{STEM}1decimale.csv"
    one.write_text("\n".join(";".join(x) for x in [header, *rows]) + "\n", encoding="utf-8")
    r1 = read_results(one)
    assert not r1.notes["rebuilt_counts"]["exact"]
    assert any(s.startswith("69123_901 ") for s in r1.notes["rebuilt_counts"]["inexact"])


def test_percentages_without_inscrits_refused() -> None:
    with pytest.raises(SchemaError, match=r"line 1: counts are given as percentages and there "
                                          r"is no count of inscrits"):
        read_results(RESULTS / f"{STEM}pourcentages_sans_inscrits.csv")


def test_nom_prenom_candidates_get_their_bloc_and_party() -> None:
    r = read_results(RESULTS / f"{STEM}suffixed.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # every 2017 candidate is known: no warning
        blocs = assign_blocs(r.votes)
    far_right = r.votes["voix"][blocs == "far_right"].groupby(r.votes["bureau_id"]).sum()
    assert far_right.tolist() == LE_PEN
    assert r.votes.loc[is_rn(r.votes), "voix"].sum() == sum(LE_PEN) == 377
    assert blocs[r.votes["candidate"] == "MÉLENCHON Jean-Luc"].eq("far_left").all()
    feats = build_features(r.stations, r.votes, [("2017-presidentielle", 1)],
                           parties={"rn": is_rn})
    rn = [c for c in feats.columns if "rn" in c.split("_") and c.startswith("share_exp")]
    assert rn, list(feats.columns)
    expected = pd.Series(LE_PEN, index=IDS) / pd.Series(EXPRIMES, index=IDS)
    assert feats.loc[IDS, rn[0]].tolist() == pytest.approx(expected.tolist())
    assert bloc_of("Marine LE PEN") == "far_right" and bloc_of("le pen") == "far_right"


def test_unknown_candidate_warns_by_name_or_refuses_under_strict() -> None:
    votes = pd.DataFrame({"election": ["2027-presidentielle"] * 3,
                          "candidate": ["LE PEN Marine", "DUPONT Jeanne", "MACRON Emmanuel"],
                          "voix": [1, 2, 3]})
    with pytest.warns(UserWarning, match=r"2027-presidentielle.*1 name\(s\) no bloc table "
                                         r"knows, counted in 'other': 'DUPONT Jeanne'"):
        blocs = assign_blocs(votes)
    assert blocs.tolist() == ["far_right", "other", "centre"]
    assert unknown_names(votes) == ["DUPONT Jeanne"]
    with pytest.raises(SchemaError, match="'DUPONT Jeanne'"):
        assign_blocs(votes, strict=True)


@pytest.mark.shared
def test_fixture_counts_are_those_of_the_national_table(shared_dir: Path) -> None:
    nat = read_results(shared_dir / "france/results/2017-presidentielle-1_par_bureau_large.csv.gz")
    ours = read_results(RESULTS / f"{STEM}pandas.csv")
    st = nat.stations.set_index("bureau_id").loc[IDS].reset_index()
    pd.testing.assert_frame_equal(ours.stations, st[list(ours.stations.columns)])
    nv = nat.votes[nat.votes["bureau_id"].isin(IDS)].copy()
    key = nv["candidate"].str.upper()
    ov = ours.votes.assign(key=ours.votes["candidate"].str.rsplit(" ", n=1).str[0].str.upper())
    ov.loc[ov["candidate"] == "DUPONT-AIGNAN Nicolas", "key"] = "DUPONT-AIGNAN"
    left = nv.assign(key=key).set_index(["bureau_id", "key"])["voix"].sort_index()
    right = ov.set_index(["bureau_id", "key"])["voix"].sort_index()
    assert left.to_dict() == right.to_dict()


def test_cli_results_reports_ignored_columns_and_rounding(
        capsys: pytest.CaptureFixture[str]) -> None:
    from swingcast.cli import main

    assert main(["results", str(RESULTS / f"{STEM}pourcentages.csv")]) == 0
    out = capsys.readouterr().out
    assert "format suffixed" in out and "0 invariant break(s)" in out
    assert "columns not read (after the candidate blocks): source_url" in out
    assert "counts rebuilt from percentages of 16 columns" in out and "all exact" in out
    assert main(["results", str(RESULTS / f"{STEM}pourcentages_sans_inscrits.csv")]) == 2
    assert "no count of inscrits" in capsys.readouterr().err


def test_one_field_nom_prenom(tmp_path: Path) -> None:
    # the same export with "NOM Prénom" in one "Candidat_k" field instead of Nom_k/Prénom_k
    text = (RESULTS / f"{STEM}suffixed.csv").read_text(encoding="utf-8").splitlines()
    header = text[0].split(";")
    rows = [line.split(";") for line in text[1:]]
    keep = [i for i, h in enumerate(header) if not h.startswith("Prénom_")]
    for row in rows:
        for i, h in enumerate(header):
            if h.startswith("Nom_"):
                row[i] = f"{row[i]} {row[header.index('Prénom_' + h[4:])]}"
    header = [h.replace("Nom_", "Candidat_") for h in header]
    one = tmp_path / f"{STEM}candidat.csv"
    one.write_text("\n".join(";".join(r[i] for i in keep) for r in [header, *rows]) + "\n",
                   encoding="utf-8")
    r = read_results(one)
    ref = read_results(RESULTS / f"{STEM}suffixed.csv")
    pd.testing.assert_frame_equal(r.votes, ref.votes)
    assert r.votes.loc[is_rn(r.votes), "voix"].sum() == 377
