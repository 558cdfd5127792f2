"""Area layers: IRIS contours (IGN, Grand Paris) and bureau-de-vote contours, in Lambert-93.

Each reader recognises its source from the field names, builds the canonical ids of
:mod:`swingcast.schema` and goes through :func:`swingcast.load.lambert.read_layer` for the CRS,
unit and validity checks.
"""

from __future__ import annotations

import re
from os import PathLike
from pathlib import Path

import geopandas as gpd
import pandas as pd

from swingcast._log import logger
from swingcast.errors import GeometryError, SchemaError, where
from swingcast.load.census import IRIS_PATTERN, IRIS_TYPES
from swingcast.load.lambert import dissolve_duplicates, read_vector, to_lambert93
from swingcast.load.overlaps import report_overlaps
from swingcast.load.sources.codes import CITY_ARRONDISSEMENTS, canonical_ids
from swingcast.schema import (
    ARRONDISSEMENT_CODE,
    BUREAU_CODE,
    BUREAU_ID,
    COMMUNE_CODE,
    COMMUNE_NAME,
    GEOMETRY,
    IRIS_CODE,
    IRIS_NAME,
    IRIS_TYPE,
    REGISTERED,
)

__all__ = ["read_iris", "read_bureaux", "bureau_ids"]

#: IRIS layouts: name -> (iris code field, commune field or None, name field, type field).
_IRIS_LAYOUTS = {
    "IGN CONTOURS-IRIS (2013)": ("DCOMIRIS", "DEPCOM", "NOM_IRIS", "TYP_IRIS"),
    "IGN CONTOURS-IRIS": ("CODE_IRIS", "INSEE_COM", "NOM_IRIS", "TYP_IRIS"),
    "IGN CONTOURS-IRIS 3.0 / IRIS GE": ("code_iris", "code_insee", "nom_iris", "type_iris"),
    "Grand Paris (map_iris)": ("CODE_IRIS", "CODE_COM", "NOM_IRIS", None),
}
#: Field holding the 4-digit IRIS number inside its commune (checked when present).
_IRIS_NUMBER = "IRIS"
#: Count columns of bureau sources -> output names.
_BUREAU_COUNTS = {
    "nbr_elect_f": REGISTERED,
    "nbr_elect_e_m": "registered_eu_municipal",
    "nbr_elect_e_e": "registered_eu_european",
}
_CITY_OF_PARIS = "75056"
_COMMUNE = re.compile(r"\d{5}|2[AB]\d{3}")
_ARRONDISSEMENT_CITY = {str(first + k): city for city, (first, n) in CITY_ARRONDISSEMENTS.items()
                        for k in range(n)}


def _field(gdf: pd.DataFrame, name: str | None) -> str | None:
    """Actual column name matching ``name`` case-insensitively (None when absent)."""
    if name is None:
        return None
    lower = {c.lower(): c for c in gdf.columns}
    return lower.get(name.lower())


def _require_polygons(gdf: gpd.GeoDataFrame, id_column: str, path: Path) -> None:
    """Refuse features that are not (Multi)Polygons in an area layer, naming them."""
    bad = ~gdf.geom_type.isin(["Polygon", "MultiPolygon"])
    if bad.any():
        kinds = sorted(set(gdf.geom_type[bad]))
        raise GeometryError(f"{where(path, ids=gdf.loc[bad, id_column])}: geometry of type "
                            f"{', '.join(kinds)}; expected Polygon or MultiPolygon areas")


def _finish_areas(out: gpd.GeoDataFrame, path: Path, id_column: str, layout: str, noun: str,
                  *, crs: object | None, drop_empty: bool) -> gpd.GeoDataFrame:
    """Last steps of every area reader: Lambert-93 with its checks, (Multi)Polygons only,
    one feature per id; ``attrs`` ``layout``, ``source``, ``repaired``, ``dropped_empty``,
    ``overlaps`` (pairs of polygons sharing ground, warned) and ``dissolved``; one log line."""
    out = to_lambert93(out, source=path, crs=crs, drop_empty=drop_empty, id_column=id_column)
    _require_polygons(out, id_column, path)
    checked = {k: out.attrs.get(k, d) for k, d in (("repaired", 0), ("dropped_empty", []))}
    out = dissolve_duplicates(out, id_column, source=str(path))
    out.attrs.update(layout=layout, source=str(path), **checked)
    report_overlaps(out, id_column, path)  # warned, listed in attrs["overlaps"]
    logger.info("%s: %d %s (%s)", path, len(out), noun, layout)
    return out


