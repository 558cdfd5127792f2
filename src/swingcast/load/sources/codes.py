"""Canonical codes: département, INSEE commune, bureau and arrondissement.

The Ministry files give a département code (``01``, ``2A``, ``971`` or ``ZA``), a 3-digit
commune number inside the département and a bureau code as typed by the commune
(``0001``, ``1``, ``0001A``, ``JUS1``). This module turns them into the identifiers of
:mod:`swingcast.schema`. The overseas mapping is documented (with sources) in
``docs/formats.md``.
"""

from __future__ import annotations

import pandas as pd

__all__ = [
    "CORSE_DU_SUD",
    "corsica_departement",
    "OVERSEAS_LETTERS",
    "CITY_ARRONDISSEMENTS",
    "departement_code",
    "commune_code",
    "bureau_code",
    "arrondissement_code",
    "canonical_ids",
]

#: Ministry letter codes (2017 onward) -> INSEE département/collectivité code.
#: ``ZX`` covers Saint-Barthélemy (977, communes ``7xx``) and Saint-Martin (978, ``8xx``);
#: ``ZZ`` (French people abroad) has no INSEE code: we use ``99``, as the 2014 files do.
OVERSEAS_LETTERS: dict[str, str] = {
    "ZA": "971",
    "ZB": "972",
    "ZC": "973",
    "ZD": "974",
    "ZS": "975",
    "ZM": "976",
    "ZX": "977",
    "ZW": "986",
    "ZP": "987",
    "ZN": "988",
    "ZZ": "99",
}

#: Commune numbers of Corse-du-Sud (2A). Corsica was one département, ``20``, until 1976;
#: its communes kept their numbers (001-366, one sequence) when it was split into 2A and 2B,
#: so a number says which. The 124 numbers of 2A, and the 236 of 2B (every other number
#: of 001-366 except the six below), are those of the Ministry's 2017 presidential
#: per-bureau table (``2017-presidentielle-2_par_bureau_large.csv``: 360 communes, no
#: number in both), which matches INSEE's 124 + 236 communes.
CORSE_DU_SUD = frozenset(
    "001 004 006 008 011 014 017 018 019 021 022 024 026 027 028 031 032 035 038 040 041 048 "
    "056 060 061 062 064 065 066 070 071 085 089 090 091 092 094 098 099 100 103 104 108 114 "
    "115 117 118 119 127 128 129 130 131 132 133 139 141 142 144 146 154 158 160 163 174 181 "
    "186 189 191 196 197 198 200 203 204 209 211 212 215 228 232 240 247 249 253 254 258 259 "
    "262 266 268 269 270 271 272 276 278 279 282 284 285 288 295 300 308 310 312 322 323 324 "
    "326 330 331 336 345 348 349 351 357 358 359 360 362 363".split()
)
_NOT_A_CORSICAN_NUMBER = frozenset({"044", "076", "151", "237", "294", "325"})


def corsica_departement(number: str) -> str:
    """``2A`` or ``2B`` for a commune number of the former département ``20``.

    Parameters
    ----------
    number : str
        The commune number (``"4"``, ``"004"``, or a code ``"20004"``).

    Returns
    -------
    str
        ``"2A"``, ``"2B"``, or ``"20"`` when the number is no Corsican commune's (the
        caller refuses it).

    Examples
    --------
    >>> corsica_departement("004"), corsica_departement("33"), corsica_departement("20044")
    ('2A', '2B', '20')
    """
    n = number.strip()
    n = n[-3:] if len(n) == 5 and n.startswith("20") else n.zfill(3)
    if not (n.isdigit() and 1 <= int(n) <= 366) or n in _NOT_A_CORSICAN_NUMBER:
        return "20"
    return "2A" if n in CORSE_DU_SUD else "2B"


