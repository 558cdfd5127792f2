"""From the raw cells of one file to a checked :class:`~swingcast.load.sources.results.Results`.

Every loader produces two raw tables and hands them to :func:`assemble`:

``stations``
    columns ``dep``, ``commune``, ``bureau`` (codes as published), any of the count
    columns of :data:`swingcast.schema.STATION_COUNTS` present in the file (``Int64``), and
    ``_line``; optionally ``election``/``round`` when the file says them per row.
``votes``
    columns ``_sid`` (position of the bureau's row in ``stations``), ``candidate``,
    ``nuance``, ``list``, ``panel``, ``voix`` (missing ones are NA), optionally
    ``pct_inscrits``.

:func:`assemble` builds the canonical ids, derives the counts that follow exactly from the
others, checks the invariants and records every break in ``issues``.
"""

from __future__ import annotations

from os import PathLike

import numpy as np
import pandas as pd

from swingcast import schema
from swingcast._log import logger
from swingcast.errors import InputFormatError, InvariantError, where
from swingcast.load.sources.blocks import BLANCS_NULS
from swingcast.load.sources.codes import canonical_ids
from swingcast.load.sources.results import ISSUE_COLUMNS, PCT_INSCRITS, Results, empty_issues
from swingcast.load.sources.textfile import LINE

__all__ = ["assemble", "derive_counts", "check_invariants"]

SID = "_sid"
_TEXT_VOTE_COLUMNS = (schema.CANDIDATE, schema.NUANCE, schema.LIST)


def derive_counts(stations: pd.DataFrame) -> pd.DataFrame:
    """Fill the counts that follow exactly from the others, where they are missing.

    ``abstentions = inscrits - votants``; ``nuls = votants - exprimes - blancs`` (only
    when ``blancs`` is given: before 2014 blancs and nuls were one figure);
    ``exprimes = votants - blancs - nuls`` when both are given.

    Parameters
    ----------
    stations : DataFrame
        Count columns (``Int64``, NA where the file is silent).

    Returns
    -------
    DataFrame
        A copy with the derived values filled in.

    Examples
    --------
    >>> s = pd.DataFrame({"inscrits": [100], "abstentions": [pd.NA], "votants": [60],
    ...                   "blancs": [2], "nuls": [pd.NA], "exprimes": [55]}).astype("Int64")
    >>> derive_counts(s).loc[0, ["abstentions", "nuls"]].tolist()
    [40, 3]
    """
    out = stations.copy()
    out[schema.ABSTENTIONS] = out[schema.ABSTENTIONS].fillna(
        out[schema.INSCRITS] - out[schema.VOTANTS]
    )
    out[schema.NULS] = out[schema.NULS].fillna(
        out[schema.VOTANTS] - out[schema.EXPRIMES] - out[schema.BLANCS]
    )
    out[schema.EXPRIMES] = out[schema.EXPRIMES].fillna(
        out[schema.VOTANTS] - out[schema.BLANCS] - out[schema.NULS]
    )
    return out


def _issue_frame(file: str, lines: pd.Series, ids: pd.Series, check: str,
                 details: pd.Series | list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "file": pd.array([file] * len(ids), dtype="string"),
            "line": pd.array(lines, dtype="Int64"),
            "bureau_id": pd.array(ids, dtype="string"),
            "check": pd.array([check] * len(ids), dtype="string"),
            "detail": pd.array(list(details), dtype="string"),
        }
    )


