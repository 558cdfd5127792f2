"""Contacts bridge (the NationBuilder side): assign contacts to bureaux and export segments.

A contact list is personal data revealing political opinions (GDPR art. 9). This module
therefore never logs, prints or puts in an error message any value of a contact row: messages
give line numbers and column names only, and contacts are written to nowhere but the output
file the caller names. No geocoding: a contact needs either a ``bureau_id`` or coordinates
(``latitude``/``longitude`` in WGS84; ``lat``/``lon``/``lng`` are accepted).

Rows that cannot be used (unreadable coordinates, point outside every bureau, unknown bureau
id) are skipped and *counted* in a :class:`ContactsReport` with their line numbers, or refused
with ``on_skip="raise"``; they are never dropped silently.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from swingcast import schema as S
from swingcast._log import logger
from swingcast.csvout import write_csv
from swingcast.errors import CRSError, InputFormatError, TargetingError, where

__all__ = [
    "ContactsReport",
    "looks_personal",
    "read_contacts",
    "assign_bureaux",
    "segment",
    "export_segment",
    "contacts_segment",
]

LINE = "_line"
LAT_NAMES = ("latitude", "lat")
LON_NAMES = ("longitude", "lon", "lng")
#: NationBuilder's support level: 1 strong support ... 5 strong opposition
SUPPORT_LEVEL = "support_level"
SKIP_REASONS = ("malformed", "outside", "unknown_bureau")


@dataclass
class ContactsReport:
    """What happened to each row: counts and line numbers only, never contact values.

    Examples
    --------
    >>> r = ContactsReport(rows=3, assigned=2, skipped={"outside": [4]})
    >>> str(r)
    '3 contact rows: 2 assigned to a bureau, 1 skipped (outside: 1, lines 4)'
    """

    rows: int = 0
    assigned: int = 0
    skipped: dict[str, list[int]] = field(default_factory=dict)

    @property
    def n_skipped(self) -> int:
        """Number of rows skipped, all reasons together."""
        return sum(len(v) for v in self.skipped.values())

    def __str__(self) -> str:
        parts = []
        for reason, lines in self.skipped.items():
            if lines:
                shown = ", ".join(map(str, lines[:10])) + (" ..." if len(lines) > 10 else "")
                parts.append(f"{reason}: {len(lines)}, lines {shown}")
        text = f"{self.rows} contact rows: {self.assigned} assigned to a bureau"
        return text + (f", {self.n_skipped} skipped ({'; '.join(parts)})" if parts else "")


def _find(columns: Iterable[str], names: tuple[str, ...]) -> str | None:
    lower = {c.strip().lower(): c for c in columns}
    for n in names:
        if n in lower:
            return lower[n]
    return None


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_NUMBER = re.compile(r"[+(]?\d[\d\s().,/+-]*")


def looks_personal(cell: str) -> bool:
    """Whether a cell looks like data rather than a column name (an e-mail, a number).

    Used to tell a contact list without header row: its first line is a person.

    Examples
    --------
    >>> looks_personal("jean@example.org"), looks_personal("+33 6 11 22 33 44")
    (True, True)
    >>> looks_personal("email"), looks_personal("latitude")
    (False, False)
    """
    cell = cell.strip()
    return bool(_EMAIL.fullmatch(cell) or _NUMBER.fullmatch(cell))


def _decode(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputFormatError(
            f"{path}: cannot read the contact list ({exc.strerror or type(exc).__name__})"
        ) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputFormatError(
            f"{where(path, line=line)}: cannot read the contact list (expected UTF-8 text)"
        ) from None


def _records(text: str, sep: str, path: Path) -> tuple[list[list[str]], list[int], int]:
    """Records and the physical line each starts on; refuse any record whose field count
    differs from the header's, and quoted fields that swallow whole records."""
    # lines end at "\n" only: a lone "\r" inside a quoted cell does not start a line
    physical = text.split("\n")
    if physical and physical[-1] == "":
        physical.pop()
    reader = csv.reader((line + "\n" for line in physical), delimiter=sep, strict=True)
    records: list[list[str]] = []
    starts: list[int] = []
    previous = 0
    n_header = 0
    while True:
        start = previous + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error:  # the parser's message is not kept: it may quote a cell
            raise InputFormatError(
                f"{where(path, line=start)}: malformed CSV record (a quote is not closed or "
                "is followed by text); expected fields separated by "
                f"{sep!r}, quotes around whole fields"
            ) from None
        end = reader.line_num
        previous = end
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # blank line
        if not records:
            n_header = len(row)
        elif len(row) != n_header:
            raise InputFormatError(
                f"{where(path, line=start)}: {len(row)} fields, the header (line 1) has "
                f"{n_header}; expected every line to have the header's fields"
            )
        if end > start and records:
            swallowed = [n for n in range(start + 1, end + 1)
                         if n - 1 < len(physical) and len(next(csv.reader(
                             [physical[n - 1]], delimiter=sep), [])) >= n_header]
            if swallowed:
                raise InputFormatError(
                    f"{where(path, line=start)}: a quoted field opens on this line and runs "
                    f"to line {end}, over line {swallowed[0]} that has all the fields of a "
                    "record; expected the quote closed on its own line (an unclosed quote "
                    "would swallow contacts)"
                )
        records.append(row)
        starts.append(start)
    return records, starts, n_header


