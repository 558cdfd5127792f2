"""Column roles shared by the Ministry layouts: bureau columns and candidate blocks.

The Ministry names the same thing many ways (``Code du b.vote``, ``Code B.Vote``,
``Code BV``, ``No bureau vote``; ``N°Panneau``, ``N.Pan.``, ``Numéro de panneau 3``...).
Headers are matched after :func:`~swingcast.load.sources.detect.plain` (lower case, no accents)
against the patterns below; percentages are never read (they are recomputed from counts).
"""

from __future__ import annotations

import re
from os import PathLike

import numpy as np
import pandas as pd

from swingcast import schema
from swingcast.errors import InputFormatError, SchemaError, where
from swingcast.load.sources.detect import plain
from swingcast.load.sources.textfile import LINE, header_line, to_count

__all__ = ["BLANCS_NULS", "FIXED_ROLES", "BLOCK_ROLES", "role_of", "fixed_columns", "block_votes",
           "station_counts", "is_panel"]

#: Raw column of the pre-2014 files giving blank and spoilt ballots as one figure: not in
#: ``stations`` (blancs and nuls stay NA) but checked: votants = blancs_nuls + exprimes.
BLANCS_NULS = "blancs_nuls"
#: Bureau-level columns: role -> pattern of the plain header.
FIXED_ROLES: dict[str, str] = {
    "dep": r"code (du )?departement",
    "commune": r"code (de la )?commune",
    "bureau": r"code (du )?(b\.? ?vote|bv|bureau de vote)|no bureau vote",
    schema.ROUND: r"no tour|tour",
    schema.INSCRITS: r"inscrits",
    schema.ABSTENTIONS: r"abstentions",
    schema.VOTANTS: r"votants",
    schema.BLANCS: r"blancs",
    schema.NULS: r"nuls",
    "blancs_nuls": r"blancs et nuls",  # before 2014: one figure (see BLANCS_NULS)
    schema.EXPRIMES: r"exprimes",
}
#: Candidate-block columns: role -> pattern (``list`` patterns in order of preference).
BLOCK_ROLES: dict[str, str] = {
    schema.PANEL: r"(n°|n\.|no|numero de) ?(panneau|pan\.?|liste)",
    schema.NUANCE: r"(code )?nuance( liste| candidat)?",
    "nom": r"nom( candidat| tete de liste| (et )?prenom( (du )?candidat)?)?|candidat",
    "prenom": r"prenom( candidat)?",
    "binome": r"binome",
    "list_short": r"libelle abrege (de )?liste",
    "list_plain": r"liste",
    "list_long": r"libelle (etendu )?(de )?liste",
    schema.VOIX: r"voix",
}
_MANGLED = re.compile(r"\.\d+$")  # pandas renames duplicated headers "Voix" -> "Voix.1"


def role_of(name: str, roles: dict[str, str]) -> str | None:
    """Return the role of a header, or None.

    Parameters
    ----------
    name : str
        Header as published (accents, case and pandas' ``.1`` suffixes do not matter).
    roles : dict
        :data:`FIXED_ROLES` or :data:`BLOCK_ROLES`.

    Returns
    -------
    str or None

    Examples
    --------
    >>> role_of("Code B.Vote", FIXED_ROLES), role_of("N.Pan..3", BLOCK_ROLES)
    ('bureau', 'panel')
    >>> role_of("Nuance candidat", BLOCK_ROLES), role_of("% Voix/Ins", BLOCK_ROLES)
    ('nuance', None)
    """
    key = plain(_MANGLED.sub("", name))
    for role, pattern in roles.items():
        if re.fullmatch(pattern, key):
            return role
    return None


def is_panel(name: str) -> bool:
    """Whether a header opens a candidate block (``N°Panneau``, ``N.Pan.``, ``No liste``).

    Examples
    --------
    >>> is_panel("N°Panneau"), is_panel("Voix")
    (True, False)
    """
    return role_of(name, BLOCK_ROLES) == schema.PANEL


def fixed_columns(columns: list[str]) -> dict[str, str]:
    """Map bureau-level roles to the header that holds them (first match wins).

    Examples
    --------
    >>> fixed_columns(["Code du département", "Code de la commune", "Code du b.vote",
    ...                "Inscrits", "Exprimés"])["bureau"]
    'Code du b.vote'
    """
    out: dict[str, str] = {}
    for col in columns:
        role = role_of(col, FIXED_ROLES)
        if role is not None and role not in out:
            out[role] = col
    return out


