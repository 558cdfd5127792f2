"""Outputs: the ranking and plan as CSV and GeoPackage, and a one-page self-contained HTML report."""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from os import PathLike
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from swingcast import schema as S
from swingcast.cache import atomic_write
from swingcast.csvout import write_csv
from swingcast.errors import SchemaError
from swingcast.target.labels import area_label, check_lang, column_label, number, percent, short
from swingcast.target.maps import place_table, plan_by_bureau

__all__ = [
    "RANKING_COLUMNS",
    "write_table",
    "write_geopackage",
    "html_report",
    "plan_table",
    "value_terms",
    "backtest_sentences",
]

#: the first columns of ``ranking.csv``, in order (the rest follow)
RANKING_COLUMNS = (
    S.BUREAU_ID, S.RANK, S.VALUE_PER_HOUR, S.TURNOUT_PRED, S.TURNOUT_LO, S.TURNOUT_HI,
    S.SHARE_PRED, S.SHARE_LO, S.SHARE_HI, S.SWING_PROB, S.FLIP_PROB, S.ABOVE_AREA_PROB,
    S.MARGIN_PRED, S.MARGIN_LO, S.MARGIN_HI,
    S.INSCRITS, "abstainers", "supporters", "persuadables", "doors", "votes_per_hour",
    "closeness_weight",
)


def _ordered(table: pd.DataFrame) -> pd.DataFrame:
    df = table.reset_index() if table.index.name == S.BUREAU_ID else table.copy()
    if "geometry" in df.columns:
        df = df.drop(columns="geometry")
    first = [c for c in RANKING_COLUMNS if c in df.columns]
    return pd.DataFrame(df[first + [c for c in df.columns if c not in first]])


def write_table(table: pd.DataFrame, path: str | PathLike[str]) -> Path:
    """Write a ranking or plan as CSV (``bureau_id`` first, geometry dropped).

    Text cells that a spreadsheet would run as a formula are prefixed with ``'``
    (:func:`swingcast.csvout.write_csv`).

    Examples
    --------
    >>> import tempfile, os
    >>> t = pd.DataFrame({"rank": [1], "value_per_hour": [0.5]},
    ...                  index=pd.Index(["75056_101"], name="bureau_id"))
    >>> f = write_table(t, os.path.join(tempfile.mkdtemp(), "r.csv"))
    >>> f.read_text().splitlines()[0]
    'bureau_id,rank,value_per_hour'
    """
    return write_csv(_ordered(table), path)


def write_geopackage(
    layers: Mapping[str, gpd.GeoDataFrame], path: str | PathLike[str]
) -> Path:
    """Write GeoDataFrames as layers of one GeoPackage (Lambert-93), replacing the file.

    Examples
    --------
    >>> import tempfile, os
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame({"rank": [1]}, geometry=[box(0, 0, 1, 1)], crs="EPSG:2154",
    ...                      index=pd.Index(["a"], name="bureau_id"))
    >>> f = write_geopackage({"ranking": g}, os.path.join(tempfile.mkdtemp(), "t.gpkg"))
    >>> gpd.read_file(f, layer="ranking")["bureau_id"].tolist()
    ['a']
    """
    path = Path(path)
    # all layers go into one fresh temporary GeoPackage, which then replaces the old file
    with atomic_write(path) as tmp:
        for name, frame in layers.items():
            data = frame.reset_index() if frame.index.name == S.BUREAU_ID else frame
            gpd.GeoDataFrame(data, geometry="geometry", crs=frame.crs).to_crs(
                S.LAMBERT93
            ).to_file(tmp, layer=name, driver="GPKG")
    return path


def _cell(value: object, lang: str) -> str:
    if isinstance(value, float | int | np.floating | np.integer) and not isinstance(value, bool):
        return number(float(value) if isinstance(value, float | np.floating) else int(value), lang)
    return html.escape("" if value is None else str(value))


def _head(column: str, lang: str) -> str:
    """A column header: the human label, the column name in small type below it."""
    label = column_label(column, lang)
    small = "" if label == column else f"<br><small>{html.escape(column)}</small>"
    return f"<th scope='col'>{html.escape(label)}{small}</th>"


#: columns of words, aligned left (numbers are aligned right)
_TEXT_COLUMNS = frozenset({S.BUREAU_ID, "place_name", "address", "parameter", "name", "figure"})


def _table(df: pd.DataFrame, lang: str = "en", cls: str = "") -> str:
    head = "".join(_head(str(c), lang) for c in df.columns)
    text = [" class='text'" if c in _TEXT_COLUMNS else "" for c in df.columns]
    rows = "".join(
        "<tr>" + "".join(f"<td{t}>{_cell(v, lang)}</td>" for t, v in zip(text, row, strict=True))
        + "</tr>"
        for row in df.itertuples(index=False)
    )
    klass = f" class='{cls}'" if cls else ""
    return (f"<div class='scroll'><table{klass}><thead><tr>{head}</tr></thead><tbody>{rows}"
            "</tbody></table></div>")


