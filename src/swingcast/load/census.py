"""INSEE census tables at IRIS level ("bases infracommunales", Filosofi) as tidy tables.

One reader, :func:`read_census`, for the layouts INSEE publishes:

* a plain ``;`` CSV whose first line is the header (``IRIS;C11_POP15P;...``);
* the RP "bases infracommunales" CSV (``IRIS;REG;DEP;...;TYP_IRIS;...;P16_POP1564;...``);
* Filosofi CSV: UTF-8 with BOM, CRLF, decimal commas, title lines, a header of French
  labels, then the header of codes; empty cells are statistical secrecy (NaN, never 0);
* the XLSX layout, with title lines above the table, and the XLS workbooks INSEE published
  up to the 2016 census (read with ``python-calamine``);
* any of these inside the ``.zip`` INSEE distributes (``base-ic-evol-struct-pop-2022_csv.zip``
  holds the table and a ``meta_`` dictionary: the table is read);
* Filosofi's secrecy markers (``nd`` not available, ``ns`` not significant, ``so`` without
  object, ``s`` secret) are empty cells too: NaN, counted per column in
  ``attrs["secret_cells"]``.

The header is found from the content: it is the last line containing an ``IRIS`` cell
before the first line whose ``IRIS`` cell looks like an IRIS code.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from swingcast._log import logger, quiet_library_warnings
from swingcast.errors import InputFormatError, SchemaError, where
from swingcast.load.headers import HEADER_SCAN, find_header
from swingcast.schema import COMMUNE_CODE, COMMUNE_NAME, IRIS_CODE, IRIS_NAME, IRIS_TYPE

__all__ = ["read_census", "census_column_name", "IRIS_PATTERN", "IRIS_TYPES", "SECRET_MARKERS"]

#: A 9-character IRIS code: commune code (``75101``, ``2A004``, ``97101``) + 4 digits.
IRIS_PATTERN = re.compile(r"^(?:\d{5}|2[AB]\d{3})\d{4}$")
#: IRIS types: habitat, activité, divers, commune not split into IRIS.
IRIS_TYPES = ("H", "A", "D", "Z")

#: Identifier and label columns of INSEE tables (not variables): name -> output name or None.
_ID_COLUMNS: dict[str, str | None] = {
    "IRIS": None,
    "COM": None,
    "LIBCOM": COMMUNE_NAME,
    "LIBIRIS": IRIS_NAME,
    "TYP_IRIS": IRIS_TYPE,
    "REG": None,
    "DEP": None,
    "UU2010": None,
    "UU2020": None,
    "TRIRIS": None,
    "GRD_QUART": None,
    "MODIF_IRIS": None,
    "LAB_IRIS": None,
}
_LOOKS_LIKE_IRIS = re.compile(r"^(?:\d{8,9}|2[AB]\d{7})$")
#: Cells INSEE writes instead of a value under statistical secrecy (Filosofi 2020+).
SECRET_MARKERS = ("nd", "ns", "so", "s")
_TABLE_SUFFIXES = (".csv", ".txt", ".xlsx", ".xls")
_CENSUS_VAR = re.compile(r"^([PC])(\d{2})_(.+)$")
_FILOSOFI_VAR = re.compile(r"^(DEC|DISP)_(.+?)(\d{2})$")


def census_column_name(name: str) -> tuple[str, int | None]:
    """Return a census variable's name without its year mark, lower-cased, and the year.

    Parameters
    ----------
    name : str
        Column name as published by INSEE.

    Returns
    -------
    (str, int or None)
        The new name and the 4-digit year found in the name (None when there is none).

    Examples
    --------
    >>> census_column_name("C11_POP15P_CS3")
    ('pop15p_cs3', 2011)
    >>> census_column_name("P16_POP1564"), census_column_name("DEC_MED19")
    (('pop1564', 2016), ('dec_med', 2019))
    >>> census_column_name("DEC_S80S2019"), census_column_name("X")
    (('dec_s80s20', 2019), ('x', None))
    """
    name = name.strip()
    m = _CENSUS_VAR.match(name)
    if m:
        return m.group(3).lower(), 2000 + int(m.group(2))
    m = _FILOSOFI_VAR.match(name)
    if m:
        return f"{m.group(1)}_{m.group(2)}".lower(), 2000 + int(m.group(3))
    return name.lower(), None


def _read_text_rows(path: Path) -> tuple[list[list[str]], str, str]:
    """First lines of a text table split into cells; return (rows, separator, text).

    Decoded by :func:`~swingcast.load.sources.textfile.read_text` (gzip, UTF-8 with or
    without BOM, cp1252, a BOM in front of cp1252; anything else refused with its line).
    """
    from swingcast.load.sources.textfile import read_text

    text, _ = read_text(path)
    lines = text.splitlines()[:HEADER_SCAN]
    if not lines:
        raise InputFormatError(f"{path}: empty file; expected an INSEE table with an IRIS column")
    counts = {sep: sum(line.count(sep) for line in lines) for sep in (";", ",", "\t")}
    sep = max(counts, key=lambda s: counts[s])
    return [[c.strip().strip('"') for c in line.split(sep)] for line in lines], sep, text


def _find_header(rows: list[list[str]], path: Path) -> int:
    """Index of the header of codes: last row with an ``IRIS`` cell before the data."""

    def is_header(row: Sequence[str]) -> bool:
        return any(c.upper() == "IRIS" for c in row)

    def is_record(header: Sequence[str], row: Sequence[str]) -> bool:
        col = [c.upper() for c in header].index("IRIS")
        return col < len(row) and bool(_LOOKS_LIKE_IRIS.match(row[col].upper()))

    h = find_header(rows, is_header, is_record)
    if h is None:
        raise SchemaError(
            f"{path}: no 'IRIS' column in the first {HEADER_SCAN} lines; expected an INSEE "
            "table at IRIS level (a header line with a cell 'IRIS')"
        )
    return h


def _load_table(path: Path, sheet: str | int | None) -> tuple[pd.DataFrame, int]:
    """Return the table as strings and the 1-based file line (or sheet row) of its header."""
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        try:
            with quiet_library_warnings():
                grid = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, header=None,
                                     dtype=object,
                                     engine="calamine" if path.suffix.lower() == ".xls" else None)
        except ValueError as exc:  # unknown sheet
            raise InputFormatError(f"{path}: {exc}") from exc
        grid = grid.dropna(how="all", axis=1)
        cells = grid.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v))
                         else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)))
        rows = [list(r) for r in cells.head(HEADER_SCAN).itertuples(index=False)]
        h = _find_header(rows, path)
        table = cells.iloc[h + 1:].copy()
        table.columns = [c.strip() for c in cells.iloc[h]]
        table = table.loc[:, [c != "" for c in table.columns]]
        table = table[(table != "").any(axis=1)]
        table.index = table.index + 1  # sheet row numbers (1-based)
        return table.astype("string").apply(lambda s: s.str.strip()), h + 1
    if sheet is not None:
        raise InputFormatError(f"{path}: sheet={sheet!r} given but the file is not a workbook")
    rows, sep, text = _read_text_rows(path)
    h = _find_header(rows, path)
    try:
        table = pd.read_csv(io.StringIO(text), sep=sep, skiprows=h, header=0, dtype=str,
                            keep_default_na=False, na_values=[], skip_blank_lines=False)
    except pd.errors.ParserError as exc:
        raise InputFormatError(f"{path}: cannot parse as a {sep!r}-separated table: {exc}") from exc
    table.columns = [str(c).strip() for c in table.columns]
    table.index = np.arange(len(table)) + h + 2  # file line numbers (header = h + 1)
    table = table[(table != "").any(axis=1)]
    return table.astype("string").apply(lambda s: s.str.strip()), h + 1


def _refuse_truncated(codes: pd.Series, short: pd.Series, raw: pd.Series, path: Path,
                      column: str) -> None:
    """Refuse 8-digit codes that are not 9-digit codes which lost their leading zero.

    A spreadsheet drops the zero of *every* code of départements 01-09, and such a code,
    padded, belongs to a département 01-09 whose commune is not among the file's full codes.
    An 8-digit code whose first five digits are the commune of a full code of the file
    (``75101010`` beside ``751010101``), or in a file where other ``0…`` codes kept their
    zero, is a code cut short: padding it would make another IRIS.
    """
    full = codes[~short & codes.str.fullmatch(IRIS_PATTERN.pattern)]
    communes = set(full.str[:5])
    kept_zero = full.str.startswith("0").any()
    cut = short & (codes.str[:5].isin(communes) | kept_zero)
    if cut.any():
        line = int(cut[cut].index[0])
        value = raw[line]
        reason = (f"the other codes of commune {value[:5]} have 9" if value[:5] in communes
                  else "other codes of départements 01-09 kept their leading zero")
        raise SchemaError(
            f"{where(path, line=line, column=column)}: IRIS code {value!r} has 8 digits and "
            f"{reason}: a code cut short, not a lost leading zero; expected 9 characters, "
            "commune code + 4 digits"
        )


def _iris_codes(raw: pd.Series, path: Path, column: str) -> pd.Series:
    codes = raw.fillna("").str.upper()
    short = codes.str.fullmatch(r"\d{8}")
    if short.any():
        _refuse_truncated(codes, short, raw, path, column)
    if short.any():  # département 01..09 written as a number (leading zero lost)
        logger.warning("%s: %d IRIS codes of 8 digits padded with a leading zero "
                       "(a spreadsheet read them as numbers)", path, int(short.sum()))
        codes = codes.mask(short, codes.str.zfill(9))
    bad = ~codes.str.fullmatch(IRIS_PATTERN.pattern)
    if bad.any():
        line = int(bad[bad].index[0])
        raise SchemaError(
            f"{where(path, line=line, column=column)}: malformed IRIS code {raw[line]!r} "
            f"({int(bad.sum())} in all); expected 9 characters, commune code + 4 digits"
        )
    dup = codes.duplicated(keep=False)
    if dup.any():
        lines = ", ".join(str(i) for i in dup[dup].index[:10])
        raise SchemaError(
            f"{where(path, column=column, ids=codes[dup].unique())}: duplicated IRIS "
            f"(lines {lines}); expected one row per IRIS"
        )
    return codes


def _numeric(table: pd.DataFrame, path: Path) -> tuple[pd.DataFrame, dict[str, int]]:
    out, secret = {}, {}
    for col in table.columns:
        text = table[col].fillna("").str.replace("\u00a0", "").str.replace(" ", "")
        marked = text.str.lower().isin(SECRET_MARKERS)
        if marked.any():
            secret[col] = int(marked.sum())
            text = text.mask(marked, "")
        text = text.where(text.str.contains(".", regex=False), text.str.replace(",", "."))
        values = pd.to_numeric(text.replace("", None), errors="coerce").astype("float64")
        bad = values.isna() & (text != "")
        infinite = np.isinf(values)
        if infinite.any():  # 'inf', '1e400': a float overflow, refused like 'nan'
            line = int(infinite[infinite].index[0])
            raise SchemaError(
                f"{where(path, line=line, column=col)}: value {table.at[line, col]!r} is not a "
                "finite number; expected a number or an empty cell (statistical secrecy)"
            )
        if bad.any():
            line = int(bad[bad].index[0])
            raise SchemaError(
                f"{where(path, line=line, column=col)}: value {table.at[line, col]!r} is not a "
                f"number ({int(bad.sum())} such cells in the column); expected a number or an "
                "empty cell (statistical secrecy)"
            )
        out[col] = values
    return pd.DataFrame(out, index=table.index), secret


def _from_zip(path: Path, member: str | None) -> tuple[Path, object]:
    """Extract the table of an INSEE archive into a temporary folder; return its path."""
    import tempfile
    import zipfile

    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise InputFormatError(f"{path}: not a readable zip archive ({exc})") from exc
    with archive:
        names = [n for n in archive.namelist() if not n.endswith("/")]
        if member is not None:
            chosen = [n for n in names if n == member or Path(n).name == member]
        else:
            chosen = [n for n in names if Path(n).suffix.lower() in _TABLE_SUFFIXES
                      and not Path(n).name.lower().startswith(("meta_", "meta-"))]
        if len(chosen) != 1:
            raise InputFormatError(
                f"{path}: {'no member ' + repr(member) if member else str(len(chosen)) + ' tables'}"
                f" in the archive ({', '.join(names[:10])}); expected one INSEE table (pass "
                "member= to choose)")
        tmp = tempfile.TemporaryDirectory(prefix="swingcast-census-")
        target = Path(tmp.name) / Path(chosen[0]).name
        target.write_bytes(archive.read(chosen[0]))
    return target, tmp


def read_census(path: str | PathLike[str], *, sheet: str | int | None = None,
                member: str | None = None) -> pd.DataFrame:
    """Read an INSEE table at IRIS level into one row per IRIS.

    Parameters
    ----------
    path : str or PathLike
        A ``;`` (or ``,``) CSV or an XLSX workbook from INSEE: RP "bases infracommunales",
        Filosofi, or a plain ``IRIS;<variables>`` table.
    sheet : str or int, optional
        Sheet of a workbook (default: the first one).
    member : str, optional
        For a ``.zip`` archive: the file to read (default: its only table that is not a
        ``meta_`` dictionary).

    Returns
    -------
    DataFrame
        ``iris_code`` (9 characters), ``commune_code`` (its first 5 characters),
        ``iris_type`` (H/A/D/Z, NA when the file has no ``TYP_IRIS`` and the IRIS is not a
        whole commune ``COM0000``), ``iris_name`` and ``commune_name`` when the file has
        them, then the variables as floats, named without their year mark and lower-cased
        (``C11_POP15P_CS3`` -> ``pop15p_cs3``). Empty cells (statistical secrecy) are NaN.
        ``df.attrs``: ``census_year`` (int, or a sorted list when names carry several
        years, None when none), ``source`` (the path), ``columns`` (original -> new name)
        and ``secret_cells`` (column -> number of secrecy markers read as NaN).

    Raises
    ------
    SchemaError
        No ``IRIS`` column, a malformed or duplicated IRIS code, a ``COM`` that is not the
        IRIS code's first 5 characters, a non-numeric value in a variable, a negative count
        (``P``/``C`` variables), an unknown IRIS type; the message names the file, line and
        column.
    InputFormatError
        The file cannot be parsed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "cs8.csv"
    >>> _ = p.write_text("IRIS;C11_POP15P;C11_POP15P_CS1\\n751010101;784;0\\n750560000;10;\\n")
    >>> df = read_census(p)
    >>> df["iris_code"].tolist(), df["commune_code"].tolist(), df["pop15p"].tolist()
    (['751010101', '750560000'], ['75101', '75056'], [784.0, 10.0])
    >>> df["iris_type"].tolist()
    [<NA>, 'Z']
    >>> df.attrs["census_year"], df["pop15p_cs1"].isna().tolist()
    (2011, [False, True])
    >>> read_census("../shared/data/paris/census/rp2011-cs8-iris-paris.csv")  # doctest: +SKIP
    """
    path = Path(path)
    if not path.is_file():
        raise InputFormatError(f"{path}: no such file; expected an INSEE census table")
    if path.suffix.lower() == ".zip":
        inner, tmp = _from_zip(path, member)
        try:
            out = read_census(inner, sheet=sheet)
        finally:
            tmp.cleanup()  # type: ignore[attr-defined]
        out.attrs["source"] = f"{path}!{inner.name}"
        return out
    if member is not None:
        raise InputFormatError(f"{path}: member={member!r} given but the file is not a zip")
    table, header_line = _load_table(path, sheet)
    upper = {c: c.upper() for c in table.columns}
    iris_col = next(c for c, u in upper.items() if u == "IRIS")
    if table.columns.duplicated().any():
        dups = sorted(set(table.columns[table.columns.duplicated()]))
        raise SchemaError(f"{path}, line {header_line}: duplicated column names {dups}")
    codes = _iris_codes(table[iris_col], path, iris_col)

    out = pd.DataFrame(index=table.index)
    out[IRIS_CODE] = codes.astype("string")
    out[COMMUNE_CODE] = codes.str[:5].astype("string")
    com_col = next((c for c, u in upper.items() if u == "COM"), None)
    if com_col is not None:  # the commune of an IRIS is its first 5 characters
        off = table[com_col].fillna("").str.zfill(5).ne(out[COMMUNE_CODE])
        if off.any():
            line = int(off[off].index[0])
            raise SchemaError(f"{where(path, line=line, column=com_col)}: commune "
                              f"{table.at[line, com_col]!r} is not the first 5 characters of "
                              f"IRIS {codes[line]!r}")
    typ_col = next((c for c, u in upper.items() if u == "TYP_IRIS"), None)
    whole = codes.str.endswith("0000")
    if typ_col is not None:
        types = table[typ_col].fillna("").str.upper()
        bad = ~types.isin([*IRIS_TYPES, ""])
        if bad.any():
            line = int(bad[bad].index[0])
            raise SchemaError(f"{where(path, line=line, column=typ_col)}: IRIS type "
                              f"{table.at[line, typ_col]!r}; expected one of {IRIS_TYPES}")
        types = types.replace("", pd.NA).fillna(pd.Series("Z", index=types.index).where(whole))
    else:
        types = pd.Series("Z", index=table.index).where(whole)
    out[IRIS_TYPE] = types.astype("string")
    for target in (IRIS_NAME, COMMUNE_NAME):
        col = next((c for c, u in upper.items() if _ID_COLUMNS.get(u) == target), None)
        if col is not None:
            out[target] = table[col].replace("", pd.NA).astype("string")

    variables = [c for c, u in upper.items() if u not in _ID_COLUMNS]
    mapping: dict[str, str] = {}
    years: set[int] = set()
    taken = set(out.columns)
    for col in variables:
        new, year = census_column_name(col)
        if new in taken and year is not None and col[:1].upper() == "C":
            new = "c_" + new  # a complementary variable with the same stem as a main one
        if new in taken:
            raise SchemaError(f"{path}, line {header_line}: column {col!r} becomes {new!r}, "
                              "which another column already has; expected distinct variables")
        taken.add(new)
        mapping[col] = new
        if year is not None:
            years.add(year)
    values, secret = _numeric(table[variables], path)
    if secret:
        logger.info("%s: %d cells under statistical secrecy (%s) read as NaN", path,
                    sum(secret.values()), ", ".join(SECRET_MARKERS))
    counts = [c for c in variables if _CENSUS_VAR.match(c)]  # P/C variables count people
    negative = values[counts] < 0
    if negative.to_numpy().any():
        col = negative.any().idxmax()
        line = int(negative[col].idxmax())
        raise SchemaError(f"{where(path, line=line, column=col)}: negative count "
                          f"{table.at[line, col]!r}; expected a count >= 0")
    values = values.rename(columns=mapping)
    out = pd.concat([out, values], axis=1).reset_index(drop=True)
    out.attrs["census_year"] = (
        None if not years else next(iter(years)) if len(years) == 1 else sorted(years)
    )
    out.attrs["source"] = str(path)
    out.attrs["columns"] = mapping
    out.attrs["secret_cells"] = {mapping[c]: n for c, n in secret.items()}
    logger.info("%s: %d IRIS, %d variables", path, len(out), len(variables))
    return out
