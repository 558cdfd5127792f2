"""``swingcast.check``: validate a set of input files before a run.

(The module is called ``preflight``, not ``check``, so that ``swingcast.check`` is, and
stays, the function: importing a submodule ``swingcast.check`` would replace it.)

Each file is recognised (results, census, IRIS contours, bureau contours, addresses,
polling places), read
with the project's own loader, and summarised: rows, distinct ids, elections or census
year, invariant breaks, and what the loader had to repair (its warnings). Files of
different kinds are then compared, within the communes both cover: census IRIS codes
against the IRIS contours (same edition?), result bureaux against bureau contours and
addresses (same ids?).

Verdicts, and the exit status of ``swingcast check``:

* ``0`` every file was read and nothing was repaired or inconsistent;
* ``1`` every file was read, but with warnings (invariant breaks recorded, duplicated
  bureaux dropped, invalid polygons repaired, ids that do not match across files) — a run
  would work, but look at them first;
* ``2`` at least one file is refused by its loader (the error says where and why).
"""

from __future__ import annotations

import contextlib
import gzip
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

import pandas as pd

from swingcast import schema
from swingcast._log import logger, quiet_library_warnings, reported_elsewhere
from swingcast.errors import InputFormatError, SwingcastError

__all__ = ["check", "CheckReport", "FileReport", "detect_kind", "KINDS"]

#: Kinds of input recognised, and the loader used for each.
KINDS = {
    "results": "swingcast.load.sources.read_results",
    "census": "swingcast.load.census.read_census",
    "iris": "swingcast.load.geometry.read_iris",
    "bureaux": "swingcast.load.geometry.read_bureaux",
    "addresses": "swingcast.load.geometry.read_addresses",
    "polling_places": "swingcast.load.geometry.read_polling_places",
    "contacts": "swingcast.target.contacts.read_contacts",
}
#: Column names of a contact list (NationBuilder exports and the like): such a file is read
#: by the contacts reader, whose messages never quote a cell.
_CONTACT_FIELDS = {"email", "e-mail", "mail", "courriel", "phone", "mobile", "telephone",
                   "téléphone", "nationbuilder_id", "first_name", "last_name",
                   "support_level"}
_VECTOR_SUFFIXES = (".gpkg", ".geojson", ".json", ".shp", ".fgb")
_IRIS_FIELDS = {"DCOMIRIS", "CODE_IRIS", "iris_code", "IRIS"}
_SNIFF_BYTES = 1 << 16
_SHOWN_IDS = 5


@dataclass
class FileReport:
    """What :func:`check` found in one file.

    Attributes
    ----------
    path : Path
    kind : str
        One of :data:`KINDS` (or ``"unknown"``).
    rows : int or None
        Records read (stations, IRIS, polygons, address points).
    ids : int or None
        Distinct identifiers (bureaux or IRIS).
    detail : str
        Elections and rounds, census year, or CRS.
    warnings : list of str
        Repairs and invariant breaks (the file is usable).
    error : str or None
        Why the loader refused the file.
    """

    path: Path
    kind: str
    rows: int | None = None
    ids: int | None = None
    detail: str = ""
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    exception: BaseException | None = field(default=None, repr=False)
    data: Any = field(default=None, repr=False)

    @property
    def status(self) -> str:
        """``"error"``, ``"warning"`` or ``"ok"``."""
        return "error" if self.error else ("warning" if self.warnings else "ok")

    def lines(self) -> list[str]:
        """The report of this file, one line per fact."""
        head = f"{self.path} [{self.kind}]: {self.status}"
        if self.error:
            return [head, f"  error: {self.error}"]
        facts = []
        if self.rows is not None:
            facts.append(f"{self.rows} rows")
        if self.ids is not None:
            facts.append(f"{self.ids} distinct ids")
        if self.detail:
            facts.append(self.detail)
        return [head, "  " + ", ".join(facts), *(f"  warning: {w}" for w in self.warnings)]


