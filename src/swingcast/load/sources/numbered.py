"""The 2024 Ministry layout: numbered candidate columns.

One row per bureau; bureau columns ``Code département``, ``Code commune`` (5-character
INSEE code), ``Code BV``, counts, percentages written as strings (``"82,59%"``, never
read); then for each candidate ``N``: ``Numéro de panneau N``, ``Nuance liste N`` or
``Nuance candidat N``, ``Libellé abrégé de liste N``/``Nom candidat N``..., ``Voix N``,
``% Voix/inscrits N``, ``Sièges N``/``Elu N``.
"""

from __future__ import annotations

import re

import pandas as pd

from swingcast import schema
from swingcast.load.sources.blocks import (
    BLOCK_ROLES,
    block_votes,
    fixed_columns,
    role_of,
    station_counts,
)
from swingcast.load.sources.textfile import Table

__all__ = ["is_numbered", "numbered_blocks", "parse_numbered"]

_NUMBERED = re.compile(r"^(.*\S)\s+(\d+)$")


def numbered_blocks(columns: list[str]) -> list[dict[str, str]]:
    """Group ``"<name> N"`` columns by ``N`` into candidate blocks.

    Examples
    --------
    >>> numbered_blocks(["Code BV", "Numéro de panneau 1", "Voix 1", "% Voix/inscrits 1",
    ...                  "Numéro de panneau 2", "Voix 2"])
    [{'panel': 'Numéro de panneau 1', 'voix': 'Voix 1'}, {'panel': 'Numéro de panneau 2', 'voix': 'Voix 2'}]
    """
    blocks: dict[int, dict[str, str]] = {}
    for col in columns:
        m = _NUMBERED.match(col)
        if not m:
            continue
        role = role_of(m.group(1), BLOCK_ROLES)
        if role is not None:
            blocks.setdefault(int(m.group(2)), {}).setdefault(role, col)
    return [blocks[k] for k in sorted(blocks)]


def is_numbered(frame: pd.DataFrame) -> bool:
    """Whether a table is in the 2024 numbered layout.

    Examples
    --------
    >>> is_numbered(pd.DataFrame(columns=["Code département", "Code commune", "Code BV",
    ...     "Inscrits", "Numéro de panneau 1", "Voix 1"]))
    True
    """
    columns = [str(c) for c in frame.columns]
    fixed = fixed_columns(columns)
    blocks = numbered_blocks(columns)
    return {"dep", "commune", "bureau"}.issubset(fixed) and any(
        schema.VOIX in b for b in blocks
    )


def parse_numbered(table: Table, kind: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Raw station and vote tables of a 2024 numbered file.

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
    >>> from pathlib import Path
    >>> f = pd.DataFrame({"Code département": ["92"], "Code commune": ["92002"],
    ...     "Code BV": ["0001"], "Inscrits": ["10"], "Votants": ["8"], "Exprimés": ["7"],
    ...     "Numéro de panneau 1": ["1"], "Nuance candidat 1": ["UG"],
    ...     "Nom candidat 1": ["A"], "Voix 1": ["7"], "% Voix/inscrits 1": ["70,00%"],
    ...     "_line": [2]})
    >>> st, vo = parse_numbered(Table(f, Path("f.xlsx"), None, None), "legislatives")
    >>> vo[["candidate", "nuance", "voix"]].values.tolist()
    [['A', 'UG', 7]]
    """
    del kind
    columns = [str(c) for c in table.frame.columns]
    plain_columns = [c for c in columns if not _NUMBERED.match(c)]
    stations = station_counts(table.frame, fixed_columns(plain_columns), table.path)
    votes = block_votes(table.frame, numbered_blocks(columns), table.path)
    return stations, votes
