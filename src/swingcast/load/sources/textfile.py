"""Reading delimited text and spreadsheets: encoding, separator, truncation, numbers.

Every loader goes through :func:`read_table`, which returns the cells as strings with the
1-based physical line (or spreadsheet row) of each record, so that later checks can say
where a problem is.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from swingcast._log import logger, quiet_library_warnings
from swingcast.errors import InputFormatError, SchemaError, where
from swingcast.load.headers import HEADER_SCAN, find_header

__all__ = ["Table", "read_table", "read_text", "decode", "to_count", "to_number", "header_line", "LINE",
           "NFIELDS", "MAX_COUNT"]

#: Name of the column holding the 1-based line (text) or row (spreadsheet) of a record.
LINE = "_line"
#: Number of fields of each record, only for text files whose rows have different lengths.
NFIELDS = "_nfields"
_SEPARATORS = (";", ",", "\t", "|")
#: Largest count accepted in one cell. No bureau, commune or constituency has a billion
#: voters (France has 49 million); a larger value is a corrupted cell. It also keeps every
#: sum safe: 2^63 / 10^9 = 9.2 billion rows could be added before an int64 overflows.
MAX_COUNT = 10**9
_THOUSANDS = r"\d{1,3}(\.\d{3})+"


@dataclass
class Table:
    """Cells of one file, as strings, with where each record came from.

    Examples
    --------
    >>> t = Table(pd.DataFrame({"a": ["1"], "_line": [2]}), Path("f.csv"), "utf-8", ",")
    >>> t.frame["_line"].tolist()
    [2]
    """

    frame: pd.DataFrame
    path: Path
    encoding: str | None
    separator: str | None


def _read_bytes(path: Path) -> bytes:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputFormatError(f"{path}: cannot read the file ({exc.strerror})") from exc
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise InputFormatError(f"{path}: truncated or corrupt gzip data ({exc})") from exc
    return raw


def decode(raw: bytes, path: str | PathLike[str] = "<bytes>") -> tuple[str, str]:
    """Decode file bytes: UTF-8 (BOM allowed), else cp1252 when the bytes are not UTF-8.

    Parameters
    ----------
    raw : bytes
        File content.
    path : str or PathLike
        For messages.

    Returns
    -------
    (str, str)
        The text and the encoding used (``"utf-8"``, ``"utf-8-sig"`` or ``"cp1252"``).

    Examples
    --------
    >>> decode("Exprimés".encode("utf-8"))
    ('Exprimés', 'utf-8')
    >>> decode("Exprimés".encode("cp1252"))
    ('Exprimés', 'cp1252')
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            return raw[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as utf8_error:
            # an editor added a UTF-8 byte-order mark to a cp1252 file (or re-saved part of it)
            try:
                text = raw[3:].decode("cp1252")
            except UnicodeDecodeError:
                text = None
            line = raw[: utf8_error.start + 3].count(b"\n") + 1
            if text is None or "\u00c3" in text:  # 'Ã': UTF-8 bytes mixed with cp1252 ones
                raise InputFormatError(
                    f"{where(path, line=line)}: a UTF-8 byte-order mark, then bytes that are "
                    "not UTF-8 here; expected one encoding for the whole file"
                ) from None
            logger.warning("%s: a UTF-8 byte-order mark followed by cp1252 text (first "
                           "non-UTF-8 byte on line %d): the mark is dropped and the text "
                           "decoded as cp1252", path, line)
            return text, "cp1252"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError as exc:
            line = raw[: utf8_error.start].count(b"\n") + 1
            raise InputFormatError(
                f"{where(path, line=line)}: bytes are neither UTF-8 nor cp1252 ({exc.reason}); "
                "expected a text file in one of those encodings"
            ) from exc
        logger.info("%s: not UTF-8, decoded as cp1252", path)
        return text, "cp1252"


def read_text(path: str | PathLike[str]) -> tuple[str, str]:
    """The text of a file (plain or gzip) and its encoding, as :func:`decode` finds it.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "t.csv")
    >>> _ = open(p, "wb").write(b"\\xef\\xbb\\xbfIRIS;P\\n")
    >>> read_text(p)
    ('IRIS;P\\n', 'utf-8-sig')
    """
    p = Path(path)
    return decode(_read_bytes(p), p)


def _sniff_separator(header: str, path: Path) -> str:
    counts = {sep: header.count(sep) for sep in _SEPARATORS}
    best = max(counts, key=lambda s: counts[s])
    if counts[best] == 0:
        raise InputFormatError(
            f"{where(path, line=1)}: header has a single column; expected fields separated by "
            "';' or ','"
        )
    return best


def _check_record_separator(path: Path, line_no: int, line: str, sep: str, n_fields: int) -> None:
    """Refuse a record written with another separator than the header's.

    The record is short under the header's separator but has at least the header's number
    of fields under another one, and that one splits it at least twice as finely (a
    truncated record still splits best under the header's separator).
    """
    n_sep = len(next(csv.reader([line], delimiter=sep), [""]))
    if n_sep >= n_fields:
        return
    for other in _SEPARATORS:
        if other == sep:
            continue
        n_other = len(next(csv.reader([line], delimiter=other), [""]))
        if n_other >= n_fields and n_other >= 2 * n_sep:
            raise InputFormatError(
                f"{where(path, line=line_no)}: the separator differs between the header and "
                f"this line: the header's fields are separated by {sep!r}, this line's by "
                f"{other!r}; expected {sep!r} on every line"
            )


def _dedupe(names: list[str]) -> list[str]:
    """Name headers the way pandas does: repeated ones ``Voix``, ``Voix.1``...; blank ones
    ``Unnamed: <position>`` (a Ministry header padded with empty fields for later blocks)."""
    seen: dict[str, int] = {}
    out = []
    for position, name in enumerate(names):
        name = name.strip() or f"Unnamed: {position}"
        if name in seen:
            seen[name] += 1
            out.append(f"{name}.{seen[name]}")
        else:
            seen[name] = 0
            out.append(name)
    return out


def _read_ragged(header: str, body: str, sep: str) -> pd.DataFrame:
    """Rows of different lengths (Ministry files: one block per candidate, header for one).

    Extra fields get columns ``Unnamed: <position>`` (as pandas names blank spreadsheet
    headers) and the number of fields of each record is kept in ``_nfields``.
    """
    names = _dedupe(next(csv.reader([header], delimiter=sep)))
    lines = body.split("\n")
    if '"' in body:
        nfields = [len(r) for r in csv.reader(lines, delimiter=sep)]
    else:  # no quoting: counting separators is exact (and fast)
        nfields = [line.count(sep) + 1 for line in lines]
    width = max(len(names), *nfields)
    frame = pd.read_csv(
        io.StringIO(body),
        sep=sep,
        header=None,
        names=list(range(width)),
        dtype=object,
        keep_default_na=False,
        skip_blank_lines=False,
        engine="c",
    )
    frame.columns = names + [f"Unnamed: {i}" for i in range(len(names), width)]
    frame[NFIELDS] = nfields
    return frame


def _refuse_unclosed_quote(path: Path, header: str, body: str, sep: str) -> None:
    """Refuse a quote that opens a field and is never closed (it would swallow the lines
    after it, or make the parser fail): the message names the line where it opens."""
    if '"' not in header and '"' not in body:
        return
    line_no, open_at = 0, 0
    for line_no, line in enumerate([header, *body.split("\n")], start=1):
        if line.count('"') % 2:
            open_at = 0 if open_at else line_no
    if open_at:
        raise InputFormatError(
            f"{where(path, line=open_at)}: a quote (\") opens a field on this line and is "
            f"not closed by the end of the file (line {line_no}); expected quotes in pairs "
            f"around whole fields, separated by {sep!r}"
        )


def _read_text(path: Path, separator: str | None) -> Table:
    raw = _read_bytes(path)
    if not raw.strip():
        raise InputFormatError(f"{path}: empty file; expected a header line and records")
    text, encoding = decode(raw, path)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    header, _, body = text.partition("\n")
    sniffed = _sniff_separator(header, path)
    if separator is not None and sniffed != separator and header.count(separator) == 0:
        raise InputFormatError(
            f"{where(path, line=1)}: fields are separated by {sniffed!r}, expected {separator!r}"
        )
    sep = separator or sniffed
    fields = next(csv.reader([header], delimiter=sep))
    while len(fields) > 1 and not fields[-1].strip():  # padding for later candidate blocks
        fields.pop()
    n_fields = len(fields)
    if not body.strip():
        raise InputFormatError(f"{path}: header only, no records")
    body = body.rstrip("\n")
    last = body.rsplit("\n", 1)[-1]
    n_last = len(next(csv.reader([last], delimiter=sep)))
    n_lines = body.count("\n") + 2
    _check_record_separator(path, 2, body.partition("\n")[0], sep, n_fields)
    _check_record_separator(path, n_lines, last, sep, n_fields)
    if n_last < n_fields:
        raise InputFormatError(
            f"{where(path, line=n_lines)}: last line has {n_last} fields, header has {n_fields}; "
            "the file looks truncated"
        )
    _refuse_unclosed_quote(path, header, body, sep)
    names = _dedupe(next(csv.reader([header], delimiter=sep)))
    try:
        # header=None: the header line fixes the number of fields, so a longer record is an
        # error (with a header, pandas would silently turn extra leading fields into an index)
        frame = pd.read_csv(
            io.StringIO(header + "\n" + body),
            sep=sep,
            header=None,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            engine="c",
        ).iloc[1:].reset_index(drop=True)
        frame.columns = names
    except pd.errors.ParserError:
        try:
            frame = _read_ragged(header, body, sep)
        except (pd.errors.ParserError, csv.Error) as exc:
            raise InputFormatError(
                f"{path}: cannot split the records into fields ({type(exc).__name__}: "
                f"{' '.join(str(exc).split())}); expected fields separated by {sep!r}"
            ) from exc
        logger.info("%s: rows of different lengths (repeated candidate blocks)", path)
    if len(frame) != n_lines - 1:  # quoted newlines: physical lines cannot be recovered
        frame[LINE] = np.arange(2, len(frame) + 2)
        logger.warning("%s: quoted line breaks; line numbers are record numbers + 1", path)
    else:
        frame[LINE] = np.arange(2, n_lines + 1)
    frame.columns = [str(c).strip() for c in frame.columns]
    return Table(frame, path, encoding, sep)


def _read_excel(path: Path, header: Callable[[pd.DataFrame], bool] | None) -> Table:
    try:
        with quiet_library_warnings():
            grid = pd.read_excel(path, header=None, dtype=str, keep_default_na=False,
                                 engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types on corrupt files
        raise InputFormatError(f"{path}: cannot read as .xlsx ({exc})") from exc
    h = 0
    if header is not None:  # title lines above the table: the header is found by content

        def is_header(row: Sequence[str]) -> bool:
            return header(pd.DataFrame(columns=_dedupe(list(row))))

        def is_record(head: Sequence[str], row: Sequence[str]) -> bool:
            return any(cell.strip() for cell in row) and not is_header(row)

        h = find_header(grid.head(HEADER_SCAN).to_numpy().tolist(), is_header, is_record) or 0
        if h:
            logger.info("%s: header on sheet row %d, below %d title rows", path, h + 1, h)
    if len(grid) <= h + 1:
        raise InputFormatError(f"{path}: empty sheet; expected a header row and records")
    frame = grid.iloc[h + 1:].reset_index(drop=True)
    frame.columns = _dedupe([str(c) for c in grid.iloc[h]])
    first = frame.columns[0]
    if first.startswith("Unnamed"):
        frame = frame.drop(columns=first)  # index column written by a re-publisher
    frame[LINE] = np.arange(h + 2, h + 2 + len(frame))  # sheet rows (header on row h + 1)
    return Table(frame, path, None, None)


def read_table(
    path: str | PathLike[str],
    *,
    separator: str | None = None,
    header: Callable[[pd.DataFrame], bool] | None = None,
) -> Table:
    """Read a delimited text file (plain or gzip) or an .xlsx sheet as strings.

    Parameters
    ----------
    path : str or PathLike
        The file. ``.xlsx``/``.xls`` files are read with openpyxl (first sheet); anything
        else as text, gzip-compressed or not (detected from the bytes).
    separator : str, optional
        Expected separator; default: sniffed from the header line.
    header : callable, optional
        For spreadsheets: ``header(frame)`` says whether an (empty) frame with a row's cells
        as columns has a known header. The header is then the last such row among the first
        :data:`~swingcast.load.headers.HEADER_SCAN` before the first record (title rows above the
        table are skipped); default, and when no row qualifies: the first row.

    Returns
    -------
    Table
        ``frame`` holds the cells as strings (empty cells are ``""``) and a ``_line``
        column: the 1-based physical line of the record (header = line 1), or the sheet row
        (the header's row + 1 for the first record).

    Raises
    ------
    InputFormatError
        Empty file, undecodable bytes, single-column header, wrong separator, a truncated
        (ragged) last line, or a line with too many fields.

    Examples
    --------
    >>> import tempfile, os
    >>> tmp = os.path.join(tempfile.mkdtemp(), "t.csv")
    >>> _ = open(tmp, "w").write("a;b\\n1;2\\n3;4\\n")
    >>> read_table(tmp).frame.to_dict("list")
    {'a': ['1', '3'], 'b': ['2', '4'], '_line': [2, 3]}
    """
    p = Path(path)
    if p.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        return _read_excel(p, header)
    return _read_text(p, separator)


def header_line(frame: pd.DataFrame) -> int:
    """Line (or sheet row) of a table's header: the one just above its first record.

    Parameters
    ----------
    frame : DataFrame
        As in :attr:`Table.frame` (with ``_line``).

    Returns
    -------
    int
        1 for text files; the sheet row of the header for workbooks with title rows.

    Examples
    --------
    >>> header_line(pd.DataFrame({"a": ["1"], "_line": [4]}))
    3
    """
    if LINE not in frame or frame.empty:
        return 1
    return int(frame[LINE].iloc[0]) - 1


def _first_bad(values: pd.Series, bad: np.ndarray, lines: pd.Series) -> tuple[int, str]:
    i = int(np.flatnonzero(bad)[0])
    return int(lines.iloc[i]), str(values.iloc[i])


def to_number(values: pd.Series) -> pd.Series:
    """Parse numbers written with a decimal comma or point, ``%`` or spaces; bad -> NaN.

    Parameters
    ----------
    values : Series of str

    Returns
    -------
    Series of float

    Examples
    --------
    >>> to_number(pd.Series(["82,59%", "1.5", " 3 ", "", "x"])).tolist()
    [82.59, 1.5, 3.0, nan, nan]
    """
    s = values.astype("string").str.replace("%", "", regex=False)
    s = s.str.replace(r"[\s\u00a0\u202f]", "", regex=True).str.replace(",", ".", regex=False)
    return pd.to_numeric(s, errors="coerce").astype("float64")


def _fast_int(values: pd.Series) -> pd.Series | None:
    """Cast clean digit strings to Int64 through pyarrow; None when anything is unusual."""
    if values.dtype.kind in "iu":
        return values.astype("Int64")
    try:
        arr = pc.cast(pa.array(values.to_numpy(dtype=object) if values.dtype == object
                               else values.array, from_pandas=True), pa.int64())
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError):
        return None
    if arr.null_count:
        return None
    return pd.Series(arr.to_numpy(), index=values.index, dtype="Int64")


def _check_range(nums: pd.Series, values: pd.Series, lines: pd.Series,
                 path: str | PathLike[str], column: str) -> None:
    """Refuse negative counts and counts above :data:`MAX_COUNT` (before any sum)."""
    neg = (nums < 0).fillna(False).to_numpy()
    if neg.any():
        line, value = _first_bad(values, neg, lines)
        raise SchemaError(
            f"{where(path, line=line, column=column)}: negative count {value}; expected >= 0"
        )
    big = (nums > MAX_COUNT).fillna(False).to_numpy()
    if big.any():
        line, value = _first_bad(values, big, lines)
        raise SchemaError(
            f"{where(path, line=line, column=column)}: count {value!r} out of range; "
            f"expected at most {MAX_COUNT:,} in one cell (a corrupted value?)"
        )


def _thousands(s: pd.Series, lines: pd.Series, path: str | PathLike[str],
               column: str) -> pd.Series:
    """Cells such as ``1.079`` or ``12.345.678``: a point as thousands separator.

    A count with three digits after a point cannot be a decimal unless they are ``000``.
    The column is read with thousands separators (points removed, with a warning naming the
    column, how many cells and the first one) when some cell proves it (``1.079``,
    ``1.234.567``) and none contradicts it (a point elsewhere, or 1000 or more written
    without a separator). Otherwise a ``1.000`` (1 or 1000?) is refused.
    """
    grouped = s.str.fullmatch(_THOUSANDS).fillna(False)
    if not grouped.any():
        return s
    proof = grouped & ~s.str.fullmatch(r"\d{1,3}\.000").fillna(False)
    plain = s.where(~grouped)
    other_point = plain.str.contains(".", regex=False).fillna(False)
    big_plain = pd.to_numeric(plain.where(~other_point), errors="coerce") >= 1000
    contradiction = other_point | big_plain.fillna(False)
    i = int(np.flatnonzero(grouped.to_numpy())[0])
    first = (int(lines.iloc[i]), str(s.iloc[i]))
    if proof.any() and not contradiction.any():
        fixed = s.where(~grouped, s.str.replace(".", "", regex=False))
        logger.warning(
            "%s: %d count(s) written with a point as thousands separator read as whole "
            "numbers; first: %s: %r -> %s", path, int(grouped.sum()),
            where(path, line=first[0], column=column), first[1], fixed.iloc[i])
        return fixed
    raise InputFormatError(
        f"{where(path, line=first[0], column=column)}: {first[1]!r} is ambiguous: a thousands "
        f"separator ({first[1].replace('.', '')}) or a decimal point "
        f"({float(first[1]):g}); expected a count written without separators"
    )


def to_count(
    values: pd.Series,
    lines: pd.Series,
    path: str | PathLike[str],
    column: str,
    *,
    required: bool = True,
) -> pd.Series:
    """Parse a column of counts into nullable ``Int64``, refusing anything else.

    Parameters
    ----------
    values : Series of str
        Cells as read (``""`` for empty; floats such as ``"12.0"`` are accepted when whole).
    lines : Series of int
        Line of each cell, for messages.
    path : str or PathLike
        File name, for messages.
    column : str
        Column name, for messages.
    required : bool
        When True an empty cell is an error; otherwise it becomes NA.

    Returns
    -------
    Series of Int64

    Raises
    ------
    InputFormatError
        A non-numeric, infinite, fractional or (when required) empty cell; a ``1.000``
        that may be 1 or 1000 (points as thousands separators are read, with a warning,
        when another cell of the column proves them: ``1.079``).
    SchemaError
        A negative count, or one above :data:`MAX_COUNT` (refused before anything is
        summed, so no total can overflow).

    Examples
    --------
    >>> lines = pd.Series([2, 3, 4])
    >>> to_count(pd.Series(["12", "", "3.0"]), lines, "f.csv", "voix", required=False).tolist()
    [12, <NA>, 3]
    >>> to_count(pd.Series(["12", "x", "3"]), lines, "f.csv", "voix")
    Traceback (most recent call last):
    ...
    swingcast.errors.InputFormatError: f.csv, line 3, column 'voix': 'x' is not a count; expected a whole number >= 0
    """
    fast = _fast_int(values)
    if fast is not None:
        out = fast
    else:
        s = _thousands(values.astype("string").str.strip(), lines, path, column)
        empty = (s == "") | s.isna()
        nums = pd.to_numeric(s.where(~empty), errors="coerce")
        bad = (nums.isna() & ~empty).to_numpy()
        if bad.any():
            line, value = _first_bad(values, bad, lines)
            raise InputFormatError(
                f"{where(path, line=line, column=column)}: {value!r} is not a count; "
                "expected a whole number >= 0"
            )
        if required and empty.any():
            line, value = _first_bad(values, empty.to_numpy(), lines)
            raise InputFormatError(
                f"{where(path, line=line, column=column)}: empty cell; expected a count"
            )
        floats = nums.astype("float64")
        infinite = (floats.notna() & ~np.isfinite(floats.fillna(0))).to_numpy()
        if infinite.any():
            line, value = _first_bad(values, infinite, lines)
            raise InputFormatError(
                f"{where(path, line=line, column=column)}: {value!r} is not a finite number; "
                "expected a count"
            )
        _check_range(floats, values, lines, path, column)
        frac = (nums.notna() & (nums != nums.round())).to_numpy()
        if frac.any():
            line, value = _first_bad(values, frac, lines)
            raise InputFormatError(
                f"{where(path, line=line, column=column)}: {value!r} is not a whole number; "
                "expected a count"
            )
        out = nums.astype("Int64")
    _check_range(out, values, lines, path, column)
    return out


def require_rectangular(table: Table) -> None:
    """Refuse a text file whose records do not all have as many fields as the header.

    Parameters
    ----------
    table : Table

    Raises
    ------
    InputFormatError
        Naming the first offending line.

    Examples
    --------
    >>> t = Table(pd.DataFrame({"a": ["1"], "_line": [2]}), Path("f.csv"), "utf-8", ",")
    >>> require_rectangular(t)
    """
    frame = table.frame
    if NFIELDS not in frame:
        return
    n_header = sum(1 for c in frame.columns if not str(c).startswith(("Unnamed: ", "_")))
    bad = (frame[NFIELDS] != n_header).to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputFormatError(
            f"{where(table.path, line=int(frame[LINE].iloc[i]))}: {int(frame[NFIELDS].iloc[i])} "
            f"fields, header has {n_header}; expected every line to have the header's fields"
        )
