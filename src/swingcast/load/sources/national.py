"""Simplified national per-bureau tables (``*_par_bureau_large.csv[.gz]`` / ``_long``).

``large``: one row per bureau, bureau columns then one column per candidate
(presidential), per nuance (legislative) or per list short name (European).
``long``: one row per bureau and candidate with ``numero_panneau, sexe, nom, prenom,
[nuance,] voix``; bureau totals repeated on each row. Comma-separated UTF-8, counts only.
No ``abstentions`` (derived); ``blancs`` is blank ballots only (nuls derived); the 2014
European file has no ``blancs`` (blancs and nuls stay NA).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from swingcast import schema
from swingcast.errors import SchemaError, where
from swingcast.load.sources.longform import split_long
from swingcast.load.sources.textfile import (
    LINE,
    NFIELDS,
    Table,
    header_line,
    require_rectangular,
    to_count,
)

__all__ = ["LARGE_KEYS", "LONG_COLUMNS", "is_large", "is_long", "parse_large", "parse_long"]

#: Bureau columns of the large tables (``circonscription``, ``blancs`` optional).
LARGE_KEYS = ("departement", "commune", "bureau", "commune_libelle", "inscrits", "votants",
              "exprimes")
_LARGE_OPTIONAL = ("circonscription", "blancs")
#: Columns of the long tables (``nuance`` optional).
LONG_COLUMNS = ("departement", "commune", "bureau", "inscrits", "votants", "exprimes",
                "numero_panneau", "nom", "prenom", "voix")


def is_large(columns: list[str]) -> bool:
    """Whether a header is the one of a national large table.

    Examples
    --------
    >>> is_large(["departement", "commune", "bureau", "commune_libelle", "inscrits",
    ...           "votants", "exprimes", "LFN"])
    True
    """
    return set(LARGE_KEYS) <= set(columns) and "voix" not in columns


def is_long(columns: list[str]) -> bool:
    """Whether a header is the one of a national long table.

    Examples
    --------
    >>> is_long(["departement", "commune", "bureau", "inscrits", "votants", "exprimes",
    ...          "numero_panneau", "nom", "prenom", "voix"])
    True
    """
    return set(LONG_COLUMNS) <= set(columns)


def _require(table: Table, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in table.frame.columns]
    if missing:
        raise SchemaError(
            f"{where(table.path, line=header_line(table.frame))}: missing column(s) {', '.join(missing)}; expected "
            f"{', '.join(columns)}"
        )


def _raw_stations(table: Table) -> tuple[pd.DataFrame, list[str]]:
    """Bureau keys, checked counts and ``_line`` of each row; and the count columns found."""
    frame = table.frame
    count_cols = [c for c in ("inscrits", "votants", "blancs", "exprimes") if c in frame]
    out = pd.DataFrame(index=frame.index)
    for col in count_cols:
        out[col] = to_count(frame[col], frame[LINE], table.path, col)
    out["dep"] = frame["departement"]
    out["commune"] = frame["commune"]
    out["bureau"] = frame["bureau"]
    out[LINE] = frame[LINE]
    return out, count_cols


def parse_large(table: Table, kind: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Raw station and vote tables of a large national table.

    Parameters
    ----------
    table : Table
        As read by :func:`~swingcast.load.sources.textfile.read_table`.
    kind : str
        Election kind (``"presidentielle"``...): says whether a value column is a
        candidate, a nuance or a list.

    Returns
    -------
    (DataFrame, DataFrame)
        Raw ``stations`` and ``votes`` for :func:`~swingcast.load.sources.build.assemble`.

    Examples
    --------
    >>> import tempfile, os
    >>> from swingcast.load.sources.textfile import read_table
    >>> p = os.path.join(tempfile.mkdtemp(), "t.csv")
    >>> _ = open(p, "w").write("departement,commune,bureau,commune_libelle,inscrits,votants,"
    ...     "exprimes,LFN,LUMP\\n01,001,0001,X,10,8,7,4,3\\n")
    >>> st, vo = parse_large(read_table(p), "europeennes")
    >>> vo[["list", "voix"]].values.tolist()
    [['LFN', 4], ['LUMP', 3]]
    """
    _require(table, LARGE_KEYS)
    require_rectangular(table)
    frame = table.frame
    fixed = {*LARGE_KEYS, *_LARGE_OPTIONAL, LINE, NFIELDS}
    value_cols = [c for c in frame.columns if c not in fixed]
    if not value_cols:
        raise SchemaError(f"{where(table.path, line=header_line(frame))}: no candidate columns "
                          "after the totals")
    stations, _ = _raw_stations(table)
    n, k = len(frame), len(value_cols)
    matrix = np.column_stack(
        [to_count(frame[c], frame[LINE], table.path, c).to_numpy("int64") for c in value_cols]
    )
    names = repeat_labels(value_cols, n)
    votes = pd.DataFrame({"_sid": np.repeat(np.arange(n), k),
                          schema.VOIX: pd.array(matrix.ravel(), dtype="Int64")})
    votes[schema.CANDIDATE] = names
    if kind == "legislatives":
        votes[schema.NUANCE] = names
    elif kind in ("europeennes", "municipales"):
        votes[schema.LIST] = names
    return stations.reset_index(drop=True), votes


