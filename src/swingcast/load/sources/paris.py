"""Paris table of candidates' shares of registered voters per bureau (third-party, 2017).

Columns: an unnamed row number, ``bureau`` (``AANN`` as an integer), census shares and
``distance`` (ignored here: they are not results), and one column ``P<NAME>`` per
candidate holding the percentage of **inscrits** (not of exprimés) who voted for them.
There are no counts at all: ``stations`` counts are NA, ``votes.voix`` is NA and the
value goes to ``votes.pct_inscrits`` (in %). Nothing is rebuilt from the shares.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from swingcast import schema
from swingcast.errors import InputFormatError, where
from swingcast.load.sources.national import repeat_labels
from swingcast.load.sources.results import PCT_INSCRITS
from swingcast.load.sources.textfile import LINE, Table, require_rectangular, to_number

__all__ = ["is_paris_parts", "parse_paris_parts", "share_columns"]

_SHARE = re.compile(r"^P(?!OP)[A-Z]{3,}$")


def share_columns(columns: list[str]) -> list[str]:
    """Candidate share columns (``PMACRON``...), excluding ``POP*`` census columns.

    Examples
    --------
    >>> share_columns(["bureau", "POP1824", "PMACRON", "PLEPEN", "C11_POP15P"])
    ['PMACRON', 'PLEPEN']
    """
    return [c for c in columns if _SHARE.match(c)]


def is_paris_parts(frame: pd.DataFrame) -> bool:
    """Whether a table is the Paris shares-of-inscrits table.

    Examples
    --------
    >>> is_paris_parts(pd.DataFrame(columns=["", "bureau", "PMACRON", "PLEPEN"]))
    True
    """
    columns = [str(c) for c in frame.columns]
    return "bureau" in columns and "inscrits" not in columns and len(share_columns(columns)) >= 2


def parse_paris_parts(table: Table, kind: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Raw station and vote tables of the Paris shares table.

    Parameters
    ----------
    table : Table
    kind : str
        Election kind (unused).

    Returns
    -------
    (DataFrame, DataFrame)
        ``votes`` has ``candidate`` (the column name without its ``P``), ``voix`` NA and
        ``pct_inscrits``.

    Raises
    ------
    InputFormatError
        A share that is not a number in [0, 100].

    Examples
    --------
    >>> from pathlib import Path
    >>> f = pd.DataFrame({"bureau": ["101"], "PMACRON": ["32.25"], "PLEPEN": ["4.5"],
    ...                   "_line": [2]})
    >>> st, vo = parse_paris_parts(Table(f, Path("p.csv"), "utf-8", ","), "presidentielle")
    >>> vo[["candidate", "pct_inscrits"]].values.tolist()
    [['MACRON', 32.25], ['LEPEN', 4.5]]
    """
    del kind
    require_rectangular(table)
    frame = table.frame
    shares = share_columns([str(c) for c in frame.columns])
    n = len(frame)
    stations = pd.DataFrame({
        "dep": "75",
        "commune": "056",
        "bureau": frame["bureau"].astype("string").str.strip(),
        LINE: frame[LINE],
    })
    bad_bureau = ~stations["bureau"].str.fullmatch(r"\d{3,4}").fillna(False)
    if bad_bureau.any():
        row = frame[bad_bureau.to_numpy()].iloc[0]
        raise InputFormatError(
            f"{where(table.path, line=int(row[LINE]), column='bureau')}: {row['bureau']!r}; "
            "expected a Paris bureau number AANN"
        )
    values = []
    for col in shares:
        v = to_number(frame[col])
        bad = (v.isna() | (v < 0) | (v > 100)).to_numpy()
        if bad.any():
            row = frame[bad].iloc[0]
            raise InputFormatError(
                f"{where(table.path, line=int(row[LINE]), column=col)}: {row[col]!r}; "
                "expected a percentage of inscrits in [0, 100]"
            )
        values.append(v.to_numpy())
    matrix = np.column_stack(values)
    votes = pd.DataFrame({"_sid": np.repeat(np.arange(n), len(shares)),
                          PCT_INSCRITS: matrix.ravel()})
    votes[schema.CANDIDATE] = repeat_labels([c[1:] for c in shares], n)
    return stations.reset_index(drop=True), votes
