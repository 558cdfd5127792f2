"""Guessing what a file is: its layout (from the header) and its election (from the name)."""

from __future__ import annotations

import re
import unicodedata
from os import PathLike
from pathlib import Path

from swingcast import schema

__all__ = ["infer_election", "plain"]

_KINDS = (
    ("presiden", "presidentielle"),
    ("legislativ", "legislatives"),
    ("europ", "europeennes"),
    ("municipa", "municipales"),
    ("departementa", "departementales"),
    ("cantona", "departementales"),
    ("regiona", "regionales"),
    ("referend", "referendum"),
)

_CODES = {"pr": "presidentielle", "lg": "legislatives", "leg": "legislatives",
          "er": "europeennes", "mn": "municipales", "dp": "departementales",
          "rg": "regionales"}


def plain(text: str) -> str:
    """Lower-case, accents removed, whitespace collapsed (for matching headers).

    Examples
    --------
    >>> plain("  Code du  B.Vote ")
    'code du b.vote'
    >>> plain("Exprimés")
    'exprimes'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())


def infer_election(path: str | PathLike[str]) -> tuple[str | None, int | None]:
    """Guess ``election`` and ``round`` from a file name.

    Parameters
    ----------
    path : str or PathLike

    Returns
    -------
    (str or None, int or None)
        ``("2017-presidentielle", 2)``; None for what the name does not say. European
        elections have a single round (1).

    Examples
    --------
    >>> infer_election("2017-presidentielle-2_par_bureau_large.csv.gz")
    ('2017-presidentielle', 2)
    >>> infer_election("legislatives2022_t2_9213.xlsx")
    ('2022-legislatives', 2)
    >>> infer_election("europeennes_2024.xlsx")
    ('2024-europeennes', 1)
    >>> infer_election("PR17_BVot_T1_FE.txt"), infer_election("Leg_2017_Resultats_BVT_T2_c.txt")
    (('2017-presidentielle', 1), ('2017-legislatives', 2))
    >>> infer_election("resultats.csv")
    (None, None)
    """
    name = plain(Path(path).name)
    year = re.search(r"(?<!\d)(19[5-9]\d|20\d\d)(?!\d)", name)
    kind = None
    kind_end = None
    for prefix, value in _KINDS:
        m = re.search(prefix + r"[a-z]*", name)
        if m:
            kind, kind_end = value, m.end()
            break
    if kind is None:  # Ministry file codes: PR17_BVot_T1, Leg_2017_Resultats_BVT_T1, MN20...
        m = re.match(r"(pr|lg|leg|er|mn|dp|rg)[-_ ]?(\d{4}|\d{2})(?!\d)", name)
        if m:
            kind = _CODES[m.group(1)]
            kind_end = m.end()
            y = m.group(2)
            year = re.match(r"(\d+)", y if len(y) == 4 else "20" + y)
    round_: int | None = None
    m = re.search(r"(?:^|[^a-z])(?:t|tour)[-_ ]?([12])(?!\d)", name)
    if m:
        round_ = int(m.group(1))
    elif kind_end is not None:
        m = re.match(r"[-_ ]([12])(?!\d)", name[kind_end:])
        if m:
            round_ = int(m.group(1))
    if round_ is None and kind == "europeennes":
        round_ = 1
    election = f"{year.group(1)}-{kind}" if year and kind else None
    assert kind is None or kind in schema.ELECTION_KINDS
    return election, round_