def read_iris(path: str | PathLike[str], *, crs: object | None = None,
              drop_empty: bool = False) -> gpd.GeoDataFrame:
    """Read IRIS contours into ``iris_code, commune_code, iris_name, iris_type, geometry``.

    Parameters
    ----------
    path : str or PathLike
        IGN CONTOURS-IRIS (``DCOMIRIS, DEPCOM, NOM_IRIS, TYP_IRIS`` as in 2013;
        ``CODE_IRIS, INSEE_COM, NOM_COM, IRIS, NOM_IRIS, TYP_IRIS`` in the 2.x editions,
        2014-2023, shapefile or GeoPackage; ``code_iris, code_insee, nom_commune, iris,
        nom_iris, type_iris`` in the 3.0 GeoPackage of 2024+ and IRIS GE), or the Grand
        Paris shapefile (``CODE_IRIS, NOM_IRIS, CODE_COM, ...``, no IRIS type). When the
        4-digit ``IRIS`` field is there it must be the last 4 characters of the code.
    crs : object, optional
        The file's true CRS: used when the file has none, and overriding a wrong one (see
        :func:`swingcast.load.lambert.to_lambert93`).
    drop_empty : bool
        Drop features without geometry (with a warning) instead of raising.

    Returns
    -------
    GeoDataFrame
        One row per IRIS, EPSG:2154. ``iris_type`` is NA when the source has none (except
        ``COM0000`` IRIS: Z). An IRIS drawn as several features is dissolved into one
        (``attrs["dissolved"]``). ``attrs["layout"]`` names the layout recognised;
        ``attrs["repaired"]`` counts repaired geometries, ``attrs["dropped_empty"]`` lists
        the ids dropped by ``drop_empty``.

    Raises
    ------
    SchemaError
        Unknown layout, malformed IRIS code, commune code not the first 5 characters.
    CRSError, GeometryError
        See :func:`swingcast.load.lambert.to_lambert93`; also a feature that is not a
        (Multi)Polygon (ids named).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from shapely.geometry import box
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "iris.gpkg"
    >>> gpd.GeoDataFrame({"CODE_IRIS": ["921020101"], "INSEE_COM": ["92102"],
    ...                   "NOM_IRIS": ["A"], "TYP_IRIS": ["H"]},
    ...                  geometry=[box(650000, 6860000, 651000, 6861000)],
    ...                  crs="EPSG:2154").to_file(p)
    >>> iris = read_iris(p)
    >>> iris[["iris_code", "commune_code", "iris_type"]].values.tolist(), iris.area.sum()
    ([['921020101', '92102', 'H']], np.float64(1000000.0))
    >>> read_iris("../shared/data/paris/contours/iris-paris-2013.gpkg")  # doctest: +SKIP
    """
    path = Path(path)
    gdf = read_vector(path)
    layout = None
    for name, fields in _IRIS_LAYOUTS.items():
        if all(_field(gdf, f) is not None for f in fields if f is not None):
            layout = name
            break
    if layout is None:
        raise SchemaError(
            f"{path}: IRIS layout not recognised (fields {list(gdf.columns.drop(GEOMETRY))}); "
            "expected DCOMIRIS/DEPCOM/NOM_IRIS/TYP_IRIS, CODE_IRIS/INSEE_COM (or CODE_COM)/"
            "NOM_IRIS or code_iris/code_insee/nom_iris/type_iris"
        )
    code_f, com_f, name_f, type_f = (_field(gdf, f) for f in _IRIS_LAYOUTS[layout])
    codes = gdf[code_f].astype("string").str.strip().str.upper()
    bad = ~codes.fillna("").str.fullmatch(IRIS_PATTERN.pattern)
    if bad.any():
        raise SchemaError(f"{where(path, column=code_f, ids=codes[bad].fillna('<empty>'))}: "
                          "malformed IRIS code; expected 9 characters, commune code + 4 digits")
    communes = codes.str[:5]
    if com_f is not None:
        given = gdf[com_f].astype("string").str.strip()
        off = given.ne(communes).fillna(True)
        if off.any():
            raise SchemaError(f"{where(path, column=com_f, ids=codes[off])}: commune code is "
                              "not the first 5 characters of the IRIS code")
    number_f = _field(gdf, _IRIS_NUMBER)
    if number_f is not None and number_f != code_f:
        number = gdf[number_f].astype("string").str.strip().str.zfill(4)
        off = number.ne(codes.str[5:]).fillna(True)
        if off.any():
            raise SchemaError(f"{where(path, column=number_f, ids=codes[off])}: IRIS number "
                              "is not the last 4 characters of the IRIS code")
    types = (gdf[type_f].astype("string").str.strip().str.upper() if type_f
             else pd.Series(pd.NA, index=gdf.index, dtype="string"))
    types = types.mask(types.isna() & codes.str.endswith("0000"), "Z")
    odd = types.notna() & ~types.isin(IRIS_TYPES)
    if odd.any():
        raise SchemaError(f"{where(path, column=type_f, ids=codes[odd])}: IRIS type "
                          f"{types[odd].iloc[0]!r}; expected one of {IRIS_TYPES}")
    out = gpd.GeoDataFrame(
        {IRIS_CODE: codes, COMMUNE_CODE: communes,
         IRIS_NAME: gdf[name_f].astype("string"), IRIS_TYPE: types.astype("string")},
        geometry=gdf.geometry.to_numpy(), crs=gdf.crs, index=gdf.index,
    )
    return _finish_areas(out, path, IRIS_CODE, layout, "IRIS", crs=crs, drop_empty=drop_empty)


