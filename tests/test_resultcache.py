"""The parsed-results cache: a cached read equals a parse, and a bad entry is never served."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pandas as pd
import pytest

from swingcast.cli import main
from swingcast.load import datasets
from swingcast.load.sources import Results, read_results
from swingcast.load.sources import resultcache as rc


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache folder of this test only."""
    monkeypatch.setenv(datasets.ENV_CACHE, str(tmp_path / "cache"))
    monkeypatch.delenv(rc.ENV_NO_CACHE, raising=False)
    return tmp_path / "cache" / "results"


def _manifests(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def _assert_same(a: Results, b: Results) -> None:
    for name in ("stations", "votes", "issues"):
        x, y = getattr(a, name), getattr(b, name)
        pd.testing.assert_frame_equal(x, y, check_exact=True)
        assert [repr(d) for d in x.dtypes] == [repr(d) for d in y.dtypes]
        assert x.index.equals(y.index) and type(x.index) is type(y.index)
    assert (a.source, a.format, a.encoding) == (b.source, b.format, b.encoding)


CASES = [
    ("results/2017-presidentielle-2_par_bureau_large.csv", {}),
    ("results/2017-presidentielle-2_par_bureau_long.csv", {}),
    ("results/PR17_BVot_T1_extrait.txt", {}),
    ("results/Leg_2017_Resultats_BVT_T1_titres.xlsx", {}),
    ("results/legislatives2024_t1_extrait.xlsx", {}),
    ("results/2017-presidentielle-1-paris-parts-extrait.csv", {}),
    ("results/general_results_extrait.csv",
     {"candidates": "results/candidats_results_extrait.csv"}),
    ("bad/presidentielle-2017-t2_voix_sum_mismatch.csv", {}),
    ("bad/presidentielle-2017-t2_duplicated_bureau.csv", {}),
    ("bad/presidentielle-2017-t2_cp1252.csv", {}),
]


@pytest.mark.parametrize(("name", "extra"), CASES, ids=[c[0] for c in CASES])
def test_cached_read_equals_a_parse(fixtures_dir, cache, caplog, name, extra):
    kw = {k: fixtures_dir / v for k, v in extra.items()}
    with caplog.at_level(logging.WARNING, logger="swingcast"):
        parsed = read_results(fixtures_dir / name, cache=False, **kw)
    parse_warnings = [(r.levelno, r.getMessage()) for r in caplog.records]
    assert _manifests(cache) == []  # cache=False writes nothing
    first = read_results(fixtures_dir / name, **kw)
    assert len(_manifests(cache)) == 1
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="swingcast"):
        again = read_results(fixtures_dir / name, **kw)
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == parse_warnings
    _assert_same(parsed, first)
    _assert_same(parsed, again)


def test_issues_and_warnings_survive_the_cache(fixtures_dir, cache, caplog):
    path = fixtures_dir / "bad/presidentielle-2017-t2_voix_sum_mismatch.csv"
    read_results(path)
    with caplog.at_level(logging.WARNING, logger="swingcast"):
        cached = read_results(path)
    assert len(cached.issues) > 0
    assert "invariant break(s)" in caplog.text and "(see Results.issues)" in caplog.text


def test_corrupted_entry_is_detected_and_rebuilt(fixtures_dir, cache, caplog):
    path = fixtures_dir / "results/2017-presidentielle-2_par_bureau_large.csv"
    parsed = read_results(path, cache=False)
    read_results(path)
    (manifest,) = _manifests(cache)
    stations = manifest.with_suffix(".stations.parquet")
    recorded = json.loads(manifest.read_text())["sha256"]["stations"]
    data = bytearray(stations.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte, same size
    stations.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING, logger="swingcast"):
        rebuilt = read_results(path)
    assert "does not match the sha256 recorded" in caplog.text
    _assert_same(parsed, rebuilt)
    assert datasets.sha256sum(stations) == recorded  # the entry was written again
    # a missing table and an unreadable manifest are also misses, never errors
    stations.unlink()
    _assert_same(parsed, read_results(path))
    manifest.write_text("{not json")
    _assert_same(parsed, read_results(path))
    assert json.loads(manifest.read_text())["sha256"]["stations"] == recorded


def test_changed_file_changes_the_key(fixtures_dir, cache, tmp_path):
    path = tmp_path / "2017-presidentielle-2_par_bureau_large.csv"
    shutil.copy(fixtures_dir / "results/2017-presidentielle-2_par_bureau_large.csv", path)
    before = read_results(path)
    text = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(text[:-1]) + "\n", encoding="utf-8")  # one bureau less
    after = read_results(path)
    assert len(after.stations) == len(before.stations) - 1
    assert len(_manifests(cache)) == 2
    _assert_same(after, read_results(path, cache=False))


def test_options_are_part_of_the_key(fixtures_dir, cache):
    path = fixtures_dir / "results/2017-presidentielle-2_par_bureau_large.csv"
    read_results(path)
    other = read_results(path, election="2017-legislatives", round=1)
    assert set(other.stations["election"]) == {"2017-legislatives"}
    assert len(_manifests(cache)) == 2


def test_errors_are_not_cached(fixtures_dir, cache):
    from swingcast.errors import SwingcastError

    path = fixtures_dir / "bad/presidentielle-2017-t2_negative_count.csv"
    for _ in range(2):
        with pytest.raises(SwingcastError):
            read_results(path)
    assert _manifests(cache) == []


def test_environment_disables_the_cache(fixtures_dir, cache, monkeypatch):
    monkeypatch.setenv(rc.ENV_NO_CACHE, "1")
    read_results(fixtures_dir / "results/2017-presidentielle-2_par_bureau_large.csv")
    assert _manifests(cache) == []


def test_clear_and_cli(fixtures_dir, cache, capsys):
    read_results(fixtures_dir / "results/2017-presidentielle-2_par_bureau_large.csv")
    read_results(fixtures_dir / "results/2017-presidentielle-2_par_bureau_long.csv")
    assert rc.cache_info()["entries"] == 2
    assert main(["cache", "info"]) == 0
    assert "2 cached read(s)" in capsys.readouterr().out
    assert main(["cache", "clear"]) == 0
    assert "removed 2 cached read(s)" in capsys.readouterr().out
    assert rc.cache_info() == {"folder": cache, "entries": 0, "bytes": 0}


@pytest.mark.slow
def test_national_file_cached_equals_parsed(shared_dir, cache):
    path = shared_dir / "france/results/2017-presidentielle-2_par_bureau_large.csv"
    parsed = read_results(path, cache=False)
    read_results(path)
    cached = read_results(path)
    _assert_same(parsed, cached)
    assert len(cached.stations) == 69242 and int(cached.stations["inscrits"].sum()) == 47568693
