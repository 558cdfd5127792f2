"""Data assembly of the three named back-test cases (registered in :data:`swingcast.model.cases.CASES`).

Every file is found through :func:`swingcast.load.datasets.fetch` (hash-checked), results are read
with :func:`swingcast.read_results`, census counts are carried onto bureau contours with
:func:`swingcast.crosswalk`. What each case uses and why is documented in ``docs/models.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
import pandas as pd

from swingcast._log import logger
from swingcast.errors import SchemaError, where
from swingcast.load.datasets import fetch
from swingcast.model.blocs import BLOCS, is_rn
from swingcast.model.cases import (
    CASES,
    MATCHED,
    PRIOR_SHARE,
    PRIOR_TURNOUT,
    CaseData,
    CaseSpec,
    lag_matrix,
    outcomes,
)
from swingcast.model.features import build_features, feature_name, summarise_rounds
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

__all__ = ["load_round", "paris_census", "hds13_census", "TRANSFER_RATES", "transfer_share",
           "transfer_turnout"]

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


def _votes_of(votes: pd.DataFrame, select) -> pd.Series:
    mask = select(votes).to_numpy(dtype=bool)
    return votes.loc[mask, VOIX].astype(float).groupby(votes.loc[mask, BUREAU_ID]).sum()


def _is_macron(votes: pd.DataFrame) -> pd.Series:
    return votes[CANDIDATE].astype(str).str.upper().eq("MACRON")


def _priors(features: pd.DataFrame, key: tuple[str, int], share_col: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            PRIOR_TURNOUT: features[feature_name("turnout", key)],
            PRIOR_SHARE: features[share_col],
        }
    )


def _meta(features: pd.DataFrame, key: tuple[str, int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            COMMUNE_CODE: features[COMMUNE_CODE],
            ARRONDISSEMENT_CODE: features[ARRONDISSEMENT_CODE],
            MATCHED: features[feature_name("matched", key)].astype(bool),
        }
    )


def _bureaux(st: pd.DataFrame) -> pd.DataFrame:
    b = st.set_index(BUREAU_ID)[[COMMUNE_CODE, ARRONDISSEMENT_CODE, INSCRITS]].copy()
    b[INSCRITS] = pd.to_numeric(b[INSCRITS]).astype(float)
    zero = b[INSCRITS] <= 0
    if zero.any():
        logger.warning("%d bureaux with zero inscrits left out (%s)", int(zero.sum()), where(ids=b.index[zero.to_numpy()]))
    return b[~zero]


def _census_columns(features: pd.DataFrame) -> list[str]:
    return [c for c in features.columns if c.startswith("census_") and c != "census_missing"]


def _transition(
    prev: tuple[pd.DataFrame, pd.DataFrame],
    prev_key: tuple[str, int],
    nxt_st: pd.DataFrame,
    nxt_share: pd.Series,
    *,
    census: pd.DataFrame | None,
    census_total: str | None,
    groups: tuple[str, ...],
    share_feature: str,
    drop_census: Sequence[str] = (),
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(X, outcomes, priors, meta, features) of the bureaux of the next round described by ``prev``.

    ``features`` is the :func:`~swingcast.model.features.build_features` table ``X`` was made from.
    """
    out = outcomes(nxt_st, nxt_share)
    bureaux = _bureaux(nxt_st).loc[lambda b: b.index.isin(out.index)]
    feats = build_features(prev[0], prev[1], [prev_key], bureaux=bureaux, census=census,
                           census_total=census_total, parties={"rn": is_rn})
    census_cols = [c for c in _census_columns(feats) if c not in drop_census]
    X = lag_matrix(feats, prev_key, census_columns=census_cols, groups=groups)
    priors = _priors(feats, prev_key, share_feature.format(label=f"{prev_key[0]}_{prev_key[1]}"))
    return X, out.loc[X.index], priors, _meta(feats, prev_key), feats


