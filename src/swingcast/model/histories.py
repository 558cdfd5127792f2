"""The histories of the issue-13 protocol (docs/models.md, "Protocol log", entry 1).

Each is a :class:`~swingcast.model.protocol.HistorySpec` built from the registered files
(:func:`swingcast.model.casedata.load_round`): rounds in order, the last one the test round.

``paris``   EU 2014 (carried from the 2012 map onto the 2017 bureaux), pres 2017 T1 -> pres 2017 T2
            (Macron vs Le Pen; share by v3 since entry 36, the vote transfers before)
``hds13``   EU 2014, pres 2017 T1, T2, leg 2017 T1, EU 2019 -> EU 2024 (RN list)
``france``  EU 2014, pres 2017 T1, T2, leg 2017 T1, T2 -> EU 2019 (RN list)
``dep29``   as ``france``, Finistère only
``hds13-leg24``  as ``hds13`` plus EU 2024 -> leg 2024 T1 (RN candidate; a round no model of
                 the project had been scored on, docs/models.md entry 4)
``hds13-dep21``  as ``hds13`` up to EU 2019 -> departementales 2021 T1 (RN binôme; fresh round,
                 docs/models.md entry 6)
``hds13-leg24t2``  EU 2014 ... EU 2019, leg 2022 T2, EU 2024, leg 2024 T1 -> leg 2024 T2
                 (Maud Bregeon, opponent Brice Gaillard; fresh round, docs/models.md entry 6)
``antony-mun20``  Antony only: mun 2014 T1, EU 2014, pres 2017 T1, T2, leg 2017 T1, EU 2019
                 -> mun 2020 T1 (Jean-Yves Sénant's list, else the right bloc; fresh round,
                 docs/models.md entry 9)
``hds13c-eu24``  as ``hds13``, the centre bloc's list (its share a fresh target, entry 9)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from functools import cache

import numpy as np
import pandas as pd

from swingcast.errors import SchemaError
from swingcast.model.blocs import is_rn
from swingcast.model.priors import PriorRound
from swingcast.model.protocol import HistorySpec
from swingcast.schema import BUREAU_ID, CANDIDATE, DEPARTEMENT

__all__ = ["named_history", "HISTORIES"]

#: the named histories
HISTORIES = ("paris", "hds13", "france", "dep29", "hds13-leg24", "hds13-dep21", "hds13-leg24t2",
             "antony-mun20", "hds13c-eu24")

_LEG17_2 = ("2017-legislatives", 2)
_LEG17_2_FILE = "france/results/2017-legislatives-2_par_bureau_large.csv.gz"
_LEG24_1 = ("2024-legislatives", 1)
_LEG24_1_FILE = "hauts-de-seine-13/results/legislatives2024_t1_9213.xlsx"
_DEP21_1 = ("2021-departementales", 1)
_LEG22_2 = ("2022-legislatives", 2)
_LEG24_2 = ("2024-legislatives", 2)
_MUN14_1 = ("2014-municipales", 1)
_MUN20_1 = ("2020-municipales", 1)
_ANTONY = ("92002",)
_EXTRA_FILES = {
    _MUN14_1: "hauts-de-seine-13/results/municipales_2014_t1_antony.xlsx",
    _MUN20_1: "hauts-de-seine-13/results/municipales_2020_t1_antony.xlsx",
    _LEG17_2: _LEG17_2_FILE,
    _LEG24_1: _LEG24_1_FILE,
    _DEP21_1: "hauts-de-seine-13/results/departementales_2021_t1.xlsx",
    _LEG22_2: "hauts-de-seine-13/results/legislatives2022_t2_9213.xlsx",
    _LEG24_2: "hauts-de-seine-13/results/legislatives2024_t2_9213.xlsx",
}


@cache
def _extra_round(key: tuple[str, int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    from swingcast import read_results
    from swingcast.load.datasets import fetch

    path = _EXTRA_FILES[key]
    res = read_results(fetch(path), election=key[0], round=key[1])
    return res.stations, res.votes


def _load(key: tuple[str, int], departements: Sequence[str] | None, communes: Sequence[str] | None):
    from swingcast.model.casedata import load_round

    if key not in _EXTRA_FILES:
        return load_round(key, departements=departements, communes=communes)
    st, vt = _extra_round(key)
    keep = pd.Series(True, index=st.index)
    if departements is not None:
        keep &= st[DEPARTEMENT].isin(list(departements))
    if communes is not None:
        keep &= st["commune_code"].isin(list(communes))
    st = st[keep.to_numpy()]
    return st.copy(), vt[vt[BUREAU_ID].isin(st[BUREAU_ID])].copy()


def _rounds(keys, departements=None, communes=None) -> list[PriorRound]:
    out = []
    for key in keys:
        st, vt = _load(key, departements, communes)
        out.append(PriorRound(f"{key[0]}-{key[1]}", key[0].split("-", 1)[1], st, vt))
    return out


def _name_is(name: str):
    def select(votes: pd.DataFrame) -> pd.Series:
        if CANDIDATE not in votes:
            return pd.Series(False, index=votes.index)
        return votes[CANDIDATE].astype(str).str.upper().eq(name)
    return select


def _surname_is(name: str):
    def select(votes: pd.DataFrame) -> pd.Series:
        if CANDIDATE not in votes:
            return pd.Series(False, index=votes.index)
        return votes[CANDIDATE].astype(str).str.upper().str.split().str[0].eq(name)
    return select


def _surname_folded(name: str):
    """Rows whose candidate's first word is ``name``, accents and case ignored (SÉNANT = SENANT)."""
    import unicodedata

    def fold(text: str) -> str:
        return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).upper()

    def select(votes: pd.DataFrame) -> pd.Series:
        if CANDIDATE not in votes:
            return pd.Series(False, index=votes.index)
        first = votes[CANDIDATE].astype(str).str.split().str[0].fillna("")
        return first.map(fold).eq(fold(name))
    return select


