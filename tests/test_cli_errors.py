"""Every usage or OS error of the command line is one line ``swingcast: error: ...``, exit 2.

Run against the typer/click actually installed (typer >= 0.2x vendors click as
``typer._click``, whose exceptions are not click's): the versions are printed in the test
ids so that a failure says which pair broke.
"""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from swingcast.cli import main

BAD = Path(__file__).parent / "data" / "bad"
CENSUS = BAD / "census-rp2011_ok.csv"
INSTALLED = f"typer-{version('typer')}"

USAGE = [
    ([], "missing command"),
    (["--debug"], "missing command"),
    (["results"], "Missing argument"),
    (["census", str(CENSUS), "--outt", "x.csv"], "No such option: --outt"),
    (["resultz", "x.csv"], "No such command 'resultz'"),
    (["--nope"], "No such option: --nope"),
    (["contacts", "c.csv", "--top", "ten"], "Invalid value for '--top'"),
    (["contacts", "c.csv"], "Missing option"),
]


def _one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("swingcast: error: "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize(("args", "words"), USAGE, ids=[f"{INSTALLED}:{' '.join(a) or 'bare'}"
                                                        for a, _ in USAGE])
def test_usage_errors_one_line(args: list[str], words: str,
                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 2
    captured = capsys.readouterr()
    assert words in _one_error_line(captured.err)
    assert captured.out == ""  # no help screen either


def test_help_still_works(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "results" in capsys.readouterr().out


def test_console_script_exit_status() -> None:
    """Through a real interpreter, as the installed ``swingcast`` script runs it."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    run = subprocess.run([sys.executable, "-c", "import sys; from swingcast.cli import main; "
                          "sys.exit(main())", "resultz"], capture_output=True, text=True,
                         env=env, timeout=120)
    assert run.returncode == 2
    assert "No such command" in _one_error_line(run.stderr)


def test_output_is_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for out in (tmp_path, tmp_path / "x.parquet"):
        (tmp_path / "x.parquet").mkdir(exist_ok=True)
        assert main(["census", str(CENSUS), "--out", str(out)]) == 2
        line = _one_error_line(capsys.readouterr().err)
        assert f"{out}: is a folder" in line


def test_output_under_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    assert main(["census", str(CENSUS), "--out", str(blocker / "x.csv")]) == 2
    assert str(blocker / "x.csv") in _one_error_line(capsys.readouterr().err)


@pytest.mark.parametrize("name", ["x.csv", "x.parquet"])
def test_read_only_folder(tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    if os.geteuid() == 0:  # root writes anywhere chmod forbids: use a read-only file system
        folder = Path("/sys")
        if not folder.is_dir() or os.access(folder / "class", os.W_OK) and _writable(folder):
            pytest.skip("no read-only folder available to root")
    else:
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o555)
    out = folder / name
    assert main(["census", str(CENSUS), "--out", str(out)]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert f"{out}: cannot write the file" in line and ".partial." not in line
    assert not out.exists()


def _writable(folder: Path) -> bool:
    try:
        (folder / ".swingcast-probe").touch()
    except OSError:
        return False
    (folder / ".swingcast-probe").unlink()
    return True


def test_debug_shows_the_os_error(tmp_path: Path) -> None:
    from swingcast.errors import OutputError

    with pytest.raises(OutputError):
        main(["--debug", "census", str(CENSUS), "--out", str(tmp_path)])
