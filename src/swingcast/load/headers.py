"""Finding the header row of a table published with title lines above it.

INSEE and Ministry workbooks (and INSEE's Filosofi CSV) put a few title lines, sometimes a
row of French labels, above the row of column names. The census and results loaders both
find that row from the content with :func:`find_header`, each with its own idea of what a
header and a record look like.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

__all__ = ["HEADER_SCAN", "find_header"]

#: How many rows at the top of a file are searched for the header.
HEADER_SCAN = 60


def find_header(
    rows: Sequence[Sequence[str]],
    is_header: Callable[[Sequence[str]], bool],
    is_record: Callable[[Sequence[str], Sequence[str]], bool],
) -> int | None:
    """Index of the header row: the last header-like row before the first record under it.

    Rows are scanned in order; a row is a record when a header-like row came before it and
    ``is_record(that header, row)`` holds. Title lines above the first header-like row are
    skipped, and of two header-like rows in a row (labels, then codes) the later one wins.

    Parameters
    ----------
    rows : sequence of sequences of str
        The first rows of the file, split into cells (at most :data:`HEADER_SCAN`).
    is_header : callable
        ``is_header(row)``: whether a row could be the header.
    is_record : callable
        ``is_record(header, row)``: whether ``row`` is a record of the table whose header
        is ``header``.

    Returns
    -------
    int or None
        0-based index of the header row; the last header-like row when no record follows
        it; None when no row is header-like.

    Examples
    --------
    >>> rows = [["Title"], ["Label IRIS", "Population"], ["IRIS", "P19_POP"],
    ...         ["751010101", "12"]]
    >>> find_header(rows, lambda r: "IRIS" in r, lambda h, r: r[0].isdigit())
    2
    >>> find_header([["Title"], ["x"]], lambda r: "IRIS" in r, lambda h, r: True) is None
    True
    """
    header: int | None = None
    for i, row in enumerate(rows):
        if header is not None and is_record(rows[header], row):
            return header
        if is_header(row):
            header = i
    return header