def read_contacts(path: str | PathLike[str]) -> pd.DataFrame:
    """Read a contact list (CSV, ``,`` or ``;`` separated, UTF-8) without interpreting values.

    The file must be rectangular: a line with more or fewer fields than the header, an
    unclosed quote or a header row that looks like a contact (an e-mail address or a
    number in it) is refused. No message ever contains a cell of the file, the header's
    included (a file without header has a person on its first line): only line numbers,
    field counts and the column names swallowed expects.

    Parameters
    ----------
    path : str or PathLike
        The CSV file. It needs a ``bureau_id`` column or ``latitude``/``longitude`` columns.

    Returns
    -------
    DataFrame
        Every column as strings, plus ``_line`` (the 1-based line number in the file, header =
        line 1, where the record starts) used in reports instead of any value.

    Raises
    ------
    InputFormatError
        Unreadable file, a malformed record, no header row, or neither a ``bureau_id`` nor
        coordinate columns.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); f = os.path.join(d, "c.csv")
    >>> _ = open(f, "w").write("email,latitude,longitude\\na@b.fr,48.86,2.35\\n")
    >>> read_contacts(f)["_line"].tolist()
    [2]
    >>> _ = open(f, "w").write("email,latitude,longitude\\na@b.fr,48.86,2.35,x\\n")
    >>> read_contacts(f)
    Traceback (most recent call last):
    ...
    swingcast.errors.InputFormatError: ..., line 2: 4 fields, the header (line 1) has 3; expected every line to have the header's fields
    """
    path = Path(path)
    text = _decode(path)
    head = text.partition("\n")[0]
    sep = ";" if head.count(";") > head.count(",") else ","
    records, starts, n_header = _records(text, sep, path)
    if not records:
        raise InputFormatError(f"{path}: empty contact list; expected a header row and records")
    header = [c.strip() for c in records[0]]
    expected = (f"expected a column {S.BUREAU_ID!r} or columns 'latitude' and 'longitude' "
                "in a header row")
    if any(looks_personal(c) for c in header):
        raise InputFormatError(
            f"{where(path, line=1)}: the first line does not look like a header (a cell is an "
            f"e-mail address or a number; cells not shown: they may be a contact's); {expected}"
        )
    if len(set(header)) != len(header):
        first = next(i for i, c in enumerate(header) if header.index(c) != i)
        raise InputFormatError(
            f"{where(path, line=1)}: columns {header.index(header[first]) + 1} and "
            f"{first + 1} have the same name; {expected}"
        )
    has_id = S.BUREAU_ID in header
    has_xy = _find(header, LAT_NAMES) is not None and _find(header, LON_NAMES) is not None
    if not (has_id or has_xy):
        raise InputFormatError(
            f"{where(path, line=1)}: {expected}; none among the header's {n_header} columns "
            "(not shown: a file without header row has a contact on line 1)"
        )
    df = pd.DataFrame(records[1:], columns=header, dtype=object)
    df = df.astype({c: str for c in header}) if len(df) else df.astype(str)
    df[LINE] = np.asarray(starts[1:], dtype="int64")
    return df


def _coordinate(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values.str.strip().str.replace(",", ".", regex=False), errors="coerce")


