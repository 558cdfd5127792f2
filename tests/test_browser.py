"""map.html and report.html opened in a real headless Chromium with the network disabled.

The assertions are on the DOM after the page's scripts ran (``tests/chromium.py`` speaks the
DevTools protocol over a pipe). The figures they compare with are read from the raw files
independently: the contours GeoJSON, the Ville de Paris polling places CSV, ``ranking.csv``,
``plan.csv`` and ``backtest.json``. Markup in ids, names and titles must come out as text.

Without chromium the tests skip, saying so; ``.ci/run`` installs it and sets
``SWINGCAST_REQUIRE_BROWSER=1``, which turns the skip into a failure.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from swingcast.target.maps import place_table, priority_frame, priority_html
from swingcast.target.report import html_report
from swingcast.target.value import rank_bureaux

_spec = importlib.util.spec_from_file_location("chromium", Path(__file__).with_name("chromium.py"))
chromium = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(chromium)

# one point inside a shape, found by asking the page what is under each point of a grid
_POINT_IN = """(function (sel) {
  var el = document.querySelector(sel), r = el.getBoundingClientRect();
  for (var i = 1; i < 12; i++) for (var j = 1; j < 12; j++) {
    var x = r.left + r.width * i / 12, y = r.top + r.height * j / 12;
    if (document.elementFromPoint(x, y) === el) { return [x, y]; }
  }
  return null;
})(%s)"""


@pytest.fixture(scope="module")
def page():
    if chromium.find_chromium() is None:
        reason = ("chromium is not installed (apt-get install chromium); .ci/run installs it "
                  "and runs these tests")
        if os.environ.get("SWINGCAST_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    with chromium.Page(width=1200, height=900) as p:
        yield p


def _hover(page, selector: str) -> str:
    point = page.eval(_POINT_IN % json.dumps(selector))
    assert point is not None, f"no visible point of {selector}"
    page.mouse("mouseMoved", *point)
    text = page.eval("document.getElementById('tip').hidden ? null : "
                     "document.getElementById('tip').innerText")
    return text.replace("\xa0", " ")  # no-break spaces before % compare as spaces


def _only_local(page) -> None:
    """No console error, no failed load, nothing asked of the network."""
    assert page.errors() == []
    schemes = {url.split(":", 1)[0] for url in page.requests()}
    assert schemes <= {"file", "data"}, page.requests()


# --- markup in ids, names and titles (no shared data needed) ---------------------------------

EVIL_ID = '75056_1"><img src=x onerror="window.pwned=1">'
EVIL_NAME = "</script><script>window.pwned=2</script><!--"
EVIL_TITLE = "</title><script>window.pwned=3</script>"


@pytest.fixture
def evil(tmp_path):
    ids = pd.Index([EVIL_ID, "75056_102", "75056_103"], name="bureau_id")
    pred = pd.DataFrame({"inscrits": [1000, 800, 1200], "turnout_pred": [0.8, 0.7, 0.75],
                         "share_pred": [0.6, 0.5, 0.9], "swing_prob": [0.9, 0.5, 1.0],
                         "arrondissement_code": ["<b>75101</b>"] * 3}, index=ids)
    shapes = gpd.GeoDataFrame(
        geometry=[box(651000 + 500 * i, 6862000, 651500 + 500 * i, 6862500) for i in range(3)],
        index=ids, crs="EPSG:2154")
    ranking = rank_bureaux(pred)
    places = pd.DataFrame({"bureau_id": list(ids), "place_name": [EVIL_NAME, "ECOLE", "MAIRIE"],
                           "address": ["<i>1 rue</i>", "2 rue", "3 rue"], "postcode": ["75001"] * 3})
    plan = pd.DataFrame({"hours": [10.0, 5.0], "doors_knocked": [150.0, 75.0],
                         "expected_votes": [3.0, 1.0], "turf": [1, 2]}, index=ids[:2])
    frame = priority_frame(ranking, shapes)
    map_html = priority_html(frame, tmp_path / "map.html", plan=plan, places=place_table(places),
                             title=EVIL_TITLE, candidate=EVIL_NAME, attribution=EVIL_NAME)
    report = html_report(tmp_path / "report.html", title=EVIL_TITLE, ranking=ranking, plan=plan,
                         places=places, params={"doors_per_hour": 15.0, "contact_rate": 0.48,
                                                "persuasion_rate": 0.13, "persuasion_gain": 2.0,
                                                "mobilisation_rate": 0.0, "voters_per_door": 1.4,
                                                "race": "national"},
                         sources=[(EVIL_NAME, "ODbL")], candidate=EVIL_NAME, map_html="map.html")
    return map_html, report, ranking


def test_markup_in_the_map_stays_text(page, evil):
    map_html, _, ranking = evil
    page.open(map_html)
    assert page.eval("window.pwned === undefined")
    assert page.eval("document.title") == EVIL_TITLE
    assert page.eval("document.querySelectorAll('img').length") == 0
    assert page.eval("document.scripts.length") == 2  # the JSON config and the page's code
    ids = page.eval("Array.from(document.querySelectorAll('path.shape'), p => p.dataset.id)")
    assert sorted(ids) == sorted(ranking.index)
    tip = _hover(page, f"path.shape[data-id={json.dumps(EVIL_ID)}]")
    assert EVIL_NAME in tip and EVIL_ID in tip and "<i>1 rue</i>, 75001" in tip
    labels = page.eval("Array.from(document.querySelectorAll('g.labels text'), t => t.textContent)")
    assert labels == ["<b>75101</b>"]
    assert page.eval("document.querySelector('footer').firstChild.textContent") == EVIL_NAME + " "
    _only_local(page)


def test_markup_in_the_report_stays_text(page, evil):
    _, report, _ = evil
    page.open(report)
    assert page.eval("window.pwned === undefined")
    assert page.eval("document.title") == EVIL_TITLE
    assert page.eval("document.querySelector('h1').textContent") == EVIL_TITLE
    assert page.eval("document.scripts.length") == 0 and page.eval("document.images.length") == 0
    cells = page.eval("Array.from(document.querySelectorAll('td'), t => t.textContent)")
    assert EVIL_ID in cells and EVIL_NAME in cells and "<i>1 rue</i>, 75001" in cells
    assert EVIL_NAME in page.eval("document.getElementById('sources').nextElementSibling"
                                  ".textContent")
    _only_local(page)


# --- the Paris demo ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def paris(shared_dir, tmp_path_factory):
    from swingcast.cli import main
    from swingcast.pipeline import run_demo

    out = tmp_path_factory.mktemp("browser-demo")
    run_demo(out, area="paris", hours=2000)
    assert main(["report", str(out / "ranking.csv"), "--area", "paris", "--plan",
                 str(out / "plan.csv"), "--backtest", str(out / "backtest.json"), "--lang", "fr",
                 "--out", str(out / "fr" / "report.html")]) == 0
    return out


def _raw_places(shared_dir) -> dict[str, dict[str, str]]:
    """Polling places straight from the Ville de Paris CSV: '16-2' is bureau 75056_1602,
    '7-24' bureau 75056_724."""
    out = {}
    with open(shared_dir / "paris/contours/lieux-de-vote-paris-2017.csv",
              encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            arr, num = row["Identifiant du bureau de vote"].split("-")
            out[f"75056_{int(arr)}{int(num):02d}"] = row
    return out


@pytest.mark.shared
def test_paris_map_offline(page, paris, shared_dir):
    raw = json.loads((shared_dir / "paris/contours/secteurs-des-bureaux-de-vote-paris-2017"
                      ".geojson").read_text(encoding="utf-8"))
    ranking = pd.read_csv(paris / "ranking.csv", dtype={"bureau_id": str}).set_index("bureau_id")
    plan = pd.read_csv(paris / "plan.csv", dtype={"bureau_id": str})
    page.open(paris / "map.html")
    assert page.eval("document.documentElement.dataset.ready") == "1"  # the script ran
    ids = page.eval("Array.from(document.querySelectorAll('path.shape'), p => p.dataset.id)")
    assert len(ids) == len(raw["features"]) == 896 and len(set(ids)) == 896
    assert set(ids) == set(ranking.index)
    tips = page.eval("Array.from(document.querySelectorAll('path.shape'), p => p.dataset.tip)")
    tips = [t.replace("\xa0", " ") for t in tips]
    assert all(" of 896" in t and "Predicted turnout" in t for t in tips)
    hours = plan.groupby("bureau_id")["hours"].sum()
    assert page.eval("document.querySelectorAll('path.shape.planned').length") == (hours > 0).sum()
    labels = page.eval("Array.from(document.querySelectorAll('g.labels text'), t => t.textContent)")
    assert sorted(labels) == sorted(["1st", "2nd", "3rd"] + [f"{n}th" for n in range(4, 21)])
    # the top bureau's tooltip: polling place from the raw CSV, rank, interval, hours
    best = ranking["rank"].idxmin()
    tip = _hover(page, f"path.shape[data-id='{best}']")
    place = _raw_places(shared_dir)[best]
    row = ranking.loc[best]
    assert tip.startswith(place["Libellé du bureau de vote"].strip())
    assert place["Adresse"].strip() in tip and "Rank 1 of 896" in tip
    assert f"Predicted turnout: {100 * row['turnout_pred']:.1f} % (interval " \
           f"{100 * row['turnout_lo']:.1f}–{100 * row['turnout_hi']:.1f} %)" in tip
    assert f"Planned: {hours[best]:,.0f} volunteer-hours" in tip
    assert f"Probability of coming first in the bureau: {100 * row['swing_prob']:.1f} %" in tip
    assert f"Probability that first place changes side: {100 * row['flip_prob']:.1f} %" in tip
    # search and zoom work
    page.eval(f"var f = document.getElementById('find'); f.value = '{best}';"
              "f.dispatchEvent(new Event('input'))")
    assert page.eval("document.querySelectorAll('path.shape.match').length") == 1
    assert page.eval("document.getElementById('found').textContent") == "1 found"
    before = page.eval("document.querySelector('svg.swingcast-map').getAttribute('viewBox')")
    page.eval("document.getElementById('zin').click()")
    assert page.eval("document.querySelector('svg.swingcast-map').getAttribute('viewBox')") != before
    _only_local(page)


@pytest.mark.shared
def test_paris_report_offline(page, paris, shared_dir):
    plan = pd.read_csv(paris / "plan.csv", dtype={"bureau_id": str})
    metrics = json.loads((paris / "backtest.json").read_text(encoding="utf-8"))
    page.open(paris / "report.html")
    rows = page.eval("""Array.from(document.querySelectorAll('table.plan tbody tr'),
                          r => Array.from(r.cells, c => c.textContent))""")
    per = plan.groupby("bureau_id")[["hours", "doors_knocked"]].sum()
    per = per[per["hours"] > 0]
    assert len(rows) == len(per) + 1 and rows[-1][0] == "Total"
    hours_col = page.eval("Array.from(document.querySelectorAll('table.plan th'),"
                          " h => h.querySelector('small') && h.querySelector('small')"
                          ".textContent).indexOf('hours')")
    assert rows[-1][hours_col] == f"{per['hours'].sum():,.0f}"
    smalls = page.eval("Array.from(document.querySelectorAll('table.plan th'),"
                       " h => h.querySelector('small') ? h.querySelector('small').textContent : '')")
    turfs = {b: len(set(t.split(";"))) for b, t in zip(plan["bureau_id"], plan["turfs"].fillna(""),
                                                       strict=True) if t}
    for r in rows[:-1]:  # the shift turfs of each bureau, counted from plan.csv
        assert int(r[smalls.index("n_turfs")]) == turfs[r[0]]
    places = _raw_places(shared_dir)
    for r in rows[:-1]:
        assert r[1] == places[r[0]]["Libellé du bureau de vote"]
        assert r[2] == f"{places[r[0]]['Adresse']}, {places[r[0]]['Code Postal']}"
    headers = page.eval("Array.from(document.querySelectorAll('th'), h => h.textContent)")
    assert "Predicted sharesmall" not in headers and any(
        h.startswith("Predicted share") and h.endswith("share_pred") for h in headers)
    sentences = page.eval("Array.from(document.querySelectorAll('#backtest + ul li'),"
                          " l => l.textContent)")
    text = " ".join(sentences).replace("\xa0", " ")
    assert f"{100 * metrics['share']['model']['mae']:.2f} percentage points" in text
    assert "80 % of bureaux (nominal coverage)" in text
    assert f"they did in {100 * metrics['share']['model']['coverage']:.1f} %" in text
    assert f"Brier score {metrics['brier']['model']:.3f}" in text
    ev = metrics["extras"]["events"]["brier"]
    assert (f"swing_prob (the probability that the back-test's candidate comes first in the bureau; "
            f"in a duel, wins it): Brier score {ev['swing_prob']['model']:.3f}, against "
            f"{ev['swing_prob']['uniform_swing']:.3f}") in text
    assert (f"flip_prob (the probability that the bureau's first place changes side from "
            f"2017-presidentielle-1): Brier score {ev['flip_prob']['model']:.3f}") in text
    body = page.eval("document.body.innerText")
    assert "swing_prob: the probability that MACRON comes first in the bureau" in body
    assert "flip_prob: the probability that the bureau's first place goes to another side" in body
    assert "perfect poll" in text and f"({100 * metrics['anchors']['share']:.1f} %)" in text
    why = page.eval("document.querySelectorAll('#why ~ .scroll')[0].querySelectorAll('tbody tr')"
                    ".length")
    assert why == 5
    sources = page.eval("document.getElementById('sources').nextElementSibling.textContent")
    assert "Ville de Paris" in sources and "ODbL" in sources and "Licence Ouverte" in sources
    hrefs = page.eval("Array.from(document.querySelectorAll('a[href]'), a => a.href)")
    for href in hrefs:
        if href.startswith("file:"):
            assert Path(href.removeprefix("file://")).is_file(), href  # map.html, next to it
        else:
            assert href.startswith("https://"), href
        assert not href.endswith(".md")
    _only_local(page)
    # the French report
    page.open(paris / "fr" / "report.html")
    assert page.eval("document.documentElement.lang") == "fr"
    text = page.eval("document.body.innerText")
    assert "sondage parfait" in text and "Heures de bénévoles" in text and "Rang" in text
    assert "swing_prob : la probabilité que" in text and "flip_prob : la probabilité que la tête" in text
    assert "swing_prob (probabilité que le candidat du test arrive en tête du bureau" in text
    assert "Pourquoi ces bureaux" in text  # the default parameters reproduce the ranking
    assert page.eval("document.title").startswith("Paris, présidentielle 2017")
    _only_local(page)


@pytest.mark.shared
def test_paris_streets_are_optional_and_aligned(page, paris, shared_dir):
    """Tiles only when asked for; a point lands in the OpenStreetMap tile the slippy-map
    formula gives for its longitude and latitude, at the same place inside the tile."""
    import math

    from pyproj import Transformer

    page.open(paris / "map.html")
    assert page.eval("document.querySelectorAll('g.tiles image').length") == 0
    assert page.requests() == [(paris / "map.html").resolve().as_uri()]
    contours = gpd.read_file(shared_dir / "paris/contours/secteurs-des-bureaux-de-vote-paris"
                             "-2017.geojson").to_crs("EPSG:2154")
    minx, miny, maxx, maxy = contours.total_bounds
    scale = (900 - 2 * 9) / (maxx - minx)  # svg_map's width 900 and pad width / 100
    x, y = 651_600.0, 6_862_300.0  # a point in the 15th arrondissement, Lambert-93
    u, v = (x - minx) * scale + 9, (maxy - y) * scale + 9
    # look at 1 km around it, then ask for the streets
    page.eval(f"document.querySelector('svg.swingcast-map').setAttribute('viewBox', "
              f"'{u - 40 * scale} {v - 40 * scale} {80 * scale} {80 * scale}')")
    page.eval("var t = document.getElementById('tiles'); t.checked = true;"
              "t.dispatchEvent(new Event('change'))")
    found = page.eval(f"""(function () {{
      var svg = document.querySelector('svg.swingcast-map'), p = svg.createSVGPoint();
      p.x = {u}; p.y = {v}; p = p.matrixTransform(svg.getScreenCTM());
      var hit = Array.from(svg.querySelectorAll('g.tiles image')).filter(function (i) {{
        var r = i.getBoundingClientRect();
        return p.x >= r.left && p.x < r.right && p.y >= r.top && p.y < r.bottom; }});
      if (hit.length !== 1) {{ return hit.length; }}
      var r = hit[0].getBoundingClientRect();
      return [hit[0].getAttribute('data-tile'), hit[0].getAttribute('href'),
              (p.x - r.left) / r.width, (p.y - r.top) / r.height];
    }})()""")
    assert isinstance(found, list), f"{found} tiles under the point"
    tile, href, fx, fy = found
    z, tx, ty = map(int, tile.split("/"))
    assert 14 <= z <= 19 and href == f"https://tile.openstreetmap.org/{z}/{tx}/{ty}.png"
    lon, lat = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True).transform(x, y)
    n = 2 ** z
    gx = (lon + 180) / 360 * n
    gy = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    assert (tx, ty) == (int(gx), int(gy))
    # the same place inside the tile, to 3 % of a tile (a few metres at this zoom)
    assert fx == pytest.approx(gx - tx, abs=0.03) and fy == pytest.approx(gy - ty, abs=0.03)
    assert not page.eval("document.getElementById('osm-credit').hidden")
