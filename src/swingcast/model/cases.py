"""The named back-test cases: which data, which transitions, which target.

A case assembles, from the registered data files, everything :func:`swingcast.model.backtest.backtest`
needs (a :class:`CaseData`):

* a **training transition** known before the scored election E: features at t-1 (``X_train``)
  and outcomes at t (``train``: turnout and target share per bureau);
* the **application**: features at t (``X_test``) and the observed outcome of E (``test``),
  never used for fitting, only for scoring and for the area-wide anchor ("perfect poll").

Feature columns are made election-neutral so a model fitted on one transition applies to the
next: ``turnout_lag`` and ``share_<bloc>_lag`` are logit deviations from the area-wide
(inscrits- or exprimés-weighted) level of that round, census shares are centred, and
``log_inscrits`` is kept. The raw previous values (``prior_turnout``, ``prior_share``) feed
the baselines.

Cases (see ``docs/models.md``):

``paris-2017-t2``  Paris, presidential 2017 round 2 (turnout, Macron share of exprimés)
``hds13-eu2024``   Hauts-de-Seine 13th constituency, European 2024 (turnout, RN list share)
``france-eu2019``  all France, European 2019 (turnout, RN list share)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from swingcast._log import logger
from swingcast.errors import SchemaError, where
from swingcast.model.blocs import BLOCS
from swingcast.model.features import feature_name
from swingcast.schema import (
    ARRONDISSEMENT_CODE,
    BUREAU_ID,
    COMMUNE_CODE,
    EXPRIMES,
    INSCRITS,
    VOTANTS,
)

__all__ = ["CaseSpec", "CaseData", "CASES", "get_case", "list_cases", "lag_matrix", "outcomes"]

PRIOR_TURNOUT = "prior_turnout"
PRIOR_SHARE = "prior_share"
MATCHED = "matched"


@dataclass
class CaseData:
    """Everything a back-test needs, assembled by a case.

    Attributes
    ----------
    X_train, X_test : DataFrame
        Model features (numeric, plus ``commune_code`` and ``inscrits``), indexed by
        ``bureau_id``; same columns in both.
    train, test : DataFrame
        Outcomes per bureau: ``inscrits``, ``votants``, ``exprimes``, ``turnout``, ``share``.
    prior_train, prior_test : DataFrame
        ``prior_turnout``, ``prior_share`` (raw previous values) for the baselines.
    meta_test : DataFrame
        ``commune_code``, ``arrondissement_code``, ``matched`` of the scored bureaux.
    share_override : callable, optional
        For cases whose share model is not fitted on the training transition (Paris: a
        vote-transfer model), a function returning the unanchored share prediction of the
        test bureaux.
    threshold : float or "anchor"
        Swing event: share above this value (``"anchor"``: above the area-wide anchor).
    features : list of str, optional
        The model features (default: every numeric column but ``inscrits``).
    group_col : str
        Pooling column of ``X_*`` (``commune_code``; ``arrondissement_code`` in Paris).
    swing_area : {"group", "departement"}
        Areas whose errors set the sd of the simulation's common swing.
    share_uncertainty : callable, optional
        With ``share_override``: the transfer model's own uncertainty, a function returning
        ``{"scale": per-bureau logit scale, "q": conformal quantile, "residuals":
        standardised residuals for the simulation, "common_sd": logit sd of area errors}``
        (see :mod:`swingcast.model.transfer`).
    turnout_override, turnout_uncertainty : callable, optional
        The same for turnout (Paris: turnout implied by the survey's abstention rates).
    alpha : float or "cv"
        Ridge penalty of the models (:class:`~swingcast.model.estimators.TurnoutModel`); ``"cv"``
        chooses it on the training transition.
    offset : bool
        Previous value of the target as logit offset (the model learns the change).
    dev : callable, optional
        A development application known before the scored election: ``(X, outcomes,
        priors)`` of another round sharing the features. The fitted model is applied to it
        (re-centred on its own level) and the interval quantile is scaled by the ratio of
        the conformal quantile of its standardised errors to the training one (time-split
        conformal calibration).
    notes : dict
        Counts and choices reported by the back-test (unmatched bureaux, ...).
    """

    X_train: pd.DataFrame
    train: pd.DataFrame
    prior_train: pd.DataFrame
    X_test: pd.DataFrame
    test: pd.DataFrame
    prior_test: pd.DataFrame
    meta_test: pd.DataFrame
    share_override: Callable[[], np.ndarray] | None = None
    threshold: float | str = 0.5
    features: list[str] | None = None
    group_col: str = COMMUNE_CODE
    swing_area: str = "group"
    notes: dict = field(default_factory=dict)
    share_uncertainty: Callable[[], dict] | None = None
    turnout_override: Callable[[], np.ndarray] | None = None
    turnout_uncertainty: Callable[[], dict] | None = None
    alpha: float | str = 0.0
    offset: bool = False
    dev: Callable[[], tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]] | None = None


@dataclass(frozen=True)
class CaseSpec:
    """A named back-test case.

    Attributes
    ----------
    name : str
    area : str
    election : str
        The scored election.
    target : str
        What the share is.
    training : str
        The training transition.
    build : callable
        ``build() -> CaseData``.
    """

    name: str
    area: str
    election: str
    target: str
    training: str
    build: Callable[[], CaseData]


# --- small helpers -------------------------------------------------------------------------


def _logit(p: pd.Series | np.ndarray) -> np.ndarray:
    q = np.clip(np.asarray(p, dtype=float), 1e-4, 1 - 1e-4)
    return np.log(q) - np.log1p(-q)


def _weighted_level(values: pd.Series, weights: pd.Series) -> float:
    return float(np.average(values.to_numpy(float), weights=weights.to_numpy(float)))


def lag_matrix(
    features: pd.DataFrame,
    key: tuple[str, int],
    *,
    census_columns: list[str] | tuple[str, ...] = (),
    groups: tuple[str, ...] = BLOCS,
) -> pd.DataFrame:
    """Election-neutral model features from the ``build_features`` columns of one round.

    ``turnout_lag`` and ``share_<group>_lag`` are the logit of the bureau's value minus the
    logit of the round's area-wide level (weighted by inscrits), so a coefficient learned on
    one transition means the same on the next; census shares are centred on their weighted
    mean. ``log_inscrits``, ``inscrits`` and ``commune_code`` are kept for pooling and sizes.

    Parameters
    ----------
    features : DataFrame
        Output of :func:`swingcast.model.features.build_features`.
    key : (str, int)
        The round to describe.
    census_columns : sequence of str
        Census columns to keep (centred).
    groups : sequence of str
        Blocs or parties whose exprimés shares become features.

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> f = pd.DataFrame({"turnout_e_1": [0.5, 0.25], "share_exp_rn_e_1": [0.2, 0.2],
    ...     "log_inscrits": [4.6, 5.3], "inscrits": [100.0, 200.0],
    ...     "commune_code": ["01001", "01001"]}, index=["a", "b"])
    >>> lag_matrix(f, ("e", 1), groups=("rn",))["share_rn_lag"].round(6).tolist()
    [0.0, 0.0]
    """
    w = features[INSCRITS]
    out = pd.DataFrame(index=features.index)
    turnout = features[feature_name("turnout", key)]
    out["turnout_lag"] = _logit(turnout) - _logit(_weighted_level(turnout, w))
    for g in groups:
        share = features[feature_name("share_exp", key, g)]
        weight = w * turnout
        level = _weighted_level(share, weight)
        if level <= 0:  # a bloc absent from that round (no green candidate in 2017)
            continue
        out[f"share_{g}_lag"] = _logit(share) - _logit(level)
    for col in census_columns:
        out[col] = features[col] - _weighted_level(features[col], w)
    out["log_inscrits"] = features["log_inscrits"]
    out[INSCRITS] = features[INSCRITS]
    out[COMMUNE_CODE] = features[COMMUNE_CODE]
    if ARRONDISSEMENT_CODE in features:
        out[ARRONDISSEMENT_CODE] = features[ARRONDISSEMENT_CODE]
    return out


def outcomes(stations: pd.DataFrame, share_votes: pd.Series) -> pd.DataFrame:
    """Turnout and target share per bureau of one round.

    Parameters
    ----------
    stations : DataFrame
        The round's ``stations`` rows (schema columns).
    share_votes : Series
        Voix of the target per ``bureau_id``.

    Returns
    -------
    DataFrame
        ``inscrits, votants, exprimes, turnout, share`` indexed by ``bureau_id``; bureaux
        with zero inscrits or exprimés are dropped with a warning (their rates are undefined).

    Examples
    --------
    >>> st = pd.DataFrame({"bureau_id": ["a"], "inscrits": [10], "votants": [5],
    ...                    "exprimes": [4]})
    >>> outcomes(st, pd.Series({"a": 1}))[["turnout", "share"]].to_numpy().tolist()
    [[0.5, 0.25]]
    """
    st = stations.set_index(BUREAU_ID)
    out = st[[INSCRITS, VOTANTS, EXPRIMES]].apply(pd.to_numeric).astype(float)
    voix = share_votes.reindex(out.index, fill_value=0.0).astype(float)
    zero = (out[INSCRITS] <= 0) | (out[EXPRIMES] <= 0)
    if zero.any():
        logger.warning(
            "%d bureaux with zero inscrits or exprimés dropped from the outcome (%s)",
            int(zero.sum()), where(ids=out.index[zero.to_numpy()]),
        )
        out = out[~zero]
        voix = voix[~zero]
    out["turnout"] = out[VOTANTS] / out[INSCRITS]
    out["share"] = voix / out[EXPRIMES]
    return out


# The registry of cases is filled by swingcast.model.casedata (data assembly lives there).
CASES: dict[str, CaseSpec] = {}


def get_case(name: str) -> CaseSpec:
    """Return a case by name.

    Examples
    --------
    >>> get_case("paris-2017-t2").election
    '2017-presidentielle round 2'
    """
    _load_registry()
    if name not in CASES:
        raise SchemaError(f"unknown back-test case {name!r}; expected one of {sorted(CASES)}")
    return CASES[name]


def list_cases() -> pd.DataFrame:
    """The named cases, one row each.

    Returns
    -------
    DataFrame
        Columns ``name, area, election, target, training``.

    Examples
    --------
    >>> list_cases()["name"].tolist()
    ['paris-2017-t2', 'hds13-eu2024', 'france-eu2019']
    """
    _load_registry()
    return pd.DataFrame(
        [
            {"name": c.name, "area": c.area, "election": c.election, "target": c.target,
             "training": c.training}
            for c in CASES.values()
        ]
    )


def _load_registry() -> None:
    if not CASES:
        import swingcast.model.casedata  # noqa: F401  (registers the cases)

