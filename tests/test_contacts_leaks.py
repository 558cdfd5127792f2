"""Contact lists: broken files are refused by line number, and no cell ever leaks.

Every cell of every file below carries a canary; the canary must appear in no message, no
log record, no warning, no traceback (with the chained exceptions), through the API and
the CLI (``--debug`` included). Segment files neutralise formula-like cells.
"""

from __future__ import annotations

import logging
import traceback
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from swingcast.cli import main
from swingcast.errors import InputFormatError
from swingcast.target.contacts import assign_bureaux, contacts_segment, read_contacts

CANARY = "Canary7f3a"
HEADER = "nationbuilder_id,first_name,last_name,email,phone,support_level,latitude,longitude"


def _row(i: int, lat: str = "48.85", lon: str = "2.35") -> str:
    return (f"{1000 + i},{CANARY}Jeanne{i},{CANARY}Durand,{CANARY}{i}@example.org,"
            f"+33 6 00 00 00 {i:02d},1,{lat},{lon}")


GOOD = [HEADER, *(_row(i) for i in range(1, 7))]

#: name -> (lines of the file, line number the error must name or None, words)
BROKEN = {
    "extra_field": ([*GOOD[:3], GOOD[3] + f",{CANARY}extra", *GOOD[4:]], 4, "9 fields"),
    "missing_field": ([*GOOD[:4], GOOD[4].rsplit(",", 1)[0], *GOOD[5:]], 5, "7 fields"),
    "unclosed_quote": ([*GOOD[:2], GOOD[2].replace(f"{CANARY}Durand", f'"{CANARY}Durand'),
                        *GOOD[3:]], 3, "quote"),
    "unclosed_quote_closing_later": (
        [*GOOD[:2], GOOD[2].replace(f"{CANARY}Durand", f'"{CANARY}Durand'), *GOOD[3:5],
         GOOD[5].replace("2.35", '2.35"'), *GOOD[6:]], 3, "quote"),
    "no_header": (GOOD[1:], 1, "does not look like a header"),
    "no_header_no_email": ([f"{CANARY}a,{CANARY}b", f"{CANARY}c,{CANARY}d"], 1,
                           "expected a column 'bureau_id'"),
    "quote_in_field": ([*GOOD[:2], GOOD[2].replace(f"{CANARY}Durand", f'{CANARY}"Du"rand'),
                        *GOOD[3:]], None, ""),
}


def _bureaux() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=[box(2.3, 48.8, 2.4, 48.9)], crs="EPSG:4326",
                            index=pd.Index(["75056_101"], name="bureau_id"))


def _no_canary(*texts: str) -> None:
    for text in texts:
        assert CANARY not in text and "example.org" not in text, text


