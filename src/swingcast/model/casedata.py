"""Data assembly of the back-test cases: a case file's table -> :class:`~swingcast.model.training.CaseData`.

:func:`build_case` reads the case's files into a :class:`~swingcast.model.history.History`
(:func:`swingcast.load_history`; registry names are found through
:func:`swingcast.load.datasets.fetch`, hash-checked), then assembles the training transition
and the scored round with :func:`swingcast.model.training.case_data`, the code every history
back-test and forecast uses. What a case file may say is in ``docs/models.md`` ("Case files").
Two things are recipes of their own, named by the case file: the census of the demo areas
(:func:`paris_census`, :func:`hds13_census`, carried onto the bureaux with
:func:`swingcast.crosswalk`) and the Paris vote-transfer model (:data:`TRANSFER_RATES`).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from swingcast._log import logger
from swingcast.errors import SchemaError, where
from swingcast.load.datasets import fetch
from swingcast.model.blocs import BLOCS
from swingcast.model.features import feature_name
from swingcast.model.training import CaseData, case_data, outcomes, transition_frame, votes_of
from swingcast.schema import (
    ARRONDISSEMENT_CODE,
    BUREAU_ID,
    CANDIDATE,
    COMMUNE_CODE,
    DEPARTEMENT,
    EXPRIMES,
    INSCRITS,
    IRIS_CODE,
    VOIX,
)

if TYPE_CHECKING:
    from swingcast.model.history import History

__all__ = ["load_round", "paris_census", "hds13_census", "TRANSFER_RATES", "transfer_share",
           "transfer_turnout", "build_case", "case_history", "CENSUS"]

EU14 = ("2014-europeennes", 1)
PRES17_1 = ("2017-presidentielle", 1)
PRES17_2 = ("2017-presidentielle", 2)
LEG17_1 = ("2017-legislatives", 1)
EU19 = ("2019-europeennes", 1)
EU24 = ("2024-europeennes", 1)

_FILES = {
    EU14: "france/results/2014-europeennes_par_bureau_large.csv.gz",
    PRES17_1: "france/results/2017-presidentielle-1_par_bureau_large.csv.gz",
    PRES17_2: "france/results/2017-presidentielle-2_par_bureau_large.csv.gz",
    LEG17_1: "france/results/2017-legislatives-1_par_bureau_large.csv.gz",
    EU19: "france/results/2019-europeennes_par_bureau_large.csv.gz",
    EU24: "hauts-de-seine-13/results/europeennes_2024.xlsx",
}

HDS13_COMMUNES = ("92002", "92014", "92019", "92071")


# --- results -----------------------------------------------------------------------------


def _read_all(key: tuple[str, int], departements: Sequence[str] | None = None
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    # The national file when it is found; else, for a few départements, the embedded sample
    # of their rows (the Paris demo without any data folder). Read once per file.
    path = fetch(_FILES[key], departements=departements)
    return _read_path(str(path), key)


@cache
def _read_path(path: str, key: tuple[str, int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    from swingcast import read_results

    res = read_results(path, election=key[0], round=key[1])
    if len(res.issues):
        logger.warning("%s: %d invariant break(s) reported by read_results (first: %s)",
                       res.source, len(res.issues), res.issues.iloc[0].to_dict())
    return res.stations, res.votes


def load_round(
    key: tuple[str, int],
    *,
    departements: Sequence[str] | None = None,
    communes: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stations and votes of one round, optionally restricted to départements or communes.

    Parameters
    ----------
    key : (str, int)
        ``(election, round)`` among the registered rounds of the cases.
    departements, communes : sequence of str, optional
        INSEE codes to keep.

    Returns
    -------
    (DataFrame, DataFrame)
        ``stations`` and ``votes`` (schema columns).

    Examples
    --------
    >>> st, vt = load_round(("2017-presidentielle", 2), departements=["75"])  # doctest: +SKIP
    >>> len(st)  # doctest: +SKIP
    896
    """
    stations, votes = _read_all(key, departements if communes is None else None)
    if departements is None and communes is None:
        return stations.copy(), votes.copy()
    keep = pd.Series(True, index=stations.index)
    if departements is not None:
        keep &= stations[DEPARTEMENT].isin(list(departements))
    if communes is not None:
        keep &= stations[COMMUNE_CODE].isin(list(communes))
    st = stations[keep.to_numpy()].copy()
    vt = votes[votes[BUREAU_ID].isin(st[BUREAU_ID])].copy()
    return st, vt


