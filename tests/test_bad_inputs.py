"""The corpus of broken inputs (tests/data/bad/, listed in cases.csv and README.md).

Every case goes through its loader and must either be refused with the error class and the
words of ``cases.csv`` (the file name always among them), or be read (``ok``), or be
repaired with a logged warning (``repair``). Figures are compared with the clean file the
case was derived from (``reference``) and with the hand counts of ``rows``; the input
bytes must be the same after the call.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import swingcast
from swingcast import errors, schema
from swingcast.cli import main

BAD = Path(__file__).parent / "data" / "bad"
CASES = list(csv.DictReader(open(BAD / "cases.csv", encoding="utf-8", newline="")))

#: Cases the loaders do not meet yet: case -> reason (strict xfail: a fix makes them fail).
KNOWN_GAPS: dict[str, str] = {}


def _paths(case: dict[str, str]) -> list[Path]:
    return [BAD / name for name in case["file"].split("+")]


def _with_sidecars(path: Path) -> list[Path]:
    if path.suffix == ".shp":
        return sorted(path.parent.glob(path.stem + ".*"))
    return [path]


def _digest(paths: list[Path]) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest()
            for path in paths for p in _with_sidecars(path)}


def _load(loader: str, paths: list[Path], kwargs: dict[str, Any]) -> Any:
    from swingcast.load.geometry import read_addresses, read_bureaux, read_iris

    if loader == "results":
        return swingcast.read_results(paths[0], **kwargs)
    if loader == "census":
        return swingcast.read_census(paths[0], **kwargs)
    if loader in ("iris", "bureaux", "addresses"):
        return {"iris": read_iris, "bureaux": read_bureaux,
                "addresses": read_addresses}[loader](paths[0], **kwargs)
    if loader == "check":
        return swingcast.check(paths, **kwargs)
    if loader == "crosswalk":
        return swingcast.crosswalk(read_iris(paths[0]), read_bureaux(paths[1]),
                                   source_id=schema.IRIS_CODE, target_id=schema.BUREAU_ID,
                                   **kwargs)
    if loader == "contacts":
        from swingcast.target.contacts import read_contacts

        return read_contacts(paths[0], **kwargs)
    if loader == "crosswalk-files":
        return swingcast.crosswalk(paths[0], paths[1], **kwargs)
    raise AssertionError(f"unknown loader {loader!r} in cases.csv")


def _assert_no_contact_cell(path: Path, message: str) -> None:
    """No name, e-mail, phone or coordinate of the contact file in the message."""
    cells = {c for line in path.read_text(encoding="utf-8").splitlines()[1:]
             for c in line.replace('"', "").split(",") if len(c) > 3}
    leaked = [c for c in cells if c in message.replace(str(path), "")]
    assert not leaked, f"{len(leaked)} contact cells in the message"


def _rows(loader: str, result: Any) -> int:
    return len(result.stations) if loader == "results" else len(result)


def _same_as_reference(loader: str, got: Any, ref: Any) -> None:
    if loader == "results":
        cols = [schema.BUREAU_ID, *schema.STATION_COUNTS]
        pd.testing.assert_frame_equal(got.stations[cols].reset_index(drop=True),
                                      ref.stations[cols].reset_index(drop=True))
        keys = [schema.BUREAU_ID, schema.CANDIDATE]
        a = got.votes.set_index(keys)[schema.VOIX].sort_index()
        b = ref.votes.set_index(keys)[schema.VOIX].sort_index()
        pd.testing.assert_series_equal(a, b)
    elif loader == "census":
        pd.testing.assert_frame_equal(got.reset_index(drop=True), ref.reset_index(drop=True),
                                      check_like=True)
    else:
        raise AssertionError(f"no reference comparison for loader {loader!r}")


def _params() -> list[Any]:
    out = []
    for case in CASES:
        marks = []
        if case["case"] in KNOWN_GAPS:
            marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_GAPS[case["case"]]))
        out.append(pytest.param(case, id=case["case"], marks=marks))
    return out


def test_corpus_is_complete() -> None:
    """At least 30 cases, every file of the folder used, every case listed in README.md."""
    assert len(CASES) >= 30
    assert len({c["case"] for c in CASES}) == len(CASES)
    used = {p.name for c in CASES for path in _paths(c) for p in _with_sidecars(path)}
    refs = {c["reference"] for c in CASES if c["reference"]}
    ok_files = {p.name for p in BAD.iterdir() if "_ok." in p.name}
    present = {p.name for p in BAD.iterdir()} - {"cases.csv", "README.md", "make_corpus.py"}
    assert present - used - refs - ok_files == set()
    assert all((BAD / c["file"].split("+")[0]).exists() for c in CASES)
    readme = (BAD / "README.md").read_text(encoding="utf-8")
    assert [c["case"] for c in CASES if f"`{c['case']}`" not in readme] == []


@pytest.mark.parametrize("case", _params())
def test_case(case: dict[str, str], caplog: pytest.LogCaptureFixture) -> None:
    paths = _paths(case)
    before = _digest(paths)
    kwargs = json.loads(case["kwargs"]) if case["kwargs"] else {}
    words = [w for w in case["words"].split("|") if w]
    expect = case["expect"]
    try:
        if expect in ("ok", "repair", "warning"):
            with caplog.at_level(logging.INFO, logger="swingcast"):
                result = _load(case["loader"], paths, kwargs)
        else:
            error_class = getattr(errors, expect)
            with pytest.raises(error_class) as info:
                _load(case["loader"], paths, kwargs)
            message = str(info.value)
            assert "\n" not in message.strip(), message
            if case["loader"] not in ("crosswalk", "check"):
                assert paths[0].name in message, message
            for word in words:
                assert word in message, f"{word!r} not in {message!r}"
            if case["loader"] == "contacts":
                _assert_no_contact_cell(paths[0], message)
            return
    finally:
        assert _digest(paths) == before, "the input file was modified"

    log_words = [w for w in case["log"].split("|") if w]
    if expect == "repair":
        warned = " ".join(r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING)
        for word in log_words:
            assert word in warned, f"{word!r} not in the warnings: {warned!r}"
    else:
        for word in log_words:
            assert word in caplog.text, f"{word!r} not logged: {caplog.text!r}"
    if expect == "warning":  # swingcast.check on several files
        assert result.status == "warning" and result.exit_code == 1, str(result)
        for word in words:
            assert word in str(result), f"{word!r} not in the report:\n{result}"
        return
    if case["rows"]:
        assert _rows(case["loader"], result) == int(case["rows"])
    if case["loader"] == "results":
        issues = set(result.issues["check"])
        assert issues == set(words), result.issues
        # conservation on every bureau without a recorded break: sum of voix = exprimes
        clean = result.stations[~result.stations[schema.BUREAU_ID].isin(result.issues["bureau_id"])]
        voix = result.votes.groupby(schema.BUREAU_ID)[schema.VOIX].sum()
        assert (voix.reindex(clean[schema.BUREAU_ID]).to_numpy()
                == clean[schema.EXPRIMES].to_numpy()).all()
    if case["loader"] in ("iris", "bureaux"):
        assert result.geometry.is_valid.all() and not result.geometry.is_empty.any()
        assert result.crs == schema.LAMBERT93
    if case["reference"]:
        ref = _load(case["loader"], [BAD / case["reference"]], {})
        _same_as_reference(case["loader"], result, ref)


# --- the command line on a sample of refused files ------------------------------------------

CLI_SAMPLE = [
    ("results", "presidentielle-2017-t2_truncated.csv", "line 7"),
    ("results", "presidentielle-2017-t2_negative_count.csv", "column 'votants'"),
    ("results", "presidentielle-2017-t2_undecodable.csv", "neither UTF-8 nor cp1252"),
    ("check", "census-rp2011_malformed_iris_code.csv", "75101O102"),
    ("check", "iris2013_degrees_labelled_2154.geojson", "degrees"),
    ("check", "bureaux-paris2017_no_id.geojson", "id_field"),
    ("results", "presidentielle-2017-t2_count_1e30.csv", "out of range"),
    ("results", "legislatives-2017-t2_ministere_unclosed_quote.txt", "line 3"),
    ("check", "contacts_no_header.csv", "does not look like a header"),
    ("check", "contacts_extra_field.csv", "line 4"),
]


@pytest.mark.parametrize(("command", "name", "word"), CLI_SAMPLE)
def test_cli_one_line_error(command: str, name: str, word: str,
                            capsys: pytest.CaptureFixture[str]) -> None:
    path = BAD / name
    before = _digest([path])
    assert main([command, str(path)]) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    # the command line names its flag where Python names the argument
    cli_word = {"id_field": "--id-field (swingcast contours)"}.get(word, word)
    assert lines[0].startswith("swingcast: error: ") and name in lines[0] and cli_word in lines[0]
    assert "Traceback" not in err
    with pytest.raises(errors.SwingcastError, match=word):
        main(["--debug", command, str(path)])  # --debug lets the exception (traceback) out
    assert _digest([path]) == before
