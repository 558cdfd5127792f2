"""The back-test's headline: the issue-13 protocol on a history, a named case or a case file.

:func:`swingcast.backtest` (and ``swingcast backtest``) score the test round with
:func:`~swingcast.model.protocol.run_protocol` unless ``legacy=True`` (the one-transition
models of :mod:`swingcast.model.backtest`, kept for the demo and for comparison):

* a :class:`~swingcast.model.history.History` and ``target``: the rounds up to ``target``
  (later ones dropped), the target the test round (:func:`history_spec`); for a round 2
  whose test round has exactly two contenders, the other finalist is the opponent (the
  round-2 priors: finalists' share, one minus the opponent's share and bloc);
* a named case: ``paris-2017-t2``, ``france-eu2019``, ``hds13-eu2024`` run the named
  protocol histories ``paris``, ``france``, ``hds13`` of :mod:`swingcast.model.histories`
  (:data:`NAMED_HISTORIES`);
* a case file (``.toml``): its ``files``, ``area``, ``target``, ``share`` (and optional
  ``opponent``) as a history.

:func:`protocol_result` turns the protocol's dict into a
:class:`~swingcast.model.backtest.BacktestResult` whose ``metrics`` (the ``--json``) are the
protocol's keys plus, for readers of the older JSON, ``mae_ratio``, ``interval_coverage``,
``brier``, ``anchors`` and ``extras`` with the same numbers. :func:`rolling_table` scores
every round that has at least two earlier rounds as a protocol test round (one row per round
and quantity); :func:`rolling_json` is what ``--rolling --json`` writes.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable, Iterable
from functools import partial
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from swingcast._log import logger
from swingcast.errors import ModelError, SchemaError
from swingcast.model.backtest import BacktestResult, _json_safe
from swingcast.model.protocol import ANCHOR_WORDS, HistorySpec, protocol_spec, run_protocol
from swingcast.schema import (
    ARRONDISSEMENT_CODE,
    BUREAU_ID,
    CANDIDATE,
    COMMUNE_CODE,
    LIST,
    NUANCE,
    VOIX,
)

if TYPE_CHECKING:
    from swingcast.model.history import History

__all__ = ["NAMED_HISTORIES", "find_opponent", "history_spec", "case_history_spec", "protocol_result",
           "rolling_specs", "history_rolling", "spec_rolling", "rolling_table", "rolling_json", "ROLLING_COLUMNS"]

#: the named back-test cases and the protocol history each one runs
NAMED_HISTORIES = {"paris-2017-t2": "paris", "france-eu2019": "france", "hds13-eu2024": "hds13"}

#: columns of :func:`rolling_table`, in order
ROLLING_COLUMNS = (
    "round", "target", "n_bureaux", "unmatched_bureaux", "model_mae", "best_baseline",
    "best_baseline_mae", "mae_ratio", "floor_mae", "gap_closed", "coverage", "coverage_matched",
    "coverage_unmatched", "brier_swing_model", "brier_swing_uniform_swing", "brier_flip_model",
    "brier_flip_uniform_swing", "note",
)


# --- which history ---------------------------------------------------------------------------


def _contender(votes: pd.DataFrame) -> pd.Series:
    """The name of every vote row: candidate, else list, else nuance."""
    name = pd.Series(pd.NA, index=votes.index, dtype="object")
    for col in (CANDIDATE, LIST, NUANCE):
        if col in votes.columns:
            v = votes[col].astype("object")
            name = name.fillna(v.where(v.notna() & (v.astype(str).str.strip() != "")))
    return name


def find_opponent(history: History, target: str, share: str) -> str | None:
    """The other finalist of a round-2 ``target`` with exactly two contenders, else None.

    Parameters
    ----------
    history : History
    target : str
        The test round, ``"2017-presidentielle-2"``.
    share : str
        The target share (:func:`~swingcast.model.training.resolve_share`).

    Returns
    -------
    str or None
        The opponent's name as the round writes it (candidate, else list, else nuance).

    Examples
    --------
    >>> from swingcast.model.history import History
    >>> vt = pd.DataFrame({"label": ["2017-presidentielle-2"] * 2, "bureau_id": ["x", "x"],
    ...                    "candidate": ["MACRON", "LE PEN"], "voix": [60, 40]})
    >>> h = History(vt.iloc[:1], vt, ["2017-presidentielle-2"])
    >>> find_opponent(h, "2017-presidentielle-2", "MACRON")
    'LE PEN'
    >>> find_opponent(h, "2017-presidentielle-2", "rn")
    'MACRON'
    """
    from swingcast.model.history import parse_label
    from swingcast.model.training import resolve_share

    if parse_label(target)[1] != 2:
        return None
    _, votes = history.round(target)
    return _opponent_in(votes, resolve_share(share).select, target)


def _opponent_in(votes: pd.DataFrame, select: Callable[[pd.DataFrame], pd.Series], label: str) -> str | None:
    """The one contender with votes besides the target's rows, else None."""
    if votes.empty:
        return None
    mine = np.asarray(select(votes), dtype=bool)
    voix = pd.to_numeric(votes[VOIX], errors="coerce").fillna(0).to_numpy(float)
    others = _contender(votes)[~mine & (voix > 0)].dropna().astype(str).unique()
    if not mine.any() or len(others) != 1:
        logger.info("%s: %d contenders besides the target; no opponent (no round-2 priors)",
                    label, len(others))
        return None
    return str(others[0])