def check_invariants(
    stations: pd.DataFrame,
    voix_sum: pd.Series | None,
    file: str,
    blancs_nuls: pd.Series | None = None,
) -> pd.DataFrame:
    """Check the accounting identities of every bureau; return the breaks.

    Checks: ``inscrits = abstentions + votants``; ``votants = blancs + nuls + exprimes``
    (when split); ``votants = blancs_nuls + exprimes`` (files before 2014, which give one
    figure); ``sum of voix = exprimes``; every count ``>= 0``; ``votants <= inscrits``;
    ``exprimes <= votants``. A check is skipped on a row where one of its terms is NA.

    Parameters
    ----------
    stations : DataFrame
        Station rows with ``bureau_id``, the counts and ``_line``.
    voix_sum : Series, optional
        Sum of ``voix`` per station row (same index), NA where unknown.
    blancs_nuls : Series, optional
        Blank and spoilt ballots as one figure (pre-2014 files), same index.
    file : str
        File name recorded in the issues.

    Returns
    -------
    DataFrame
        Columns ``file, line, bureau_id, check, detail``.

    Examples
    --------
    >>> s = pd.DataFrame({"bureau_id": ["1_1"], "_line": [2], "inscrits": [100],
    ...     "abstentions": [40], "votants": [61], "blancs": [1], "nuls": [0],
    ...     "exprimes": [60]}).astype({c: "Int64" for c in schema.STATION_COUNTS})
    >>> check_invariants(s, pd.Series([59], dtype="Int64"), "f.csv")[["check", "detail"]].values.tolist()
    [['inscrits_abstentions_votants', 'inscrits 100 != abstentions 40 + votants 61'], ['voix_exprimes', 'sum of voix 59 != exprimes 60']]
    """
    ins, abst, vot = (stations[c] for c in (schema.INSCRITS, schema.ABSTENTIONS, schema.VOTANTS))
    bl, nu, ex = (stations[c] for c in (schema.BLANCS, schema.NULS, schema.EXPRIMES))
    frames: list[pd.DataFrame] = []

    def add(check: str, mask: pd.Series, detail: pd.Series) -> None:
        m = mask.fillna(False).to_numpy(dtype=bool)
        if m.any():
            frames.append(_issue_frame(file, stations[LINE][m], stations[schema.BUREAU_ID][m],
                                       check, detail[m]))

    def s(x: pd.Series) -> pd.Series:
        return x.astype("string")

    add("inscrits_abstentions_votants", ins != abst + vot,
        "inscrits " + s(ins) + " != abstentions " + s(abst) + " + votants " + s(vot))
    add("votants_blancs_nuls_exprimes", vot != bl + nu + ex,
        "votants " + s(vot) + " != blancs " + s(bl) + " + nuls " + s(nu) + " + exprimes " + s(ex))
    if blancs_nuls is not None:
        add("votants_blancs_nuls_exprimes", vot != blancs_nuls + ex,
            "votants " + s(vot) + " != blancs et nuls " + s(blancs_nuls) + " + exprimes "
            + s(ex))
    if voix_sum is not None:
        add("voix_exprimes", voix_sum != ex,
            "sum of voix " + s(voix_sum) + " != exprimes " + s(ex))
    for col in schema.STATION_COUNTS:
        add("non_negative", stations[col] < 0, col + " = " + s(stations[col]) + " < 0")
    add("votants_le_inscrits", vot > ins, "votants " + s(vot) + " > inscrits " + s(ins))
    add("exprimes_le_votants", ex > vot, "exprimes " + s(ex) + " > votants " + s(vot))
    if not frames:
        return empty_issues()
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["line", "check"], kind="stable", ignore_index=True)


def _refuse_repeated_candidates(votes: pd.DataFrame, stations: pd.DataFrame,
                                ids: pd.DataFrame, file: str) -> None:
    """A candidate twice in one bureau (same panel and name) would be counted twice."""
    keys = [c for c in (SID, schema.PANEL, schema.CANDIDATE) if c in votes]
    if len(keys) < 2:
        return
    dup = votes.duplicated(keys, keep="first").to_numpy()
    if not dup.any():
        return
    i = int(np.flatnonzero(dup)[0])
    row = votes.iloc[i]
    station = int(row[SID])
    group = votes.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()
    first = int(np.flatnonzero(group == group[i])[0])
    has_lines = LINE in votes
    line = int(row[LINE]) if has_lines else int(stations[LINE].iloc[station])
    also = f" (already on line {int(votes[LINE].iloc[first])})" if has_lines else ""
    who = ", ".join(f"{k} {row[k]!s}" for k in keys[1:] if pd.notna(row[k]))
    raise InputFormatError(
        f"{where(file, line=line, ids=ids['bureau_id'].iloc[station])}: {who} appears twice "
        f"in this bureau{also}; expected one row (or block) per bureau and candidate"
    )


