"""The one CSV writer of swingcast: atomic, and safe to open in a spreadsheet.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a
formula by Excel, LibreOffice and Google Sheets, and by the CSV importers of many CRMs
(*CSV injection*: ``=HYPERLINK(...)``, ``+cmd|...``, ``@SUM(...)``). Every CSV swingcast
writes (segments of contacts, rankings and plans, ``census --out``) goes through
:func:`write_csv`, which prefixes such text cells, and such column names, with a single
quote ``'`` — the mark spreadsheets themselves use for "this is text" (OWASP's advice).
Numbers and phone numbers are written unchanged: numeric columns, and text cells made only
of digits, spaces and ``+ - . , ( ) /`` that start with a sign or a digit (``-3``,
``+33 6 11 22 33 44``): without a letter or ``| ! $ :`` such a cell cannot name a function,
a cell reference or a command.
"""

from __future__ import annotations

import re
from os import PathLike
from pathlib import Path

import pandas as pd

from swingcast.cache import atomic_write

__all__ = ["FORMULA_STARTS", "neutralise", "neutralise_frame", "write_csv"]

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[\d(][\d ().,/+-]*|[+-]?\d+([.,]\d*)?[eE][+-]?\d+")


def neutralise(value: object) -> object:
    """Prefix a text value that a spreadsheet would run as a formula with ``'``.

    Parameters
    ----------
    value : object
        A cell. Only ``str`` values are changed.

    Returns
    -------
    object
        ``"'" + value`` when ``value`` starts with one of :data:`FORMULA_STARTS` and is not a
        number or a phone number; ``value`` otherwise.

    Examples
    --------
    >>> neutralise("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise("@SUM(A1)"), neutralise("-3"), neutralise("Dupont"), neutralise(4)
    ("'@SUM(A1)", '-3', 'Dupont', 4)
    >>> neutralise("+33 6 11 22 33 44"), neutralise("-2+cmd|' /C calc'!A0"), neutralise(chr(9) + "=1")
    ('+33 6 11 22 33 44', "'-2+cmd|' /C calc'!A0", "'\\t=1")
    """
    if (isinstance(value, str) and value.startswith(FORMULA_STARTS)
            and not _PLAIN_NUMBER.fullmatch(value)):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with :func:`neutralise` applied to text cells and column names.

    Parameters
    ----------
    frame : DataFrame

    Returns
    -------
    DataFrame
        Same shape and index; numeric, boolean and datetime columns untouched.

    Examples
    --------
    >>> f = pd.DataFrame({"name": ["+cmd|' /C calc'!A0", "Ana"], "n": [-1, 2]})
    >>> neutralise_frame(f).values.tolist()
    [["'+cmd|' /C calc'!A0", -1], ['Ana', 2]]
    """
    out = frame.copy()
    for col in out.columns:
        kind = out[col].dtype.kind
        if kind in "O" or isinstance(out[col].dtype, (pd.StringDtype, pd.CategoricalDtype)):
            out[col] = out[col].astype(object).map(neutralise)
    out.columns = [neutralise(c) for c in out.columns]
    return out


def write_csv(frame: pd.DataFrame, path: str | PathLike[str], *, index: bool = False) -> Path:
    """Write ``frame`` as UTF-8 CSV with CRLF line ends, all at once (:func:`~swingcast.cache.atomic_write`), with
    formula-like cells neutralised (:func:`neutralise_frame`).

    Parameters
    ----------
    frame : DataFrame
    path : str or PathLike
        Destination, replaced only when the whole file is written.
    index : bool
        Write the index as the first column(s).

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import tempfile, os
    >>> f = os.path.join(tempfile.mkdtemp(), "seg.csv")
    >>> write_csv(pd.DataFrame({"email": ["=1+1"], "n": [3]}), f).read_bytes()
    b"email,n\\r\\n'=1+1,3\\r\\n"
    """
    path = Path(path)
    safe = neutralise_frame(frame.reset_index() if index else frame)
    with atomic_write(path, "w", encoding="utf-8", newline="") as handle:
        # CRLF line ends (RFC 4180): the csv writer then quotes every cell holding a "\r"
        # or "\n"; with "\n" alone, a lone "\r" in a cell would be written bare and split
        # the record in a spreadsheet
        safe.to_csv(handle, index=False, lineterminator="\r\n")
    return path
