"""The dataset registry: every data file swingcast knows, found locally or downloaded, checked.

The registry (``data/registry.csv`` in the source tree, shipped as package data) records for
each file its name (its path relative to the data folder), size, checksum, publisher, licence,
official URL (and mirrors) and a description; ``check`` says how a copy is verified: ``sha256``
(hashed here), ``md5`` (md5 and size of a public copy) or ``unverified`` (trust on first use:
the first download's sha256 is recorded in the cache, ``<cache>/records.json``, and later uses
are checked against it; the packaged registry is never modified). How the registry is built:
``data/make_registry.py`` and ``data/README.md``.

:func:`fetch` looks for a file, in this order:

1. the data folder named by ``SWINGCAST_DATA_DIR`` (read-only: never modified);
2. the cache folder (:func:`cache_dir`: ``SWINGCAST_CACHE``, default the platform's user cache);
3. the files embedded in the package (``swingcast/data/``: the Paris demo sample);
4. an embedded sample standing in for a national file, when the caller needs only the rows the
   sample holds (``fetch(name, departements=["75"])``);
5. a download into the cache (:mod:`swingcast.load.download`, through pooch): from
   ``$SWINGCAST_MIRROR/<name>`` when that variable is set, else from the official URL, then
   its mirrors.

A copy whose checksum differs is refused with :class:`~swingcast.errors.HashMismatchError`. A
corrupted cache file is removed and downloaded again when there is a URL, and refused (left
where it is) when there is none.

The lookup is done by a small :class:`DataStore` (registry + folders + download), built from
the environment on each call by :func:`default_store`; tests build their own.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import pandas as pd

from swingcast._log import logger
from swingcast.cache import atomic_write
from swingcast.errors import DatasetError, HashMismatchError
from swingcast.load.download import (
    TIMEOUT,
    ChunkSource,
    Downloader,
    _retrieve,
    download,
    hash_file,
    sha256sum,
    unpack,
)

__all__ = [
    "Dataset",
    "DataStore",
    "registry",
    "data_dir",
    "cache_dir",
    "mirror_url",
    "default_store",
    "fetch",
    "fetch_election",
    "find_election",
    "fetch_unpacked",
    "download_records",
    "list_datasets",
    "download",
    "sha256sum",
    "TIMEOUT",
]

ENV_DATA_DIR = "SWINGCAST_DATA_DIR"
#: The cache folder (downloads, unpacked archives, other stages' derived files).
ENV_CACHE = "SWINGCAST_CACHE"
#: Older name of :data:`ENV_CACHE`, still read when ``SWINGCAST_CACHE`` is unset.
ENV_CACHE_DIR = "SWINGCAST_CACHE_DIR"
#: Base URL of a mirror serving ``<base>/<registry name>`` (offline copies, tests).
ENV_MIRROR = "SWINGCAST_MIRROR"
#: The record of downloads (sha256 of each, trust on first use), in the cache folder.
RECORDS = "records.json"
#: Files embedded in the package (the demo sample), by registry name.
PACKAGE_DATA = Path(__file__).resolve().parents[1] / "data"
# In a wheel the registry is packaged next to the package; in a source checkout (editable
# install) it is the project's data/registry.csv.
_REGISTRY_CANDIDATES = (
    Path(__file__).resolve().parents[1] / "registry.csv",
    Path(__file__).resolve().parents[3] / "data" / "registry.csv",
)
CHECKS = ("sha256", "md5", "unverified")


def _registry_file() -> Path:
    for candidate in _REGISTRY_CANDIDATES:
        if candidate.is_file():
            return candidate
    raise DatasetError(f"dataset registry not found; looked for {', '.join(map(str, _REGISTRY_CANDIDATES))}")


@dataclass(frozen=True)
class Dataset:
    """One registered file.

    ``size`` is None when unknown. ``check`` is how a copy is verified (``sha256``, ``md5``
    or ``unverified``; derived from the digests when left empty). ``election`` (``2022-
    presidentielle``), ``round`` (``"1"``, ``"2"`` or ``"1 2"`` for a file of both rounds)
    and ``level`` (``bureau``, ``circonscription``...) describe official results files;
    ``unpack`` is ``zip`` or ``7z`` for archives; ``sample_of`` names the file an embedded
    sample was cut from (``name#departement=75``).
    """

    name: str
    size: int | None
    sha256: str
    publisher: str
    licence: str
    url: str
    description: str
    md5: str = ""
    check: str = ""
    mirrors: tuple[str, ...] = ()
    election: str = ""
    round: str = ""
    level: str = ""
    unpack: str = ""
    sample_of: str = ""
    seen_in: str = ""

    @property
    def verification(self) -> str:
        """``sha256``, ``md5`` or ``unverified``.

        Examples
        --------
        >>> Dataset("a.csv", None, "", "", "", "https://x/a.csv", "").verification
        'unverified'
        """
        if self.check:
            return self.check
        return "sha256" if self.sha256 else "md5" if self.md5 else "unverified"


@cache
def registry() -> dict[str, Dataset]:
    """Return the registry, name -> :class:`Dataset`.

    Returns
    -------
    dict of str to Dataset

    Examples
    --------
    >>> reg = registry()
    >>> reg["paris/census/rp2011-cs8-iris-paris.csv"].licence
    'Licence Ouverte / Etalab'
    >>> reg["official/interieur/2022-presidentielle-1_bureau.csv"].verification
    'md5'
    """
    with open(_registry_file(), newline="", encoding="utf-8") as handle:
        out = {}
        for row in csv.DictReader(handle):
            out[row["name"]] = Dataset(
                name=row["name"],
                size=int(row["size"]) if row["size"] else None,
                sha256=row["sha256"],
                publisher=row["publisher"],
                licence=row["licence"],
                url=row["url"],
                description=row["description"],
                md5=row.get("md5", ""),
                check=row.get("check", ""),
                mirrors=tuple(row.get("mirrors", "").split()),
                election=row.get("election", ""),
                round=row.get("round", ""),
                level=row.get("level", ""),
                unpack=row.get("unpack", ""),
                sample_of=row.get("sample_of", ""),
                seen_in=row.get("seen_in", ""),
            )
        return out


def data_dir() -> Path | None:
    """Return the local data folder (``$SWINGCAST_DATA_DIR``), or None when unset.

    Examples
    --------
    >>> isinstance(data_dir(), (Path, type(None)))
    True
    """
    value = os.environ.get(ENV_DATA_DIR)
    return Path(value).expanduser() if value else None


def cache_dir() -> Path:
    """Return the cache folder: ``$SWINGCAST_CACHE``, else the user cache of swingcast.

    The default is :func:`pooch.os_cache` (``~/.cache/swingcast`` on Linux, the platform's
    user cache folder elsewhere); ``$SWINGCAST_CACHE_DIR`` (older name) is read when
    ``SWINGCAST_CACHE`` is unset. The folder is not created here. Downloads go under it by
    registry name; other stages may keep derived files in a sub-folder of their own (e.g.
    ``cache_dir() / "parsed"``). Nothing is ever written to ``$SWINGCAST_DATA_DIR``.

    Examples
    --------
    >>> isinstance(cache_dir(), Path)
    True
    """
    value = os.environ.get(ENV_CACHE) or os.environ.get(ENV_CACHE_DIR)
    if value:
        return Path(value).expanduser()
    import pooch

    return Path(pooch.os_cache("swingcast"))


def mirror_url() -> str | None:
    """Return ``$SWINGCAST_MIRROR`` (a base URL), or None when unset.

    Examples
    --------
    >>> isinstance(mirror_url(), (str, type(None)))
    True
    """
    return os.environ.get(ENV_MIRROR) or None


_HASHED: dict[tuple[str, int, int, str], str] = {}


def _memo_hash(path: Path, algorithm: str = "sha256") -> str:
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, algorithm)
    if key not in _HASHED:
        _HASHED[key] = hash_file(path, algorithm)
    return _HASHED[key]


def download_records(cache: Path | None = None) -> dict[str, dict[str, object]]:
    """The record of downloads kept in the cache: name -> sha256, size, url, check, date.

    Parameters
    ----------
    cache : Path, optional
        Default: :func:`cache_dir`.

    Examples
    --------
    >>> import tempfile
    >>> download_records(Path(tempfile.mkdtemp()))
    {}
    """
    path = (cache or cache_dir()) / RECORDS
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DatasetError(f"{path}: unreadable download record ({exc}); delete it to start "
                           "a new one (unverified files will be trusted again on next download)") from exc


def _write_record(cache: Path, name: str, record: dict[str, object]) -> None:
    records = download_records(cache)
    records[name] = record
    with atomic_write(cache / RECORDS, "w", encoding="utf-8") as handle:
        json.dump(records, handle, indent=1, sort_keys=True)


@dataclass
class DataStore:
    """Where registered files are looked for, and how missing ones are fetched.

    Parameters
    ----------
    registry : mapping of str to Dataset
        The files known.
    data_dir : Path, optional
        Read-only folder of local copies (``$SWINGCAST_DATA_DIR``).
    cache_dir : Path, optional
        Writable folder for downloads (None: nothing can be downloaded).
    downloader : callable, optional
        A chunk source, see :func:`swingcast.load.download.download`.
    mirror : str, optional
        Base URL serving ``<mirror>/<name>``, used instead of the registry's URLs.
    package_dir : Path, optional
        Read-only folder of embedded files (default: the package's ``data/``).
    progress : bool, optional
        Progress bars for downloads (default: when stderr is a terminal).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.csv").write_bytes(b"x\\n1\\n")
    >>> entry = Dataset("a.csv", 4, sha256sum(folder / "a.csv"), "me", "CC0", "", "demo")
    >>> store = DataStore({"a.csv": entry}, data_dir=folder, cache_dir=None)
    >>> store.fetch("a.csv").name, store.locate("a.csv")[0]
    ('a.csv', 'data_dir')
    """

    registry: Mapping[str, Dataset]
    data_dir: Path | None = None
    cache_dir: Path | None = None
    downloader: ChunkSource | None = field(default=None, repr=False)
    mirror: str | None = None
    package_dir: Path | None = PACKAGE_DATA
    progress: bool | None = None

    def entry(self, name: str) -> Dataset:
        """Return the registry entry of ``name`` or raise :class:`DatasetError`.

        Examples
        --------
        >>> DataStore({}).entry("nope.csv")
        Traceback (most recent call last):
        ...
        swingcast.errors.DatasetError: unknown dataset 'nope.csv'; expected one of the names listed by `swingcast datasets`
        """
        if name not in self.registry:
            raise DatasetError(
                f"unknown dataset {name!r}; expected one of the names listed by `swingcast datasets`"
            )
        return self.registry[name]

    def _record(self, name: str) -> dict[str, object] | None:
        if self.cache_dir is None:
            return None
        return download_records(self.cache_dir).get(name)

    def _matches(self, path: Path, entry: Dataset, *, verify: bool = True,
                 in_cache: bool = False) -> str | None:
        """None when ``path`` is the registered file, else what differs."""
        size = path.stat().st_size
        record = self._record(entry.name) if in_cache and entry.verification == "unverified" else None
        expected_size = entry.size if entry.size is not None else (record or {}).get("size")
        if expected_size is not None and size != expected_size:
            return f"has {size} bytes, expected {expected_size}"
        if not verify:
            return None
        if entry.sha256:
            actual = _memo_hash(path)
            return None if actual == entry.sha256 else f"has sha256 {actual}, expected {entry.sha256}"
        if entry.md5:
            actual = _memo_hash(path, "md5")
            return None if actual == entry.md5 else f"has md5 {actual}, expected {entry.md5}"
        if in_cache:  # unverified entry: checked against the first download's sha256
            if record is None:
                return f"has no download record in {self.cache_dir / RECORDS}"
            actual = _memo_hash(path)
            if actual != record.get("sha256"):
                return f"has sha256 {actual}, the first download had {record.get('sha256')}"
        return None

    def _urls(self, entry: Dataset) -> list[str]:
        if self.mirror:
            return [f"{self.mirror.rstrip('/')}/{entry.name}"]
        return [u for u in (entry.url, *entry.mirrors) if u]

    def _sample_for(self, name: str, departements: Sequence[str] | None) -> Dataset | None:
        """The embedded sample that can stand in for ``name`` for these départements."""
        wanted = f"departement={','.join(sorted(departements))}" if departements else None
        for entry in self.registry.values():
            if not entry.sample_of:
                continue
            full, _, subset = entry.sample_of.partition("#")
            if full == name and (not subset or subset == wanted):
                return entry
        return None

    def locate(self, name: str, *, verify: bool = True) -> tuple[str, Path | None]:
        """Say where ``name`` is, without downloading anything.

        Parameters
        ----------
        name : str
        verify : bool
            Check the checksum (else only the size).

        Returns
        -------
        (str, Path or None)
            ``("data_dir", path)``, ``("cache", path)`` or ``("package", path)`` when a good
            copy is found; ``("hash mismatch", path)`` for a bad copy (the first one found);
            ``("downloadable", None)`` when absent but a URL (or a mirror) is known and there
            is a cache; else ``("missing", None)``.

        Examples
        --------
        >>> DataStore({"a.csv": Dataset("a.csv", 1, "0" * 64, "", "", "", "")}).locate("a.csv")
        ('missing', None)
        """
        entry = self.entry(name)
        bad: Path | None = None
        for label, folder in (("data_dir", self.data_dir), ("cache", self.cache_dir),
                              ("package", self.package_dir)):
            if folder is None or not (folder / name).is_file():
                continue
            path = folder / name
            if self._matches(path, entry, verify=verify, in_cache=label == "cache") is None:
                return label, path
            bad = bad or path
        if bad is not None:
            return "hash mismatch", bad
        return ("downloadable" if self._urls(entry) and self.cache_dir else "missing"), None

    def fetch(self, name: str, *, departements: Sequence[str] | None = None) -> Path:
        """Return a checked local path of ``name``, downloading it if needed.

        Parameters
        ----------
        name : str
            Registry name (path relative to the data folder).
        departements : sequence of str, optional
            The caller uses only these départements' rows: an embedded sample holding
            exactly them may stand in for the file when it is nowhere else (step 4 of the
            module docstring; logged). The caller still filters the rows.

        Returns
        -------
        pathlib.Path

        Raises
        ------
        DatasetError
            Unknown name, or the file is nowhere and cannot be downloaded (the message says
            where it looked and how to get it).
        HashMismatchError
            The copy in the data folder is not the registered file; or a corrupted cache
            copy has no URL to be fetched again from; or the download has another checksum.

        Examples
        --------
        >>> DataStore({"a.csv": Dataset("a.csv", 1, "0" * 64, "", "", "", "")}).fetch("a.csv")
        Traceback (most recent call last):
        ...
        swingcast.errors.DatasetError: dataset 'a.csv' not found: no SWINGCAST_DATA_DIR set, no cache folder, and no URL in the registry to download it from
        """
        entry = self.entry(name)
        looked: list[str] = []
        if self.data_dir is not None:
            path = self.data_dir / name
            if path.is_file():
                problem = self._matches(path, entry)
                if problem is not None:
                    raise HashMismatchError(
                        f"dataset {name!r}: {path} {problem} (file changed or corrupted; "
                        "refusing to use it)"
                    )
                return path
            looked.append(f"{path} ({ENV_DATA_DIR})")
        urls = self._urls(entry)
        if self.cache_dir is not None:
            path = self.cache_dir / name
            if path.is_file():
                problem = self._matches(path, entry, in_cache=True)
                if problem is None:
                    return path
                if not urls:
                    raise HashMismatchError(
                        f"dataset {name!r}: cached copy {path} {problem}, and the registry has "
                        "no URL to fetch it again; delete it and put the right file in "
                        f"{ENV_DATA_DIR}"
                    )
                logger.warning("dataset %r: cached copy %s %s; removing it and downloading "
                               "it again", name, path, problem)
                path.unlink()
            looked.append(f"{path} (cache)")
        if self.package_dir is not None and (self.package_dir / name).is_file():
            path = self.package_dir / name
            problem = self._matches(path, entry)
            if problem is not None:
                raise HashMismatchError(f"dataset {name!r}: embedded copy {path} {problem} "
                                        "(installation damaged; reinstall swingcast)")
            return path
        sample = self._sample_for(name, departements)
        if sample is not None:
            logger.info("dataset %r not found locally: using the embedded sample %r (%s)",
                        name, sample.name, _subset_words(sample.sample_of))
            return self.fetch(sample.name)
        if urls and self.cache_dir is not None:
            return self._download(entry, urls, self.cache_dir / name)
        if not looked:
            raise DatasetError(
                f"dataset {name!r} not found: no {ENV_DATA_DIR} set, no cache folder, and no "
                "URL in the registry to download it from"
            )
        how = (f"`swingcast fetch {name}` downloads it" if urls else
               f"the registry has no URL for it: set {ENV_DATA_DIR} to a folder that holds it, "
               f"or {ENV_MIRROR}=<base URL> to a mirror serving <base>/{name}, then "
               f"`swingcast fetch {name}`")
        partial = [e for e in self.registry.values() if e.sample_of.partition("#")[0] == name]
        if partial:
            subset = partial[0].sample_of.partition("#")[2]
            how += (f"; the embedded sample {partial[0].name!r} holds its rows for {subset} "
                    "(fetch(name, departements=[...]) uses it)")
        raise DatasetError(f"dataset {name!r} not found; looked in {'; '.join(looked)}; {how}")

    def _download(self, entry: Dataset, urls: list[str], dest: Path) -> Path:
        assert self.cache_dir is not None
        created = [d for d in (dest.parent, *dest.parent.parents)
                   if d.is_relative_to(self.cache_dir) and not d.exists()]
        try:
            return self._download_from(entry, urls, dest)
        except BaseException:
            for folder in created:  # deepest first: a failed download leaves no empty folder
                with contextlib.suppress(OSError):
                    folder.rmdir()
            raise

    def _download_from(self, entry: Dataset, urls: list[str], dest: Path) -> Path:
        failures: list[Exception] = []
        for url in urls:
            fetcher = Downloader(sha256=entry.sha256, md5=entry.md5, size=entry.size,
                                 chunks=self.downloader,
                                 progress=sys.stderr.isatty() if self.progress is None
                                 else self.progress)
            try:
                _retrieve(url, dest, fetcher)
            except DatasetError as exc:
                failures.append(exc)
                if len(urls) > 1:
                    logger.warning("dataset %r: %s", entry.name, exc)
                continue
            record = {"sha256": fetcher.sha256, "size": dest.stat().st_size, "url": url,
                      "check": entry.verification,
                      "downloaded": datetime.now(UTC).isoformat(timespec="seconds")}
            assert self.cache_dir is not None
            _write_record(self.cache_dir, entry.name, record)
            if entry.verification == "unverified":
                logger.warning(
                    "dataset %r: no checksum in the registry (unverified); first download "
                    "from %s has sha256 %s, recorded in %s (later uses are checked against it)",
                    entry.name, url, fetcher.sha256, self.cache_dir / RECORDS)
            return dest
        if len(failures) == 1:
            raise failures[0]
        kind = HashMismatchError if all(isinstance(f, HashMismatchError) for f in failures) \
            else DatasetError
        raise kind(f"dataset {entry.name!r}: every address failed: "
                   + " | ".join(str(f) for f in failures))

    def fetch_unpacked(self, name: str) -> Path:
        """Fetch an archive (``unpack`` zip or 7z) and return the folder it is unpacked in.

        The archive is unpacked once, into ``<cache>/<name>.unpacked/`` (never into the data
        folder).

        Examples
        --------
        >>> import tempfile, zipfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> with zipfile.ZipFile(folder / "a.zip", "w") as z:
        ...     z.writestr("t.csv", "x\\n1\\n")
        >>> entry = Dataset("a.zip", None, sha256sum(folder / "a.zip"), "", "", "", "", unpack="zip")
        >>> store = DataStore({"a.zip": entry}, data_dir=folder, cache_dir=folder / "cache")
        >>> [p.name for p in store.fetch_unpacked("a.zip").iterdir()]
        ['t.csv']
        """
        entry = self.entry(name)
        if not entry.unpack:
            raise DatasetError(f"dataset {name!r} is not an archive; use fetch({name!r})")
        archive = self.fetch(name)
        if self.cache_dir is None:
            raise DatasetError(f"dataset {name!r}: no cache folder to unpack it into")
        return unpack(archive, entry.unpack, dest=self.cache_dir / f"{name}.unpacked")

    def find_election(self, election: str, round: int | str | None = None,
                      level: str = "bureau") -> list[Dataset]:
        """Official results files of an election, the preferred one first.

        Preferred: a file with a checksum, then the definitive publication (not
        ``-provisoire``), then csv before txt before xlsx before archives.

        Examples
        --------
        >>> [d.name for d in default_store().find_election("2022-presidentielle", 1)][:2]
        ['official/interieur/2022-presidentielle-1_bureau.csv', 'official/interieur/2022-presidentielle-1_bureau.txt']
        """
        wanted = str(round) if round is not None else None
        found = [e for e in self.registry.values()
                 if e.election == election and e.url and (level is None or e.level == level)
                 and (wanted is None or wanted in e.round.split())]
        if not found:
            known = sorted({e.election for e in self.registry.values() if e.election})
            raise DatasetError(
                f"no registered {level} file for election {election!r} round {round}; "
                f"expected one of {', '.join(known)} (see `swingcast datasets`)")
        order = {".csv": 0, ".txt": 1, ".xlsx": 2, ".zip": 3}

        def rank(e: Dataset) -> tuple:
            return (e.verification == "unverified", bool(re.search(r"-(provisoire|avant-correction)", e.name)),
                    order.get(Path(e.name).suffix, 9), e.name)

        return sorted(found, key=rank)

    def table(self, *, verify: bool = True) -> pd.DataFrame:
        """One row per registered file with where it is; see :func:`list_datasets`.

        Examples
        --------
        >>> DataStore({"a.csv": Dataset("a.csv", 1, "0" * 64, "me", "CC0", "", "")}).table()
            name  size licence publisher   check   status  path
        0  a.csv     1     CC0        me  sha256  missing  <NA>
        """
        rows = []
        for name, entry in sorted(self.registry.items()):
            status, path = self.locate(name, verify=verify)
            rows.append({"name": name, "size": entry.size, "licence": entry.licence,
                         "publisher": entry.publisher, "check": entry.verification,
                         "status": status, "path": str(path) if path is not None else None})
        columns = ["name", "size", "licence", "publisher", "check", "status", "path"]
        frame = pd.DataFrame(rows, columns=columns)
        return frame.astype({"name": "string", "size": "Int64", "licence": "string",
                             "publisher": "string", "check": "string", "status": "string",
                             "path": "string"})


def default_store() -> DataStore:
    """The store built from the registry and the environment (read on each call).

    Examples
    --------
    >>> default_store().registry is registry()
    True
    """
    return DataStore(registry(), data_dir(), cache_dir(), mirror=mirror_url())


def fetch(name: str | None = None, *, election: str | None = None,
          round: int | str | None = None, level: str = "bureau",
          departements: Sequence[str] | None = None) -> Path:
    """Return the local path of a registered dataset, after checking it.

    Looks in ``$SWINGCAST_DATA_DIR``, then in the cache, then in the package (the embedded
    sample), then downloads into the cache (see the module docstring).

    Parameters
    ----------
    name : str, optional
        Registry name (path relative to the data folder).
    election, round, level : optional
        Instead of a name: the preferred official results file of that election round
        (:func:`find_election`), e.g. ``election="2022-presidentielle", round=1``.
    departements : sequence of str, optional
        Only these départements' rows are needed: an embedded sample may stand in.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    DatasetError
        Unknown name or election, or the file is nowhere and cannot be downloaded.
    HashMismatchError
        A copy exists but its checksum differs from the registry.

    Examples
    --------
    >>> fetch("sample/paris/2017-presidentielle-2_par_bureau_large.csv.gz").name
    '2017-presidentielle-2_par_bureau_large.csv.gz'
    >>> fetch(election="2022-presidentielle", round=1)  # doctest: +SKIP
    PosixPath('/home/me/.cache/swingcast/official/interieur/2022-presidentielle-1_bureau.csv')
    """
    store = default_store()
    if (name is None) == (election is None):
        raise DatasetError("fetch: give a registry name or election=YEAR-KIND (and round=), "
                           "not both")
    if name is None:
        name = store.find_election(str(election), round, level)[0].name
    return store.fetch(name, departements=departements)


def find_election(election: str, round: int | str | None = None,
                  level: str = "bureau") -> list[Dataset]:
    """Official results files of ``election`` (``"2022-presidentielle"``), preferred first.

    Examples
    --------
    >>> find_election("2017-legislatives", 2)[0].name
    'official/interieur/2017-legislatives-2_bureau.csv'
    """
    return default_store().find_election(election, round, level)


def fetch_election(election: str, round: int | str | None = None,
                   level: str = "bureau") -> Path:
    """Fetch the preferred official results file of an election round (see :func:`find_election`).

    Same as ``fetch(election=..., round=..., level=...)``.

    Examples
    --------
    >>> fetch_election("2022-presidentielle", 1)  # doctest: +SKIP
    PosixPath('/home/me/.cache/swingcast/official/interieur/2022-presidentielle-1_bureau.csv')
    """
    return fetch(election=election, round=round, level=level)


def fetch_unpacked(name: str) -> Path:
    """Fetch a registered archive and return the cache folder it is unpacked in.

    Examples
    --------
    >>> fetch_unpacked("official/insee/base-ic-evol-struct-pop-2021_csv.zip")  # doctest: +SKIP
    PosixPath('/home/me/.cache/swingcast/official/insee/base-ic-evol-struct-pop-2021_csv.zip.unpacked')
    """
    return default_store().fetch_unpacked(name)


def list_datasets(*, verify: bool = True, store: DataStore | None = None) -> pd.DataFrame:
    """List the registered datasets and where each one is.

    Parameters
    ----------
    verify : bool
        Hash every file found (default; a few seconds the first time, then memoised per
        file size and modification time). With False only sizes are compared.
    store : DataStore, optional
        Default: :func:`default_store`.

    Returns
    -------
    DataFrame
        Columns ``name, size, licence, publisher, check, status, path``; ``status`` is
        ``data_dir``, ``cache`` or ``package`` (found, good), ``hash mismatch``,
        ``downloadable`` (absent, URL known) or ``missing``.

    Examples
    --------
    >>> table = list_datasets(verify=False)
    >>> len(table) == len(registry()), list(table.columns)
    (True, ['name', 'size', 'licence', 'publisher', 'check', 'status', 'path'])
    """
    return (store or default_store()).table(verify=verify)


def _subset_words(sample_of: str) -> str:
    """``"f.csv.gz#departement=75"`` -> ``"the rows of departement 75"`` (not an argument)."""
    subset = sample_of.partition("#")[2]
    return f"the rows of {subset.replace('=', ' ')}" if subset else "all rows"
