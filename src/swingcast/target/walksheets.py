"""Printable walk sheets: one self-contained HTML page per turf, and an index of the turfs.

A walk sheet is what a team takes out for its shift: the turf's number, team and shift, the
bureaux it covers with their hours and whole doors, a small map (an inline SVG from
:func:`swingcast.target.svgmap.svg_map`: the turf's bureaux in colour among their grey
neighbours, and its address points when known), the addresses in walking order when REU
points are given, and a tally of the doors to tick off. Pages have no script and fetch nothing;
their CSS prints each sheet on A4.
"""

from __future__ import annotations

import html
from os import PathLike
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from swingcast import schema as S
from swingcast.cache import atomic_write
from swingcast.errors import SchemaError
from swingcast.target.plan import DOORS_KNOCKED
from swingcast.target.svgmap import svg_map
from swingcast.target.turfs import STOP, TURF, turf_table

__all__ = ["walk_sheet_html", "write_walk_sheets"]

_CSS = """
body { font-family: sans-serif; margin: 1.5em auto; max-width: 48em; color: #222; }
h1 { font-size: 1.4em; margin-bottom: .2em; } h2 { font-size: 1.1em; margin: 1em 0 .3em; }
.sub { color: #555; margin-top: 0; }
table { border-collapse: collapse; width: 100%; font-size: .9em; }
th, td { border: 1px solid #bbb; padding: .2em .4em; text-align: left; }
td.n, th.n { text-align: right; }
.kpi { display: flex; gap: 1.5em; flex-wrap: wrap; margin: .6em 0; }
.kpi div { border: 1px solid #bbb; padding: .3em .7em; } .kpi b { font-size: 1.3em; }
.map svg { width: 100%; max-height: 11cm; border: 1px solid #ccc; }
.tally { font-family: monospace; font-size: 1.1em; letter-spacing: .15em; line-height: 1.6; }
.note { font-size: .8em; color: #555; }
nav a { margin-right: 1em; }
@page { size: A4; margin: 12mm; }
@media print { nav { display: none; } body { margin: 0; max-width: none; }
  .map svg { max-height: 9cm; } tr { break-inside: avoid; } }
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>{body}</body></html>\n")


def _name(turf: int) -> str:
    return f"turf-{int(turf):03d}.html"


def walk_sheet_html(
    turf: int,
    turfs: gpd.GeoDataFrame,
    bureaux: gpd.GeoDataFrame,
    *,
    stops: gpd.GeoDataFrame | None = None,
    places: pd.DataFrame | None = None,
    title: str = "",
    shift_hours: float = 3.0,
    team_size: int = 2,
) -> str:
    """The HTML of the walk sheet of one turf.

    Parameters
    ----------
    turf : int
        Turf number (a value of ``turfs["turf"]``).
    turfs : GeoDataFrame
        Output of :func:`swingcast.target.turfs.build_turfs`.
    bureaux : GeoDataFrame
        Bureau polygons indexed by ``bureau_id`` (the neighbours are drawn in grey).
    stops : GeoDataFrame, optional
        Output of :func:`swingcast.target.turfs.turf_stops` (addresses in walking order).
    places : DataFrame, optional
        Polling places indexed by ``bureau_id`` with ``place_name`` and/or ``address``.
    title : str
        Campaign or area title shown under the turf's name.
    shift_hours, team_size : float, int
        The shift the turf was cut for.

    Returns
    -------
    str
        A complete HTML page (no script, nothing fetched).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame(geometry=[box(0, 0, 99, 99), box(99, 0, 198, 99)], crs=2154,
    ...                      index=pd.Index(["a", "b"], name="bureau_id"))
    >>> t = gpd.GeoDataFrame({"turf": [1], "bureau_id": ["a"], "hours": [6.0],
    ...                       "doors_knocked": [90], "expected_votes": [2.5]},
    ...                      geometry=[box(0, 0, 99, 99)], crs=2154)
    >>> page = walk_sheet_html(1, t, g)
    >>> "Turf 1" in page, page.count('class="shape"'), "<script" in page
    (True, 2, False)
    """
    mine = turfs[turfs[TURF] == turf]
    if mine.empty:
        raise SchemaError(f"walk sheet: no turf {turf!r} in the turfs table")
    shapes = _simplified(bureaux)
    walked = None if stops is None else stops[stops[TURF] == turf]
    return _sheet(turf, _pieces(mine)[turf], shapes, walked, places, title, shift_hours,
                  team_size, {})


def _pieces(turfs: pd.DataFrame) -> dict[int, list[dict[str, object]]]:
    """Turf number -> its pieces as plain records (fast to read, page after page)."""
    cols = [TURF, S.BUREAU_ID, S.HOURS, DOORS_KNOCKED, S.EXPECTED_VOTES]
    out: dict[int, list[dict[str, object]]] = {}
    for record in pd.DataFrame(turfs[cols]).to_dict("records"):
        out.setdefault(int(record[TURF]), []).append(record)
    return out


def _simplified(bureaux: gpd.GeoDataFrame, tolerance: float = 3.0) -> gpd.GeoDataFrame:
    """Bureaux in Lambert-93, simplified once as a coverage (neighbours stay joined)."""
    shapes = bureaux.set_axis(bureaux.index.astype(str)).to_crs(S.LAMBERT93)
    try:
        simple = shapely.coverage_simplify(shapes.geometry.to_numpy(), tolerance)
    except (shapely.errors.GEOSException, ValueError):
        simple = shapes.geometry.simplify(tolerance, preserve_topology=True).to_numpy()
    return shapes.set_geometry(gpd.GeoSeries(simple, index=shapes.index, crs=shapes.crs))


def _turf_map(ids: list[str], shapes: gpd.GeoDataFrame,
              walked: gpd.GeoDataFrame | None) -> str:
    """The turf's bureaux in colour among the bureaux within 300 m (grey), and its stops."""
    own = shapes.loc[[b for b in ids if b in shapes.index]]
    near = shapes.sindex.query(own.geometry.to_numpy(), predicate="dwithin", distance=300.0)[1]
    around = shapes.iloc[np.unique(near)]
    frame = around.assign(_in=np.where(around.index.isin(ids), 1.0, np.nan))
    tips = pd.Series([f"{b} (this turf)" if b in ids else b for b in frame.index],
                     index=frame.index)
    return svg_map(frame, column="_in", lo=0.0, hi=1.0, tooltips=tips, width=600, simplify=0,
                   points=walked if walked is not None and len(walked) else None,
                   title=f"Map of bureau {', '.join(ids)} and its neighbours")


