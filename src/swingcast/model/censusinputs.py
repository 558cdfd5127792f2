"""Census shares of the bureaux as predictors of model v3's denoiser.

A census table carried onto the bureaux (counts per bureau, e.g. by
:func:`swingcast.crosswalk`) becomes one standardised column per variable (its share of the
census total, :func:`swingcast.model.features.build_features`' ``census_<var>_share``):
a bureau without census coverage gets its commune's shares (else the area's), and a variable
that does not vary is dropped. :func:`swingcast.model.blend.denoise` adds these columns to the
predictors of each prior (docs/models.md, protocol log, entry 20).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from swingcast.errors import SchemaError
from swingcast.model.features import _census_shares
from swingcast.schema import COMMUNE_CODE

__all__ = ["census_predictors", "census_total_of"]


def census_total_of(census: pd.DataFrame) -> str:
    """The total (denominator) column of a census table: ``census.attrs["census_total"]``, as
    :func:`swingcast.load.bureaucensus.read_bureau_census` sets it, else its first column.

    Examples
    --------
    >>> census_total_of(pd.DataFrame({"pop": [1.0], "cadres": [0.2]}))
    'pop'
    """
    return str(census.attrs.get("census_total") or census.columns[0])


def census_predictors(census: pd.DataFrame, total: str, index: pd.Index, communes: pd.Series) -> np.ndarray:
    """Standardised census shares of the bureaux ``index`` (bureaux × variables).

    Parameters
    ----------
    census : DataFrame
        Counts per bureau (indexed by ``bureau_id``), ``total`` among its columns.
    total : str
        The column that is the denominator of the shares.
    index : Index
        The bureaux, in the order of the rows returned.
    communes : Series
        Commune of each bureau of ``index`` (fills bureaux without census coverage).

    Returns
    -------
    ndarray
        One column per census variable that varies across the bureaux: its share minus the
        mean, over the sd (unweighted).

    Examples
    --------
    >>> c = pd.DataFrame({"pop": [100.0, 200.0, 100.0], "cadres": [10.0, 80.0, 30.0]},
    ...                  index=["1_a", "1_b", "2_a"])
    >>> idx = pd.Index(["1_a", "1_b", "2_a", "2_b"])
    >>> z = census_predictors(c, "pop", idx, pd.Series(["1", "1", "2", "2"], index=idx))
    >>> z.shape, z[:, 0].round(3).tolist()  # shares 0.1, 0.4, 0.3 and 2_b its commune's 0.3
    ((4, 1), [-1.606, 1.147, 0.229, 0.229])
    """
    # the same table (by content) and bureaux: computed, and warned about, once
    key = (int(pd.util.hash_pandas_object(census, index=True).sum()), tuple(map(str, census.columns)), total,
           hash(tuple(index.astype(str))), hash(tuple(communes.reindex(index).astype(str))))
    hit = _MEMO.get(key)
    if hit is not None:
        return hit.copy()
    if not pd.Index(index.astype(str)).isin(pd.Index(census.index.astype(str))).any():
        raise SchemaError(
            f"census: none of the {len(index)} bureaux has a census row; expected the census indexed "
            f"by bureau_id as in the results (e.g. {list(index[:3].astype(str))}), got "
            f"{list(census.index[:3].astype(str))}")
    base = pd.DataFrame({COMMUNE_CODE: communes.reindex(index).astype(str).to_numpy()}, index=index)
    shares = _census_shares(census, total, base).drop(columns="census_missing").to_numpy(float)
    sd = shares.std(axis=0)
    keep = sd > 1e-12
    out = (shares[:, keep] - shares[:, keep].mean(axis=0)) / sd[keep]
    if len(_MEMO) >= 32:
        _MEMO.clear()
    _MEMO[key] = out
    return out.copy()


#: census predictors already computed, keyed by the table's content, its total and the
#: bureaux: a history's forecasts ask for the same ones many times
_MEMO: dict[tuple, np.ndarray] = {}
