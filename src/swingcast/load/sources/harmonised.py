"""data.gouv.fr "Données des élections agrégées" (harmonised long files, 1999 onward).

Two ``;``-separated files: ``general_results`` (one row per election and bureau:
``id_election;id_brut_miom;Code du département;Code de la commune;Code du b.vote;Inscrits;
Abstentions;Votants;Blancs;Nuls;Exprimés;...``) and ``candidats_results`` (one row per
election, bureau and candidate: the same keys, then ``N°Panneau``, ``Nom``, ``Prénom``,
``Nuance``, ``Liste``/``Binôme``, ``Voix``...). ``id_election`` is ``<year>_<kind>_t<round>``
(``2017_pres_t1``; kinds ``pres, legi, euro, muni, dpmt, cant, regi, refe``). One file may
hold several elections: each row gets its own election and round.
"""

from __future__ import annotations

import re

import pandas as pd

from swingcast import schema
from swingcast.errors import SchemaError, where
from swingcast.load.sources.blocks import (
    BLOCK_ROLES,
    block_votes,
    fixed_columns,
    role_of,
    station_counts,
)
from swingcast.load.sources.textfile import LINE, Table, header_line

__all__ = ["ID_ELECTION", "is_general", "is_candidates", "parse_id_election", "parse_harmonised"]

ID_ELECTION = "id_election"
_KIND = {"pres": "presidentielle", "legi": "legislatives", "euro": "europeennes",
         "muni": "municipales", "dpmt": "departementales", "cant": "departementales",
         "regi": "regionales", "refe": "referendum"}
_ID = re.compile(r"(\d{4})_([a-z]{4})[a-z]*_t([12])")
_KEYS = ["dep", "commune", "bureau"]


def parse_id_election(values: pd.Series, lines: pd.Series, path: object) -> pd.DataFrame:
    """Split ``id_election`` (``2017_pres_t1``) into ``election`` and ``round``.

    Raises
    ------
    SchemaError
        Naming the first line whose id is not ``<year>_<kind>_t<round>``.

    Examples
    --------
    >>> parse_id_election(pd.Series(["2017_pres_t2", "2021_dpmt_t1"]), pd.Series([2, 3]),
    ...                   "g.csv").values.tolist()
    [['2017-presidentielle', 2], ['2021-departementales', 1]]
    """
    uniq = values.astype("string").str.strip().str.lower().unique()
    mapping: dict[str, tuple[str, int]] = {}
    for value in uniq:
        m = _ID.fullmatch(str(value))
        if not m or m.group(2) not in _KIND:
            i = int((values.astype("string").str.strip().str.lower() == value).to_numpy().argmax())
            raise SchemaError(
                f"{where(path, line=int(lines.iloc[i]), column=ID_ELECTION)}: {value!r}; expected "
                f"'<year>_<kind>_t<round>' with kind in {', '.join(_KIND)}"
            )
        mapping[str(value)] = (f"{m.group(1)}-{_KIND[m.group(2)]}", int(m.group(3)))
    key = values.astype("string").str.strip().str.lower()
    return pd.DataFrame({
        schema.ELECTION: key.map(lambda v: mapping[v][0]).astype("string"),
        schema.ROUND: key.map(lambda v: mapping[v][1]).astype("Int64"),
    }, index=values.index)


def is_general(frame: pd.DataFrame) -> bool:
    """Whether a table is a harmonised ``general_results`` file.

    Examples
    --------
    >>> is_general(pd.DataFrame(columns=["id_election", "Code du département",
    ...     "Code de la commune", "Code du b.vote", "Inscrits", "Votants", "Exprimés"]))
    True
    """
    columns = [str(c) for c in frame.columns]
    return ID_ELECTION in columns and schema.INSCRITS in fixed_columns(columns) and not \
        is_candidates(frame)


def is_candidates(frame: pd.DataFrame) -> bool:
    """Whether a table is a harmonised ``candidats_results`` file.

    Examples
    --------
    >>> is_candidates(pd.DataFrame(columns=["id_election", "Code du département",
    ...     "Code de la commune", "Code du b.vote", "Nom", "Voix"]))
    True
    """
    columns = [str(c) for c in frame.columns]
    return ID_ELECTION in columns and any(role_of(c, BLOCK_ROLES) == schema.VOIX
                                          for c in columns)