@dataclass
class CheckReport:
    """The result of :func:`check`: one :class:`FileReport` per file, plus cross-file checks.

    Examples
    --------
    >>> CheckReport([]).exit_code
    0
    """

    files: list[FileReport]
    cross: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[FileReport]:
        """Reports of the files refused."""
        return [f for f in self.files if f.error]

    @property
    def status(self) -> str:
        """``"error"`` if any file is refused, ``"warning"`` if anything was repaired or
        inconsistent, else ``"ok"``."""
        if self.errors:
            return "error"
        if self.cross or any(f.warnings for f in self.files):
            return "warning"
        return "ok"

    @property
    def exit_code(self) -> int:
        """0 (ok), 1 (warnings only) or 2 (a file is refused)."""
        return {"ok": 0, "warning": 1, "error": 2}[self.status]

    def __str__(self) -> str:
        out: list[str] = []
        for f in self.files:
            out += f.lines()
        if self.cross:
            out.append("across files:")
            out += [f"  warning: {w}" for w in self.cross]
        n_warn = sum(len(f.warnings) for f in self.files) + len(self.cross)
        out.append(f"{len(self.files)} file(s): {len(self.errors)} refused, {n_warn} warning(s)"
                   f" -> {self.status}")
        return "\n".join(out)

    def to_frame(self) -> pd.DataFrame:
        """One row per file: ``path, kind, status, rows, ids, detail, warnings, error``.

        Examples
        --------
        >>> list(CheckReport([]).to_frame().columns)
        ['path', 'kind', 'status', 'rows', 'ids', 'detail', 'warnings', 'error']
        """
        rows = [{"path": str(f.path), "kind": f.kind, "status": f.status, "rows": f.rows,
                 "ids": f.ids, "detail": f.detail, "warnings": len(f.warnings),
                 "error": f.error} for f in self.files]
        columns = ["path", "kind", "status", "rows", "ids", "detail", "warnings", "error"]
        return pd.DataFrame(rows, columns=columns).astype({"rows": "Int64", "ids": "Int64"})


# --- recognising a file ------------------------------------------------------------------


def _head_cells(path: Path) -> list[set[str]]:
    """Cells of the first lines of a text or spreadsheet file (no full read)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        import openpyxl

        try:
            with quiet_library_warnings():
                book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception:  # not a workbook: the loader will say so
            return []
        try:
            sheet = book.worksheets[0]
            return [{str(c).strip() for c in row if c is not None}
                    for row in sheet.iter_rows(max_row=60, values_only=True)]
        finally:
            book.close()
    try:
        with open(path, "rb") as handle:
            raw = handle.read(_SNIFF_BYTES)
        if raw[:2] == b"\x1f\x8b":
            with gzip.open(path, "rb") as handle:
                raw = handle.read(_SNIFF_BYTES)
    except (OSError, EOFError):
        return []
    text = raw.decode("utf-8", errors="replace").lstrip("\ufeff")
    out = []
    for line in text.splitlines()[:60]:
        sep = max(";,\t", key=line.count)
        out.append({c.strip().strip('"') for c in line.split(sep)})
    return out


def _is_contact_list(lines: list[set[str]]) -> bool:
    """A contact list: contact column names, or an e-mail address in the first lines (a list
    without header row). Such files must not reach a loader that quotes cells."""
    from swingcast.target.contacts import looks_personal

    if lines and {c.lower() for c in lines[0]} & _CONTACT_FIELDS:
        return True
    return any("@" in c and looks_personal(c) for cells in lines[:5] for c in cells)


def detect_kind(path: str | PathLike[str]) -> str:
    """Guess what a file is from its name and first lines.

    Parameters
    ----------
    path : str or PathLike

    Returns
    -------
    str
        ``"results"``, ``"census"`` (a line with an ``IRIS`` cell), ``"addresses"``
        (``longitude``/``latitude`` columns, or an ``.rda``), ``"polling_places"`` (a
        ``geo_point_2d`` column, Paris open data), ``"contacts"`` (contact columns such as
        ``email`` or ``phone``, or an e-mail address in the first lines: read by
        :func:`~swingcast.target.contacts.read_contacts`, which never quotes a cell),
        ``"iris"`` (a vector layer with an IRIS code field) or ``"bureaux"`` (any other
        vector layer).

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "rp.csv")
    >>> _ = open(p, "w").write("IRIS;C11_POP15P\\n751010101;784\\n")
    >>> detect_kind(p)
    'census'
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".rda":
        return "addresses"
    if suffix in _VECTOR_SUFFIXES:
        import pyogrio

        try:
            fields = set(pyogrio.read_info(p)["fields"])
        except Exception:  # unreadable: read_bureaux will give the error with the path
            return "bureaux"
        return "iris" if fields & _IRIS_FIELDS else "bureaux"
    lines = _head_cells(p)
    if _is_contact_list(lines):
        return "contacts"
    if lines and {"longitude", "latitude"} <= lines[0]:
        return "addresses"
    if lines and "geo_point_2d" in lines[0]:
        return "polling_places"
    if any("IRIS" in cells for cells in lines):
        return "census"
    return "results"


