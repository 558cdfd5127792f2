"""The :class:`Results` container returned by every loader."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from swingcast import schema

__all__ = ["Results", "ISSUE_COLUMNS", "empty_issues", "PCT_INSCRITS"]

#: Columns of :attr:`Results.issues`.
ISSUE_COLUMNS = ("file", "line", "bureau_id", "check", "detail")
#: Extra column of ``votes`` for sources that give shares of registered voters, not counts.
PCT_INSCRITS = "pct_inscrits"


def empty_issues() -> pd.DataFrame:
    """Return an empty issues table with the right columns and dtypes.

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> list(empty_issues().columns)
    ['file', 'line', 'bureau_id', 'check', 'detail']
    """
    return pd.DataFrame(
        {
            "file": pd.Series(dtype="string"),
            "line": pd.Series(dtype="Int64"),
            "bureau_id": pd.Series(dtype="string"),
            "check": pd.Series(dtype="string"),
            "detail": pd.Series(dtype="string"),
        }
    )


@dataclass
class Results:
    """Election results per bureau de vote.

    Attributes
    ----------
    stations : DataFrame
        One row per bureau and round, columns :data:`swingcast.schema.STATION_COLUMNS`;
        counts are nullable ``Int64`` (NA when the source does not give them).
    votes : DataFrame
        One row per bureau, round and candidate (or list, or nuance), columns
        :data:`swingcast.schema.VOTE_COLUMNS` (plus ``pct_inscrits`` for sources that
        only give shares of registered voters, where ``voix`` is NA).
    issues : DataFrame
        Invariant breaks: ``file, line, bureau_id, check, detail``.
    source : str
        The file(s) read.
    format : str
        The layout name (see ``docs/formats.md``).
    encoding : str or None
        Text encoding used (``"utf-8"``, ``"cp1252"``...), None for spreadsheets.
    notes : dict
        What the loader did besides reading counts, when it says so (the ``suffixed``
        layout: ``ignored_columns``, the trailing columns not read; ``rebuilt_counts``,
        counts rebuilt from percentages with their rounding). Empty otherwise.

    Examples
    --------
    >>> r = Results.empty()
    >>> len(r), list(r.stations.columns) == list(schema.STATION_COLUMNS)
    (0, True)
    """

    stations: pd.DataFrame
    votes: pd.DataFrame
    issues: pd.DataFrame = field(default_factory=empty_issues)
    source: str = ""
    format: str = ""
    encoding: str | None = None
    notes: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.stations)

    def __repr__(self) -> str:
        elections = sorted(
            {f"{e} round {r}" for e, r in zip(self.stations[schema.ELECTION],
                                              self.stations[schema.ROUND], strict=True)}
        )
        return (
            f"Results({len(self.stations)} stations, {len(self.votes)} votes, "
            f"{len(self.issues)} issues, format={self.format!r}, elections={elections})"
        )

    @classmethod
    def empty(cls) -> Results:
        """Return a Results with no rows (the neutral element of :meth:`concat`).

        Returns
        -------
        Results

        Examples
        --------
        >>> Results.empty().votes.columns.tolist() == list(schema.VOTE_COLUMNS)
        True
        """
        stations = pd.DataFrame({c: pd.Series(dtype="string") for c in schema.STATION_COLUMNS})
        stations[schema.ROUND] = stations[schema.ROUND].astype("Int64")
        for c in schema.STATION_COUNTS:
            stations[c] = stations[c].astype("Int64")
        votes = pd.DataFrame({c: pd.Series(dtype="string") for c in schema.VOTE_COLUMNS})
        for c in (schema.ROUND, schema.PANEL, schema.VOIX):
            votes[c] = votes[c].astype("Int64")
        return cls(stations, votes)

    @classmethod
    def concat(cls, parts: Iterable[Results]) -> Results:
        """Stack several Results (e.g. several rounds or files) into one.

        A bureau present in two parts for the same election and round is reported in
        ``issues`` (check ``duplicate_bureau``); both rows are kept.

        Parameters
        ----------
        parts : iterable of Results

        Returns
        -------
        Results

        Examples
        --------
        >>> both = Results.concat([Results.empty(), Results.empty()])
        >>> len(both), both.format
        (0, '')
        """
        items = list(parts)
        if not items:
            return cls.empty()
        stations = pd.concat([p.stations for p in items], ignore_index=True)
        votes = pd.concat([p.votes for p in items], ignore_index=True)
        issues = pd.concat([p.issues for p in items], ignore_index=True)
        keys = [schema.ELECTION, schema.ROUND, schema.BUREAU_ID]
        part_of = pd.Series(
            [i for i, p in enumerate(items) for _ in range(len(p.stations))], dtype="int64"
        )
        dup = stations.duplicated(keys, keep=False) & ~pd.concat(
            [p.stations.duplicated(keys, keep=False) for p in items], ignore_index=True
        ).astype(bool)
        if dup.any():
            rows = stations[dup.to_numpy()]
            extra = pd.DataFrame(
                {
                    "file": [items[i].source for i in part_of[dup.to_numpy()]],
                    "line": pd.array([pd.NA] * len(rows), dtype="Int64"),
                    "bureau_id": rows[schema.BUREAU_ID].to_numpy(),
                    "check": "duplicate_bureau",
                    "detail": [
                        f"{e} round {r}: bureau present in more than one file"
                        for e, r in zip(rows[schema.ELECTION], rows[schema.ROUND], strict=True)
                    ],
                }
            ).astype({"file": "string", "bureau_id": "string", "check": "string",
                      "detail": "string"})
            issues = pd.concat([issues, extra], ignore_index=True)
        sources = "; ".join(dict.fromkeys(p.source for p in items if p.source))
        formats = "+".join(dict.fromkeys(p.format for p in items if p.format))
        encodings = {p.encoding for p in items if p.encoding}
        encoding = encodings.pop() if len(encodings) == 1 else None
        return cls(stations, votes, issues, sources, formats, encoding)
