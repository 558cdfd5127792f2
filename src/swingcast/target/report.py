"""Outputs: the ranking and plan as CSV and GeoPackage, and a one-page self-contained HTML report."""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from os import PathLike
from pathlib import Path

import geopandas as gpd
import pandas as pd

from swingcast import schema as S
from swingcast.cache import atomic_write
from swingcast.csvout import write_csv
from swingcast.errors import SchemaError

__all__ = ["RANKING_COLUMNS", "write_table", "write_geopackage", "html_report"]

#: the first columns of ``ranking.csv``, in order (the rest follow)
RANKING_COLUMNS = (
    S.BUREAU_ID, S.RANK, S.VALUE_PER_HOUR, S.TURNOUT_PRED, S.TURNOUT_LO, S.TURNOUT_HI,
    S.SHARE_PRED, S.SHARE_LO, S.SHARE_HI, S.SWING_PROB, S.MARGIN_PRED, S.MARGIN_LO, S.MARGIN_HI,
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


def _fmt(value: object) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.0f}"
    return html.escape(str(value))


def _table(df: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{_fmt(v)}</td>" for v in row) + "</tr>"
        for row in df.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


_CSS = (
    "body{font-family:sans-serif;max-width:60rem;margin:1rem auto;color:#222}"
    "table{border-collapse:collapse;font-size:.85rem}td,th{border:1px solid #ccc;"
    "padding:.2rem .4rem;text-align:right}th{background:#f4f4f4}"
    ".kpi{display:flex;gap:1rem;flex-wrap:wrap}.kpi div{border:1px solid #ddd;padding:.5rem 1rem}"
    ".kpi b{display:block;font-size:1.4rem}img{max-width:100%}"
)


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
) -> Path:
    """Write a one-page, self-contained HTML report (the PNG map embedded as base64).

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
        Back-test quality figures (name -> value), shown as a table.
    params : mapping, optional
        Targeting parameters, shown for transparency.
    top : int
        Number of bureaux listed.

    Examples
    --------
    >>> import tempfile, os
    >>> r = pd.DataFrame({"rank": [1], "value_per_hour": [0.5], "inscrits": [1000]},
    ...                  index=pd.Index(["75056_101"], name="bureau_id"))
    >>> f = html_report(os.path.join(tempfile.mkdtemp(), "r.html"), title="t", ranking=r)
    >>> "75056_101" in f.read_text()
    True
    """
    if S.RANK not in ranking.columns:
        raise SchemaError(f"ranking: missing column {S.RANK!r}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ordered = _ordered(ranking).sort_values(S.RANK)
    kpis = {"bureaux ranked": f"{len(ordered):,}"}
    if S.INSCRITS in ordered.columns:
        kpis["registered voters"] = f"{int(ordered[S.INSCRITS].sum()):,}"
    if plan is not None and len(plan):
        kpis["volunteer-hours planned"] = f"{plan[S.HOURS].sum():,.0f}"
        kpis["bureaux in the plan"] = f"{len(plan):,}"
        kpis["expected net votes"] = f"{plan[S.EXPECTED_VOTES].sum():,.0f}"
        if "turf" in plan.columns:
            kpis["turfs"] = f"{plan['turf'].nunique():,}"
    parts = [
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}"
        f"</title><style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1>",
        "<div class='kpi'>"
        + "".join(f"<div><b>{v}</b>{html.escape(k)}</div>" for k, v in kpis.items())
        + "</div>",
    ]
    if map_png is not None:
        data = base64.b64encode(Path(map_png).read_bytes()).decode("ascii")
        parts.append(f"<h2>Priority map</h2><img alt='priority map' src='data:image/png;base64,{data}'>")
    shown = [c for c in (S.BUREAU_ID, S.RANK, S.VALUE_PER_HOUR, S.TURNOUT_PRED, S.SHARE_PRED,
                         S.SWING_PROB, S.INSCRITS, "persuadables", "abstainers")
             if c in ordered.columns]
    parts.append(f"<h2>Top {min(top, len(ordered))} bureaux</h2>" + _table(ordered[shown].head(top)))
    if backtest:
        bt = pd.DataFrame({"figure": list(backtest), "value": list(backtest.values())})
        parts.append("<h2>Back-test quality</h2>" + _table(bt))
    if params:
        pt = pd.DataFrame({"parameter": list(params), "value": list(params.values())})
        parts.append("<h2>Targeting parameters</h2>" + _table(pt)
                     + "<p>Definitions and sources: docs/targeting.md.</p>")
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts.append(f"<p><small>swingcast, {stamp}. Data: Ministère de l'Intérieur, INSEE, IGN "
                 "(Licence Ouverte / Etalab); Ville de Paris (ODbL).</small></p></body></html>")
    with atomic_write(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(parts))
    return path
