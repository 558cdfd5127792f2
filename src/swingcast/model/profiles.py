"""A bureau's whole vote in a round (every bloc's share and its turnout), as predictors.

Model v3's denoiser predicts each prior from the other rounds (docs/models.md, protocol log,
entry 30): with :func:`profile_predictors`, from each other round's whole profile, not only
the same share. A round's own profile is never a predictor of its own priors (the same
ballots: their sampling noise is shared).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from swingcast.model.blocs import BLOCS
from swingcast.model.priors import (
    _CACHE,
    PriorRound,
    _voix_of,
    blocs_of,
    fill_by_commune,
    round_totals,
    votes_in,
)
from swingcast.schema import EXPRIMES, INSCRITS, VOTANTS

__all__ = ["round_profile", "profile_predictors"]


def round_profile(r: PriorRound) -> pd.DataFrame:
    """Every bloc's share of the exprimés and the turnout of one round, per bureau.

    Examples
    --------
    >>> st = pd.DataFrame({"bureau_id": ["a", "b"], "inscrits": [100, 100], "votants": [60, 80],
    ...                    "exprimes": [50, 80]})
    >>> vt = pd.DataFrame({"bureau_id": ["a", "a", "b"], "candidate": ["LE PEN", "MACRON", "MACRON"],
    ...                    "voix": [20, 30, 80]})
    >>> p = round_profile(PriorRound("2017-presidentielle-2", "presidentielle", st, vt))
    >>> p.loc["a", ["far_right", "centre", "turnout"]].tolist()
    [0.4, 0.6, 0.6]
    """
    key = ("profile", id(r.stations), id(r.votes))
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is r.stations and hit[1] is r.votes:
        return hit[2]
    totals = round_totals(r.stations)
    vt = votes_in(r.votes, totals.index)
    blocs = blocs_of(r.votes) if vt is r.votes else blocs_of(r.votes).loc[vt.index]
    exp = totals[EXPRIMES].where(totals[EXPRIMES] > 0)
    cols = {}
    for b in BLOCS:
        voix = _voix_of(vt, blocs.eq(b).to_numpy()).reindex(totals.index, fill_value=0.0)
        cols[b] = voix / exp
    cols["turnout"] = totals[VOTANTS] / totals[INSCRITS]
    out = pd.DataFrame(cols, index=totals.index)
    _CACHE[key] = (r.stations, r.votes, out)
    return out


def profile_predictors(rounds: Sequence[PriorRound], index: pd.Index, communes: np.ndarray,
                       weights: np.ndarray) -> dict[str, np.ndarray]:
    """The standardised profile of each round on the bureaux ``index``, by round label.

    A bureau the round does not know gets its commune's weighted mean (else the area's); a
    column that does not vary (a bloc absent from the round) is dropped.

    Examples
    --------
    >>> st = pd.DataFrame({"bureau_id": ["a", "b", "c"], "inscrits": [100] * 3,
    ...                    "votants": [60, 80, 70], "exprimes": [50, 80, 70]})
    >>> vt = pd.DataFrame({"bureau_id": ["a", "b", "c"], "candidate": ["LE PEN"] * 3, "voix": [10, 40, 21]})
    >>> z = profile_predictors([PriorRound("2019-europeennes-1", "europeennes", st, vt)],
    ...                        pd.Index(["a", "b", "c"]), np.array(["1", "1", "1"]), np.ones(3))
    >>> z["2019-europeennes-1"].shape  # far-right share and turnout vary; the other blocs are 0
    (3, 2)
    """
    out = {}
    for r in rounds:
        prof = round_profile(r)
        at = prof.index.get_indexer(index)
        P = np.where(at[:, None] >= 0, prof.to_numpy(float)[np.clip(at, 0, None)], np.nan)
        P, keep = fill_by_commune(P, weights, communes)
        P = P[:, keep]
        sd = P.std(axis=0)
        vary = sd > 1e-9
        out[r.label] = (P[:, vary] - P[:, vary].mean(axis=0)) / sd[vary]
    return out
