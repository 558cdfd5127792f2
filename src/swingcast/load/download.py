"""Downloads into the cache, through pooch: verified, atomic, one-line errors; archives unpacked.

:func:`download` hands the URL to :func:`pooch.retrieve` with a downloader of ours
(:class:`Downloader`): pooch streams the bytes into a temporary file in the destination's
folder, and moves it into place only when it is complete and its hash matches (pooch deletes
the temporary file on any error, an interruption included). Our downloader adds the size check,
a sha256 of what arrived (recorded for files without a known checksum: trust on first use) and
the ``file://`` scheme (local mirrors). Every failure becomes one
:class:`~swingcast.errors.DatasetError` line naming the URL: HTTP status (404...), timeout,
redirect loop, connection cut, size or hash mismatch (:class:`~swingcast.errors.HashMismatchError`).

What pooch does on a hash mismatch (pooch 1.8/1.9, ``pooch.core.stream_download``): the
temporary file is removed and a ``ValueError`` raised; an older file at the destination is
left as it was. This module only ever gives pooch a destination in the cache folder, never in
the user's data folder.

:func:`unpack` extracts a zip (:class:`pooch.Unzip`) or 7z (py7zr) archive once, into a
folder next to it, also all at once: into a temporary folder renamed at the end.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import sys
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path

from swingcast._log import logger
from swingcast.cache import PARTIAL_MARK
from swingcast.errors import DatasetError, HashMismatchError

__all__ = ["Downloader", "ChunkSource", "download", "unpack", "hash_file", "sha256sum",
           "TIMEOUT"]

#: Seconds to wait for a server (to connect, and between two chunks) before giving up.
TIMEOUT = 60
_CHUNK = 1 << 16

#: A chunk source turns a URL into the chunks of bytes of the file it names (tests, custom
#: transports); the default is requests (through pooch) for http(s), plain reads for file://.
ChunkSource = Callable[[str], Iterable[bytes]]


def hash_file(path: str | os.PathLike[str], algorithm: str = "sha256", chunk: int = 1 << 20) -> str:
    """Return the hex digest of a file (``sha256`` or ``md5``).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile(delete=False) as f:
    ...     _ = f.write(b"abc")
    >>> hash_file(f.name)[:12], hash_file(f.name, "md5")[:12]
    ('ba7816bf8f01', '900150983cd2')
    """
    digest = hashlib.new(algorithm)
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


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
    return hash_file(path, "sha256", chunk)


def _local_chunks(url: str) -> Iterable[bytes]:
    local = Path(urllib.request.url2pathname(urllib.parse.urlparse(url).path))
    with open(local, "rb") as handle:
        while block := handle.read(_CHUNK):
            yield block


class Downloader:
    """The pooch downloader of swingcast: bytes in, then size and hash checked.

    Parameters
    ----------
    sha256, md5 : str, optional
        Expected digests (at most one is needed); none: trust on first use.
    size : int, optional
        Expected size in bytes.
    progress : bool
        Show a progress bar (tqdm, on stderr).
    chunks : callable, optional
        A :data:`ChunkSource` used instead of requests.

    After a successful call, :attr:`sha256` is the digest of what arrived.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> d = Downloader(size=3, chunks=lambda url: [b"ab", b"c"])
    >>> d("https://example.invalid/x", str(folder / "x"), None)
    >>> (folder / "x").read_bytes(), d.sha256[:12]
    (b'abc', 'ba7816bf8f01')
    """

    def __init__(self, *, sha256: str = "", md5: str = "", size: int | None = None,
                 progress: bool = False, chunks: ChunkSource | None = None) -> None:
        self.expected = {"sha256": sha256, "md5": md5}
        self.size = size
        self.progress = progress
        self.chunks = chunks
        self.sha256 = ""

    def __call__(self, url: str, output_file: str, pooch: object) -> None:
        scheme = urllib.parse.urlparse(url).scheme
        if self.chunks is None and scheme in ("http", "https"):
            import pooch as _pooch

            # requests follows up to 30 redirects, then raises TooManyRedirects (a loop)
            http = _pooch.HTTPDownloader(progressbar=self.progress, timeout=TIMEOUT,
                                         chunk_size=_CHUNK)
            http(url, output_file, pooch)
        else:
            if self.chunks is None and scheme != "file":
                raise DatasetError(
                    f"{url}: unsupported URL scheme {scheme!r}; expected https, http or file")
            source = self.chunks or _local_chunks
            with open(output_file, "wb") as handle:
                for block in source(url):
                    handle.write(block)
        self._check(url, Path(output_file))

    def _check(self, url: str, path: Path) -> None:
        got = path.stat().st_size
        if self.size is not None and got != self.size:
            raise DatasetError(f"{url}: download has {got} bytes, expected {self.size} "
                               "(cut or changed); file refused")
        self.sha256 = sha256sum(path)
        for algorithm, expected in self.expected.items():
            if not expected:
                continue
            actual = self.sha256 if algorithm == "sha256" else hash_file(path, algorithm)
            if actual != expected:
                raise HashMismatchError(
                    f"{url}: downloaded bytes have {algorithm} {actual[:12]}..., expected "
                    f"{expected[:12]}...; file refused")


def download(
    url: str,
    dest: str | os.PathLike[str],
    sha256: str = "",
    *,
    md5: str = "",
    size: int | None = None,
    downloader: ChunkSource | None = None,
    progress: bool | None = None,
) -> Path:
    """Download ``url`` to ``dest`` through pooch, refusing it unless its hash and size match.

    The bytes go to a temporary file next to ``dest``, which becomes ``dest`` only when the
    download is complete and matches; on any error (network, interruption, size, hash) ``dest``
    is left as it was and no partial file remains. With neither ``sha256`` nor ``md5`` the file
    is accepted as it comes (trust on first use) and its sha256 is logged.

    Parameters
    ----------
    url : str
        ``https://``, ``http://`` or ``file://`` URL.
    dest : str or PathLike
        Where to put the file (folders are created). Give a cache path: an existing ``dest``
        that does not match is replaced.
    sha256, md5 : str, optional
        Expected hex digest.
    size : int, optional
        Expected size in bytes.
    downloader : callable, optional
        ``downloader(url)`` yields the file's bytes in chunks (default: requests, through
        pooch's HTTPDownloader, for http(s); plain reads for ``file://``).
    progress : bool, optional
        Progress bar on stderr (default: when stderr is a terminal).

    Returns
    -------
    pathlib.Path
        ``dest``.

    Raises
    ------
    HashMismatchError
        The downloaded bytes do not have the expected digest.
    DatasetError
        The download failed: HTTP error, timeout, redirect loop, cut connection, wrong size.

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
    return _retrieve(url, Path(dest), Downloader(
        sha256=sha256, md5=md5, size=size, chunks=downloader,
        progress=sys.stderr.isatty() if progress is None else progress))


