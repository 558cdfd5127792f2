"""Data-lake exports of the Ministry per-bureau files: numbered-suffix candidate blocks.

A wide Ministry file (bureau columns, then one block per candidate) flattened by an ETL job
gets a suffix on every block header: ``N°Panneau_1, Sexe_1, Nom_1, Prénom_1, Voix_1,
% Voix/Ins_1, % Voix/Exp_1, … Voix_12`` (or pandas' de-duplication: ``Nom, Voix, …, Nom.1,
Voix.1, …``), and provenance columns at the end (``source_url``, ``ingestion_time``,
``_loaded_at``...). Those trailing columns are never candidates: they are ignored by name and
reported (``Results.notes["ignored_columns"]`` and a log line).

Counts given as percentages (``% Vot/Ins``, ``% Exp/Ins``, ``% Voix/Ins_3``... with no
``Votants``/``Voix``) are rebuilt from the count of inscrits: ``round(pct / 100 * base)``.
The rounding is reported: a count is exact when the precision of the percentage
(half a unit of its last decimal, times its base) is under half a voter; counts that are not
are listed in ``Results.notes["rebuilt_counts"]``. Without a count of inscrits there is
nothing to rebuild from and the file is refused, saying so.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from swingcast import schema
from swingcast._log import logger
from swingcast.errors import SchemaError, where
from swingcast.load.sources.blocks import (
    BLOCK_ROLES,
    block_votes,
    fixed_columns,
    role_of,
    station_counts,
)
from swingcast.load.sources.codes import canonical_ids
from swingcast.load.sources.detect import plain
from swingcast.load.sources.textfile import LINE, NFIELDS, Table, header_line, to_number

__all__ = ["is_suffixed", "suffixed_blocks", "parse_suffixed", "is_provenance", "NOTES_ATTR"]

#: Key of ``stations.attrs`` through which the parser hands its notes to ``read_results``.
NOTES_ATTR = "loader_notes"
_SUFFIX = re.compile(r"^(.*?\S)\s*([_.])(\d+)$")
#: Percentage columns of a candidate block: role -> pattern of the plain header.
_PCT_VOIX = {"pct_voix_ins": r"% ?voix ?/ ?ins(crits)?", "pct_voix_exp": r"% ?voix ?/ ?exp(rimes)?"}
#: Percentage columns of the bureau: count -> (pattern, base count).
_PCT_STATION = {
    schema.VOTANTS: (r"% ?vot(ants)? ?/ ?ins(crits)?", schema.INSCRITS),
    schema.ABSTENTIONS: (r"% ?abs(tentions)? ?/ ?ins(crits)?", schema.INSCRITS),
    schema.EXPRIMES: (r"% ?exp(rimes)? ?/ ?ins(crits)?", schema.INSCRITS),
    schema.BLANCS: (r"% ?blancs ?/ ?ins(crits)?", schema.INSCRITS),
    schema.NULS: (r"% ?nuls ?/ ?ins(crits)?", schema.INSCRITS),
}
_PCT_STATION_VOT = {
    schema.EXPRIMES: r"% ?exp(rimes)? ?/ ?vot(ants)?",
    schema.BLANCS: r"% ?blancs ?/ ?vot(ants)?",
    schema.NULS: r"% ?nuls ?/ ?vot(ants)?",
}
_OTHER_BLOCK = r"sexe|% ?voix ?/ ?(ins|exp).*"
#: Provenance columns added by ETL jobs (plain header, searched anywhere in the name).
_PROVENANCE = re.compile(
    r"^_|source|url|uri\b|fichier|file|ingest|loaded|load_|import|extract|etl|pipeline|batch|"
    r"run_?id|timestamp|horodat|updated|created|modified|snapshot|partition|checksum|hash|"
    r"md5|sha\d*|date_?(de_?)?(maj|mise|chargement|collecte|extraction|import)")


def is_provenance(name: str) -> bool:
    """Whether a header names an ETL provenance column (source URL, ingestion time...).

    Examples
    --------
    >>> [is_provenance(c) for c in ("source_url", "ingestion_time", "_loaded_at", "Voix_3")]
    [True, True, True, False]
    """
    return bool(_PROVENANCE.search(plain(name)))


def _block_role(base: str) -> str | None:
    role = role_of(base, BLOCK_ROLES)
    if role is not None:
        return role
    key = plain(base)
    for name, pattern in _PCT_VOIX.items():
        if re.fullmatch(pattern, key):
            return name
    return "other" if re.fullmatch(_OTHER_BLOCK, key) else None


def suffixed_blocks(columns: list[str]) -> tuple[list[dict[str, str]], list[int]]:
    """Group the block columns by their suffix number.

    ``Voix_3`` and ``Voix.3`` are block 3; with pandas' ``.N`` suffixes the unsuffixed
    ``Voix`` (after the bureau columns) is block 0.

    Parameters
    ----------
    columns : list of str

    Returns
    -------
    (list of dict, list of int)
        Role -> column for each block (sorted by number; ``other`` roles left out), and the
        positions of every block column (``Sexe_k`` and percentages included).

    Examples
    --------
    >>> blocks, _ = suffixed_blocks(["Code BV", "Nom_1", "Voix_1", "Nom_2", "Voix_2", "url"])
    >>> blocks
    [{'nom': 'Nom_1', 'voix': 'Voix_1'}, {'nom': 'Nom_2', 'voix': 'Voix_2'}]
    >>> suffixed_blocks(["Inscrits", "Nom", "Voix", "Nom.1", "Voix.1"])[0][1]
    {'nom': 'Nom.1', 'voix': 'Voix.1'}
    """
    found: dict[int, dict[str, str]] = {}
    positions: list[int] = []
    styles = set()
    for i, col in enumerate(columns):
        m = _SUFFIX.match(col)
        if m is None:
            continue
        role = _block_role(m.group(1))
        if role is None:
            continue
        styles.add(m.group(2))
        positions.append(i)
        if role != "other":
            found.setdefault(int(m.group(3)), {}).setdefault(role, col)
    if styles == {"."} and positions:  # pandas: the unsuffixed first block is block 0
        first = min(positions)
        for i, col in enumerate(columns[:first]):
            role = _block_role(col)
            if role is not None:
                positions.append(i)
                if role != "other":
                    found.setdefault(0, {}).setdefault(role, col)
    blocks = [found[k] for k in sorted(found)]
    return blocks, sorted(positions)


def _columns(frame: pd.DataFrame) -> list[str]:
    return [str(c) for c in frame.columns if c not in (LINE, NFIELDS)]


def _split(columns: list[str]) -> tuple[list[dict[str, str]], list[str], list[str]]:
    """Blocks, bureau columns (before the first block) and trailing extras (after the last)."""
    blocks, positions = suffixed_blocks(columns)
    if not positions:
        return [], columns, []
    first, last = positions[0], positions[-1]
    return blocks, columns[:first], columns[last + 1:]


def is_suffixed(frame: pd.DataFrame) -> bool:
    """Whether a table is a Ministry wide file with numbered-suffix block headers.

    ``_N`` suffixes always qualify; pandas' ``.N`` ones only with trailing provenance
    columns or without a ``N°Panneau`` (otherwise the file is the Ministry's own ``.xlsx``,
    read as ``ministry-wide``).

    Examples
    --------
    >>> is_suffixed(pd.DataFrame(columns=["Code du département", "Code de la commune",
    ...     "Code du b.vote", "Inscrits", "Nom_1", "Voix_1", "source_url"]))
    True
    >>> is_suffixed(pd.DataFrame(columns=["Code du département", "Code de la commune",
    ...     "Code du b.vote", "Inscrits", "N°Panneau", "Voix", "N°Panneau.1", "Voix.1"]))
    False
    """
    columns = _columns(frame)
    blocks, head, trailing = _split(columns)
    if not blocks or not {"dep", "commune", "bureau"}.issubset(fixed_columns(head)):
        return False
    if not any(schema.VOIX in b or "pct_voix_ins" in b or "pct_voix_exp" in b for b in blocks):
        return False
    if any(_SUFFIX.match(c) and _SUFFIX.match(c).group(2) == "_" for b in blocks
           for c in b.values()):
        return True
    has_panel = any(schema.PANEL in b for b in blocks)
    return any(is_provenance(c) for c in trailing) or not has_panel


def _decimals(values: pd.Series) -> int:
    text = values.astype("string").str.strip().str.replace("%", "", regex=False)
    frac = text.str.extract(r"[.,](\d+)$")[0].str.len()
    return int(frac.max()) if frac.notna().any() else 0


class _Rebuilder:
    """Counts rebuilt from percentages, with their precision (in voters) recorded."""

    def __init__(self, frame: pd.DataFrame, path: object) -> None:
        self.frame, self.path = frame, path
        self.counts: dict[str, np.ndarray] = {}
        self.precision: dict[str, np.ndarray] = {}
        self.rebuilt: list[str] = []

    def known(self, name: str, values: np.ndarray) -> None:
        self.counts[name] = values
        self.precision[name] = np.zeros(len(values))

    def rebuild(self, name: str, column: str, base: str) -> np.ndarray:
        pct = to_number(self.frame[column]).to_numpy()
        raw = self.frame[column].astype("string").str.strip().fillna("")
        bad = np.isnan(pct) & (raw != "").to_numpy()
        if bad.any():
            line = int(self.frame[LINE].to_numpy()[bad.argmax()])
            raise SchemaError(f"{where(self.path, line=line, column=column)}: percentage "
                              f"{raw.to_numpy()[bad.argmax()]!r} is not a number")
        b, b_prec = self.counts[base], self.precision[base]
        exact = pct / 100.0 * b
        half_unit = 0.5 * 10.0 ** (-_decimals(self.frame[column]))
        prec = half_unit / 100.0 * b + pct / 100.0 * b_prec
        self.counts[name], self.precision[name] = np.round(exact), prec
        self.rebuilt.append(column)
        return self.counts[name]

    def report(self, ids: pd.Series) -> dict[str, object]:
        worst = {k: v for k, v in self.precision.items() if len(v)}
        max_prec = max((float(np.nanmax(v)) for v in worst.values()), default=0.0)
        inexact = []
        for name, prec in worst.items():
            for i in np.flatnonzero(prec >= 0.5):
                inexact.append(f"{ids.iloc[i]} {name} ±{prec[i]:.1f}")
        return {"columns": list(self.rebuilt), "max_error": round(max_prec, 3),
                "exact": not inexact, "inexact": inexact}


def _station_percentages(frame: pd.DataFrame, head: list[str], fixed: dict[str, str],
                         path: object, rb: _Rebuilder) -> pd.DataFrame:
    """Station table when some of votants/exprimés are given only as percentages."""
    if schema.INSCRITS not in fixed:
        raise SchemaError(
            f"{where(path, line=header_line(frame))}: counts are given as percentages and "
            "there is no count of inscrits to rebuild them from; expected an 'Inscrits' "
            "column (a table of percentages alone cannot be read: shares without counts)")
    plain_head = {plain(c): c for c in head}
    base = station_counts(frame, {**fixed, schema.VOTANTS: fixed[schema.INSCRITS],
                                  schema.EXPRIMES: fixed[schema.INSCRITS]}, path)
    out = base[["dep", "commune", "bureau", schema.INSCRITS, LINE]].copy()
    rb.known(schema.INSCRITS, out[schema.INSCRITS].to_numpy(dtype=float))
    for count in (schema.VOTANTS, schema.ABSTENTIONS, schema.EXPRIMES, schema.BLANCS,
                  schema.NULS):
        if count in fixed:
            out[count] = base[count] if count in base else None
            rb.known(count, out[count].to_numpy(dtype=float))
            continue
        pattern, of = _PCT_STATION[count]
        col = next((c for k, c in plain_head.items() if re.fullmatch(pattern, k)), None)
        if col is None and count in _PCT_STATION_VOT and schema.VOTANTS in rb.counts:
            col = next((c for k, c in plain_head.items()
                        if re.fullmatch(_PCT_STATION_VOT[count], k)), None)
            of = schema.VOTANTS
        if col is not None:
            out[count] = pd.array(rb.rebuild(count, col, of), dtype="Int64")
    if schema.VOTANTS not in out and schema.ABSTENTIONS in out:
        out[schema.VOTANTS] = out[schema.INSCRITS] - out[schema.ABSTENTIONS]
        rb.known(schema.VOTANTS, out[schema.VOTANTS].to_numpy(dtype=float))
        rb.precision[schema.VOTANTS] = rb.precision[schema.ABSTENTIONS]
    missing = [c for c in (schema.VOTANTS, schema.EXPRIMES) if c not in out]
    if missing:
        raise SchemaError(
            f"{where(path, line=header_line(frame))}: no count or percentage for "
            f"{', '.join(missing)}; expected 'Votants'/'Exprimés' or '% Vot/Ins'/'% Exp/Ins'")
    return out


def parse_suffixed(table: Table, kind: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Raw station and vote tables of a numbered-suffix export.

    Parameters
    ----------
    table : Table
    kind : str
        Election kind (unused: the blocks say whether they hold candidates or lists).

    Returns
    -------
    (DataFrame, DataFrame)
        ``stations.attrs["loader_notes"]`` holds ``ignored_columns`` (trailing columns
        not read, provenance or other) and, when counts were rebuilt from percentages,
        ``rebuilt_counts`` (``columns``, ``max_error`` in voters, ``exact``, ``inexact``).

    Raises
    ------
    SchemaError
        Percentages without a count of inscrits; a block with neither ``Voix`` nor a
        percentage of voix.

    Examples
    --------
    >>> from pathlib import Path
    >>> f = pd.DataFrame({"Code du département": ["69"], "Code de la commune": ["123"],
    ...     "Code du b.vote": ["0101"], "Inscrits": ["828"], "Votants": ["662"],
    ...     "Exprimés": ["650"], "Nom_1": ["LE PEN"], "Prénom_1": ["Marine"],
    ...     "Voix_1": ["28"], "Nom_2": ["MACRON"], "Prénom_2": ["Emmanuel"],
    ...     "Voix_2": ["622"], "source_url": ["https://x"], "_line": [2]})
    >>> st, vo = parse_suffixed(Table(f, Path("f.csv"), "utf-8", ";"), "presidentielle")
    >>> vo[["candidate", "voix"]].values.tolist(), st.attrs["loader_notes"]
    ([['LE PEN Marine', 28], ['MACRON Emmanuel', 622]], {'ignored_columns': ['source_url']})
    """
    del kind
    frame = table.frame
    columns = _columns(frame)
    blocks, head, trailing = _split(columns)
    notes: dict[str, object] = {"ignored_columns": trailing}
    if trailing:
        kinds = ["provenance" if is_provenance(c) else "not a block column" for c in trailing]
        logger.warning("%s: columns after the candidate blocks ignored: %s", table.path,
                       ", ".join(f"{c} ({k})" for c, k in zip(trailing, kinds, strict=True)))
    fixed = fixed_columns(head)
    needs_pct = any(schema.VOIX not in b for b in blocks) or not {
        schema.VOTANTS, schema.EXPRIMES}.issubset(fixed)
    if not needs_pct:
        stations = station_counts(frame, fixed, table.path)
        votes = block_votes(frame, blocks, table.path)
        stations.attrs[NOTES_ATTR] = notes
        return stations, votes
    rb = _Rebuilder(frame, table.path)
    stations = _station_percentages(frame, head, fixed, table.path, rb)
    work = frame.copy()
    vblocks = []
    for k, b in enumerate(blocks):
        b = dict(b)
        if schema.VOIX not in b:
            if "pct_voix_ins" in b:
                name = f"_voix_{k}"
                values = rb.rebuild(name, b["pct_voix_ins"], schema.INSCRITS)
            elif "pct_voix_exp" in b:
                name = f"_voix_{k}"
                values = rb.rebuild(name, b["pct_voix_exp"], schema.EXPRIMES)
            else:
                raise SchemaError(f"{where(table.path, line=header_line(frame))}: candidate "
                                  f"block {k + 1} has no 'Voix' nor '% Voix/Ins'")
            empty = work[b.get("pct_voix_ins", b.get("pct_voix_exp"))].astype(
                "string").str.strip().fillna("").eq("").to_numpy()
            work[name] = pd.Series(values, index=work.index).astype("Int64").astype(
                "string").mask(empty, "")
            b[schema.VOIX] = name
        vblocks.append({r: c for r, c in b.items() if not r.startswith("pct_")})
    votes = block_votes(work, vblocks, table.path)
    ids = canonical_ids(stations["dep"], stations["commune"], stations["bureau"])
    notes["rebuilt_counts"] = rb.report(ids[schema.BUREAU_ID])
    report = notes["rebuilt_counts"]
    logger.warning("%s: counts rebuilt from percentages and inscrits (%d columns, largest "
                   "rounding error %.2f voters, %s)", table.path, len(report["columns"]),
                   report["max_error"], "all exact" if report["exact"] else
                   f"{len(report['inexact'])} counts not exact")
    stations.attrs[NOTES_ATTR] = notes
    return stations, votes