def history_spec(history: History, *, target: str, share: str, opponent: str | None = None,
                 name: str | None = None, census: pd.DataFrame | None = None) -> HistorySpec:
    """The protocol history of back-testing ``target`` of ``history``.

    :func:`~swingcast.model.protocol.protocol_spec` with the rounds up to ``target`` (the
    test round) and the opponent given or found (:func:`find_opponent`); ``census`` (counts
    per bureau, total ``census.attrs["census_total"]`` or its first column) goes to model v3.

    Examples
    --------
    >>> history_spec(h, target="2019-europeennes-1", share="rn").rounds[-1].label  # doctest: +SKIP
    '2019-europeennes-1'
    """
    history.key(target)  # a clear error for a round the history does not have
    opp = opponent if opponent is not None else find_opponent(history, target, share)
    spec = protocol_spec(history, share, target=target, opponent=opp, name=name or f"{target} {share}")
    if census is None:
        return spec
    from swingcast.model.censusinputs import census_total_of

    return dataclasses.replace(spec, census=census, census_total=census_total_of(census))


def _shipped(spec: object) -> bool:
    """Whether a CaseSpec is the shipped case of its name (not a user's file of that name)."""
    from swingcast.model.cases import CASE_DIR

    build = getattr(spec, "build", None)
    return (isinstance(build, partial) and len(build.args) > 1
            and Path(build.args[1]).resolve() == CASE_DIR.resolve())


def case_history_spec(case: str | PathLike[str] | object) -> tuple[str, HistorySpec]:
    """``(name, HistorySpec)`` of a named case, a case file or a :class:`~swingcast.model.cases.CaseSpec`.

    The named cases run the named protocol histories (:data:`NAMED_HISTORIES`); a case file
    its own ``files``, ``area``, ``target``, ``share`` and optional ``opponent``.

    Examples
    --------
    >>> case_history_spec("nope")
    Traceback (most recent call last):
    ...
    swingcast.errors.SchemaError: unknown back-test case 'nope'; expected one of ['france-eu2019', 'hds13-eu2024', 'paris-2017-t2'] or the path of a case file (.toml)
    """
    from swingcast.model.casedata import case_history
    from swingcast.model.cases import CaseSpec, get_case
    from swingcast.model.histories import named_history

    spec = case if isinstance(case, CaseSpec) else get_case(case)  # type: ignore[arg-type]
    if spec.name in NAMED_HISTORIES and _shipped(spec):
        return spec.name, named_history(NAMED_HISTORIES[spec.name])
    config = spec.config
    if not config or "files" not in config:
        raise SchemaError(f"case {spec.name}: no case file table (files, target, share) to run the "
                          "protocol on; pass legacy=True (--legacy) for the case's own build")
    base = spec.build.args[1] if isinstance(spec.build, partial) and len(spec.build.args) > 1 else "."
    history = case_history(config, base)
    return spec.name, history_spec(history, target=str(config["target"]), share=str(config["share"]),
                                   opponent=config.get("opponent"), name=spec.name)