def _retrieve(url: str, target: Path, fetcher: Downloader) -> Path:
    import pooch

    known = (f"sha256:{fetcher.expected['sha256']}" if fetcher.expected["sha256"]
             else f"md5:{fetcher.expected['md5']}" if fetcher.expected["md5"] else None)
    target.parent.mkdir(parents=True, exist_ok=True)
    # pooch logs its own INFO lines to a stderr handler of its own: ours say the same, once
    pooch.get_logger().setLevel(logging.WARNING)
    logger.info("downloading %s to %s", url, target)
    try:
        pooch.retrieve(url, known_hash=known, fname=target.name, path=target.parent,
                       downloader=fetcher, progressbar=fetcher.progress)
        # pooch's temporary file is private (0600); the cached copy gets the usual mode
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(target, 0o666 & ~umask)
    except DatasetError:
        raise
    except ValueError as exc:  # pooch's own hash check (after ours): same verdict
        raise HashMismatchError(f"{url}: {exc}; file refused") from exc
    except Exception as exc:  # requests/OSError/...: say which URL, keep the cause
        raise DatasetError(f"{url}: download failed ({type(exc).__name__}: {_short(exc)}); "
                           f"nothing was written to {target}") from exc
    return target


def _short(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]


def unpack(archive: str | os.PathLike[str], kind: str | None = None, *,
           dest: str | os.PathLike[str] | None = None) -> Path:
    """Extract a zip or 7z archive once into ``dest`` (``<archive>.unpacked/``); return it.

    The folder is written whole or not at all (a temporary folder renamed at the end); when it
    exists already, nothing is done.

    Parameters
    ----------
    archive : str or PathLike
    kind : {"zip", "7z"}, optional
        Default: from the suffix.
    dest : str or PathLike, optional
        The folder to create (default: next to the archive).

    Returns
    -------
    pathlib.Path

    Raises
    ------
    DatasetError
        Unknown archive type, unreadable archive, or py7zr missing for a 7z.

    Examples
    --------
    >>> import tempfile, zipfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with zipfile.ZipFile(folder / "a.zip", "w") as z:
    ...     z.writestr("base-ic.csv", "IRIS;P21_POP\\n751010101;1200\\n")
    >>> out = unpack(folder / "a.zip")
    >>> sorted(p.name for p in out.iterdir()), out.name
    (['base-ic.csv'], 'a.zip.unpacked')
    """
    path = Path(archive)
    kind = kind or path.suffix.lstrip(".").lower()
    dest = Path(dest) if dest is not None else path.with_name(path.name + ".unpacked")
    if dest.is_dir():
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{os.getpid()}{PARTIAL_MARK}{dest.name}")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        if kind == "zip":
            import pooch

            pooch.Unzip(extract_dir=str(tmp))(str(path), "download", None)
        elif kind == "7z":
            try:
                import py7zr
            except ImportError as exc:
                raise DatasetError(f"{path}: a 7z archive needs py7zr (pip install py7zr)") from exc
            with py7zr.SevenZipFile(path, mode="r") as z:
                z.extractall(path=tmp)
        else:
            raise DatasetError(f"{path}: unknown archive type {kind!r}; expected zip or 7z")
        os.replace(tmp, dest)
    except DatasetError:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, Exception):
            raise DatasetError(f"{path}: cannot unpack ({type(exc).__name__}: {_short(exc)})") from exc
        raise
    logger.info("unpacked %s into %s", path, dest)
    return dest
