"""A one-table summary of a :class:`~swingcast.load.sources.results.Results` (for the CLI)."""

from __future__ import annotations

import pandas as pd

from swingcast import schema
from swingcast.load.sources.results import Results

__all__ = ["summarize_results"]


def summarize_results(results: Results) -> pd.DataFrame:
    """Summarise results per election and round.

    Parameters
    ----------
    results : Results

    Returns
    -------
    DataFrame
        One row per election and round: ``stations`` (rows), ``bureaux`` (distinct ids),
        ``communes``, the sums of the counts (NA when the source does not give them),
        ``voix`` (sum over candidates), ``candidates`` (distinct names) and ``issues``
        (invariant breaks recorded for those bureaux).

    Examples
    --------
    >>> from swingcast.load.sources import read_results
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "2017-presidentielle-2.csv")
    >>> _ = open(p, "w").write("departement,commune,bureau,commune_libelle,inscrits,"
    ...     "votants,blancs,exprimes,LE PEN,MACRON\\n01,001,0001,A,10,8,1,6,2,4\\n"
    ...     "01,001,0002,A,20,10,0,10,3,7\\n")
    >>> summarize_results(read_results(p))[["stations", "inscrits", "nuls", "voix"]].values.tolist()
    [[2, 30, 1, 16]]
    """
    keys = [schema.ELECTION, schema.ROUND]
    st = results.stations
    grouped = st.groupby(keys, sort=True)
    out = pd.DataFrame({
        "stations": grouped.size(),
        "bureaux": grouped[schema.BUREAU_ID].nunique(),
        "communes": grouped[schema.COMMUNE_CODE].nunique(),
    })
    for col in schema.STATION_COUNTS:
        total = grouped[col].sum(min_count=1)
        out[col] = total.astype("Int64")
    votes = results.votes.groupby(keys, sort=True)
    out[schema.VOIX] = votes[schema.VOIX].sum(min_count=1).astype("Int64")
    out["candidates"] = votes[schema.CANDIDATE].nunique()
    issue_ids = set(results.issues["bureau_id"].dropna())
    out["issues"] = st[st[schema.BUREAU_ID].isin(issue_ids)].groupby(keys).size()
    out["issues"] = out["issues"].fillna(0).astype("int64")
    out["candidates"] = out["candidates"].fillna(0).astype("int64")
    return out.reset_index()