def _full_traceback(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc))  # chained causes and contexts included


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_list_refused_without_values(name: str, tmp_path: Path,
                                            caplog: pytest.LogCaptureFixture) -> None:
    lines, line, words = BROKEN[name]
    path = tmp_path / f"{name}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = path.read_bytes()
    with caplog.at_level(logging.DEBUG), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            contacts = read_contacts(path)
        except InputFormatError as exc:
            message = str(exc)
            assert line is not None, message
            assert f"line {line}" in message and words in message, message
            assert str(path) in message and "\n" not in message
            _no_canary(message, repr(exc), _full_traceback(exc))
        else:
            assert line is None, f"{name} was read: {len(contacts)} rows"
            assert len(contacts) == len(lines) - 1  # no row swallowed
            assert contacts["_line"].tolist() == list(range(2, len(lines) + 1))
    _no_canary(caplog.text, *(str(w.message) for w in caught))
    assert path.read_bytes() == before


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_list_through_cli(name: str, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    lines, line, _ = BROKEN[name]
    path = tmp_path / f"{name}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ranking = tmp_path / "r.csv"
    ranking.write_text("bureau_id,inscrits,turnout_pred,share_pred,swing_prob,rank\n"
                       "75056_101,1000,0.7,0.6,0.1,1\n", encoding="utf-8")
    args = ["contacts", str(path), "--ranking", str(ranking), "--out", str(tmp_path / "s.csv")]
    if line is None:
        return  # read fine: the area's contours (shared data) would be needed to go on
    assert main(args) == 2
    captured = capsys.readouterr()
    assert len(captured.err.strip().splitlines()) == 1 and f"line {line}" in captured.err
    _no_canary(captured.out, captured.err)
    with pytest.raises(InputFormatError) as info:
        main(["--debug", *args])
    _no_canary(_full_traceback(info.value), capsys.readouterr().err)
    assert not (tmp_path / "s.csv").exists()


def test_check_on_a_headerless_contact_list(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text("\n".join(GOOD[1:]) + "\n", encoding="utf-8")
    status = main(["check", str(path)])
    captured = capsys.readouterr()
    assert status == 2
    _no_canary(captured.out, captured.err)


def test_assignment_and_segment_never_print(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "c.csv"
    rows = [*GOOD, _row(7, "45.0"), _row(8, "north")]  # one outside, one malformed
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    ranking = pd.DataFrame({"rank": [1]}, index=pd.Index(["75056_101"], name="bureau_id"))
    with caplog.at_level(logging.DEBUG):
        report = contacts_segment(path, ranking, _bureaux(), tmp_path / "s.csv", top=1)
        with pytest.raises(Exception) as info:
            assign_bureaux(read_contacts(path), _bureaux(), on_skip="raise")
    assert report.rows == 8 and report.assigned == 6
    assert report.skipped == {"malformed": [9], "outside": [8]}
    captured = capsys.readouterr()
    _no_canary(caplog.text, captured.out, captured.err, str(report), str(info.value),
               _full_traceback(info.value))
    written = pd.read_csv(tmp_path / "s.csv", dtype=str)
    assert len(written) == 6


def test_segment_neutralises_formulas(tmp_path: Path) -> None:
    payloads = ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd",
                "-2+3+cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]
    path = tmp_path / "c.csv"
    header = "email,first_name,latitude,longitude,support_level,=formula_header"
    body = ['"' + p.replace('"', '""') + '",Ana,48.85,2.35,1,x' for p in payloads]
    path.write_text("\n".join([header, *body]) + "\n", encoding="utf-8")
    ranking = pd.DataFrame({"rank": [1]}, index=pd.Index(["75056_101"], name="bureau_id"))
    contacts_segment(path, ranking, _bureaux(), tmp_path / "s.csv", top=1)
    written = pd.read_csv(tmp_path / "s.csv", dtype=str, keep_default_na=False)
    assert written["email"].tolist() == ["'" + p for p in payloads]
    assert "'=formula_header" in written.columns
    assert written["first_name"].tolist() == ["Ana"] * len(payloads)  # plain text unchanged
    assert written["latitude"].tolist() == ["48.85"] * len(payloads)
    assert read_contacts(path)["email"].tolist() == payloads  # the input is read as it is


@pytest.mark.parametrize("loader", ["results", "census", "bureaux", "addresses"])
def test_other_loaders_do_not_print_a_headerless_contact_list(loader: str,
                                                              tmp_path: Path) -> None:
    """A contact list given to the wrong loader: refused, without its first line."""
    import swingcast
    from swingcast.errors import SwingcastError
    from swingcast.load.geometry import read_addresses, read_bureaux

    path = tmp_path / "2017-presidentielle-1_contacts.csv"
    path.write_text("\n".join(GOOD[1:]) + "\n", encoding="utf-8")
    read = {"results": swingcast.read_results, "census": swingcast.read_census,
            "bureaux": read_bureaux, "addresses": read_addresses}[loader]
    with pytest.raises(SwingcastError) as info:
        read(path)
    _no_canary(str(info.value))
