"""Tests of swingcast.load.census.read_census: fixtures in each INSEE layout, errors, real files."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from swingcast.errors import InputFormatError, SchemaError
from swingcast.load.census import census_column_name, read_census

CENSUS = Path(__file__).parent / "data" / "census"


# --- fixtures in the publishers' layouts ----------------------------------------------------


def test_plain_cs8_layout() -> None:
    df = read_census(CENSUS / "rp2011_cs8.csv")
    assert list(df.columns) == ["iris_code", "commune_code", "iris_type", "pop15p",
                                "pop15p_cs1", "pop15p_cs2", "pop15p_cs3"]
    assert df["iris_code"].tolist() == ["751010101", "751010102", "751010199", "751020501"]
    assert df["commune_code"].tolist() == ["75101", "75101", "75101", "75102"]
    assert df["iris_type"].isna().all()  # no TYP_IRIS column and no COM0000 IRIS
    # hand sum of the C11_POP15P column of the fixture: 784 + 171 + 0 + 1200.5
    assert df["pop15p"].sum() == pytest.approx(2155.5)
    assert df.attrs["census_year"] == 2011
    assert df.attrs["columns"]["C11_POP15P_CS3"] == "pop15p_cs3"
    assert df.attrs["source"].endswith("rp2011_cs8.csv")
    assert all(df[c].dtype == "float64" for c in df.columns[3:])


def test_activite_residents_layout() -> None:
    df = read_census(CENSUS / "activite_residents_2016.csv")
    assert list(df.columns) == ["iris_code", "commune_code", "iris_type", "iris_name",
                                "commune_name", "pop1564", "act1564", "act1564_cs1",
                                "act1564_cs3"]
    assert df["iris_type"].tolist() == ["H", "A", "Z"]
    assert df["iris_code"].iloc[2] == "920710000"
    assert df["act1564_cs3"].tolist() == [420.25, 10.0, 3100.0]
    assert df.attrs["census_year"] == 2016


def test_filosofi_layout_bom_titles_two_headers_decimal_comma_secrecy() -> None:
    df = read_census(CENSUS / "filosofi_2019.csv")
    assert df["iris_code"].tolist() == ["920020101", "920020102", "920140103"]
    assert df["iris_name"].tolist() == ["Centre 1", "Parc", "Gare"]
    assert df.attrs["census_year"] == 2019
    assert df["dec_pimp"].iloc[0] == 62.5 and df["dec_gi"].iloc[0] == 0.281
    # empty cells are statistical secrecy: NaN, never 0
    assert math.isnan(df["dec_pimp"].iloc[1]) and math.isnan(df["dec_gi"].iloc[2])
    assert df["dec_med"].tolist() == [27120.0, 25400.0, 31870.0]
    assert df["iris_type"].isna().all()


def test_xlsx_layout_with_title_rows() -> None:
    df = read_census(CENSUS / "activite_residents_2016.xlsx")
    assert df["iris_code"].tolist() == ["920190101", "920190102", "921020000"]
    assert df["iris_type"].tolist() == ["H", "D", "Z"]
    assert df["act1564"].iloc[0] == 1344.5 and math.isnan(df["act1564"].iloc[1])
    assert df.attrs["census_year"] == 2016
    same = read_census(CENSUS / "activite_residents_2016.xlsx", sheet="IRIS")
    pd.testing.assert_frame_equal(df, same)


def test_census_column_names() -> None:
    assert census_column_name("C11_POP15P_CS3") == ("pop15p_cs3", 2011)
    assert census_column_name("P16_POP1564") == ("pop1564", 2016)
    assert census_column_name("DEC_MED19") == ("dec_med", 2019)


# --- refusals --------------------------------------------------------------------------------


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "bad.csv"
    p.write_text(text, encoding="utf-8")
    return p


#: Refused tables: (case, file content, what the message must say: file, line, column, value).
REFUSALS = [
    ("no IRIS column", "CODE;P16_POP\n751010101;3\n", r"bad\.csv.*no 'IRIS' column"),
    ("malformed IRIS", "IRIS;P16_POP\n751010101;3\n751010102;4\n7510101X1;5\n",
     r"bad\.csv, line 4, column 'IRIS'.*'7510101X1'"),
    ("negative count", "IRIS;P16_POP;DEC_D119\n751010101;3;-20\n751010102;-4;5\n",
     r"line 3, column 'P16_POP': negative count '-4'"),
    ("duplicated IRIS", "IRIS;P16_POP\n751010101;3\n751010102;4\n751010101;5\n",
     r"id 751010101: duplicated IRIS \(lines 2, 4\)"),
    ("non-numeric value", "IRIS;P16_POP;P16_ACT\n751010101;3;1\n751010102;4;n/a\n",
     r"bad\.csv, line 3, column 'P16_ACT'.*'n/a'"),
    ("unknown IRIS type", "IRIS;TYP_IRIS;P16_POP\n751010101;X;3\n",
     r"line 2, column 'TYP_IRIS'"),
    ("COM not the IRIS commune", "IRIS;COM;P16_POP\n751010101;75101;3\n751020101;75101;4\n",
     r"line 3, column 'COM'.*'751020101'"),
]


@pytest.mark.parametrize(("text", "message"), [pytest.param(t, m, id=c) for c, t, m in REFUSALS])
def test_refusal_names_file_line_and_column(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(SchemaError, match=message):
        read_census(_write(tmp_path, text))


def test_eight_digit_iris_gets_its_leading_zero(tmp_path: Path,
                                                caplog: pytest.LogCaptureFixture) -> None:
    p = _write(tmp_path, "IRIS;P16_POP\n10040101;3\n")
    with caplog.at_level("WARNING", logger="swingcast"):
        assert read_census(p)["iris_code"].tolist() == ["010040101"]
    assert "1 IRIS codes of 8 digits padded with a leading zero" in caplog.text


def test_missing_file_and_sheet_on_csv(tmp_path: Path) -> None:
    with pytest.raises(InputFormatError, match="no such file"):
        read_census(tmp_path / "nothing.csv")
    with pytest.raises(InputFormatError, match="not a workbook"):
        read_census(CENSUS / "rp2011_cs8.csv", sheet="IRIS")


def test_input_file_untouched() -> None:
    p = CENSUS / "filosofi_2019.csv"
    before = p.read_bytes()
    read_census(p)
    assert p.read_bytes() == before


# --- the real files ----------------------------------------------------------------------------


def _data_lines(path: Path, encoding: str = "utf-8-sig") -> list[str]:
    """Hand count: the lines of a CSV that start with an IRIS code."""
    lines = path.read_text(encoding=encoding).splitlines()
    return [ln for ln in lines if ln[:2].isdigit() or ln[:2] in ("2A", "2B")]


@pytest.mark.shared
def test_paris_rp2011(shared_dir: Path) -> None:
    path = shared_dir / "paris/census/rp2011-cs8-iris-paris.csv"
    df = read_census(path)
    assert len(df) == len(_data_lines(path)) == 992
    assert df["pop15p"].sum() == 1_926_666  # official total (data/README.md)
    # conservation up to INSEE's rounding of weighted counts: the eight categories add up
    # to the total within 2 people in every IRIS
    cs = df[[f"pop15p_cs{k}" for k in range(1, 9)]].sum(axis=1)
    assert (cs - df["pop15p"]).abs().max() <= 2
    assert set(df["commune_code"]) == {str(75100 + k) for k in range(1, 21)}


@pytest.mark.shared
def test_idf_rp2016(shared_dir: Path) -> None:
    path = shared_dir / "ile-de-france/census/base-ic-activite-residents-2016-idf.csv"
    df = read_census(path)
    lines = _data_lines(path)
    assert len(df) == len(lines) == 5258
    assert df.shape[1] == 114 - 12 + 5  # 102 variables after 12 id columns, 5 ids kept
    assert (df["iris_type"] == "Z").sum() == sum(ln.split(";")[9] == "Z" for ln in lines)
    assert df["iris_code"][df["iris_type"] == "Z"].str.endswith("0000").all()
    assert df.attrs["census_year"] == 2016
    raw = pd.read_csv(path, sep=";", dtype={"IRIS": str})
    assert df["pop1564"].sum() == raw["P16_POP1564"].sum()


@pytest.mark.shared
def test_filosofi_2019(shared_dir: Path) -> None:
    path = shared_dir / "france/census/BASE_TD_FILO_DEC_IRIS_2019.csv"
    df = read_census(path)
    lines = _data_lines(path)
    assert len(df) == len(lines) == 12_481
    # secrecy: as many NaN as empty cells in the raw column DEC_PIMP19 (5th field)
    assert df["dec_pimp"].isna().sum() == sum(ln.split(";")[4] == "" for ln in lines) == 922
    assert df.attrs["census_year"] == 2019
    assert (df["dec_d1"] <= df["dec_med"]).all() and (df["dec_med"] <= df["dec_d9"]).all()



def test_cli_census(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from swingcast.cli import main

    out = tmp_path / "filo.csv"
    assert main(["census", str(CENSUS / "filosofi_2019.csv"), "--out", str(out)]) == 0
    assert "3 IRIS in 2 communes, census year 2019, 3 variables" in capsys.readouterr().out
    assert pd.read_csv(out, dtype={"iris_code": str})["iris_code"].tolist() == [
        "920020101", "920020102", "920140103"]
    bad = tmp_path / "bad.csv"
    bad.write_text("IRIS;P16_POP\n751010101;x\n")
    assert main(["census", str(bad)]) == 2
    assert "line 2, column 'P16_POP'" in capsys.readouterr().err
