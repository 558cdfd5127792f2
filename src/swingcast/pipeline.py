"""The demo pipeline: load -> crosswalk -> back-test -> predict -> rank -> plan -> map -> report.

:func:`run_demo` is what ``swingcast demo --out DIR`` (and ``make demo``) runs. The modelling
stages (results loaders, crosswalk, models) are called through :func:`swingcast.backtest`; the
stages after the predictions are :mod:`swingcast.target.value`, :mod:`swingcast.target.plan`,
:mod:`swingcast.target.turfs`, :mod:`swingcast.target.maps` and :mod:`swingcast.target.report`.
"""

from __future__ import annotations

import importlib
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from swingcast import schema as S
from swingcast._log import logger, progress
from swingcast.cache import atomic_write
from swingcast.errors import SchemaError, SwingcastError, TargetingError, where
from swingcast.load.datasets import fetch
from swingcast.target.labels import check_lang
from swingcast.target.maps import place_table, priority_frame, priority_html, priority_png
from swingcast.target.plan import allocate_hours, plan_summary
from swingcast.target.report import html_report, write_geopackage, write_table
from swingcast.target.turfs import TURF, build_turfs, label_plan, turf_stops, turf_table
from swingcast.target.value import (
    TargetingParams,
    other_side,
    race_for_election,
    rank_bureaux,
    read_predictions,
)
from swingcast.target.walksheets import write_walk_sheets

if TYPE_CHECKING:
    from swingcast.model.history import History
    from swingcast.model.priors import PriorRound

__all__ = [
    "AREAS",
    "Area",
    "area_bureaux",
    "contour_bureaux",
    "Contours",
    "cap_group",
    "area_places",
    "area_sources",
    "backtest_headline",
    "forecast_hds13",
    "history_of_rounds",
    "backtest_quality",
    "run_targeting",
    "run_demo",
    "rank_file",
    "plan_file",
    "report_file",
    "turfs_file",
    "DemoResult",
]


@dataclass(frozen=True)
class Area:
    """A demo area: its bureau polygons, its back-test case and the election it targets."""

    name: str
    title: str
    contours: str  # registry name of the bureau polygons
    case: str  # back-test case of swingcast.backtest
    election_kind: str
    candidate: str  # the candidate or bloc the case predicts
    opponent: str = ""  # the other side of a duel, when there is one
    place_name: str = ""  # the area's name in sentences ("Paris")
    polling_places: str = ""  # registry name of the polling places (names, addresses), if any
    sources: tuple[str, ...] = ()  # registry names credited in the report (with the contours)
    title_fr: str = ""  # the title in French (report and map with lang="fr")

    def title_in(self, lang: str) -> str:
        """The area's title in ``lang`` (English when no translation is given)."""
        return self.title_fr if lang == "fr" and self.title_fr else self.title


AREAS: dict[str, Area] = {
    "paris": Area(
        name="paris",
        title="Paris, presidential election 2017, round 2 (back-test) - Macron",
        title_fr="Paris, présidentielle 2017, second tour (test rétrospectif) - Macron",
        contours="paris/contours/secteurs-des-bureaux-de-vote-paris-2017.geojson",
        case="paris-2017-t2",
        election_kind="presidentielle",
        candidate="MACRON",
        opponent="LE PEN",
        place_name="Paris",
        polling_places="paris/contours/lieux-de-vote-paris-2017.csv",
        sources=("france/results/2014-europeennes_par_bureau_large.csv.gz",
                 "france/results/2017-presidentielle-1_par_bureau_large.csv.gz",
                 "france/results/2017-presidentielle-2_par_bureau_large.csv.gz",
                 "paris/contours/bureaux-paris-2012.gpkg"),
    ),
    "hds13": Area(
        name="hds13",
        title="Hauts-de-Seine 13th constituency, next European election (forecast) - RN list",
        title_fr="13e circonscription des Hauts-de-Seine, prochaines européennes (prévision) "
                 "- liste RN",
        contours="hauts-de-seine-13/contours/circo_contours.geojson",
        case="",  # no back-test: a forecast, see forecast_hds13
        election_kind="europeennes",
        candidate="RN",
        place_name="Hauts-de-Seine 13",
        # the nine rounds of the hds13-leg24t2 history that forecast_hds13 reads, and the
        # census of its share denoiser
        sources=("france/results/2014-europeennes_par_bureau_large.csv.gz",
                 "france/results/2017-presidentielle-1_par_bureau_large.csv.gz",
                 "france/results/2017-legislatives-1_par_bureau_large.csv.gz",
                 "hauts-de-seine-13/results/legislatives2022_t2_9213.xlsx",
                 "hauts-de-seine-13/results/europeennes_2024.xlsx",
                 "hauts-de-seine-13/results/legislatives2024_t1_9213.xlsx",
                 "ile-de-france/census/base-ic-activite-residents-2016-idf.csv",
                 "france/census/BASE_TD_FILO_DEC_IRIS_2019.csv",
                 "ile-de-france/contours/map_iris.shp"),
    ),
    "hds13-eu2024": Area(
        name="hds13-eu2024",
        title="Hauts-de-Seine 13th constituency, European election 2024 (back-test) - RN list",
        title_fr="13e circonscription des Hauts-de-Seine, européennes 2024 (test rétrospectif) "
                 "- liste RN",
        contours="hauts-de-seine-13/contours/circo_contours.geojson",
        case="hds13-eu2024",
        election_kind="europeennes",
        candidate="RN",
        place_name="Hauts-de-Seine 13",
        sources=("hauts-de-seine-13/results/europeennes_2024.xlsx",
                 "ile-de-france/census/base-ic-activite-residents-2016-idf.csv",
                 "france/census/BASE_TD_FILO_DEC_IRIS_2019.csv",
                 "ile-de-france/contours/map_iris.shp"),
    ),
}