def _sheet(turf: int, mine: list[dict[str, object]], shapes: gpd.GeoDataFrame,
           walked: gpd.GeoDataFrame | None, places: pd.DataFrame | None, title: str,
           shift_hours: float, team_size: int, maps: dict[tuple[str, ...], str]) -> str:
    ids = list(dict.fromkeys(str(piece[S.BUREAU_ID]) for piece in mine))
    if walked is not None and len(walked):
        drawing = _turf_map(ids, shapes, walked)
    else:  # the full shifts of one bureau share one map
        key = tuple(ids)
        if key not in maps:
            maps[key] = _turf_map(ids, shapes, None)
        drawing = maps[key]
    doors = int(sum(piece[DOORS_KNOCKED] for piece in mine))  # type: ignore[misc]
    hours = float(sum(piece[S.HOURS] for piece in mine))  # type: ignore[misc]
    votes = float(sum(piece[S.EXPECTED_VOTES] for piece in mine))  # type: ignore[misc]
    rows = []
    for piece in mine:
        b = str(piece[S.BUREAU_ID])
        place = ""
        if places is not None and b in places.index:
            bits = [places.loc[b].get(c) for c in ("place_name", "address")]
            place = ", ".join(str(x) for x in bits if isinstance(x, str) and x)
        rows.append(f"<tr><td>{_e(b)}</td><td>{_e(place)}</td>"
                    f'<td class="n">{piece[S.HOURS]:g}</td>'
                    f'<td class="n">{int(piece[DOORS_KNOCKED])}</td>'
                    f'<td class="n">{piece[S.EXPECTED_VOTES]:.1f}</td></tr>')
    body = [
        '<nav><a href="index.html">All turfs</a></nav>',
        f"<h1>Turf {turf}</h1>",
        f'<p class="sub">{_e(title)}</p>' if title else "",
        '<div class="kpi">',
        f"<div>Team<br><b>{team_size}</b> volunteers</div>",
        f"<div>Shift<br><b>{shift_hours:g} h</b> ({hours:g} volunteer-hours)</div>",
        f"<div>Doors to knock<br><b>{doors}</b></div>",
        f"<div>Expected net votes<br><b>{votes:.1f}</b></div>",
        "</div>",
        '<h2>Bureaux</h2><table><tr><th>Bureau</th><th>Polling place</th>'
        '<th class="n">Volunteer-hours</th><th class="n">Doors</th>'
        '<th class="n">Expected net votes</th></tr>' + "".join(rows) + "</table>",
        f'<h2>Map</h2><div class="map">{drawing}</div>',
        '<p class="note">In colour: this turf. Grey: neighbouring bureaux. '
        + ("Dots: the addresses to visit." if walked is not None and len(walked) else "")
        + "</p>",
    ]
    if walked is not None and len(walked):
        wgs = walked.to_crs("EPSG:4326")
        lines = "".join(
            f'<tr><td class="n">{int(s)}</td><td>{_e(b)}</td><td class="n">{int(n)}</td>'
            f'<td>{p.y:.5f}, {p.x:.5f}</td><td></td></tr>'
            for s, b, n, p in zip(wgs[STOP], wgs[S.BUREAU_ID], wgs[S.N_ADDRESSES], wgs.geometry,
                                  strict=True))
        body.append(f"<h2>Addresses in walking order ({len(walked)} stops, "
                    f"{int(walked[S.N_ADDRESSES].sum())} addresses)</h2>"
                    '<table><tr><th class="n">Stop</th><th>Bureau</th>'
                    '<th class="n">Addresses</th><th>Latitude, longitude</th><th>Done</th></tr>'
                    f"{lines}</table>")
    boxes = "<br>".join(" ".join(["&#9744;"] * min(10, doors - k)) for k in range(0, doors, 10))
    body.append(f"<h2>Doors ({doors}): tick one per door knocked</h2>"
                f'<div class="tally">{boxes}</div>'
                "<p>Opened: ________ &nbsp; Not at home: ________ &nbsp; Refused: ________</p>")
    return _page(f"Turf {turf}", "".join(body))