def assign_bureaux(
    contacts: pd.DataFrame,
    bureaux: gpd.GeoDataFrame,
    *,
    source: str = "contacts",
    on_skip: str = "report",
) -> tuple[pd.DataFrame, ContactsReport]:
    """Give every contact the ``bureau_id`` of the polygon it lives in (or check its own).

    Parameters
    ----------
    contacts : DataFrame
        From :func:`read_contacts`. A non-empty ``bureau_id`` is checked against ``bureaux``;
        otherwise the point (``longitude``, ``latitude``, WGS84) is located in a polygon.
    bureaux : GeoDataFrame
        Bureau polygons indexed by ``bureau_id``, with a CRS.
    source : str
        File name for messages.
    on_skip : {"report", "raise"}
        Skip unusable rows and count them in the report (default), or refuse the whole list.

    Returns
    -------
    (DataFrame, ContactsReport)
        The assigned contacts (all their columns, ``bureau_id`` filled in) and the report.

    Raises
    ------
    TargetingError
        ``on_skip="raise"`` and some rows are unusable (line numbers and column names only).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame(geometry=[box(2.3, 48.8, 2.4, 48.9)],
    ...                      index=pd.Index(["75056_101"], name="bureau_id"), crs="EPSG:4326")
    >>> c = pd.DataFrame({"latitude": ["48.85", "45.0", "abc"],
    ...                   "longitude": ["2.35", "2.35", "2.35"], "_line": [2, 3, 4]})
    >>> assigned, report = assign_bureaux(c, g)
    >>> assigned["bureau_id"].tolist()
    ['75056_101']
    >>> print(report)
    3 contact rows: 1 assigned to a bureau, 2 skipped (malformed: 1, lines 4; outside: 1, lines 3)
    """
    if on_skip not in ("report", "raise"):
        raise TargetingError(f"on_skip = {on_skip!r}; expected 'report' or 'raise'")
    if bureaux.crs is None:
        raise CRSError("bureau geometries have no CRS; expected one (e.g. EPSG:4326)")
    df = contacts.copy()
    if LINE not in df.columns:
        df[LINE] = np.arange(2, len(df) + 2)
    known = set(bureaux.index.astype(str))
    skipped: dict[str, list[int]] = {r: [] for r in SKIP_REASONS}
    ids = (
        df[S.BUREAU_ID].astype(str).str.strip()
        if S.BUREAU_ID in df.columns
        else pd.Series("", index=df.index)
    )
    given = ids != ""
    unknown = given & ~ids.isin(known)
    skipped["unknown_bureau"] = df.loc[unknown, LINE].tolist()

    lat_col, lon_col = _find(df.columns, LAT_NAMES), _find(df.columns, LON_NAMES)
    to_locate = ~given
    if to_locate.any():
        if lat_col is None or lon_col is None:
            skipped["malformed"] = df.loc[to_locate, LINE].tolist()
            to_locate[:] = False
        else:
            lat, lon = _coordinate(df[lat_col]), _coordinate(df[lon_col])
            bad = to_locate & (
                lat.isna() | lon.isna() | (lat.abs() > 90) | (lon.abs() > 180)
            )
            skipped["malformed"] = df.loc[bad, LINE].tolist()
            to_locate &= ~bad
    if to_locate.any():
        pts = gpd.GeoDataFrame(
            {LINE: df.loc[to_locate, LINE]},
            geometry=gpd.points_from_xy(lon[to_locate], lat[to_locate]),
            crs="EPSG:4326",
        ).to_crs(bureaux.crs)
        polys = gpd.GeoDataFrame(
            {"_bid": bureaux.index.astype(str)}, geometry=bureaux.geometry.to_numpy(),
            crs=bureaux.crs,
        )
        hit = gpd.sjoin(pts, polys, how="left", predicate="within")
        hit = hit[~hit.index.duplicated(keep="first")]  # a point on a shared edge: first polygon
        found = hit["_bid"].notna()
        ids.loc[hit.index[found]] = hit.loc[found, "_bid"].astype(str)
        skipped["outside"] = hit.loc[~found, LINE].tolist()
    usable = ids.isin(known)
    report = ContactsReport(
        rows=len(df),
        assigned=int(usable.sum()),
        skipped={k: sorted(v) for k, v in skipped.items() if v},
    )
    if report.n_skipped and on_skip == "raise":
        raise TargetingError(f"{source}: {report}")
    if report.n_skipped:
        logger.warning("%s: %s", source, report)  # counts and line numbers only
    out = df.loc[usable].copy()
    out[S.BUREAU_ID] = ids[usable]
    return out, report