def parse_harmonised(general: Table, candidates: Table | None
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Raw station and vote tables of a ``general_results`` file and its candidates file.

    Parameters
    ----------
    general : Table
        The ``general_results`` file.
    candidates : Table, optional
        The ``candidats_results`` file; without it ``votes`` is empty.

    Returns
    -------
    (DataFrame, DataFrame)
        ``stations`` carries ``election`` and ``round`` per row.

    Raises
    ------
    SchemaError
        A candidate row whose election and bureau are not in the general file.

    Examples
    --------
    >>> from pathlib import Path
    >>> g = pd.DataFrame({"id_election": ["2017_pres_t2"], "Code du département": ["01"],
    ...     "Code de la commune": ["001"], "Code du b.vote": ["0001"], "Inscrits": ["10"],
    ...     "Votants": ["8"], "Exprimés": ["7"], "_line": [2]})
    >>> c = pd.DataFrame({"id_election": ["2017_pres_t2"] * 2, "Code du département": ["01"] * 2,
    ...     "Code de la commune": ["001"] * 2, "Code du b.vote": ["0001"] * 2,
    ...     "Nom": ["A", "B"], "Voix": ["4", "3"], "_line": [2, 3]})
    >>> st, vo = parse_harmonised(Table(g, Path("g.csv"), "utf-8", ";"),
    ...                           Table(c, Path("c.csv"), "utf-8", ";"))
    >>> st[["election", "round"]].values.tolist(), vo["_sid"].tolist()
    ([['2017-presidentielle', 2]], [0, 0])
    """
    gframe = general.frame
    stations = station_counts(gframe, fixed_columns(list(gframe.columns)), general.path)
    ids = parse_id_election(gframe[ID_ELECTION], gframe[LINE], general.path)
    stations[schema.ELECTION] = ids[schema.ELECTION]
    stations[schema.ROUND] = ids[schema.ROUND]
    if candidates is None:
        return stations, pd.DataFrame({"_sid": pd.Series(dtype="int64")})
    cframe = candidates.frame
    cfixed = fixed_columns([str(c) for c in cframe.columns])
    missing = [k for k in _KEYS if k not in cfixed] + (
        [] if ID_ELECTION in cframe else [ID_ELECTION])
    if missing:
        raise SchemaError(f"{where(candidates.path, line=header_line(cframe))}: no column for "
                          f"{', '.join(missing)}; expected the keys of the general file")
    block: dict[str, str] = {}
    for col in cframe.columns:
        role = role_of(str(col), BLOCK_ROLES)
        if role is not None and role not in block:
            block[role] = str(col)
    votes = block_votes(cframe, [block], candidates.path)
    cids = parse_id_election(cframe[ID_ELECTION], cframe[LINE], candidates.path)

    def key(frame: pd.DataFrame, fixed: dict[str, str], eid: pd.DataFrame) -> pd.Series:
        parts = [eid[schema.ELECTION], eid[schema.ROUND].astype("string")]
        parts += [frame[fixed[k]].astype("string").str.strip().str.upper() for k in _KEYS]
        out = parts[0]
        for p in parts[1:]:
            out = out + "|" + p
        return out

    gkey = key(gframe, fixed_columns(list(gframe.columns)), ids)
    ckey = key(cframe, cfixed, cids)
    position = pd.Series(range(len(gkey)), index=pd.Index(gkey)).groupby(level=0).first()
    sid = ckey.map(position)
    if sid.isna().any():
        i = int(sid.isna().to_numpy().argmax())
        raise SchemaError(
            f"{where(candidates.path, line=int(cframe[LINE].iloc[i]))}: bureau "
            f"{ckey.iloc[i]!r} is not in {general.path}; expected every candidate row to match "
            "a row of the general file"
        )
    votes["_sid"] = sid.to_numpy()[votes["_sid"].to_numpy()].astype("int64")
    return stations, votes