# --- the result -------------------------------------------------------------------------------


def _metrics(name: str, res: dict, seconds: float) -> dict:
    """The protocol's dict with the older JSON's keys added (same numbers)."""
    ev = res["events"]["brier"]
    metrics = {"case": name, "path": "protocol", **res}
    metrics["mae_ratio"] = {q: res[q]["mae_ratio"] for q in ("turnout", "share")}
    metrics["interval_coverage"] = {q: res[q]["coverage"]["all"] for q in ("turnout", "share")}
    metrics["brier"] = {"model": ev["swing_prob"]["model"], "uniform_swing": ev["swing_prob"]["uniform_swing"],
                        "flip_model": ev["flip_prob"]["model"],
                        "flip_uniform_swing": ev["flip_prob"]["uniform_swing"]}
    metrics["anchors"] = {q: res[q]["level"] for q in ("turnout", "share")}
    metrics["extras"] = {q: {"best_baseline": res[q]["best_baseline"], "floor_mae": res[q]["floor_mae"],
                             "gap_closed": res[q]["gap_closed"], "mae_ratio_best": res[q]["mae_ratio"],
                             "baselines": res[q]["baselines"], "coverage": res[q]["coverage"]}
                         for q in ("turnout", "share")}
    metrics["extras"]["events"] = res["events"]
    metrics["seconds"] = round(seconds, 3)
    return _json_safe(metrics)  # type: ignore[return-value]


def _area_columns(spec: HistorySpec, index: pd.Index) -> pd.DataFrame:
    st = spec.rounds[-1].stations.drop_duplicates(BUREAU_ID).set_index(BUREAU_ID)
    cols = {c: st[c].reindex(index) if c in st.columns else pd.Series(None, index=index, dtype="object")
            for c in (COMMUNE_CODE, ARRONDISSEMENT_CODE)}
    if cols[COMMUNE_CODE].isna().any():
        cols[COMMUNE_CODE] = cols[COMMUNE_CODE].fillna(pd.Series(index.astype(str).str.split("_").str[0],
                                                                 index=index))
    return pd.DataFrame(cols, index=index)


def protocol_result(spec: HistorySpec, *, name: str | None = None, anchor: str = "actual",
                    n_draws: int = 1000, seed: int = 0) -> BacktestResult:
    """Run the protocol on ``spec`` and return it as a back-test result.

    Parameters
    ----------
    spec : HistorySpec
        Its last round is the test round.
    name : str, optional
        The case name in the result (default: the history's).
    anchor : {"actual", "poll", "none"}
    n_draws, seed : int

    Returns
    -------
    BacktestResult
        ``metrics``: :func:`~swingcast.model.protocol.run_protocol`'s keys (``history``,
        ``test_round``, ``anchor``, ``anchor_means``, ``n_bureaux``, ``unmatched_bureaux``,
        per target ``model``, ``baselines``, ``best_baseline``, ``mae_ratio``, ``floor_mae``,
        ``gap_closed``, ``coverage``, ``model_mae_unmatched``, ``training``, ``development``;
        ``events``) plus ``case``, ``path="protocol"``, ``mae_ratio``, ``interval_coverage``,
        ``brier`` (``model`` / ``uniform_swing``: of ``swing_prob``; ``flip_model`` /
        ``flip_uniform_swing``: of ``flip_prob``), ``anchors`` (the levels used),
        ``extras`` and ``seconds``. ``predictions``: per bureau ``turnout_pred``,
        ``turnout_lo``, ``turnout_hi``, ``turnout_obs``, the same for the share,
        ``swing_prob``, ``flip_prob``, ``inscrits``, ``matched``, ``commune_code``,
        ``arrondissement_code``.

    Examples
    --------
    >>> protocol_result(named_history("hds13")).metrics["share"]["best_baseline"]  # doctest: +SKIP
    {'name': 'uniform_swing[share:2017-presidentielle-1]', 'mae': 0.0162...}
    """
    start = time.perf_counter()
    res = run_protocol(spec, anchor=anchor, n_draws=n_draws, seed=seed)
    pred = res.pop("_predictions")
    pred = pd.concat([pred, _area_columns(spec, pred.index)], axis=1)
    if pred[["turnout_pred", "turnout_obs", "inscrits"]].isna().any().any():
        raise ModelError(f"backtest {spec.name}: NaN in the turnout predictions")
    seconds = time.perf_counter() - start
    return BacktestResult(name or spec.name, _metrics(name or spec.name, res, seconds), pred, seconds)


