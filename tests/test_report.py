"""Tests of swingcast.target.report and swingcast.target.maps: files that round-trip and a self-contained page."""

from __future__ import annotations

import base64
import re

import geopandas as gpd
import pandas as pd
import pytest
from matplotlib.figure import Figure
from shapely.geometry import box

from swingcast.cache import partial_files
from swingcast.errors import GeometryError
from swingcast.target.maps import priority_frame, priority_html, priority_png
from swingcast.target.report import html_report, write_geopackage, write_table
from swingcast.target.value import rank_bureaux


@pytest.fixture
def small():
    ids = pd.Index(["75056_101", "75056_102", "75056_103"], name="bureau_id")
    pred = pd.DataFrame({"inscrits": [1000, 800, 1200], "turnout_pred": [0.8, 0.7, 0.75],
                         "share_pred": [0.6, 0.5, 0.9], "swing_prob": [0.9, 0.5, 1.0]}, index=ids)
    # three 500 m squares side by side, around Paris in Lambert-93
    shapes = gpd.GeoDataFrame(
        geometry=[box(651000 + 500 * i, 6862000, 651500 + 500 * i, 6862500) for i in range(3)],
        index=ids, crs="EPSG:2154")
    return rank_bureaux(pred), shapes


def test_csv_round_trip(small, tmp_path):
    ranking, _ = small
    path = write_table(ranking, tmp_path / "ranking.csv")
    back = pd.read_csv(path, dtype={"bureau_id": str}).set_index("bureau_id")
    assert list(back.columns[:2]) == ["rank", "value_per_hour"]
    pd.testing.assert_series_equal(back["value_per_hour"], ranking["value_per_hour"])
    assert back["rank"].tolist() == [1, 2, 3]


def test_geopackage_layers(small, tmp_path):
    ranking, shapes = small
    frame = priority_frame(ranking, shapes.to_crs("EPSG:4326"))
    path = write_geopackage({"ranking": frame, "top": frame.head(1)}, tmp_path / "t.gpkg")
    layer = gpd.read_file(path, layer="ranking")
    assert layer.crs.to_epsg() == 2154 and len(layer) == 3
    # areas survive the WGS84 -> Lambert-93 round trip: 500 m x 500 m each
    assert layer.area.round(-1).tolist() == [250_000.0] * 3
    assert gpd.read_file(path, layer="top")["bureau_id"].tolist() == [ranking.index[0]]


def test_missing_polygon_is_named(small):
    ranking, shapes = small
    with pytest.raises(GeometryError, match="75056_103"):
        priority_frame(ranking, shapes.drop(index="75056_103"))


def test_maps_and_self_contained_report(small, tmp_path):
    ranking, shapes = small
    frame = priority_frame(ranking, shapes)
    png = priority_png(frame, tmp_path / "map.png")
    page = priority_html(frame, tmp_path / "map.html").read_text()
    for bureau in ranking.index:
        assert bureau in page  # every bureau is in the interactive map's data
    report = html_report(tmp_path / "report.html", title="Test", ranking=ranking, map_png=png,
                         backtest={"share MAE, model (pp)": 1.5}, top=2).read_text()
    embedded = re.search(r"data:image/png;base64,([A-Za-z0-9+/=]+)", report)
    assert embedded and base64.b64decode(embedded.group(1)) == png.read_bytes()
    assert not re.search(r"""(src|href)=['"]https?:""", report)  # nothing fetched from outside
    top = ranking.index[:2]
    assert all(b in report for b in top) and ranking.index[2] not in report
    assert "share MAE, model (pp)" in report


def test_run_targeting_keeps_a_bureau_without_polygon(small, tmp_path, caplog):
    from swingcast.pipeline import run_targeting

    ranking, shapes = small
    pred = ranking[["inscrits", "turnout_pred", "share_pred", "swing_prob"]]
    with caplog.at_level("WARNING", logger="swingcast"):
        res = run_targeting(pred, shapes.drop(index="75056_103"), tmp_path, title="t", hours=500,
                            params={"doors_per_hour": 10, "voters_per_door": 1.2})
    assert "75056_103" in caplog.text  # named, not silently dropped
    assert len(res.ranking) == 3 and "75056_103" in res.plan.index
    # 500 hours is more than the 833 + 667 + 1000 doors take at 10 an hour: every door is
    # knocked, in whole hours (84 + 67 + 100)
    assert res.plan["hours"].sum() == 251
    assert res.plan["doors_knocked"].sum() == pytest.approx(3000 / 1.2)
    assert pd.isna(res.plan.loc["75056_103", "turfs"])  # no polygon: in no turf
    layer = gpd.read_file(tmp_path / "targeting.gpkg", layer="ranking")
    assert sorted(layer["bureau_id"]) == ["75056_101", "75056_102"]


def _half_then_fail(target, *args, **kwargs):
    """Stand-in for a writer: some bytes reach the target, then the write fails."""
    if hasattr(target, "write"):
        target.write("half")
    else:
        with open(target, "wb") as handle:
            handle.write(b"half")
    raise OSError("disk full (simulated)")


WRITERS = {
    "csv": ("ranking.csv", pd.DataFrame, "to_csv",
            lambda ranking, frame, path: write_table(ranking, path)),
    "gpkg": ("t.gpkg", gpd.GeoDataFrame, "to_file",
             lambda ranking, frame, path: write_geopackage({"ranking": frame}, path)),
    "png": ("map.png", Figure, "savefig",
            lambda ranking, frame, path: priority_png(frame, path)),
    "html": ("map.html", None, "svg_map",
             lambda ranking, frame, path: priority_html(frame, path)),
}


@pytest.mark.parametrize("kind", list(WRITERS))
def test_a_writer_failing_half_way_leaves_the_older_file(kind, small, tmp_path, monkeypatch):
    name, owner, method, write = WRITERS[kind]
    ranking, shapes = small
    frame = priority_frame(ranking, shapes)
    path = tmp_path / name
    write(ranking, frame, path)  # the older version, written normally
    before = path.read_bytes()
    if owner is None:  # map.html: the page's head is written, then drawing the map fails
        monkeypatch.setattr("swingcast.target.maps.svg_map",
                            lambda *a, **k: (_ for _ in ()).throw(OSError("disk full (simulated)")))
    else:
        monkeypatch.setattr(owner, method, lambda self, target, *a, **k: _half_then_fail(target))
    with pytest.raises(OSError, match="simulated"):
        write(ranking, frame, path)
    with pytest.raises(OSError, match="simulated"):
        write(ranking, frame, tmp_path / "new" / name)
    assert path.read_bytes() == before
    assert not (tmp_path / "new" / name).exists()
    assert partial_files(tmp_path) == []
