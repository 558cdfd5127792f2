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
    of the tests and the tests out of it. An explicit ``SWINGCAST_CACHE_DIR`` is kept.
    """
    if os.environ.get("SWINGCAST_CACHE_DIR"):
        yield
        return
    os.environ["SWINGCAST_CACHE_DIR"] = str(tmp_path_factory.mktemp("swingcast-cache"))
    yield
    os.environ.pop("SWINGCAST_CACHE_DIR", None)
