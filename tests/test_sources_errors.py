"""Bad input: every refusal names the file, the line/column and what was expected."""

from __future__ import annotations

import gzip
import logging

import pytest

from swingcast import schema
from swingcast.errors import InputFormatError, InvariantError, SchemaError, SwingcastError
from swingcast.load.sources import read_results

GOOD = "results/2017-presidentielle-2_par_bureau_large.csv"
NAME = "2017-presidentielle-2_par_bureau_large.csv"


@pytest.fixture
def good_text(fixtures_dir) -> str:
    return (fixtures_dir / GOOD).read_text(encoding="utf-8")


def _write(tmp_path, text: str, name: str = NAME):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_input_file_is_not_modified(fixtures_dir):
    path = fixtures_dir / GOOD
    before = path.read_bytes(), path.stat().st_mtime_ns
    read_results(path)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_empty_and_header_only(tmp_path, good_text):
    with pytest.raises(InputFormatError, match="empty file"):
        read_results(_write(tmp_path, ""))
    with pytest.raises(InputFormatError, match="header only"):
        read_results(_write(tmp_path, good_text.splitlines()[0] + "\n"))


def test_undecodable_bytes_name_the_line(tmp_path, good_text):
    lines = good_text.encode("utf-8").splitlines()
    lines[3] = lines[3].replace(b"Paris", b"Pa\x81ris")  # 0x81: neither UTF-8 nor cp1252
    path = tmp_path / NAME
    path.write_bytes(b"\n".join(lines) + b"\n")
    with pytest.raises(InputFormatError, match=r"line 4: .*neither UTF-8 nor cp1252"):
        read_results(path)


def test_cp1252_fallback_is_reported(tmp_path, good_text, caplog):
    path = tmp_path / NAME
    path.write_bytes(good_text.encode("cp1252"))
    with caplog.at_level(logging.INFO, logger="swingcast"):
        r = read_results(path)
    assert r.encoding == "cp1252" and "cp1252" in caplog.text
    assert r.stations[schema.INSCRITS].sum() == 4098  # same figures as the UTF-8 file


def test_wrong_separator(tmp_path, good_text):
    path = _write(tmp_path, good_text.replace(",", ";"))
    with pytest.raises(InputFormatError, match=r"line 1: fields are separated by ';', expected ','"):
        read_results(path, format="national-large")
    with pytest.raises(InputFormatError, match="single column"):
        read_results(_write(tmp_path, good_text.replace(",", " ")))


def test_missing_column(tmp_path, good_text):
    text = good_text.replace("inscrits,", "inscrit,")
    with pytest.raises(InputFormatError, match="matches no known results layout"):
        read_results(_write(tmp_path, text))
    with pytest.raises(SchemaError, match="national-large"):
        read_results(_write(tmp_path, text), format="national-large")


def test_missing_column_in_ministry_file(fixtures_dir, tmp_path):
    raw = (fixtures_dir / "results/PR17_BVot_T1_extrait.txt").read_bytes()
    path = tmp_path / "PR17_BVot_T1.txt"
    path.write_bytes(raw.replace("Exprimés".encode("cp1252"), b"Expr"))
    with pytest.raises(SchemaError, match=r"line 1: no column for exprimes"):
        read_results(path)


def test_non_numeric_and_negative_counts(tmp_path, good_text):
    lines = good_text.splitlines()
    lines[2] = lines[2].replace(",1000,", ",1O00,")  # letter O
    with pytest.raises(InputFormatError, match=r"line 3, column 'inscrits': '1O00' is not a count"):
        read_results(_write(tmp_path, "\n".join(lines) + "\n"))
    lines = good_text.splitlines()
    lines[4] = lines[4].replace(",80,300", ",-80,300")
    with pytest.raises(SchemaError, match=r"line 5, column 'LE PEN': negative count -80"):
        read_results(_write(tmp_path, "\n".join(lines) + "\n"))


def test_truncated_last_line(tmp_path, good_text):
    cut = good_text.rstrip("\n")[:-12]
    with pytest.raises(InputFormatError, match=r"line 6: last line has \d+ fields, header has 11"):
        read_results(_write(tmp_path, cut))


