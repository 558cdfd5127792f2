"""Ministry of the Interior legacy layouts ("Résultats par niveau BurVot", 2002-2022).

``ministry-wide``: one row per bureau; bureau columns, then one block of columns per
candidate (or list or binôme), headers written for the first block only (``.txt`` rows
then have different lengths; ``.xlsx`` sheets have blank headers, or ``.1`` suffixes).
``ministry-long``: the same columns with one row per bureau and candidate (bureau totals
repeated): the 2014 municipal file (``No tour``, ``No bureau vote``, no blancs/nuls) and
re-publications such as the 2022 legislative extract (extra trailing columns).
"""

from __future__ import annotations

import re

import pandas as pd

from swingcast import schema
from swingcast.errors import InputFormatError, SchemaError, where
from swingcast.load.sources.blocks import (
    BLANCS_NULS,
    BLOCK_ROLES,
    block_votes,
    fixed_columns,
    is_panel,
    role_of,
    station_counts,
)
from swingcast.load.sources.longform import split_long
from swingcast.load.sources.textfile import LINE, NFIELDS, Table, header_line

__all__ = ["is_wide", "is_long", "parse_wide", "parse_long", "candidate_blocks"]

_KEYS = ["dep", "commune", "bureau"]
_MANGLED = re.compile(r"\.\d+$")


def _columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c not in (LINE, NFIELDS)]


def _block_start(columns: list[str]) -> int | None:
    fixed = fixed_columns(columns)
    if not {"dep", "commune", "bureau", schema.INSCRITS}.issubset(fixed):
        return None
    for i, col in enumerate(columns):
        if is_panel(col):
            return i
    return None


def _is_blank(name: str) -> bool:
    return name == "" or name.startswith("Unnamed: ")


def candidate_blocks(columns: list[str], start: int) -> tuple[list[dict[str, str]], int]:
    """Split the columns from ``start`` into candidate blocks.

    The first block runs from ``start`` to the first blank header or repetition of the
    first block's opening header; later blocks repeat its width, as long as their headers
    are blank or repeat the first block's (a named column after them, such as a
    re-publisher's ``Code_commune``, is not part of any block).

    Parameters
    ----------
    columns : list of str
        Header (blank later headers as ``Unnamed: k``, repeated ones as ``Name.k``).
    start : int
        Index of the first block's opening column (``N°Panneau``...).

    Returns
    -------
    (list of dict, int)
        Role -> column for each block, and the block width.

    Examples
    --------
    >>> cols = ["N°Panneau", "Nom", "Voix", "Unnamed: 3", "Unnamed: 4", "Unnamed: 5", "Extra"]
    >>> candidate_blocks(cols, 0)
    ([{'panel': 'N°Panneau', 'nom': 'Nom', 'voix': 'Voix'}, {'panel': 'Unnamed: 3', 'nom': 'Unnamed: 4', 'voix': 'Unnamed: 5'}], 3)
    """
    first = columns[start]
    width = 1
    while start + width < len(columns):
        name = columns[start + width]
        if _is_blank(name) or role_of(name, BLOCK_ROLES) == schema.PANEL and name != first \
                and name.rstrip("0123456789").rstrip(".") == first.rstrip("."):
            break
        width += 1
    roles = {}
    for k in range(width):
        role = role_of(columns[start + k], BLOCK_ROLES)
        if role is not None and role not in roles:
            roles[role] = k
    first_names = {c.rstrip(".") for c in columns[start:start + width]}
    end = start + width
    while end < len(columns) and (
        _is_blank(columns[end]) or _MANGLED.sub("", columns[end]).rstrip(".") in first_names
    ):
        end += 1  # later blocks; a named column after them is a re-publisher's extra
    rest = end - start
    n_blocks, leftover = divmod(rest, width)
    if leftover:
        n_blocks += 1  # a last partial block: refused by block_votes if it holds data (no Voix)
    blocks = []
    for b in range(n_blocks):
        block = {}
        for role, k in roles.items():
            j = start + b * width + k
            if j < end:
                block[role] = columns[j]
        blocks.append(block)
    return blocks, width


def is_wide(frame: pd.DataFrame) -> bool:
    """Whether a table has the Ministry bureau columns followed by candidate blocks, one
    row per bureau (a repeated bureau is reported later as ``duplicate_bureau``).

    Examples
    --------
    >>> f = pd.DataFrame({"Code du département": ["92"], "Code de la commune": ["002"],
    ...     "Code du b.vote": ["1"], "Inscrits": ["5"], "N°Panneau": ["1"], "Voix": ["2"]})
    >>> is_wide(f), is_long(f)
    (True, False)
    """
    return _block_start(_columns(frame)) is not None and not is_long(frame)


