"""Tests of swingcast.target.contacts: assignment to bureaux, segments, and that no personal data leaks."""

from __future__ import annotations

import csv
import logging

import pandas as pd
import pytest

from swingcast.errors import InputFormatError, SwingcastError, TargetingError
from swingcast.target.contacts import (
    assign_bureaux,
    contacts_segment,
    read_contacts,
    segment,
)

EXPECTED = {2: "75056_101", 3: "75056_1905", 4: "75056_1517", 7: "75056_1346", 9: "75056_1346"}


@pytest.fixture(scope="module")
def paris(shared_dir):
    from swingcast.pipeline import area_bureaux

    return area_bureaux("paris")


@pytest.fixture(scope="module")
def contacts_file(fixtures_dir):
    return fixtures_dir / "contacts" / "contacts.csv"


def _personal_values(path):
    """Every name, e-mail, phone and coordinate of the fixture: none may appear in logs/errors."""
    values = set()
    with open(path, encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            for key in ("first_name", "last_name", "email", "phone", "latitude", "longitude"):
                if row[key]:
                    values.add(row[key])
    return values


def _assert_no_leak(text, values):
    leaked = [v for v in values if v in text]
    assert not leaked, f"personal data in output: {len(leaked)} values"


@pytest.mark.shared
def test_assignment_matches_construction(contacts_file, paris):
    contacts = read_contacts(contacts_file)
    assigned, report = assign_bureaux(contacts, paris)
    got = dict(zip(assigned["_line"], assigned["bureau_id"], strict=True))
    assert got == EXPECTED
    assert report.rows == 8 and report.assigned == 5
    assert report.skipped == {"malformed": [6], "outside": [5], "unknown_bureau": [8]}
    assert report.assigned + report.n_skipped == report.rows  # every row accounted for


@pytest.mark.shared
def test_segment_supporters_in_top_bureaux(contacts_file, paris, tmp_path):
    ranking = pd.DataFrame(
        {"rank": [1, 2, 3, 4]},
        index=pd.Index(["75056_1346", "75056_1517", "75056_101", "75056_1905"], name="bureau_id"),
    )
    assigned, _ = assign_bureaux(read_contacts(contacts_file), paris)
    seg = segment(assigned, ranking, top=3)
    # top 3 bureaux: lines 7, 9 (1346, support 1), 4 (1517, support 4: excluded), 2 (101, support 1)
    assert seg["_line"].tolist() == [7, 9, 2]
    assert set(seg["tag_list"]) == {"swingcast-top3"}
    everyone = segment(assigned, ranking, top=3, support_levels=None)
    assert sorted(everyone["_line"]) == [2, 4, 7, 9]

    out = tmp_path / "segment.csv"
    report = contacts_segment(contacts_file, ranking, paris, out, top=3)
    written = pd.read_csv(out, dtype=str)
    assert len(written) == 3 and "_line" not in written.columns
    assert written["nationbuilder_id"].tolist() == ["1006", "1008", "1001"]
    assert report.assigned == 5


@pytest.mark.shared
def test_no_personal_data_in_logs_or_errors(contacts_file, paris, caplog, capsys, tmp_path):
    values = _personal_values(contacts_file)
    assert len(values) > 30  # the check below has something to find
    ranking = pd.DataFrame({"rank": [1]}, index=pd.Index(["75056_1346"], name="bureau_id"))
    with caplog.at_level(logging.DEBUG):
        contacts_segment(contacts_file, ranking, paris, tmp_path / "s.csv", top=1)
        with pytest.raises(TargetingError) as err:
            assign_bureaux(read_contacts(contacts_file), paris, source="c.csv", on_skip="raise")
    assert "lines 5" in str(err.value) and "lines 6" in str(err.value)
    captured = capsys.readouterr()
    for text in (caplog.text, str(err.value), captured.out, captured.err):
        _assert_no_leak(text, values)
    # the CLI's one-line message, too
    from swingcast.cli import main

    ranking_csv = tmp_path / "r.csv"
    ranking_csv.write_text("bureau_id,inscrits,turnout_pred,share_pred,swing_prob,rank\n"
                           "75056_1346,1000,0.7,0.6,0.1,1\n", encoding="utf-8")
    args = ["contacts", str(contacts_file), "--ranking", str(ranking_csv), "--top", "1"]
    assert main([*args, "--out", str(tmp_path / "x.csv")]) == 0
    assert main([*args, "--out", str(tmp_path / "y.csv"), "--strict"]) == 2
    captured = capsys.readouterr()
    assert "outside: 1, lines 5" in captured.err  # the refusal names lines, not people
    assert "3 skipped" in captured.out  # the default run reports its skips
    _assert_no_leak(captured.out + captured.err, values)
    assert not (tmp_path / "y.csv").exists()  # nothing written when refused
    assert len(pd.read_csv(tmp_path / "x.csv")) == 2  # lines 7 and 9, support level 1


def test_malformed_rows_and_missing_columns(fixtures_dir, tmp_path):
    broken = fixtures_dir / "contacts" / "broken.csv"
    with pytest.raises(InputFormatError) as err:
        read_contacts(broken)
    message = str(err.value)
    assert "line 3" in message
    for secret in ("secret.person", "leaky.row", "EXTRA-SECRET", "48.86"):
        assert secret not in message
    no_geo = tmp_path / "nogeo.csv"
    no_geo.write_text("email,name\nx@example.org,X\n", encoding="utf-8")
    with pytest.raises(InputFormatError, match="expected a column 'bureau_id'"):
        read_contacts(no_geo)
    with pytest.raises(SwingcastError):
        read_contacts(tmp_path / "missing.csv")


def test_semicolon_and_decimal_comma(tmp_path):
    import geopandas as gpd
    from shapely.geometry import box

    f = tmp_path / "c.csv"
    f.write_text("email;lat;lon\na@example.org;48,85;2,35\n", encoding="utf-8")
    g = gpd.GeoDataFrame(geometry=[box(2.3, 48.8, 2.4, 48.9)], crs="EPSG:4326",
                         index=pd.Index(["75056_101"], name="bureau_id"))
    assigned, report = assign_bureaux(read_contacts(f), g)
    assert assigned["bureau_id"].tolist() == ["75056_101"] and report.n_skipped == 0


def test_wrong_encoding_is_refused_without_values(tmp_path):
    f = tmp_path / "latin1.csv"
    rows = ["email,last_name,latitude,longitude"] + [
        f"p{i}@example.org,{'Ménard' if i > 2000 else 'Menard'}{i},48.86,2.33"
        for i in range(3000)]  # the first non-UTF-8 byte lies beyond the first read buffer
    f.write_bytes("\n".join(rows).encode("latin-1"))
    with pytest.raises(InputFormatError) as err:
        read_contacts(f)
    assert "expected UTF-8" in str(err.value)
    assert "example.org" not in str(err.value) and "nard" not in str(err.value)
