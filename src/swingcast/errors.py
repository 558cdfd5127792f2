"""One exception family for everything swingcast refuses.

Every message says *what* was wrong, *where* (file, line, column or id) and *what was
expected*. The CLI prints the message on one line and exits with status 2.
"""

from __future__ import annotations

from os import PathLike

__all__ = [
    "SwingcastError",
    "InputFormatError",
    "SchemaError",
    "InvariantError",
    "DatasetError",
    "HashMismatchError",
    "GeometryError",
    "CRSError",
    "ModelError",
    "NotFittedError",
    "TargetingError",
    "OutputError",
    "SwingcastWarning",
    "where",
]


def where(
    path: str | PathLike[str] | None = None,
    *,
    line: int | None = None,
    column: str | None = None,
    ids: object | None = None,
) -> str:
    """Format a location for an error message.

    Parameters
    ----------
    path : str or PathLike, optional
        The file the problem is in.
    line : int, optional
        1-based line number in that file (header line = 1).
    column : str, optional
        Column name.
    ids : object, optional
        Offending identifiers (printed, at most 10 of them).

    Returns
    -------
    str
        For example ``"results.csv, line 12, column 'inscrits'"``.

    Examples
    --------
    >>> where("results.csv", line=12, column="inscrits")
    "results.csv, line 12, column 'inscrits'"
    >>> where(ids=["75056_101", "75056_102"])
    'ids 75056_101, 75056_102'
    """
    parts: list[str] = []
    if path is not None:
        parts.append(str(path))
    if line is not None:
        parts.append(f"line {line}")
    if column is not None:
        parts.append(f"column {column!r}")
    if ids is not None:
        if isinstance(ids, str):
            values = [ids]
        else:
            values = [str(v) for v in ids]  # type: ignore[union-attr]
        shown = ", ".join(values[:10])
        if len(values) > 10:
            shown += f" (and {len(values) - 10} more)"
        parts.append(f"id{'s' if len(values) != 1 else ''} {shown}")
    return ", ".join(parts)


class SwingcastError(Exception):
    """Base class of every error swingcast raises on purpose."""


class InputFormatError(SwingcastError, ValueError):
    """A file is not in a format we can read (encoding, separator, layout, truncated)."""


class SchemaError(SwingcastError, ValueError):
    """A table lacks a required column, or a column has the wrong type or values."""


class InvariantError(SwingcastError, ValueError):
    """Counts that must add up do not (inscrits = abstentions + votants, ...)."""


class DatasetError(SwingcastError, LookupError):
    """A registered dataset cannot be found or fetched."""


class HashMismatchError(DatasetError):
    """A file's sha256 differs from the one recorded in the registry."""


class GeometryError(SwingcastError, ValueError):
    """Geometries are missing, empty or invalid beyond repair."""


class CRSError(GeometryError):
    """A coordinate reference system is missing or does not match."""


class ModelError(SwingcastError, ValueError):
    """A model cannot be fitted or used on the data given."""


class NotFittedError(ModelError):
    """``predict`` was called before ``fit``."""


class TargetingError(SwingcastError, ValueError):
    """Targeting parameters or contact lists are unusable."""


class OutputError(SwingcastError, OSError):
    """An output file cannot be written (read-only folder, a folder where a file is expected)."""


class SwingcastWarning(UserWarning):
    """A warning of swingcast's own (a repair made, rows dropped on request)."""