def bureau_ids(commune: pd.Series, bureau: pd.Series) -> pd.DataFrame:
    """Canonical ``bureau_id, commune_code, arrondissement_code, bureau_code`` columns.

    Parameters
    ----------
    commune : Series of str
        5-character INSEE commune code (a Paris/Lyon/Marseille arrondissement is filed
        under its city).
    bureau : Series of str
        Bureau code as published (``"0001"``, ``"1905"``).

    Returns
    -------
    DataFrame
        Same index as the inputs.

    Examples
    --------
    >>> bureau_ids(pd.Series(["92002", "75056"]), pd.Series(["0001", "1905"])).values.tolist()
    [['92002_1', '92002', <NA>, '1'], ['75056_1905', '75056', '75119', '1905']]
    """
    com = commune.astype("string").str.strip()
    dep = com.str[:2].where(~com.str.startswith("97"), com.str[:3])
    ids = canonical_ids(dep, com, bureau.astype("string"))
    return ids[[BUREAU_ID, COMMUNE_CODE, ARRONDISSEMENT_CODE, BUREAU_CODE]]


def _split_ids(values: pd.Series, pattern: str, path: Path, column: str,
               expected: str) -> pd.DataFrame:
    """Split ids with a regex of two groups; a value that does not match is an error."""
    parts = values.astype("string").str.strip().str.extract(pattern)
    bad = parts.isna().any(axis=1)
    if bad.any():
        raise SchemaError(f"{where(path, column=column, ids=values[bad].fillna('<empty>'))}: "
                          f"malformed bureau id; expected {expected}")
    return parts


def _paris_2017(gdf: gpd.GeoDataFrame, path: Path, col: str) -> pd.DataFrame:
    parts = _split_ids(gdf[col], r"^(\d{1,2})-(\d{1,2})$", path, col, "'AA-N' (e.g. '19-5')")
    arr = parts[0].astype(int)
    if not arr.between(1, 20).all():
        raise SchemaError(f"{where(path, column=col, ids=gdf.loc[~arr.between(1, 20), col])}: "
                          "arrondissement out of 1..20")
    bureau = parts[0].str.zfill(2) + parts[1].str.zfill(2)
    return bureau_ids(pd.Series(_CITY_OF_PARIS, index=gdf.index), bureau)


