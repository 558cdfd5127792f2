"""Shared step of the long layouts: one row per candidate -> one row per bureau."""

from __future__ import annotations

from os import PathLike

import pandas as pd

from swingcast.errors import InputFormatError, where
from swingcast.load.sources.textfile import LINE

__all__ = ["split_long"]


def split_long(
    frame: pd.DataFrame, keys: list[str], totals: list[str], path: str | PathLike[str]
) -> tuple[pd.DataFrame, pd.Series]:
    """Split a long table into its bureau rows and, per record, the bureau it belongs to.

    Parameters
    ----------
    frame : DataFrame
        One row per bureau and candidate; bureau totals repeated on each row.
    keys : list of str
        Columns identifying a bureau (and round, if several are in the file).
    totals : list of str
        Bureau-level columns (counts already parsed) that must be equal on every row of a
        bureau.
    path : str or PathLike
        For messages.

    Returns
    -------
    (DataFrame, Series)
        The first row of each bureau (``keys``, ``totals`` and ``_line``), in order of
        appearance, and for each input row the position of its bureau in that table.

    Raises
    ------
    InputFormatError
        When a bureau's totals differ between its rows.

    Examples
    --------
    >>> f = pd.DataFrame({"b": ["1", "1", "2"], "inscrits": [10, 10, 7], "_line": [2, 3, 4]})
    >>> st, sid = split_long(f, ["b"], ["inscrits"], "f.csv")
    >>> st["b"].tolist(), sid.tolist()
    (['1', '2'], [0, 0, 1])
    """
    sid = frame.groupby(keys, sort=False, dropna=False).ngroup()
    first = ~sid.duplicated()
    stations = frame.loc[first, [*keys, *totals, LINE]].reset_index(drop=True)
    for col in totals:
        ref = stations[col].to_numpy()[sid.to_numpy()]
        values = frame[col]
        differ = ~((values.to_numpy() == ref) | (values.isna().to_numpy() & pd.isna(ref)))
        differ = pd.Series(differ, index=frame.index).fillna(True).astype(bool)
        if differ.any():
            row = frame[differ.to_numpy()].iloc[0]
            first_line = stations[LINE].iloc[sid[differ].iloc[0]]
            raise InputFormatError(
                f"{where(path, line=int(row[LINE]), column=col)}: {row[col]} differs from "
                f"{ref[differ.to_numpy()][0]} on line {first_line} for the same bureau; "
                "expected the bureau totals repeated identically on each candidate row"
            )
    return stations, sid.astype("int64")
