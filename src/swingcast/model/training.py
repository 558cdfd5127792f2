"""The training frame: per bureau, features of earlier rounds and the outcome of a later one.

Everything a model stage needs about one transition "features at rounds F -> outcome at round
O" is built here, from stacked ``stations``/``votes`` tables (a :class:`~swingcast.model.history.History`
or the rounds of a case):

* :func:`resolve_share` turns what the user wants predicted (a candidate's surname, a nuance or
  list code, a bloc, a party key) into a selector of ``votes`` rows;
* :func:`describe` gives the election-neutral features of a set of bureaux from rounds F
  (:func:`lag_matrix`), their raw previous values (the baselines' priors) and their commune /
  matched flags;
* :func:`transition_frame` adds the outcome (turnout = votants / inscrits, share of exprimés,
  :func:`outcomes`) of the bureaux of round O;
* :class:`CaseData` bundles a training transition and an application for
  :func:`swingcast.model.backtest.backtest` and :func:`swingcast.model.forecast.forecast`.

Feature columns are made election-neutral so a model fitted on one transition applies to the
next: ``turnout_lag`` and ``share_<group>_lag`` are logit deviations from the area-wide
(inscrits- or exprimés-weighted) level of that round, census shares are centred, and
``log_inscrits`` is kept. The raw previous values (``prior_turnout``, ``prior_share``) feed
the baselines.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from swingcast._log import logger
from swingcast.errors import SchemaError, where
from swingcast.model.blocs import BLOCS, RN_NAMES, assign_blocs, is_rn
from swingcast.model.features import RoundSummary, build_features, feature_name
from swingcast.schema import (
    ARRONDISSEMENT_CODE,
    BUREAU_ID,
    CANDIDATE,
    COMMUNE_CODE,
    ELECTION,
    EXPRIMES,
    INSCRITS,
    LIST,
    NUANCE,
    ROUND,
    VOIX,
    VOTANTS,
)

__all__ = ["CaseData", "lag_matrix", "outcomes", "Share", "resolve_share", "PARTIES", "votes_of",
           "bureaux_of", "describe", "transition_frame", "round_suffix",
           "PRIOR_TURNOUT", "PRIOR_SHARE", "MATCHED"]

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
    training : dict, optional
        Which transition(s) the model learns from and why (the back-test JSON's ``training``).
    priors : dict, optional
        The earlier rounds, the share's selector and bloc: the back-test then adds every
        baseline of :mod:`swingcast.model.priors`, the best one named, to its JSON.
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
    #: the training choice (:meth:`swingcast.model.history.Training.as_dict`, or the case's)
    training: dict | None = None
    #: the earlier rounds for the strongest baselines (:func:`swingcast.model.priors.case_extras`):
    #: ``{"rounds": [PriorRound, ...], "select": callable, "bloc": str}``
    priors: dict | None = None


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



# --- what is predicted ----------------------------------------------------------------------

#: Party keys a share can name: key -> selector of ``votes`` rows.
PARTIES: dict[str, Callable[[pd.DataFrame], pd.Series]] = {"rn": is_rn}


def _norm(name: object) -> str:
    text = unicodedata.normalize("NFKD", str(name))
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).upper().split())


@dataclass(frozen=True)
class Share:
    """A resolved share target.

    Attributes
    ----------
    given : str
        What the caller wrote.
    kind : {"party", "bloc", "name"}
    key : str
        The party key, the bloc, or the normalised name.
    group : str
        Its feature group (``share_exp_<group>_*``): the party key, the bloc, or ``"target"``.
    """

    given: str
    kind: str
    key: str
    group: str

    def select(self, votes: pd.DataFrame) -> pd.Series:
        """True for the ``votes`` rows of this share.

        Examples
        --------
        >>> v = pd.DataFrame({"candidate": ["Le Pen Marine", "MACRON"], "nuance": [None, None]})
        >>> resolve_share("macron").select(v).tolist()
        [False, True]
        """
        if self.kind == "party":
            return PARTIES[self.key](votes)
        if self.kind == "bloc":
            return assign_blocs(votes).eq(self.key)
        out = pd.Series(False, index=votes.index)
        for col in (CANDIDATE, LIST, NUANCE):
            if col in votes.columns:
                values = votes[col]
                names = {v: _norm(v) for v in pd.unique(values) if isinstance(v, str)}
                hit = [v for v, n in names.items() if n == self.key or n.startswith(self.key + " ")]
                if hit:
                    out |= values.isin(hit).to_numpy(dtype=bool, na_value=False)
        return out

    @property
    def parties(self) -> dict[str, Callable[[pd.DataFrame], pd.Series]]:
        """The extra groups :func:`~swingcast.model.features.build_features` needs for it."""
        if self.kind == "party":
            return {self.key: PARTIES[self.key]}
        if self.kind == "name":
            return {"target": self.select}
        return {}


def resolve_share(share: str | Share) -> Share:
    """What ``share`` means: a party key, a bloc, or a candidate / list / nuance name.

    In order: a party key of :data:`PARTIES` (``"rn"``), a bloc of
    :data:`~swingcast.model.blocs.BLOCS` (``"far_right"``), a name under which the
    Front/Rassemblement national appears (``"LE PEN"``, ``"FN"``, ``"LRN"``: the party ``rn``, so
    that every round, of any kind, has it), else a name matched, case and accents ignored, to
    the candidate (surname, or "SURNAME First name"), list or nuance of each round.

    Parameters
    ----------
    share : str

    Returns
    -------
    Share

    Raises
    ------
    SchemaError
        An empty name.

    Examples
    --------
    >>> [resolve_share(s).group for s in ("rn", "Le Pen", "far_right", "Mélenchon")]
    ['rn', 'rn', 'far_right', 'target']
    >>> resolve_share("Mélenchon").key
    'MELENCHON'
    """
    if isinstance(share, Share):
        return share
    text = str(share).strip()
    if not text:
        raise SchemaError("share: empty; expected a candidate surname, a nuance or list code, a bloc "
                          f"({', '.join(BLOCS)}) or a party key ({', '.join(PARTIES)})")
    low = text.lower()
    if low in PARTIES:
        return Share(text, "party", low, low)
    if low in BLOCS:
        return Share(text, "bloc", low, low)
    key = _norm(text)
    if key in RN_NAMES:
        return Share(text, "party", "rn", "rn")
    return Share(text, "name", key, "target")


def votes_of(votes: pd.DataFrame, select: Callable[[pd.DataFrame], pd.Series]) -> pd.Series:
    """Voix of the selected rows per ``bureau_id``.

    Examples
    --------
    >>> v = pd.DataFrame({"bureau_id": ["a", "a"], "nuance": ["RN", "LR"], "voix": [3, 4]})
    >>> votes_of(v, is_rn).to_dict()
    {'a': 3.0}
    """
    mask = select(votes).to_numpy(dtype=bool)
    return votes.loc[mask, VOIX].astype(float).groupby(votes.loc[mask, BUREAU_ID]).sum()


def bureaux_of(stations: pd.DataFrame) -> pd.DataFrame:
    """Bureaux of one round (``commune_code``, ``arrondissement_code``, ``inscrits``), zero-inscrits left out.

    Examples
    --------
    >>> st = pd.DataFrame({"bureau_id": ["a", "b"], "commune_code": "x",
    ...                    "arrondissement_code": "x", "inscrits": [10, 0]})
    >>> bureaux_of(st).index.tolist()
    ['a']
    """
    b = stations.set_index(BUREAU_ID)[[COMMUNE_CODE, ARRONDISSEMENT_CODE, INSCRITS]].copy()
    b[INSCRITS] = pd.to_numeric(b[INSCRITS]).astype(float)
    zero = b[INSCRITS] <= 0
    if zero.any():
        logger.warning("%d bureaux with zero inscrits left out (%s)", int(zero.sum()), where(ids=b.index[zero.to_numpy()]))
    return b[~zero]


_ABBR = {"europeennes": "eu", "presidentielle": "pres", "legislatives": "leg", "municipales": "mun",
         "departementales": "dep", "regionales": "reg", "referendum": "ref"}


def round_suffix(key: tuple[str, int]) -> str:
    """Short name of a round in the names of secondary features (``_eu14``, ``_pres17_1``).

    Examples
    --------
    >>> round_suffix(("2014-europeennes", 1)), round_suffix(("2017-presidentielle", 2))
    ('eu14', 'pres17_2')
    """
    year, kind = key[0].split("-", 1)
    base = f"{_ABBR.get(kind, kind)}{year[2:]}"
    return base if kind == "europeennes" else f"{base}_{int(key[1])}"


def _census_columns(features: pd.DataFrame) -> list[str]:
    return [c for c in features.columns if c.startswith("census_") and c != "census_missing"]


def describe(
    stations: pd.DataFrame,
    votes: pd.DataFrame,
    rounds: Sequence[tuple[str, int]],
    bureaux: pd.DataFrame,
    *,
    share: Share | str,
    groups: Sequence[str],
    census: pd.DataFrame | None = None,
    census_total: str | None = None,
    summaries: Mapping[tuple[str, int], RoundSummary] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Features, priors and meta of ``bureaux`` described by earlier ``rounds``.

    The first round gives the full :func:`lag_matrix` (``turnout_lag``, ``share_<g>_lag`` of
    ``groups``, census shares); each further round adds ``turnout_lag_<suffix>`` and
    ``share_<share group>_lag_<suffix>`` (:func:`round_suffix`). Priors (``prior_turnout``,
    ``prior_share``) and ``matched`` are those of the first round.

    Parameters
    ----------
    stations, votes : DataFrame
        Stacked rounds (schema columns); the ``rounds`` must be in them.
    rounds : sequence of (election, round)
    bureaux : DataFrame
        The bureaux to describe (:func:`bureaux_of`).
    share : Share or str
        The predicted share (:func:`resolve_share`).
    groups : sequence of str
        Blocs or parties whose shares become features.
    census, census_total
        Census counts per bureau and their total column (:func:`~swingcast.model.features.build_features`).
    summaries : mapping, optional
        :func:`~swingcast.model.features.summarise_rounds` of the same rounds, to describe
        several sets of bureaux at the cost of one.

    Returns
    -------
    (X, priors, meta, features)
        ``features`` is the :func:`~swingcast.model.features.build_features` table.

    Examples
    --------
    >>> key = ("2017-presidentielle", 1)
    >>> st = pd.DataFrame({"election": key[0], "round": 1, "bureau_id": ["a", "b"],
    ...     "commune_code": "x", "arrondissement_code": "x", "inscrits": [100, 100],
    ...     "votants": [50, 70], "exprimes": [50, 70]})
    >>> vt = pd.DataFrame({"election": key[0], "round": 1, "bureau_id": ["a", "a", "b"],
    ...     "candidate": ["LE PEN", "MACRON", "MACRON"], "voix": [10, 40, 70]})
    >>> X, pri, meta, _ = describe(st, vt, [key], bureaux_of(st), share="LE PEN", groups=("rn",))
    >>> pri["prior_share"].tolist(), meta["matched"].tolist()
    ([0.2, 0.0], [True, True])
    """
    s = resolve_share(share)
    keys = [tuple(k) for k in rounds]
    feats = build_features(stations, votes, keys, bureaux=bureaux, census=census,
                           census_total=census_total, parties=s.parties, summaries=summaries)
    first = keys[0]
    X = lag_matrix(feats, first, census_columns=_census_columns(feats), groups=tuple(groups))
    for key in keys[1:]:
        extra = lag_matrix(feats, key, groups=(s.group,))
        suffix = round_suffix(key)
        X[f"turnout_lag_{suffix}"] = extra["turnout_lag"]
        if f"share_{s.group}_lag" in extra:
            X[f"share_{s.group}_lag_{suffix}"] = extra[f"share_{s.group}_lag"]
    priors = pd.DataFrame({PRIOR_TURNOUT: feats[feature_name("turnout", first)],
                           PRIOR_SHARE: feats[feature_name("share_exp", first, s.group)]})
    meta = pd.DataFrame({COMMUNE_CODE: feats[COMMUNE_CODE],
                         ARRONDISSEMENT_CODE: feats[ARRONDISSEMENT_CODE],
                         MATCHED: feats[feature_name("matched", first)].astype(bool)})
    return X, priors, meta, feats


