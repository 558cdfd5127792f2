"""A history of rounds: several results files of one area as one object.

:func:`load_history` reads results files (any layout :func:`swingcast.read_results` reads),
labels each round ``<year>-<kind>-<round>`` (``2022-presidentielle-1``), restricts them to an
area and stacks them into :class:`History`, whose ``stations`` and ``votes`` carry the
``election`` and ``round`` columns of :mod:`swingcast.schema` plus a ``label`` per round.

Rounds are ordered in time by :func:`round_order`: year, then, within a year, the usual
calendar of French elections (municipales in March, départementales and régionales, then the
presidential in April-May, the European in May-June, the legislative in June), round 1
before round 2.

Bureaux are matched across rounds by ``bureau_id`` only; :meth:`History.unmatched` reports,
per round, the bureaux of a reference round (by default the latest) that the round does not
have (count and examples). The model stages give such bureaux their commune's level in that
round, flagged ``matched=False`` (:func:`swingcast.model.features.build_features`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

import pandas as pd

from swingcast._log import logger
from swingcast.errors import SchemaError, where
from swingcast.schema import (
    BUREAU_ID,
    COMMUNE_CODE,
    DEPARTEMENT,
    ELECTION,
    ELECTION_KINDS,
    ROUND,
)

__all__ = ["History", "load_history", "parse_label", "round_label", "round_order",
           "choose_training", "describing_round", "Training"]

#: Order of the kinds within one year (calendar of French elections).
_KIND_ORDER = {"municipales": 0, "departementales": 1, "regionales": 2, "presidentielle": 3,
               "referendum": 4, "europeennes": 5, "legislatives": 6}

_LABEL = re.compile(r"^(\d{4})-([a-z]+)(?:-([12]))?$")


def round_label(election: str, round: int) -> str:
    """The label of a round, ``<year>-<kind>-<round>``.

    Examples
    --------
    >>> round_label("2017-presidentielle", 2)
    '2017-presidentielle-2'
    """
    return f"{election}-{int(round)}"


def parse_label(label: str) -> tuple[str, int]:
    """``(election, round)`` of a label ``<year>-<kind>-<round>`` (round 1 if omitted).

    Parameters
    ----------
    label : str
        ``"2022-presidentielle-1"``, ``"2024-europeennes"`` (single-round kinds may omit it).

    Raises
    ------
    SchemaError
        Not of that form, or an unknown kind.

    Examples
    --------
    >>> parse_label("2022-presidentielle-1"), parse_label("2024-europeennes")
    (('2022-presidentielle', 1), ('2024-europeennes', 1))
    """
    m = _LABEL.match(str(label).strip().lower())
    if not m or m.group(2) not in ELECTION_KINDS:
        raise SchemaError(
            f"round label {label!r}; expected <year>-<kind>-<round> with kind one of "
            f"{', '.join(ELECTION_KINDS)} (e.g. '2022-presidentielle-1')"
        )
    return f"{m.group(1)}-{m.group(2)}", int(m.group(3) or 1)


def round_order(label: str) -> tuple[int, int, int]:
    """Sort key of a round in time: (year, kind within the year, round).

    Examples
    --------
    >>> sorted(["2024-legislatives-1", "2024-europeennes-1", "2022-presidentielle-2"],
    ...        key=round_order)
    ['2022-presidentielle-2', '2024-europeennes-1', '2024-legislatives-1']
    """
    election, rnd = parse_label(label)
    year, kind = election.split("-", 1)
    return int(year), _KIND_ORDER[kind], rnd


def kind_of(label: str) -> tuple[str, int]:
    """``(kind, round)`` of a label: what two rounds of different years have in common.

    Examples
    --------
    >>> kind_of("2019-europeennes-1")
    ('europeennes', 1)
    """
    election, rnd = parse_label(label)
    return election.split("-", 1)[1], rnd


@dataclass
class History:
    """Rounds of one area, stacked.

    Attributes
    ----------
    stations : DataFrame
        One row per bureau and round (schema ``STATION_COLUMNS``) plus ``label``.
    votes : DataFrame
        One row per bureau, round and candidate/list (schema ``VOTE_COLUMNS``) plus ``label``.
    rounds : list of str
        The labels, in time order (:func:`round_order`).
    sources : dict
        Label -> the file it was read from.
    area : dict
        The restriction applied (``departements``, ``communes``).
    """

    stations: pd.DataFrame
    votes: pd.DataFrame
    rounds: list[str]
    sources: dict[str, str] = field(default_factory=dict)
    area: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        return (f"History({len(self.rounds)} rounds: {', '.join(self.rounds)}; "
                f"{self.stations[BUREAU_ID].nunique()} bureaux)")

    @property
    def latest(self) -> str:
        """The most recent round."""
        return self.rounds[-1]

    def key(self, label: str) -> tuple[str, int]:
        """``(election, round)`` of one of the rounds (checked)."""
        self._check(label)
        return parse_label(label)

    def _check(self, label: str) -> None:
        if label not in self.rounds:
            raise SchemaError(f"history: no round {label!r}; expected one of {', '.join(self.rounds)}")

    def round(self, label: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        """``(stations, votes)`` of one round (copies).

        Examples
        --------
        >>> h = History(pd.DataFrame({"label": ["a", "b"], "bureau_id": ["x", "x"]}),
        ...             pd.DataFrame({"label": ["a"], "bureau_id": ["x"]}), ["a", "b"])
        >>> len(h.round("a")[1]), len(h.round("b")[1])
        (1, 0)
        """
        self._check(label)
        return (self.stations[self.stations["label"] == label].copy(),
                self.votes[self.votes["label"] == label].copy())

    def before(self, label: str) -> list[str]:
        """The rounds strictly earlier than ``label`` (which need not be in the history).

        Examples
        --------
        >>> h = History(pd.DataFrame(), pd.DataFrame(), ["2017-presidentielle-1", "2019-europeennes-1"])
        >>> h.before("2019-europeennes-1")
        ['2017-presidentielle-1']
        """
        limit = round_order(label)
        return [r for r in self.rounds if round_order(r) < limit]

    def has_share(self, select: Callable[[pd.DataFrame], pd.Series]) -> dict[str, bool]:
        """Per round, whether the votes selected by ``select`` (a share's selector) are positive.

        Examples
        --------
        >>> v = pd.DataFrame({"label": ["a", "b"], "voix": [3, 0], "nuance": ["RN", "RN"]})
        >>> History(pd.DataFrame(), v, ["a", "b"]).has_share(lambda t: t["nuance"].eq("RN"))
        {'a': True, 'b': False}
        """
        mask = select(self.votes).to_numpy(dtype=bool)
        voix = pd.to_numeric(self.votes.loc[mask, "voix"]).astype(float)
        total = voix.groupby(self.votes.loc[mask, "label"]).sum()
        return {r: bool(total.get(r, 0.0) > 0) for r in self.rounds}

    def unmatched(self, reference: str | None = None, *, examples: int = 5) -> pd.DataFrame:
        """Per round, the bureaux of ``reference`` (default: the latest) it does not have.

        Returns
        -------
        DataFrame
            ``round, bureaux, unmatched, examples`` (``examples``: up to ``examples`` ids,
            comma-separated), one row per round other than the reference.

        Examples
        --------
        >>> st = pd.DataFrame({"label": ["a", "b", "b"], "bureau_id": ["x", "x", "y"]})
        >>> h = History(st, pd.DataFrame(), ["a", "b"])
        >>> h.unmatched().to_dict("records")
        [{'round': 'a', 'bureaux': 1, 'unmatched': 1, 'examples': 'y'}]
        """
        ref = reference or self.latest
        self._check(ref)
        ids = self.stations.groupby("label")[BUREAU_ID].apply(set)
        wanted = ids.get(ref, set())
        rows = []
        for label in self.rounds:
            if label == ref:
                continue
            missing = sorted(wanted - ids.get(label, set()))
            rows.append({"round": label, "bureaux": len(ids.get(label, set())),
                         "unmatched": len(missing), "examples": ", ".join(missing[:examples])})
        return pd.DataFrame(rows, columns=["round", "bureaux", "unmatched", "examples"])


def _labels_for(files: Sequence[str | PathLike[str]],
                labels: Sequence[str | None] | Mapping[str, str] | None) -> list[str | None]:
    if labels is None:
        return [None] * len(files)
    if isinstance(labels, Mapping):
        by_name = {str(k): v for k, v in labels.items()}
        return [by_name.get(str(f), by_name.get(Path(f).name)) for f in files]
    out = list(labels)
    if len(out) != len(files):
        raise SchemaError(f"load_history: {len(out)} labels for {len(files)} files; expected one "
                          "label (or None) per file")
    return out


def _labels_of(table: pd.DataFrame) -> pd.Series:
    """``<election>-<round>`` of every row (vectorised: a file has one or two rounds)."""
    return table[ELECTION].astype(str) + "-" + table[ROUND].astype(int).astype(str)


def _restrict(stations: pd.DataFrame, votes: pd.DataFrame, departements: Sequence[str] | None,
              communes: Sequence[str] | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    keep = pd.Series(True, index=stations.index)
    if departements is not None:
        keep &= stations[DEPARTEMENT].astype(str).isin([str(d) for d in departements])
    if communes is not None:
        keep &= stations[COMMUNE_CODE].astype(str).isin([str(c) for c in communes])
    st = stations[keep.to_numpy()]
    return st, votes[votes[BUREAU_ID].isin(st[BUREAU_ID])]


def load_history(
    files: Sequence[str | PathLike[str]] | str | PathLike[str],
    *,
    labels: Sequence[str | None] | Mapping[str, str] | None = None,
    departements: Sequence[str] | str | None = None,
    communes: Sequence[str] | str | None = None,
) -> History:
    """Read results files into one :class:`History` of labelled rounds of an area.

    Parameters
    ----------
    files : path or sequence of paths
        Results files, one round each (any layout of :func:`swingcast.read_results`).
    labels : sequence or mapping, optional
        The round of each file, ``<year>-<kind>-<round>`` (``"2022-presidentielle-1"``), for
        files whose name or content does not say it: a list parallel to ``files`` (None
        entries: from the file), or a mapping file (path or name) -> label.
    departements, communes : str or sequence of str, optional
        Keep only these départements (``"92"``, ``"2A"``) or communes (INSEE codes).

    Returns
    -------
    History

    Raises
    ------
    SchemaError
        A label of the wrong form, two files of the same round, a file with no bureau left
        in the area, or a file whose round cannot be told (pass ``labels``).

    Examples
    --------
    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> head = "departement,commune,bureau,commune_libelle,inscrits,votants,blancs,exprimes,LE PEN,MACRON\\n"
    >>> for name, row in (("2017-presidentielle-1.csv", "04,001,0001,A,100,80,0,80,20,60\\n"),
    ...                   ("t2.csv", "04,001,0001,A,100,70,0,70,30,40\\n")):
    ...     _ = open(os.path.join(folder, name), "w", encoding="utf-8").write(head + row)
    >>> h = load_history([os.path.join(folder, "2017-presidentielle-1.csv"),
    ...                   os.path.join(folder, "t2.csv")],
    ...                  labels=[None, "2017-presidentielle-2"], departements="04")
    >>> h.rounds
    ['2017-presidentielle-1', '2017-presidentielle-2']
    >>> h.stations[["round", "bureau_id", "votants"]].values.tolist()
    [[1, '04001_1', 80], [2, '04001_1', 70]]
    """
    from swingcast.load.sources import read_results

    if isinstance(files, (str, PathLike)):
        files = [files]
    files = list(files)
    if not files:
        raise SchemaError("load_history: no file given; expected one results file per round")
    deps = [departements] if isinstance(departements, str) else departements
    coms = [communes] if isinstance(communes, str) else communes
    stations, votes, sources = [], [], {}
    for path, label in zip(files, _labels_for(files, labels), strict=True):
        election, rnd = parse_label(label) if label else (None, None)
        res = read_results(path, election=election, round=rnd)
        if len(res.issues):
            logger.warning("%s: %d invariant break(s) reported by read_results (first: %s)",
                           res.source, len(res.issues), res.issues.iloc[0].to_dict())
        st, vt = _restrict(res.stations, res.votes, deps, coms)
        pairs = st[[ELECTION, ROUND]].drop_duplicates()
        if st.empty:
            raise SchemaError(f"{path}: no bureau in the area (departements={deps}, communes={coms}); "
                              "expected the file to cover it")
        for election_, rnd_ in pairs.itertuples(index=False):
            lab = round_label(election_, int(rnd_))
            parse_label(lab)
            if lab in sources:
                raise SchemaError(f"{path}: round {lab} already read from {sources[lab]}; "
                                  "expected one file per round")
            sources[lab] = str(path)
        st = st.assign(label=_labels_of(st))
        vt = vt.assign(label=_labels_of(vt))
        dup = st.duplicated(["label", BUREAU_ID])
        if dup.any():
            raise SchemaError(f"{where(path, column=BUREAU_ID, ids=st.loc[dup, BUREAU_ID])}: duplicated "
                              "bureau within a round; expected one row per bureau and round")
        stations.append(st)
        votes.append(vt)
    order = sorted(sources, key=round_order)
    area = {"departements": list(deps) if deps else None, "communes": list(coms) if coms else None}
    hist = History(pd.concat(stations, ignore_index=True), pd.concat(votes, ignore_index=True),
                   order, {k: sources[k] for k in order}, area)
    report = hist.unmatched()
    for row in report.itertuples(index=False):
        if row.unmatched:
            logger.info("history: %d bureaux of %s not in %s (e.g. %s); given their commune's level "
                        "there", row.unmatched, hist.latest, row.round, row.examples)
    return hist


# --- which transition to learn from --------------------------------------------------------


@dataclass(frozen=True)
class Training:
    """The transition(s) a forecast learns from, and why.

    Attributes
    ----------
    features : tuple of str
        The round(s) describing the bureaux (``X``).
    outcome : str
        The round whose turnout and share the model learns (``y``).
    apply : tuple of str
        The round(s) describing the bureaux of the forecast election.
    rule : str
        Which rule of :func:`choose_training` chose it (or ``"given"``).
    reason : str
        One sentence for reports.
    """

    features: tuple[str, ...]
    outcome: str
    apply: tuple[str, ...]
    rule: str
    reason: str

    def as_dict(self) -> dict:
        """JSON-friendly form.

        Examples
        --------
        >>> Training(("a",), "b", ("b",), "given", "x").as_dict()["outcome"]
        'b'
        """
        return {"features": list(self.features), "outcome": self.outcome,
                "apply": list(self.apply), "rule": self.rule, "reason": self.reason}


def describing_round(rounds: Sequence[str], label: str) -> str | None:
    """The round whose results describe the bureaux when forecasting ``label``.

    For a round 2, the first round of the same election if known, else the latest earlier
    round; for a round 1 (or a single-round election), the latest earlier first round (every
    party runs in a first round; a second round often lacks some), else the latest earlier round.
    None when nothing is earlier.

    Examples
    --------
    >>> r = ["2017-presidentielle-1", "2017-legislatives-1", "2017-legislatives-2"]
    >>> describing_round(r, "2019-europeennes-1"), describing_round(r, "2017-legislatives-2")
    ('2017-legislatives-1', '2017-legislatives-1')
    """
    limit = round_order(label)
    earlier = sorted((r for r in rounds if round_order(r) < limit), key=round_order)
    if not earlier:
        return None
    election, rnd = parse_label(label)
    if rnd == 2 and round_label(election, 1) in earlier:
        return round_label(election, 1)
    firsts = [r for r in earlier if parse_label(r)[1] == 1]
    return firsts[-1] if rnd == 1 and firsts else earlier[-1]


def choose_training(rounds: Sequence[str], target: str,
                    has_share: Mapping[str, bool] | None = None) -> Training:
    """Pick the training transition for forecasting ``target`` from earlier ``rounds``.

    The rule (documented in ``docs/models.md``). L = :func:`describing_round` of the target
    (the forecast bureaux are described by L); "kind" is the pair (kind of election, round
    number); a round B qualifies as a training outcome only if the share exists in it and in
    its describing round (``has_share``: the candidate, list or party got votes there):

    1. ``same-transition``: the most recent B of the target's kind with an earlier round A of
       L's kind (the latest such A): the model learns the same kind of transition as the one
       it forecasts (European 2014 -> 2019 to forecast 2019 -> 2024);
    2. ``same-target-kind``: else the most recent B of the target's kind, described by its own
       describing round A = :func:`describing_round` (B);
    3. ``same-round``: else the most recent B with the target's round number (a first round
       for a first round), A = its describing round;
    4. ``latest-pair``: else the most recent B that has an earlier round, A = its describing round.

    Parameters
    ----------
    rounds : sequence of str
        Labels, any order; only those earlier than ``target`` are used.
    target : str
        The label of the round to forecast.
    has_share : mapping, optional
        Label -> whether the target share exists in that round (default: everywhere).

    Returns
    -------
    Training

    Raises
    ------
    SchemaError
        Fewer than two rounds before the target, or no round to learn the share from.

    Examples
    --------
    >>> r = ["2014-europeennes-1", "2017-presidentielle-1", "2019-europeennes-1"]
    >>> t = choose_training(r, "2024-europeennes-1")
    >>> t.features, t.outcome, t.apply, t.rule
    (('2014-europeennes-1',), '2019-europeennes-1', ('2019-europeennes-1',), 'same-transition')
    >>> t = choose_training(r, "2022-presidentielle-1")  # European -> presidential, as 2019 -> 2022
    >>> t.rule, t.features, t.outcome
    ('same-transition', ('2014-europeennes-1',), '2017-presidentielle-1')
    >>> t = choose_training(r + ["2019-europeennes-1"], "2020-municipales-1")
    >>> t.rule, t.features, t.outcome
    ('same-round', ('2017-presidentielle-1',), '2019-europeennes-1')
    """
    limit = round_order(target)
    earlier = sorted(set(r for r in rounds if round_order(r) < limit), key=round_order)
    if len(earlier) < 2:
        raise SchemaError(
            f"forecast of {target}: {len(earlier)} round(s) before it in the history "
            f"({', '.join(earlier) or 'none'}); expected at least two (one transition to learn from)"
        )
    ok = dict.fromkeys(earlier, True) if has_share is None else {r: bool(has_share.get(r, False)) for r in earlier}
    latest = describing_round(earlier, target)
    assert latest is not None
    want_a, want_b = kind_of(latest), kind_of(target)
    outcomes = [b for b in reversed(earlier) if ok[b] and describing_round(earlier, b) is not None
                and ok[describing_round(earlier, b)]]  # type: ignore[index]

    def made(rule: str, b: str, a: str, why: str) -> Training:
        return Training((a,), b, (latest,), rule, why)

    for b in outcomes:
        if kind_of(b) != want_b:
            continue
        same = [a for a in earlier if round_order(a) < round_order(b) and kind_of(a) == want_a and ok[a]]
        if same:
            return made("same-transition", b, same[-1],
                        f"{same[-1]} -> {b} is the most recent transition of the same kinds as "
                        f"{latest} -> {target}")
    for b in outcomes:
        if kind_of(b) == want_b:
            a = describing_round(earlier, b)
            return made("same-target-kind", b, a,  # type: ignore[arg-type]
                        f"no earlier transition {want_a[0]} -> {want_b[0]}; {b} is the most recent round "
                        f"of the target's kind, described by {a}")
    for b in outcomes:
        if kind_of(b)[1] == want_b[1]:
            a = describing_round(earlier, b)
            return made("same-round", b, a,  # type: ignore[arg-type]
                        f"no earlier round of the target's kind ({want_b[0]} round {want_b[1]}); {b} is "
                        f"the most recent round {want_b[1]}, described by {a}")
    for b in outcomes:
        a = describing_round(earlier, b)
        return made("latest-pair", b, a,  # type: ignore[arg-type]
                    f"no earlier round {want_b[1]}; learnt from the most recent transition {a} -> {b}")
    raise SchemaError(f"forecast of {target}: the share is absent from every earlier round that could "
                      f"be learnt from ({', '.join(earlier)}); expected it in at least one of them")