def repeat_labels(labels: list[str], n: int) -> pd.Series:
    """``labels`` repeated ``n`` times (``[a, b, a, b, ...]``) as a string Series, fast.

    Examples
    --------
    >>> repeat_labels(["A", "B"], 2).tolist()
    ['A', 'B', 'A', 'B']
    """
    codes = pa.array(np.tile(np.arange(len(labels), dtype="int32"), n))
    dictionary = pa.DictionaryArray.from_arrays(codes, pa.array(list(labels), pa.string()))
    return pd.Series(pd.array(dictionary.cast(pa.large_string()), dtype="string"))


def parse_long(table: Table, kind: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Raw station and vote tables of a long national table.

    ``candidate`` is ``nom`` for presidential files (the large tables name their columns
    by surname, so both layouts give the same ``votes``), ``"NOM Prénom"`` otherwise.

    Parameters
    ----------
    table : Table
    kind : str
        Election kind.

    Returns
    -------
    (DataFrame, DataFrame)

    Examples
    --------
    >>> import tempfile, os
    >>> from swingcast.load.sources.textfile import read_table
    >>> p = os.path.join(tempfile.mkdtemp(), "t.csv")
    >>> _ = open(p, "w").write("departement,commune,bureau,inscrits,votants,blancs,exprimes,"
    ...     "numero_panneau,sexe,nom,prenom,voix\\n01,001,0001,10,8,1,7,1,M,A,a,4\\n"
    ...     "01,001,0001,10,8,1,7,2,F,B,b,3\\n")
    >>> st, vo = parse_long(read_table(p), "presidentielle")
    >>> len(st), vo[["candidate", "panel", "voix"]].values.tolist()
    (1, [['A', 1, 4], ['B', 2, 3]])
    """
    _require(table, LONG_COLUMNS)
    require_rectangular(table)
    frame = table.frame
    parsed, count_cols = _raw_stations(table)
    stations, sid = split_long(parsed, ["dep", "commune", "bureau"], count_cols, table.path)
    votes = pd.DataFrame({"_sid": sid.to_numpy()})
    nom = frame["nom"].astype("string").str.strip()
    if kind == "presidentielle":
        votes[schema.CANDIDATE] = nom.to_numpy()
    else:
        votes[schema.CANDIDATE] = (nom + " " + frame["prenom"].astype("string").str.strip()).to_numpy()
    if "nuance" in frame:
        votes[schema.NUANCE] = frame["nuance"].astype("string").str.strip().to_numpy()
    votes[schema.PANEL] = to_count(frame["numero_panneau"], frame[LINE], table.path,
                                   "numero_panneau").to_numpy()
    votes[schema.VOIX] = to_count(frame["voix"], frame[LINE], table.path, "voix").to_numpy()
    return stations, votes