# --- reading one file --------------------------------------------------------------------


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def _warnings_of_loader() -> Iterator[list[str]]:
    handler = _Collect()
    logger.addHandler(handler)
    try:
        with reported_elsewhere():  # the command line prints them in the report only
            yield handler.messages
    finally:
        logger.removeHandler(handler)


def _loader(kind: str) -> Any:
    import importlib

    module, _, name = KINDS[kind].rpartition(".")
    return getattr(importlib.import_module(module), name)


def _shown(ids: Iterable[object]) -> str:
    values = sorted(str(v) for v in ids)
    text = ", ".join(values[:_SHOWN_IDS])
    return text + (f" (and {len(values) - _SHOWN_IDS} more)" if len(values) > _SHOWN_IDS else "")


def _summarise(report: FileReport, data: Any, messages: list[str]) -> None:
    kind = report.kind
    report.data = data
    if kind == "results":
        st = data.stations
        report.rows = len(st)
        report.ids = int(st[schema.BUREAU_ID].nunique())
        rounds = sorted({f"{e} round {r}" for e, r in zip(st[schema.ELECTION], st[schema.ROUND],
                                                          strict=True)})
        report.detail = f"{'; '.join(rounds)} ({data.format})"
        if len(data.issues):
            first = data.issues.iloc[0]
            counts = data.issues["check"].value_counts()
            report.warnings.append(
                f"{len(data.issues)} invariant break(s): "
                + ", ".join(f"{c} {n}" for c, n in counts.items())
                + f"; first on line {first['line']}, id {first['bureau_id']}: {first['detail']}"
            )
        return
    report.rows = len(data)
    if kind == "census":
        report.ids = int(data[schema.IRIS_CODE].nunique())
        year = data.attrs.get("census_year")
        report.detail = f"census year {year}" if year is not None else ""
    elif kind == "iris":
        report.ids = int(data[schema.IRIS_CODE].nunique())
        report.detail = f"{data.crs.to_string() if data.crs else 'no CRS'}, " \
                        f"{data.geometry.area.sum() / 1e6:.2f} km2"
    elif kind in ("bureaux", "addresses", "polling_places"):
        report.ids = int(data[schema.BUREAU_ID].nunique())
        report.detail = f"{data[schema.COMMUNE_CODE].nunique()} communes"
    report.warnings += [m for m in messages if m not in report.warnings]