# --- census --------------------------------------------------------------------------------


@cache
def paris_census() -> pd.DataFrame:
    """RP2011 population aged 15+ by CS (IRIS 2013) carried onto the 2017 Paris bureaux.

    Area weights (:func:`swingcast.crosswalk`) from the IGN IRIS 2013 contours to the Ville
    de Paris 2017 "secteurs des bureaux de vote"; counts are summed, so the Paris total of
    ``pop15p`` is conserved.

    Returns
    -------
    DataFrame
        Indexed by ``bureau_id`` (``75056_<AANN>``): ``pop15p``, ``cs1`` .. ``cs8``.

    Examples
    --------
    >>> c = paris_census()  # doctest: +SKIP
    >>> round(c["pop15p"].sum())  # doctest: +SKIP
    1926666
    """
    from swingcast import crosswalk, read_bureaux, read_census, read_iris

    iris = read_iris(fetch("paris/contours/iris-paris-2013.gpkg"))
    sect = read_bureaux(fetch("paris/contours/secteurs-des-bureaux-de-vote-paris-2017.geojson"))
    counts = read_census(fetch("paris/census/rp2011-cs8-iris-paris.csv"))
    counts = counts.rename(columns=lambda c: c.replace("pop15p_cs", "cs"))
    cw = crosswalk(iris[[IRIS_CODE, "geometry"]], sect[[BUREAU_ID, "geometry"]],
                   source_id=IRIS_CODE, target_id=BUREAU_ID, within=None)
    cols = ["pop15p", *[f"cs{i}" for i in range(1, 9)]]
    out = cw.apply(counts, extensive=cols, id_column=IRIS_CODE)
    return out[cols]


@cache
def hds13_census() -> pd.DataFrame:
    """RP2016 activity (IRIS) and Filosofi 2019 median income carried onto the Etalab bureaux.

    Area weights from the ``map_iris`` IRIS contours (Lambert-93) to Etalab's REU bureau
    contours. The median income (k€) is carried as ``income_x_pop`` (median × population
    15–64), so that dividing by ``pop1564`` gives a population-weighted mean of the IRIS
    medians (its feature ``census_income_x_pop_share`` is that mean, centred, not a share).

    Returns
    -------
    DataFrame
        Indexed by ``bureau_id`` (``92002_1``): ``pop1564``, ``act_cs3``, ``act_cs5``,
        ``act_cs6``, ``chom``, ``income_x_pop``.

    Examples
    --------
    >>> c = hds13_census()  # doctest: +SKIP
    >>> len(c)  # doctest: +SKIP
    91
    """
    from swingcast import crosswalk, read_bureaux, read_census, read_iris

    iris = read_iris(fetch("ile-de-france/contours/map_iris.shp"))
    iris = iris[iris[COMMUNE_CODE].astype(str).isin(HDS13_COMMUNES)]
    bv = read_bureaux(fetch("hauts-de-seine-13/contours/circo_contours.geojson"))
    rp = read_census(fetch("ile-de-france/census/base-ic-activite-residents-2016-idf.csv"))
    rp = rp[rp[COMMUNE_CODE].astype(str).isin(HDS13_COMMUNES)]
    filo = read_census(fetch("france/census/BASE_TD_FILO_DEC_IRIS_2019.csv"))
    table = pd.DataFrame(
        {
            IRIS_CODE: rp[IRIS_CODE].astype(str),
            "pop1564": rp["pop1564"],
            "act_cs3": rp["act1564_cs3"],
            "act_cs5": rp["act1564_cs5"],
            "act_cs6": rp["act1564_cs6"],
            "chom": rp["chom1564"],
        }
    )
    med = filo.set_index(filo[IRIS_CODE].astype(str))["dec_med"]
    table["median"] = table[IRIS_CODE].map(med).astype(float)
    secret = table["median"].isna()
    if secret.any():
        # Statistical secrecy: the commune's population-weighted median of the other IRIS.
        com = table[IRIS_CODE].str[:5]
        known = table["pop1564"].where(~secret)
        fill = (table["median"] * table["pop1564"]).groupby(com).sum() / known.groupby(com).sum()
        table.loc[secret, "median"] = com[secret].map(fill)
        logger.info("Filosofi 2019: %d IRIS without a median (secrecy) given their commune's",
                    int(secret.sum()))
    table["income_x_pop"] = table["median"] / 1000.0 * table["pop1564"]
    cw = crosswalk(iris[[IRIS_CODE, "geometry"]], bv[[BUREAU_ID, "geometry"]],
                   source_id=IRIS_CODE, target_id=BUREAU_ID, within=None)
    cols = ["pop1564", "act_cs3", "act_cs5", "act_cs6", "chom", "income_x_pop"]
    out = cw.apply(table, extensive=cols, id_column=IRIS_CODE)
    return out[cols]


