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