def write_walk_sheets(
    turfs: gpd.GeoDataFrame,
    bureaux: gpd.GeoDataFrame,
    out: str | PathLike[str],
    *,
    stops: gpd.GeoDataFrame | None = None,
    places: pd.DataFrame | None = None,
    title: str = "",
    shift_hours: float = 3.0,
    team_size: int = 2,
) -> Path:
    """Write one walk sheet per turf (``turf-001.html`` ...) and ``index.html`` into ``out``.

    Parameters are those of :func:`walk_sheet_html`; ``out`` is the folder (created).

    Returns
    -------
    Path
        The index page.

    Examples
    --------
    >>> import tempfile
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame(geometry=[box(0, 0, 99, 99)], crs=2154,
    ...                      index=pd.Index(["a"], name="bureau_id"))
    >>> t = gpd.GeoDataFrame({"turf": [1, 2], "bureau_id": ["a", "a"], "hours": [6.0, 2.0],
    ...                       "doors_knocked": [90, 30], "expected_votes": [2.5, 0.8]},
    ...                      geometry=[box(0, 0, 99, 99)] * 2, crs=2154)
    >>> index = write_walk_sheets(t, g, tempfile.mkdtemp())
    >>> sorted(p.name for p in index.parent.iterdir())
    ['index.html', 'turf-001.html', 'turf-002.html']
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    table = turf_table(turfs, stops)
    shapes = _simplified(bureaux)
    walks = {} if stops is None else dict(list(stops.groupby(TURF)))
    maps: dict[tuple[str, ...], str] = {}
    for turf, mine in sorted(_pieces(turfs).items()):
        page = _sheet(turf, mine, shapes, walks.get(turf), places, title, shift_hours,
                      team_size, maps)
        with atomic_write(out / _name(turf)) as tmp:  # renamed into place, no fsync each
            tmp.write_text(page, encoding="utf-8")
    rows = "".join(
        f'<tr><td><a href="{_name(t)}">Turf {int(t)}</a></td>'
        f"<td>{_e(r['bureaux'].replace(';', ', '))}</td>"
        f'<td class="n">{r[S.HOURS]:g}</td><td class="n">{int(r[DOORS_KNOCKED])}</td>'
        f'<td class="n">{r[S.EXPECTED_VOTES]:.1f}</td></tr>'
        for t, r in table.iterrows())
    body = (f"<h1>Walk sheets: {len(table)} turfs</h1>"
            + (f'<p class="sub">{_e(title)}</p>' if title else "")
            + f"<p>One turf is one shift of a team of {team_size} ({shift_hours:g} h, "
            f"{shift_hours * team_size:g} volunteer-hours at most); "
            f"{table[S.HOURS].sum():g} volunteer-hours, {int(table[DOORS_KNOCKED].sum())} doors "
            f"in {turfs[S.BUREAU_ID].nunique()} bureaux.</p>"
            '<table><tr><th>Turf</th><th>Bureaux</th><th class="n">Volunteer-hours</th>'
            '<th class="n">Doors</th><th class="n">Expected net votes</th></tr>'
            f"{rows}</table>")
    index = out / "index.html"
    with atomic_write(index, "w", encoding="utf-8") as handle:
        handle.write(_page("Walk sheets", body))
    return index