def _check_corsica(stations: pd.DataFrame, ids: pd.DataFrame, file: str) -> None:
    """Département ``20`` (Corsica before 1976): filed under 2A/2B by the commune number, with
    a warning; refused when the number is no Corsican commune's."""
    old = (stations["dep"].astype("string").str.strip() == "20").fillna(False).to_numpy()
    if not old.any():
        return
    unknown = old & (ids["departement"] == "20").to_numpy()
    if unknown.any():
        i = int(np.flatnonzero(unknown)[0])
        raise InvariantError(
            f"{where(file, line=int(stations[LINE].iloc[i]))}: département '20' with commune "
            f"{str(stations['commune'].iloc[i]).strip()!r}: no Corsican commune has this "
            "number; expected département 2A or 2B (or '20' with a number of 001-366)"
        )
    i = int(np.flatnonzero(old)[0])
    logger.warning(
        "%s: %d row(s) with département '20' (Corsica before its 1976 split) filed under 2A "
        "or 2B by their commune number; first: %s: '20' + %r -> %s", file, int(old.sum()),
        where(file, line=int(stations[LINE].iloc[i])), str(stations["commune"].iloc[i]).strip(),
        ids["commune_code"].iloc[i])


def _vote_signature(votes: pd.DataFrame, sid: np.ndarray, n: int) -> pd.Series:
    """One number per station summarising its votes (to tell identical duplicates)."""
    cols = [c for c in (schema.CANDIDATE, schema.VOIX, PCT_INSCRITS) if c in votes]
    hashed = pd.util.hash_pandas_object(votes[cols], index=False).to_numpy()
    sums = np.zeros(n, dtype="uint64")
    np.add.at(sums, sid, hashed)
    return pd.Series(sums.astype("int64"), dtype="Int64")


def _duplicates(stations: pd.DataFrame, file: str) -> tuple[np.ndarray, pd.DataFrame]:
    keys = [schema.ELECTION, schema.ROUND, schema.BUREAU_ID]
    dup = stations.duplicated(keys, keep="first").to_numpy()
    if not dup.any():
        return dup, empty_issues()
    counts = [*schema.STATION_COUNTS, *(["_votes"] if "_votes" in stations else [])]
    first_line = stations.groupby(keys, sort=False)[LINE].transform("first")
    same = stations.groupby(keys, sort=False)[counts].transform("first")
    identical = ((same == stations[counts]) | (same.isna() & stations[counts].isna())).all(axis=1)
    rows = stations[dup]
    details = [
        f"bureau already on line {fl}; "
        + ("same counts and votes" if ok else "counts or votes differ")
        + ", this row is dropped"
        for fl, ok in zip(first_line[dup], identical[dup], strict=True)
    ]
    return dup, _issue_frame(file, rows[LINE], rows[schema.BUREAU_ID], "duplicate_bureau",
                             details)