def transition_frame(
    stations: pd.DataFrame,
    votes: pd.DataFrame,
    rounds: Sequence[tuple[str, int]],
    outcome: tuple[str, int],
    *,
    share: Share | str,
    groups: Sequence[str],
    census: pd.DataFrame | None = None,
    census_total: str | None = None,
    summaries: Mapping[tuple[str, int], RoundSummary] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """One transition: the bureaux of round ``outcome`` described by ``rounds``, with their outcome.

    Returns
    -------
    (X, outcomes, priors, meta, features)
        ``outcomes``: :func:`outcomes` of ``outcome`` (turnout = votants / inscrits, share of
        exprimés), aligned on ``X``; the rest as :func:`describe`.

    Examples
    --------
    >>> st = pd.DataFrame({"election": "2019-europeennes", "round": 1, "bureau_id": ["a", "b"],
    ...     "commune_code": "x", "arrondissement_code": "x", "inscrits": [100, 100],
    ...     "votants": [50, 70], "exprimes": [50, 70]})
    >>> vt = pd.DataFrame({"election": "2019-europeennes", "round": 1,
    ...     "bureau_id": ["a", "a", "b", "b"], "list": ["LRN", "LUMP"] * 2, "voix": [10, 40, 35, 35]})
    >>> key = ("2019-europeennes", 1)
    >>> X, y, *_ = transition_frame(st, vt, [key], key, share="rn", groups=("rn",))
    >>> y["turnout"].tolist(), y["share"].tolist()
    ([0.5, 0.7], [0.2, 0.5])
    """
    s = resolve_share(share)
    in_round = (stations[ELECTION] == outcome[0]) & (stations[ROUND].astype(int) == int(outcome[1]))
    nxt_st = stations[in_round.to_numpy()]
    vin = (votes[ELECTION] == outcome[0]) & (votes[ROUND].astype(int) == int(outcome[1]))
    out = outcomes(nxt_st, votes_of(votes[vin.to_numpy()], s.select))
    bureaux = bureaux_of(nxt_st).loc[lambda b: b.index.isin(out.index)]
    X, priors, meta, feats = describe(stations, votes, rounds, bureaux, share=s, groups=groups,
                                      census=census, census_total=census_total, summaries=summaries)
    return X, out.loc[X.index], priors, meta, feats


def default_groups(share: Share | str) -> tuple[str, ...]:
    """The bloc (or party) shares used as features when a case does not list them.

    Every bloc but ``other``; the Front/Rassemblement national party replaces ``far_right``
    when it is the target; a named candidate or list is added as ``target``.

    Examples
    --------
    >>> default_groups("rn")
    ('far_left', 'left', 'green', 'centre', 'right', 'rn')
    >>> default_groups("MACRON")[-1]
    'target'
    """
    s = resolve_share(share)
    groups = [b for b in BLOCS if b != "other"]
    if s.group == "rn":
        groups[groups.index("far_right")] = "rn"
    elif s.group == "target":
        groups.append("target")
    return tuple(groups)


def _only_rounds(table: pd.DataFrame, rounds: set[tuple[str, int]]) -> pd.DataFrame:
    """The rows of ``table`` in ``rounds`` (every later selection then scans fewer rows)."""
    keys = table[ELECTION].astype(str) + "|" + table[ROUND].astype(int).astype(str)
    keep = keys.isin([f"{e}|{int(r)}" for e, r in rounds]).to_numpy()
    return table if keep.all() else table[keep]


def _drop_communes_without_share(stations: pd.DataFrame, votes: pd.DataFrame, outcome: tuple[str, int],
                                 share: Share) -> tuple[pd.DataFrame, int]:
    """Stations of ``outcome`` minus the communes where the share got no vote at all."""
    in_round = (stations[ELECTION] == outcome[0]) & (stations[ROUND].astype(int) == int(outcome[1]))
    st = stations[in_round.to_numpy()]
    vin = (votes[ELECTION] == outcome[0]) & (votes[ROUND].astype(int) == int(outcome[1]))
    out = outcomes(st, votes_of(votes[vin.to_numpy()], share.select))
    com = st.set_index(BUREAU_ID).loc[out.index, COMMUNE_CODE]
    best = out["share"].groupby(com).max()
    none = best.index[best <= 0]
    drop = set(com.index[com.isin(none).to_numpy()])
    if drop:
        logger.info("%s: %d bureaux (%d communes) where the share got no vote left out of the "
                    "training", f"{outcome[0]}-{outcome[1]}", len(drop), len(none))
    keep = ~(in_round & stations[BUREAU_ID].isin(drop))
    return stations[keep.to_numpy()], len(drop)


def case_data(
    stations: pd.DataFrame,
    votes: pd.DataFrame,
    *,
    features: Sequence[tuple[str, int]],
    outcome: tuple[str, int],
    apply: Sequence[tuple[str, int]],
    target: tuple[str, int] | None,
    share: Share | str,
    groups: Sequence[str] | None = None,
    census: pd.DataFrame | None = None,
    census_total: str | None = None,
    dev: tuple[Sequence[tuple[str, int]], tuple[str, int]] | None = None,
    alpha: float | str = 0.0,
    offset: bool = False,
    swing_area: str = "group",
    drop_communes_without_share: bool = False,
    notes: Mapping[str, object] | None = None,
) -> CaseData:
    """The training transition and the application of a forecast or back-test.

    Parameters
    ----------
    stations, votes : DataFrame
        Stacked rounds (a :class:`~swingcast.model.history.History`'s tables).
    features, outcome : rounds
        The training transition: bureaux of ``outcome`` described by ``features``.
    apply : rounds
        The rounds describing the forecast bureaux.
    target : (election, round) or None
        The scored round (its bureaux and outcomes); None for a forecast: the bureaux of the
        last of ``apply``, with no outcome.
    share : Share or str
        :func:`resolve_share`.
    groups : sequence of str, optional
        Feature groups (default :func:`default_groups`).
    census, census_total
        Census counts per bureau (:func:`describe`).
    dev : (rounds, round), optional
        A development transition (features, outcome) known before the target, used to
        calibrate the intervals (:class:`CaseData` ``dev``).
    alpha, offset, swing_area
        :class:`CaseData` options.
    drop_communes_without_share : bool
        Leave out of the training the communes where the share got no vote in ``outcome``
        (a party without a candidate in some legislative constituencies).
    notes : mapping, optional
        Recorded in the back-test JSON.

    Returns
    -------
    CaseData

    Examples
    --------
    >>> st = pd.DataFrame({"election": ["2014-europeennes"] * 2 + ["2019-europeennes"] * 2,
    ...     "round": 1, "bureau_id": ["a", "b"] * 2, "commune_code": "x",
    ...     "arrondissement_code": "x", "inscrits": 100, "votants": [40, 50, 45, 60],
    ...     "exprimes": [40, 50, 45, 60]})
    >>> vt = st.assign(list="LFN", voix=st["exprimes"])[
    ...     ["election", "round", "bureau_id", "list", "voix"]]
    >>> eu14, eu19 = ("2014-europeennes", 1), ("2019-europeennes", 1)
    >>> d = case_data(st, vt, features=[eu14], outcome=eu19, apply=[eu19], target=None, share="rn")
    >>> d.train["turnout"].tolist(), len(d.X_test), bool(d.test["turnout"].isna().all())
    ([0.45, 0.6], 2, True)
    """
    s = resolve_share(share)
    groups = tuple(groups) if groups is not None else default_groups(s)
    feature_rounds = list(dict.fromkeys([*map(tuple, features), *map(tuple, apply),
                                          *(map(tuple, dev[0]) if dev else [])]))
    used = {*feature_rounds, tuple(outcome), *([tuple(target)] if target else []),
            *([tuple(dev[1])] if dev else [])}
    stations, votes = _only_rounds(stations, used), _only_rounds(votes, used)
    from swingcast.model.features import summarise_rounds

    summaries = summarise_rounds(stations, votes, feature_rounds, parties=s.parties)
    common = dict(share=s, groups=groups, census=census, census_total=census_total, summaries=summaries)
    notes = dict(notes or {})
    train_st = stations
    if drop_communes_without_share:
        train_st, n_drop = _drop_communes_without_share(stations, votes, tuple(outcome), s)
        notes["dropped_training_bureaux_no_share"] = n_drop
    X_train, train, prior_train, _, _ = transition_frame(train_st, votes, features, tuple(outcome), **common)
    if target is not None:
        X_test, test, prior_test, meta, _ = transition_frame(stations, votes, apply, tuple(target), **common)
    else:
        last = tuple(apply[-1])
        in_last = (stations[ELECTION] == last[0]) & (stations[ROUND].astype(int) == int(last[1]))
        X_test, prior_test, meta, _ = describe(stations, votes, apply,
                                               bureaux_of(stations[in_last.to_numpy()]), **common)
        test = pd.DataFrame(index=X_test.index, columns=[INSCRITS, VOTANTS, EXPRIMES, "turnout", "share"],
                            dtype=float)
    columns = [c for c in X_train.columns if c in X_test.columns]
    model_features = [c for c in columns if c not in (INSCRITS, COMMUNE_CODE, ARRONDISSEMENT_CODE)]
    keep = [*model_features, INSCRITS, COMMUNE_CODE]
    data = CaseData(
        X_train=X_train[keep], train=train, prior_train=prior_train,
        X_test=X_test[keep], test=test, prior_test=prior_test, meta_test=meta,
        threshold="anchor", features=model_features, group_col=COMMUNE_CODE,
        swing_area=swing_area, notes=notes, alpha=alpha, offset=offset,
    )
    if dev is not None:
        dev_rounds, dev_outcome = dev

        def development() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
            X, out, pri, _, _ = transition_frame(stations, votes, dev_rounds, tuple(dev_outcome), **common)
            return X[keep], out, pri

        data.dev = development
    return data
