"""Writing files so that a reader never sees half of one.

:func:`atomic_write` hands out a temporary path next to the destination and moves it into
place (``os.replace``, atomic on one file system) only when the ``with`` block ends without
an exception; otherwise the temporary file is removed and the destination is left as it was.
The dataset downloader, the crosswalk's Parquet files and the report outputs all use it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from os import PathLike
from pathlib import Path
from typing import Any

from swingcast.errors import OutputError

__all__ = ["atomic_write", "partial_files", "PARTIAL_MARK"]

#: Every temporary file made by :func:`atomic_write` has this in its name.
PARTIAL_MARK = ".partial."


def _temporary_name(dest: Path) -> Path:
    # Hidden, unique, and ending with the destination's own name so that writers which
    # choose a driver from the suffix (.gpkg, .parquet, .csv.gz) still do the right thing.
    return dest.with_name(f".{secrets.token_hex(6)}{PARTIAL_MARK}{dest.name}")


@contextlib.contextmanager
def _output_errors(dest: Path) -> Iterator[None]:
    """Turn an OS error of our own file handling into an :class:`OutputError` naming ``dest``."""
    try:
        yield
    except OSError as exc:
        if isinstance(exc, OutputError):
            raise
        reason = exc.strerror or type(exc).__name__
        raise OutputError(f"{dest}: cannot write the file ({reason}); expected a writable "
                          "folder and a file name that is not a folder") from exc


@contextlib.contextmanager
def atomic_write(
    path: str | PathLike[str], mode: str | None = None, **open_kwargs: Any
) -> Iterator[Any]:
    """Write ``path`` all at once or not at all.

    Parameters
    ----------
    path : str or PathLike
        Destination. Its folder is created if needed.
    mode : str, optional
        ``None`` (default): the block receives a temporary :class:`~pathlib.Path` to write
        to (for writers that want a path: ``to_parquet``, ``to_file``...). ``"w"``,
        ``"wb"``, ``"x"``...: the block receives that temporary file opened with this mode
        (and ``open_kwargs``, e.g. ``encoding="utf-8"``).
    **open_kwargs
        Passed to :func:`open` when ``mode`` is given.

    Yields
    ------
    pathlib.Path or file object
        Where to write. The temporary file lives in the destination's folder, so the final
        rename never crosses file systems.

    Raises
    ------
    OutputError
        ``path`` is a folder, or its folder cannot be created or written to (the message
        names ``path``, never the temporary file).
    Exception
        Whatever the block raised; then the temporary file is removed and ``path`` is
        untouched (the previous version, if any, stays).

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "a" / "report.csv"
    >>> with atomic_write(out, "w", encoding="utf-8") as handle:
    ...     _ = handle.write("x,y\\n1,2\\n")
    >>> out.read_text(encoding="utf-8")
    'x,y\\n1,2\\n'
    >>> try:
    ...     with atomic_write(out, "w") as handle:
    ...         _ = handle.write("half")
    ...         raise RuntimeError("interrupted")
    ... except RuntimeError:
    ...     pass
    >>> out.read_text(encoding="utf-8"), partial_files(out.parent)
    ('x,y\\n1,2\\n', [])
    """
    dest = Path(path)
    if mode is not None and ("r" in mode or "a" in mode or "+" in mode):
        raise ValueError(f"atomic_write: mode {mode!r}; expected a write mode ('w', 'wb')")
    if dest.is_dir():
        raise OutputError(f"{dest}: is a folder; expected the path of a file to write")
    with _output_errors(dest):
        dest.parent.mkdir(parents=True, exist_ok=True)
        if not os.access(dest.parent, os.W_OK):
            raise PermissionError(13, "Permission denied", str(dest.parent))
    tmp = _temporary_name(dest)
    try:
        if mode is None:
            with _output_errors(dest):  # probe: writers' own errors would name the temp file
                open(tmp, "xb").close()
                tmp.unlink()
            yield tmp
        else:
            with _output_errors(dest):
                handle = open(tmp, mode, **open_kwargs)
            with handle:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
        if not tmp.exists():
            raise FileNotFoundError(f"atomic_write: nothing was written to {tmp} for {dest}")
        with _output_errors(dest):
            os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def partial_files(folder: str | PathLike[str]) -> list[Path]:
    """List the temporary files :func:`atomic_write` left in a folder (tree).

    There should never be any: they exist only while a write is in progress, or after a
    process was killed outright (``SIGKILL``, power cut). Used by tests and ``swingcast
    datasets``.

    Parameters
    ----------
    folder : str or PathLike

    Returns
    -------
    list of Path
        Sorted.

    Examples
    --------
    >>> import tempfile
    >>> partial_files(tempfile.mkdtemp())
    []
    """
    root = Path(folder)
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob(f"*{PARTIAL_MARK}*") if p.is_file())