# --- the Paris vote-transfer model -----------------------------------------------------------

#: Second-round intentions (Macron, Le Pen, in %) of each first-round electorate, from the
#: Ifop-Fiducial survey for Paris Match, CNews and Sud Radio published on 24 April 2017 (the
#: day after round 1; reported by Lyon Capitale, "Les électeurs de Mélenchon et de Fillon
#: penchent pour Macron"). Mélenchon, Hamon and Fillon are the survey's figures; the others
#: are assumptions documented in docs/models.md (Macron and Le Pen voters keep their vote;
#: Arthaud/Poutou voters as Mélenchon's; Dupont-Aignan, who endorsed Le Pen, 30/50;
#: Asselineau, Lassalle and Cheminade as Fillon's).
TRANSFER_RATES: dict[str, tuple[float, float]] = {
    "MACRON": (100.0, 0.0),
    "LE PEN": (0.0, 100.0),
    "MÉLENCHON": (51.0, 19.0),
    "HAMON": (80.0, 8.0),
    "FILLON": (41.0, 33.0),
    "ARTHAUD": (51.0, 19.0),
    "POUTOU": (51.0, 19.0),
    "DUPONT-AIGNAN": (30.0, 50.0),
    "ASSELINEAU": (41.0, 33.0),
    "LASSALLE": (41.0, 33.0),
    "CHEMINADE": (41.0, 33.0),
}


def _rates_of(
    votes_round1: pd.DataFrame, rates: dict[str, tuple[float, float]], who: str
) -> tuple[pd.Series, pd.Series]:
    """Per ``votes`` row, the Macron and Le Pen intentions (%) of its candidate's voters."""
    names = votes_round1[CANDIDATE].astype(str).str.upper()
    unknown = sorted(set(names) - set(rates))
    if unknown:
        raise SchemaError(f"{who}: no transfer rates for candidate(s) {unknown}; expected one of {sorted(rates)}")
    m = names.map({k: v[0] for k, v in rates.items()}).astype(float)
    lp = names.map({k: v[1] for k, v in rates.items()}).astype(float)
    return m, lp


def transfer_share(votes_round1: pd.DataFrame, rates: dict[str, tuple[float, float]] = TRANSFER_RATES) -> pd.Series:
    """Second-round Macron share of exprimés implied by first-round votes and transfer rates.

    ``share = sum_c v_c m_c / sum_c v_c (m_c + l_c)`` with ``v_c`` the round-1 voix of
    candidate ``c`` and ``(m_c, l_c)`` the shares of its voters intending to vote Macron and
    Le Pen.

    Parameters
    ----------
    votes_round1 : DataFrame
        ``votes`` rows of round 1 (``bureau_id``, ``candidate``, ``voix``).
    rates : dict
        Candidate -> (Macron %, Le Pen %).

    Returns
    -------
    Series
        Indexed by ``bureau_id``.

    Examples
    --------
    >>> v = pd.DataFrame({"bureau_id": ["a", "a"], "candidate": ["MACRON", "FILLON"],
    ...                   "voix": [100, 100]})
    >>> round(float(transfer_share(v).iloc[0]), 4)  # (100 + 41) / (100 + 74)
    0.8103
    """
    m, lp = _rates_of(votes_round1, rates, "transfer_share")
    voix = votes_round1[VOIX].astype(float)
    ids = votes_round1[BUREAU_ID]
    num = (voix * m).groupby(ids).sum()
    den = (voix * (m + lp)).groupby(ids).sum()
    return num / den


