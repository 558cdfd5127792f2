"""Point layers: REU address points with their bureau, and Paris polling places, in Lambert-93.

Both readers build points from a table (longitude/latitude columns, or Paris's
``geo_point_2d`` "lat, lon") and pass them to :func:`swingcast.load.lambert.to_lambert93`.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from swingcast._log import logger
from swingcast.errors import CRSError, InputFormatError, SchemaError, where
from swingcast.load.contours import bureau_ids
from swingcast.load.lambert import to_lambert93
from swingcast.load.sources.codes import CITY_ARRONDISSEMENTS
from swingcast.schema import BUREAU_ID, COMMUNE_CODE, GEO_SCORE, N_ADDRESSES

__all__ = ["read_addresses", "read_polling_places"]

_REU_COLUMNS = ("id_brut_bv_reu", "code_commune_ref", "longitude", "latitude", "geo_score",
                "nb_adresses")
_ARRONDISSEMENT_CITY = {str(first + k): city for city, (first, n) in CITY_ARRONDISSEMENTS.items()
                        for k in range(n)}
_PARIS_PLACES = ("Identifiant du bureau de vote", "geo_point_2d")


def _read_rda(path: Path) -> pd.DataFrame:
    try:
        import pyreadr
    except ImportError as exc:
        raise InputFormatError(
            f"{path}: reading R data files needs the optional package pyreadr "
            "(pip install 'swingcast[dev]' or pip install pyreadr); or use the CSV export"
        ) from exc
    try:
        frames = pyreadr.read_r(str(path))
    except Exception as exc:  # pyreadr.custom_errors.LibrdataError and friends
        raise InputFormatError(f"{path}: cannot read as R data: {exc}") from exc
    if len(frames) != 1:
        raise InputFormatError(f"{path}: {len(frames)} objects in the R file "
                               f"({list(frames)}); expected one data frame")
    table = next(iter(frames.values()))
    return table.astype({c: "string" for c in table.columns if table[c].dtype == object})


def _number(table: pd.DataFrame, col: str, path: Path, line_offset: int) -> pd.Series:
    values = pd.to_numeric(table[col], errors="coerce")
    bad = values.isna()
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise SchemaError(f"{where(path, line=pos + line_offset, column=col)}: value "
                          f"{table[col].iloc[pos]!r} is not a number ({int(bad.sum())} in all)")
    return values.astype("float64")


def _check_degrees(table: pd.DataFrame, lon: pd.Series, lat: pd.Series, path: Path,
                   line_offset: int) -> None:
    """Refuse a WGS84 coordinate out of range, naming its line and column."""
    for values, col, limit in ((lon, "longitude", 180), (lat, "latitude", 90)):
        out = values.abs() > limit
        if out.any():
            pos = int(np.flatnonzero(out.to_numpy())[0])
            raise CRSError(f"{where(path, line=pos + line_offset, column=col)}: "
                           f"{table[col].iloc[pos]!r} is not a {col} in degrees (EPSG:4326, "
                           f"expected -{limit}..{limit}; {int(out.sum())} such values)")


def _points(table: pd.DataFrame, lon: pd.Series, lat: pd.Series, path: Path,
            id_column: str) -> gpd.GeoDataFrame:
    gdf = gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    return to_lambert93(gdf, source=path, id_column=id_column)


def read_addresses(path: str | PathLike[str], *,
                   bureaux: str | PathLike[str] | pd.DataFrame | None = None
                   ) -> gpd.GeoDataFrame:
    """Read REU address points with their bureau into a point layer in Lambert-93.

    Parameters
    ----------
    path : str or PathLike
        A CSV or Parquet (or ``.rda``, which needs the optional package ``pyreadr``) with
        columns ``id_brut_bv_reu`` (``29039_1``), ``code_commune_ref``, ``longitude``,
        ``latitude`` (WGS84), ``geo_score``, ``nb_adresses`` (and optionally ``geo_type``):
        the INSEE ``table-adresses-reu`` of the Répertoire électoral unique 2022 (other
        columns are ignored) or its mapvotr sample. ``code_commune_ref`` may be a Paris,
        Lyon or Marseille arrondissement of the city named by the id.
    bureaux : str, PathLike or DataFrame, optional
        The REU bureaux table (``table-bv-reu``, see :func:`swingcast.load.reu.
        read_reu_bureaux`): ``bureau_id`` is then the Ministry's id of the bureau (the id of
        the results files, from ``id_brut_miom``) instead of the REU id, which is kept in
        ``reu_id``. Points whose REU bureau is not in the table, or has no Ministry id, keep
        a NA ``bureau_id``; they are counted in a warning and listed in
        ``attrs["unmatched_reu"]``.

    Returns
    -------
    GeoDataFrame
        ``bureau_id, commune_code, n_addresses, geo_score`` (+ ``geo_type``; + ``reu_id``
        with ``bureaux=``), points in EPSG:2154, one row per input row.

    Raises
    ------
    SchemaError
        Missing column, malformed bureau id, commune of the id differing from
        ``code_commune_ref``, non-numeric coordinate or count (line and column named).
    CRSError
        A longitude or latitude out of the range of degrees (line and column named).
    InputFormatError
        Unreadable file, or ``.rda`` without pyreadr.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "reu.csv"
    >>> _ = p.write_text("id_brut_bv_reu,code_commune_ref,longitude,latitude,geo_type,"
    ...                  "geo_score,nb_adresses\\n29039_1,29039,-3.91,47.87,housenumber,0.96,2\\n")
    >>> a = read_addresses(p)
    >>> a[["bureau_id", "commune_code", "n_addresses"]].values.tolist(), a.crs.to_epsg()
    ([['29039_1', '29039', 2]], 2154)
    """
    path = Path(path)
    if not path.is_file():
        raise InputFormatError(f"{path}: no such file; expected REU address points")
    if path.suffix.lower() in (".rda", ".rdata", ".rds"):
        table, offset = _read_rda(path), 1
    else:
        from swingcast.load.reu import read_table_any

        table, offset = read_table_any(path), 2  # header is line 1 (Parquet: row + 1)
    missing = [c for c in _REU_COLUMNS if c not in table.columns]
    if missing:
        raise SchemaError(f"{path}: missing columns {missing}; expected {list(_REU_COLUMNS)}")
    raw = table["id_brut_bv_reu"].astype("string").str.strip()
    parts = raw.str.extract(r"^(\d{5}|2[AB]\d{3})_([0-9A-Za-z]+)$")
    bad = parts.isna().any(axis=1)
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise SchemaError(f"{where(path, line=pos + offset, column='id_brut_bv_reu')}: "
                          f"malformed bureau id {raw.iloc[pos]!r}; expected '<commune>_<bureau>'")
    ref = table["code_commune_ref"].astype("string").str.strip().str.zfill(5)
    ref = ref.map(lambda c: _ARRONDISSEMENT_CITY.get(c, c)).astype("string")
    off = ref.ne(parts[0])
    if off.any():
        pos = int(np.flatnonzero(off.to_numpy())[0])
        raise SchemaError(f"{where(path, line=pos + offset, column='code_commune_ref')}: "
                          f"commune {ref.iloc[pos]!r} differs from bureau {raw.iloc[pos]!r}")
    ids = bureau_ids(parts[0], parts[1])
    out = pd.DataFrame({BUREAU_ID: ids[BUREAU_ID], COMMUNE_CODE: ids[COMMUNE_CODE]})
    unmatched: list[str] = []
    if bureaux is not None:
        from swingcast.load.reu import REU_ID, read_reu_bureaux

        table_bv = read_reu_bureaux(bureaux)
        to_miom = pd.Series(table_bv[BUREAU_ID].to_numpy(), index=table_bv[REU_ID].to_numpy())
        out[REU_ID] = raw.to_numpy()
        out[BUREAU_ID] = raw.map(to_miom).astype("string").to_numpy()
        lost = out[BUREAU_ID].isna()
        if lost.any():
            unmatched = sorted(set(out.loc[lost, REU_ID]))
            logger.warning("%s: %d address points (%d REU bureaux) have no Ministry bureau in "
                           "the bureaux table: %s", path, int(lost.sum()), len(unmatched),
                           ", ".join(unmatched[:10]))
    counts = _number(table, "nb_adresses", path, offset)
    if (counts < 0).any() or (counts != counts.round()).any():
        pos = int(np.flatnonzero(((counts < 0) | (counts != counts.round())).to_numpy())[0])
        raise SchemaError(f"{where(path, line=pos + offset, column='nb_adresses')}: "
                          "expected a non-negative whole number of addresses")
    out[N_ADDRESSES] = counts.astype("int64")
    out[GEO_SCORE] = _number(table, "geo_score", path, offset)
    if "geo_type" in table.columns:
        out["geo_type"] = table["geo_type"].astype("string")
    lon = _number(table, "longitude", path, offset)
    lat = _number(table, "latitude", path, offset)
    _check_degrees(table, lon, lat, path, offset)
    gdf = _points(out.reset_index(drop=True), lon.to_numpy(), lat.to_numpy(), path, BUREAU_ID)
    if bureaux is not None:
        gdf.attrs["unmatched_reu"] = unmatched
    logger.info("%s: %d address points, %d addresses, %d bureaux", path, len(gdf),
                int(gdf[N_ADDRESSES].sum()), gdf[BUREAU_ID].nunique())
    return gdf


def read_polling_places(path: str | PathLike[str]) -> gpd.GeoDataFrame:
    """Read the Ville de Paris polling places (one point per bureau) in Lambert-93.

    Parameters
    ----------
    path : str or PathLike
        ``;`` CSV with ``Identifiant du bureau de vote`` (``1-7``), ``geo_point_2d``
        (``"lat, lon"``) and optionally ``Libellé du bureau de vote``, ``Adresse``,
        ``Code Postal``.

    Returns
    -------
    GeoDataFrame
        ``bureau_id, commune_code, arrondissement_code, bureau_code, place_name, address,
        postcode``, points in EPSG:2154, one row per bureau.

    Raises
    ------
    SchemaError
        Missing columns, malformed ids or points, duplicated bureaux (line named).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "lieux.csv"
    >>> _ = p.write_text("Identifiant du bureau de vote;geo_point_2d\\n"
    ...                  "1-7;48.8646528675, 2.33548835983\\n", encoding="utf-8")
    >>> places = read_polling_places(p)
    >>> places[["bureau_id", "arrondissement_code"]].values.tolist()
    [['75056_107', '75101']]
    """
    path = Path(path)
    if not path.is_file():
        raise InputFormatError(f"{path}: no such file; expected the Paris polling places CSV")
    try:
        table = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False,
                            encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputFormatError(f"{path}: cannot parse as a ';' CSV: {exc}") from exc
    missing = [c for c in _PARIS_PLACES if c not in table.columns]
    if missing:
        raise SchemaError(f"{path}: missing columns {missing}; expected {list(_PARIS_PLACES)}")
    raw = table["Identifiant du bureau de vote"].astype("string").str.strip()
    parts = raw.str.extract(r"^(\d{1,2})-(\d{1,2})$")
    point = table["geo_point_2d"].astype("string").str.extract(
        r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$")
    for frame, column, expected in ((parts, "Identifiant du bureau de vote", "'AA-N'"),
                                    (point, "geo_point_2d", "'lat, lon'")):
        bad = frame.isna().any(axis=1)
        if bad.any():
            pos = int(np.flatnonzero(bad.to_numpy())[0])
            raise SchemaError(f"{where(path, line=pos + 2, column=column)}: value "
                              f"{table[column].iloc[pos]!r}; expected {expected}")
    bureau = parts[0].str.zfill(2) + parts[1].str.zfill(2)
    out = bureau_ids(pd.Series("75056", index=table.index), bureau)
    dup = out[BUREAU_ID].duplicated(keep=False)
    if dup.any():
        lines = [int(i) + 2 for i in np.flatnonzero(dup.to_numpy())[:10]]
        raise SchemaError(f"{where(path, ids=out.loc[dup, BUREAU_ID].unique())}: bureau listed "
                          f"twice (lines {lines}); expected one polling place per bureau")
    for src, new in (("Libellé du bureau de vote", "place_name"), ("Adresse", "address"),
                     ("Code Postal", "postcode")):
        if src in table.columns:
            out[new] = table[src].astype("string")
    lat = point[0].astype("float64").to_numpy()
    lon = point[1].astype("float64").to_numpy()
    return _points(out.reset_index(drop=True), lon, lat, path, BUREAU_ID)