def _get_area(area: str) -> Area:
    if area not in AREAS:
        raise TargetingError(f"unknown area {area!r}; expected one of {', '.join(AREAS)}")
    return AREAS[area]


def area_bureaux(area: str = "paris") -> gpd.GeoDataFrame:
    """Bureau polygons of a demo area, indexed by ``bureau_id``, in Lambert-93.

    Parameters
    ----------
    area : {"paris", "hds13", "hds13-eu2024"}
        Paris 2017 "secteurs des bureaux de vote" (896 polygons) or the Etalab REU-derived
        contours of Hauts-de-Seine 13 (91 polygons; bureau 92019_20, new in 2024, has none).

    Returns
    -------
    GeoDataFrame
        From :func:`swingcast.load.contours.read_bureaux`, indexed by ``bureau_id``;
        ``arrondissement_code`` is the commune code outside Paris (used for caps).

    Examples
    --------
    >>> area_bureaux("paris").loc["75056_1905", "arrondissement_code"]  # doctest: +SKIP
    '75119'
    """
    spec = _get_area(area)
    return contour_bureaux(fetch(spec.contours))


def contour_bureaux(
    path: str | PathLike[str],
    *,
    id_field: str | None = None,
    commune: str | None = None,
    crs: object | None = None,
    drop_empty: bool = False,
) -> gpd.GeoDataFrame:
    """Any bureau contours, as :func:`area_bureaux` gives those of a demo area.

    Parameters
    ----------
    path : path
        A vector layer of bureau polygons (:func:`swingcast.read_bureaux`).
    id_field, commune, crs, drop_empty
        As :func:`swingcast.read_bureaux`: the field holding the ids, the commune of bare
        bureau numbers (``"69123"``), the CRS to assume (overrides a missing or wrong one),
        whether to drop features without geometry (reported) instead of refusing the file.

    Returns
    -------
    GeoDataFrame
        Indexed by ``bureau_id``; ``arrondissement_code`` is the commune code where the
        commune has no arrondissements (used for caps and turfs).

    Examples
    --------
    >>> contour_bureaux("circo_contours.geojson").index[0]  # doctest: +SKIP
    '92002_1'
    """
    from swingcast.load.contours import read_bureaux

    out = read_bureaux(path, id_field=id_field, commune=commune, crs=crs, drop_empty=drop_empty)
    # caps and turfs group by arrondissement in Paris, by commune elsewhere
    out[S.ARRONDISSEMENT_CODE] = out[S.ARRONDISSEMENT_CODE].fillna(out[S.COMMUNE_CODE])
    return out.set_index(S.BUREAU_ID)


@dataclass(frozen=True)
class Contours:
    """Where the polygons of a plan, report or demo come from: a file (with its read options)."""

    path: str | PathLike[str]
    id_field: str | None = None
    commune: str | None = None
    crs: object | None = None
    drop_empty: bool = False

    def read(self) -> gpd.GeoDataFrame:
        """:func:`contour_bureaux` of this file."""
        return contour_bureaux(self.path, id_field=self.id_field, commune=self.commune, crs=self.crs,
                               drop_empty=self.drop_empty)


def _polygons(area: str | None, contours: Contours | str | PathLike[str] | None) -> gpd.GeoDataFrame | None:
    if contours is not None:
        return (contours if isinstance(contours, Contours) else Contours(contours)).read()
    return area_bureaux(area) if area is not None else None


def _builtin_area_of(ids: pd.Index) -> str | None:
    """The demo area whose bureaux these are (all of them), if any."""
    ids = ids.astype(str)
    if len(ids) and ids.str.startswith("75056_").all():
        return "paris"
    if len(ids) and ids.str[:5].isin(["92002", "92014", "92019", "92071"]).all():
        return "hds13"
    return None


def cap_group(ranking: pd.DataFrame, caps: Mapping[str, float] | None) -> str:
    """The column the caps refer to: ``arrondissement_code`` or ``commune_code``.

    A cap key may be an arrondissement (``75118``, where arrondissements exist) or a commune
    code (``92002``, or ``75056`` for the whole of Paris); all keys of one plan must be of the
    same kind.

    Raises
    ------
    TargetingError
        A key that is neither, or keys of both kinds.

    Examples
    --------
    >>> r = pd.DataFrame({"commune_code": ["75056", "92002"],
    ...                   "arrondissement_code": ["75118", "92002"]})
    >>> cap_group(r, {"75118": 10}), cap_group(r, {"75056": 10})
    ('arrondissement_code', 'commune_code')
    """
    if not caps:
        return S.ARRONDISSEMENT_CODE
    arr = set(ranking[S.ARRONDISSEMENT_CODE].astype(str)) if S.ARRONDISSEMENT_CODE in ranking else set()
    com = set(ranking[S.COMMUNE_CODE].astype(str)) if S.COMMUNE_CODE in ranking else set()
    kinds = set()
    for key in caps:
        if str(key) in arr:
            kinds.add(S.ARRONDISSEMENT_CODE)
        elif str(key) in com:
            kinds.add(S.COMMUNE_CODE)
        else:
            raise TargetingError(f"cap {key!r}: no bureau of the ranking is in that commune or "
                                 "arrondissement; expected an INSEE code such as 92002 or 75118")
    if len(kinds) > 1:
        raise TargetingError(f"caps {sorted(caps)} mix arrondissements and communes; expected one kind")
    return kinds.pop()