def station_counts(frame: pd.DataFrame, fixed: dict[str, str],
                   path: str | PathLike[str]) -> pd.DataFrame:
    """Raw station table (``dep, commune, bureau``, counts, ``_line``) of a Ministry file.

    Raises
    ------
    SchemaError
        When the bureau columns or ``inscrits``/``votants``/``exprimes`` are missing.

    Examples
    --------
    >>> f = pd.DataFrame({"Code département": ["92"], "Code commune": ["92002"],
    ...     "Code BV": ["0001"], "Inscrits": ["10"], "Votants": ["8"], "Exprimés": ["7"],
    ...     "_line": [2]})
    >>> station_counts(f, fixed_columns(list(f.columns)), "f.xlsx")["inscrits"].tolist()
    [10]
    """
    needed = ("dep", "commune", "bureau", schema.INSCRITS, schema.VOTANTS, schema.EXPRIMES)
    missing = [r for r in needed if r not in fixed]
    if missing:
        raise SchemaError(
            f"{where(path, line=header_line(frame))}: no column for {', '.join(missing)}; expected headers such "
            "as 'Code du département', 'Code de la commune', 'Code du b.vote', 'Inscrits', "
            "'Votants', 'Exprimés'"
        )
    out = pd.DataFrame(index=frame.index)
    for role in ("dep", "commune", "bureau"):
        out[role] = frame[fixed[role]].astype("string").str.strip()
    for role in (*schema.STATION_COUNTS, BLANCS_NULS):
        if role in fixed:
            out[role] = to_count(frame[fixed[role]], frame[LINE], path, fixed[role])
    if schema.ROUND in fixed:
        out[schema.ROUND] = to_count(frame[fixed[schema.ROUND]], frame[LINE], path,
                                     fixed[schema.ROUND])
    out[LINE] = frame[LINE]
    return out


def block_votes(
    frame: pd.DataFrame,
    blocks: list[dict[str, str]],
    path: str | PathLike[str],
) -> pd.DataFrame:
    """Raw votes of a table with one block of columns per candidate.

    Empty blocks (bureaux with fewer candidates than the widest one) are skipped. The
    candidate is the ``Binôme``, else ``"NOM Prénom"``, else the list short name (row by
    row: a list row of a file mixing elections has an empty ``Nom``), else the nuance.

    Parameters
    ----------
    frame : DataFrame
        Cells as strings, with ``_line``.
    blocks : list of dict
        For each block, role -> column name (roles of :data:`BLOCK_ROLES`).
    path : str or PathLike
        For messages.

    Returns
    -------
    DataFrame
        ``_sid`` (row position in ``frame``), candidate, nuance, list, panel, voix; in
        row order then block order.

    Examples
    --------
    >>> f = pd.DataFrame({"Nom": ["A", "B"], "Voix": ["3", "4"], "Nom.1": ["C", ""],
    ...                   "Voix.1": ["5", ""], "_line": [2, 3]})
    >>> v = block_votes(f, [{"nom": "Nom", "voix": "Voix"}, {"nom": "Nom.1", "voix": "Voix.1"}],
    ...                 "f.xlsx")
    >>> v[["_sid", "candidate", "voix"]].values.tolist()
    [[0, 'A', 3], [0, 'C', 5], [1, 'B', 4]]
    """
    parts = []
    n = len(frame)
    for b, roles in enumerate(blocks):
        cells = {r: frame[c].astype("string").str.strip().fillna("") for r, c in roles.items()}
        filled = np.zeros(n, dtype=bool)
        for values in cells.values():
            filled |= (values != "").to_numpy()
        if not filled.any():
            continue
        voix_col = roles.get(schema.VOIX)
        if voix_col is None:
            raise SchemaError(f"{where(path, line=header_line(frame))}: candidate block {b + 1} "
                              "has no 'Voix'")
        lines = frame[LINE][filled]
        part = pd.DataFrame({"_sid": np.flatnonzero(filled), "_block": b})
        label = f"{_MANGLED.sub('', voix_col)} (block {b + 1})" if len(blocks) > 1 else voix_col
        part[schema.VOIX] = to_count(cells[schema.VOIX][filled], lines, path, label).to_numpy()
        if schema.PANEL in cells:
            part[schema.PANEL] = to_count(cells[schema.PANEL][filled], lines, path,
                                          roles[schema.PANEL], required=False).to_numpy()

        def pick(role: str) -> pd.Series | None:
            return cells[role][filled].replace("", pd.NA) if role in cells else None  # noqa: B023

        nom, prenom, binome = pick("nom"), pick("prenom"), pick("binome")
        lst = next((x for x in (pick("list_short"), pick("list_plain"), pick("list_long"))
                    if x is not None), None)
        named = (nom + " " + prenom.fillna("")).str.strip() if nom is not None and \
            prenom is not None else nom
        cand = None
        for option in (binome, named, lst, pick(schema.NUANCE)):  # row by row: a list row
            # has no Nom (harmonised files), a 2014 municipal row only its nuance
            if option is not None:
                cand = option if cand is None else cand.fillna(option)
        if cand is None:
            raise InputFormatError(
                f"{where(path, line=header_line(frame))}: candidate block {b + 1} names no candidate or list; "
                "expected 'Nom', 'Binôme' or 'Liste'"
            )
        part[schema.CANDIDATE] = cand.to_numpy()
        if schema.NUANCE in cells:
            part[schema.NUANCE] = pick(schema.NUANCE).to_numpy()
        if lst is not None:
            part[schema.LIST] = lst.to_numpy()
        parts.append(part)
    if not parts:
        return pd.DataFrame({"_sid": pd.Series(dtype="int64"), schema.VOIX: pd.Series(dtype="Int64")})
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["_sid", "_block"], kind="stable", ignore_index=True).drop(
        columns="_block")
