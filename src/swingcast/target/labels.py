"""Words of the outputs in English and French: column labels, numbers, arrondissement names.

The map and the report show a human label for each column (the column name itself in small
type beside it) and format numbers the way readers of each language expect (``0.347`` and
``78.1 %`` in English, ``0,347`` and ``78,1 %`` in French).
"""

from __future__ import annotations

import math

from swingcast import schema as S
from swingcast.errors import SwingcastError

__all__ = ["LANGS", "check_lang", "column_label", "number", "short", "percent", "area_label"]

#: languages of the outputs
LANGS = ("en", "fr")

_COLUMNS: dict[str, tuple[str, str]] = {
    S.BUREAU_ID: ("Bureau", "Bureau"),
    S.RANK: ("Rank", "Rang"),
    S.VALUE_PER_HOUR: ("Net votes per volunteer-hour", "Voix nettes par heure de bénévole"),
    S.TURNOUT_PRED: ("Predicted turnout", "Participation prévue"),
    S.SHARE_PRED: ("Predicted share", "Part prévue"),
    S.SWING_PROB: ("Probability of coming first in the bureau",
                   "Probabilité d'arriver en tête dans le bureau"),
    S.FLIP_PROB: ("Probability that first place changes side",
                  "Probabilité que la tête change de camp"),
    S.ABOVE_AREA_PROB: ("Probability of a share above the area-wide level",
                        "Probabilité d'une part au-dessus du niveau de la zone"),
    S.MARGIN_PRED: ("Predicted margin", "Marge prévue"),
    S.INSCRITS: ("Registered voters", "Inscrits"),
    "persuadables": ("Voters for someone else", "Électeurs d'un autre choix"),
    "abstainers": ("Expected abstainers", "Abstentionnistes attendus"),
    "supporters": ("Expected supporters", "Soutiens attendus"),
    "doors": ("Doors", "Portes"),
    "votes_per_hour": ("Net votes per hour (before weighting)",
                       "Voix nettes par heure (avant pondération)"),
    "closeness_weight": ("Closeness weight", "Poids de l'incertitude"),
    S.HOURS: ("Volunteer-hours", "Heures de bénévoles"),
    "doors_knocked": ("Doors knocked", "Portes frappées"),
    S.EXPECTED_VOTES: ("Expected net votes", "Voix nettes attendues"),
    "turf": ("Turf", "Secteur"),
    "n_turfs": ("Turfs (shifts)", "Secteurs (séances)"),
    "place_name": ("Polling place", "Lieu de vote"),
    "address": ("Address", "Adresse"),
    S.ARRONDISSEMENT_CODE: ("Arrondissement or commune", "Arrondissement ou commune"),
    "parameter": ("Parameter", "Paramètre"),
    "name": ("Name", "Nom"),
    "value": ("Value", "Valeur"),
    "figure": ("Figure", "Indicateur"),
    "others_share": ("Registered voting for someone else, t·(1−s)",
                     "Inscrits votant pour un autre, t·(1−s)"),
    "persuasion_term": ("Persuasion term", "Terme de persuasion"),
    "mobilisation_term": ("Mobilisation term", "Terme de mobilisation"),
    "votes_per_door": ("Net votes per door", "Voix nettes par porte"),
    # targeting parameters
    "doors_per_hour": ("Doors knocked per hour", "Portes frappées par heure"),
    "contact_rate": ("Share of doors that open", "Part des portes qui s'ouvrent"),
    "persuasion_rate": ("Share of other voters persuaded behind an opened door",
                        "Part des autres électeurs convaincus derrière une porte ouverte"),
    "persuasion_gain": ("Margin gained per persuaded voter", "Marge gagnée par électeur convaincu"),
    "mobilisation_rate": ("Share of abstainers mobilised behind an opened door",
                          "Part des abstentionnistes mobilisés derrière une porte ouverte"),
    "voters_per_door": ("Registered voters per door", "Inscrits par porte"),
    "race": ("Race (national: every vote counts alike; local: weighted by closeness)",
             "Scrutin (national : chaque voix compte autant ; local : pondéré par l'incertitude)"),
}


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is one of :data:`LANGS`, else raise a :class:`SwingcastError`.

    Examples
    --------
    >>> check_lang("fr")
    'fr'
    >>> check_lang("de")
    Traceback (most recent call last):
    ...
    swingcast.errors.SwingcastError: language 'de'; expected one of en, fr
    """
    if lang not in LANGS:
        raise SwingcastError(f"language {lang!r}; expected one of {', '.join(LANGS)}")
    return lang


def column_label(column: str, lang: str = "en") -> str:
    """Human label of a column (the column name itself when none is known).

    Examples
    --------
    >>> column_label("share_pred"), column_label("share_pred", "fr"), column_label("xyz")
    ('Predicted share', 'Part prévue', 'xyz')
    """
    pair = _COLUMNS.get(column)
    return column if pair is None else pair[LANGS.index(check_lang(lang))]


def number(value: object, lang: str = "en", digits: int | None = None) -> str:
    """Format a number for a reader: thousands separated, decimal comma in French.

    ``digits`` defaults to 3 decimals below 10 and none above; NaN and None give ``–``.

    Examples
    --------
    >>> number(29999.3), number(29999.3, "fr"), number(0.34733, "fr"), number(float("nan"))
    ('29,999', '29\\u202f999', '0,347', '–')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, bool) or not isinstance(value, int | float):
        try:
            value = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return str(value)
        if math.isnan(value):
            return "–"
    if digits is None:
        digits = 0 if isinstance(value, int) or abs(value) >= 10 else 3
    text = f"{value:,.{digits}f}"
    if check_lang(lang) == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def short(value: object, lang: str = "en", digits: int = 4) -> str:
    """Format a parameter with at most ``digits`` significant digits and no trailing zeros.

    Examples
    --------
    >>> short(0.130612), short(15.0), short(1.4, "fr"), short("national")
    ('0.1306', '15', '1,4', 'national')
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    text = f"{value:.{digits}g}"
    return text.replace(".", ",") if check_lang(lang) == "fr" else text


def percent(value: object, lang: str = "en", digits: int = 1) -> str:
    """Format a share (0.781) as a percentage (``78.1 %``; ``78,1 %`` in French).

    Examples
    --------
    >>> percent(0.7806), percent(0.7806, "fr")
    ('78.1\\xa0%', '78,1\\xa0%')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    # a no-break space: the sign never wraps away from its number
    return f"{number(100 * float(value), lang, digits)}\u00a0%"  # type: ignore[arg-type]


def area_label(code: str, name: str | None = None, lang: str = "en") -> str:
    """Label of an arrondissement or commune on a map: ``16e`` for Paris 75116, else the name.

    Examples
    --------
    >>> area_label("75116"), area_label("75101", lang="fr"), area_label("92002", "Antony")
    ('16th', '1er', 'Antony')
    """
    code = str(code)
    if code.startswith("751") and len(code) == 5 and code[3:].isdigit() and 1 <= int(code[3:]) <= 20:
        n = int(code[3:])
        if check_lang(lang) == "fr":
            return "1er" if n == 1 else f"{n}e"
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n if n < 20 else 0, "th")
        return f"{n}{suffix}"
    return name if name else code
