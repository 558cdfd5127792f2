"""The parsed-results cache: each file is parsed once, then read back from Parquet.

:func:`~swingcast.load.sources.read_results` keeps the tidy tables it builds (``stations``,
``votes``, ``issues``) as Parquet files in ``<cache folder>/results/`` (the cache folder of
:func:`swingcast.load.datasets.cache_dir`, ``$SWINGCAST_CACHE``). An entry is keyed by

- the sha256 of the file read (and of the ``candidates`` file, if any) and its path as given
  (the file name gives the election and round; messages name the path);
- :data:`READER_VERSION` and a digest of the reader's own source code, so that a changed
  parser never serves tables an older one built;
- the reader's options (``format``, ``election``, ``round``, ``strict``) and the pandas and
  pyarrow versions.

An entry is three Parquet files and a manifest (``<key>.json``) written last, each with
:func:`swingcast.cache.atomic_write`; the manifest records the sha256 of the three files, the
``Results`` attributes and the warnings the first read logged, which a cached read logs again.
A missing, truncated or altered file is detected on read (its hash no longer matches): the
entry is removed, the file parsed again and the entry rebuilt.

``cache=False`` (or ``SWINGCAST_NO_CACHE=1`` in the environment) reads without the cache;
:func:`clear_cache` (``swingcast cache clear``) removes every entry.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from swingcast._log import logger
from swingcast.cache import atomic_write
from swingcast.load import datasets
from swingcast.load.sources.results import Results

__all__ = [
    "READER_VERSION",
    "ENV_NO_CACHE",
    "results_cache_dir",
    "cache_enabled",
    "cache_key",
    "cached_read",
    "clear_cache",
    "cache_info",
]

#: Bump when the tables ``read_results`` returns change for the same file and options (the
#: digest of the reader's source code also changes the key; this is the explicit switch).
READER_VERSION = 2
#: Environment variable: set to anything but ``""`` or ``"0"`` to read without the cache.
ENV_NO_CACHE = "SWINGCAST_NO_CACHE"
_TABLES = ("stations", "votes", "issues")
_ATTRIBUTES = ("source", "format", "encoding", "notes")
_SOURCE_ROOT = Path(__file__).resolve().parent


def results_cache_dir() -> Path:
    """Return the folder of the parsed-results cache: ``results/`` in the cache folder.

    Returns
    -------
    Path
        Not created until something is cached.

    Examples
    --------
    >>> results_cache_dir().name
    'results'
    >>> results_cache_dir().parent == datasets.cache_dir()
    True
    """
    return datasets.cache_dir() / "results"


def cache_enabled(cache: bool | None = None) -> bool:
    """Tell whether a read uses the cache: ``cache`` if given, else not ``$SWINGCAST_NO_CACHE``.

    Parameters
    ----------
    cache : bool, optional
        An explicit choice wins over the environment.

    Returns
    -------
    bool

    Examples
    --------
    >>> cache_enabled(False), cache_enabled(True)
    (False, True)
    """
    if cache is not None:
        return bool(cache)
    return os.environ.get(ENV_NO_CACHE, "").strip() in ("", "0")


@cache
def _code_digest() -> str:
    """sha256 of the reader's source files (this package and the schema)."""
    digest = hashlib.sha256()
    files = sorted(_SOURCE_ROOT.glob("*.py")) + [_SOURCE_ROOT.parents[1] / "schema.py",
                                                  _SOURCE_ROOT.parents[1] / "errors.py"]
    for file in files:
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def cache_key(path: str | os.PathLike[str], options: Mapping[str, Any],
              candidates: str | os.PathLike[str] | None = None) -> str:
    """Return the key of a file read with some options.

    Parameters
    ----------
    path : str or PathLike
        The results file (hashed).
    options : mapping
        The reader's options (JSON-serialisable values).
    candidates : str or PathLike, optional
        A second file read with it (hashed too).

    Returns
    -------
    str
        64 hex digits.

    Raises
    ------
    OSError
        When a file cannot be read.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.csv").write_text("x\\n1\\n")
    >>> k1 = cache_key(folder / "a.csv", {"round": 1})
    >>> k1 == cache_key(folder / "a.csv", {"round": 1}), k1 == cache_key(folder / "a.csv", {"round": 2})
    (True, False)
    >>> _ = (folder / "a.csv").write_text("x\\n2\\n")
    >>> k1 == cache_key(folder / "a.csv", {"round": 1})
    False
    """
    import pyarrow

    material = {
        "reader": READER_VERSION,
        "code": _code_digest(),
        "pandas": pd.__version__,
        "pyarrow": pyarrow.__version__,
        "path": str(path),
        "sha256": datasets.sha256sum(path),
        "candidates": None if candidates is None else str(candidates),
        "candidates_sha256": None if candidates is None else datasets.sha256sum(candidates),
        "options": dict(options),
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def _files(key: str) -> dict[str, Path]:
    folder = results_cache_dir()
    return {name: folder / f"{key}.{name}.parquet" for name in _TABLES}


def _manifest(key: str) -> Path:
    return results_cache_dir() / f"{key}.json"


def _remove(key: str) -> None:
    for path in [_manifest(key), *_files(key).values()]:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _load(key: str) -> tuple[Results, list[tuple[int, str]]] | None:
    """The cached Results and warnings of ``key``; None when absent or damaged."""
    manifest = _manifest(key)
    try:
        record = json.loads(manifest.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        logger.warning("results cache: unreadable manifest %s (%s); parsing the file again",
                       manifest, exc)
        _remove(key)
        return None
    tables = {}
    for name, path in _files(key).items():
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            data = b""
        if hashlib.sha256(data).hexdigest() != record.get("sha256", {}).get(name):
            logger.warning("results cache: %s is missing or does not match the sha256 recorded "
                           "in %s; parsing the file again", path, manifest.name)
            _remove(key)
            return None
        import pyarrow as pa
        import pyarrow.parquet as pq

        tables[name] = pq.read_table(pa.BufferReader(data)).to_pandas()
    results = Results(tables["stations"], tables["votes"], tables["issues"],
                      **{a: record["attributes"][a] for a in _ATTRIBUTES})
    return results, [(int(level), str(text)) for level, text in record["warnings"]]


def _store(key: str, results: Results, warnings: list[tuple[int, str]]) -> None:
    """Write one entry: the three tables, then the manifest that makes it valid."""
    attributes = {a: getattr(results, a) for a in _ATTRIBUTES}
    json.dumps(attributes, default=_plain)  # not storable: raise before any table is written
    sha = {}
    for name, path in _files(key).items():
        with atomic_write(path) as tmp:
            # no dictionary pages: decoding them into strings costs more than reading plain ones
            getattr(results, name).to_parquet(tmp, engine="pyarrow", compression="zstd",
                                              use_dictionary=False)
            sha[name] = datasets.sha256sum(tmp)
    record = {"sha256": sha, "warnings": warnings,
              "attributes": attributes}
    with atomic_write(_manifest(key), "w", encoding="utf-8") as handle:
        json.dump(record, handle, default=_plain)


def _plain(value: object) -> object:
    """JSON form of the numpy scalars a layout may leave in ``Results.notes``."""
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"results cache: {type(value).__name__} in Results.notes is not storable")


class _Recorder(logging.Handler):
    """Keeps the warnings (and worse) logged by swingcast while a file is parsed."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[tuple[int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.levelno, record.getMessage()))


@contextlib.contextmanager
def _recording() -> Iterator[_Recorder]:
    recorder = _Recorder()
    logger.addHandler(recorder)
    try:
        yield recorder
    finally:
        logger.removeHandler(recorder)


def cached_read(read: Callable[[], Results], path: str | os.PathLike[str],
                options: Mapping[str, Any], *, candidates: str | os.PathLike[str] | None = None,
                cache: bool | None = None) -> Results:
    """Return ``read()``'s Results from the cache, or call it and cache what it returns.

    Parameters
    ----------
    read : callable
        Parses the file (called only on a miss); what it raises is raised unchanged and
        nothing is cached.
    path : str or PathLike
        The file it reads.
    options : mapping
        The options it reads with (part of the key).
    candidates : str or PathLike, optional
        A second file it reads.
    cache : bool, optional
        See :func:`cache_enabled`.

    Returns
    -------
    Results
        Equal, table for table and dtype for dtype, to what ``read()`` returns; the warnings
        ``read()`` logged are logged again on a cached read.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.csv").write_text("x\\n")
    >>> calls = []
    >>> def parse():
    ...     calls.append(1)
    ...     return Results.empty()
    >>> os.environ[datasets.ENV_CACHE] = str(folder / "cache")
    >>> a = cached_read(parse, folder / "a.csv", {})
    >>> b = cached_read(parse, folder / "a.csv", {})
    >>> len(calls), b.votes.dtypes.equals(a.votes.dtypes)
    (1, True)
    >>> clear_cache()
    1
    >>> del os.environ[datasets.ENV_CACHE]
    """
    if not cache_enabled(cache):
        return read()
    try:
        key = cache_key(path, options, candidates)
    except OSError:
        return read()  # the reader names the file and what is wrong with it
    hit = _load(key)
    if hit is not None:
        results, warnings = hit
        logger.debug("%s: parsed tables read from the cache (%s)", path, key[:12])
        for level, text in warnings:
            logger.log(level, "%s", text)
        return results
    with _recording() as recorder:
        results = read()
    try:
        _store(key, results, recorder.records)
    except (OSError, ValueError, TypeError, ImportError) as exc:  # pragma: no cover - disk full...
        logger.info("results cache: could not store %s (%s)", path, exc)
    return results


def _entries() -> list[Path]:
    folder = results_cache_dir()
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file())


def cache_info() -> dict[str, Any]:
    """Describe the parsed-results cache: folder, number of cached reads, bytes used.

    Returns
    -------
    dict
        ``folder`` (Path), ``entries`` (int), ``bytes`` (int).

    Examples
    --------
    >>> sorted(cache_info())
    ['bytes', 'entries', 'folder']
    """
    files = _entries()
    return {"folder": results_cache_dir(),
            "entries": sum(1 for p in files if p.suffix == ".json"),
            "bytes": sum(p.stat().st_size for p in files)}


def clear_cache() -> int:
    """Remove every parsed-results entry (downloaded datasets are left alone).

    Returns
    -------
    int
        Number of cached reads removed.

    Examples
    --------
    >>> import tempfile
    >>> os.environ[datasets.ENV_CACHE] = tempfile.mkdtemp()
    >>> clear_cache()
    0
    >>> del os.environ[datasets.ENV_CACHE]
    """
    removed = 0
    for path in _entries():
        removed += path.suffix == ".json"
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    return removed