#: City commune code -> (first arrondissement commune code, number of arrondissements).
CITY_ARRONDISSEMENTS: dict[str, tuple[int, int]] = {
    "75056": (75101, 20),
    "69123": (69381, 9),
    "13055": (13201, 16),
}
_ARRONDISSEMENT_TO_CITY = {
    str(first + k): city for city, (first, n) in CITY_ARRONDISSEMENTS.items() for k in range(n)
}


def departement_code(dep: str, commune: str = "") -> str:
    """Return the INSEE département code for a Ministry code.

    Parameters
    ----------
    dep : str
        Département as written in the file (``"1"``, ``"01"``, ``"2a"``, ``"971"``, ``"ZA"``).
    commune : str
        The commune number in the file; only used to split ``ZX``/``977`` into
        Saint-Barthélemy (977, ``7xx``) and Saint-Martin (978, ``8xx``).

    Returns
    -------
    str
        ``"01"``..``"95"``, ``"2A"``, ``"2B"``, ``"971"``..``"988"`` or ``"99"`` (abroad).
        ``"20"`` (Corsica before 1976) becomes ``2A`` or ``2B`` by the commune number
        (:func:`corsica_departement`). An unknown code is returned stripped and upper-cased.

    Examples
    --------
    >>> departement_code("1"), departement_code("2a"), departement_code("ZA")
    ('01', '2A', '971')
    >>> departement_code("ZX", "801"), departement_code("977", "801")
    ('978', '978')
    >>> departement_code("20", "004"), departement_code("20", "033")
    ('2A', '2B')
    """
    d = dep.strip().upper()
    if d == "20":
        return corsica_departement(commune)
    d = OVERSEAS_LETTERS.get(d, d)
    if d.isdigit() and len(d) < 2:
        d = d.zfill(2)
    if d in ("977", "978"):
        c = commune.strip()[-3:]
        if c.startswith("8"):
            d = "978"
        elif c.startswith("7"):
            d = "977"
    return d


def commune_code(dep: str, commune: str) -> str:
    """Return the 5-character INSEE commune code.

    Parameters
    ----------
    dep : str
        INSEE département code, as returned by :func:`departement_code`.
    commune : str
        Commune number as written in the file (``"1"``, ``"001"``), or an INSEE code
        already (``"92002"``).

    Returns
    -------
    str
        Metropolitan: département + 3 digits. Overseas (3-digit département): département
        + the last 2 digits of the Ministry number (``971``/``101`` -> ``97101``,
        ``976``/``501`` -> ``97601``). Abroad: ``"99"`` + 3 digits.

    Examples
    --------
    >>> commune_code("75", "56"), commune_code("2A", "004"), commune_code("971", "101")
    ('75056', '2A004', '97101')
    >>> commune_code("92", "92002"), commune_code("99", "001")
    ('92002', '99001')
    """
    c = commune.strip().upper()
    if len(c) == 5 and c.startswith(dep[:2]):
        return c
    if len(dep) == 3:
        return dep + c.zfill(3)[-2:]
    return dep + c.zfill(3)


def bureau_code(code: pd.Series) -> pd.Series:
    """Strip leading zeros from bureau codes (``"0001A"`` -> ``"1A"``, ``"0000"`` -> ``"0"``).

    Parameters
    ----------
    code : Series of str
        Bureau codes as published.

    Returns
    -------
    Series of str

    Examples
    --------
    >>> bureau_code(pd.Series(["0101", "0001A", "JUS1", "0000", " 7 "])).tolist()
    ['101', '1A', 'JUS1', '0', '7']
    """
    out = code.astype("string").str.strip().str.upper().str.lstrip("0")
    return out.mask(out == "", "0")


