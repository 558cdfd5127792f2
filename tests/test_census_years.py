"""read_census on the INSEE layouts of 2015-2022: XLS workbooks, zipped CSV, Filosofi 2021.

Fixtures: tests/data/census/make_census_fixtures.py (the 2022 rows are the real first rows
of the national file as quoted in public code; the others are made up, hand-checked below).
"""

from __future__ import annotations

import math
import zipfile
from pathlib import Path

import pytest

from swingcast.errors import InputFormatError
from swingcast.load.census import read_census

CENSUS = Path(__file__).parent / "data" / "census"


def test_rp_2015_xls_and_2022_zip_get_the_same_names() -> None:
    old = read_census(CENSUS / "base-ic-evol-struct-pop-2015_extrait.xls")
    new = read_census(CENSUS / "base-ic-evol-struct-pop-2022_csv.zip")
    variables = ["pop", "pop0002", "pop0305", "pop0610"]
    assert list(old.columns[-4:]) == variables == list(new.columns[-4:])
    assert (old.attrs["census_year"], new.attrs["census_year"]) == (2015, 2022)
    assert old["iris_code"].tolist() == ["920020101", "920020102", "920710000"]
    assert old["iris_type"].tolist() == ["H", "A", "Z"]
    assert old["pop"].sum() == pytest.approx(2812.4 + 412.0 + 19520.0)
    assert new["iris_code"].tolist()[:2] == ["010010000", "010020000"]  # zeros kept
    assert new["commune_code"].tolist()[2] == "01004"
    assert new.loc[2, "pop"] == pytest.approx(2057.93753915075)
    assert new["pop"].sum() == pytest.approx(859 + 273 + 2057.93753915075 + 3986.92009810392
                                             + 4520.66663670346)
    assert new.attrs["source"].endswith("_csv.zip!base-ic-evol-struct-pop-2022.csv")
    for df in (old, new):  # age groups are parts of the population
        assert (df[variables[1:]].sum(axis=1) < df["pop"]).all()


def test_filosofi_2021_zip_secrecy_markers(tmp_path: Path) -> None:
    df = read_census(CENSUS / "BASE_TD_FILO_IRIS_2021_DISP_CSV.zip")
    assert df.attrs["census_year"] == 2021
    assert df["disp_med"].tolist()[:1] == [24630.0] and math.isnan(df["disp_med"].iloc[1])
    assert df.loc[0, "disp_gi"] == 0.291 and df.loc[3, "disp_rd"] != df.loc[3, "disp_rd"]
    # markers counted by hand in the fixture: ns (row 2, every column), nd, so, s
    assert df.attrs["secret_cells"]["disp_tp60"] == 2  # ns + so
    assert df.attrs["secret_cells"]["disp_pact"] == 2  # ns + nd
    assert sum(df.attrs["secret_cells"].values()) == 10 + 1 + 4
    # an archive with two tables must be told which one to read
    two = tmp_path / "two.zip"
    with zipfile.ZipFile(two, "w") as z, zipfile.ZipFile(
            CENSUS / "base-ic-evol-struct-pop-2022_csv.zip") as src:
        z.writestr("a.csv", src.read("base-ic-evol-struct-pop-2022.csv"))
        z.writestr("b.csv", src.read("base-ic-evol-struct-pop-2022.csv"))
    with pytest.raises(InputFormatError, match=r"2 tables in the archive.*member="):
        read_census(two)
    assert len(read_census(two, member="b.csv")) == 5