def is_long(frame: pd.DataFrame) -> bool:
    """Whether a table has Ministry columns, a single candidate block and repeated bureaux.

    Examples
    --------
    >>> f = pd.DataFrame({"Code département": ["92", "92"], "Code commune": ["2", "2"],
    ...     "No bureau vote": ["1", "1"], "Inscrits": ["5", "5"], "No liste": ["1", "2"],
    ...     "Voix": ["2", "3"]})
    >>> is_long(f)
    True
    """
    columns = _columns(frame)
    start = _block_start(columns)
    if start is None or NFIELDS in frame:
        return False
    blocks, _ = candidate_blocks(columns, start)
    if len(blocks) != 1:  # several blocks: wide, whatever repeats (duplicates are reported)
        return False
    fixed = fixed_columns(columns)
    keys = [fixed[k] for k in _KEYS]
    if schema.ROUND in fixed:
        keys.append(fixed[schema.ROUND])
    return bool(frame.duplicated(keys).any())


def _check_ragged(table: Table, start: int, width: int) -> None:
    frame = table.frame
    if NFIELDS not in frame:
        return
    partial = ((frame[NFIELDS] - start) % width != 0) | (frame[NFIELDS] < start)
    if partial.any():
        row = frame[partial.to_numpy()].iloc[0]
        raise InputFormatError(
            f"{where(table.path, line=int(row[LINE]))}: {int(row[NFIELDS])} fields, not "
            f"{start} bureau fields plus whole candidate blocks of {width}; the line is "
            "truncated or malformed"
        )


def _parse(table: Table) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    frame = table.frame
    columns = _columns(frame)
    start = _block_start(columns)
    if start is None:
        raise SchemaError(
            f"{where(table.path, line=header_line(frame))}: no bureau columns followed by a candidate block "
            "('N°Panneau', 'N.Pan.', 'No liste'); see docs/formats.md"
        )
    blocks, width = candidate_blocks(columns, start)
    _check_ragged(table, start, width)
    fixed = fixed_columns(columns[:start])
    stations = station_counts(frame, fixed, table.path)
    votes = block_votes(frame, blocks, table.path)
    keys = list(_KEYS) + ([schema.ROUND] if schema.ROUND in stations else [])
    return stations, votes, keys


def parse_wide(table: Table, kind: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Raw station and vote tables of a legacy wide Ministry file.

    Parameters
    ----------
    table : Table
    kind : str
        Election kind (unused: the blocks say whether they hold candidates or lists).

    Returns
    -------
    (DataFrame, DataFrame)

    Examples
    --------
    >>> f = pd.DataFrame({"Code du département": ["92"], "Code de la commune": ["002"],
    ...     "Code du b.vote": ["0001"], "Inscrits": ["10"], "Votants": ["8"],
    ...     "Exprimés": ["7"], "N°Panneau": ["1"], "Nom": ["A"], "Voix": ["4"],
    ...     "Unnamed: 9": ["2"], "Unnamed: 10": ["B"], "Unnamed: 11": ["3"], "_line": [2]})
    >>> from pathlib import Path
    >>> st, vo = parse_wide(Table(f, Path("f.xlsx"), None, None), "legislatives")
    >>> vo[["candidate", "panel", "voix"]].values.tolist()
    [['A', 1, 4], ['B', 2, 3]]
    """
    del kind
    stations, votes, _ = _parse(table)
    return stations, votes


def parse_long(table: Table, kind: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Raw station and vote tables of a long Ministry-style file (one row per candidate).

    Parameters
    ----------
    table : Table
    kind : str
        Election kind (unused).

    Returns
    -------
    (DataFrame, DataFrame)

    Examples
    --------
    >>> f = pd.DataFrame({"Code département": ["92", "92"], "Code commune": ["2", "2"],
    ...     "No bureau vote": ["1", "1"], "Inscrits": ["10", "10"], "Votants": ["8", "8"],
    ...     "Exprimés": ["7", "7"], "No liste": ["1", "2"], "Nom": ["A", "B"],
    ...     "Voix": ["4", "3"], "_line": [2, 3]})
    >>> from pathlib import Path
    >>> st, vo = parse_long(Table(f, Path("f.xlsx"), None, None), "municipales")
    >>> len(st), vo["_sid"].tolist()
    (1, [0, 0])
    """
    del kind
    rows, votes, keys = _parse(table)
    counts = [c for c in rows.columns if c in (*schema.STATION_COUNTS, BLANCS_NULS)]
    stations, sid = split_long(rows, keys, counts, table.path)
    votes["_sid"] = sid.to_numpy()[votes["_sid"].to_numpy()]
    return stations, votes
