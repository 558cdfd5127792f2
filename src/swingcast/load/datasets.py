"""The dataset registry: every data file swingcast knows, found locally and hash-checked.

The registry (``data/registry.csv`` in the source tree, shipped as package data) records for
each file its name (its path relative to the data folder), size, sha256, publisher, licence,
optional public URL and a description.

:func:`fetch` looks for a file, in this order, in

1. the data folder named by ``SWINGCAST_DATA_DIR`` (read-only: never modified);
2. the cache folder (``SWINGCAST_CACHE_DIR``, default ``pooch.os_cache("swingcast")``);
3. the registry's public URL, if one is recorded: the file is downloaded into the cache,
   hashed while it streams into a temporary file, and moved into place only when the hash
   matches (see :func:`swingcast.cache.atomic_write`).

A file whose sha256 differs from the registry is refused with
:class:`~swingcast.errors.HashMismatchError`. A corrupted cache file is removed and downloaded
again when there is a URL, and refused (left where it is) when there is none.

The lookup is done by a small :class:`DataStore` (registry + folders + download), built from
the environment on each call by :func:`default_store`; tests build their own.
"""

from __future__ import annotations

import csv
import hashlib
import os
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd

from swingcast._log import logger
from swingcast.cache import atomic_write
from swingcast.errors import DatasetError, HashMismatchError

__all__ = [
    "Dataset",
    "DataStore",
    "registry",
    "data_dir",
    "cache_dir",
    "default_store",
    "fetch",
    "list_datasets",
    "download",
    "sha256sum",
]

ENV_DATA_DIR = "SWINGCAST_DATA_DIR"
#: The cache folder (downloads, unpacked archives, other stages' derived files).
ENV_CACHE = "SWINGCAST_CACHE"
#: Older name of :data:`ENV_CACHE`, still read when ``SWINGCAST_CACHE`` is unset.
ENV_CACHE_DIR = "SWINGCAST_CACHE_DIR"
#: Seconds to wait for a server before giving up (connect and between chunks).
TIMEOUT = 60
_CHUNK = 1 << 16
# In a wheel the registry is packaged next to this module; in a source checkout (editable
# install) it is the project's data/registry.csv.
_REGISTRY_CANDIDATES = (
    Path(__file__).resolve().parents[1] / "registry.csv",
    Path(__file__).resolve().parents[3] / "data" / "registry.csv",
)


def _registry_file() -> Path:
    for candidate in _REGISTRY_CANDIDATES:
        if candidate.is_file():
            return candidate
    raise DatasetError(f"dataset registry not found; looked for {', '.join(map(str, _REGISTRY_CANDIDATES))}")


@dataclass(frozen=True)
class Dataset:
    """One registered file."""

    name: str
    size: int
    sha256: str
    publisher: str
    licence: str
    url: str
    description: str


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
    """
    with open(_registry_file(), newline="", encoding="utf-8") as handle:
        return {
            row["name"]: Dataset(
                name=row["name"],
                size=int(row["size"]),
                sha256=row["sha256"],
                publisher=row["publisher"],
                licence=row["licence"],
                url=row["url"],
                description=row["description"],
            )
            for row in csv.DictReader(handle)
        }


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


def sha256sum(path: str | os.PathLike[str], chunk: int = 1 << 20) -> str:
    """Return the hex sha256 of a file.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile(delete=False) as f:
    ...     _ = f.write(b"abc")
    >>> sha256sum(f.name)[:12]
    'ba7816bf8f01'
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


_VERIFIED: dict[tuple[str, int, int], str] = {}


def _verified_hash(path: Path) -> str:
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _VERIFIED:
        _VERIFIED[key] = sha256sum(path)
    return _VERIFIED[key]




#: A downloader turns a URL into the chunks of bytes of the file it names.
Downloader = Callable[[str], Iterable[bytes]]


def _stream(url: str) -> Iterable[bytes]:
    """Chunks of ``url``: ``http(s)://`` through requests, ``file://`` from disk."""
    scheme = urllib.parse.urlparse(url).scheme
    if scheme == "file":
        local = Path(urllib.request.url2pathname(urllib.parse.urlparse(url).path))
        with open(local, "rb") as handle:
            while block := handle.read(_CHUNK):
                yield block
        return
    if scheme not in ("http", "https"):
        raise DatasetError(f"{url}: unsupported URL scheme {scheme!r}; expected https, http or file")
    import requests

    with requests.get(url, stream=True, timeout=TIMEOUT) as response:
        response.raise_for_status()
        yield from response.iter_content(_CHUNK)


