"""The INSEE Répertoire électoral unique (REU) 2022 bureaux table, and REU -> Ministry ids.

INSEE published with the geocoded addresses of the electoral roll a table of the bureaux
(``table-bv-reu``, CSV ``,`` or Parquet): one row per REU bureau, with ``id_brut_reu``
(``<commune>_<n>``, the id the addresses table names ``id_brut_bv_reu``), ``code_commune``,
``id_brut_miom`` (the Ministry's id of the same bureau, the one of the results files;
``<commune>_<bureau>``, sometimes without its zero padding, sometimes empty), the bureau's
name and address as in the REU (``libelle_reu``, ``num_voie_reu``, ``voie_reu``, ``cp_reu``,
``commune_reu``) and as known to INSEE (``*_insee``, ``id_brut_insee``), matching flags and
``nb_adresses``. :func:`read_reu_bureaux` reads it; :func:`swingcast.load.addresses.
read_addresses` uses it (``bureaux=``) to give address points the results' bureau ids.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from swingcast._log import logger
from swingcast.errors import InputFormatError, SchemaError, where
from swingcast.load.contours import bureau_ids
from swingcast.schema import BUREAU_ID, COMMUNE_CODE, N_ADDRESSES

__all__ = ["read_reu_bureaux", "read_table_any", "is_reu_bureaux", "REU_ID"]

#: Column of the REU id of a bureau in the outputs.
REU_ID = "reu_id"
_REQUIRED = ("id_brut_reu", "code_commune", "id_brut_miom")
_ID = r"^(\d{5}|2[AB]\d{3})_([0-9A-Za-z]+)$"


def read_table_any(path: Path, columns: tuple[str, ...] | None = None) -> pd.DataFrame:
    """A CSV (separator sniffed, UTF-8) or Parquet table as strings ("" for missing).

    Examples
    --------
    >>> read_table_any(Path("tests/data/reu/table-bv-reu_extrait.csv")).shape[0]
    4
    """
    if not path.is_file():
        raise InputFormatError(f"{path}: no such file; expected a CSV or Parquet table")
    with open(path, "rb") as handle:
        magic = handle.read(4)
    try:
        if magic == b"PAR1":
            table = pd.read_parquet(path, columns=list(columns) if columns else None)
            for col in table.columns:
                values = table[col]
                if pd.api.types.is_float_dtype(values) and values.dropna().eq(
                        values.dropna().round()).all():
                    values = values.astype("Int64")
                table[col] = values.astype("string").fillna("")
            return table
        return pd.read_csv(path, dtype=str, keep_default_na=False, sep=None, engine="python",
                           encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError, OSError, ValueError) as exc:
        raise InputFormatError(f"{path}: cannot read as a CSV or Parquet table: {exc}") from exc


def is_reu_bureaux(columns: list[str]) -> bool:
    """Whether a header is the one of the REU bureaux table.

    Examples
    --------
    >>> is_reu_bureaux(["id_bv", "code_commune", "id_brut_reu", "id_brut_miom"])
    True
    """
    return "id_brut_reu" in columns and "id_brut_miom" in columns


def read_reu_bureaux(path: str | PathLike[str] | pd.DataFrame) -> pd.DataFrame:
    """Read the REU bureaux table (``table-bv-reu``) into one row per REU bureau.

    Parameters
    ----------
    path : str, PathLike or DataFrame
        ``table-bv-reu.csv`` or ``.parquet`` (or the same table already read).

    Returns
    -------
    DataFrame
        ``reu_id`` (``id_brut_reu``), ``bureau_id`` (the Ministry id of :mod:`swingcast.
        schema`, from ``id_brut_miom``; NA when the table gives none), ``commune_code``,
        ``bureau_name`` (``libelle_reu``), ``n_addresses`` (``nb_adresses`` when present).
        ``attrs["without_miom"]`` lists the REU bureaux with no Ministry id (logged).

    Raises
    ------
    SchemaError
        Missing column, malformed ``id_brut_reu``/``id_brut_miom``, an ``id_brut_miom``
        of another commune, a REU id listed twice (line and column named).

    Examples
    --------
    >>> b = read_reu_bureaux("tests/data/reu/table-bv-reu_extrait.csv")
    >>> b[["reu_id", "bureau_id"]].values.tolist()[:2]
    [['29039_1', '29039_1'], ['29039_2', '29039_2']]
    """
    if isinstance(path, pd.DataFrame):
        table, source = path.astype("string").fillna(""), "<DataFrame>"
    else:
        source = Path(path)
        table = read_table_any(source)
    missing = [c for c in _REQUIRED if c not in table.columns]
    if missing:
        raise SchemaError(f"{source}: missing columns {missing}; expected the REU bureaux "
                          f"table ({', '.join(_REQUIRED)}, ...)")
    reu = table["id_brut_reu"].astype("string").str.strip()
    parts = reu.str.extract(_ID)
    bad = parts.isna().any(axis=1)
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise SchemaError(f"{where(source, line=pos + 2, column='id_brut_reu')}: malformed "
                          f"REU bureau id {reu.iloc[pos]!r}; expected '<commune>_<n>'")
    dup = reu.duplicated(keep=False)
    if dup.any():
        raise SchemaError(f"{where(source, column='id_brut_reu', ids=reu[dup].unique())}: "
                          "REU bureau listed twice; expected one row per bureau")
    commune = table["code_commune"].astype("string").str.strip().str.zfill(5)
    miom = table["id_brut_miom"].astype("string").str.strip().replace("", pd.NA)
    mparts = miom.str.extract(_ID)
    malformed = miom.notna() & mparts.isna().any(axis=1)
    if malformed.any():
        pos = int(np.flatnonzero(malformed.to_numpy())[0])
        raise SchemaError(f"{where(source, line=pos + 2, column='id_brut_miom')}: malformed "
                          f"Ministry bureau id {miom.iloc[pos]!r}; expected '<commune>_<bureau>'")
    other = miom.notna() & mparts[0].ne(commune) & mparts[0].ne(parts[0])
    if other.any():
        pos = int(np.flatnonzero(other.fillna(False).to_numpy())[0])
        raise SchemaError(f"{where(source, line=pos + 2, column='id_brut_miom')}: "
                          f"{miom.iloc[pos]!r} is not in commune {commune.iloc[pos]!r}")
    has = miom.notna().to_numpy()
    ids = pd.Series(pd.NA, index=table.index, dtype="string")
    if has.any():
        ids[has] = bureau_ids(mparts.loc[has, 0], mparts.loc[has, 1])[BUREAU_ID].to_numpy()
    out = pd.DataFrame({REU_ID: reu.to_numpy(), BUREAU_ID: ids.to_numpy(),
                        COMMUNE_CODE: bureau_ids(parts[0], parts[1])[COMMUNE_CODE].to_numpy()})
    out[BUREAU_ID] = out[BUREAU_ID].astype("string")
    if "libelle_reu" in table.columns:
        out["bureau_name"] = table["libelle_reu"].astype("string").replace("", pd.NA).to_numpy()
    if "nb_adresses" in table.columns:
        out[N_ADDRESSES] = pd.to_numeric(table["nb_adresses"].replace("", None),
                                         errors="raise").astype("Int64").to_numpy()
    without = out.loc[out[BUREAU_ID].isna(), REU_ID].tolist()
    if without:
        logger.warning("%s: %d REU bureaux have no Ministry id (id_brut_miom): %s", source,
                       len(without), ", ".join(without[:10]))
    out.attrs.update(source=str(source), without_miom=without)
    return out