# --- rolling ----------------------------------------------------------------------------------


def rolling_specs(spec: HistorySpec) -> list[HistorySpec]:
    """One history per round of ``spec`` that has at least two earlier rounds, ending there.

    The spec's own share model (Paris) and opponent belong to its test round and stay
    there only; an earlier round 2 of two contenders gets the other one as its opponent.

    Examples
    --------
    >>> from swingcast.model.priors import PriorRound
    >>> rounds = [PriorRound(f"r{i}", "europeennes", pd.DataFrame(), pd.DataFrame()) for i in range(4)]
    >>> [s.rounds[-1].label for s in rolling_specs(HistorySpec("h", rounds, None, "far_right"))]
    ['r2', 'r3']
    """
    last = len(spec.rounds) - 1
    out = []
    for k in range(2, last + 1):
        sub = dataclasses.replace(spec, rounds=spec.rounds[: k + 1], cache={},
                                  share_model=spec.share_model if k == last else None)
        if k < last:
            sub = _with_round2_opponent(sub)
        out.append(sub)
    return out


def _with_round2_opponent(spec: HistorySpec) -> HistorySpec:
    """A history whose test round is a round 2 of two contenders gets the other one as its
    opponent (the round-2 priors), as :func:`history_spec` does; otherwise unchanged."""
    from swingcast.model.protocol import share_bloc
    from swingcast.model.training import resolve_share

    test = spec.rounds[-1]
    if not test.label.endswith("-2"):
        return dataclasses.replace(spec, opponent=None, opponent_bloc=None)
    name = _opponent_in(test.votes, spec.target, test.label)
    if name is None:
        return dataclasses.replace(spec, opponent=None, opponent_bloc=None)
    opp = resolve_share(name)
    return dataclasses.replace(spec, opponent=opp.select, opponent_bloc=share_bloc(opp))


def _row(label: str, quantity: str, res: dict | None, note: str = "") -> dict:
    if res is None:
        return {"round": label, "target": quantity, "note": note}
    q, ev = res[quantity], res["events"]["brier"]
    return {"round": label, "target": quantity, "n_bureaux": res["n_bureaux"],
            "unmatched_bureaux": res["unmatched_bureaux"], "model_mae": q["model"]["mae"],
            "best_baseline": q["best_baseline"]["name"], "best_baseline_mae": q["best_baseline"]["mae"],
            "mae_ratio": q["mae_ratio"], "floor_mae": q["floor_mae"], "gap_closed": q["gap_closed"],
            "coverage": q["coverage"]["all"], "coverage_matched": q["coverage"]["matched"],
            "coverage_unmatched": q["coverage"]["unmatched"],
            "brier_swing_model": ev["swing_prob"]["model"],
            "brier_swing_uniform_swing": ev["swing_prob"]["uniform_swing"],
            "brier_flip_model": ev["flip_prob"]["model"],
            "brier_flip_uniform_swing": ev["flip_prob"]["uniform_swing"], "note": note}