def _paris() -> CaseData:
    # Turnout and share both come from the transfer survey, with their own uncertainty, so
    # no model is fitted: the features are the minimal lags (no census crosswalk), and the
    # European 2014 features give the ecological-noise compositions.
    t1 = load_round(PRES17_1, departements=["75"])
    t2_st, t2_vt = load_round(PRES17_2, departements=["75"])
    eu14 = load_round(EU14, departements=["75"])
    t1_macron = _votes_of(t1[1], _is_macron)
    X_train, train, prior_train, _, eu14_feats = _transition(
        eu14, EU14, t1[0], t1_macron, census=None, census_total=None,
        groups=("centre",), share_feature="share_exp_centre_{label}")
    X_test, test, prior_test, meta, _ = _transition(
        t1, PRES17_1, t2_st, _votes_of(t2_vt, _is_macron), census=None, census_total=None,
        groups=("centre",), share_feature="share_exp_centre_{label}")
    # The baselines' prior share for round 2 is Macron's round-1 share (centre bloc = Macron).
    transfer = transfer_share(t1[1]).reindex(X_test.index)
    missing = transfer.isna()
    if missing.any():
        transfer[missing] = float(np.average(transfer[~missing], weights=X_test.loc[~missing, INSCRITS]))
        logger.info("paris-2017-t2: %d bureaux without round-1 votes given the Paris transfer share", int(missing.sum()))
    features = ["turnout_lag", "log_inscrits"]
    comp_cols = [feature_name("share_exp", EU14, b) for b in BLOCS]
    t1_test = outcomes(t1[0], t1_macron)

    # Turnout implied by the same survey: round-1 voix x (Macron + Le Pen intentions) /
    # inscrits (voters who abstain or vote blank/null are not split in the report).
    t_turn = transfer_turnout(t1[1], t1_test[INSCRITS]).reindex(X_test.index)
    if t_turn.isna().any():
        t_turn[t_turn.isna()] = float(np.average(t_turn.dropna(), weights=X_test.loc[t_turn.notna(), INSCRITS]))

    def turnout_uncertainty() -> dict:
        # local departures from constant turnout rates per 2014 electorate (the bloc
        # voters and the abstainers of 2014 as shares of inscrits) -> 2017 round-1 turnout
        turnout14 = eu14_feats[feature_name("turnout", EU14)]
        comp = eu14_feats[comp_cols].mul(turnout14, axis=0).assign(abst=1.0 - turnout14)
        out = _ecological_uncertainty(comp, train["turnout"], train[INSCRITS],
                                      X_train[ARRONDISSEMENT_CODE].astype(str),
                                      t_turn.to_numpy(float), X_test[INSCRITS].to_numpy(float))
        out["survey_sd_median"] = 0.0
        return out

    def uncertainty() -> dict:
        return _transfer_uncertainty(
            t1[1], t1_test, X_test.index, transfer.to_numpy(float), eu14_feats[comp_cols],
            train, X_train[ARRONDISSEMENT_CODE].astype(str))

    return CaseData(
        X_train=X_train[[*features, INSCRITS, ARRONDISSEMENT_CODE]],
        train=train,
        prior_train=prior_train,
        X_test=X_test[[*features, INSCRITS, ARRONDISSEMENT_CODE]],
        test=test,
        prior_test=prior_test,
        meta_test=meta,
        share_override=lambda: transfer.to_numpy(float),
        share_uncertainty=uncertainty,
        turnout_override=lambda: t_turn.to_numpy(float),
        turnout_uncertainty=turnout_uncertainty,
        threshold="anchor",
        features=features,
        group_col=ARRONDISSEMENT_CODE,
        notes={"share_model": "vote transfers (Ifop-Fiducial, 24 April 2017) re-centred on the anchor",
               "turnout_model": "turnout implied by the same survey's intentions (adopted after "
                                "the scored figure had been seen, see docs/models.md)",
               "uncertainty": "local noise of constant transfer rates measured on European "
                              "2014 -> presidential 2017 round 1 (out-of-fold)"},
    )


CASES["paris-2017-t2"] = CaseSpec(
    name="paris-2017-t2",
    area="Paris (dept 75, 896 bureaux)",
    election="2017-presidentielle round 2",
    target="turnout; Macron share of exprimés",
    training="turnout: EU 2014 -> pres 2017 T1; share: published vote-transfer rates",
    build=_paris,
)


