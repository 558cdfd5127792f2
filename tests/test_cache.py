"""atomic_write: all or nothing, whatever the writer."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from swingcast.cache import atomic_write, partial_files


def test_path_mode_keeps_the_suffix_for_writers(tmp_path: Path) -> None:
    dest = tmp_path / "sub" / "table.parquet"
    frame = pd.DataFrame({"bureau_id": ["75056_101", "75056_102"], "inscrits": [1200, 950]})
    with atomic_write(dest) as tmp:
        assert tmp.parent == dest.parent and tmp.name.endswith("table.parquet")
        frame.to_parquet(tmp)
        assert not dest.exists()
    back = pd.read_parquet(dest)
    assert back["inscrits"].sum() == 1200 + 950
    assert partial_files(tmp_path) == []


def test_failure_keeps_previous_version(tmp_path: Path) -> None:
    dest = tmp_path / "report.csv"
    dest.write_text("old\n", encoding="utf-8")
    with pytest.raises(ValueError, match="boom"), atomic_write(dest, "w", encoding="utf-8") as fh:
        fh.write("new, half written")
        raise ValueError("boom")
    assert dest.read_text(encoding="utf-8") == "old\n"
    assert partial_files(tmp_path) == []


def test_nothing_written_is_an_error(tmp_path: Path) -> None:
    dest = tmp_path / "never.gpkg"
    with pytest.raises(FileNotFoundError, match="nothing was written"), atomic_write(dest):
        pass
    assert not dest.exists()


def test_read_modes_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="expected a write mode"), \
            atomic_write(tmp_path / "x.txt", "r"):
        pass
    assert partial_files(tmp_path) == []


def test_binary_mode_replaces_whole_file(tmp_path: Path) -> None:
    dest = tmp_path / "blob.bin"
    dest.write_bytes(b"x" * 100)
    with atomic_write(dest, "wb") as fh:
        fh.write(b"abc")
    assert dest.read_bytes() == b"abc"


class _FailingHalfWay:
    """A file opened by atomic_write whose first write stores half its text, then fails."""

    def __init__(self, real) -> None:
        self._real = real

    def write(self, text: str) -> int:
        self._real.write(text[: max(1, len(text) // 2)])
        self._real.flush()
        raise OSError("disk full (simulated)")

    def __getattr__(self, name: str):
        return getattr(self._real, name)

    def __enter__(self) -> _FailingHalfWay:
        return self

    def __exit__(self, *exc: object) -> None:
        self._real.close()


def _stage_writers():
    from swingcast.model.backtest import BacktestResult
    from swingcast.pipeline import _write_json
    from swingcast.target.contacts import export_segment
    from swingcast.target.report import html_report

    ranking = pd.DataFrame({"rank": [1], "value_per_hour": [0.5]},
                           index=pd.Index(["75056_101"], name="bureau_id"))
    return {
        "backtest.json": lambda p: BacktestResult("x", {"turnout": {}}, pd.DataFrame()).to_json(p),
        "pipeline.json": lambda p: _write_json(p, {"case": "x"}),
        "segment.csv": lambda p: export_segment(pd.DataFrame({"bureau_id": ["75056_101"]}), p),
        "report.html": lambda p: html_report(p, title="t", ranking=ranking),
    }


@pytest.mark.parametrize("name", ["backtest.json", "pipeline.json", "segment.csv", "report.html"])
def test_stage_writers_failing_half_way_keep_the_older_file(name, tmp_path, monkeypatch):
    import swingcast.cache as cache

    write = _stage_writers()[name]
    dest = tmp_path / name
    write(dest)  # the older version
    before = dest.read_bytes()
    assert before  # something was written
    monkeypatch.setattr(cache, "open",
                        lambda *a, **k: _FailingHalfWay(open(*a, **k)), raising=False)
    with pytest.raises(OSError, match="simulated"):
        write(dest)
    with pytest.raises(OSError, match="simulated"):
        write(tmp_path / "new" / name)
    monkeypatch.undo()
    assert dest.read_bytes() == before
    assert not (tmp_path / "new" / name).exists()
    assert partial_files(tmp_path) == []