def assemble(
    stations: pd.DataFrame,
    votes: pd.DataFrame,
    *,
    path: str | PathLike[str],
    election: str,
    round: int,
    fmt: str,
    encoding: str | None = None,
    strict: bool = False,
) -> Results:
    """Turn the raw tables of one file into a checked :class:`Results`.

    Duplicated bureaux (same election, round and id) keep their first row; every later
    row is dropped and reported (``duplicate_bureau``), with whether its counts differ.

    Parameters
    ----------
    stations, votes : DataFrame
        Raw tables, see the module docstring.
    path : str or PathLike
        The file read (recorded in ``issues`` and ``source``).
    election : str
        ``"<year>-<kind>"``, used unless ``stations`` has an ``election`` column.
    round : int
        Used unless ``stations`` has a ``round`` column.
    fmt : str
        Layout name.
    encoding : str, optional
        Encoding used to decode the file.
    strict : bool
        Raise :class:`~swingcast.errors.InvariantError` on the first break instead of
        recording it.

    Returns
    -------
    Results

    Raises
    ------
    InvariantError
        With ``strict=True``, when any invariant is broken.

    Examples
    --------
    >>> st = pd.DataFrame({"dep": ["75"], "commune": ["056"], "bureau": ["0101"],
    ...     "inscrits": [100], "votants": [60], "exprimes": [58], "_line": [2]})
    >>> st[["inscrits", "votants", "exprimes"]] = st[["inscrits", "votants", "exprimes"]].astype("Int64")
    >>> vo = pd.DataFrame({"_sid": [0, 0], "candidate": ["A", "B"],
    ...                    "voix": pd.array([30, 28], dtype="Int64")})
    >>> r = assemble(st, vo, path="f.csv", election="2017-presidentielle", round=2, fmt="demo")
    >>> r.stations[["bureau_id", "arrondissement_code", "abstentions", "nuls"]].values.tolist()
    [['75056_101', '75101', 40, <NA>]]
    """
    file = str(path)
    ids = canonical_ids(stations["dep"], stations["commune"], stations["bureau"])
    _check_corsica(stations, ids, file)
    st = pd.DataFrame(index=stations.index)
    st[schema.ELECTION] = (stations[schema.ELECTION].astype("string")
                           if schema.ELECTION in stations else election)
    st[schema.ROUND] = (stations[schema.ROUND].astype("Int64")
                        if schema.ROUND in stations else round)
    for col in ids.columns:
        st[col] = ids[col].astype("string")
    for col in schema.STATION_COUNTS:
        st[col] = (stations[col].astype("Int64") if col in stations
                   else pd.Series(pd.NA, index=stations.index, dtype="Int64"))
    st[LINE] = stations[LINE].to_numpy()
    st[schema.ELECTION] = st[schema.ELECTION].astype("string")
    st[schema.ROUND] = st[schema.ROUND].astype("Int64")
    st = derive_counts(st).reset_index(drop=True)

    vo = votes.reset_index(drop=True)
    sid = vo[SID].to_numpy()
    _refuse_repeated_candidates(vo, stations, ids, file)
    keep_votes = pd.DataFrame(index=vo.index)
    for col in (schema.ELECTION, schema.ROUND, schema.BUREAU_ID):
        keep_votes[col] = st[col].array.take(sid)  # array take keeps the dtype (fast)
    for col in _TEXT_VOTE_COLUMNS:
        keep_votes[col] = vo[col].astype("string") if col in vo else pd.NA
        keep_votes[col] = keep_votes[col].astype("string")
    keep_votes[schema.PANEL] = vo[schema.PANEL].astype("Int64") if schema.PANEL in vo else pd.NA
    keep_votes[schema.PANEL] = keep_votes[schema.PANEL].astype("Int64")
    keep_votes[schema.VOIX] = vo[schema.VOIX].astype("Int64") if schema.VOIX in vo else pd.NA
    keep_votes[schema.VOIX] = keep_votes[schema.VOIX].astype("Int64")
    if PCT_INSCRITS in vo:
        keep_votes[PCT_INSCRITS] = vo[PCT_INSCRITS].astype("float64")

    voix_sum = None
    if keep_votes[schema.VOIX].notna().any():
        voix_sum = (
            pd.Series(keep_votes[schema.VOIX].to_numpy(), dtype="Int64")
            .groupby(sid).sum(min_count=1)
            .reindex(range(len(st)))
        )
        voix_sum.index = st.index
    bn = (pd.Series(stations[BLANCS_NULS].astype("Int64").to_numpy(), index=st.index)
          if BLANCS_NULS in stations else None)
    issues = check_invariants(st, voix_sum, file, bn)
    keys = [schema.ELECTION, schema.ROUND, schema.BUREAU_ID]
    if st.duplicated(keys).any():
        st["_votes"] = _vote_signature(keep_votes, sid, len(st)).to_numpy()
    dup, dup_issues = _duplicates(st, file)
    if len(dup_issues):
        issues = pd.concat([issues, dup_issues], ignore_index=True)
        keep_votes = keep_votes[~dup[sid]].reset_index(drop=True)
        st = st[~dup].reset_index(drop=True)
    issues = issues[list(ISSUE_COLUMNS)]
    if len(issues):
        summary = issues["check"].value_counts().to_dict()
        first = issues.iloc[0]
        message = (
            f"{file}: {len(issues)} invariant break(s) {summary}; first: "
            f"{where(first['file'], line=first['line'], ids=first['bureau_id'])}: "
            f"{first['detail']}"
        )
        if strict:
            raise InvariantError(message)
        logger.warning("%s (see Results.issues)", message)
    stations_out = st[list(schema.STATION_COLUMNS)]
    return Results(stations_out, keep_votes, issues, file, fmt, encoding)