def test_longer_record_is_an_error_in_a_rectangular_layout(tmp_path, good_text):
    lines = good_text.splitlines()
    lines[2] += ",7"
    with pytest.raises(InputFormatError, match=r"line 3: 12 fields, header has 11"):
        read_results(_write(tmp_path, "\n".join(lines) + "\n"))


def test_truncated_ministry_block(fixtures_dir, tmp_path):
    raw = (fixtures_dir / "results/Leg_2017_Resultats_BVT_T1_extrait.txt").read_bytes()
    lines = raw.rstrip(b"\n").split(b"\n")
    lines[-1] = lines[-1].rsplit(b";", 2)[0]  # last candidate block cut short
    path = tmp_path / "Leg_2017_Resultats_BVT_T1.txt"
    path.write_bytes(b"\n".join(lines) + b"\n")
    with pytest.raises(InputFormatError, match=r"line 4: .*candidate blocks of 8"):
        read_results(path)


def test_truncated_gzip(tmp_path, good_text):
    data = gzip.compress(good_text.encode("utf-8"))
    path = tmp_path / (NAME + ".gz")
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputFormatError, match="gzip"):
        read_results(path)


def test_duplicated_bureau_recorded_then_strict(tmp_path, good_text):
    lines = good_text.splitlines()
    path = _write(tmp_path, "\n".join([*lines, lines[1]]) + "\n")
    r = read_results(path)
    assert len(r.stations) == 5  # the repeated line 7 is dropped, reported
    assert r.issues[["line", "bureau_id", "check"]].values.tolist() == [
        [7, "01001_1", "duplicate_bureau"]]
    assert "same counts and votes" in r.issues["detail"].iloc[0]
    with pytest.raises(InvariantError, match=r"line 7, id 01001_1"):
        read_results(path, strict=True)


def test_invariant_breaks_are_recorded_with_lines(tmp_path, good_text, caplog):
    lines = good_text.splitlines()
    lines[3] = lines[3].replace(",100,760", ",101,760")  # voix 861 != exprimes 860
    lines[5] = lines[5].replace(",500,250,", ",500,600,")  # votants 600 > inscrits 500
    path = _write(tmp_path, "\n".join(lines) + "\n")
    with caplog.at_level(logging.WARNING, logger="swingcast"):
        r = read_results(path)
    got = r.issues[["line", "bureau_id", "check"]].values.tolist()
    assert [4, "75056_1905", "voix_exprimes"] in got
    assert [6, "97801_1", "votants_le_inscrits"] in got
    assert [6, "97801_1", "non_negative"] in got  # abstentions = 500 - 600 < 0
    assert "invariant break" in caplog.text
    with pytest.raises(InvariantError, match=r"line 4, id 75056_1905: sum of voix 861"):
        read_results(path, strict=True)


def test_unknown_election_and_bad_round(tmp_path, good_text):
    path = _write(tmp_path, good_text, "resultats.csv")
    with pytest.raises(SchemaError, match="cannot tell the election and round"):
        read_results(path)
    with pytest.raises(SchemaError, match="round 3; expected 1 or 2"):
        read_results(path, election="2017-presidentielle", round=3)
    with pytest.raises(SchemaError, match="is not '<year>-<kind>'"):
        read_results(path, election="2017-primaire", round=1)


def test_unknown_format_and_candidates_file_alone(fixtures_dir):
    with pytest.raises(InputFormatError, match="unknown format 'csv'"):
        read_results(fixtures_dir / GOOD, format="csv")
    with pytest.raises(InputFormatError, match="pass the general_results file"):
        read_results(fixtures_dir / "results/candidats_results_extrait.csv")


def test_cli_results_summary_and_error(fixtures_dir, tmp_path, capsys):
    from swingcast.cli import main

    assert main(["results", str(fixtures_dir / GOOD)]) == 0
    out = capsys.readouterr().out
    assert "national-large" in out and "4098" in out and "0 invariant break(s)" in out
    assert main(["results", str(_write(tmp_path, ""))]) == 2
    assert "empty file" in capsys.readouterr().err
    assert issubclass(InputFormatError, SwingcastError)