def area_places(area: str = "paris") -> gpd.GeoDataFrame | None:
    """Polling places (name, address, point) of a demo area's bureaux, None when not known.

    The names and addresses only enrich the map and the report: when the area's file is not
    found (e.g. a run on the embedded sample alone), a warning says so and None is returned.

    Examples
    --------
    >>> area_places("paris").loc[0, "address"]  # doctest: +SKIP
    '6 RUE MOLIERE'
    """
    from swingcast.errors import DatasetError
    from swingcast.load.geometry import read_polling_places

    spec = _get_area(area)
    if not spec.polling_places:
        return None
    try:
        path = fetch(spec.polling_places)
    except DatasetError as exc:
        logger.warning("polling places not found (%s): the map and the report name the bureaux "
                       "by number only", exc)
        return None
    return read_polling_places(path)


def area_sources(area: str = "paris") -> list[tuple[str, str]]:
    """Publisher and licence of the data behind a demo area's report, from the registry.

    Examples
    --------
    >>> ("Ville de Paris (via aktiur/carte-bureaux)", "ODbL") in area_sources("paris")
    True
    >>> any("Ville de Paris" in p for p, _ in area_sources("hds13"))
    False
    """
    from swingcast.load.datasets import registry

    spec = _get_area(area)
    names = (spec.contours, spec.polling_places, *spec.sources)
    entries = registry()
    return list(dict.fromkeys((entries[n].publisher, entries[n].licence)
                              for n in names if n and n in entries))


@dataclass
class DemoResult:
    """What a pipeline run produced: tables, the files written and the time of each stage."""

    out: Path
    ranking: pd.DataFrame
    plan: gpd.GeoDataFrame
    files: dict[str, Path] = field(default_factory=dict)
    turfs: gpd.GeoDataFrame | None = None
    seconds: dict[str, float] = field(default_factory=dict)


def backtest_quality(predictions: pd.DataFrame) -> dict[str, float]:
    """Quality of predictions against the observed outcome (when ``*_obs`` columns are there).

    Errors are in percentage points, weighted by ``inscrits``; coverage is the share of
    bureaux whose observed value lies in the ``[lo, hi]`` interval.

    Parameters
    ----------
    predictions : DataFrame
        The back-test contract, with ``turnout_obs`` and/or ``share_obs``.

    Returns
    -------
    dict of str to float
        ``n_bureaux``, and for ``turnout`` and ``share``: ``*_mae_pp``, ``*_rmse_pp``,
        ``*_bias_pp``, ``*_coverage``, ``*_n_scored``.

    Examples
    --------
    >>> p = pd.DataFrame({"inscrits": [100, 300], "turnout_pred": [0.5, 0.7],
    ...                   "turnout_lo": [0.4, 0.6], "turnout_hi": [0.6, 0.72],
    ...                   "turnout_obs": [0.55, 0.75]})
    >>> q = backtest_quality(p)
    >>> q["turnout_mae_pp"], q["turnout_coverage"]
    (5.0, 0.5)
    """
    out: dict[str, float] = {"n_bureaux": int(len(predictions))}
    w_all = pd.to_numeric(predictions.get(S.INSCRITS, pd.Series(1.0, index=predictions.index)))
    for what in ("turnout", "share"):
        obs_col, pred_col = f"{what}_obs", f"{what}_pred"
        if obs_col not in predictions.columns or pred_col not in predictions.columns:
            continue
        obs = pd.to_numeric(predictions[obs_col], errors="coerce")
        pred = pd.to_numeric(predictions[pred_col], errors="coerce")
        ok = obs.notna() & pred.notna()
        err, w = (pred - obs)[ok], w_all[ok].astype(float)
        out[f"{what}_n_scored"] = int(ok.sum())
        out[f"{what}_mae_pp"] = round(float(np.average(err.abs(), weights=w)) * 100, 3)
        out[f"{what}_rmse_pp"] = round(float(np.sqrt(np.average(err**2, weights=w))) * 100, 3)
        out[f"{what}_bias_pp"] = round(float(np.average(err, weights=w)) * 100, 3)
        lo, hi = f"{what}_lo", f"{what}_hi"
        if lo in predictions.columns and hi in predictions.columns:
            inside = (obs[ok] >= predictions.loc[ok, lo]) & (obs[ok] <= predictions.loc[ok, hi])
            out[f"{what}_coverage"] = round(float(inside.mean()), 4)
    return out


