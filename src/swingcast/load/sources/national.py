"""Simplified national per-bureau tables (``*_par_bureau_large.csv[.gz]`` / ``_long``).

``large``: one row per bureau, bureau columns then one column per candidate
(presidential), per nuance (legislative) or per list short name (European).
``long``: one row per bureau and candidate with ``numero_panneau, sexe, nom, prenom,
[nuance,] voix``; bureau totals repeated on each row. Comma-separated UTF-8, counts only.
No ``abstentions`` (derived); ``blancs`` is blank ballots only (nuls derived); the 2014
European file has no ``blancs`` (blancs and nuls stay NA).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from swingcast import schema
from swingcast._log import logger
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

__all__ = ["LARGE_KEYS", "LONG_COLUMNS", "NOT_CANDIDATE_WORDS", "candidate_columns",
           "not_candidates", "is_large", "is_long", "parse_large", "parse_long"]

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
    value_cols = candidate_columns(frame, value_cols, table.path)
    matrix = np.column_stack(
        [to_count(frame[c], frame[LINE], table.path, c).to_numpy("int64") for c in value_cols]
    )
    dropped = not_candidates(matrix, value_cols, stations, frame, table.path)
    if dropped:
        matrix = matrix[:, [j for j, c in enumerate(value_cols) if c not in dropped]]
        value_cols = [c for c in value_cols if c not in dropped]
    n, k = len(frame), len(value_cols)
    names = repeat_labels(value_cols, n)
    votes = pd.DataFrame({"_sid": np.repeat(np.arange(n), k),
                          schema.VOIX: pd.array(matrix.ravel(), dtype="Int64")})
    votes[schema.CANDIDATE] = names
    if kind == "legislatives":
        votes[schema.NUANCE] = names
    elif kind in ("europeennes", "municipales"):
        votes[schema.LIST] = names
    return stations.reset_index(drop=True), votes


#: Words of a column name that is a bureau attribute, a rate or a total, never a candidate
#: (accents and case ignored; a ``%`` anywhere in the name also says so).
NOT_CANDIDATE_WORDS = (
    "taux", "participation", "abstention", "abstentions", "nuls", "blancs", "blancs_nuls",
    "pourcentage", "pct", "ratio", "procuration", "procurations", "emargements", "population",
    "code", "libelle", "date", "numero", "canton", "circo", "inscrits", "votants", "exprimes",
    "sieges", "total", "id",
)
_NOT_CANDIDATE = re.compile(r"(^|[\s_/.()-])(" + "|".join(NOT_CANDIDATE_WORDS)
                            + r")($|[\s_/.()-])")


def _plain(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name)
    return "".join(c for c in folded if not unicodedata.combining(c)).lower().strip()


def candidate_columns(frame: pd.DataFrame, value_cols: list[str], path: Path) -> list[str]:
    """The value columns of a large table that may be candidates; refuse or drop the others.

    * a name repeated in the header (read as ``MACRON`` and ``MACRON.1``) is refused: which
      copy is right cannot be told, and keeping both counts the candidate twice;
    * a column without a name is refused;
    * a name that says a rate, a percentage or a bureau attribute (``participation``,
      ``taux``, ``% votants``, ``nuls``, ``code``...: :data:`NOT_CANDIDATE_WORDS`) is dropped
      with a warning naming it;
    The last two are checked on the counts by :func:`not_candidates`:

    * a column that equals, on every bureau, the excess of the sum of the value columns over
      ``exprimes`` is not part of the expressed votes: dropped with a warning naming it;
    * a column whose value exceeds ``exprimes`` in a bureau cannot be a candidate: refused,
      with the line.

    Examples
    --------
    >>> f = pd.DataFrame({"A": ["4"], "participation": ["80"], "_line": [2]})
    >>> candidate_columns(f, ["A", "participation"], Path("t.csv"))
    ['A']
    """
    names = set(frame.columns)
    for c in value_cols:
        base, dot, suffix = c.rpartition(".")
        if dot and suffix.isdigit() and base in names:
            positions = [i + 1 for i, name in enumerate(frame.columns) if name in (base, c)]
            raise SchemaError(
                f"{where(path, line=header_line(frame), column=base)}: the column appears "
                f"twice in the header (columns {positions[0]} and {positions[-1]}); expected "
                "one column per candidate"
            )
        if c.startswith("Unnamed: "):
            raise SchemaError(
                f"{where(path, line=header_line(frame))}: column {int(c.split()[1]) + 1} has "
                "no name; expected a candidate name in every column after the totals"
            )
    named = [c for c in value_cols if "%" in c or _NOT_CANDIDATE.search(_plain(c))]
    if named:
        logger.warning("%s: column(s) %s dropped: not candidates (a rate, a percentage or a "
                       "bureau attribute, by their name)", path, ", ".join(map(repr, named)))
    return [c for c in value_cols if c not in named]


def not_candidates(matrix: np.ndarray, columns: list[str], stations: pd.DataFrame,
                   frame: pd.DataFrame, path: Path) -> list[str]:
    """Value columns whose counts show they are not candidates (see
    :func:`candidate_columns`): returns those to drop (warned); refuses a column whose value
    exceeds ``exprimes``.

    Examples
    --------
    >>> m = np.array([[4, 3, 7], [5, 1, 6]])
    >>> st = pd.DataFrame({"exprimes": pd.array([7, 6], dtype="Int64")})
    >>> not_candidates(m, ["A", "B", "X"], st, pd.DataFrame({"_line": [2, 3]}), Path("t.csv"))
    ['X']
    """
    if len(columns) < 2 or schema.EXPRIMES not in stations:
        return []
    exprimes = stations[schema.EXPRIMES].to_numpy("float64", na_value=np.nan)
    known = ~np.isnan(exprimes)
    if not known.any():
        return []
    excess = matrix[known].sum(axis=1) - exprimes[known]
    if (excess > 0).all():
        for j, c in enumerate(columns):
            if (matrix[known, j] == excess).all():
                logger.warning("%s: column %r dropped: not a candidate (on every line the sum "
                               "of the value columns exceeds exprimes by exactly its value)",
                               path, c)
                return [c]
    over = known[:, None] & (matrix > np.nan_to_num(exprimes)[:, None])
    if over.any():
        i, j = (int(v[0]) for v in np.nonzero(over))
        raise SchemaError(
            f"{where(path, line=int(frame[LINE].iloc[i]), column=columns[j])}: "
            f"{int(matrix[i, j])} is more than exprimes {int(exprimes[i])}: not a "
            "candidate's votes; expected candidate columns only after the totals"
        )
    return []


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
    votes[LINE] = frame[LINE].to_numpy()  # a candidate repeated in a bureau is named by line
    return stations, votes