def arrondissement_code(commune: pd.Series, bureau: pd.Series) -> pd.Series:
    """Arrondissement commune code of bureaux of Paris, Lyon and Marseille.

    The three cities number their bureaux ``AANN`` (arrondissement ``AA``, bureau ``NN``);
    other bureaux, and codes that do not fit (``JUS1``), get NA.

    Parameters
    ----------
    commune : Series of str
        INSEE commune code (the city: 75056, 69123, 13055).
    bureau : Series of str
        Bureau code without leading zeros.

    Returns
    -------
    Series of str (nullable)

    Examples
    --------
    >>> arrondissement_code(pd.Series(["75056", "69123", "13055", "75056", "92002"]),
    ...                     pd.Series(["1905", "901", "1612", "JUS1", "101"])).tolist()
    ['75119', '69389', '13216', <NA>, <NA>]
    """
    out = pd.Series(pd.NA, index=commune.index, dtype="string")
    for city, (first, n) in CITY_ARRONDISSEMENTS.items():
        mask = (commune == city).fillna(False).to_numpy()
        if not mask.any():
            continue
        b = bureau[mask].astype("string")
        digits = b.str.fullmatch(r"\d{3,4}").fillna(False)
        aa = pd.to_numeric(b.where(digits).str[:-2], errors="coerce")
        ok = digits & aa.between(1, n)
        codes = (aa + first - 1).astype("Int64").astype("string")
        out.loc[mask] = codes.where(ok, pd.NA).to_numpy()
    return out


def canonical_ids(dep: pd.Series, commune: pd.Series, bureau: pd.Series) -> pd.DataFrame:
    """Build the id columns of the ``stations`` table from the raw codes of a file.

    Parameters
    ----------
    dep, commune, bureau : Series of str
        Département, commune and bureau codes as published. A commune given as an
        arrondissement of Paris/Lyon/Marseille (``75119``) is filed under the city.

    Returns
    -------
    DataFrame
        Columns ``departement``, ``commune_code``, ``arrondissement_code``,
        ``bureau_code``, ``bureau_id``, same index as the inputs.

    Examples
    --------
    >>> ids = canonical_ids(pd.Series(["75", "ZA", "69"]), pd.Series(["056", "101", "123"]),
    ...                     pd.Series(["0101", "0003", "0405"]))
    >>> ids["bureau_id"].tolist(), ids["arrondissement_code"].tolist()
    (['75056_101', '97101_3', '69123_405'], ['75101', <NA>, '69384'])
    """
    d_raw = dep.astype("string").fillna("").str.strip().str.upper()
    c_raw = commune.astype("string").fillna("").str.strip().str.upper()
    # ZX/977 hold two collectivités: which one is told by the commune's first digit
    split = d_raw.isin(["ZX", "977", "978"])
    key = d_raw.where(~split, d_raw + "/" + c_raw.str[-3:].str[:1] + "00")
    # "20" (Corsica before 1976): 2A or 2B by the commune number, which keeps its 3 digits
    corsica = d_raw == "20"
    if corsica.any():
        c_raw = c_raw.where(~(corsica & (c_raw.str.len() == 5) & c_raw.str.startswith("20")),
                            c_raw.str[-3:])
        key = key.where(~corsica, "20/" + c_raw)
    uniq = key.drop_duplicates()
    dmap = {k: departement_code(*k.split("/", 1)) for k in uniq}
    d = key.map(dmap).astype("string")
    given5 = (c_raw.str.len() == 5) & (c_raw.str[:2] == d.str[:2])
    com = (d + c_raw.str.zfill(3)).where(d.str.len() != 3, d + c_raw.str.zfill(3).str[-2:])
    com = com.where(~given5, c_raw).astype("string")
    out = pd.DataFrame(index=dep.index)
    out["departement"] = d
    arr_given = com.map(_ARRONDISSEMENT_TO_CITY.get)
    is_arr = arr_given.notna()
    out["commune_code"] = com.where(~is_arr, arr_given.astype("string"))
    bcode = bureau_code(bureau)
    arr = arrondissement_code(out["commune_code"], bcode)
    out["arrondissement_code"] = arr.where(~is_arr, com)
    out["bureau_code"] = bcode
    out["bureau_id"] = out["commune_code"] + "_" + bcode
    return out
