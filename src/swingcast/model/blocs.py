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
and Lassalle are ``other``. Presidential candidates 2002-2022 are those of the Conseil
constitutionnel's official lists, classed by the party that fielded them.

Candidates may be written as the surname alone (``"LE PEN"``, the national tables), as
``"NOM Prénom"`` (the Ministry's ``Nom`` + ``Prénom`` columns) or ``"Prénom NOM"``: a known
surname followed or preceded by a space matches. A nuance written in its list (``L`` +
code) or binôme (``BC-`` + code) form has the bloc of the code. A name that no table knows is still
counted in ``other``, but never silently: :func:`assign_blocs` warns naming it (and refuses
it with ``strict=True``); :func:`unknown_names` lists them.
"""

from __future__ import annotations

import unicodedata
import warnings
from collections.abc import Iterable

import numpy as np
import pandas as pd

from swingcast.errors import SchemaError, where
from swingcast.schema import CANDIDATE, ELECTION, LIST, NUANCE

__all__ = ["BLOCS", "bloc_of", "is_known", "unknown_names", "assign_blocs", "is_rn", "RN_NAMES"]

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
    # legislative 2022/2024 grids
    "DXG": "far_left", "DVC": "centre", "REN": "centre", "HOR": "centre", "DXD": "far_right",
    # "non classé": lists without a label in the municipal rounds of 2014 and 2020 (as the
    # harmonised data.gouv.fr files give them)
    "NC": "other",
}
# Departmental binômes (2015, 2021 grids): "BC-" + the nuance of the binôme.
_NUANCES.update({f"BC-{code}": _NUANCES[code] for code in (
    "EXG", "COM", "FI", "SOC", "RDG", "DVG", "UG", "UGE", "VEC", "ECO", "DIV", "REG", "REM",
    "MDM", "UDI", "UCD", "DVC", "DSV", "DLF", "EXD", "REC", "UXD")})
_NUANCES.update({"BC-UC": "centre", "BC-FG": "far_left", "BC-UMP": "right"})

# Presidential candidates (surname as in the per-bureau files, accents removed, upper case).
_CANDIDATES: dict[str, str] = {
    "ARTHAUD": "far_left", "POUTOU": "far_left", "MELENCHON": "far_left",
    "HAMON": "left", "MACRON": "centre", "FILLON": "right", "DUPONT-AIGNAN": "right",
    "LE PEN": "far_right", "ASSELINEAU": "other", "LASSALLE": "other", "CHEMINADE": "other",
    # 2022
    "ROUSSEL": "far_left", "HIDALGO": "left", "JADOT": "green", "PECRESSE": "right",
    "ZEMMOUR": "far_right",
    # 2012
    "HOLLANDE": "left", "SARKOZY": "right", "BAYROU": "centre", "JOLY": "green",
    # 2007
    "ROYAL": "left", "BESANCENOT": "far_left", "BUFFET": "far_left", "LAGUILLER": "far_left",
    "BOVE": "far_left", "SCHIVARDI": "far_left", "VOYNET": "green", "DE VILLIERS": "right",
    "NIHOUS": "other",
    # 2002
    "CHIRAC": "right", "JOSPIN": "left", "HUE": "far_left", "GLUCKSTEIN": "far_left",
    "CHEVENEMENT": "left", "TAUBIRA": "left", "MAMERE": "green", "LEPAGE": "centre",
    "MADELIN": "right", "BOUTIN": "right", "MEGRET": "far_right", "SAINT-JOSSE": "other",
}
#: Known surnames, longest first (``"DUPONT-AIGNAN"`` before any shorter one).
_SURNAMES = sorted(_CANDIDATES, key=len, reverse=True)

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
    # the 18 small lists of the 2019 per-bureau file (each under 2 %): regionalist,
    # single-issue or citizens' lists, and the UPR's (classed like Asselineau)
    "ALLIANCE JAUNE": "other", "ALLONS ENFANTS": "other", "DEMOCRATIE REPRESENTATIVE": "other",
    "ENSEMBLE POUR LE FREXIT": "other", "ESPERANTO": "other",
    "EUROPE AU SERVICE PEUPLES": "other", "INITIATIVE CITOYENNE": "other",
    "LES OUBLIES DE L'EUROPE": "other", "LISTE CITOYENNE": "other", "NEUTRE ET ACTIF": "other",
    "PACE": "other", "PARTI ANIMALISTE": "other", "PARTI FED. EUROPEEN": "other",
    "PARTI PIRATE": "other", "UDLEF": "other", "UNE FRANCE ROYALE": "other",
    "A VOIX EGALES": "other", "EVOLUTION CITOYENNE": "other",
}

#: Names under which the Front/Rassemblement national appears (nuance, list or candidate).
RN_NAMES = frozenset({"FN", "RN", "LFN", "LRN", "BC-FN", "BC-RN", "LE PEN", "PRENEZ LE POUVOIR"})


def _norm(name: object) -> str:
    text = unicodedata.normalize("NFKD", str(name))
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).upper().split())


def _surname(key: str) -> str | None:
    """The known presidential surname in ``"NOM PRENOM"``/``"PRENOM NOM"`` (normalised)."""
    for surname in _SURNAMES:
        if key == surname or key.startswith(surname + " ") or key.endswith(" " + surname):
            return surname
    return None


def _lookup(name: object) -> str | None:
    key = _norm(name)
    for table in (_NUANCES, _CANDIDATES, _LISTS):
        if key in table:
            return table[key]
    for prefix in ("L", "BC-"):  # list and binôme forms of a nuance: LUXD, BC-DVC...
        if key.startswith(prefix) and key[len(prefix):] in _NUANCES:
            return _NUANCES[key[len(prefix):]]
    surname = _surname(key)
    return _CANDIDATES[surname] if surname is not None else None


def is_known(name: str) -> bool:
    """Whether a bloc table knows a nuance, list or candidate (else :func:`bloc_of` says
    ``"other"`` by default).

    Examples
    --------
    >>> is_known("LE PEN Marine"), is_known("Marine Le Pen"), is_known("LISTE DU CHAT")
    (True, True, False)
    """
    return _lookup(name) is not None


def bloc_of(name: str) -> str:
    """Return the bloc of a nuance code, list short name or presidential candidate.

    Unknown names (new lists, new codes) are ``"other"``; see :func:`is_known`.

    Parameters
    ----------
    name : str
        Nuance (``"REM"``, ``"LFN"``), list short name (``"RENAISSANCE"``) or candidate
        (``"MÉLENCHON"``, ``"MÉLENCHON Jean-Luc"``); case and accents do not matter.

    Returns
    -------
    str
        One of :data:`BLOCS`.

    Examples
    --------
    >>> bloc_of("MÉLENCHON"), bloc_of("LUMP"), bloc_of("Prenez le pouvoir"), bloc_of("PACE")
    ('far_left', 'right', 'far_right', 'other')
    >>> bloc_of("LE PEN Marine"), bloc_of("DUPONT-AIGNAN Nicolas")
    ('far_right', 'right')
    """
    return _lookup(name) or "other"


def _labels(votes: pd.DataFrame) -> pd.Series:
    """Name each row is classified by: nuance, else list, else candidate."""
    cols = [c for c in (NUANCE, LIST, CANDIDATE) if c in votes.columns]
    if not cols:
        raise SchemaError(
            f"votes: {where(column=NUANCE)}: expected a nuance, list or candidate column to "
            "assign blocs"
        )
    # per distinct value, not per row: a national table has millions of rows, a few hundred names
    n = len(votes)
    label = np.full(n, None, dtype=object)
    missing = np.ones(n, dtype=bool)
    for col in cols:
        codes, uniques = pd.factorize(votes[col])
        u = np.asarray(uniques, dtype=object)
        usable = np.array([not pd.isna(x) and str(x).strip() != "" for x in u], dtype=bool)
        ok = (codes >= 0) & (usable[np.clip(codes, 0, None)] if len(u) else False)
        take = missing & ok
        label[take] = u[codes[take]]
        missing &= ~take
    label = pd.Series(label, index=votes.index, dtype="object")
    return label


def unknown_names(votes: pd.DataFrame | Iterable[str]) -> list[str]:
    """Names (nuance, else list, else candidate) that no bloc table knows, in order seen.

    Parameters
    ----------
    votes : DataFrame or iterable of str
        A ``votes`` table, or names.

    Returns
    -------
    list of str

    Examples
    --------
    >>> unknown_names(["LE PEN Marine", "LISTE DU CHAT", "REM", "LISTE DU CHAT"])
    ['LISTE DU CHAT']
    """
    names = _labels(votes).dropna() if isinstance(votes, pd.DataFrame) else pd.Series(
        list(votes), dtype="object")
    return [str(n) for n in pd.unique(names) if not is_known(str(n))]


def assign_blocs(votes: pd.DataFrame, *, strict: bool = False) -> pd.Series:
    """Bloc of every row of a ``votes`` table (schema :data:`~swingcast.schema.VOTE_COLUMNS`).

    The nuance is used when present, else the list short name, else the candidate
    (``"LE PEN"``, ``"LE PEN Marine"`` or ``"Marine LE PEN"``).

    Parameters
    ----------
    votes : DataFrame
        Needs at least one of the columns ``nuance``, ``list``, ``candidate``.
    strict : bool
        Refuse names no bloc table knows instead of warning and counting them in ``other``.

    Returns
    -------
    Series of str
        Indexed like ``votes``.

    Warns
    -----
    UserWarning
        Names no bloc table knows (they are counted in ``other``), named in the message.

    Raises
    ------
    SchemaError
        A row with no name at all; with ``strict=True``, a name no bloc table knows.

    Examples
    --------
    >>> v = pd.DataFrame({"nuance": ["REM", None], "list": [None, None],
    ...                   "candidate": ["X", "LE PEN Marine"]})
    >>> assign_blocs(v).tolist()
    ['centre', 'far_right']
    >>> assign_blocs(pd.DataFrame({"list": ["LISTE DU CHAT"]}), strict=True)
    Traceback (most recent call last):
    ...
    swingcast.errors.SchemaError: votes: 1 name(s) no bloc table knows: 'LISTE DU CHAT'; \
expected a nuance, list or candidate of swingcast.model.blocs (add it there, or pass strict=False \
to count it in 'other' with a warning)
    """
    label = _labels(votes)
    if label.isna().any():
        bad = votes.index[label.isna().to_numpy()]
        extra = votes.loc[bad, ELECTION].unique().tolist() if ELECTION in votes else ""
        raise SchemaError(
            f"votes: {where(ids=[str(b) for b in bad])}: no nuance, list or candidate name "
            f"{extra}; expected a name to classify"
        )
    uniq = pd.unique(label)
    found = {u: _lookup(u) for u in uniq}
    unknown = [str(u) for u, b in found.items() if b is None]
    if unknown:
        shown = ", ".join(repr(u) for u in unknown[:10]) + (" ..." if len(unknown) > 10 else "")
        where_ = ""
        if ELECTION in votes.columns:
            elections = sorted({str(e) for e in votes.loc[label.isin(unknown), ELECTION]})
            where_ = f" ({', '.join(elections)})"
        if strict:
            raise SchemaError(
                f"votes{where_}: {len(unknown)} name(s) no bloc table knows: {shown}; expected "
                "a nuance, list or candidate of swingcast.model.blocs (add it there, or pass "
                "strict=False to count it in 'other' with a warning)")
        warnings.warn(f"votes{where_}: {len(unknown)} name(s) no bloc table knows, counted in "
                      f"'other': {shown}", UserWarning, stacklevel=2)
    codes, uniq = pd.factorize(label)
    blocs = np.array([found[u] or "other" for u in uniq], dtype=object)
    return pd.Series(blocs[codes], index=votes.index).astype(str)


def is_rn(votes: pd.DataFrame) -> pd.Series:
    """True for the rows of the Front/Rassemblement national (see :data:`RN_NAMES`).

    A candidate matches by surname as in :func:`bloc_of` (``"LE PEN Marine"``).

    Examples
    --------
    >>> is_rn(pd.DataFrame({"nuance": ["LRN", "LREC"]})).tolist()
    [True, False]
    >>> is_rn(pd.DataFrame({"candidate": ["LE PEN Marine", "MACRON Emmanuel"]})).tolist()
    [True, False]
    """
    out = pd.Series(False, index=votes.index)
    for col in (NUANCE, LIST, CANDIDATE):
        if col in votes.columns:
            values = votes[col]
            names = [v for v in pd.unique(values) if isinstance(v, str) and _is_rn_name(v, col)]
            if names:
                out |= values.isin(names).to_numpy(dtype=bool, na_value=False)
    return out


def _is_rn_name(name: str, column: str) -> bool:
    key = _norm(name)
    if key in RN_NAMES:
        return True
    return column == CANDIDATE and _surname(key) in RN_NAMES
