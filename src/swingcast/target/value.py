"""Value of canvassing effort per bureau: expected net votes per volunteer-hour, and the ranking.

The model (the full derivation and the source of every default is in ``docs/targeting.md``)::

    persuadables = inscrits * turnout * (1 - share)        opponents' voters
    abstainers   = inscrits * (1 - turnout)
    supporters   = inscrits * turnout * share
    doors        = inscrits / voters_per_door

    net votes per door = voters_per_door * contact_rate * (
          persuasion_rate  * persuasion_gain * turnout * (1 - share)
        + mobilisation_rate * (2 * share - 1) * (1 - turnout))

    votes_per_hour = doors_per_hour * net votes per door
    value_per_hour = votes_per_hour * closeness weight   (1 for a national race,
                                     4 * swing_prob * (1 - swing_prob) for a local one)

``swing_prob`` is the simulated probability that the candidate comes first in the bureau (in a
two-candidate round, wins it; :mod:`swingcast.model.events`), so the weight is 1 for a toss-up
and 0 for a bureau already won or already lost (docs/targeting.md says why the weight uses it
rather than the margin). ``flip_prob`` (P(first place changes bloc from the latest comparable
round)) is carried into the ranking but not used by the value.

Hours spent in a bureau have diminishing returns: once every door has been knocked, another
hour there gains nothing (:func:`expected_votes`).

The defaults come from Pons (2018), *American Economic Review* 108(6): door-opening rate
(Section 2.3), registered citizens per door (footnote 9), the second-round effect on the vote
share (Table 5) scaled to covered precincts (Section 3.4), no turnout effect (Table 4);
``doors_per_hour`` is an assumption.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from os import PathLike

import numpy as np
import pandas as pd

from swingcast import schema as S
from swingcast.errors import InputFormatError, SchemaError, TargetingError, where

__all__ = [
    "TargetingParams",
    "PREDICTION_COLUMNS",
    "check_predictions",
    "read_predictions",
    "other_side",
    "rank_bureaux",
    "expected_votes",
    "race_for_election",
]

#: Columns :func:`rank_bureaux` needs in the predictions table (the back-test contract).
PREDICTION_COLUMNS = (S.INSCRITS, S.TURNOUT_PRED, S.SHARE_PRED, S.SWING_PROB)
#: Probabilities checked like :data:`PREDICTION_COLUMNS` when a predictions table has them.
OPTIONAL_PROBABILITIES = (S.FLIP_PROB, S.ABOVE_AREA_PROB)

ABSTAINERS = "abstainers"
SUPPORTERS = "supporters"
PERSUADABLES = "persuadables"
DOORS = "doors"
VOTES_PER_DOOR = "votes_per_door"
VOTES_PER_HOUR = "votes_per_hour"
CLOSENESS = "closeness_weight"

# --- calibration of the defaults on Pons (2018); every step is in docs/targeting.md ---
# Table, section and footnote numbers refer to the paper (AER 108(6), 2018) as read in its
# March 2017 working-paper version (HBS 16-079); its tables carry the same numbers as the
# published article (the AER replication archive's Analysis.do writes Table3_FirstStage,
# Table4_ImpactTurnout and Table5_ImpactPSShare).
#: Share of knocked doors that opened, campaign-wide (Section 2.3: "around 48 percent").
PONS_DOOR_OPENING_RATE = 0.48
#: Registered citizens per door used by the campaign to turn targets into doors
#: (footnote 9: 46.0 million registered citizens / 33.2 million dwellings, about 1.4).
PONS_REGISTERED_PER_DOOR = 1.4
#: Intent-to-treat effect on Hollande's second-round share of expressed votes, with all
#: controls (Table 5, panel A, column 6): 0.0046, robust s.e. 0.0018.
PONS_ITT_SHARE_ROUND2 = 0.0046
#: Second-round differential-intensity multiplier, 1 / (f_T - f_C) (Section 3.4: m2 = 6.0).
PONS_MULTIPLIER_ROUND2 = 6.0
#: Hollande's second-round share of expressed votes in the control group (Table 5, col. 6).
PONS_CONTROL_SHARE_ROUND2 = 0.5597
#: Effect on Hollande's share in a precinct the canvassers covered (about 0.028; the paper
#: rounds it to 2.75 points in Section 4.3.2).
PONS_EFFECT_COVERED_ROUND2 = PONS_ITT_SHARE_ROUND2 * PONS_MULTIPLIER_ROUND2
_DEFAULT_PERSUASION = (
    PONS_EFFECT_COVERED_ROUND2 / PONS_DOOR_OPENING_RATE / (1.0 - PONS_CONTROL_SHARE_ROUND2)
)

_RACES = ("national", "local")


@dataclass(frozen=True)
class TargetingParams:
    """Parameters of the value-per-hour model; every default is sourced in docs/targeting.md.

    Parameters
    ----------
    doors_per_hour : float
        Doors one volunteer knocks in an hour. **Assumption** (15): Pons (2018) reports no
        pace per hour (only that activists usually worked in pairs).
    contact_rate : float
        Share of knocked doors that open: 0.48, Pons (2018), Section 2.3.
    persuasion_rate : float
        Share of the opponents' voters living behind an opened door who switch to the
        candidate: Pons (2018)'s second-round persuasion rate, (Table 5 ITT 0.0046 x
        multiplier 6.0) / 0.48 / (1 - 0.5597), about 0.131 (the paper rounds it to 13.0 %).
    persuasion_gain : float
        Net margin gained per switched voter (2 in a duel: one vote won, one lost by the rival).
    mobilisation_rate : float
        Share of the abstainers living behind an opened door who turn out because of the
        visit; 0, since Pons (2018), Table 4, finds no turnout effect.
    voters_per_door : float
        Registered voters per door (household): 1.4, Pons (2018), footnote 9 (national;
        lower in Paris, see docs/targeting.md).
    race : {"national", "local"}
        ``"national"``: a vote counts the same wherever it is won (presidential, European
        elections); ``"local"``: weight each bureau by ``4 * swing_prob * (1 - swing_prob)``,
        ``swing_prob`` being P(the candidate comes first in the bureau) (1 for a toss-up, 0
        when the outcome is certain).

    Examples
    --------
    >>> p = TargetingParams()
    >>> round(p.persuasion_rate, 3), p.contact_rate, p.voters_per_door
    (0.131, 0.48, 1.4)
    >>> TargetingParams(contact_rate=1.5)
    Traceback (most recent call last):
    ...
    swingcast.errors.TargetingError: contact_rate = 1.5; expected a number in [0, 1]
    """

    doors_per_hour: float = 15.0
    contact_rate: float = PONS_DOOR_OPENING_RATE
    persuasion_rate: float = _DEFAULT_PERSUASION
    persuasion_gain: float = 2.0
    mobilisation_rate: float = 0.0
    voters_per_door: float = PONS_REGISTERED_PER_DOOR
    race: str = "national"

    def __post_init__(self) -> None:
        for name in ("contact_rate", "persuasion_rate", "mobilisation_rate"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and 0.0 <= value <= 1.0):
                raise TargetingError(f"{name} = {value!r}; expected a number in [0, 1]")
        for name in ("doors_per_hour", "voters_per_door", "persuasion_gain"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and np.isfinite(value) and value > 0):
                raise TargetingError(f"{name} = {value!r}; expected a positive number")
        if self.race not in _RACES:
            raise TargetingError(f"race = {self.race!r}; expected one of {', '.join(_RACES)}")

    def with_(self, **changes: object) -> TargetingParams:
        """Return a copy with some parameters changed (validated again).

        Examples
        --------
        >>> TargetingParams().with_(race="local").race
        'local'
        """
        return replace(self, **changes)  # type: ignore[arg-type]

    def as_dict(self) -> dict[str, object]:
        """Return the parameters as a plain dict (for reports and JSON).

        Examples
        --------
        >>> TargetingParams().as_dict()["doors_per_hour"]
        15.0
        """
        return asdict(self)


def race_for_election(kind: str) -> str:
    """Return ``"national"`` or ``"local"`` for an election kind of :data:`schema.ELECTION_KINDS`.

    Presidential and European elections (and referendums) are decided on national totals;
    legislative, municipal, departmental and regional ones constituency by constituency.

    Examples
    --------
    >>> race_for_election("presidentielle"), race_for_election("legislatives")
    ('national', 'local')
    """
    if kind not in S.ELECTION_KINDS:
        raise TargetingError(
            f"unknown election kind {kind!r}; expected one of {', '.join(S.ELECTION_KINDS)}"
        )
    return "national" if kind in ("presidentielle", "europeennes", "referendum") else "local"


def _as_params(params: TargetingParams | Mapping[str, object] | None) -> TargetingParams:
    if params is None:
        return TargetingParams()
    if isinstance(params, TargetingParams):
        return params
    unknown = set(params) - set(TargetingParams.__dataclass_fields__)
    if unknown:
        raise TargetingError(
            f"unknown targeting parameter(s) {', '.join(sorted(unknown))}; expected some of "
            f"{', '.join(TargetingParams.__dataclass_fields__)}"
        )
    return TargetingParams(**params)  # type: ignore[arg-type]


def check_predictions(predictions: pd.DataFrame, source: str = "predictions") -> pd.DataFrame:
    """Validate a predictions table and return it indexed by ``bureau_id``.

    Parameters
    ----------
    predictions : DataFrame
        Indexed by ``bureau_id`` (or with a ``bureau_id`` column), with at least
        :data:`PREDICTION_COLUMNS`; ``flip_prob`` and ``above_area_prob``, when there, are
        checked as proportions too.
    source : str
        Name used in error messages (a file name, for instance).

    Returns
    -------
    DataFrame
        A copy indexed by ``bureau_id``.

    Raises
    ------
    SchemaError
        Missing column, duplicated id, missing value, proportion outside [0, 1] or negative
        ``inscrits``; the message names the column and the bureau ids.

    Examples
    --------
    >>> df = pd.DataFrame({"bureau_id": ["75056_101"], "inscrits": [1000],
    ...                    "turnout_pred": [0.8], "share_pred": [1.2], "swing_prob": [0.1]})
    >>> check_predictions(df)
    Traceback (most recent call last):
    ...
    swingcast.errors.SchemaError: predictions, column 'share_pred', id 75056_101: expected a proportion in [0, 1]
    """
    df = predictions.copy()
    if S.BUREAU_ID in df.columns:
        df = df.set_index(S.BUREAU_ID)
    elif df.index.name != S.BUREAU_ID:
        raise SchemaError(f"{source}: expected an index or a column named {S.BUREAU_ID!r}")
    df.index = df.index.astype(str)
    missing = [c for c in PREDICTION_COLUMNS if c not in df.columns]
    if missing:
        raise SchemaError(
            f"{source}: missing column(s) {', '.join(missing)}; expected at least "
            f"{', '.join(PREDICTION_COLUMNS)}"
        )
    dup = df.index[df.index.duplicated()].unique()
    if len(dup):
        raise SchemaError(f"{where(source, column=S.BUREAU_ID, ids=dup)}: duplicated bureau id")
    optional = [c for c in OPTIONAL_PROBABILITIES if c in df.columns]
    for col in (*PREDICTION_COLUMNS, *optional):
        values = pd.to_numeric(df[col], errors="coerce").astype("float64")
        bad = df.index[values.isna() | ~np.isfinite(values)]
        if len(bad):
            raise SchemaError(f"{where(source, column=col, ids=bad)}: expected a number")
        if col == S.INSCRITS:
            bad = df.index[values < 0]
            what = "a count >= 0"
        else:
            bad = df.index[(values < 0) | (values > 1)]
            what = "a proportion in [0, 1]"
        if len(bad):
            raise SchemaError(f"{where(source, column=col, ids=bad)}: expected {what}")
        df[col] = values
    return df


def read_predictions(path: str | PathLike[str]) -> pd.DataFrame:
    """Read a predictions (or ranking) CSV written by swingcast and validate it.

    Parameters
    ----------
    path : str or PathLike
        CSV with a ``bureau_id`` column and :data:`PREDICTION_COLUMNS`.

    Returns
    -------
    DataFrame
        Indexed by ``bureau_id`` (ids kept as strings).

    Raises
    ------
    InputFormatError
        The file cannot be read as CSV.
    SchemaError
        See :func:`check_predictions` (the file name is in the message).

    Examples
    --------
    >>> import tempfile, os
    >>> f = os.path.join(tempfile.mkdtemp(), "p.csv")
    >>> _ = open(f, "w").write("bureau_id,inscrits,turnout_pred,share_pred,swing_prob\\n"
    ...                        "75056_0101,900,0.8,0.6,0.2\\n")
    >>> read_predictions(f).index.tolist()
    ['75056_0101']
    """
    try:
        df = pd.read_csv(path, dtype={S.BUREAU_ID: str, S.ARRONDISSEMENT_CODE: str,
                                      S.COMMUNE_CODE: str})
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputFormatError(f"{path}: cannot read a predictions CSV ({exc})") from None
    return check_predictions(df, source=str(path))


def other_side(predictions: pd.DataFrame) -> pd.DataFrame:
    """Predictions for the opponent of a two-candidate race (second round of a presidential).

    In a duel the opponent's share of exprimés is ``1 - share``: shares and their intervals
    are mirrored (``lo`` and ``hi`` swap), the margin changes sign, ``swing_prob`` becomes
    ``1 - swing_prob`` (the opponent wins the bureau exactly when the candidate does not) and
    so does ``above_area_prob`` (the opponent passes the mirrored threshold exactly when the
    candidate does not). ``flip_prob`` is about the bureau, not the side: unchanged, as is
    turnout.

    Examples
    --------
    >>> p = pd.DataFrame({"share_pred": [0.7], "share_lo": [0.6], "share_hi": [0.75],
    ...                   "swing_prob": [0.9], "margin_pred": [0.4]})
    >>> other_side(p).round(2).to_dict("records")
    [{'share_pred': 0.3, 'share_lo': 0.25, 'share_hi': 0.4, 'swing_prob': 0.1, 'margin_pred': -0.4}]
    """
    out = predictions.copy()
    out[S.SHARE_PRED] = 1.0 - predictions[S.SHARE_PRED]
    if S.SHARE_LO in out and S.SHARE_HI in out:
        out[S.SHARE_LO] = 1.0 - predictions[S.SHARE_HI]
        out[S.SHARE_HI] = 1.0 - predictions[S.SHARE_LO]
    if "share_obs" in out:
        out["share_obs"] = 1.0 - predictions["share_obs"]
    for col in (S.SWING_PROB, S.ABOVE_AREA_PROB):
        if col in out:
            out[col] = 1.0 - predictions[col]
    if S.MARGIN_PRED in out:
        out[S.MARGIN_PRED] = -predictions[S.MARGIN_PRED]
    if S.MARGIN_LO in out and S.MARGIN_HI in out:
        out[S.MARGIN_LO] = -predictions[S.MARGIN_HI]
        out[S.MARGIN_HI] = -predictions[S.MARGIN_LO]
    return out


def rank_bureaux(
    predictions: pd.DataFrame,
    params: TargetingParams | Mapping[str, object] | None = None,
) -> pd.DataFrame:
    """Rank bureaux by expected net votes per volunteer-hour.

    Parameters
    ----------
    predictions : DataFrame
        The back-test / forecast contract: indexed by ``bureau_id`` with ``inscrits``,
        ``turnout_pred``, ``share_pred``, ``swing_prob`` (P(the candidate comes first in the
        bureau), read by the closeness weight of a local race); other columns, such as the
        intervals and ``flip_prob``, are kept.
    params : TargetingParams or dict, optional
        Model parameters (defaults: :class:`TargetingParams`).

    Returns
    -------
    DataFrame
        One row per bureau, sorted by ``rank`` (1 = highest ``value_per_hour``; ties broken
        by ``bureau_id``): the prediction columns, then ``abstainers``, ``supporters``,
        ``persuadables``, ``doors``, ``votes_per_door``, ``votes_per_hour``,
        ``closeness_weight``, ``value_per_hour``, ``rank``.

    Examples
    --------
    >>> pred = pd.DataFrame(
    ...     {"inscrits": [1000, 1000], "turnout_pred": [0.8, 0.8],
    ...      "share_pred": [0.9, 0.5], "swing_prob": [0.0, 0.4]},
    ...     index=pd.Index(["75056_101", "75056_102"], name="bureau_id"))
    >>> r = rank_bureaux(pred, {"persuasion_rate": 0.1, "contact_rate": 0.5})
    >>> r.index.tolist(), r["persuadables"].round(1).tolist(), r["value_per_hour"].round(3).tolist()
    (['75056_102', '75056_101'], [400.0, 80.0], [0.84, 0.168])
    """
    p = _as_params(params)
    df = check_predictions(predictions)
    inscrits = df[S.INSCRITS]
    turnout = df[S.TURNOUT_PRED]
    share = df[S.SHARE_PRED]
    df[ABSTAINERS] = inscrits * (1.0 - turnout)
    df[SUPPORTERS] = inscrits * turnout * share
    df[PERSUADABLES] = inscrits * turnout * (1.0 - share)
    df[DOORS] = inscrits / p.voters_per_door
    # Everyone registered behind an opened door is reached (Pons 2018, footnote 24).
    per_door = p.voters_per_door * p.contact_rate * (
        p.persuasion_rate * p.persuasion_gain * turnout * (1.0 - share)
        + p.mobilisation_rate * (2.0 * share - 1.0) * (1.0 - turnout)
    )
    df[VOTES_PER_DOOR] = per_door
    df[VOTES_PER_HOUR] = p.doors_per_hour * per_door
    prob = df[S.SWING_PROB]
    df[CLOSENESS] = 1.0 if p.race == "national" else 4.0 * prob * (1.0 - prob)
    df[S.VALUE_PER_HOUR] = df[VOTES_PER_HOUR] * df[CLOSENESS]
    # A bureau with no door gets no value, whatever its composition.
    df.loc[df[DOORS] <= 0, [VOTES_PER_HOUR, S.VALUE_PER_HOUR]] = 0.0
    df = df.rename_axis(S.BUREAU_ID).reset_index()
    df = df.sort_values([S.VALUE_PER_HOUR, S.BUREAU_ID], ascending=[False, True], kind="stable")
    df[S.RANK] = np.arange(1, len(df) + 1)
    return df.set_index(S.BUREAU_ID)


def expected_votes(
    ranking: pd.DataFrame,
    hours: pd.Series | float,
    params: TargetingParams | Mapping[str, object] | None = None,
) -> pd.Series:
    """Expected (closeness-weighted) net votes from ``hours`` of canvassing in each bureau.

    Doors run out: ``h`` hours knock ``min(doors_per_hour * h, doors)`` doors, so the return
    is linear until every door has been knocked once, then flat (concave in ``h``).

    Parameters
    ----------
    ranking : DataFrame
        Output of :func:`rank_bureaux` (same ``params``).
    hours : Series or float
        Hours per bureau (aligned on the index), or one figure for every bureau.
    params : TargetingParams or dict, optional
        Must be the parameters used for ``ranking``.

    Returns
    -------
    Series
        Expected net votes per bureau, named ``expected_votes``.

    Examples
    --------
    >>> pred = pd.DataFrame({"inscrits": [140], "turnout_pred": [0.5], "share_pred": [0.5],
    ...                      "swing_prob": [0.5]},
    ...                     index=pd.Index(["75056_101"], name="bureau_id"))
    >>> r = rank_bureaux(pred)            # 140 / 1.4 = 100 doors, 15 per hour
    >>> float(expected_votes(r, 100.0).iloc[0]) == float(r["votes_per_door"].iloc[0] * 100)
    True
    """
    p = _as_params(params)
    h = hours if isinstance(hours, pd.Series) else pd.Series(float(hours), index=ranking.index)
    h = h.reindex(ranking.index).fillna(0.0).astype("float64")
    if (h < 0).any():
        raise TargetingError(f"{where(column=S.HOURS, ids=h.index[h < 0])}: expected hours >= 0")
    knocked = np.minimum(p.doors_per_hour * h, ranking[DOORS])
    votes = knocked * ranking[VOTES_PER_DOOR] * ranking[CLOSENESS]
    return votes.rename(S.EXPECTED_VOTES)