def _paris_2012(gdf: gpd.GeoDataFrame, path: Path, arr_f: str, num_f: str) -> pd.DataFrame:
    arr = pd.to_numeric(gdf[arr_f], errors="coerce")
    num = pd.to_numeric(gdf[num_f], errors="coerce")
    bad = ~(arr.between(1, 20) & num.between(1, 99))
    if bad.any():
        raise SchemaError(f"{where(path, column=arr_f, ids=gdf.index[bad])}: arrondissement "
                          "(1..20) or bureau number (1..99) missing or out of range")
    bureau = arr.astype(int).astype(str).str.zfill(2) + num.astype(int).astype(str).str.zfill(2)
    ids = bureau_ids(pd.Series(_CITY_OF_PARIS, index=gdf.index), bureau)
    id_f = _field(gdf, "ID")
    if id_f is not None:  # ID is 750AA0NNN: must agree with arrondisse/num_bv
        expect = "750" + arr.astype(int).astype(str).str.zfill(2) + num.astype(int).astype(
            str).str.zfill(4)
        off = gdf[id_f].astype("string").str.strip().ne(expect).fillna(True)
        if off.any():
            raise SchemaError(f"{where(path, column=id_f, ids=gdf.loc[off, id_f])}: ID does not "
                              f"agree with {arr_f}/{num_f}; expected 750AA0NNN")
    return ids


def _commune_bureau(gdf: gpd.GeoDataFrame, path: Path, col: str,
                    commune_f: str | None = None) -> pd.DataFrame:
    parts = _split_ids(gdf[col], r"^(\d{5}|2[AB]\d{3})_([0-9A-Za-z]+)$", path, col,
                       "'<commune>_<bureau>' (e.g. '92002_0001')")
    if commune_f is not None:
        off = gdf[commune_f].astype("string").str.strip().ne(parts[0]).fillna(True)
        if off.any():
            raise SchemaError(f"{where(path, column=col, ids=gdf.loc[off, col])}: commune part "
                              f"differs from {commune_f}")
    return bureau_ids(parts[0], parts[1])


def _bare_numbers(values: pd.Series, path: Path, column: str) -> pd.Series:
    """Bureau numbers of a field as strings: integers (even stored as floats) or codes."""
    if pd.api.types.is_numeric_dtype(values):
        num = pd.to_numeric(values, errors="coerce")
        bad = num.isna() | (num != num.round()) | (num < 0)
        if bad.any():
            raise SchemaError(f"{where(path, column=column, ids=values[bad].astype(str))}: "
                              "bureau number missing or not a whole number; expected a bare "
                              "bureau number (e.g. 1, '0001', '12A')")
        return num.astype("Int64").astype("string")
    return values.astype("string").str.strip()


def _bare_bureau(gdf: gpd.GeoDataFrame, path: Path, col: str, commune: str) -> pd.DataFrame:
    """Ids from a field of bare bureau numbers of one commune given by the caller.

    A Paris/Lyon/Marseille arrondissement commune (``69381``) with a number of 1-2 digits
    builds the city's ``AANN`` code (``69381`` + ``5`` -> ``69123_105``), as in the results.
    """
    com = str(commune).strip().upper()
    if not _COMMUNE.fullmatch(com):
        raise SchemaError(f"{path}: commune={commune!r} is not an INSEE commune code; "
                          "expected 5 characters (e.g. '69123', '2A004')")
    numbers = _bare_numbers(gdf[col], path, col)
    full = numbers.str.extract(r"^(\d{5}|2[AB]\d{3})_([0-9A-Za-z]+)$")
    off = full[0].notna() & full[0].ne(com)
    if off.any():
        raise SchemaError(f"{where(path, column=col, ids=numbers[off])}: commune part differs "
                          f"from commune={com!r}")
    numbers = numbers.where(full[1].isna(), full[1])
    bad = ~numbers.fillna("").str.fullmatch(r"[0-9A-Za-z]+")
    if bad.any():
        raise SchemaError(f"{where(path, column=col, ids=numbers[bad].fillna('<empty>'))}: "
                          "malformed bureau number; expected a bare bureau number (e.g. 1, "
                          f"'0001', '12A') of commune {com}")
    city = _ARRONDISSEMENT_CITY.get(com)
    if city is not None:
        aa = str(int(com) - CITY_ARRONDISSEMENTS[city][0] + 1).zfill(2)
        short = numbers.str.fullmatch(r"\d{1,2}")
        long_ = numbers.str.fullmatch(r"\d{3,4}")
        wrong = long_ & numbers.str.zfill(4).str[:2].ne(aa)
        if wrong.any():
            raise SchemaError(f"{where(path, column=col, ids=numbers[wrong])}: bureau code "
                              f"does not start with arrondissement {aa} of commune={com!r}")
        numbers = numbers.where(~short, aa + numbers.str.zfill(2))
    return bureau_ids(pd.Series(com, index=gdf.index), numbers)