def _read_one(path: Path, kind: str | None) -> FileReport:
    kind = kind or detect_kind(path)
    report = FileReport(path, kind)
    if kind not in KINDS:
        report.error = f"{path}: unknown kind {kind!r}; expected one of {', '.join(KINDS)}"
        return report
    try:
        with _warnings_of_loader() as messages:
            data = _loader(kind)(path)
        if kind == "results":  # its warnings are the issues table, summarised below
            messages = [m for m in messages if "invariant break" not in m]
        _summarise(report, data, messages)
    except SwingcastError as exc:
        report.error = str(exc)
        report.exception = exc
    return report


# --- across files ------------------------------------------------------------------------


def _compare(a: set[str], b: set[str], what_a: str, what_b: str, noun: str) -> list[str]:
    out = []
    if a - b:
        out.append(f"{len(a - b)} {noun} of {what_a} not in {what_b}: {_shown(a - b)}")
    if b - a:
        out.append(f"{len(b - a)} {noun} of {what_b} not in {what_a}: {_shown(b - a)}")
    return out


def _cross_checks(files: list[FileReport]) -> list[str]:
    good = [f for f in files if f.error is None and f.data is not None]
    by_kind: dict[str, list[FileReport]] = {}
    for f in good:
        by_kind.setdefault(f.kind, []).append(f)
    out: list[str] = []
    for census in by_kind.get("census", []):
        for iris in by_kind.get("iris", []):
            # within the communes both cover (an IRIS code starts with its commune code)
            a, b = set(census.data[schema.IRIS_CODE]), set(iris.data[schema.IRIS_CODE])
            communes = {c[:5] for c in a} & {c[:5] for c in b}
            out += _compare({c for c in a if c[:5] in communes},
                            {c for c in b if c[:5] in communes},
                            census.path.name, iris.path.name, "IRIS codes")
    for res in by_kind.get("results", []):
        ids = res.data.stations[[schema.BUREAU_ID, schema.COMMUNE_CODE]]
        for other in (by_kind.get("bureaux", []) + by_kind.get("addresses", [])
                      + by_kind.get("polling_places", [])):
            # compare only within the communes both cover (contours are often local)
            theirs = other.data[[schema.BUREAU_ID, schema.COMMUNE_CODE]]
            communes = set(ids[schema.COMMUNE_CODE]) & set(theirs[schema.COMMUNE_CODE])
            mine = set(ids.loc[ids[schema.COMMUNE_CODE].isin(communes), schema.BUREAU_ID])
            their = set(theirs.loc[theirs[schema.COMMUNE_CODE].isin(communes), schema.BUREAU_ID])
            out += _compare(mine, their, res.path.name, other.path.name, "bureau ids")
    return out


def check(
    paths: str | PathLike[str] | Iterable[str | PathLike[str]], *, kind: str | None = None
) -> CheckReport:
    """Validate input files before a run: read each with its loader and cross-check ids.

    Parameters
    ----------
    paths : path or iterable of paths
        Results, census tables, IRIS or bureau contours, address files (mixed).
    kind : str, optional
        Force the kind of every file (one of :data:`KINDS`); default: :func:`detect_kind`.

    Returns
    -------
    CheckReport
        ``str(report)`` is the printed report; ``report.exit_code`` is 0 (all good), 1
        (warnings only) or 2 (a file is refused). Loader errors are caught and reported,
        never raised, so that every file is checked.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "rp2011.csv")
    >>> _ = open(p, "w").write("IRIS;C11_POP15P\\n751010101;784\\n751010102;171\\n")
    >>> report = check([p])
    >>> report.exit_code, report.files[0].kind, report.files[0].rows
    (0, 'census', 2)
    >>> check([os.path.join(os.path.dirname(p), "none.csv")]).exit_code
    2
    """
    items = [paths] if isinstance(paths, str | PathLike) else list(paths)
    reports = []
    for item in items:
        path = Path(item)
        if not path.exists():
            missing = InputFormatError(f"{path}: no such file; expected an input file")
            reports.append(FileReport(path, kind or "unknown", error=str(missing),
                                      exception=missing))
            continue
        reports.append(_read_one(path, kind))
    return CheckReport(reports, _cross_checks(reports))