def download(
    url: str, dest: str | os.PathLike[str], sha256: str, *, downloader: Downloader | None = None
) -> Path:
    """Download ``url`` to ``dest``, refusing it unless its sha256 is ``sha256``.

    The bytes go to a temporary file next to ``dest`` and are hashed as they arrive; the file
    is moved to ``dest`` only when the download is complete and the hash matches. On any
    error (network, interruption, hash) ``dest`` is left as it was and no partial file remains.

    Parameters
    ----------
    url : str
        ``https://``, ``http://`` or ``file://`` URL.
    dest : str or PathLike
        Where to put the file (folders are created).
    sha256 : str
        Expected hex digest.
    downloader : callable, optional
        ``downloader(url)`` yields the file's bytes in chunks (default: requests for http(s),
        plain reads for ``file://``).

    Returns
    -------
    pathlib.Path
        ``dest``.

    Raises
    ------
    HashMismatchError
        The downloaded bytes do not have the expected sha256.
    DatasetError
        The download failed (the cause is chained).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "src.txt").write_bytes(b"abc")
    >>> digest = sha256sum(folder / "src.txt")
    >>> download((folder / "src.txt").as_uri(), folder / "copy" / "dst.txt", digest).read_bytes()
    b'abc'
    >>> download((folder / "src.txt").as_uri(), folder / "bad.txt", "0" * 64)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    swingcast.errors.HashMismatchError: file://.../src.txt: downloaded bytes have sha256 ba7816bf8f01..., expected 000000000000...; file refused
    """
    target = Path(dest)
    chunks = (downloader or _stream)(url)
    digest = hashlib.sha256()
    logger.info("downloading %s to %s", url, target)
    try:
        with atomic_write(target, "wb") as handle:
            for block in chunks:
                digest.update(block)
                handle.write(block)
            actual = digest.hexdigest()
            if actual != sha256:
                raise HashMismatchError(
                    f"{url}: downloaded bytes have sha256 {actual[:12]}..., expected "
                    f"{sha256[:12]}...; file refused"
                )
    except DatasetError:
        raise
    except Exception as exc:  # requests/OSError/...: say which URL, keep the cause
        raise DatasetError(f"{url}: download failed ({type(exc).__name__}: {exc}); "
                           f"nothing was written to {target}") from exc
    return target


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
        See :func:`download`.

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
    downloader: Downloader | None = field(default=None, repr=False)

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

    def _matches(self, path: Path, entry: Dataset) -> str | None:
        """None when ``path`` is the registered file, else what differs."""
        size = path.stat().st_size
        if size != entry.size:
            return f"has {size} bytes, expected {entry.size}"
        actual = _verified_hash(path)
        if actual != entry.sha256:
            return f"has sha256 {actual}, expected {entry.sha256}"
        return None

    def locate(self, name: str, *, verify: bool = True) -> tuple[str, Path | None]:
        """Say where ``name`` is, without downloading anything.

        Parameters
        ----------
        name : str
        verify : bool
            Check the sha256 (else only the size).

        Returns
        -------
        (str, Path or None)
            ``("data_dir", path)`` or ``("cache", path)`` when a good copy is found;
            ``("hash mismatch", path)`` for a bad copy (the first one found);
            ``("downloadable", None)`` when absent but a URL is recorded; else
            ``("missing", None)``.

        Examples
        --------
        >>> DataStore({"a.csv": Dataset("a.csv", 1, "0" * 64, "", "", "", "")}).locate("a.csv")
        ('missing', None)
        """
        entry = self.entry(name)
        bad: Path | None = None
        for label, folder in (("data_dir", self.data_dir), ("cache", self.cache_dir)):
            if folder is None or not (folder / name).is_file():
                continue
            path = folder / name
            if verify:
                problem = self._matches(path, entry)
            else:
                size = path.stat().st_size
                problem = None if size == entry.size else f"has {size} bytes, expected {entry.size}"
            if problem is None:
                return label, path
            bad = bad or path
        if bad is not None:
            return "hash mismatch", bad
        return ("downloadable" if entry.url and self.cache_dir else "missing"), None

    def fetch(self, name: str) -> Path:
        """Return a hash-checked local path of ``name``, downloading it if needed.

        Parameters
        ----------
        name : str
            Registry name (path relative to the data folder).

        Returns
        -------
        pathlib.Path

        Raises
        ------
        DatasetError
            Unknown name, or the file is nowhere and cannot be downloaded.
        HashMismatchError
            The copy in the data folder is not the registered file; or a corrupted cache
            copy has no URL to be fetched again from; or the download has another hash.

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
        if self.cache_dir is not None:
            path = self.cache_dir / name
            if path.is_file():
                problem = self._matches(path, entry)
                if problem is None:
                    return path
                if not entry.url:
                    raise HashMismatchError(
                        f"dataset {name!r}: cached copy {path} {problem}, and the registry has "
                        "no URL to fetch it again; delete it and put the right file in "
                        f"{ENV_DATA_DIR}"
                    )
                logger.warning("dataset %r: cached copy %s %s; removing it and downloading "
                               "it again", name, path, problem)
                path.unlink()
            if entry.url:
                download(entry.url, path, entry.sha256, downloader=self.downloader)
                return path
            looked.append(f"{path} (cache)")
        if not looked:
            raise DatasetError(
                f"dataset {name!r} not found: no {ENV_DATA_DIR} set, no cache folder, and no "
                "URL in the registry to download it from"
            )
        raise DatasetError(
            f"dataset {name!r} not found; looked in {'; '.join(looked)}; the registry has no "
            f"URL for it, so set {ENV_DATA_DIR} to the folder that holds it"
        )

    def table(self, *, verify: bool = True) -> pd.DataFrame:
        """One row per registered file with where it is; see :func:`list_datasets`.

        Examples
        --------
        >>> DataStore({"a.csv": Dataset("a.csv", 1, "0" * 64, "me", "CC0", "", "")}).table()
            name  size licence publisher   status  path
        0  a.csv     1     CC0        me  missing  <NA>
        """
        rows = []
        for name, entry in sorted(self.registry.items()):
            status, path = self.locate(name, verify=verify)
            rows.append({"name": name, "size": entry.size, "licence": entry.licence,
                         "publisher": entry.publisher, "status": status,
                         "path": str(path) if path is not None else None})
        frame = pd.DataFrame(rows, columns=["name", "size", "licence", "publisher", "status",
                                            "path"])
        return frame.astype({"name": "string", "size": "int64", "licence": "string",
                             "publisher": "string", "status": "string", "path": "string"})


def default_store() -> DataStore:
    """The store built from the registry and the environment (read on each call).

    Examples
    --------
    >>> default_store().registry is registry()
    True
    """
    return DataStore(registry(), data_dir(), cache_dir())


def fetch(name: str) -> Path:
    """Return the local path of a registered dataset, after checking its sha256.

    Looks in ``$SWINGCAST_DATA_DIR``, then in the cache, then downloads into the cache when
    the registry records a URL (see the module docstring).

    Parameters
    ----------
    name : str
        Registry name (path relative to the data folder).

    Returns
    -------
    pathlib.Path

    Raises
    ------
    DatasetError
        Unknown name, or the file is nowhere and cannot be downloaded.
    HashMismatchError
        A copy exists but its sha256 differs from the registry.

    Examples
    --------
    >>> path = fetch("paris/census/rp2011-cs8-iris-paris.csv")  # doctest: +SKIP
    >>> path.name  # doctest: +SKIP
    'rp2011-cs8-iris-paris.csv'
    """
    return default_store().fetch(name)


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
        Columns ``name, size, licence, publisher, status, path``; ``status`` is
        ``data_dir`` or ``cache`` (found, good), ``hash mismatch``, ``downloadable`` (absent,
        URL known) or ``missing``.

    Examples
    --------
    >>> table = list_datasets(verify=False)
    >>> len(table) == len(registry()), list(table.columns)
    (True, ['name', 'size', 'licence', 'publisher', 'status', 'path'])
    """
    return (store or default_store()).table(verify=verify)