def test_repeated_row_in_a_wide_ministry_sheet_is_a_duplicate(fixtures_dir, tmp_path):
    from openpyxl import load_workbook

    wb = load_workbook(fixtures_dir / "results/departementales_2021_t1_extrait.xlsx")
    ws = wb.active
    ws.append([c.value for c in ws[2]])  # sheet row 4 repeats row 2
    path = tmp_path / "departementales_2021_t1.xlsx"
    wb.save(path)
    r = read_results(path)
    assert r.format == "ministry-wide"
    assert r.issues[["line", "bureau_id", "check"]].values.tolist() == [
        [4, "92002_1", "duplicate_bureau"]]
    assert r.votes[schema.VOIX].sum() == r.stations[schema.EXPRIMES].sum() == 490 + 390


def test_pre_2014_blancs_et_nuls_is_checked_not_split(tmp_path):
    header = ("Code du département;Code de la commune;Code du b.vote;Inscrits;Abstentions;"
              "Votants;Blancs et nuls;Exprimés;N°Panneau;Nom;Voix\n")
    rows = ("33;063;0001;100;40;60;3;57;1;A;30;2;B;27\n"  # 60 = 3 + 57
            "33;063;0002;100;40;60;3;56;1;A;30;2;B;26\n")  # 60 != 3 + 56
    path = tmp_path / "PR12_BVot_T2.txt"
    path.write_bytes((header + rows).encode("cp1252"))
    r = read_results(path)
    assert r.stations[schema.BLANCS].isna().all() and r.stations[schema.NULS].isna().all()
    assert r.issues[["line", "check"]].values.tolist() == [[3, "votants_blancs_nuls_exprimes"]]


def test_xlsx_below_title_rows_names_sheet_rows(fixtures_dir, tmp_path):
    """Below title rows, lines in messages and issues are the sheet's row numbers."""
    from openpyxl import load_workbook

    src = fixtures_dir / "results/Leg_2017_Resultats_BVT_T1_titres.xlsx"
    wb = load_workbook(src)
    ws = wb.active
    col = [c.value for c in ws[4]].index("Inscrits") + 1  # header on sheet row 4
    ws.cell(row=6, column=col, value=801)  # Sceaux: inscrits 800 -> 801
    broken = tmp_path / "Leg_2017_Resultats_BVT_T1.xlsx"
    wb.save(broken)
    r = read_results(broken)
    assert r.issues[["line", "bureau_id"]].drop_duplicates().values.tolist() == [
        [6, "92071_2"]]
    ws.cell(row=7, column=col, value="six cents")
    wb.save(broken)
    with pytest.raises(InputFormatError, match=r"line 7, column 'Inscrits': 'six cents'"):
        read_results(broken)
    ws.cell(row=7, column=col, value=600)
    ws.delete_cols([c.value for c in ws[4]].index("Votants") + 1)
    wb.save(broken)
    with pytest.raises(SchemaError, match=r"T1\.xlsx, line 4: no column for votants"):
        read_results(broken)


@pytest.mark.parametrize(("header_sep", "record_sep"), [(",", ";"), (";", ",")])
def test_separator_differs_between_header_and_records(tmp_path, good_text, header_sep,
                                                      record_sep):
    lines = good_text.splitlines()
    text = "\n".join([lines[0].replace(",", header_sep)]
                     + [line.replace(",", record_sep) for line in lines[1:]]) + "\n"
    path = _write(tmp_path, text)
    before = path.read_bytes()
    with pytest.raises(InputFormatError) as info:
        read_results(path)
    message = str(info.value)
    assert NAME in message and "line 2" in message
    assert "separator differs between the header and this line" in message
    assert f"expected {header_sep!r}" in message and f"by {record_sep!r}" in message
    assert "truncated" not in message
    assert path.read_bytes() == before


def test_only_the_last_line_with_another_separator_is_named(tmp_path, good_text):
    lines = good_text.splitlines()
    lines[-1] = lines[-1].replace(",", ";")
    with pytest.raises(InputFormatError,
                       match=rf"line {len(lines)}: the separator differs between the header"):
        read_results(_write(tmp_path, "\n".join(lines) + "\n"))
