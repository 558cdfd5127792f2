"""Reading one election out of the national harmonised files (CSV or Parquet).

The data.gouv.fr ``general_results`` (~3 million rows) and ``candidats_results`` (~2 GB of
CSV) hold every election since 1999. :func:`read_harmonised_table` keeps only the rows of
the elections asked for: the Parquet files through a filter on ``id_election`` (only the
row groups needed are decoded), the CSV files in chunks of rows. Cells come back as
strings, with the 1-based line of each record (Parquet: the row number + 1, as if the
file had a header line).
"""

from __future__ import annotations

from collections.abc import Iterable
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from swingcast.errors import InputFormatError, SchemaError, where
from swingcast.load.sources.harmonised import ID_ELECTION
from swingcast.load.sources.textfile import LINE, Table, decode

__all__ = ["is_harmonised_file", "election_ids", "read_harmonised_table"]

_CODES = {"presidentielle": ("pres",), "legislatives": ("legi",), "europeennes": ("euro",),
          "municipales": ("muni",), "departementales": ("dpmt", "cant"),
          "regionales": ("regi",), "referendum": ("refe",)}
_CHUNK = 500_000


def _is_parquet(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(4) == b"PAR1"
    except OSError as exc:
        raise InputFormatError(f"{path}: cannot read the file ({exc.strerror})") from exc


def _header(path: Path) -> str:
    with open(path, "rb") as handle:
        raw = handle.read(1 << 16)
    if raw[:2] == b"\x1f\x8b":
        import gzip

        with gzip.open(path, "rb") as handle:
            raw = handle.read(1 << 16)
    return decode(raw.split(b"\n", 1)[0], path)[0]


def is_harmonised_file(path: str | PathLike[str]) -> bool:
    """Whether a file is a harmonised file: Parquet, or a text header naming ``id_election``.

    Examples
    --------
    >>> is_harmonised_file("tests/data/results/general_results_extrait.csv")
    True
    >>> is_harmonised_file("tests/data/results/PR17_BVot_T1_extrait.txt")
    False
    """
    p = Path(path)
    if not p.is_file():
        return False
    if _is_parquet(p):
        return True
    if p.suffix.lower() in (".xlsx", ".xls", ".xlsm"):
        return False
    try:
        header = _header(p)
    except (InputFormatError, OSError, EOFError):
        return False  # not text: another reader says what it is
    return ID_ELECTION in header.replace('"', "").replace(",", ";").split(";")


def election_ids(election: str | None, round: int | None) -> set[str] | None:
    """The ``id_election`` values of an election and round (None: every election).

    Examples
    --------
    >>> sorted(election_ids("2021-departementales", 1))
    ['2021_cant_t1', '2021_dpmt_t1']
    >>> sorted(election_ids("2022-presidentielle", None))
    ['2022_pres_t1', '2022_pres_t2']
    """
    if election is None:
        return None
    year, _, kind = election.partition("-")
    if kind not in _CODES or not year.isdigit():
        raise SchemaError(f"election {election!r} is not '<year>-<kind>' with kind in "
                          f"{', '.join(_CODES)}")
    rounds = (round,) if round is not None else (1, 2)
    return {f"{year}_{code}_t{r}" for code in _CODES[kind] for r in rounds}


def _parquet(path: Path, ids: set[str] | None) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    import pyarrow.compute as pc
    import pyarrow.dataset as ds

    dataset = ds.dataset(path, format="parquet")
    if ID_ELECTION not in dataset.schema.names:
        raise SchemaError(f"{path}: no column {ID_ELECTION!r}; expected a harmonised file")
    present = sorted(pc.unique(dataset.to_table(columns=[ID_ELECTION])[ID_ELECTION])
                     .to_pylist(), key=str)
    if ids is None:
        table = dataset.to_table()
        rows = np.arange(table.num_rows)
    else:
        table = dataset.to_table(filter=ds.field(ID_ELECTION).isin(sorted(ids)))
        rows = np.arange(table.num_rows)  # row numbers after filtering (Parquet has no lines)
    frame = table.to_pandas()
    for col in frame.columns:
        values = frame[col]
        if pd.api.types.is_float_dtype(values) and values.dropna().eq(values.dropna().round()).all():
            values = values.astype("Int64")
        frame[col] = values.astype("string").fillna("")
    return frame, rows + 2, [str(v) for v in present]


def _csv(path: Path, ids: set[str] | None) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    header = _header(path)
    sep = ";" if header.count(";") >= header.count(",") else ","
    with open(path, "rb") as handle:
        gz = handle.read(2) == b"\x1f\x8b"
    parts, lines, present = [], [], set()
    start = 2
    try:
        reader = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False,
                             chunksize=_CHUNK, encoding="utf-8-sig", engine="c",
                             compression="gzip" if gz else None)
        for chunk in reader:
            key = chunk[ID_ELECTION].str.strip().str.lower()
            present.update(key.unique())
            keep = np.ones(len(chunk), bool) if ids is None else key.isin(ids).to_numpy()
            if keep.any():
                parts.append(chunk[keep])
                lines.append(np.flatnonzero(keep) + start)
            start += len(chunk)
    except (UnicodeDecodeError, pd.errors.ParserError, KeyError) as exc:
        raise InputFormatError(f"{path}: cannot read as a harmonised {sep!r}-separated file: "
                               f"{exc}") from exc
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=header.split(sep))
    return frame, (np.concatenate(lines) if lines else np.array([], int)), sorted(present)


def read_harmonised_table(path: str | PathLike[str], ids: Iterable[str] | None = None) -> Table:
    """Cells of a harmonised file, only the rows whose ``id_election`` is in ``ids``.

    Parameters
    ----------
    path : str or PathLike
        ``general_results`` or ``candidats_results``, CSV (``;``, UTF-8, gzip allowed) or
        Parquet.
    ids : iterable of str, optional
        ``id_election`` values to keep (see :func:`election_ids`); None keeps every row.

    Returns
    -------
    Table
        Strings (empty for missing values), ``_line`` per record.

    Raises
    ------
    SchemaError
        No row of the elections asked for (the elections present are listed).

    Examples
    --------
    >>> t = read_harmonised_table("tests/data/results/general_results_extrait.csv",
    ...                           {"2019_euro_t1"})
    >>> t.frame[["id_election", "Inscrits", "_line"]].values.tolist()
    [['2019_euro_t1', '601', 4]]
    """
    p = Path(path)
    wanted = None if ids is None else {str(i).strip().lower() for i in ids}
    frame, lines, present = (_parquet if _is_parquet(p) else _csv)(p, wanted)
    if wanted is not None and len(frame) == 0:
        raise SchemaError(f"{where(p, column=ID_ELECTION)}: no row of {', '.join(sorted(wanted))}; "
                          f"the file holds {', '.join(present) or 'no election'}")
    frame = frame.reset_index(drop=True)
    frame.columns = [str(c).strip() for c in frame.columns]
    frame[LINE] = lines
    return Table(frame, p, None if _is_parquet(p) else "utf-8", None if _is_parquet(p) else ";")