#: Round-1 national shares of exprimés (%), presidential 2017 (Conseil constitutionnel,
#: proclamation of 26 April 2017): the weight of each electorate in the survey's sample.
NATIONAL_T1_2017 = {"MACRON": 24.01, "LE PEN": 21.30, "FILLON": 20.01, "MÉLENCHON": 19.58,
                    "HAMON": 6.36, "DUPONT-AIGNAN": 4.70}
#: Respondents of the transfer survey who voted in round 1: an assumption (order of magnitude
#: of the pollsters' election-night samples; the report we cite gives no size), see
#: docs/models.md.
SURVEY_RESPONDENTS = 1000.0
#: Electorates sharing one measured (or assumed) set of rates: the rate groups of
#: TRANSFER_RATES. Macron and Le Pen voters are assumed loyal (no sampling error).
_RATE_GROUPS = {
    "MACRON": ("MACRON",), "LE PEN": ("LE PEN",),
    "MÉLENCHON": ("MÉLENCHON", "ARTHAUD", "POUTOU"), "HAMON": ("HAMON",),
    "FILLON": ("FILLON", "ASSELINEAU", "LASSALLE", "CHEMINADE"), "DUPONT-AIGNAN": ("DUPONT-AIGNAN",),
}


def _transfer_uncertainty(
    t1_votes: pd.DataFrame, t1_out: pd.DataFrame, index: pd.Index, point: np.ndarray,
    eu14_composition: pd.DataFrame, t1_train: pd.DataFrame, arrondissements: pd.Series,
) -> dict:
    """The Paris transfer model's own uncertainty (docs/models.md, "Share intervals")."""
    from swingcast.model.transfer import survey_logit_sd

    names = t1_votes[CANDIDATE].astype(str).str.upper()
    by_cand = t1_votes[VOIX].astype(float).groupby([t1_votes[BUREAU_ID], names]).sum().unstack(fill_value=0.0)
    groups = list(_RATE_GROUPS)
    voix = np.column_stack([by_cand.reindex(columns=list(_RATE_GROUPS[g]), fill_value=0.0).sum(axis=1)
                            .reindex(index, fill_value=0.0).to_numpy(float) for g in groups])
    rates = np.array([TRANSFER_RATES[g] for g in groups]) / 100.0
    sizes = np.array([0.0 if g in ("MACRON", "LE PEN") else SURVEY_RESPONDENTS * NATIONAL_T1_2017[g] / 100.0
                      for g in groups])
    exprimes = t1_out[EXPRIMES].reindex(index).to_numpy(float)
    survey_sd = survey_logit_sd(voix, rates, sizes, exprimes)
    # Local noise around constant rates: European 2014 composition -> 2017 round-1 Macron share
    # (the only per-bureau transition known before round 2), out-of-fold.
    out = _ecological_uncertainty(eu14_composition, t1_train["share"], t1_train[EXPRIMES],
                                  arrondissements, point, exprimes, survey_sd**2)
    out["survey_sd_median"] = float(np.median(survey_sd))
    return out


def _ecological_uncertainty(
    composition: pd.DataFrame,
    observed: pd.Series,
    sizes: pd.Series,
    areas: pd.Series,
    point: np.ndarray,
    point_sizes: np.ndarray,
    extra: np.ndarray | float = 0.0,
) -> dict:
    """Uncertainty of a transfer prediction from the local noise around constant rates.

    :func:`~swingcast.model.transfer.ecological_noise` of ``observed`` on the earlier
    ``composition`` (weights ``sizes``) gives the scale of each predicted bureau (``point``,
    ``point_sizes``, plus ``extra`` variance), the conformal quantile and the residuals; the
    sd of its area errors (``areas``) is the simulation's common swing.
    """
    from swingcast.model.simulate import area_error_sd
    from swingcast.model.transfer import ecological_noise

    y, n = observed.to_numpy(float), sizes.to_numpy(float)
    eco = ecological_noise(composition.to_numpy(float), y, n)
    return {"scale": eco.scale(point, point_sizes, extra), "q": eco.q, "residuals": eco.residuals,
            "common_sd": area_error_sd(eco.fitted, y, n, areas.to_numpy()), "sigma2_local": eco.sigma2}