def _rn_case(
    train_prev: tuple[str, int],
    train_next: tuple[str, int],
    test_prev: tuple[str, int],
    test_next: tuple[str, int],
    *,
    groups: tuple[str, ...],
    departements: Sequence[str] | None = None,
    communes: Sequence[str] | None = None,
    census: pd.DataFrame | None = None,
    census_total: str | None = None,
    notes: dict | None = None,
) -> CaseData:
    """A case whose share target is the Front/Rassemblement national list (or candidate)."""
    rounds = {k: load_round(k, departements=departements, communes=communes)
              for k in {train_prev, train_next, test_prev, test_next}}
    common = dict(census=census, census_total=census_total, groups=groups,
                  share_feature="share_exp_rn_{label}")
    X_train, train, prior_train, _, _ = _transition(
        rounds[train_prev], train_prev, rounds[train_next][0], _votes_of(rounds[train_next][1], is_rn),
        **common)
    X_test, test, prior_test, meta, _ = _transition(
        rounds[test_prev], test_prev, rounds[test_next][0], _votes_of(rounds[test_next][1], is_rn),
        **common)
    columns = [c for c in X_train.columns if c in X_test.columns]
    features = [c for c in columns if c not in (INSCRITS, COMMUNE_CODE, ARRONDISSEMENT_CODE)]
    keep = [*features, INSCRITS, COMMUNE_CODE]
    return CaseData(
        X_train=X_train[keep], train=train, prior_train=prior_train,
        X_test=X_test[keep], test=test, prior_test=prior_test, meta_test=meta,
        threshold="anchor", features=features, group_col=COMMUNE_CODE, notes=dict(notes or {}),
    )


def _hds13_dev() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Development round of hds13: the training features (European 2014) -> legislative 2017
    round 1 (a low-turnout round known before 2024, other than the training target)."""
    groups = ("far_left", "left", "green", "centre", "right", "rn")
    eu14 = load_round(EU14, communes=HDS13_COMMUNES)
    st, vt = load_round(LEG17_1, communes=HDS13_COMMUNES)
    X, out, priors, _, _ = _transition(eu14, EU14, st, _votes_of(vt, is_rn), census=hds13_census(),
                                    census_total="pop1564", groups=groups,
                                    share_feature="share_exp_rn_{label}")
    return X, out, priors


def _hds13() -> CaseData:
    data = _rn_case(
        EU14, EU19, EU19, EU24,
        groups=("far_left", "left", "green", "centre", "right", "rn"),
        communes=HDS13_COMMUNES, census=hds13_census(), census_total="pop1564",
        notes={"training": "European 2014 -> European 2019 (same kind of election)",
               "census": "RP2016 activity (CS3, CS5, CS6, unemployed per 15-64) and Filosofi 2019 "
                         "median income, carried onto the Etalab REU contours by area",
               "model": "previous European value as logit offset, ridge penalty chosen by "
                        "5-fold CV on the 2014 -> 2019 transition (91 bureaux, 13 features)"},
    )
    data.alpha = "cv"
    data.offset = True
    data.dev = lambda: (lambda X, out, pr: (X[data.X_train.columns], out, pr))(*_hds13_dev())
    return data


def _two_round_matrix(
    described: tuple[pd.DataFrame, pd.DataFrame, dict], bureaux: pd.DataFrame, groups: tuple[str, ...]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(X, priors, meta) of ``bureaux`` described by presidential 2017 round 1 and European 2014.

    ``described`` is (stations, votes, :func:`~swingcast.model.features.summarise_rounds`) of the
    two rounds, computed once for every set of bureaux. Presidential features keep the names
    of :func:`~swingcast.model.cases.lag_matrix`; the European 2014 ones get the suffix ``_eu14``
    (turnout and RN deviations only: the 2014 bloc structure is described by the 2017 columns).
    """
    st, vt, summaries = described
    feats = build_features(st, vt, [PRES17_1, EU14], bureaux=bureaux, parties={"rn": is_rn},
                           summaries=summaries)
    X = lag_matrix(feats, PRES17_1, groups=groups)
    old = lag_matrix(feats, EU14, groups=("rn",))
    X["turnout_lag_eu14"] = old["turnout_lag"]
    X["share_rn_lag_eu14"] = old["share_rn_lag"]
    priors = _priors(feats, PRES17_1, feature_name("share_exp", PRES17_1, "rn"))
    return X, priors, _meta(feats, PRES17_1)