def backtest_headline(metrics: Mapping[str, object]) -> dict[str, float]:
    """Pick the headline figures of a back-test's metrics (``BacktestResult.metrics``).

    Returns
    -------
    dict
        Model MAE of turnout and share in percentage points, the best baseline's, interval
        coverage and the Brier scores (only those present): of ``swing_prob`` (P(first in the
        bureau)) and ``flip_prob`` from ``extras.events``, and of the older harness's
        threshold event ``above_area_prob`` (``brier`` with ``swing_event``).

    Examples
    --------
    >>> m = {"share": {"model": {"mae": 0.02}, "uniform_swing": {"mae": 0.04}},
    ...      "brier": {"model": 0.1}, "swing_event": {"threshold": 0.6},
    ...      "extras": {"events": {"brier": {"swing_prob": {"model": 0.05}, "flip_prob": {"model": 0.2}}}}}
    >>> backtest_headline(m)  # doctest: +NORMALIZE_WHITESPACE
    {'share MAE, model (pp)': 2.0, 'share MAE, best baseline (pp)': 4.0,
     'Brier, swing_prob (first place)': 0.05, 'Brier, flip_prob (first place changes)': 0.2,
     'Brier, above_area_prob': 0.1}
    """
    out: dict[str, float] = {}
    for target in ("turnout", "share"):
        methods = metrics.get(target)
        if not isinstance(methods, Mapping) or "model" not in methods:
            continue
        out[f"{target} MAE, model (pp)"] = round(100 * float(methods["model"]["mae"]), 3)
        best = methods.get("best_baseline")  # the protocol names its strongest baseline
        baselines = ([float(best["mae"])] if isinstance(best, Mapping) and "mae" in best else
                     [float(v["mae"]) for k, v in methods.items()
                      if k != "model" and isinstance(v, Mapping) and "mae" in v])
        if baselines:
            out[f"{target} MAE, best baseline (pp)"] = round(100 * min(baselines), 3)
        if "coverage" in methods["model"]:
            out[f"{target} interval coverage"] = round(float(methods["model"]["coverage"]), 3)
    extras = metrics.get("extras")
    events = extras.get("events") if isinstance(extras, Mapping) else None
    ev_brier = events.get("brier") if isinstance(events, Mapping) else None
    if isinstance(ev_brier, Mapping):
        for key, label in ((S.SWING_PROB, "first place"), (S.FLIP_PROB, "first place changes")):
            b = ev_brier.get(key)
            if isinstance(b, Mapping) and "model" in b:
                out[f"Brier, {key} ({label})"] = round(float(b["model"]), 4)
    brier = metrics.get("brier")  # the threshold event of the older harness (with swing_event)
    if isinstance(brier, Mapping) and "model" in brier and isinstance(metrics.get("swing_event"), Mapping):
        out[f"Brier, {S.ABOVE_AREA_PROB}"] = round(float(brier["model"]), 4)
    return out


def run_targeting(
    predictions: pd.DataFrame,
    bureaux: gpd.GeoDataFrame,
    out: str | PathLike[str],
    *,
    title: str,
    hours: float = 2000.0,
    caps: Mapping[str, float] | None = None,
    params: TargetingParams | Mapping[str, object] | None = None,
    backtest: Mapping[str, object] | None = None,
    shift_hours: float = 3.0,
    team_size: int = 2,
    turf_hours: float | None = None,
    addresses: gpd.GeoDataFrame | None = None,
    metrics: Mapping[str, object] | None = None,
    places: pd.DataFrame | None = None,
    sources: Sequence[tuple[str, str]] = (),
    candidate: str | None = None,
    area_name: str = "",
    forecast: bool = False,
    lang: str = "en",
) -> DemoResult:
    """Rank, plan, cut into turfs, map and report, from a predictions table.

    Writes into ``out``: ``ranking.csv``, ``plan.csv``, ``turfs.csv``, ``walksheets/``
    (``index.html`` and one ``turf-NNN.html`` per turf), ``targeting.gpkg`` (layers
    ``ranking``, ``plan`` and ``turfs``), ``map.png``, ``map.html`` and ``report.html``.

    Parameters
    ----------
    predictions : DataFrame
        The predictions contract (see :func:`swingcast.target.value.rank_bureaux`).
    bureaux : GeoDataFrame
        Bureau polygons indexed by ``bureau_id`` (:func:`area_bureaux`).
    out : path
        Output folder (created).
    title : str
        Report title.
    hours : float
        Volunteer-hours to plan.
    caps : mapping, optional
        Hours cap per ``arrondissement_code``.
    params : TargetingParams or dict, optional
        Targeting parameters.
    backtest : mapping, optional
        Back-test quality figures for the report.
    shift_hours, team_size : float, int
        A turf is one shift of one team: ``shift_hours * team_size`` volunteer-hours
        (:func:`swingcast.target.turfs.build_turfs`).
    turf_hours : float, optional
        Volunteer-hours of a turf, overriding ``shift_hours * team_size``.
    addresses : GeoDataFrame, optional
        REU address points (:func:`swingcast.load.addresses.read_addresses`): each turf then
        lists its addresses in walking order.
    metrics : mapping, optional
        The back-test's full metrics, explained in the report.
    places : DataFrame, optional
        Polling places (:func:`area_places`): names and addresses in the map and report.
    sources : sequence of (publisher, licence)
        Data credited in the map and report (:func:`area_sources`).
    candidate : str, optional
        Whom the volunteers canvass for (named in the map and report).
    area_name : str
        Name of the area in the report's sentences.
    forecast : bool
        The predictions are a forecast (the report says nothing can be scored).
    lang : {"en", "fr"}
        Language of the map and report.

    Returns
    -------
    DemoResult

    Examples
    --------
    >>> res = run_targeting(predictions, area_bureaux("paris"), "out", title="t")  # doctest: +SKIP
    >>> sorted(res.files)  # doctest: +SKIP
    ['geopackage', 'map_html', 'map_png', 'plan', 'ranking', 'report', 'turfs', 'walksheets']
    """
    check_lang(lang)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    p = params if isinstance(params, TargetingParams) else TargetingParams(**(params or {}))
    place_rows = place_table(places)
    credits = "; ".join(f"{pub} ({lic})" for pub, lic in dict.fromkeys(sources))
    result = DemoResult(out=out, ranking=pd.DataFrame(), plan=gpd.GeoDataFrame())
    if S.ARRONDISSEMENT_CODE not in predictions.columns and S.ARRONDISSEMENT_CODE in bureaux:
        predictions = predictions.join(bureaux[S.ARRONDISSEMENT_CODE], how="left")

    def rank() -> None:
        result.ranking = rank_bureaux(predictions, p)
        result.files["ranking"] = write_table(result.ranking, out / "ranking.csv")

    no_shape = predictions.index.difference(bureaux.index)
    if len(no_shape):
        logger.warning("%s: ranked and planned, but not mapped nor put in a turf (no polygon)",
                       where(ids=no_shape))

    def plan() -> None:
        alloc = allocate_hours(result.ranking, hours, caps=caps, params=p)
        mapped = alloc.index.isin(bureaux.index)
        result.turfs = build_turfs(alloc[mapped], bureaux, shift_hours=shift_hours,
                                   team_size=team_size, max_hours=turf_hours)
        result.plan = gpd.GeoDataFrame(label_plan(alloc, result.turfs),
                                       geometry=bureaux.geometry.reindex(alloc.index).to_numpy(),
                                       crs=bureaux.crs)
        result.files["plan"] = write_table(result.plan, out / "plan.csv")

    def turfs() -> None:
        stops = None if addresses is None else turf_stops(result.turfs, addresses)
        result.files["turfs"] = write_table(turf_table(result.turfs, stops).reset_index(),
                                             out / "turfs.csv")
        result.files["walksheets"] = write_walk_sheets(
            result.turfs, bureaux, out / "walksheets", stops=stops, places=place_rows,
            title=title, shift_hours=shift_hours, team_size=team_size)

    def maps() -> None:
        mapped = result.ranking[result.ranking.index.isin(bureaux.index)]
        frame = priority_frame(mapped, bureaux)
        plan_shapes = result.plan[result.plan.index.isin(bureaux.index)]
        result.files["geopackage"] = write_geopackage(
            {"ranking": frame, "plan": plan_shapes, "turfs": result.turfs}, out / "targeting.gpkg"
        )
        result.files["map_png"] = priority_png(frame, out / "map.png", title=title, lang=lang)
        result.files["map_html"] = priority_html(
            frame, out / "map.html", plan=result.plan, places=place_rows, title=title,
            candidate=candidate, attribution=credits, lang=lang,
        )

    def report() -> None:
        result.files["report"] = html_report(
            out / "report.html", title=title, ranking=result.ranking, plan=result.plan,
            map_png=result.files["map_png"], backtest=backtest, params=p.as_dict(),
            metrics=metrics, places=place_rows, sources=sources, candidate=candidate,
            area_name=area_name, map_html="map.html", forecast=forecast, lang=lang,
            walk_sheets="walksheets/index.html" if "walksheets" in result.files else None,
        )

    _run_stages({"rank": rank, "plan": plan, "turfs": turfs, "maps": maps, "report": report},
                result.seconds)
    summary = plan_summary(result.plan)
    logger.info(
        "plan: %.0f hours in %d bureaux, %d turfs of at most %g volunteer-hours, %d doors, "
        "%.1f expected net votes", summary["hours"], summary["bureaux"],
        result.turfs[TURF].nunique() if result.turfs is not None else 0,
        turf_hours or shift_hours * team_size, summary["doors_knocked"],
        summary["expected_votes"],
    )
    return result