_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:64rem;margin:1rem auto;padding:0 1rem;"
    "color:#222;line-height:1.45}h2{margin-top:2rem;border-bottom:1px solid #ddd}"
    "table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}td,th{border:1px solid #ccc;"
    "padding:.2rem .4rem;text-align:right;vertical-align:top}th{background:#f4f4f4}"
    "th small{font-weight:normal;color:#777;font-family:monospace;font-size:.7rem}"
    "td:first-child,td.text{text-align:left}"
    ".kpi{display:flex;gap:1rem;flex-wrap:wrap}.kpi div{border:1px solid #ddd;padding:.5rem 1rem}"
    ".kpi b{display:block;font-size:1.4rem}img{max-width:100%}.note{color:#555;font-size:.9rem}"
    "code{font-size:.85rem;background:#f4f4f4;padding:0 .2rem}.scroll{overflow-x:auto}"
)

#: links of the licences and of the source of the targeting defaults
LICENCE_URLS = {
    "Licence Ouverte": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    "ODbL": "https://opendatacommons.org/licenses/odbl/1-0/",
}
PONS_URL = "https://doi.org/10.1257/aer.20160524"

_T: dict[str, dict[str, str]] = {
    "en": {
        "intro": "Every bureau de vote is ranked by the net votes one volunteer-hour of "
                 "door-to-door canvassing is expected to win{for_}; the volunteer-hours are then "
                 "given to the best bureaux until their doors run out.",
        "for": " for {c}",
        "ranked": "bureaux ranked", "registered": "registered voters",
        "hours": "volunteer-hours planned", "in_plan": "bureaux in the plan",
        "votes": "expected net votes", "turfs": "turfs",
        "open_map": "Open the interactive map", "map_note": "(works offline: zoom, search, "
                    "a tooltip per bureau)",
        "map": "Priority map", "plan": "The plan: where the volunteer-hours go",
        "plan_note": "One row per bureau of the plan, best first; doors are whole doors.",
        "total": "Total", "no_plan": "No plan was given.",
        "why": "Why these bureaux come first",
        "top": "Top {n} bureaux", "bt": "How good are the predictions? (back-test)",
        "params": "Targeting parameters", "sources": "Data sources and licences",
        "no_places": "No polling-place file (names and addresses) is used for this area: "
                     "bureaux are named by their number.",
        "forecast": "This is a forecast of an election not yet held: nothing can be scored "
                    "yet, so there is no back-test for these predictions.",
        "made": "Made by swingcast on {stamp}.",
        "defaults": "Defaults from Pons (2018), American Economic Review 108(6)",
        "alt": "priority map",
        "no_map": "No map:",
        "walk": "Print the walk sheets (one page per turf, a shift of canvassing)",
        "swing_prob": "swing_prob: the probability that {c} comes first in the bureau (in a "
                      "two-candidate round, wins it), from simulating every contender's share "
                      "with the model's errors.",
        "flip_prob": "flip_prob: the probability that the bureau's first place goes to another "
                     "side (bloc) than in the latest comparable election (the latest of the "
                     "same kind, else the latest).",
        "the_candidate": "the candidate",
    },
    "fr": {
        "intro": "Chaque bureau de vote est classé selon les voix nettes qu'une heure de "
                 "porte-à-porte d'un bénévole devrait rapporter{for_} ; les heures de bénévoles "
                 "vont ensuite aux meilleurs bureaux jusqu'à épuisement de leurs portes.",
        "for": " à {c}",
        "ranked": "bureaux classés", "registered": "inscrits",
        "hours": "heures de bénévoles prévues", "in_plan": "bureaux du plan",
        "votes": "voix nettes attendues", "turfs": "secteurs",
        "open_map": "Ouvrir la carte interactive", "map_note": "(fonctionne hors ligne : zoom, "
                    "recherche, une info-bulle par bureau)",
        "map": "Carte des priorités", "plan": "Le plan : où vont les heures de bénévoles",
        "plan_note": "Une ligne par bureau du plan, le meilleur d'abord ; des portes entières.",
        "total": "Total", "no_plan": "Aucun plan fourni.",
        "why": "Pourquoi ces bureaux arrivent en tête",
        "top": "Les {n} premiers bureaux", "bt": "Que valent les prévisions ? (test rétrospectif)",
        "params": "Paramètres du ciblage", "sources": "Sources des données et licences",
        "no_places": "Aucun fichier des lieux de vote (noms et adresses) n'est utilisé pour ce "
                     "territoire : les bureaux sont désignés par leur numéro.",
        "forecast": "Il s'agit de la prévision d'un scrutin pas encore tenu : rien ne peut "
                    "encore être évalué, il n'y a donc pas de test rétrospectif.",
        "made": "Produit par swingcast le {stamp}.",
        "defaults": "Valeurs par défaut tirées de Pons (2018), American Economic Review 108(6)",
        "alt": "carte des priorités",
        "no_map": "Pas de carte :",
        "walk": "Imprimer les feuilles de route (une page par secteur, une séance de "
                "porte-à-porte)",
        "swing_prob": "swing_prob : la probabilité que {c} arrive en tête dans le bureau (dans "
                      "un duel, qu'il le gagne), par simulation de la part de chaque concurrent "
                      "avec les erreurs du modèle.",
        "flip_prob": "flip_prob : la probabilité que la tête du bureau passe à un autre camp "
                     "(bloc) qu'au dernier scrutin comparable (le dernier du même type, sinon "
                     "le plus récent).",
        "the_candidate": "le candidat",
    },
}