def _france() -> CaseData:
    """All France, European 2019, with a training transition of the same salience.

    The features are the same in training and application: presidential 2017 round 1 and
    European 2014 (turnout and RN deviations, bloc shares of 2017). Training target:
    legislative 2017 round 1 (a low-turnout election following the presidential, known
    before 2019); applied to predict the European 2019. Until 29 Nov 2026 (05:30 UTC) the case
    trained on European 2014 -> presidential 2017 round 1, a transition going the opposite
    way (turnout up) -- see docs/models.md.
    """
    groups = ("far_left", "left", "centre", "right", "rn")
    rounds = {k: load_round(k) for k in (EU14, PRES17_1, LEG17_1, EU19)}
    leg_st, leg_vt = rounds[LEG17_1]
    train = outcomes(leg_st, _votes_of(leg_vt, is_rn))
    # Legislative constituencies without an FN candidate have no RN share to learn from:
    # bureaux of communes where the FN got no vote at all are left out of the training.
    leg_com = leg_st.set_index(BUREAU_ID).loc[train.index, COMMUNE_CODE]
    rn_by_commune = train["share"].groupby(leg_com).max()
    no_rn = rn_by_commune.index[rn_by_commune <= 0]
    drop = leg_com.isin(no_rn).to_numpy()
    if drop.any():
        logger.info("france-eu2019: %d bureaux (%d communes) without an FN vote in the legislative "
                    "2017 round 1 left out of the training", int(drop.sum()), len(no_rn))
    train = train[~drop]
    eu_st, eu_vt = rounds[EU19]
    test = outcomes(eu_st, _votes_of(eu_vt, is_rn))
    b_train = _bureaux(leg_st).loc[lambda b: b.index.isin(train.index)]
    b_test = _bureaux(eu_st).loc[lambda b: b.index.isin(test.index)]
    st = pd.concat([rounds[PRES17_1][0], rounds[EU14][0]], ignore_index=True)
    vt = pd.concat([rounds[PRES17_1][1], rounds[EU14][1]], ignore_index=True)
    described = (st, vt, summarise_rounds(st, vt, [PRES17_1, EU14], parties={"rn": is_rn}))
    X_train, prior_train, _ = _two_round_matrix(described, b_train, groups)
    X_test, prior_test, meta = _two_round_matrix(described, b_test, groups)
    features = [c for c in X_train.columns if c in X_test.columns
                and c not in (INSCRITS, COMMUNE_CODE, ARRONDISSEMENT_CODE)]
    keep = [*features, INSCRITS, COMMUNE_CODE]

    def dev() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        # Development application known before 2019: presidential 2017 round 2 (turnout,
        # Le Pen share), the other round sharing the features (docs/models.md).
        st2, vt2 = load_round(PRES17_2)
        out2 = outcomes(st2, _votes_of(vt2, is_rn))
        b2 = _bureaux(st2).loc[lambda b: b.index.isin(out2.index)]
        X2, prior2, _ = _two_round_matrix(described, b2, groups)
        return X2[keep], out2.loc[X2.index], prior2

    return CaseData(
        X_train=X_train[keep], train=train.loc[X_train.index], prior_train=prior_train,
        X_test=X_test[keep], test=test.loc[X_test.index], prior_test=prior_test, meta_test=meta,
        threshold="anchor", features=features, group_col=COMMUNE_CODE, swing_area="departement",
        dev=dev,
        notes={"training": "X = presidential 2017 round 1 + European 2014 in both; trained on "
                           "legislative 2017 round 1 (same salience as a European election), "
                           "applied to European 2019",
               "dropped_training_bureaux_no_fn": int(drop.sum()),
               "census": "none (no national census table in the data folder)"},
    )


CASES["hds13-eu2024"] = CaseSpec(
    name="hds13-eu2024",
    area="Hauts-de-Seine 13th constituency (4 communes, 92 bureaux)",
    election="2024-europeennes round 1",
    target="turnout; RN list share of exprimés",
    training="EU 2014 -> EU 2019; applied EU 2019 -> EU 2024",
    build=_hds13,
)

CASES["france-eu2019"] = CaseSpec(
    name="france-eu2019",
    area="France (all bureaux)",
    election="2019-europeennes round 1",
    target="turnout; RN list share of exprimés",
    training="X = pres 2017 T1 + EU 2014; trained on leg 2017 T1, applied to EU 2019",
    build=_france,
)