def transfer_turnout(
    votes_round1: pd.DataFrame, inscrits: pd.Series, rates: dict[str, tuple[float, float]] = TRANSFER_RATES
) -> pd.Series:
    """Round-2 turnout (of exprimés) implied by round-1 votes and transfer rates.

    ``turnout = sum_c v_c (m_c + l_c) / inscrits``: the voters of each round-1 candidate who
    intend to vote for one of the two finalists.

    Parameters
    ----------
    votes_round1 : DataFrame
        ``votes`` rows of round 1.
    inscrits : Series
        Inscrits per ``bureau_id``.
    rates : dict
        Candidate -> (Macron %, Le Pen %).

    Returns
    -------
    Series
        Indexed by ``bureau_id``.

    Examples
    --------
    >>> v = pd.DataFrame({"bureau_id": ["a", "a"], "candidate": ["MACRON", "FILLON"],
    ...                   "voix": [100, 100]})
    >>> float(transfer_turnout(v, pd.Series({"a": 400.0})).iloc[0])  # (100 + 74) / 400
    0.435
    """
    m, lp = _rates_of(votes_round1, rates, "transfer_turnout")
    both = (m + lp) / 100.0
    voters = (votes_round1[VOIX].astype(float) * both).groupby(votes_round1[BUREAU_ID]).sum()
    ins = inscrits.astype(float).reindex(voters.index)
    if (ins <= 0).any() or ins.isna().any():
        bad = voters.index[(ins <= 0).to_numpy() | ins.isna().to_numpy()]
        raise SchemaError(f"transfer_turnout: {where(ids=bad)}: expected inscrits > 0")
    return voters / ins


# --- the cases -------------------------------------------------------------------------------


def _label_key(label: str) -> tuple[str, int]:
    from swingcast.model.history import parse_label

    return parse_label(label)


def _resolve_file(entry: str, base: Path, departements: Sequence[str] | None = None
                  ) -> tuple[str, str | None]:
    """``PATH[=LABEL]`` of a case file -> (local path, label).

    A registry name is fetched for ``departements`` only (an embedded sample of their rows
    may stand in, see :func:`swingcast.load.datasets.fetch`)."""
    path, sep, label = str(entry).rpartition("=") if "=" in str(entry) else (str(entry), "", "")
    local = Path(path) if Path(path).is_absolute() else base / path
    found = str(local) if local.exists() else str(fetch(path, departements=departements))
    return found, (label if sep else None)


@cache
def _case_history(files: tuple[tuple[str, str | None], ...], departements: tuple[str, ...] | None,
                  communes: tuple[str, ...] | None) -> History:
    from swingcast.model.history import load_history

    return load_history([f for f, _ in files], labels=[lab for _, lab in files],
                        departements=list(departements) if departements else None,
                        communes=list(communes) if communes else None)


def case_history(config: dict, base: str | Path = ".") -> History:
    """The :class:`~swingcast.model.history.History` of a case file's ``files`` and ``area``.

    Parameters
    ----------
    config : dict
        The case file's table (``docs/models.md``, "Case files").
    base : path
        Folder of the case file (relative ``files`` are read from there).

    Examples
    --------
    >>> from swingcast.model.cases import get_case
    >>> case_history(get_case("hds13-eu2024").config).rounds  # doctest: +SKIP
    ['2014-europeennes-1', '2017-legislatives-1', '2019-europeennes-1', '2024-europeennes-1']
    """
    base = Path(base)
    area = config.get("area", {}) if isinstance(config.get("area"), dict) else {}
    deps = tuple(area["departements"]) if area.get("departements") else None
    coms = tuple(area["communes"]) if area.get("communes") else None
    files = tuple(_resolve_file(f, base, None if coms else deps) for f in config["files"])
    return _case_history(files, deps, coms)


