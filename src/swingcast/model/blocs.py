"""Political blocs: map a nuance, list or candidate of any election to one of seven blocs.

Feature meanings must carry across elections (a 2014 European list, a 2017 presidential
candidate and a 2017 legislative nuance all become "share of the right"), so every vote is
assigned a bloc among :data:`BLOCS`:

``far_left``  Lutte ouvrière, NPA, La France insoumise, PCF (``EXG``, ``FI``, ``COM``, ``LFG``)
``left``      PS and allies, PRG, miscellaneous left (``SOC``, ``RDG``, ``DVG``, ``LUG``)
``green``     EELV and other ecologists (``ECO``, ``VEC``, ``LVEC``)
``centre``    En Marche / Renaissance, MoDem, UDI (``REM``, ``MDM``, ``UDI``, ``LUC``, ``ENS``)
``right``     LR/UMP, miscellaneous right, Debout la France (``LR``, ``DVD``, ``DLF``)
``far_right`` FN/RN, Reconquête, other far right (``FN``, ``RN``, ``REC``, ``EXD``)
``other``     regionalists, miscellaneous and single-issue lists (``DIV``, ``REG``, ...)

Sources: the Ministry of the Interior's nuance grids (circulaires "attribution des nuances"
of 2014, 2017 and 2024: codes ``EXG`` … ``EXD`` and their list variants ``LEXG`` …); the
presidential candidates and 2019 lists are classed by the party that fielded them (official
list of lists of 2019, Journal officiel). Judgement calls, written once here: Debout la France
is classed ``right`` (sovereignist right, its own list in 2014 and 2019); UDI is ``centre``
(its 2014 list with the MoDem, "LUC", is the Ministry's "Union du centre"); Asselineau's UPR
and Lassalle are ``other``.
"""

from __future__ import annotations

import unicodedata

import pandas as pd

from swingcast.errors import SchemaError, where
from swingcast.schema import CANDIDATE, ELECTION, LIST, NUANCE

__all__ = ["BLOCS", "bloc_of", "assign_blocs", "is_rn", "RN_NAMES"]

#: The seven blocs, from left to right.
BLOCS = ("far_left", "left", "green", "centre", "right", "far_right", "other")

# Nuance codes (legislative, departemental) and their list forms ("L" + code).
_NUANCES: dict[str, str] = {
    "EXG": "far_left", "FI": "far_left", "COM": "far_left", "FG": "far_left", "LFG": "far_left",
    "LFI": "far_left", "LCOM": "far_left", "LEXG": "far_left", "NUP": "far_left", "UG": "left",
    "SOC": "left", "RDG": "left", "DVG": "left", "UGE": "left", "LUG": "left", "LSOC": "left",
    "LDVG": "left", "LRDG": "left", "LUGE": "left",
    "ECO": "green", "VEC": "green", "LVEC": "green", "LECO": "green", "LVE": "green",
    "REM": "centre", "MDM": "centre", "UDI": "centre", "ENS": "centre", "LUC": "centre",
    "LENS": "centre", "LMDM": "centre", "LUDI": "centre", "LREM": "centre", "UCD": "centre",
    "LR": "right", "UMP": "right", "DVD": "right", "DLF": "right", "DSV": "right",
    "LLR": "right", "LUMP": "right", "LDVD": "right", "LDLF": "right", "LDSV": "right",
    "BC-LR": "right", "BC-DVD": "right", "BC-UD": "right",
    "FN": "far_right", "RN": "far_right", "REC": "far_right", "EXD": "far_right",
    "LFN": "far_right", "LRN": "far_right", "LREC": "far_right", "LEXD": "far_right",
    "BC-RN": "far_right", "BC-FN": "far_right", "UXD": "far_right",
    "DIV": "other", "REG": "other", "LDIV": "other", "LREG": "other", "DIV-ECO": "green",
}

# Presidential candidates (surname as in the per-bureau files, accents removed, upper case).
_CANDIDATES: dict[str, str] = {
    "ARTHAUD": "far_left", "POUTOU": "far_left", "MELENCHON": "far_left",
    "HAMON": "left", "MACRON": "centre", "FILLON": "right", "DUPONT-AIGNAN": "right",
    "LE PEN": "far_right", "ASSELINEAU": "other", "LASSALLE": "other", "CHEMINADE": "other",
}