def _bloc_is(bloc: str):
    def select(votes: pd.DataFrame) -> pd.Series:
        from swingcast.model.priors import blocs_of

        return blocs_of(votes).eq(bloc)
    return select


def _departement_areas(rounds: list[PriorRound]):
    dep = pd.concat([r.stations.set_index(BUREAU_ID)[DEPARTEMENT] for r in rounds])
    dep = dep[~dep.index.duplicated(keep="last")].astype(str)

    def areas(index: pd.Index) -> pd.Series:
        return dep.reindex(index).fillna("?")
    return areas


#: Paris's polling-station areas: the map of 2012 (used until 2014) and of 2017
_PARIS_MAP_2012 = "paris/contours/bureaux-paris-2012.gpkg"
_PARIS_MAP_2017 = "paris/contours/secteurs-des-bureaux-de-vote-paris-2017.geojson"


@cache
def _paris_2012_to_2017():
    """The crosswalk of Paris's 2012 bureaux onto its 2017 ones (built once per process)."""
    from swingcast import read_bureaux
    from swingcast.join.crosswalk import crosswalk
    from swingcast.load.datasets import fetch

    old, new = read_bureaux(fetch(_PARIS_MAP_2012)), read_bureaux(fetch(_PARIS_MAP_2017))
    return crosswalk(old, new, source_id=BUREAU_ID, target_id=BUREAU_ID)


def _on_2017_map(r: PriorRound) -> PriorRound:
    """A Paris round of the 2012 map carried onto the 2017 bureaux (area weights, within
    arrondissements; :func:`swingcast.join.redraw.redraw_round`, docs/models.md entry 12)."""
    from swingcast.join.redraw import redraw_round

    st, vt, _ = redraw_round(r.stations, r.votes, _paris_2012_to_2017(), label=r.label)
    return PriorRound(r.label, r.kind, st, vt)


def _paris_share_model():
    """The Paris vote-transfer model (swingcast.model.casedata) as a protocol share model
    (the Paris history's until docs/models.md entry 36; pass it as ``HistorySpec.share_model``)."""
    from swingcast.model.backtest import fit_target
    from swingcast.model.cases import get_case

    data = get_case("paris-2017-t2").build()

    def share_model(level: float) -> dict:
        fit = fit_target(data, "share", level, method="glm", coverage=0.8, seed=0)
        idx = data.X_test.index
        return {"pred": pd.Series(fit.pred, index=idx), "lo": fit.lo, "hi": fit.hi, "scale": fit.scale,
                "residuals": np.asarray(fit.transfer["residuals"], dtype=float),
                "common_sd": float(fit.transfer["common_sd"]), "index": idx}
    return share_model


