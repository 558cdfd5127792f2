"""The command line: `swingcast datasets`, `swingcast check`, error lines and exit codes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from swingcast.cli import main
from swingcast.load import datasets

BAD = Path(__file__).parent / "data" / "bad"
CENSUS = "paris/census/rp2011-cs8-iris-paris.csv"


def test_datasets_lists_every_registered_file(shared_dir: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(datasets.ENV_DATA_DIR, str(shared_dir))
    monkeypatch.setenv(datasets.ENV_CACHE_DIR, str(tmp_path / "cache"))
    monkeypatch.delenv(datasets.ENV_MIRROR, raising=False)
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    reg = datasets.registry()
    official = sum(n.startswith("official/") for n in reg)
    sample = sum(n.startswith("sample/") for n in reg)
    counts = next(ln for ln in out.splitlines() if "data_dir," in ln)
    # the 35 files of the data README, the embedded sample files, the official downloads
    assert set(counts.split(", ")) == {"35 data_dir", f"{official} downloadable",
                                       f"{sample} package"}
    assert CENSUS in out and "Licence Ouverte / Etalab" in out
    assert "`swingcast fetch NAME`" in out and "missing (" not in out


def test_datasets_flags_a_changed_file(shared_dir: Path, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / "data" / CENSUS
    copy.parent.mkdir(parents=True)
    shutil.copyfile(shared_dir / CENSUS, copy)
    with open(copy, "r+b") as handle:  # same size, one byte changed
        handle.seek(-2, os.SEEK_END)
        handle.write(b"9")
    monkeypatch.setenv(datasets.ENV_DATA_DIR, str(tmp_path / "data"))
    monkeypatch.setenv(datasets.ENV_CACHE_DIR, str(tmp_path / "cache"))
    assert main(["datasets"]) == 1
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if CENSUS in ln)
    assert line.endswith("hash mismatch")
    assert "1 hash mismatch" in out and "34 missing" in out
    assert "set SWINGCAST_DATA_DIR to a folder that holds them" in out


@pytest.mark.parametrize(("files", "status"), [
    (["census-rp2011_ok.csv", "iris2013_ok.geojson"], 0),
    (["census-rp2011_ok.csv", "iris-other-edition.geojson"], 1),
    (["census-rp2011_ok.csv", "census-rp2011_duplicated_iris.csv"], 2),
])
def test_check_exit_codes(files: list[str], status: int,
                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", *(str(BAD / f) for f in files)]) == status
    captured = capsys.readouterr()
    assert f"{len(files)} file(s)" in captured.out
    errors = [ln for ln in captured.err.splitlines() if ln.startswith("swingcast: error: ")]
    assert len(errors) == (1 if status == 2 else 0)


def test_check_forced_kind(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--kind", "census", str(BAD / "census-rp2011_ok.csv")]) == 0
    assert "[census]: ok" in capsys.readouterr().out


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "swingcast.cli", *args], capture_output=True,
                          text=True, timeout=120, check=False)


def test_real_process_error_and_debug() -> None:
    """In a real process: one line and status 2; with --debug, the traceback.

    (``swingcast check`` gets the same checks in-process in ``test_bad_inputs.py``.)
    """
    bad = str(BAD / "presidentielle-2017-t2_fractional_count.csv")
    plain = _run("results", bad)
    assert plain.returncode == 2
    assert plain.stderr.strip().splitlines() == [
        f"swingcast: error: {bad}, line 6, column 'MACRON': '806.5' is not a whole number; "
        "expected a count"
    ]
    debug = _run("--debug", "check", bad)
    assert debug.returncode == 1
    assert "Traceback (most recent call last)" in debug.stderr
    assert "InputFormatError" in debug.stderr