def _census_of(spec: object, base: Path) -> tuple[pd.DataFrame | None, str | None]:
    """A case's census: None, a built-in recipe name, or a table ``{file, total}`` per bureau."""
    if spec is None:
        return None, None
    if isinstance(spec, str):
        if spec not in CENSUS:
            raise SchemaError(f"case census {spec!r}; expected one of {sorted(CENSUS)} or a table "
                              "{file = 'census_by_bureau.csv', total = 'COLUMN'}")
        build, total = CENSUS[spec]
        return build(), total
    path = Path(spec["file"])
    table = pd.read_csv(path if path.is_absolute() else base / path, dtype={BUREAU_ID: str})
    return table.set_index(BUREAU_ID), str(spec["total"])


def build_case(config: dict, base: str | Path = ".") -> CaseData:
    """Assemble a case from the table of its case file.

    Parameters
    ----------
    config : dict
        The case file's table (``docs/models.md``, "Case files"): ``files``, ``area``
        (``departements``/``communes``), ``target``, ``share``, ``training`` (``"rule"`` or
        ``{features, outcome, apply}``), ``census``, ``model`` options (``groups``,
        ``alpha``, ``offset``, ``swing_area``, ``dev``, ``drop_communes_without_share``,
        ``recipe``), ``notes``.
    base : path
        Folder of the case file (relative ``files`` are read from there).

    Returns
    -------
    CaseData

    Examples
    --------
    >>> from swingcast.model.cases import get_case
    >>> data = build_case(get_case("hds13-eu2024").config)  # doctest: +SKIP
    >>> len(data.X_test)  # doctest: +SKIP
    92
    """
    from swingcast.model.history import Training, choose_training

    base = Path(base)
    history = case_history(config, base)
    target = str(config["target"])
    model = dict(config.get("model", {}))
    training = config.get("training", "rule")
    if training == "rule":
        chosen = choose_training(history.rounds, target)
    else:
        chosen = Training(tuple(training["features"]), str(training["outcome"]),
                          tuple(training.get("apply", [history.before(target)[-1]])), "given",
                          str(config.get("training_title", "given by the case file")))
    features, outcome, apply = chosen.features, chosen.outcome, chosen.apply
    recipe = model.get("recipe")
    if recipe is not None:
        if recipe not in RECIPES:
            raise SchemaError(f"case {config['name']}: recipe {recipe!r}; expected one of {sorted(RECIPES)}")
        data = RECIPES[recipe](history, [_label_key(r) for r in features], _label_key(outcome),
                               [_label_key(r) for r in apply], _label_key(target), config)
        data.training = chosen.as_dict()
        data.priors = _case_priors(history, target, config)
        return data
    census, total = _census_of(config.get("census"), base)
    dev = model.get("dev")
    data = case_data(
        history.stations, history.votes,
        features=[_label_key(r) for r in features], outcome=_label_key(outcome),
        apply=[_label_key(r) for r in apply], target=_label_key(target), share=str(config["share"]),
        groups=model.get("groups"), census=census, census_total=total,
        dev=([_label_key(r) for r in dev["features"]], _label_key(dev["outcome"])) if dev else None,
        alpha=model.get("alpha", 0.0), offset=bool(model.get("offset", False)),
        swing_area=model.get("swing_area", "group"),
        drop_communes_without_share=bool(model.get("drop_communes_without_share", False)),
        notes=config.get("notes"),
    )
    data.training = chosen.as_dict()
    data.priors = _case_priors(history, target, config)
    return data


def _case_priors(history, target: str, config: dict) -> dict:
    """Every earlier round of the case for the strongest baselines (issue 13); the case file
    may name the ``opponent`` of a two-candidate round."""
    from swingcast.model.priors import history_priors

    return history_priors(history, history.before(target), str(config["share"]), opponent=config.get("opponent"),
                          test=target)