def rolling_table(specs: Iterable[tuple[str, Callable[[], HistorySpec]]], *, name: str, anchor: str = "actual",
                  n_draws: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Score each ``(round label, build the spec)`` as a protocol test round; one row per round and target.

    A round the protocol cannot score (the target absent, no usable earlier round) gets a
    row with its reason in ``note`` and no figures; every round failing is an error.

    Returns
    -------
    DataFrame
        Columns :data:`ROLLING_COLUMNS`; ``attrs``: ``history``, ``anchor``, ``anchor_means``.

    Examples
    --------
    >>> rolling_table([], name="h")
    Traceback (most recent call last):
    ...
    swingcast.errors.SchemaError: h: no round has two earlier rounds to score (rolling)
    """
    rows, scored = [], 0
    for label, build in specs:
        try:
            res = run_protocol(build(), anchor=anchor, n_draws=n_draws, seed=seed)
        except (SchemaError, ModelError) as exc:
            logger.warning("rolling back-test: %s not scored (%s)", label, exc)
            rows += [_row(label, q, None, str(exc)) for q in ("turnout", "share")]
            continue
        scored += 1
        rows += [_row(label, q, res) for q in ("turnout", "share")]
    if not scored:
        if rows:
            raise SchemaError(f"{name}: no round could be scored (rolling): {rows[0]['note']}")
        raise SchemaError(f"{name}: no round has two earlier rounds to score (rolling)")
    table = pd.DataFrame(rows).reindex(columns=list(ROLLING_COLUMNS))
    table["note"] = table["note"].fillna("")
    table.attrs.update(history=name, anchor=anchor, anchor_means=ANCHOR_WORDS[anchor])
    return table


def history_rolling(history: History, *, share: str, opponent: str | None = None,
                    name: str | None = None,
                    census: pd.DataFrame | None = None) -> list[tuple[str, Callable[[], HistorySpec]]]:
    """The ``(label, build)`` pairs of :func:`rolling_table` for a history (rounds 3 onwards).

    Examples
    --------
    >>> [lab for lab, _ in history_rolling(h, share="rn")]  # doctest: +SKIP
    ['2017-presidentielle-2', '2017-legislatives-1', '2019-europeennes-1']
    """
    return [(label, partial(history_spec, history, target=label, share=share, opponent=opponent, name=name,
                            census=census))
            for label in history.rounds[2:]]


def spec_rolling(spec: HistorySpec) -> list[tuple[str, Callable[[], HistorySpec]]]:
    """The ``(label, build)`` pairs of :func:`rolling_table` for a protocol history (:func:`rolling_specs`).

    Examples
    --------
    >>> [lab for lab, _ in spec_rolling(named_history("hds13"))]  # doctest: +SKIP
    ['2017-presidentielle-2', '2017-legislatives-1', '2019-europeennes-1', '2024-europeennes-1']
    """
    return [(s.rounds[-1].label, partial(lambda x: x, s)) for s in rolling_specs(spec)]


def rolling_json(table: pd.DataFrame) -> dict:
    """What ``swingcast backtest --rolling --json`` writes: the anchor in words and the rows.

    Returns
    -------
    dict
        ``history``, ``anchor``, ``anchor_means``, ``rows`` (one record per row of
        :func:`rolling_table`, NaN as null).

    Examples
    --------
    >>> t = pd.DataFrame({"round": ["r"], "mae_ratio": [float("nan")]})
    >>> t.attrs.update(history="h", anchor="actual", anchor_means="...")
    >>> rolling_json(t)
    {'history': 'h', 'anchor': 'actual', 'anchor_means': '...', 'rows': [{'round': 'r', 'mae_ratio': None}]}
    """
    return {"history": table.attrs.get("history"), "anchor": table.attrs.get("anchor"),
            "anchor_means": table.attrs.get("anchor_means"),
            "rows": json.loads(table.to_json(orient="records", double_precision=15))}