# European 2019 lists (short names of the per-bureau file, accents removed, upper case).
_LISTS: dict[str, str] = {
    "LA FRANCE INSOUMISE": "far_left", "LUTTE OUVRIERE": "far_left",
    "POUR L'EUROPE DES GENS": "far_left", "REVOLUTIONNAIRE": "far_left",
    "ENVIE D'EUROPE": "left",
    "EUROPE ECOLOGIE": "green", "URGENCE ECOLOGIE": "green", "DECROISSANCE 2019": "green",
    "RENAISSANCE": "centre", "LES EUROPEENS": "centre",
    "UNION DROITE-CENTRE": "right", "DEBOUT LA FRANCE": "right",
    "PRENEZ LE POUVOIR": "far_right", "ENSEMBLE PATRIOTES": "far_right",
    "LA LIGNE CLAIRE": "far_right", "LISTE DE LA RECONQUETE": "far_right",
}

#: Names under which the Front/Rassemblement national appears (nuance, list or candidate).
RN_NAMES = frozenset({"FN", "RN", "LFN", "LRN", "LE PEN", "PRENEZ LE POUVOIR"})


def _norm(name: object) -> str:
    text = unicodedata.normalize("NFKD", str(name))
    return "".join(c for c in text if not unicodedata.combining(c)).upper().strip()


def bloc_of(name: str) -> str:
    """Return the bloc of a nuance code, list short name or presidential candidate.

    Unknown names (small lists, new codes) are ``"other"``.

    Parameters
    ----------
    name : str
        Nuance (``"REM"``, ``"LFN"``), list short name (``"RENAISSANCE"``) or candidate
        surname (``"MÉLENCHON"``); case and accents do not matter.

    Returns
    -------
    str
        One of :data:`BLOCS`.

    Examples
    --------
    >>> bloc_of("MÉLENCHON"), bloc_of("LUMP"), bloc_of("Prenez le pouvoir"), bloc_of("PACE")
    ('far_left', 'right', 'far_right', 'other')
    """
    key = _norm(name)
    for table in (_NUANCES, _CANDIDATES, _LISTS):
        if key in table:
            return table[key]
    return "other"


def assign_blocs(votes: pd.DataFrame) -> pd.Series:
    """Bloc of every row of a ``votes`` table (schema :data:`~swingcast.schema.VOTE_COLUMNS`).

    The nuance is used when present, else the list short name, else the candidate.

    Parameters
    ----------
    votes : DataFrame
        Needs at least one of the columns ``nuance``, ``list``, ``candidate``.

    Returns
    -------
    Series of str
        Indexed like ``votes``.

    Examples
    --------
    >>> v = pd.DataFrame({"nuance": ["REM", None], "list": [None, None],
    ...                   "candidate": ["X", "LE PEN"]})
    >>> assign_blocs(v).tolist()
    ['centre', 'far_right']
    """
    cols = [c for c in (NUANCE, LIST, CANDIDATE) if c in votes.columns]
    if not cols:
        raise SchemaError(
            f"votes: {where(column=NUANCE)}: expected a nuance, list or candidate column to "
            "assign blocs"
        )
    label = pd.Series(pd.NA, index=votes.index, dtype="object")
    for col in cols:
        values = votes[col].astype("object")
        values = values.where(values.notna() & (values.astype(str).str.strip() != ""))
        label = label.fillna(values)
    if label.isna().any():
        bad = votes.index[label.isna().to_numpy()]
        extra = votes.loc[bad, ELECTION].unique().tolist() if ELECTION in votes else ""
        raise SchemaError(
            f"votes: {where(ids=[str(b) for b in bad])}: no nuance, list or candidate name "
            f"{extra}; expected a name to classify"
        )
    uniq = pd.unique(label)
    mapping = {u: bloc_of(u) for u in uniq}
    return label.map(mapping).astype(str)


def is_rn(votes: pd.DataFrame) -> pd.Series:
    """True for the rows of the Front/Rassemblement national (see :data:`RN_NAMES`).

    Examples
    --------
    >>> is_rn(pd.DataFrame({"nuance": ["LRN", "LREC"]})).tolist()
    [True, False]
    """
    out = pd.Series(False, index=votes.index)
    for col in (NUANCE, LIST, CANDIDATE):
        if col in votes.columns:
            values = votes[col]
            names = [v for v in pd.unique(values) if isinstance(v, str) and _norm(v) in RN_NAMES]
            if names:
                out |= values.isin(names).to_numpy(dtype=bool, na_value=False)
    return out
