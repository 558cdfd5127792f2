"""The dataset registry: every data file swingcast knows, found locally and hash-checked.

The registry (``data/registry.csv`` in the source tree, shipped as package data) records for
each file its name (its path relative to the data folder), size, sha256, publisher, licence,
optional public URL and a description. Files are looked up in the folder named by the
``SWINGCAST_DATA_DIR`` environment variable. A file whose sha256 differs from the registry is
refused with :class:`~swingcast.errors.HashMismatchError`.
"""

from __future__ import annotations

import csv
import hashlib
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from swingcast.errors import DatasetError, HashMismatchError

__all__ = ["Dataset", "registry", "data_dir", "fetch", "sha256sum"]

ENV_DATA_DIR = "SWINGCAST_DATA_DIR"
# In a wheel the registry is packaged next to this module; in a source checkout (editable
# install) it is the project's data/registry.csv.
_REGISTRY_CANDIDATES = (
    Path(__file__).with_name("registry.csv"),
    Path(__file__).resolve().parents[2] / "data" / "registry.csv",
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


def fetch(name: str) -> Path:
    """Return the local path of a registered dataset, after checking its sha256.

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
        Unknown name, or the file is not in the data folder.
    HashMismatchError
        The file exists but its sha256 differs from the registry.

    Examples
    --------
    >>> path = fetch("paris/census/rp2011-cs8-iris-paris.csv")  # doctest: +SKIP
    >>> path.name  # doctest: +SKIP
    'rp2011-cs8-iris-paris.csv'
    """
    reg = registry()
    if name not in reg:
        raise DatasetError(f"unknown dataset {name!r}; expected one of the names listed by `swingcast datasets`")
    entry = reg[name]
    folder = data_dir()
    if folder is None:
        raise DatasetError(
            f"dataset {name!r}: no data folder; set {ENV_DATA_DIR} to the folder that holds it"
        )
    path = folder / name
    if not path.is_file():
        raise DatasetError(f"dataset {name!r}: {path} does not exist (looked in {ENV_DATA_DIR}={folder})")
    actual = _verified_hash(path)
    if actual != entry.sha256:
        raise HashMismatchError(
            f"dataset {name!r}: {path} has sha256 {actual}, expected {entry.sha256} "
            "(file changed or corrupted; refusing to use it)"
        )
    return path