def _place_columns(df: pd.DataFrame, places: pd.DataFrame | None) -> pd.DataFrame:
    """Insert polling place and address after ``bureau_id`` when known."""
    table = place_table(places)
    if not len(table):
        return df
    ids = df[S.BUREAU_ID].astype(str)
    out = df.copy()
    pos = list(out.columns).index(S.BUREAU_ID) + 1
    out.insert(pos, "place_name", ids.map(table["place_name"]).fillna("").to_numpy())
    out.insert(pos + 1, "address", ids.map(table["address"]).fillna("").to_numpy())
    return out


def plan_table(
    plan: pd.DataFrame,
    ranking: pd.DataFrame | None = None,
    places: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The plan per bureau for people: bureau, polling place, hours, whole doors, votes.

    Parameters
    ----------
    plan : DataFrame
        :func:`swingcast.target.plan.allocate_hours` output (one row per bureau or per turf).
    ranking : DataFrame, optional
        Gives the rank (the table is ordered by it).
    places : DataFrame, optional
        Polling places (:func:`swingcast.target.maps.place_table` or ``read_polling_places``).

    Returns
    -------
    DataFrame
        ``bureau_id``, [``place_name``, ``address``,] [``rank``,] ``hours``,
        ``doors_knocked`` (whole doors), ``expected_votes``, [``n_turfs``: the shift turfs of
        the bureau, from the plan's ``turfs`` column]; bureaux with hours only.

    Examples
    --------
    >>> plan = pd.DataFrame({"hours": [10.0, 0.0], "doors_knocked": [149.6, 0.0],
    ...                      "expected_votes": [3.2, 0.0]},
    ...                     index=pd.Index(["a", "b"], name="bureau_id"))
    >>> plan_table(plan).values.tolist()
    [['a', 10.0, 150, 3.2]]
    """
    per = plan_by_bureau(plan)
    if "turfs" in plan.columns:  # "34;35;36" per bureau: how many shift turfs it takes
        ids = (plan[S.BUREAU_ID] if S.BUREAU_ID in plan.columns else plan.index.to_series())
        numbers = plan["turfs"].astype("string").str.split(";").set_axis(ids.astype(str))
        per["n_turfs"] = numbers.explode().dropna().groupby(level=0).nunique().reindex(
            per.index).fillna(0).astype("int64")
    if S.HOURS in per:
        per = per[per[S.HOURS] > 0]
    out = per.reset_index()
    if "doors_knocked" in out:
        out["doors_knocked"] = out["doors_knocked"].round().astype("int64")
    if ranking is not None and S.RANK in ranking.columns:
        ranks = ranking[S.RANK].set_axis(ranking.index.astype(str))
        out.insert(1, S.RANK, out[S.BUREAU_ID].map(ranks).astype("Int64"))
        out = out.sort_values([S.RANK, S.BUREAU_ID], na_position="last")
    elif S.HOURS in out:
        out = out.sort_values(S.HOURS, ascending=False, kind="stable")
    return _place_columns(out.reset_index(drop=True), places)


def value_terms(ranking: pd.DataFrame, params: Mapping[str, object]) -> pd.DataFrame:
    """The terms of the value-per-hour formula for each bureau (see ``docs/targeting.md``).

    ``votes_per_door = voters_per_door * contact_rate * (persuasion + mobilisation)`` with
    ``persuasion = persuasion_rate * persuasion_gain * t * (1 - s)`` and
    ``mobilisation = mobilisation_rate * (2 s - 1) * (1 - t)``; then
    ``value_per_hour = doors_per_hour * votes_per_door * closeness_weight``.

    Examples
    --------
    >>> r = pd.DataFrame({"turnout_pred": [0.8], "share_pred": [0.75]})
    >>> p = {"persuasion_rate": 0.1, "persuasion_gain": 2.0, "mobilisation_rate": 0.0,
    ...      "voters_per_door": 1.5, "contact_rate": 0.5, "doors_per_hour": 10.0}
    >>> value_terms(r, p).round(4).iloc[0].tolist()
    [0.2, 0.04, 0.0, 0.03, 0.3, 1.0, 0.3]
    """
    t = pd.to_numeric(ranking[S.TURNOUT_PRED]).astype(float)
    s = pd.to_numeric(ranking[S.SHARE_PRED]).astype(float)
    f = {k: float(params[k]) for k in ("persuasion_rate", "persuasion_gain", "mobilisation_rate",
                                       "voters_per_door", "contact_rate", "doors_per_hour")}
    out = pd.DataFrame(index=ranking.index)
    out["others_share"] = t * (1 - s)
    out["persuasion_term"] = f["persuasion_rate"] * f["persuasion_gain"] * out["others_share"]
    out["mobilisation_term"] = f["mobilisation_rate"] * (2 * s - 1) * (1 - t)
    out["votes_per_door"] = f["voters_per_door"] * f["contact_rate"] * (
        out["persuasion_term"] + out["mobilisation_term"])
    out["votes_per_hour"] = f["doors_per_hour"] * out["votes_per_door"]
    closeness = ranking.get("closeness_weight")
    out["closeness_weight"] = 1.0 if closeness is None else pd.to_numeric(closeness).astype(float)
    out[S.VALUE_PER_HOUR] = out["votes_per_hour"] * out["closeness_weight"]
    return out


def _why(ordered: pd.DataFrame, params: Mapping[str, object], lang: str, n: int = 5) -> str:
    if not {S.TURNOUT_PRED, S.SHARE_PRED}.issubset(ordered.columns):
        return ""
    fr = lang == "fr"
    terms = value_terms(ordered.set_index(S.BUREAU_ID), params)
    top = ordered.head(n)
    table = pd.DataFrame({S.BUREAU_ID: top[S.BUREAU_ID].to_numpy(),
                          S.TURNOUT_PRED: top[S.TURNOUT_PRED].to_numpy(),
                          S.SHARE_PRED: top[S.SHARE_PRED].to_numpy()})
    t_top = terms.loc[top[S.BUREAU_ID]]
    for col in ("others_share", "persuasion_term", "mobilisation_term", "votes_per_hour",
                "closeness_weight", S.VALUE_PER_HOUR):
        table[col] = t_top[col].to_numpy()
    for col in (S.TURNOUT_PRED, S.SHARE_PRED, "others_share"):
        table[col] = [percent(v, lang) for v in table[col]]
    weights = {k: short(params.get(k), lang) for k in
               ("voters_per_door", "contact_rate", "persuasion_rate", "persuasion_gain",
                "mobilisation_rate", "doors_per_hour")}
    w = pd.to_numeric(ordered.get(S.INSCRITS, pd.Series(1.0, index=ordered.index))).astype(float)
    s_all = float(np.average(ordered[S.SHARE_PRED].astype(float), weights=w))
    o_all = float(np.average(terms["others_share"], weights=w))
    s_top = ", ".join(percent(v, lang) for v in top[S.SHARE_PRED])
    o_top = ", ".join(percent(v, lang) for v in t_top["others_share"])
    areas = ""
    if S.ARRONDISSEMENT_CODE in ordered.columns:
        counts = ordered.head(20)[S.ARRONDISSEMENT_CODE].astype(str).value_counts()
        names = ", ".join(f"{area_label(k, None, lang)} ({v})" for k, v in counts.head(3).items())
        areas = (f" Parmi les 20 premiers bureaux : {names}." if fr
                 else f" Among the top 20 bureaux: {names}.")
    mob = float(params.get("mobilisation_rate", 0) or 0)
    local = params.get("race") == "local"
    if fr:
        formula = (
            "<p>Valeur d'une heure = portes par heure × inscrits par porte × part des portes "
            "qui s'ouvrent × (taux de persuasion × gain × t·(1−s) + taux de mobilisation × "
            "(2s−1)·(1−t)) × poids de l'incertitude, où t est la participation prévue et s la "
            "part prévue du candidat. Avec les valeurs utilisées : "
            f"{weights['doors_per_hour']} × {weights['voters_per_door']} × "
            f"{weights['contact_rate']} × ({weights['persuasion_rate']} × "
            f"{weights['persuasion_gain']} × t·(1−s) + {weights['mobilisation_rate']} × "
            "(2s−1)·(1−t)).</p>")
        reason = (
            "<p>Le taux de mobilisation vaut 0 (Pons 2018 ne trouve aucun effet du porte-à-porte "
            "sur la participation) : seule compte la persuasion, proportionnelle à t·(1−s), la "
            "part des inscrits qui votent pour quelqu'un d'autre. Les premiers bureaux sont donc "
            "ceux où le candidat est le plus faible parmi les votants : parts prévues "
            f"{s_top} contre {percent(s_all, lang)} sur l'ensemble ; t·(1−s) = {o_top} contre "
            f"{percent(o_all, lang)}. C'est là qu'une porte ouverte a le plus de chances de "
            f"tomber sur un électeur à convaincre.{areas}</p>" if mob == 0 else
            f"<p>Le terme de persuasion croît avec t·(1−s) ({o_top} pour les premiers bureaux, "
            f"{percent(o_all, lang)} sur l'ensemble) ; le terme de mobilisation est positif là où "
            f"le candidat dépasse 50 % et négatif ailleurs.{areas}</p>")
        if local:
            reason += ("<p>Scrutin local : chaque bureau est pondéré par 4·p·(1−p), p étant la "
                       "probabilité de bascule (1 pour un bureau indécis, 0 pour un bureau "
                       "joué d'avance).</p>")
    else:
        formula = (
            "<p>Value of an hour = doors per hour × registered voters per door × share of "
            "doors that open × (persuasion rate × gain × t·(1−s) + mobilisation rate × "
            "(2s−1)·(1−t)) × closeness weight, where t is the predicted turnout and s the "
            "candidate's predicted share. With the values used: "
            f"{weights['doors_per_hour']} × {weights['voters_per_door']} × "
            f"{weights['contact_rate']} × ({weights['persuasion_rate']} × "
            f"{weights['persuasion_gain']} × t·(1−s) + {weights['mobilisation_rate']} × "
            "(2s−1)·(1−t)).</p>")
        reason = (
            "<p>The mobilisation rate is 0 (Pons 2018 found no effect of canvassing on "
            "turnout), so only persuasion counts, and it is proportional to t·(1−s), the share "
            "of registered voters who vote for someone else. The top bureaux are therefore "
            "those where the candidate is weakest among voters: predicted shares "
            f"{s_top} against {percent(s_all, lang)} area-wide; t·(1−s) = {o_top} against "
            f"{percent(o_all, lang)}. There an opened door is most likely to reach a voter "
            f"who can be persuaded.{areas}</p>" if mob == 0 else
            f"<p>The persuasion term grows with t·(1−s) ({o_top} in the top bureaux, "
            f"{percent(o_all, lang)} area-wide); the mobilisation term is positive where the "
            f"candidate has more than 50 % and negative elsewhere.{areas}</p>")
        if local:
            reason += ("<p>A local race: each bureau is weighted by 4·p·(1−p), p being "
                       "swing_prob, the probability that the candidate comes first in the bureau "
                       "(1 for a toss-up, 0 for a bureau already decided).</p>")
    return formula + reason + _table(table, lang)


def _mae_sentence(target: str, methods: Mapping[str, object], n: object, lang: str) -> str:
    model = methods.get("model")
    if not isinstance(model, Mapping) or "mae" not in model:
        return ""
    named = methods.get("best_baseline")  # the protocol's JSON names its strongest baseline
    base = ({str(named.get("name", "best baseline")): float(named["mae"])}
            if isinstance(named, Mapping) and "mae" in named else
            {k: float(v["mae"]) for k, v in methods.items()
             if k != "model" and isinstance(v, Mapping) and "mae" in v})
    best = min(base, key=base.get) if base else None  # type: ignore[arg-type]
    pp = number(100 * float(model["mae"]), lang, 2)
    names = {"en": {"turnout": "Turnout", "share": "Share"},
             "fr": {"turnout": "Participation", "share": "Part"}}[lang]
    baseline = {"carry_forward": ("carry forward", "reconduction"),
                "uniform_swing": ("uniform swing", "glissement uniforme"),
                "proportional_swing": ("proportional swing", "glissement proportionnel")}
    if lang == "fr":
        text = (f"{names[target]} : les prévisions s'écartent en moyenne de {pp} points du "
                f"résultat observé (erreur absolue moyenne, MAE, sur {n} bureaux)")
        if best:
            text += (f", contre {number(100 * base[best], lang, 2)} points pour la meilleure "
                     f"méthode simple ({baseline.get(best, (best, best))[1]})")
    else:
        text = (f"{names[target]}: the predictions were off by {pp} percentage points on "
                f"average (mean absolute error, MAE, over {n} bureaux)")
        if best:
            text += (f", against {number(100 * base[best], lang, 2)} points for the best "
                     f"simple method ({baseline.get(best, (best, best))[0]})")
    return text + "."


def _coverage_sentence(target: str, cov: float, nominal: float, lang: str) -> str:
    fr = lang == "fr"
    what = {"turnout": ("turnout", "participation"), "share": ("share", "part")}[target][fr]
    gap = cov - nominal
    if abs(gap) <= 0.05:
        verdict = "comme prévu" if fr else "as intended"
    elif gap < 0:
        verdict = (f"trop étroits : lisez-les comme des intervalles à {percent(cov, lang, 0)}"
                   if fr else f"too narrow: read them as about {percent(cov, lang, 0)} intervals")
    else:
        verdict = "plus larges que nécessaire" if fr else "wider than needed"
    if fr:
        return (f"Intervalles de {what} : ils devraient contenir le résultat observé dans "
                f"{percent(nominal, lang, 0)} des bureaux (couverture nominale) ; ils l'ont "
                f"contenu dans {percent(cov, lang)} des bureaux, {verdict}.")
    return (f"{what.capitalize()} intervals: they should contain the observed result in "
            f"{percent(nominal, lang, 0)} of bureaux (nominal coverage); they did in "
            f"{percent(cov, lang)}, {verdict}.")


def backtest_sentences(
    metrics: Mapping[str, object], *, nominal: float = 0.8, area: str = "", lang: str = "en"
) -> list[str]:
    """One plain sentence per back-test figure: MAE, coverage, Brier scores and the anchor.

    Brier scores: of the case's threshold event (``brier`` with ``swing_event``, the older
    harness: ``above_area_prob``) and, when the metrics have them (``extras.events``, or
    ``events``), of ``swing_prob`` and ``flip_prob`` against the uniform-swing simulation.

    Parameters
    ----------
    metrics : mapping
        ``BacktestResult.metrics`` (the content of ``backtest.json``).
    nominal : float
        Nominal coverage of the prediction intervals.
    area : str
        Name of the area in the sentences (e.g. ``"Paris"``).
    lang : {"en", "fr"}
        Language.

    Returns
    -------
    list of str
        Plain text (escape it where it is drawn).

    Examples
    --------
    >>> m = {"n_bureaux": 3, "anchor": "actual", "anchors": {"share": 0.6, "turnout": 0.7},
    ...      "share": {"model": {"mae": 0.02, "coverage": 0.8},
    ...                "uniform_swing": {"mae": 0.04}}}
    >>> for s in backtest_sentences(m, area="Paris"):
    ...     print(s.replace("\\xa0", " "))  # doctest: +NORMALIZE_WHITESPACE
    Share: the predictions were off by 2.00 percentage points on average (mean absolute
    error, MAE, over 3 bureaux), against 4.00 points for the best simple method (uniform swing).
    Share intervals: they should contain the observed result in 80 % of bureaux (nominal
    coverage); they did in 80.0 %, as intended.
    The back-test is conditional on the area-wide result: the model was given the actual
    Paris-wide turnout (70.0 %) and share (60.0 %), as if a perfect poll had announced them,
    and predicted how they spread across the bureaux. In a campaign the area-wide level is
    uncertain (a poll's error moves every bureau together), so the errors will be larger.

    >>> ev = {"n_bureaux": 3, "extras": {"events": {"n_target_first": 2, "n_flips": 1,
    ...       "n_scored_flip": 3, "comparable_round": "2017-presidentielle-1",
    ...       "brier": {"swing_prob": {"model": 0.1, "uniform_swing": 0.2},
    ...                 "flip_prob": {"model": 0.15, "uniform_swing": 0.3}}}}}
    >>> for s in backtest_sentences(ev):
    ...     print(s)  # doctest: +NORMALIZE_WHITESPACE
    swing_prob (the probability that the back-test's candidate comes first in the bureau; in a
    duel, wins it): Brier score 0.100, against 0.200 for the same simulation around a uniform
    swing (it came first in 2 of 3 bureaux).
    flip_prob (the probability that the bureau's first place changes side from
    2017-presidentielle-1): Brier score 0.150, against 0.300 for the uniform swing (1 of 3
    bureaux changed).
    """
    check_lang(lang)
    fr = lang == "fr"
    out = []
    n = metrics.get("n_bureaux", "?")
    for target in ("turnout", "share"):
        methods = metrics.get(target)
        if isinstance(methods, Mapping):
            sentence = _mae_sentence(target, methods, n, lang)
            if sentence:
                out.append(sentence)
            model = methods.get("model")
            if isinstance(model, Mapping) and "coverage" in model:
                out.append(_coverage_sentence(target, float(model["coverage"]), nominal, lang))
    brier = metrics.get("brier")
    event = metrics.get("swing_event")
    # ``brier`` scores the threshold event (above_area_prob) in the older harness only (it
    # writes ``swing_event``); the protocol's ``brier`` repeats ``events`` (sentences below)
    if isinstance(brier, Mapping) and "model" in brier and isinstance(event, Mapping):
        b = number(float(brier["model"]), lang, 3)
        thr = (percent(float(event["threshold"]), lang)
               if isinstance(event, Mapping) and "threshold" in event else "")
        hits = (f"{event['n_events']}" if isinstance(event, Mapping) and "n_events" in event
                else "")
        base = number(float(brier["uniform_swing"]), lang, 3) if "uniform_swing" in brier else ""
        if fr:
            text = (f"Score de Brier {b} (0 = parfait ; 0,25 = répondre 50 % partout) de "
                    "above_area_prob, la probabilité d'une part au-dessus du seuil : il mesure "
                    "si ces probabilités annonçaient bien quels bureaux dépasseraient le seuil "
                    f"de {thr}")
            text += f" ({hits} sur {n} l'ont dépassé)" if hits else ""
            text += f" ; glissement uniforme : {base}." if base else "."
        else:
            text = (f"Brier score {b} (0 = perfect; 0.25 = saying 50 % everywhere) of "
                    "above_area_prob, the probability of a share above the threshold: it "
                    "measures whether those probabilities foretold which bureaux would pass "
                    f"the threshold of {thr}")
            text += f" ({hits} of {n} did)" if hits else ""
            text += f"; uniform swing: {base}." if base else "."
        out.append(text)
    out.extend(_event_sentences(metrics, n, lang))
    anchors = metrics.get("anchors")
    if metrics.get("anchor") == "actual" and isinstance(anchors, Mapping):
        t, s = percent(anchors.get("turnout"), lang), percent(anchors.get("share"), lang)
        where_ = f"{area}-wide" if area else "area-wide"
        if fr:
            out.append(
                "Le test rétrospectif est conditionnel au résultat d'ensemble : le modèle a reçu "
                f"la participation ({t}) et la part ({s}) réelles{' de ' + area if area else ''}, "
                "comme si un sondage parfait les avait annoncées, et a prévu leur répartition "
                "entre les bureaux. En campagne, le niveau d'ensemble est incertain (l'erreur "
                "d'un sondage déplace tous les bureaux ensemble) : les erreurs seront plus "
                "grandes.")
        else:
            out.append(
                "The back-test is conditional on the area-wide result: the model was given the "
                f"actual {where_} turnout ({t}) and share ({s}), as if a perfect poll had "
                "announced them, and predicted how they spread across the bureaux. In a "
                "campaign the area-wide level is uncertain (a poll's error moves every bureau "
                "together), so the errors will be larger.")
    return out


def _event_sentences(metrics: Mapping[str, object], n: object, lang: str) -> list[str]:
    """The Brier scores of ``swing_prob`` and ``flip_prob`` (``extras.events``), model against
    the uniform-swing simulation, one sentence each."""
    extras = metrics.get("extras")
    events = (extras.get("events") if isinstance(extras, Mapping) else None) or metrics.get("events")
    brier = events.get("brier") if isinstance(events, Mapping) else None
    if not isinstance(brier, Mapping):
        return []
    fr = lang == "fr"
    out = []

    def pair(key: str) -> tuple[str, str] | None:
        b = brier.get(key)
        if not isinstance(b, Mapping) or "model" not in b:
            return None
        base = b.get("uniform_swing")
        return number(float(b["model"]), lang, 3), ("" if base is None else number(float(base), lang, 3))

    swing, flip = pair("swing_prob"), pair("flip_prob")
    if swing:
        b, u = swing
        k = events.get("n_target_first")
        if fr:
            text = (f"swing_prob (probabilité que le candidat du test arrive en tête du bureau ; "
                    f"dans un duel, qu'il le gagne) : score de Brier {b}")
            text += f", contre {u} pour la même simulation autour d'un glissement uniforme" if u else ""
            text += f" ({k} bureaux sur {n} l'ont placé en tête)." if k is not None else "."
        else:
            text = (f"swing_prob (the probability that the back-test's candidate comes first in "
                    f"the bureau; in a duel, wins it): Brier score {b}")
            text += f", against {u} for the same simulation around a uniform swing" if u else ""
            text += f" (it came first in {k} of {n} bureaux)." if k is not None else "."
        out.append(text)
    if flip:
        b, u = flip
        comp = events.get("comparable_round")
        k, m = events.get("n_flips"), events.get("n_scored_flip", n)
        if fr:
            text = ("flip_prob (probabilité que la tête du bureau change de camp"
                    + (f" par rapport à {comp}" if comp else "") + f") : score de Brier {b}")
            text += f", contre {u} pour le glissement uniforme" if u else ""
            text += f" ({k} bureaux sur {m} ont changé)." if k is not None else "."
        else:
            text = ("flip_prob (the probability that the bureau's first place changes side"
                    + (f" from {comp}" if comp else "") + f"): Brier score {b}")
            text += f", against {u} for the uniform swing" if u else ""
            text += f" ({k} of {m} bureaux changed)." if k is not None else "."
        out.append(text)
    return out


def _licence_link(licence: str) -> str:
    for key, url in LICENCE_URLS.items():
        if key.lower() in licence.lower():
            return f"<a href='{html.escape(url)}'>{html.escape(licence)}</a>"
    return html.escape(licence)


def html_report(
    path: str | PathLike[str],
    *,
    title: str,
    ranking: pd.DataFrame,
    plan: pd.DataFrame | None = None,
    map_png: str | PathLike[str] | None = None,
    backtest: Mapping[str, object] | None = None,
    params: Mapping[str, object] | None = None,
    top: int = 20,
    map_note: str | None = None,
    metrics: Mapping[str, object] | None = None,
    places: pd.DataFrame | None = None,
    sources: Sequence[tuple[str, str]] = (),
    candidate: str | None = None,
    area_name: str = "",
    map_html: str | None = None,
    walk_sheets: str | None = None,
    forecast: bool = False,
    lang: str = "en",
) -> Path:
    """Write a one-page, self-contained HTML report (the PNG map embedded as base64).

    Sections: key figures, a link to the interactive map, the priority map, the plan table
    (bureau, polling place and address when known, hours, whole doors, expected votes), why
    the top bureaux come first (the formula's terms for the top 5), the back-test explained
    in sentences, the top bureaux, the parameters and the data sources with their licences.
    Every value is escaped.

    Parameters
    ----------
    path : str or PathLike
        The HTML file.
    title : str
        Page title (e.g. the case and the candidate).
    ranking : DataFrame
        :func:`swingcast.target.value.rank_bureaux` output.
    plan : DataFrame, optional
        :func:`swingcast.target.plan.allocate_hours` output.
    map_png : path, optional
        A PNG map to embed.
    backtest : mapping, optional
        Headline figures (name -> value), shown as a table when ``metrics`` is not given.
    params : mapping, optional
        Targeting parameters, shown for transparency (and used to explain the top 5).
    top : int
        Number of bureaux listed.
    map_note : str, optional
        Without ``map_png``: why there is no map (shown in its place).
    metrics : mapping, optional
        The back-test's full metrics (``backtest.json``), explained in sentences.
    places : DataFrame, optional
        Polling places (``read_polling_places`` output or :func:`place_table`).
    sources : sequence of (publisher, licence)
        The data behind this report, credited in the footer.
    candidate : str, optional
        Whom the volunteers canvass for.
    area_name : str
        Name of the area in the back-test sentences (``"Paris"``).
    map_html : str, optional
        Relative link to the interactive map (e.g. ``"map.html"``).
    walk_sheets : str, optional
        Relative link to the walk sheets' index (e.g. ``"walksheets/index.html"``).
    forecast : bool
        The predictions are a forecast (nothing to score): says so.
    lang : {"en", "fr"}
        Language of the report.

    Examples
    --------
    >>> import tempfile, os
    >>> r = pd.DataFrame({"rank": [1], "value_per_hour": [0.5], "inscrits": [1000]},
    ...                  index=pd.Index(["75056_101"], name="bureau_id"))
    >>> f = html_report(os.path.join(tempfile.mkdtemp(), "r.html"), title="t", ranking=r)
    >>> "75056_101" in f.read_text()
    True
    """
    check_lang(lang)
    T = _T[lang]
    esc = html.escape
    if S.RANK not in ranking.columns:
        raise SchemaError(f"ranking: missing column {S.RANK!r}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ordered = _ordered(ranking).sort_values(S.RANK)
    ordered[S.BUREAU_ID] = ordered[S.BUREAU_ID].astype(str)
    kpis = {T["ranked"]: number(len(ordered), lang)}
    if S.INSCRITS in ordered.columns:
        kpis[T["registered"]] = number(int(pd.to_numeric(ordered[S.INSCRITS]).sum()), lang)
    per_bureau = plan_table(plan, ranking, places) if plan is not None and len(plan) else None
    if per_bureau is not None:
        kpis[T["hours"]] = number(float(per_bureau[S.HOURS].sum()), lang, 0)
        kpis[T["in_plan"]] = number(len(per_bureau), lang)
        if S.EXPECTED_VOTES in per_bureau:
            kpis[T["votes"]] = number(float(per_bureau[S.EXPECTED_VOTES].sum()), lang, 0)
        if "turfs" in plan.columns:  # type: ignore[union-attr]  # "1;2;17" per bureau
            numbers = plan["turfs"].dropna().astype(str).str.split(";").explode()  # type: ignore[index]
            kpis[T["turfs"]] = number(int(numbers.nunique()), lang)
    who = T["for"].format(c=esc(candidate)) if candidate else ""
    parts = [
        f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{esc(title)}</title><style>{_CSS}</style></head><body><h1>{esc(title)}</h1>",
        f"<p>{T['intro'].format(for_=who)}</p>",
        "<div class='kpi'>"
        + "".join(f"<div><b>{esc(v)}</b>{esc(k)}</div>" for k, v in kpis.items())
        + "</div>",
    ]
    if map_html:
        parts.append(f"<p><a href='{esc(map_html)}'>{esc(T['open_map'])}</a> "
                     f"{esc(T['map_note'])}</p>")
    if walk_sheets:
        parts.append(f"<p><a href='{esc(walk_sheets)}'>{esc(T['walk'])}</a></p>")
    if map_png is not None:
        data = base64.b64encode(Path(map_png).read_bytes()).decode("ascii")
        parts.append(f"<h2>{esc(T['map'])}</h2><img alt='{esc(T['alt'])}' "
                     f"src='data:image/png;base64,{data}'>")
    elif map_note:
        parts.append(f"<h2>{esc(T['map'])}</h2><p>{esc(T['no_map'])} {esc(map_note)}.</p>")
    parts.append(f"<h2 id='plan'>{esc(T['plan'])}</h2>")
    if per_bureau is not None:
        totals = {c: per_bureau[c].sum() for c in (S.HOURS, "doors_knocked", S.EXPECTED_VOTES)
                  if c in per_bureau}
        total_row = "<tr class='total'><th scope='row'>" + esc(T["total"]) + "</th>" + "".join(
            f"<td>{_cell(totals[c], lang)}</td>" if c in totals else "<td></td>"
            for c in per_bureau.columns[1:]) + "</tr>"
        table = _table(per_bureau, lang, cls="plan").replace("</tbody>", total_row + "</tbody>")
        parts.append(f"<p class='note'>{esc(T['plan_note'])}</p>{table}")
    else:
        parts.append(f"<p>{esc(T['no_plan'])}</p>")
    if places is None or not len(places):
        parts.append(f"<p class='note'>{esc(T['no_places'])}</p>")
    if params:
        parts.append(f"<h2 id='why'>{esc(T['why'])}</h2>" + _why(ordered, params, lang))
    if metrics or backtest or forecast:
        parts.append(f"<h2 id='backtest'>{esc(T['bt'])}</h2>")
    if forecast:
        parts.append(f"<p>{esc(T['forecast'])}</p>")
    if metrics:
        sentences = backtest_sentences(metrics, area=area_name, lang=lang)
        parts.append("<ul>" + "".join(f"<li>{esc(s)}</li>" for s in sentences) + "</ul>")
        notes = metrics.get("notes")
        if isinstance(notes, Mapping) and notes:
            lead = "Notes du modèle (en anglais) : " if lang == "fr" else "Model notes: "
            parts.append(f"<p class='note'>{lead}" + "; ".join(
                f"{esc(str(k))}: {esc(str(v))}" for k, v in notes.items()) + ".</p>")
    elif backtest:
        bt = pd.DataFrame({"figure": list(backtest), "value": list(backtest.values())})
        parts.append(_table(bt, lang))
    shown = [c for c in (S.BUREAU_ID, S.RANK, S.VALUE_PER_HOUR, S.TURNOUT_PRED, S.SHARE_PRED,
                         S.SWING_PROB, S.FLIP_PROB, S.INSCRITS, "persuadables", "abstainers")
             if c in ordered.columns]
    top_rows = _place_columns(ordered[shown].head(top), places).drop(columns="address",
                                                                      errors="ignore")
    for col in (S.TURNOUT_PRED, S.SHARE_PRED, S.SWING_PROB, S.FLIP_PROB):
        if col in top_rows:
            top_rows[col] = [percent(v, lang) for v in top_rows[col]]
    who = candidate.strip() if candidate else T["the_candidate"]
    explained = "".join(f"<p class='note' id='explain-{col}'>{esc(T[col].format(c=who))}</p>"
                        for col in (S.SWING_PROB, S.FLIP_PROB) if col in top_rows)
    parts.append(f"<h2 id='top'>{esc(T['top'].format(n=min(top, len(ordered))))}</h2>"
                 + _table(top_rows, lang) + explained)
    if params:
        pt = pd.DataFrame({"parameter": [column_label(k, lang) for k in params],
                           "name": list(params),
                           "value": [short(v, lang) for v in params.values()]})
        parts.append(f"<h2 id='params'>{esc(T['params'])}</h2>" + _table(pt, lang)
                     + f"<p class='note'>{esc(T['defaults'])}, "
                     f"<a href='{PONS_URL}'>doi:10.1257/aer.20160524</a>; "
                     "docs/targeting.md (swingcast).</p>")
    if sources:
        seen = dict.fromkeys((str(p), str(lic)) for p, lic in sources)
        parts.append(f"<h2 id='sources'>{esc(T['sources'])}</h2><ul>" + "".join(
            f"<li>{esc(p)} — {_licence_link(lic)}</li>" for p, lic in seen) + "</ul>")
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts.append(f"<p><small>{esc(T['made'].format(stamp=stamp))}</small></p></body></html>")
    with atomic_write(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(parts))
    return path
