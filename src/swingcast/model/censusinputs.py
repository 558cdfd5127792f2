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

from swingcast.model.features import _census_shares
from swingcast.schema import COMMUNE_CODE

__all__ = ["census_predictors"]


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
    base = pd.DataFrame({COMMUNE_CODE: communes.reindex(index).astype(str).to_numpy()}, index=index)
    shares = _census_shares(census, total, base).drop(columns="census_missing").to_numpy(float)
    sd = shares.std(axis=0)
    keep = sd > 1e-12
    return (shares[:, keep] - shares[:, keep].mean(axis=0)) / sd[keep]
