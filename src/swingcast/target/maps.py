"""Maps of the priority: a static PNG (matplotlib, Agg) and an interactive HTML map that works offline."""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from os import PathLike
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from swingcast import schema as S
from swingcast.cache import atomic_write
from swingcast.errors import GeometryError, SchemaError, where
from swingcast.target.labels import area_label, check_lang, column_label, number, percent
from swingcast.target.svgmap import NO_DATA, dissolve_groups, svg_legend, svg_map

__all__ = [
    "priority_frame",
    "priority_png",
    "priority_html",
    "place_table",
    "plan_by_bureau",
    "bureau_tooltips",
    "json_for_script",
]


def priority_frame(ranking: pd.DataFrame, bureaux: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Join a ranking (or plan) to the bureau polygons.

    Parameters
    ----------
    ranking : DataFrame
        Indexed by ``bureau_id`` with ``value_per_hour``.
    bureaux : GeoDataFrame
        Polygons indexed by ``bureau_id``.

    Returns
    -------
    GeoDataFrame
        One row per ranked bureau, CRS of ``bureaux``; ``arrondissement_code`` and
        ``commune_name`` are taken from ``bureaux`` when the ranking has none.

    Raises
    ------
    GeometryError
        A ranked bureau has no polygon (ids named).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)], crs="EPSG:2154",
    ...                      index=pd.Index(["a"], name="bureau_id"))
    >>> r = pd.DataFrame({"value_per_hour": [1.0]}, index=pd.Index(["a"], name="bureau_id"))
    >>> priority_frame(r, g).geom_type.tolist()
    ['Polygon']
    """
    if S.VALUE_PER_HOUR not in ranking.columns:
        raise SchemaError(f"ranking: missing column {S.VALUE_PER_HOUR!r}")
    idx = ranking.index.astype(str)
    geo = bureaux.set_axis(bureaux.index.astype(str))
    missing = idx.difference(geo.index)
    if len(missing):
        raise GeometryError(f"{where(ids=missing)}: ranked bureau without a polygon")
    table = ranking.set_axis(idx)
    for col in (S.ARRONDISSEMENT_CODE, S.COMMUNE_NAME):  # for the borders and their labels
        if col in geo.columns and col not in table.columns:
            table = table.assign(**{col: geo.loc[idx, col].to_numpy()})
    out = gpd.GeoDataFrame(table, geometry=geo.loc[idx].geometry.to_numpy(), crs=bureaux.crs)
    out.index.name = S.BUREAU_ID
    return out


def place_table(places: gpd.GeoDataFrame | pd.DataFrame | None) -> pd.DataFrame:
    """Polling place name and one-line address per bureau, from :func:`read_polling_places`.

    Returns
    -------
    DataFrame
        Indexed by ``bureau_id``, columns ``place_name`` and ``address`` (address and
        postcode joined); empty when ``places`` is None.

    Examples
    --------
    >>> p = pd.DataFrame({"bureau_id": ["75056_107"], "place_name": ["ECOLE"],
    ...                   "address": ["6 RUE MOLIERE"], "postcode": ["75001"]})
    >>> place_table(p).loc["75056_107"].tolist()
    ['ECOLE', '6 RUE MOLIERE, 75001']
    """
    if places is None or not len(places):
        return pd.DataFrame(columns=["place_name", "address"], index=pd.Index([], name=S.BUREAU_ID))
    df = pd.DataFrame(places.drop(columns="geometry", errors="ignore"))
    if S.BUREAU_ID in df.columns:
        df = df.set_index(S.BUREAU_ID)
    df.index = df.index.astype(str)
    out = pd.DataFrame(index=df.index)
    out["place_name"] = df.get("place_name", pd.Series("", index=df.index)).fillna("").astype(str)
    address = df.get("address", pd.Series("", index=df.index)).fillna("").astype(str).str.strip()
    postcode = df.get("postcode", pd.Series("", index=df.index)).fillna("").astype(str).str.strip()
    out["address"] = [", ".join(p for p in (a, c) if p) for a, c in zip(address, postcode, strict=True)]
    out.index.name = S.BUREAU_ID
    return out


#: plan columns summed per bureau (a bureau may be cut into several turfs)
PLAN_SUMS = (S.HOURS, "doors_knocked", S.EXPECTED_VOTES)


def plan_by_bureau(plan: pd.DataFrame | None) -> pd.DataFrame:
    """Hours, doors knocked and expected votes per bureau, summed over the plan's rows.

    Examples
    --------
    >>> plan = pd.DataFrame({"bureau_id": ["a", "a", "b"], "hours": [3, 3, 2],
    ...                      "doors_knocked": [45, 45, 30], "expected_votes": [1.0, 1.0, 0.5]})
    >>> plan_by_bureau(plan).loc["a"].tolist()
    [6.0, 90.0, 2.0]
    """
    if plan is None or not len(plan):
        return pd.DataFrame(columns=list(PLAN_SUMS), index=pd.Index([], name=S.BUREAU_ID))
    df = pd.DataFrame(plan.drop(columns="geometry", errors="ignore"))
    if S.BUREAU_ID in df.columns:
        df = df.set_index(S.BUREAU_ID)
    df.index = df.index.astype(str)
    cols = [c for c in PLAN_SUMS if c in df.columns]
    out = df[cols].apply(pd.to_numeric, errors="coerce").astype(float).groupby(level=0).sum()
    out.index.name = S.BUREAU_ID
    return out


def _interval(row: Mapping[str, object], what: str, lang: str) -> str:
    pred, lo, hi = (row.get(f"{what}_{k}") for k in ("pred", "lo", "hi"))
    text = percent(pred, lang)
    if lo is not None and hi is not None and pd.notna(lo) and pd.notna(hi):
        word = "intervalle" if lang == "fr" else "interval"
        text += f" ({word} {number(100 * lo, lang, 1)}–{percent(hi, lang)})"
    return text


def bureau_tooltips(
    frame: pd.DataFrame,
    *,
    plan: pd.DataFrame | None = None,
    places: pd.DataFrame | None = None,
    candidate: str | None = None,
    lang: str = "en",
) -> pd.Series:
    """Tooltip text of each bureau: place, address, rank, predictions with intervals, hours.

    Parameters
    ----------
    frame : DataFrame
        A ranking (or :func:`priority_frame`), indexed by ``bureau_id``.
    plan : DataFrame, optional
        The plan (hours, doors, expected votes are summed per bureau).
    places : DataFrame, optional
        :func:`place_table` output (polling place name and address).
    candidate : str, optional
        Whose share is predicted (named in the share line).
    lang : {"en", "fr"}
        Language.

    Returns
    -------
    Series of str
        One text per bureau, lines separated by ``"\\n"`` (plain text: escaped where drawn).

    Examples
    --------
    >>> r = pd.DataFrame({"rank": [1], "value_per_hour": [0.347], "share_pred": [0.83]},
    ...                  index=pd.Index(["75056_1602"], name="bureau_id"))
    >>> print(bureau_tooltips(r).iloc[0].replace("\\xa0", " "))
    Bureau 75056_1602
    Rank 1 of 1
    Net votes per volunteer-hour: 0.347
    Predicted share: 83.0 %
    Not in the plan
    """
    check_lang(lang)
    fr = lang == "fr"
    n = len(frame)
    places = places if places is not None else place_table(None)
    hours = plan_by_bureau(plan).to_dict("index")
    names = places["place_name"].to_dict() if len(places) else {}
    addresses = places["address"].to_dict() if len(places) else {}
    records = pd.DataFrame(frame.drop(columns="geometry", errors="ignore")).to_dict("records")
    tips = []
    for key, row in zip(frame.index.astype(str), records, strict=True):
        lines = []
        name, address = names.get(key, ""), addresses.get(key, "")
        area = row.get(S.ARRONDISSEMENT_CODE)
        where_ = (f" · {area_label(area, row.get(S.COMMUNE_NAME), lang)}"
                  if area is not None and pd.notna(area) else "")
        if name:
            lines.append(name)
        lines.append(f"Bureau {key}{where_}")
        if address:
            lines.append(address)
        if S.RANK in row and pd.notna(row[S.RANK]):
            lines.append(f"{'Rang' if fr else 'Rank'} {int(row[S.RANK])} {'sur' if fr else 'of'} {n}")
        if S.VALUE_PER_HOUR in row:
            lines.append(f"{column_label(S.VALUE_PER_HOUR, lang)} : " if fr else
                         f"{column_label(S.VALUE_PER_HOUR, lang)}: ")
            lines[-1] += number(row[S.VALUE_PER_HOUR], lang)
        colon = " : " if fr else ": "
        if S.TURNOUT_PRED in row:
            lines.append(column_label(S.TURNOUT_PRED, lang) + colon + _interval(row, "turnout", lang))
        if S.SHARE_PRED in row:
            who = f" ({candidate})" if candidate else ""
            lines.append(column_label(S.SHARE_PRED, lang) + who + colon + _interval(row, "share", lang))
        for col in (S.SWING_PROB, S.FLIP_PROB):
            if col in row and pd.notna(row[col]):
                lines.append(column_label(col, lang) + colon + percent(row[col], lang))
        h = hours.get(key, {})
        if h.get(S.HOURS, 0) > 0:
            parts = [f"{number(h[S.HOURS], lang, 0)} {'h de bénévoles' if fr else 'volunteer-hours'}"]
            if "doors_knocked" in h:
                parts.append(f"{number(h['doors_knocked'], lang, 0)} {'portes' if fr else 'doors'}")
            if S.EXPECTED_VOTES in h:
                parts.append(f"{number(h[S.EXPECTED_VOTES], lang, 1)} "
                             f"{'voix nettes attendues' if fr else 'expected net votes'}")
            lines.append(("Prévu : " if fr else "Planned: ") + ", ".join(parts))
        else:
            lines.append("Hors du plan" if fr else "Not in the plan")
        tips.append("\n".join(lines))
    return pd.Series(tips, index=frame.index.astype(str), dtype=object)


def priority_png(
    frame: gpd.GeoDataFrame,
    path: str | PathLike[str],
    *,
    title: str = "Expected net votes per volunteer-hour",
    column: str = S.VALUE_PER_HOUR,
    group: str | None = S.ARRONDISSEMENT_CODE,
    lang: str = "en",
) -> Path:
    """Draw a choropleth of ``column`` (Lambert-93) to a PNG file with the Agg backend.

    The colour bar carries the column's human label (:func:`column_label`); when ``group``
    is a column of ``frame``, each arrondissement or commune gets a border and a label.

    Examples
    --------
    >>> import tempfile, os
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame({"value_per_hour": [1.0, 2.0]}, crs="EPSG:2154",
    ...                      geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)])
    >>> p = priority_png(g, os.path.join(tempfile.mkdtemp(), "m.png"))
    >>> p.read_bytes()[:4] == b"\\x89PNG"
    True
    """
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.patheffects as pe
    import matplotlib.pyplot as plt

    check_lang(lang)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = frame.to_crs(S.LAMBERT93)
    fig, ax = plt.subplots(figsize=(8, 6), dpi=110)
    try:
        data.plot(
            column=column, ax=ax, cmap="YlOrRd", legend=True, linewidth=0.1, edgecolor="grey",
            legend_kwds={"shrink": 0.7, "label": column_label(column, lang)},
        )
        if group is not None and group in data.columns:
            groups = dissolve_groups(data, group)
            groups.boundary.plot(ax=ax, color="#333333", linewidth=0.6)
            names = data.groupby(group)[S.COMMUNE_NAME].first() if S.COMMUNE_NAME in data else {}
            for key, geom in groups.items():
                pt = geom.representative_point()
                ax.annotate(area_label(key, names.get(key) if len(names) else None, lang),
                            (pt.x, pt.y), ha="center", va="center", fontsize=7,
                            fontweight="bold", color="#222222",
                            path_effects=[pe.withStroke(linewidth=2, foreground="white")])
        ax.set_axis_off()
        ax.set_title(title)
        fig.tight_layout()
        with atomic_write(path) as tmp:
            fig.savefig(tmp, format=path.suffix.lstrip(".") or "png")
    finally:
        plt.close(fig)
    return path


def json_for_script(data: object) -> str:
    """JSON safe inside an HTML ``<script>`` element: ``<``, ``>``, ``&`` written as escapes.

    So ``</script>`` and ``<!--`` in a value can neither close the element nor open a comment.

    Examples
    --------
    >>> json_for_script({"id": "</script><!--"})
    '{"id": "\\\\u003c/script\\\\u003e\\\\u003c!--"}'
    """
    text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


_PAGE_CSS = """
*{box-sizing:border-box}body{font-family:system-ui,sans-serif;margin:0;color:#222;background:#fff}
header{padding:.6rem 1rem .2rem}h1{font-size:1.2rem;margin:0 0 .2rem}
header p{margin:.1rem 0;font-size:.85rem;color:#555}
#controls{display:flex;gap:.4rem;align-items:center;padding:.3rem 1rem;flex-wrap:wrap}
#controls button{font-size:1rem;min-width:2rem}#find{font-size:.9rem;padding:.2rem .4rem;width:18rem}
#found{font-size:.85rem;color:#555}
#mapbox{margin:0 1rem;border:1px solid #ccc;height:72vh;min-height:320px;overflow:hidden;
 touch-action:none;cursor:grab;background:#f7f7f7}
#mapbox svg{width:100%;height:100%;display:block}
.swingcast-map path{vector-effect:non-scaling-stroke}
.swingcast-map path.shape:hover,.swingcast-map path.shape.active{stroke:#000;stroke-width:2px}
.swingcast-map path.shape.planned{stroke:#08306b;stroke-width:1.6px}
.swingcast-map.searching path.shape:not(.match){fill-opacity:.25}
.swingcast-map.with-tiles path.shape{fill-opacity:.55}
#controls label{font-size:.85rem}
#legend{display:flex;gap:1.5rem;align-items:center;flex-wrap:wrap;padding:.4rem 1rem;font-size:.8rem}
.swatch{display:inline-block;width:1rem;height:.8rem;border:1px solid #999;vertical-align:middle}
.swatch.planned{border:2px solid #08306b;background:#fff}
#tip{position:fixed;z-index:10;max-width:28rem;background:#fff;border:1px solid #555;
 border-radius:4px;padding:.4rem .6rem;font-size:.82rem;box-shadow:0 2px 6px rgba(0,0,0,.25);
 pointer-events:none}#tip.pinned{pointer-events:auto}#tip strong{display:block;margin-bottom:.15rem}
#tip a{display:block;margin-top:.3rem}
footer{padding:.4rem 1rem 1rem;font-size:.75rem;color:#555}
"""

_PAGE_JS = r"""
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("swingcast-config").textContent);
  var box = document.getElementById("mapbox");
  var svg = box.querySelector("svg.swingcast-map");
  var tip = document.getElementById("tip");
  var shapes = Array.prototype.slice.call(svg.querySelectorAll("path.shape"));
  shapes.forEach(function (p) {  // the <title> becomes our tooltip (no double native tooltip)
    var t = p.querySelector("title");
    p.setAttribute("data-tip", t ? t.textContent : "");
    if (t) { t.remove(); }
  });
  var pinned = null;
  function fill(p) {
    tip.textContent = "";
    p.getAttribute("data-tip").split("\n").forEach(function (line, i) {
      var el = document.createElement(i ? "div" : "strong");
      el.textContent = line;
      tip.appendChild(el);
    });
    var pt = cfg.points[p.getAttribute("data-id")];
    if (pinned === p && pt && typeof pt[0] === "number" && typeof pt[1] === "number") {
      var a = document.createElement("a");  // optional: streets when online, never required
      a.href = "https://www.openstreetmap.org/?mlat=" + pt[0] + "&mlon=" + pt[1] +
        "#map=17/" + pt[0] + "/" + pt[1];
      a.target = "_blank"; a.rel = "noopener";
      a.textContent = cfg.text.osm;
      tip.appendChild(a);
    }
  }
  function place(x, y) {
    tip.hidden = false;
    var w = tip.offsetWidth, h = tip.offsetHeight;
    tip.style.left = Math.max(4, Math.min(x + 14, window.innerWidth - w - 4)) + "px";
    tip.style.top = Math.max(4, Math.min(y + 14, window.innerHeight - h - 4)) + "px";
  }
  function hide() { if (!pinned) { tip.hidden = true; } }
  shapes.forEach(function (p) {
    p.addEventListener("mouseenter", function (e) {
      if (!pinned) { fill(p); place(e.clientX, e.clientY); p.classList.add("active"); }
    });
    p.addEventListener("mousemove", function (e) { if (!pinned) { place(e.clientX, e.clientY); } });
    p.addEventListener("mouseleave", function () { if (!pinned) { p.classList.remove("active"); hide(); } });
  });
  function unpin() {
    if (pinned) { pinned.classList.remove("active"); }
    pinned = null; tip.classList.remove("pinned"); tip.hidden = true;
  }
  // zoom and pan by changing the viewBox
  var vb0 = svg.getAttribute("viewBox").split(" ").map(Number), vb = vb0.slice();
  function setVB() { svg.setAttribute("viewBox", vb.join(" ")); }
  function toSvg(x, y) {
    var r = svg.getBoundingClientRect();
    var s = Math.max(vb[2] / r.width, vb[3] / r.height);
    return [vb[0] + vb[2] / 2 + (x - r.left - r.width / 2) * s,
            vb[1] + vb[3] / 2 + (y - r.top - r.height / 2) * s, s];
  }
  function zoom(f, x, y) {
    var r = svg.getBoundingClientRect();
    var c = (x === undefined) ? toSvg(r.left + r.width / 2, r.top + r.height / 2) : toSvg(x, y);
    var w = Math.min(Math.max(vb[2] * f, vb0[2] / 40), vb0[2] * 2);
    var k = w / vb[2];
    vb = [c[0] - (c[0] - vb[0]) * k, c[1] - (c[1] - vb[1]) * k, vb[2] * k, vb[3] * k];
    setVB();
  }
  box.addEventListener("wheel", function (e) {
    e.preventDefault(); zoom(e.deltaY < 0 ? 0.8 : 1.25, e.clientX, e.clientY);
  }, {passive: false});
  var drag = null;
  box.addEventListener("pointerdown", function (e) { drag = {x: e.clientX, y: e.clientY, moved: false}; });
  window.addEventListener("pointermove", function (e) {
    if (!drag) { return; }
    var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) { return; }
    drag.moved = true; box.style.cursor = "grabbing";
    var s = toSvg(0, 0)[2];
    vb[0] -= dx * s; vb[1] -= dy * s; drag.x = e.clientX; drag.y = e.clientY; setVB();
  });
  window.addEventListener("pointerup", function (e) {
    var d = drag; drag = null; box.style.cursor = "";
    if (d && d.moved) { return; }
    var p = e.target && e.target.closest ? e.target.closest("path.shape") : null;
    if (!p || !box.contains(p)) { if (!tip.contains(e.target)) { unpin(); } return; }
    if (pinned) { pinned.classList.remove("active"); }
    pinned = p; p.classList.add("active"); tip.classList.add("pinned");
    fill(p); place(e.clientX, e.clientY);
  });
  document.getElementById("zin").addEventListener("click", function () { zoom(0.8); });
  document.getElementById("zout").addEventListener("click", function () { zoom(1.25); });
  document.getElementById("zreset").addEventListener("click", function () { vb = vb0.slice(); setVB(); });
  // find a bureau by id, polling place or address
  var find = document.getElementById("find"), found = document.getElementById("found");
  find.addEventListener("input", function () {
    var q = find.value.trim().toLowerCase(), n = 0;
    shapes.forEach(function (p) {
      var hit = q !== "" && (p.getAttribute("data-id") + "\n" + p.getAttribute("data-tip"))
        .toLowerCase().indexOf(q) >= 0;
      p.classList.toggle("match", hit); if (hit) { n += 1; }
    });
    svg.classList.toggle("searching", q !== "");
    found.textContent = q === "" ? "" : cfg.text.found.replace("{n}", String(n));
  });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") { unpin(); } });
  // optional streets: OpenStreetMap tiles under the shapes, only when asked for (online)
  var m = (svg.getAttribute("data-mercator") || "").split(" ").map(Number);
  var tilesBox = document.getElementById("tiles"), credit = document.getElementById("osm-credit");
  var W = 20037508.342789244, tileTimer = null;
  function drawTiles() {
    var old = svg.querySelector("g.tiles");
    if (old) { old.remove(); }
    if (!tilesBox.checked || m.length !== 6) { return; }
    var det = m[0] * m[4] - m[1] * m[3];
    function merc(u, v) {  // SVG units -> Web Mercator metres (inverse of the affine map)
      var du = u - m[2], dv = v - m[5];
      return [(m[4] * du - m[1] * dv) / det, (-m[3] * du + m[0] * dv) / det];
    }
    var cur = svg.getAttribute("viewBox").split(" ").map(Number), r = svg.getBoundingClientRect();
    var perPx = Math.max(cur[2] / r.width, cur[3] / r.height) / Math.sqrt(Math.abs(det));
    var z = Math.max(3, Math.min(19, Math.round(Math.log2(2 * W / 256 / perPx))));
    var corners = [merc(cur[0], cur[1]), merc(cur[0] + cur[2], cur[1]),
                   merc(cur[0], cur[1] + cur[3]), merc(cur[0] + cur[2], cur[1] + cur[3])];
    var xs = corners.map(function (c) { return c[0]; }), ys = corners.map(function (c) { return c[1]; });
    var n, size, x0, x1, y0, y1;
    for (;; z -= 1) {
      n = Math.pow(2, z); size = 2 * W / n;
      x0 = Math.floor((Math.min.apply(null, xs) + W) / size);
      x1 = Math.floor((Math.max.apply(null, xs) + W) / size);
      y0 = Math.floor((W - Math.max.apply(null, ys)) / size);
      y1 = Math.floor((W - Math.min.apply(null, ys)) / size);
      if ((x1 - x0 + 1) * (y1 - y0 + 1) <= 80 || z <= 3) { break; }
    }
    var g = document.createElementNS("http://www.w3.org/2000/svg", "g");
    g.setAttribute("class", "tiles"); g.setAttribute("pointer-events", "none");
    for (var tx = Math.max(0, x0); tx <= Math.min(n - 1, x1); tx++) {
      for (var ty = Math.max(0, y0); ty <= Math.min(n - 1, y1); ty++) {
        var mx = -W + tx * size, my = W - ty * size;
        var img = document.createElementNS("http://www.w3.org/2000/svg", "image");
        img.setAttribute("href", "https://tile.openstreetmap.org/" + z + "/" + tx + "/" + ty + ".png");
        img.setAttribute("width", "1"); img.setAttribute("height", "1");
        img.setAttribute("preserveAspectRatio", "none");
        img.setAttribute("data-tile", z + "/" + tx + "/" + ty);
        img.setAttribute("transform", "matrix(" + [m[0] * size, m[3] * size, -m[1] * size,
          -m[4] * size, m[0] * mx + m[1] * my + m[2], m[3] * mx + m[4] * my + m[5]].join(" ") + ")");
        g.appendChild(img);
      }
    }
    svg.insertBefore(g, svg.firstChild);
  }
  function later() { if (tilesBox.checked) { clearTimeout(tileTimer); tileTimer = setTimeout(drawTiles, 150); } }
  tilesBox.addEventListener("change", function () {
    svg.classList.toggle("with-tiles", tilesBox.checked);
    credit.hidden = !tilesBox.checked;
    drawTiles();
  });
  new MutationObserver(later).observe(svg, {attributes: true, attributeFilter: ["viewBox"]});
  document.documentElement.setAttribute("data-ready", "1");
})();
"""

_PAGE_TEXT = {
    "en": {"help": "Colour: {label}. Hover or tap a bureau for its figures; scroll or +/− to "
                   "zoom, drag to move. Thick dark outline: bureau in the plan.",
           "find": "Find a bureau (number, polling place, address)", "reset": "Whole map",
           "found": "{n} found", "osm": "Open the streets in OpenStreetMap (online)",
           "planned": "in the plan", "nodata": "no value",
           "interval": "Intervals: nominal {level} prediction intervals.",
           "tiles": "Streets underneath (online only, OpenStreetMap)"},
    "fr": {"help": "Couleur : {label}. Survoler ou toucher un bureau pour ses chiffres ; "
                   "molette ou +/− pour zoomer, glisser pour déplacer. Contour épais : bureau "
                   "du plan.",
           "find": "Chercher un bureau (numéro, lieu de vote, adresse)", "reset": "Toute la carte",
           "found": "{n} trouvé(s)", "osm": "Voir les rues dans OpenStreetMap (en ligne)",
           "planned": "dans le plan", "nodata": "sans valeur",
           "interval": "Intervalles : intervalles de prévision à {level} (nominal).",
           "tiles": "Rues en fond (en ligne seulement, OpenStreetMap)"},
}


def priority_html(
    frame: gpd.GeoDataFrame,
    path: str | PathLike[str],
    *,
    column: str = S.VALUE_PER_HOUR,
    simplify: float = 5.0,
    plan: pd.DataFrame | None = None,
    places: pd.DataFrame | None = None,
    title: str = "",
    candidate: str | None = None,
    coverage: float | None = 0.8,
    attribution: str = "",
    lang: str = "en",
) -> Path:
    """Write an interactive map of ``column`` that works offline: one HTML file, no download.

    The bureaux are SVG paths (:func:`swingcast.target.svgmap.svg_map`) coloured by
    ``column``, with arrondissement or commune borders and labels, a legend, a tooltip per
    bureau (:func:`bureau_tooltips`: polling place, address, rank, predictions with their
    intervals, hours planned), zoom, pan and a search box. The page's CSS and JavaScript are
    inlined; nothing is fetched when it opens. Two things use the web, only when asked for
    and never needed: the "streets underneath" box lays OpenStreetMap tiles under the
    shapes (placed with the ``data-mercator`` map of :func:`svg_map`), and a pinned
    tooltip links to the streets around the bureau.

    Parameters
    ----------
    frame : GeoDataFrame
        From :func:`priority_frame`.
    path : str or PathLike
        The HTML file.
    column : str
        The value coloured.
    simplify : float
        Geometry simplification tolerance in metres (keeps the file small).
    plan : DataFrame, optional
        The plan: planned bureaux are outlined and their hours shown.
    places : DataFrame, optional
        :func:`place_table` output (polling place name and address per bureau).
    title : str
        Page title.
    candidate : str, optional
        Whose share is predicted.
    coverage : float, optional
        Nominal coverage of the intervals (stated under the map).
    attribution : str
        Data credits shown in the footer (plain text, escaped).
    lang : {"en", "fr"}
        Language of the page.

    Examples
    --------
    >>> import tempfile, os
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame({"value_per_hour": [1.0, 2.0]}, crs="EPSG:4326",
    ...                      geometry=[box(2.3, 48.8, 2.31, 48.81), box(2.31, 48.8, 2.32, 48.81)])
    >>> page = priority_html(g, os.path.join(tempfile.mkdtemp(), "m.html")).read_text()
    >>> page.count('<path class="shape'), "http://" in page.replace("http://www.w3.org/2000/svg", "")
    (2, False)
    """
    check_lang(lang)
    text = _PAGE_TEXT[lang]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = frame.to_crs(S.LAMBERT93)
    data = data.set_axis(data.index.astype(str))
    tips = bureau_tooltips(data, plan=plan, places=places, candidate=candidate, lang=lang)
    hours = plan_by_bureau(plan)
    planned = hours.index[hours[S.HOURS] > 0] if S.HOURS in hours else hours.index
    classes = pd.Series(np.where(data.index.isin(planned), "planned", ""), index=data.index)
    points = data.geometry.representative_point().to_crs("EPSG:4326")
    config = {"points": {k: [round(p.y, 6), round(p.x, 6)] for k, p in points.items()},
              "text": {"osm": text["osm"], "found": text["found"]}}
    values = pd.to_numeric(data[column], errors="coerce") if column in data else pd.Series(dtype=float)
    lo, hi = (float(values.min()), float(values.max())) if values.notna().any() else (0.0, 1.0)
    label = column_label(column, lang)
    legend = svg_legend(lo, hi, label, ticks=[number(v, lang) for v in (lo, (lo + hi) / 2, hi)])
    esc = html.escape
    interval = (text["interval"].format(level=percent(coverage, lang, 0))
                if coverage is not None else "")
    head = (
        f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{esc(title or label)}</title><style>{_PAGE_CSS}</style></head><body>"
        f"<header><h1>{esc(title or label)}</h1>"
        f"<p>{esc(text['help'].format(label=label))} <small>({esc(column)})</small></p></header>"
        "<div id='controls'><button id='zin' type='button' aria-label='+'>+</button>"
        "<button id='zout' type='button' aria-label='−'>−</button>"
        f"<button id='zreset' type='button'>{esc(text['reset'])}</button>"
        f"<input id='find' type='search' placeholder='{esc(text['find'])}' "
        f"aria-label='{esc(text['find'])}'><span id='found'></span>"
        f"<label><input id='tiles' type='checkbox'> {esc(text['tiles'])}</label></div>"
        "<div id='mapbox'>"
    )
    with atomic_write(path, "w", encoding="utf-8") as handle:
        handle.write(head)
        handle.write(svg_map(data, column=column if column in data else None, tooltips=tips,
                             classes=classes, group=S.ARRONDISSEMENT_CODE
                             if S.ARRONDISSEMENT_CODE in data else None,
                             group_labels=_group_labels(data, lang), lo=lo, hi=hi,
                             simplify=simplify, title=title or label))
        handle.write(
            f"</div><div id='legend'>{legend}"
            f"<span><span class='swatch' style='background:{NO_DATA}'></span> {esc(text['nodata'])}"
            f"</span><span><span class='swatch planned'></span> {esc(text['planned'])}</span>"
            f"<span>{esc(interval)}</span></div>"
            "<div id='tip' role='tooltip' hidden></div>"
            f"<footer>{esc(attribution)} <span id='osm-credit' hidden>"
            "Streets: © <a href='https://www.openstreetmap.org/copyright'>OpenStreetMap</a> "
            "contributors.</span></footer>"
            f"<script type='application/json' id='swingcast-config'>{json_for_script(config)}"
            f"</script><script>{_PAGE_JS}</script></body></html>"
        )
    return path


def _group_labels(data: pd.DataFrame, lang: str) -> dict[str, str]:
    if S.ARRONDISSEMENT_CODE not in data:
        return {}
    codes = data[S.ARRONDISSEMENT_CODE].astype(str)
    names = (data[S.COMMUNE_NAME].astype(str) if S.COMMUNE_NAME in data
             else pd.Series("", index=data.index))
    first = pd.DataFrame({"code": codes, "name": names}).groupby("code")["name"].first()
    return {code: area_label(code, name or None, lang) for code, name in first.items()}
