"""Volunteer plan: share a budget of volunteer-hours among bureaux to maximise expected votes.

Each bureau's return :func:`swingcast.target.value.expected_votes` is concave in the hours spent
there (doors run out), and the constraints are a total budget plus optional caps per
arrondissement (a laminar family). For a separable concave objective under such constraints
the greedy rule -- repeatedly give the next block of hours to the bureau whose marginal gain is
the highest among those still allowed -- is optimal (Federgruen & Groenevelt 1986, "The greedy
procedure for resource allocation problems", Operations Research 34(6):909-918).
``tests/test_plan.py`` checks it against brute force on small cases.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping

import numpy as np
import pandas as pd

from swingcast import schema as S
from swingcast.errors import SchemaError, TargetingError
from swingcast.target.value import DOORS, TargetingParams, _as_params

#: Whole doors a plan knocks in a bureau.
DOORS_KNOCKED = "doors_knocked"

__all__ = ["allocate_hours", "plan_summary", "whole_numbers"]


def whole_numbers(values: pd.Series | np.ndarray, total: int | None = None) -> np.ndarray:
    """Round non-negative amounts to whole numbers that add up to ``total`` (largest remainder).

    Every amount is rounded down, then the units still missing go, one each, to the amounts
    with the largest fractional parts (ties: the earlier one). Each result is the floor or the
    ceiling of its amount, so nothing moves further than one unit.

    Parameters
    ----------
    values : Series or array of float
        Non-negative amounts (e.g. doors per bureau).
    total : int, optional
        The whole total to reach (default: ``round(sum(values))``); it must lie between the
        sum of the floors and the sum of the ceilings.

    Returns
    -------
    ndarray of int64

    Examples
    --------
    >>> whole_numbers([10.4, 20.4, 30.2]).tolist()   # 61.0 in all
    [11, 20, 30]
    >>> whole_numbers([1.5, 1.5, 1.0], total=4).tolist()
    [2, 1, 1]
    """
    x = np.asarray(values, dtype="float64")
    if x.size and (not np.isfinite(x).all() or (x < 0).any()):
        raise TargetingError(f"whole_numbers: amounts {x[~(np.isfinite(x) & (x >= 0))][:5]}; "
                             "expected finite numbers >= 0")
    floors = np.floor(x + 1e-9)
    target = int(round(float(x.sum()))) if total is None else int(total)
    missing = target - int(floors.sum())
    fractions = np.where(x - floors > 1e-9, x - floors, 0.0)
    if missing < 0 or missing > int((fractions > 0).sum()):
        raise TargetingError(f"whole_numbers: total {target} cannot be reached by rounding "
                             f"amounts that sum to {x.sum():.3f}")
    order = np.argsort(-fractions, kind="stable")
    out = floors.astype("int64")
    out[order[:missing]] += 1
    return out


def _check_budget(budget: float, step: float) -> int:
    for name, value in (("budget", budget), ("step", step)):
        if not (isinstance(value, int | float) and np.isfinite(value) and value > 0):
            raise TargetingError(f"{name} = {value!r} hours; expected a positive number")
    blocks = int(np.floor(budget / step + 1e-9))
    if blocks == 0:
        raise TargetingError(f"budget = {budget!r} hours is less than one step of {step!r} hours")
    return blocks


def allocate_hours(
    ranking: pd.DataFrame,
    budget: float,
    *,
    step: float = 1.0,
    caps: Mapping[str, float] | None = None,
    group: str = S.ARRONDISSEMENT_CODE,
    params: TargetingParams | Mapping[str, object] | None = None,
) -> pd.DataFrame:
    """Allocate ``budget`` volunteer-hours to bureaux, greedily on the marginal expected votes.

    Parameters
    ----------
    ranking : DataFrame
        Output of :func:`swingcast.target.value.rank_bureaux` (computed with the same ``params``).
    budget : float
        Volunteer-hours available (> 0).
    step : float
        Size of a block of hours (default 1 hour); the budget is used in whole blocks.
    caps : mapping, optional
        Maximum hours per value of the ``group`` column (e.g. ``{"75118": 40}``); groups not
        listed are uncapped.
    group : str
        Column the caps refer to (default ``arrondissement_code``).
    params : TargetingParams or dict, optional
        The targeting parameters used for ``ranking``.

    Returns
    -------
    DataFrame
        The bureaux that receive hours, indexed by ``bureau_id``, sorted by hours (descending):
        ``hours``, ``doors_knocked`` (whole doors: ``doors_per_hour * hours``, at most the
        bureau's doors, rounded with :func:`whole_numbers` so that the plan's total is the
        rounded total), ``expected_votes`` (those whole doors times the bureau's net votes per
        door and closeness weight), plus ``rank``, ``value_per_hour``, ``doors``, ``inscrits``
        and ``group`` (when present) from the ranking.

    Raises
    ------
    TargetingError
        Budget or step not positive, negative cap, cap on a group absent from the ranking.

    Examples
    --------
    >>> from swingcast.target.value import rank_bureaux
    >>> pred = pd.DataFrame({"inscrits": [120, 1200], "turnout_pred": [0.5, 0.5],
    ...                      "share_pred": [0.2, 0.5], "swing_prob": [0.5, 0.5]},
    ...                     index=pd.Index(["a", "b"], name="bureau_id"))
    >>> r = rank_bureaux(pred)     # "a": 120 / 1.4 = 85.7 doors (6 hours at 15 an hour)
    >>> allocate_hours(r, 10)["hours"].to_dict()
    {'a': 6.0, 'b': 4.0}
    >>> allocate_hours(r, 0)
    Traceback (most recent call last):
    ...
    swingcast.errors.TargetingError: budget = 0 hours; expected a positive number
    """
    p = _as_params(params)
    blocks = _check_budget(budget, step)
    if group not in ranking.columns:
        if caps:
            raise SchemaError(f"caps given but the ranking has no column {group!r}")
        groups = pd.Series("", index=ranking.index)
    else:
        groups = ranking[group].astype(str)
    remaining: dict[str, float] = {}
    for key, cap in (caps or {}).items():
        if not (isinstance(cap, int | float) and np.isfinite(cap) and cap >= 0):
            raise TargetingError(f"cap for {group} {key!r} = {cap!r}; expected hours >= 0")
        if str(key) not in set(groups):
            raise TargetingError(f"cap for {group} {key!r}: no bureau of the ranking has it")
        remaining[str(key)] = float(cap)

    ids = ranking.index.to_list()
    rate = p.doors_per_hour
    doors = ranking[DOORS].to_numpy(dtype="float64")
    gain_per_door = (ranking["votes_per_door"] * ranking["closeness_weight"]).to_numpy("float64")
    group_of = groups.to_numpy()

    def marginal(i: int, blocks_given: int) -> float:
        before = min(rate * step * blocks_given, doors[i])
        after = min(rate * step * (blocks_given + 1), doors[i])
        return (after - before) * gain_per_door[i]

    given = np.zeros(len(ids), dtype=int)
    # max-heap on the marginal gain; ties go to the better-ranked (earlier) bureau
    heap = [(-marginal(i, 0), i) for i in range(len(ids))]
    heapq.heapify(heap)
    while blocks and heap:
        neg_gain, i = heapq.heappop(heap)
        if -neg_gain <= 0:
            break
        g = group_of[i]
        if g in remaining and remaining[g] < step - 1e-9:
            continue  # this bureau's group is full: drop it for good
        given[i] += 1
        blocks -= 1
        if g in remaining:
            remaining[g] -= step
        heapq.heappush(heap, (-marginal(i, given[i]), i))

    hours = pd.Series(given * float(step), index=ranking.index, name=S.HOURS)
    out = pd.DataFrame({S.HOURS: hours})
    out = out[out[S.HOURS] > 0]
    # the greedy optimised the fractional doors of expected_votes; the plan counts whole doors
    knocked = np.minimum(rate * out[S.HOURS], ranking.loc[out.index, DOORS])
    out[DOORS_KNOCKED] = whole_numbers(knocked.to_numpy())
    out[S.EXPECTED_VOTES] = out[DOORS_KNOCKED] * pd.Series(gain_per_door, index=ranking.index)
    keep = [c for c in (S.RANK, S.VALUE_PER_HOUR, DOORS, S.INSCRITS, group)
            if c in ranking.columns]
    out = out.join(ranking[keep])
    return out.sort_values([S.HOURS, S.EXPECTED_VOTES], ascending=False, kind="stable")


def plan_summary(plan: pd.DataFrame) -> dict[str, float]:
    """Key figures of a plan: hours, bureaux, doors and expected votes.

    Examples
    --------
    >>> plan = pd.DataFrame({"hours": [2.0, 1.0], "doors_knocked": [30.0, 15.0],
    ...                      "expected_votes": [1.5, 0.5]})
    >>> plan_summary(plan)
    {'hours': 3.0, 'bureaux': 2, 'doors_knocked': 45.0, 'expected_votes': 2.0}
    """
    return {
        "hours": float(plan[S.HOURS].sum()),
        "bureaux": int((plan[S.HOURS] > 0).sum()),
        "doors_knocked": float(plan[DOORS_KNOCKED].sum()),
        "expected_votes": float(plan[S.EXPECTED_VOTES].sum()),
    }