def _write_json(path: Path, data: Mapping[str, object]) -> None:
    with atomic_write(path, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(data, indent=2))


def _run_stages(stages: Mapping[str, Callable[[], None]], seconds: dict[str, float]) -> None:
    for name in progress(list(stages), desc="swingcast"):
        start = time.perf_counter()
        logger.info("stage %s ...", name)
        stages[name]()
        seconds[name] = round(time.perf_counter() - start, 2)
        logger.info("stage %s done in %.1f s", name, seconds[name])


def _stage(module: str, name: str) -> Callable[..., object]:
    """Return a function of another stage, or say clearly that it has not landed."""
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        raise SwingcastError(
            f"the stage {module}.{name} is not available in this installation; the demo needs "
            "real predictions and will not run without it"
        ) from None


def forecast_hds13(*, coverage: float = 0.8, n_draws: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Forecast the next European election in Hauts-de-Seine 13, bureau by bureau (RN list).

    No outcome is known, so there is no score. Model v3 (:class:`swingcast.model.stack.StackModel`,
    the default of :func:`swingcast.forecast`) carries every earlier round of the
    ``hds13-leg24t2`` history (European 2014 to the legislative 2024 round 2, nine rounds) to
    the forecast round, with intervals calibrated on the history's own development forecasts;
    the share denoiser also takes the census of the bureaux (RP 2016 activity, Filosofi 2019,
    :func:`swingcast.model.casedata.hds13_census`; docs/models.md, entries 20–21).
    The area-wide turnout and RN share stay at their European 2024 values (the latest round of
    the same kind: no national swing is assumed). ``swing_prob`` = P(the RN list comes first
    in the bureau) and ``flip_prob`` = P(the first place changes from 2024), by simulation
    among the lists of the latest European round.

    Parameters
    ----------
    coverage : float
        Nominal coverage of the intervals.
    n_draws, seed : int
        Simulation draws and seed.

    Returns
    -------
    DataFrame
        The predictions contract, indexed by ``bureau_id`` (no ``*_obs`` columns).

    Examples
    --------
    >>> forecast_hds13()["share_pred"].between(0, 1).all()  # doctest: +SKIP
    True
    """
    from swingcast.model.forecast import forecast
    from swingcast.model.histories import named_history

    spec = named_history("hds13-leg24t2")
    history = history_of_rounds(spec.rounds)
    census = None
    if spec.census is not None:  # the census the protocol's hds13 histories use (entries 20-21)
        census = spec.census.copy()
        census.attrs["census_total"] = spec.census_total
    result = forecast(history, "2029-europeennes", 1, "rn", model="stack", coverage=coverage,
                      n_draws=n_draws, seed=seed, census=census)
    for quantity in ("turnout", "share"):
        logger.info("hds13 forecast: %s level %.3f (%s)", quantity, result.anchors[quantity],
                    result.anchors[f"{quantity}_source"])
    out = result.predictions.set_index(S.BUREAU_ID)
    out[S.ARRONDISSEMENT_CODE] = out[S.COMMUNE_CODE]
    return out


def history_of_rounds(rounds: Sequence[PriorRound]) -> History:
    """Stack :class:`~swingcast.model.priors.PriorRound` objects into a
    :class:`~swingcast.model.history.History` (what :func:`swingcast.forecast` takes).

    Parameters
    ----------
    rounds : sequence of PriorRound
        In time order, each with its ``label``, ``stations`` and ``votes``.

    Returns
    -------
    History

    Examples
    --------
    >>> from swingcast.model.priors import PriorRound
    >>> st = pd.DataFrame({"bureau_id": ["1_a"], "inscrits": [100], "votants": [60],
    ...                    "exprimes": [58]})
    >>> vt = pd.DataFrame({"bureau_id": ["1_a"], "candidate": ["X"], "voix": [58]})
    >>> history_of_rounds([PriorRound("2019-europeennes-1", "europeennes", st, vt)])
    History(1 rounds: 2019-europeennes-1; 1 bureaux)
    """
    from swingcast.model.history import History

    stations = pd.concat([r.stations.assign(label=r.label) for r in rounds], ignore_index=True)
    votes = pd.concat([r.votes.assign(label=r.label) for r in rounds], ignore_index=True)
    return History(stations, votes, [r.label for r in rounds])


def run_demo(
    out: str | PathLike[str] = "demo-output",
    area: str = "paris",
    *,
    hours: float = 2000.0,
    params: TargetingParams | Mapping[str, object] | None = None,
    candidate: str | None = None,
    contours: Contours | str | PathLike[str] | None = None,
    shift_hours: float = 3.0,
    team_size: int = 2,
    lang: str = "en",
) -> DemoResult:
    """Run the whole demo: back-test (or forecast), then rank, plan, map and report.

    ``area="paris"``: back-test ``paris-2017-t2`` (Macron's share of the second round of 2017,
    predicted from earlier data only) and targeting on its predictions. ``area="hds13"``:
    Hauts-de-Seine 13th constituency, forecast for the next election after 2024 from all
    results up to 2024. Writes ``ranking.csv``, ``plan.csv``, ``turfs.csv``, ``walksheets/``,
    ``targeting.gpkg``, ``map.png``, ``map.html``, ``report.html`` and ``backtest.json`` into
    ``out``.

    Parameters
    ----------
    out : path
        Output folder.
    area : {"paris", "hds13", "hds13-eu2024"}
        Demo area (``hds13`` needs a forecast stage not yet available and says so).
    hours : float
        Volunteer-hours to plan.
    params : TargetingParams or dict, optional
        Targeting parameters; ``race`` defaults to the one of the area's election.
    candidate : str, optional
        Whom the volunteers canvass for: the case's candidate or bloc (default; ``MACRON`` in
        Paris, the ``RN`` list in Hauts-de-Seine 13) or, in a duel, the opponent
        (``LE PEN``: the predictions are mirrored with
        :func:`swingcast.target.value.other_side`).
    contours : Contours or path, optional
        Bureau polygons to map and group into turfs instead of the area's built-in ones.
    shift_hours, team_size : float, int
        A turf is one shift of one team (default 3 h x 2 volunteers); see
        :func:`swingcast.target.turfs.build_turfs`.
    lang : {"en", "fr"}
        Language of ``map.html``, ``map.png`` and ``report.html``.

    Returns
    -------
    DemoResult

    Raises
    ------
    SwingcastError
        Unknown area, or a modelling stage missing (no predictions are ever made up).
    TargetingError
        A candidate or bloc the area's predictions do not cover.

    Examples
    --------
    >>> res = run_demo("demo-output")  # doctest: +SKIP
    >>> res.ranking.iloc[0]["rank"]  # doctest: +SKIP
    1
    """
    spec = _get_area(area)
    check_lang(lang)
    sides = [c for c in (spec.candidate, spec.opponent) if c]
    chosen = (candidate or spec.candidate).strip().upper()
    if chosen not in sides:
        raise TargetingError(
            f"unknown candidate or bloc {candidate!r} for area {area!r}; expected one of "
            f"{', '.join(sides)} (what the {spec.case} predictions cover)"
        )
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    given = dict(params.as_dict() if isinstance(params, TargetingParams) else (params or {}))
    given.setdefault("race", race_for_election(spec.election_kind))
    p = TargetingParams(**given)  # type: ignore[arg-type]
    seconds: dict[str, float] = {}
    state: dict[str, object] = {}

    def load() -> None:
        state["bureaux"] = _polygons(area, contours)
        state["places"] = area_places(area)

    def model() -> None:
        if spec.case:
            backtest = _stage("swingcast.model.backtest", "backtest")
            # the protocol with model v3, as `swingcast backtest CASE`: the test round scored
            # against the strongest baseline, anchor="actual" (the area-wide result given)
            state["bt"] = backtest(case=spec.case)
        else:
            state["bt"] = None
            state["forecast"] = forecast_hds13()

    _run_stages({"load contours": load, "back-test" if spec.case else "forecast": model}, seconds)
    bt = state["bt"]
    if bt is None:  # a forecast: nothing to score yet
        predictions = state["forecast"]
        note = {"area": area, "forecast": spec.title,
                "note": "forecast of an election not yet held: no back-test metrics"}
        _write_json(out / "backtest.json", note)
        result = run_targeting(predictions, state["bureaux"], out, title=spec.title_in(lang),  # type: ignore[arg-type]
                               hours=hours, params=p, places=state["places"],  # type: ignore[arg-type]
                               sources=area_sources(area), candidate=chosen,
                               area_name=spec.place_name, forecast=True, lang=lang,
                               shift_hours=shift_hours, team_size=team_size)
        result.files["backtest"] = out / "backtest.json"
        result.seconds = {**seconds, **result.seconds}
        return result
    predictions = getattr(bt, "predictions", None)
    if not isinstance(predictions, pd.DataFrame):
        raise SchemaError(f"back-test {spec.case!r} returned no predictions table")
    title = spec.title_in(lang)
    if chosen != spec.candidate:
        predictions = other_side(predictions)
        title = f"{title.rsplit(' - ', 1)[0]} - {chosen}"
    # the back-test's own headline figures; recomputed from the predictions when it has none
    quality = backtest_headline(getattr(bt, "metrics", {})) or backtest_quality(predictions)
    to_json = getattr(bt, "to_json", None)
    if callable(to_json):
        to_json(out / "backtest.json")
    else:
        summary = {"case": spec.case, "quality": quality}
        _write_json(out / "backtest.json", summary)
    result = run_targeting(
        predictions, state["bureaux"], out, title=title, hours=hours, params=p,  # type: ignore[arg-type]
        backtest=quality, metrics=getattr(bt, "metrics", None), places=state["places"],  # type: ignore[arg-type]
        sources=area_sources(area), candidate=chosen, area_name=spec.place_name, lang=lang,
        shift_hours=shift_hours, team_size=team_size,
    )
    result.files["backtest"] = out / "backtest.json"
    result.seconds = {**seconds, **result.seconds}
    return result


def rank_file(
    predictions: str | PathLike[str],
    out: str | PathLike[str],
    params: TargetingParams | Mapping[str, object] | None = None,
) -> pd.DataFrame:
    """Rank the bureaux of a predictions CSV and write ``out`` (what ``swingcast rank`` runs).

    Examples
    --------
    >>> rank_file("predictions.csv", "ranking.csv")  # doctest: +SKIP
    """
    ranking = rank_bureaux(read_predictions(predictions), params)
    write_table(ranking, out)
    return ranking


def plan_file(
    ranking: str | PathLike[str],
    out: str | PathLike[str],
    *,
    hours: float,
    caps: Mapping[str, float] | None = None,
    params: TargetingParams | Mapping[str, object] | None = None,
    area: str | None = None,
    shift_hours: float = 3.0,
    team_size: int = 2,
    turf_hours: float | None = None,
    contours: Contours | str | PathLike[str] | None = None,
) -> pd.DataFrame:
    """Plan ``hours`` over a ranking (or predictions) CSV; turfs when ``area`` or ``contours`` give polygons.

    The ranking is recomputed from its prediction columns with ``params``, so the plan and
    the ranking can never disagree on the parameters. ``caps`` keys are arrondissement or
    commune codes (:func:`cap_group`). With polygons, the plan gets a ``turfs`` column
    (:func:`swingcast.target.turfs.label_plan`); :func:`turfs_file` writes the turfs themselves.

    Examples
    --------
    >>> plan_file("ranking.csv", "plan.csv", hours=500, area="paris")  # doctest: +SKIP
    >>> plan_file("ranking.csv", "plan.csv", hours=500, caps={"04070": 50},
    ...           contours=Contours("bureaux.geojson"))  # doctest: +SKIP
    """
    ranked = rank_bureaux(read_predictions(ranking), params)
    polygons = _polygons(area, contours)
    if S.ARRONDISSEMENT_CODE not in ranked.columns:
        if polygons is not None:
            ranked = ranked.join(polygons[S.ARRONDISSEMENT_CODE], how="left")
        if S.COMMUNE_CODE in ranked.columns:
            ranked[S.ARRONDISSEMENT_CODE] = ranked.get(S.ARRONDISSEMENT_CODE, ranked[S.COMMUNE_CODE])
            ranked[S.ARRONDISSEMENT_CODE] = ranked[S.ARRONDISSEMENT_CODE].fillna(ranked[S.COMMUNE_CODE])
    plan = allocate_hours(ranked, hours, caps=caps, params=params, group=cap_group(ranked, caps))
    if polygons is not None:
        mapped = plan.index.isin(polygons.index)
        if (~mapped).any():
            logger.warning("%s: planned but not put in a turf (no polygon)", where(ids=plan.index[~mapped]))
        turfs = build_turfs(plan[mapped], polygons, shift_hours=shift_hours,
                            team_size=team_size, max_hours=turf_hours)
        plan = label_plan(plan, turfs)
    write_table(plan, out)
    return plan


def _read_plan(path: str | PathLike[str]) -> pd.DataFrame:
    try:
        plan = pd.read_csv(path, dtype={S.BUREAU_ID: str, S.ARRONDISSEMENT_CODE: str})
    except FileNotFoundError:
        raise SchemaError(f"{path}: no such file; expected a `swingcast plan` output") from None
    missing = [c for c in (S.BUREAU_ID, S.HOURS) if c not in plan.columns]
    if missing:
        raise SchemaError(f"{path}: missing columns {missing}; expected a `swingcast plan` output")
    return plan.set_index(S.BUREAU_ID)


def turfs_file(
    plan: str | PathLike[str],
    out: str | PathLike[str],
    *,
    area: str,
    shift_hours: float = 3.0,
    team_size: int = 2,
    turf_hours: float | None = None,
    addresses: str | PathLike[str] | None = None,
) -> pd.DataFrame:
    """Cut a plan CSV into turfs; write ``turfs.csv`` and the walk sheets into ``out``.

    What ``swingcast turfs`` runs: :func:`swingcast.target.turfs.build_turfs` on the bureau
    contours of ``area``, then :func:`swingcast.target.turfs.turf_table` (``turfs.csv``) and
    :func:`swingcast.target.walksheets.write_walk_sheets` (``walksheets/``).

    Parameters
    ----------
    plan : path
        A `swingcast plan` output (``bureau_id``, ``hours``, ``doors_knocked``,
        ``expected_votes``).
    out : path
        Output folder (created).
    area : str
        Demo area whose contours hold the planned bureaux (see :data:`AREAS`).
    shift_hours, team_size, turf_hours
        See :func:`swingcast.target.turfs.build_turfs`.
    addresses : path, optional
        REU address points (:func:`swingcast.load.addresses.read_addresses`).

    Returns
    -------
    DataFrame
        The turf table written to ``turfs.csv``.

    Examples
    --------
    >>> turfs_file("plan.csv", "turfs", area="paris")  # doctest: +SKIP
    """
    from swingcast.load.addresses import read_addresses

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    bureaux = area_bureaux(area)
    turfs = build_turfs(_read_plan(plan), bureaux, shift_hours=shift_hours,
                        team_size=team_size, max_hours=turf_hours)
    stops = None if addresses is None else turf_stops(turfs, read_addresses(addresses))
    table = turf_table(turfs, stops)
    write_table(table.reset_index(), out / "turfs.csv")
    write_walk_sheets(turfs, bureaux, out / "walksheets", stops=stops,
                      places=place_table(area_places(area)), title=AREAS[area].title,
                      shift_hours=shift_hours, team_size=team_size)
    return table


def report_file(
    ranking: str | PathLike[str],
    out: str | PathLike[str],
    *,
    area: str | None = None,
    plan: str | PathLike[str] | None = None,
    title: str | None = None,
    contours: Contours | str | PathLike[str] | None = None,
    lang: str = "en",
    backtest: str | PathLike[str] | None = None,
) -> Path:
    """Write the HTML report (and its PNG map next to it) for a ranking CSV.

    The map needs bureau polygons: ``contours`` (any file), else the demo ``area``, else the
    demo area the ranking's bureaux all belong to (Paris, Hauts-de-Seine 13). Without any,
    the report has every table and says why it has no map.

    ``lang="fr"`` writes it in French; the area's polling places and data sources are named;
    ``backtest`` (a ``backtest.json`` of ``swingcast demo`` or ``swingcast backtest``) is
    explained in sentences. The formula's terms for the top bureaux are shown when the
    ranking's values are those of the default parameters (checked, never assumed).

    Examples
    --------
    >>> report_file("ranking.csv", "report.html", area="paris")  # doctest: +SKIP
    >>> report_file("ranking.csv", "report.html", contours="bureaux.geojson")  # doctest: +SKIP
    """
    out = Path(out)
    ranked = read_predictions(ranking)
    if S.RANK not in ranked.columns:
        raise SchemaError(f"{ranking}: missing column {S.RANK!r}; expected a `swingcast rank` output")
    planned = None
    if plan is not None:
        planned = pd.read_csv(plan, dtype={S.BUREAU_ID: str}).set_index(S.BUREAU_ID)
    check_lang(lang)
    metrics = None
    if backtest is not None:
        try:
            metrics = json.loads(Path(backtest).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SchemaError(f"{backtest}: cannot read as JSON ({exc}); expected the "
                              "backtest.json of swingcast demo or swingcast backtest") from exc
    if contours is None and area is None:
        area = _builtin_area_of(ranked.index)
    spec = _get_area(area) if area is not None else None
    polygons = _polygons(area, contours)
    default_title = (spec.title_in(lang) if spec is not None and contours is None
                     else f"Priorities - {Path(ranking).name}")
    title = title or default_title
    png, note = None, None
    if polygons is None:
        note = ("no bureau contours were given (--contours FILE, or --area paris / hds13), so the "
                "bureaux cannot be drawn")
    else:
        mapped = ranked[ranked.index.isin(polygons.index)]
        if mapped.empty:
            note = f"none of the {len(ranked)} ranked bureaux has a polygon in the contours given"
        else:
            if len(mapped) < len(ranked):
                logger.warning("report: %d ranked bureaux without a polygon are not on the map",
                               len(ranked) - len(mapped))
            png = priority_png(priority_frame(mapped, polygons), out.with_suffix(".png"),
                               title=title, lang=lang)
    return html_report(out, title=title, ranking=ranked, plan=planned, map_png=png, map_note=note,
                       places=place_table(area_places(area)) if spec is not None else None,
                       sources=area_sources(area) if spec is not None else (),
                       area_name=spec.place_name if spec is not None else "", metrics=metrics,
                       params=_params_behind(ranked, spec),
                       candidate=spec.candidate if spec is not None else None,
                       forecast=(not spec.case) if spec is not None else metrics is None,
                       lang=lang)


def _params_behind(ranked: pd.DataFrame, spec: Area | None) -> dict[str, object] | None:
    """The default parameters if they reproduce the ranking's values, else None."""
    from swingcast.target.report import value_terms

    race = race_for_election(spec.election_kind) if spec is not None else None
    params = (TargetingParams(race=race) if race else TargetingParams()).as_dict()
    needed = {S.TURNOUT_PRED, S.SHARE_PRED, S.VALUE_PER_HOUR}
    if not needed.issubset(ranked.columns):
        return None
    terms = value_terms(ranked, params)[S.VALUE_PER_HOUR]
    same = np.allclose(terms.to_numpy(float), ranked[S.VALUE_PER_HOUR].to_numpy(float),
                       rtol=1e-6, atol=1e-9)
    return params if same else None
