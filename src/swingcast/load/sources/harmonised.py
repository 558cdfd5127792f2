"""data.gouv.fr "Données des élections agrégées" (harmonised long files, 1999 onward).

Two ``;``-separated files (also published as Parquet): ``general_results`` (one row per
election and bureau) and ``candidats_results`` (one row per election, bureau and
candidate). Two generations of headers are read:

* the current one (data.gouv.fr pipeline ``data_processing/elections/aggregation``), snake
  case: general ``id_election, id_brut_miom, code_departement, libelle_departement,
  code_canton, libelle_canton, code_commune, libelle_commune, code_circonscription,
  libelle_circonscription, code_bv, inscrits, abstentions, votants, blancs, nuls, exprimes,
  ratio_*`` (25 columns); candidates ``id_election, id_brut_miom, code_departement,
  code_commune, code_bv, no_panneau, voix, ratio_voix_inscrits, ratio_voix_exprimes, nuance,
  sexe, nom, prenom, liste, libelle_abrege_liste, libelle_etendu_liste, nom_tete_liste,
  binome``. ``code_commune`` is the 5-character INSEE code; a column an election does not
  have is left empty (``blancs`` of the 2014 municipal rounds, ``nom`` of list elections);
* the first one, with the Ministry's headers: ``id_election;id_brut_miom;Code du
  département;Code de la commune;Code du b.vote;Inscrits;...`` then ``N°Panneau;Sexe;Nom;
  Prénom;Nuance;Liste;Voix``.

``id_election`` is ``<year>_<kind>_t<round>`` (``2017_pres_t1``; kinds ``pres, legi, euro,
muni, dpmt, cant, regi, refe``). One file holds many elections: each row gets its own
election and round (see :mod:`swingcast.load.sources.harmonised_read` to read one election
out of the national files without loading the others).
"""

from __future__ import annotations

import re

import pandas as pd

from swingcast import schema
from swingcast.errors import SchemaError, where
from swingcast.load.sources.blocks import (
    BLANCS_NULS,
    BLOCK_ROLES,
    FIXED_ROLES,
    block_votes,
    role_of,
)
from swingcast.load.sources.textfile import LINE, Table, header_line, to_count

__all__ = ["ID_ELECTION", "harmonised_roles", "is_general", "is_candidates", "parse_id_election", "parse_harmonised"]

ID_ELECTION = "id_election"
_KIND = {"pres": "presidentielle", "legi": "legislatives", "euro": "europeennes",
         "muni": "municipales", "dpmt": "departementales", "cant": "departementales",
         "regi": "regionales", "refe": "referendum"}
_ID = re.compile(r"(\d{4})_([a-z]{4})[a-z]*_t([12])")
_KEYS = ["dep", "commune", "bureau"]
#: Counts every row must have; the others may be empty (NA) for some elections.
_REQUIRED = (schema.INSCRITS, schema.VOTANTS, schema.EXPRIMES)


def _spaced(name: str) -> str:
    """Snake-case header of the current files as words (``code_bv`` -> ``code bv``)."""
    return name.replace("_", " ") if "_" in name and name == name.lower() else name


def harmonised_roles(columns: list[str], roles: dict[str, str]) -> dict[str, str]:
    """Role -> column of a harmonised header, either generation (first match wins).

    Examples
    --------
    >>> from swingcast.load.sources.blocks import FIXED_ROLES
    >>> harmonised_roles(["id_election", "code_departement", "code_commune", "code_bv",
    ...                   "inscrits"], FIXED_ROLES)
    {'dep': 'code_departement', 'commune': 'code_commune', 'bureau': 'code_bv', 'inscrits': 'inscrits'}
    """
    out: dict[str, str] = {}
    for col in columns:
        role = role_of(_spaced(str(col)), roles)
        if role is not None and role not in out:
            out[role] = str(col)
    return out


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
    return ID_ELECTION in columns and schema.INSCRITS in harmonised_roles(
        columns, FIXED_ROLES) and not is_candidates(frame)


def is_candidates(frame: pd.DataFrame) -> bool:
    """Whether a table is a harmonised ``candidats_results`` file.

    Examples
    --------
    >>> is_candidates(pd.DataFrame(columns=["id_election", "Code du département",
    ...     "Code de la commune", "Code du b.vote", "Nom", "Voix"]))
    True
    """
    columns = [str(c) for c in frame.columns]
    return ID_ELECTION in columns and schema.VOIX in harmonised_roles(columns, BLOCK_ROLES)


def _stations(frame: pd.DataFrame, fixed: dict[str, str], path: object) -> pd.DataFrame:
    """Station rows; counts other than inscrits/votants/exprimés may be empty (NA)."""
    missing = [r for r in ("dep", "commune", "bureau", *_REQUIRED) if r not in fixed]
    if missing:
        raise SchemaError(
            f"{where(path, line=header_line(frame))}: no column for {', '.join(missing)}; "
            "expected 'code_departement', 'code_commune', 'code_bv', 'inscrits', 'votants', "
            "'exprimes' (or the Ministry's 'Code du département', ... 'Exprimés')")
    out = pd.DataFrame(index=frame.index)
    for role in _KEYS:
        out[role] = frame[fixed[role]].astype("string").str.strip()
    for role in (*schema.STATION_COUNTS, BLANCS_NULS):
        if role in fixed:
            out[role] = to_count(frame[fixed[role]], frame[LINE], path, fixed[role],
                                 required=role in _REQUIRED)
    out[LINE] = frame[LINE]
    return out


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
    gfixed = harmonised_roles(list(gframe.columns), FIXED_ROLES)
    stations = _stations(gframe, gfixed, general.path)
    ids = parse_id_election(gframe[ID_ELECTION], gframe[LINE], general.path)
    stations[schema.ELECTION] = ids[schema.ELECTION]
    stations[schema.ROUND] = ids[schema.ROUND]
    if candidates is None:
        return stations, pd.DataFrame({"_sid": pd.Series(dtype="int64")})
    cframe = candidates.frame
    cfixed = harmonised_roles([str(c) for c in cframe.columns], FIXED_ROLES)
    missing = [k for k in _KEYS if k not in cfixed] + (
        [] if ID_ELECTION in cframe else [ID_ELECTION])
    if missing:
        raise SchemaError(f"{where(candidates.path, line=header_line(cframe))}: no column for "
                          f"{', '.join(missing)}; expected the keys of the general file")
    block = harmonised_roles([str(c) for c in cframe.columns], BLOCK_ROLES)
    votes = block_votes(cframe, [block], candidates.path)
    cids = parse_id_election(cframe[ID_ELECTION], cframe[LINE], candidates.path)

    def key(frame: pd.DataFrame, fixed: dict[str, str], eid: pd.DataFrame) -> pd.Series:
        parts = [eid[schema.ELECTION], eid[schema.ROUND].astype("string")]
        parts += [frame[fixed[k]].astype("string").str.strip().str.upper() for k in _KEYS]
        out = parts[0]
        for p in parts[1:]:
            out = out + "|" + p
        return out

    gkey = key(gframe, gfixed, ids)
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
