"""A census table already carried onto the bureaux: one row per bureau, counts per variable.

The file :meth:`swingcast.Crosswalk.apply` writes (or any analyst's table of the same shape):
a ``bureau_id`` column (``<commune>_<bureau>``, as in the results) and one column of counts
per census variable, one of them the total (the denominator of the shares). Model v3 takes it
as ``census=`` (docs/models.md, protocol log, entries 20–21).
"""

from __future__ import annotations

import csv
from os import PathLike
from pathlib import Path

import pandas as pd

from swingcast.errors import InputFormatError, SchemaError, where
from swingcast.schema import BUREAU_ID

__all__ = ["read_bureau_census"]


def read_bureau_census(path: str | PathLike[str], total: str | None = None) -> pd.DataFrame:
    """Read a per-bureau census table (CSV, ``,`` or ``;``).

    Parameters
    ----------
    path : str or PathLike
        The CSV file: a ``bureau_id`` column and count columns.
    total : str, optional
        The column that is the total of the census (the denominator of the shares); default:
        the first count column.

    Returns
    -------
    DataFrame
        Indexed by ``bureau_id`` (str), float counts; ``attrs["census_total"]`` is the total.

    Raises
    ------
    SchemaError
        No ``bureau_id`` column, a bureau twice, no such total column, or a negative count
        (the file, line and column named).
    InputFormatError
        A cell that is not a number (the file, line and column named).

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> p = os.path.join(d, "c.csv")
    >>> _ = open(p, "w").write("bureau_id;pop;cadres\\n92002_1;900;120\\n92002_2;1100;300\\n")
    >>> c = read_bureau_census(p)
    >>> c.attrs["census_total"], float(c.loc["92002_2", "cadres"])
    ('pop', 300.0)
    """
    path = Path(path)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        head = handle.readline()
    sep = ";" if head.count(";") > head.count(",") else ","
    table = pd.read_csv(path, sep=sep, dtype=str, encoding="utf-8-sig", keep_default_na=False,
                        quoting=csv.QUOTE_MINIMAL)
    table.columns = [str(c).strip() for c in table.columns]
    if BUREAU_ID not in table.columns:
        raise SchemaError(f"census by bureau: {where(path)}: no column {BUREAU_ID!r} "
                          f"(found {list(table.columns)[:10]}); expected one id per bureau, "
                          "'<commune>_<bureau>' as in the results")
    ids = table[BUREAU_ID].str.strip()
    dup = ids[ids.duplicated(keep=False)]
    if not dup.empty:
        first = int(dup.index[0]) + 2  # header is line 1
        raise SchemaError(f"census by bureau: {where(path, line=first, column=BUREAU_ID, ids=dup.unique())}: "
                          "a bureau appears more than once; expected one row per bureau")
    counts = table.drop(columns=BUREAU_ID)
    if counts.shape[1] == 0:
        raise SchemaError(f"census by bureau: {where(path)}: no count column beside {BUREAU_ID!r}")
    out = {}
    for col in counts.columns:
        # French spreadsheets: "1 234,5" (a space or no-break space between thousands)
        text = (counts[col].str.strip().str.replace(r"[\s\u00a0\u202f]", "", regex=True)
                .str.replace(",", ".", regex=False))
        values = pd.to_numeric(text.where(text != ""), errors="coerce")
        bad = values.isna() & (text != "")
        if bad.any():
            line = int(bad.idxmax()) + 2
            raise InputFormatError(f"census by bureau: {where(path, line=line, column=col)}: "
                                   f"{counts[col].iloc[line - 2]!r} is not a number; expected a count")
        if (values < 0).any():
            line = int((values < 0).idxmax()) + 2
            raise SchemaError(f"census by bureau: {where(path, line=line, column=col)}: a negative "
                              "count; expected counts of people (0 or more)")
        out[col] = values.astype(float).to_numpy()
    result = pd.DataFrame(out, index=pd.Index(ids.to_numpy(), dtype=object, name=BUREAU_ID))
    total = total if total is not None else str(counts.columns[0])
    if total not in result.columns:
        raise SchemaError(f"census by bureau: {where(path, column=total)}: no such column; expected the "
                          f"census total among {list(result.columns)[:10]}")
    result.attrs["census_total"] = total
    return result
