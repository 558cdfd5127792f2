"""Messages: every warning once, in swingcast's words, naming the flag on the command line.

The command-line runs are real processes (``python -m swingcast.cli``) whose stderr is read
line by line; the library warnings are real ones (a pandas ``DtypeWarning`` from a CSV that
mixes numbers and text).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import warnings
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from swingcast._log import cli_messages, logger, quiet_library_warnings
from swingcast.cli import _cli_words
from swingcast.errors import GeometryError, SwingcastWarning

BAD = Path(__file__).parent / "data" / "bad"
ALPES = "alpes-de-haute-provence/contours/Bvote_Propre_Dep_04.geojson"  # 04116_4: no geometry
PARIS_T1 = "paris/results/2017-presidentielle-1-paris-parts-par-bureau.csv"  # 6 duplicates


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    return subprocess.run([sys.executable, "-m", "swingcast.cli", *args], capture_output=True,
                          text=True, timeout=300, check=False, env=env)


def _no_raw_warning(stderr: str) -> None:
    for line in stderr.splitlines():
        assert "UserWarning" not in line and "DtypeWarning" not in line, line
        assert line.startswith("swingcast: "), line  # nothing else reaches the user


def _once_each(stderr: str) -> None:
    counts = Counter(stderr.splitlines())
    assert [line for line, n in counts.items() if n > 1] == [], stderr


def test_words_name_the_flags_of_the_command_being_run():
    contours = _cli_words(["contours", "bureaux", "x.geojson"])
    assert contours("a feature has no geometry (or drop_empty=True)") == (
        "a feature has no geometry (or --drop-empty)")
    assert contours("pass crs= (for example crs='EPSG:2154')") == (
        "pass --crs (for example --crs EPSG:2154)")
    # `check` has no --drop-empty: the message says which command has it
    assert _cli_words(["check", "x"])("(or drop_empty=True)") == (
        "(or --drop-empty (swingcast contours))")
    assert _cli_words(["crosswalk"])("or pass within=None.") == "or pass --within none."
    # names that are no option of any command stay as they are
    assert contours("flagged census_missing=1") == "flagged census_missing=1"


def test_each_message_once_and_library_warnings_reworded():
    err = io.StringIO()
    mixed = io.StringIO("a,b\n" + "1,1\n" * 400_000 + "x,1\n" * 400_000)
    with cli_messages(stream=err):
        logger.warning("census: 1 of 92 bureaux without census coverage")
        logger.warning("census: 1 of 92 bureaux without census coverage")  # a second build
        pd.read_csv(mixed)  # pandas DtypeWarning: the column mixes numbers and text
        warnings.warn("Workbook contains no default style, apply openpyxl's default",
                      UserWarning, stacklevel=1)  # openpyxl noise (module: this test)
    lines = err.getvalue().splitlines()
    assert lines[0] == "swingcast: warning: census: 1 of 92 bureaux without census coverage"
    assert len(lines) == 2, lines
    assert lines[1] == ("swingcast: warning: pandas: a table's columns (0: a) mix numbers and "
                        "text; they were read as they came")
    _no_raw_warning(err.getvalue())
    # in Python, the library noise is dropped where swingcast reads a file
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with quiet_library_warnings():
            warnings.warn("Workbook contains no default style, apply openpyxl's default",
                          UserWarning, stacklevel=1)
    assert caught == []


@pytest.mark.shared
def test_python_names_the_argument_and_the_cli_the_flag(shared_dir):
    from swingcast.load.contours import read_bureaux

    with pytest.raises(GeometryError, match=r"\(or drop_empty=True\)"):
        read_bureaux(shared_dir / ALPES)
    with pytest.warns(SwingcastWarning, match="dropped 1 features without geometry: 04116_4"):
        read_bureaux(shared_dir / ALPES, drop_empty=True)

    refused = _run("contours", "bureaux", str(shared_dir / ALPES))
    assert refused.returncode == 2
    assert refused.stderr.splitlines() == [
        f"swingcast: error: {shared_dir / ALPES}, id 04116_4: missing or empty geometry; "
        "expected a geometry for every feature (or --drop-empty)"]
    dropped = _run("contours", "bureaux", str(shared_dir / ALPES), "--drop-empty")
    assert dropped.returncode == 0
    _no_raw_warning(dropped.stderr)
    _once_each(dropped.stderr)
    assert sum("dropped 1 features without geometry: 04116_4" in line
               for line in dropped.stderr.splitlines()) == 1


@pytest.mark.shared
def test_check_prints_each_warning_once_in_its_report(shared_dir):
    files = [str(shared_dir / PARIS_T1), str(shared_dir / ALPES),
             str(BAD / "census-rp2011_title_rows.xlsx")]
    run = _run("check", *files)
    assert run.returncode == 2
    _no_raw_warning(run.stderr)
    _once_each(run.stderr)
    # the warning is in the report (stdout), not printed again on stderr
    assert run.stdout.count("6 invariant break(s)") == 1
    assert "invariant break" not in run.stderr
    # the refused file: one error line, naming the flag of the command that has it
    assert run.stderr.splitlines() == [
        f"swingcast: error: {shared_dir / ALPES}, id 04116_4: missing or empty geometry; "
        "expected a geometry for every feature (or --drop-empty (swingcast contours))"]
