"""Shared fixtures: where the real data is, and where the small fixtures are."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The real public data folder (``$SWINGCAST_DATA_DIR``); skip when absent."""
    value = os.environ.get("SWINGCAST_DATA_DIR")
    if not value or not Path(value).is_dir():
        pytest.skip("SWINGCAST_DATA_DIR is not set to the shared data folder")
    return Path(value)


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """Small fixture files written by hand in the publishers' formats."""
    return FIXTURES


@pytest.fixture(autouse=True, scope="session")
def _private_cache_dir(tmp_path_factory: pytest.TempPathFactory):
    """Point the cache (parsed results, downloads) at a folder of this test session.

    ``read_results`` caches what it parses; a session of its own keeps the user's cache out
    of the tests and the tests out of it. An explicit ``SWINGCAST_CACHE`` (or its older name
    ``SWINGCAST_CACHE_DIR``) is kept.
    """
    if os.environ.get("SWINGCAST_CACHE") or os.environ.get("SWINGCAST_CACHE_DIR"):
        yield
        return
    # the older name: the lowest precedence, so a test setting either name still wins
    os.environ["SWINGCAST_CACHE_DIR"] = str(tmp_path_factory.mktemp("swingcast-cache"))
    yield
    os.environ.pop("SWINGCAST_CACHE_DIR", None)


#: The national rounds cut to one small département for the history tests: file written ->
#: (national file, label the CLI gives it, or None when the name says it).
DEP04_ROUNDS = {
    "04_2014-europeennes.csv": ("2014-europeennes_par_bureau_large.csv.gz", None),
    "04_p17a.csv": ("2017-presidentielle-1_par_bureau_large.csv.gz", "2017-presidentielle-1"),
    "04_p17b.csv": ("2017-presidentielle-2_par_bureau_large.csv.gz", "2017-presidentielle-2"),
    "04_2017-legislatives-1.csv": ("2017-legislatives-1_par_bureau_large.csv.gz", None),
    "04_2019-europeennes.csv": ("2019-europeennes_par_bureau_large.csv.gz", None),
}


@pytest.fixture(scope="session")
def dep04(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Alpes-de-Haute-Provence (04) cut line by line out of the national files, as plain CSV.

    Returns file name -> path; the rows are those whose ``departement`` field is ``04``,
    exactly as published (no swingcast code involved).
    """
    import gzip

    folder = tmp_path_factory.mktemp("dep04")
    out = {}
    for name, (national, _) in DEP04_ROUNDS.items():
        with gzip.open(shared_dir / "france" / "results" / national, "rt", encoding="utf-8") as src:
            lines = [next(src)] + [line for line in src if line.startswith("04,")]
        (folder / name).write_text("".join(lines), encoding="utf-8")
        out[name] = folder / name
    return out