def named_history(name: str) -> HistorySpec:
    """Build a named history.

    Examples
    --------
    >>> named_history("nowhere")
    Traceback (most recent call last):
    ...
    swingcast.errors.SchemaError: unknown history 'nowhere'; expected one of ('paris', 'hds13', 'france', 'dep29', 'hds13-leg24', 'hds13-dep21', 'hds13-leg24t2', 'antony-mun20', 'hds13c-eu24')
    """
    if name not in HISTORIES:
        raise SchemaError(f"unknown history {name!r}; expected one of {HISTORIES}")
    census = _census_of(name)
    return dataclasses.replace(_named(name), **census) if census else _named(name)


def _census_of(name: str) -> dict:
    """The census of a history's bureaux, where the project has one (docs/models.md, entry 20)."""
    from swingcast.model.casedata import hds13_census

    if name.startswith("hds13") or name == "antony-mun20":
        return {"census": hds13_census(), "census_total": "pop1564"}
    # Paris has one (casedata.paris_census), but v3 takes a census for shares only (entry 21)
    # and the Paris share is the vote-transfer model's: it would change no scored number, and
    # the demo's embedded sample (no IRIS files) could no longer build the history.
    return {}


def _named(name: str) -> HistorySpec:
    from swingcast.model.casedata import (
        EU14,
        EU19,
        EU24,
        HDS13_COMMUNES,
        LEG17_1,
        PRES17_1,
        PRES17_2,
    )

    if name == "paris":
        rounds = _rounds([EU14, PRES17_1, PRES17_2], departements=["75"])
        rounds[0] = _on_2017_map(rounds[0])  # European 2014 was voted on the older map
        arr = pd.concat([r.stations.set_index(BUREAU_ID)["arrondissement_code"] for r in rounds])
        arr = arr[~arr.index.duplicated(keep="last")].astype(str)
        # the share by v3 (its round-2 constants) since entry 36; before, the survey vote
        # transfers of entry 1 (_paris_share_model, kept for a spec that wants them)
        return HistorySpec(name, rounds, _name_is("MACRON"), "centre", opponent=_name_is("LE PEN"),
                           opponent_bloc="far_right", areas=lambda idx: arr.reindex(idx).fillna("?"))
    if name in ("hds13", "hds13-leg24"):
        keys = [EU14, PRES17_1, PRES17_2, LEG17_1, EU19, EU24] + ([_LEG24_1] if name == "hds13-leg24" else [])
        rounds = _rounds(keys, communes=HDS13_COMMUNES)
        return HistorySpec(name, rounds, is_rn, "far_right")
    if name == "antony-mun20":  # the incumbent mayor's list, municipal 2020 round 1, Antony only
        rounds = _rounds([_MUN14_1, EU14, PRES17_1, PRES17_2, LEG17_1, EU19, _MUN20_1], communes=_ANTONY)
        return HistorySpec(name, rounds, _surname_folded("SENANT"), "right")
    if name == "hds13c-eu24":  # the centre bloc's list, European 2024 (the RN share was scored before)
        rounds = _rounds([EU14, PRES17_1, PRES17_2, LEG17_1, EU19, EU24], communes=HDS13_COMMUNES)
        return HistorySpec(name, rounds, _bloc_is("centre"), "centre")
    if name == "hds13-dep21":
        return HistorySpec(name, _rounds([EU14, PRES17_1, PRES17_2, LEG17_1, EU19, _DEP21_1],
                                         communes=HDS13_COMMUNES), is_rn, "far_right")
    if name == "hds13-leg24t2":
        rounds = _rounds([EU14, PRES17_1, PRES17_2, LEG17_1, EU19, _LEG22_2, EU24, _LEG24_1, _LEG24_2],
                         communes=HDS13_COMMUNES)
        return HistorySpec(name, rounds, _surname_is("BREGEON"), "centre", opponent=_surname_is("GAILLARD"),
                           opponent_bloc="left")
    deps = ["29"] if name == "dep29" else None
    rounds = _rounds([EU14, PRES17_1, PRES17_2, LEG17_1, _LEG17_2, EU19], departements=deps)
    return HistorySpec(name, rounds, is_rn, "far_right",
                       areas=_departement_areas(rounds) if name == "france" else None)
