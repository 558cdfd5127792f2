"""Per-bureau census tables (swingcast.load.bureaucensus) and their way into v3 (entries 20–21)."""

from __future__ import annotations

import pytest

from swingcast.errors import InputFormatError, SchemaError
from swingcast.load.bureaucensus import read_bureau_census


def _write(tmp_path, text, name="census.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_reads_counts_and_the_total(tmp_path):
    p = _write(tmp_path, "bureau_id,pop,cadres,ouvriers\n92002_1,900,120,80\n92002_2,1100,300,\n")
    c = read_bureau_census(p, total="pop")
    assert c.attrs["census_total"] == "pop"
    assert list(c.index) == ["92002_1", "92002_2"]
    assert c["pop"].sum() == 2000.0  # by hand from the file
    assert c.loc["92002_2", "ouvriers"] != c.loc["92002_2", "ouvriers"]  # empty cell: NaN (no coverage)


@pytest.mark.parametrize(("text", "error", "words"), [
    ("code,pop\n1,2\n", SchemaError, "no column 'bureau_id'"),
    ("bureau_id;pop\n92002_1;10\n92002_1;12\n", SchemaError, "line 2.*more than once"),
    ("bureau_id;pop\n92002_1;10\n92002_2;dix\n", InputFormatError, "line 3, column 'pop'.*'dix' is not a number"),
    ("bureau_id;pop\n92002_1;-4\n", SchemaError, "line 2, column 'pop'.*negative"),
])
def test_bad_files_are_refused_with_the_place(tmp_path, text, error, words):
    p = _write(tmp_path, text)
    with pytest.raises(error, match=words) as info:
        read_bureau_census(p)
    assert "census.csv" in str(info.value)


def test_an_unknown_total_column_is_named(tmp_path):
    p = _write(tmp_path, "bureau_id,pop\n92002_1,10\n")
    with pytest.raises(SchemaError, match="column 'menages'.*no such column"):
        read_bureau_census(p, total="menages")


def test_french_number_formats(tmp_path):
    p = _write(tmp_path, 'bureau_id;pop;revenu\n92002_1;"1\u00a0234";"21 500,5"\n')
    c = read_bureau_census(p)
    assert c.loc["92002_1", "pop"] == 1234.0 and c.loc["92002_1", "revenu"] == 21500.5
