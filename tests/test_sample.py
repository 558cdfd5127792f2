"""The embedded Paris sample: registered, hash-checked, and the Paris part of the national files.

The national files are read independently here (gzip + csv for the row counts, the readers
for the frames) and compared with the sample, which must hold exactly their Paris rows.
"""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pandas as pd
import pytest

from swingcast.load import datasets
from swingcast.load.contours import read_bureaux
from swingcast.load.download import sha256sum

SAMPLES = {n: e for n, e in datasets.registry().items() if n.startswith("sample/")}


def test_every_sample_file_is_registered_and_intact() -> None:
    on_disk = sorted(str(p.relative_to(datasets.PACKAGE_DATA))
                     for p in (datasets.PACKAGE_DATA / "sample").rglob("*") if p.is_file())
    assert on_disk == sorted(SAMPLES)
    total = 0
    for name, entry in SAMPLES.items():
        path = datasets.PACKAGE_DATA / name
        assert path.stat().st_size == entry.size and sha256sum(path) == entry.sha256, name
        assert entry.sample_of.split("#")[0] in datasets.registry(), name
        assert entry.licence in ("Licence Ouverte / Etalab", "ODbL"), name
        total += entry.size
    assert total < 2_000_000  # a few hundred kB, shipped in every wheel


def test_readme_example_runs_from_anywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's first example, with no data folder, no cache, run from another folder."""
    import swingcast

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(datasets.ENV_DATA_DIR, raising=False)
    monkeypatch.setenv(datasets.ENV_CACHE, str(tmp_path / "cache"))
    res = swingcast.read_results(
        datasets.fetch("sample/paris/2017-presidentielle-2_par_bureau_large.csv.gz"))
    assert len(res.stations) == 896
    # inscrits of département 75 summed by hand (csv module) over the CapStarDoc national
    # file, an independent re-publication (the sample is cut from aktiur's)
    assert int(res.stations["inscrits"].sum()) == 1_301_537


def _paris_lines(path: Path) -> int:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return sum(row["departement"] == "75" for row in csv.DictReader(handle))


@pytest.mark.parametrize("name", [n for n in SAMPLES if n.endswith("_par_bureau_large.csv.gz")])
def test_results_sample_is_the_paris_part(name: str, shared_dir: Path) -> None:
    import swingcast

    full_name = SAMPLES[name].sample_of.split("#")[0]
    full = swingcast.read_results(shared_dir / full_name)
    part = swingcast.read_results(datasets.PACKAGE_DATA / name)
    assert len(part.stations) == _paris_lines(shared_dir / full_name)
    st = full.stations[full.stations["departement"] == "75"].reset_index(drop=True)
    vt = full.votes[full.votes["bureau_id"].isin(st["bureau_id"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(part.stations.reset_index(drop=True), st)
    pd.testing.assert_frame_equal(part.votes.reset_index(drop=True), vt)


def test_contours_sample_is_the_same_polygons(shared_dir: Path) -> None:
    name = "sample/paris/secteurs-des-bureaux-de-vote-paris-2017.gpkg"
    full = read_bureaux(shared_dir / SAMPLES[name].sample_of)
    part = read_bureaux(datasets.PACKAGE_DATA / name)
    pd.testing.assert_frame_equal(pd.DataFrame(part.drop(columns="geometry")),
                                  pd.DataFrame(full.drop(columns="geometry")))
    assert (part.geometry.to_wkb() == full.geometry.to_wkb()).all()  # same coordinates
    assert part.crs == full.crs and len(part) == 896


def test_polling_places_sample_reads_the_same(shared_dir: Path) -> None:
    from swingcast.load.addresses import read_polling_places

    name = "sample/paris/lieux-de-vote-paris-2017.csv.gz"
    full = read_polling_places(shared_dir / SAMPLES[name].sample_of)
    part = read_polling_places(datasets.PACKAGE_DATA / name)
    pd.testing.assert_frame_equal(pd.DataFrame(part.drop(columns="geometry")),
                                  pd.DataFrame(full.drop(columns="geometry")))
    assert (part.geometry.to_wkb() == full.geometry.to_wkb()).all() and len(part) == 896