def _paris_transfer(history: History, features: list[tuple[str, int]], outcome: tuple[str, int],
                    apply: list[tuple[str, int]], target: tuple[str, int], config: dict) -> CaseData:
    """The Paris case: turnout and share both from the vote-transfer survey (no model fitted).

    Turnout and share come from :data:`TRANSFER_RATES` with their own uncertainty, so no
    model is fitted: the features are the minimal lags (no census crosswalk); the training
    transition (``features`` -> ``outcome``: European 2014 -> presidential 2017 round 1)
    gives the ecological-noise compositions; ``apply`` is round 1, ``target`` round 2.
    """
    share = str(config["share"])  # "centre": in 2017 the centre bloc is Macron alone
    st, vt = history.stations, history.votes
    common = dict(share=share, groups=("centre",))
    X_train, train, prior_train, _, eu14_feats = transition_frame(st, vt, features, outcome, **common)
    X_test, test, prior_test, meta, _ = transition_frame(st, vt, apply, target, **common)
    t1_st, t1_vt = history.round(f"{apply[0][0]}-{apply[0][1]}")
    transfer = transfer_share(t1_vt).reindex(X_test.index)
    missing = transfer.isna()
    if missing.any():
        transfer[missing] = float(np.average(transfer[~missing], weights=X_test.loc[~missing, INSCRITS]))
        logger.info("paris-2017-t2: %d bureaux without round-1 votes given the Paris transfer share", int(missing.sum()))
    features_used = ["turnout_lag", "log_inscrits"]
    eu14 = features[0]
    comp_cols = [feature_name("share_exp", eu14, b) for b in BLOCS]
    from swingcast.model.training import resolve_share

    t1_test = outcomes(t1_st, votes_of(t1_vt, resolve_share(share).select))

    # Turnout implied by the same survey: round-1 voix x (Macron + Le Pen intentions) /
    # inscrits (voters who abstain or vote blank/null are not split in the report).
    t_turn = transfer_turnout(t1_vt, t1_test[INSCRITS]).reindex(X_test.index)
    if t_turn.isna().any():
        t_turn[t_turn.isna()] = float(np.average(t_turn.dropna(), weights=X_test.loc[t_turn.notna(), INSCRITS]))

    def turnout_uncertainty() -> dict:
        # local departures from constant turnout rates per 2014 electorate (the bloc
        # voters and the abstainers of 2014 as shares of inscrits) -> 2017 round-1 turnout
        turnout14 = eu14_feats[feature_name("turnout", eu14)]
        comp = eu14_feats[comp_cols].mul(turnout14, axis=0).assign(abst=1.0 - turnout14)
        out = _ecological_uncertainty(comp, train["turnout"], train[INSCRITS],
                                      X_train[ARRONDISSEMENT_CODE].astype(str),
                                      t_turn.to_numpy(float), X_test[INSCRITS].to_numpy(float))
        out["survey_sd_median"] = 0.0
        return out

    def uncertainty() -> dict:
        return _transfer_uncertainty(
            t1_vt, t1_test, X_test.index, transfer.to_numpy(float), eu14_feats[comp_cols],
            train, X_train[ARRONDISSEMENT_CODE].astype(str))

    return CaseData(
        X_train=X_train[[*features_used, INSCRITS, ARRONDISSEMENT_CODE]],
        train=train,
        prior_train=prior_train,
        X_test=X_test[[*features_used, INSCRITS, ARRONDISSEMENT_CODE]],
        test=test,
        prior_test=prior_test,
        meta_test=meta,
        share_override=lambda: transfer.to_numpy(float),
        share_uncertainty=uncertainty,
        turnout_override=lambda: t_turn.to_numpy(float),
        turnout_uncertainty=turnout_uncertainty,
        threshold="anchor",
        features=features_used,
        group_col=ARRONDISSEMENT_CODE,
        notes=dict(config.get("notes", {})),
    )


#: Census recipes a case file can name: name -> (builder, total column).
CENSUS: dict[str, tuple] = {"paris": (paris_census, "pop15p"), "hds13": (hds13_census, "pop1564")}
#: Model recipes a case file can name (``[model] recipe = ...``).
RECIPES = {"paris-transfer-2017": _paris_transfer}