def segment(
    contacts: pd.DataFrame,
    ranking: pd.DataFrame,
    *,
    top: int = 50,
    support_levels: Iterable[int] | None = (1, 2),
    support_column: str = SUPPORT_LEVEL,
) -> pd.DataFrame:
    """Contacts living in the ``top`` bureaux of the ranking (optionally, supporters only).

    Parameters
    ----------
    contacts : DataFrame
        Assigned contacts (:func:`assign_bureaux`).
    ranking : DataFrame
        :func:`swingcast.target.value.rank_bureaux` output (``rank`` column, ``bureau_id`` index).
    top : int
        Keep bureaux with ``rank <= top``.
    support_levels : iterable of int, optional
        Keep contacts whose ``support_column`` is one of these (NationBuilder: 1 = strong
        support, 2 = lean support); None keeps everyone. Ignored, with a warning, when the
        column is absent.
    support_column : str
        Name of the support column.

    Returns
    -------
    DataFrame
        The selected contacts with their bureau's ``rank`` and a NationBuilder ``tag_list``.

    Examples
    --------
    >>> ranking = pd.DataFrame({"rank": [1, 2]}, index=pd.Index(["a", "b"], name="bureau_id"))
    >>> c = pd.DataFrame({"bureau_id": ["a", "b", "a"], "support_level": ["1", "1", "4"],
    ...                   "_line": [2, 3, 4]})
    >>> segment(c, ranking, top=1)["_line"].tolist()
    [2]
    """
    if not (isinstance(top, int) and top >= 1):
        raise TargetingError(f"top = {top!r}; expected an integer >= 1")
    ranks = ranking[S.RANK]
    out = contacts.join(ranks, on=S.BUREAU_ID)
    keep = out[S.RANK].notna() & (out[S.RANK] <= top)
    if support_levels is not None:
        if support_column in out.columns:
            levels = pd.to_numeric(out[support_column], errors="coerce")
            keep &= levels.isin([int(v) for v in support_levels])
        else:
            logger.warning("no column %r: segment not filtered on support", support_column)
    out = out.loc[keep].copy()
    out[S.RANK] = out[S.RANK].astype(int)
    out["tag_list"] = f"swingcast-top{top}"
    return out.sort_values([S.RANK, LINE], kind="stable")


def export_segment(selected: pd.DataFrame, path: str | PathLike[str]) -> Path:
    """Write a segment as a CSV ready for a NationBuilder import (no ``_line`` column).

    Cells starting with ``= + - @``, a tab or a carriage return (a spreadsheet or CRM would
    run them as formulas) are prefixed with ``'`` (:func:`swingcast.csvout.write_csv`).

    Examples
    --------
    >>> import tempfile, os
    >>> f = os.path.join(tempfile.mkdtemp(), "seg.csv")
    >>> export_segment(pd.DataFrame({"bureau_id": ["a"], "_line": [2]}), f).read_text()
    'bureau_id\\na\\n'
    """
    return write_csv(selected.drop(columns=[LINE], errors="ignore"), path)


def contacts_segment(
    contacts_path: str | PathLike[str],
    ranking: pd.DataFrame,
    bureaux: gpd.GeoDataFrame,
    out: str | PathLike[str],
    *,
    top: int = 50,
    support_levels: Iterable[int] | None = (1, 2),
    on_skip: str = "report",
) -> ContactsReport:
    """Read, assign, select and export in one call (what ``swingcast contacts`` runs).

    Returns
    -------
    ContactsReport
        Row counts (the number written is ``report.assigned`` minus those not selected).

    Examples
    --------
    >>> contacts_segment("contacts.csv", ranking, bureaux, "segment.csv")  # doctest: +SKIP
    """
    contacts = read_contacts(contacts_path)
    assigned, report = assign_bureaux(
        contacts, bureaux, source=str(contacts_path), on_skip=on_skip
    )
    selected = segment(assigned, ranking, top=top, support_levels=support_levels)
    export_segment(selected, out)
    logger.info("%s: %d contacts written to %s", contacts_path, len(selected), out)
    return report
