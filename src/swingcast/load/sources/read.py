"""``read_results``: one entry point for every supported layout of per-bureau results."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

import pandas as pd

from swingcast import schema
from swingcast._log import logger
from swingcast.errors import InputFormatError, SchemaError, where
from swingcast.load.sources import (
    harmonised,
    harmonised_read,
    ministry,
    national,
    numbered,
    paris,
    suffixed,
)
from swingcast.load.sources.build import assemble
from swingcast.load.sources.detect import infer_election
from swingcast.load.sources.resultcache import cached_read
from swingcast.load.sources.results import Results
from swingcast.load.sources.textfile import Table, header_line, read_table

__all__ = ["read_results", "FORMATS", "Layout", "detect_format"]

Parser = Callable[[Table, str], tuple[pd.DataFrame, pd.DataFrame]]


@dataclass(frozen=True)
class Layout:
    """A supported layout: how to recognise its header and how to parse it.

    Examples
    --------
    >>> FORMATS["national-long"].separator
    ','
    """

    name: str
    matches: Callable[[pd.DataFrame], bool]
    parse: Parser
    separator: str | None = None
    description: str = ""


#: Supported layouts, tried in this order by :func:`detect_format`.
FORMATS: dict[str, Layout] = {}


def register(layout: Layout) -> Layout:
    """Add a layout to :data:`FORMATS` (used by the format modules).

    Parameters
    ----------
    layout : Layout

    Returns
    -------
    Layout
        The same object.

    Examples
    --------
    >>> "national-large" in FORMATS
    True
    """
    FORMATS[layout.name] = layout
    return layout


def _on_columns(test: Callable[[list[str]], bool]) -> Callable[[pd.DataFrame], bool]:
    return lambda frame: test([str(c) for c in frame.columns])


register(Layout("national-large", _on_columns(national.is_large), national.parse_large, ",",
                "simplified national table, one column per candidate/nuance/list"))
register(Layout("national-long", _on_columns(national.is_long), national.parse_long, ",",
                "simplified national table, one row per bureau and candidate"))
register(Layout("ministry-long", ministry.is_long, ministry.parse_long, None,
                "Ministry columns, one row per bureau and candidate"))
register(Layout("suffixed", suffixed.is_suffixed, suffixed.parse_suffixed, None,
                "Ministry wide file exported with numbered block headers (Voix_1, Voix.1)"))
register(Layout("ministry-wide", ministry.is_wide, ministry.parse_wide, None,
                "Ministry legacy file, one block of columns per candidate"))
register(Layout("numbered-2024", numbered.is_numbered, numbered.parse_numbered, None,
                "Ministry 2024 layout, numbered candidate columns"))
register(Layout("harmonised", harmonised.is_general, lambda t, k: harmonised.parse_harmonised(t, None),
                None, "data.gouv harmonised general_results (+ candidats_results)"))
register(Layout("paris-parts", paris.is_paris_parts, paris.parse_paris_parts, ",",
                "Paris shares of inscrits per candidate, no counts"))


def detect_format(frame: pd.DataFrame, path: str | PathLike[str] = "<file>") -> Layout:
    """Return the first layout of :data:`FORMATS` that recognises a table.

    Parameters
    ----------
    frame : DataFrame
        The file's cells (its header, and for the Ministry layouts whether bureaux repeat).
    path : str or PathLike
        For the message.

    Returns
    -------
    Layout

    Raises
    ------
    InputFormatError
        When no layout matches.

    Examples
    --------
    >>> detect_format(pd.DataFrame(columns=["departement", "commune", "bureau",
    ...     "commune_libelle", "inscrits", "votants", "exprimes", "LFN"])).name
    'national-large'
    """
    for layout in FORMATS.values():
        if layout.matches(frame):
            return layout
    columns = [str(c) for c in frame.columns if not str(c).startswith("_")]
    shown = ", ".join(columns[:12]) + (" ..." if len(columns) > 12 else "")
    from swingcast.target.contacts import looks_personal

    if any(looks_personal(c) for c in columns):  # no header: line 1 is data (a contact?)
        shown = "not shown: it holds an e-mail address or a number, not column names"
    raise InputFormatError(
        f"{where(path, line=header_line(frame))}: header matches no known results layout ({shown}); expected "
        f"one of {', '.join(FORMATS)} (see docs/formats.md), or pass format="
    )


def read_results(
    path: str | PathLike[str],
    *,
    format: str | None = None,
    election: str | None = None,
    round: int | None = None,
    strict: bool = False,
    candidates: str | PathLike[str] | None = None,
    cache: bool | None = None,
) -> Results:
    """Read a file of election results per bureau de vote.

    The layout is detected from the header (see ``docs/formats.md``); the election and
    round from the file name or content unless given. In a workbook, title rows above the
    table are skipped: the header is the row whose cells a layout recognises, and lines in
    messages are the sheet's row numbers.

    Parameters
    ----------
    path : str or PathLike
        ``.csv``, ``.csv.gz``, ``.txt`` (UTF-8 or cp1252) or ``.xlsx`` (first sheet).
    format : str, optional
        Force a layout, one of :data:`FORMATS`.
    election : str, optional
        ``"<year>-<kind>"`` (``"2017-presidentielle"``); default: from the file name.
    round : int, optional
        1 or 2; default: from the file name or content.
    strict : bool
        Raise :class:`~swingcast.errors.InvariantError` on the first broken invariant
        instead of recording it in ``issues``.
    candidates : str or PathLike, optional
        For the data.gouv harmonised layout: the ``candidats_results`` file that goes with
        the ``general_results`` file given as ``path`` (CSV or Parquet). With ``election=``
        (and ``round=``) only that election is read out of the national files.
    cache : bool, optional
        Keep the parsed tables in the cache and read them back next time (default: yes,
        unless ``$SWINGCAST_NO_CACHE`` is set). An entry is keyed by the file's sha256, the
        reader's version and these options; a cached read returns equal tables and logs the
        same warnings. See :mod:`swingcast.load.sources.resultcache`
        (``swingcast cache clear`` empties it).

    Returns
    -------
    Results

    Raises
    ------
    InputFormatError
        Unreadable file, unknown layout, wrong separator, truncated file, bad count.
    SchemaError
        Missing column, negative count, unknown election.
    InvariantError
        With ``strict=True``, any broken invariant.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "2017-presidentielle-2_par_bureau_large.csv")
    >>> _ = open(path, "w", encoding="utf-8").write(
    ...     "departement,commune,bureau,commune_libelle,inscrits,votants,blancs,exprimes,"
    ...     "LE PEN,MACRON\\n75,056,0101,Paris,1000,800,30,760,160,600\\n")
    >>> r = read_results(path)
    >>> r.format, r.stations[["bureau_id", "arrondissement_code", "nuls"]].values.tolist()
    ('national-large', [['75056_101', '75101', 10]])
    >>> r.votes[["candidate", "voix"]].values.tolist()
    [['LE PEN', 160], ['MACRON', 600]]

    On the real national file (69,242 bureaux, the official totals):

    >>> from swingcast.load.datasets import fetch  # doctest: +SKIP
    >>> r = read_results(fetch("france/results/2017-presidentielle-2_par_bureau_large.csv.gz"))  # doctest: +SKIP
    >>> len(r.stations), int(r.stations["inscrits"].sum())  # doctest: +SKIP
    (69242, 47568693)
    """
    p = Path(path)
    if format is not None and format not in FORMATS:
        raise InputFormatError(
            f"{p}: unknown format {format!r}; expected one of {', '.join(FORMATS)}"
        )
    options = {"format": format, "election": election, "round": round, "strict": strict}
    return cached_read(
        lambda: _read_uncached(p, format=format, election=election, round=round,
                               strict=strict, candidates=candidates),
        p, options, candidates=candidates, cache=cache)


def _read_uncached(p: Path, *, format: str | None, election: str | None, round: int | None,
                   strict: bool, candidates: str | PathLike[str] | None) -> Results:
    layout = FORMATS[format] if format is not None else None
    if format in (None, "harmonised") and harmonised_read.is_harmonised_file(p):
        return _read_harmonised(p, candidates, strict, election, round)
    table = read_table(p, separator=layout.separator if layout else None,
                       header=_header_test(layout))
    if harmonised.is_candidates(table.frame):
        raise InputFormatError(
            f"{p}: this is a harmonised candidats_results file; pass the general_results file "
            "as path and this one as candidates="
        )
    if layout is None:
        layout = detect_format(table.frame, p)
    elif not layout.matches(table.frame):
        raise SchemaError(
            f"{where(p, line=header_line(table.frame))}: header does not have the columns of format {layout.name!r} "
            f"({layout.description}); see docs/formats.md"
        )
    if layout.name == "harmonised":
        return _read_harmonised(p, candidates, strict, election, round)
    guessed_election, guessed_round = infer_election(p)
    election = election or guessed_election
    round_ = round if round is not None else guessed_round
    if round_ is None and "No tour" in table.frame.columns:
        round_ = 0  # per row, from the file's "No tour" column
    if election is None or round_ is None:
        raise SchemaError(
            f"{p}: cannot tell the election and round from the file name; pass "
            "election='<year>-<kind>' and round=1 or 2"
        )
    kind = election.split("-", 1)[1] if election and "-" in election else ""
    if election is not None and kind not in schema.ELECTION_KINDS:
        raise SchemaError(
            f"{p}: election {election!r} is not '<year>-<kind>' with kind in "
            f"{', '.join(schema.ELECTION_KINDS)}"
        )
    if round_ is not None and round_ not in (1, 2):
        raise SchemaError(f"{p}: round {round_!r}; expected 1 or 2")
    logger.info("%s: layout %s, %s round %s, encoding %s", p, layout.name, election, round_,
                table.encoding)
    stations, votes = layout.parse(table, kind)
    notes = stations.attrs.pop(suffixed.NOTES_ATTR, {})
    result = assemble(stations, votes, path=p, election=election or "", round=round_ or 0,
                      fmt=layout.name, encoding=table.encoding, strict=strict)
    result.notes = notes
    return result


def _header_test(layout: Layout | None) -> Callable[[pd.DataFrame], bool]:
    """What a header row looks like: the forced layout's, else any known one's."""
    if layout is not None:
        return layout.matches
    return lambda frame: harmonised.is_candidates(frame) or any(
        known.matches(frame) for known in FORMATS.values())


def _read_harmonised(path: Path, candidates: str | PathLike[str] | None, strict: bool,
                     election: str | None, round_: int | None) -> Results:
    """A harmonised general file (+ candidates), only the election asked for if any."""
    ids = harmonised_read.election_ids(election, round_)
    table = harmonised_read.read_harmonised_table(path, ids)
    if harmonised.is_candidates(table.frame):
        raise InputFormatError(
            f"{path}: this is a harmonised candidats_results file; pass the general_results "
            "file as path and this one as candidates="
        )
    if not harmonised.is_general(table.frame):
        raise SchemaError(
            f"{where(path, line=1)}: 'id_election' but not the columns of a general_results "
            "file; expected the bureau keys and 'inscrits' (see docs/formats.md)")
    cand_table = None
    if candidates is not None:
        cand_table = harmonised_read.read_harmonised_table(candidates, ids)
        if not harmonised.is_candidates(cand_table.frame):
            raise SchemaError(
                f"{where(candidates, line=1)}: not a candidats_results file; expected "
                "'id_election', the bureau keys and 'Voix'"
            )
    logger.info("%s: layout harmonised, %s, %d rows", path,
                ", ".join(sorted(ids)) if ids else "every election", len(table.frame))
    stations, votes = harmonised.parse_harmonised(table, cand_table)
    source = str(table.path) if candidates is None else f"{table.path}; {candidates}"
    result = assemble(stations, votes, path=table.path, election="", round=0,
                      fmt="harmonised", encoding=table.encoding, strict=strict)
    result.source = source
    return result