def read_bureaux(path: str | PathLike[str], *, id_field: str | None = None,
                 commune: str | None = None, crs: object | None = None,
                 drop_empty: bool = False) -> gpd.GeoDataFrame:
    """Read bureau-de-vote contours into ``bureau_id, commune_code, arrondissement_code,
    bureau_code, geometry`` (+ counts), in Lambert-93.

    Parameters
    ----------
    path : str or PathLike
        Recognised sources (from their fields): Etalab contours (``codeBureauVote``
        ``92002_0001``), REU-derived contours (``CODE_BV`` ``04036_2`` with ``INSEE_COM``),
        Ville de Paris secteurs (``id_bv`` ``19-5``), Paris 2012 (``arrondisse``,
        ``num_bv``, ``ID``).
    id_field : str, optional
        Field holding ``<commune>_<bureau>`` or Paris ``AA-N`` ids, for other sources; with
        ``commune=``, a bare bureau number (``1``, ``"0001"``, ``"12A"``).
    commune : str, optional
        INSEE code of the commune of every feature, when ``id_field`` holds bare bureau
        numbers: ids are built as the results loaders build them (``"69123"`` + ``"0101"``
        -> ``69123_101``: leading zeros stripped, Paris/Lyon/Marseille under the city). An
        arrondissement code (``"69381"``) with numbers of 1-2 digits gives the city's
        ``AANN`` codes (``69123_101``). Values already written ``<commune>_<bureau>`` must
        name this commune.
    crs : object, optional
        The file's true CRS: used when the file has none, and overriding a wrong one (a
        bad ``.prj``; see :func:`swingcast.load.lambert.to_lambert93`).
    drop_empty : bool
        Drop bureaux without geometry (with a warning) instead of raising.

    Returns
    -------
    GeoDataFrame
        One row per bureau, EPSG:2154, ids as in :mod:`swingcast.schema` (Paris bureaux
        under 75056 with ``arrondissement_code`` 751AA). ``commune_name`` when the source
        has it; Paris counts ``nbr_elect_f`` -> ``registered`` (French voters registered),
        ``nbr_elect_e_m`` -> ``registered_eu_municipal``, ``nbr_elect_e_e`` ->
        ``registered_eu_european``. A bureau drawn as several features is dissolved into
        one MultiPolygon (other columns from its first feature), logged, and listed in
        ``attrs["dissolved"]``. Bureaux whose polygons overlap by more than 1% of the
        smaller one, or share one polygon, are warned about with their ids and areas and
        listed in ``attrs["overlaps"]`` (:mod:`swingcast.load.overlaps`).

    Raises
    ------
    SchemaError
        Unknown source layout or malformed ids (named in the message).
    CRSError, GeometryError
        See :func:`swingcast.load.lambert.to_lambert93`; also a feature that is not a
        (Multi)Polygon (ids named).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from shapely.geometry import box
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "bv.geojson"
    >>> gpd.GeoDataFrame({"codeBureauVote": ["92002_0001", "92002_0002"]},
    ...                  geometry=[box(2.29, 48.75, 2.30, 48.76), box(2.30, 48.75, 2.31, 48.76)],
    ...                  crs="EPSG:4326").to_file(p)
    >>> bv = read_bureaux(p)
    >>> bv["bureau_id"].tolist(), bv.crs.to_epsg()
    (['92002_1', '92002_2'], 2154)

    Bare bureau numbers of one commune (Lyon numbers its bureaux ``AANN``):

    >>> q = p.with_name("lyon.geojson")
    >>> gpd.GeoDataFrame({"num": [101, 102]},
    ...                  geometry=[box(4.83, 45.76, 4.84, 45.77), box(4.84, 45.76, 4.85, 45.77)],
    ...                  crs="EPSG:4326").to_file(q)
    >>> read_bureaux(q, id_field="num", commune="69123")["bureau_id"].tolist()
    ['69123_101', '69123_102']
    """
    path = Path(path)
    if path.suffix.lower() in (".csv", ".parquet", ".txt"):
        raise SchemaError(
            f"{path}: a table, not a vector layer of bureau contours; expected GeoJSON, "
            "GeoPackage or shapefile (the REU bureaux table 'table-bv-reu' has no geometry: "
            "read it with swingcast.load.reu.read_reu_bureaux, or pass it as bureaux= to "
            "read_addresses)")
    gdf = read_vector(path)
    f = {name: _field(gdf, name) for name in
         ("codeBureauVote", "CODE_BV", "INSEE_COM", "id_bv", "arrondisse", "num_bv",
          "nomCommune", "COMMUNE")}
    if commune is not None and id_field is None:
        raise SchemaError(f"{path}: commune={commune!r} needs id_field= (the field holding "
                          f"the bureau numbers); fields are {list(gdf.columns.drop(GEOMETRY))}")
    if id_field is not None:
        col = _field(gdf, id_field)
        if col is None:
            raise SchemaError(f"{path}: no field {id_field!r}; fields are "
                              f"{list(gdf.columns.drop(GEOMETRY))}")
    if commune is not None:
        ids, source = _bare_bureau(gdf, path, col, commune), f"field {col}, commune {commune}"
    elif id_field is not None:
        sample = gdf[col].astype("string").str.strip()
        if sample.str.fullmatch(r"\d{1,2}-\d{1,2}").fillna(False).all():
            ids, source = _paris_2017(gdf, path, col), "Paris secteurs"
        else:
            ids, source = _commune_bureau(gdf, path, col), f"field {col}"
    elif f["codeBureauVote"]:
        ids, source = _commune_bureau(gdf, path, f["codeBureauVote"]), "Etalab contours"
    elif f["CODE_BV"]:
        ids = _commune_bureau(gdf, path, f["CODE_BV"], f["INSEE_COM"])
        source = "REU contours (CODE_BV)"
    elif f["id_bv"] and f["arrondisse"] is None:
        ids, source = _paris_2017(gdf, path, f["id_bv"]), "Paris secteurs"
    elif f["arrondisse"] and f["num_bv"]:
        ids, source = _paris_2012(gdf, path, f["arrondisse"], f["num_bv"]), "Paris 2012"
    else:
        raise SchemaError(
            f"{path}: bureau layout not recognised (fields {list(gdf.columns.drop(GEOMETRY))}); "
            "expected codeBureauVote, CODE_BV, id_bv ('AA-N'), arrondisse/num_bv, or pass "
            "id_field="
        )
    out = ids.copy()
    name_f = f["nomCommune"] or f["COMMUNE"]
    if name_f:
        out[COMMUNE_NAME] = gdf[name_f].astype("string")
    for raw, new in _BUREAU_COUNTS.items():
        col = _field(gdf, raw)
        if col is not None:
            out[new] = pd.to_numeric(gdf[col], errors="raise").astype("Int64")
    out = gpd.GeoDataFrame(out, geometry=gdf.geometry.to_numpy(), crs=gdf.crs)
    return _finish_areas(out, path, BUREAU_ID, source, "bureaux", crs=crs, drop_empty=drop_empty)

