"""Tests of swingcast.target.report and swingcast.target.maps: files that round-trip and a self-contained page."""

from __future__ import annotations

import base64
import html
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


def test_value_terms_rebuild_the_ranking(small):
    from swingcast.target.report import value_terms
    from swingcast.target.value import TargetingParams

    ranking, _ = small
    params = TargetingParams().as_dict()
    terms = value_terms(ranking, params)
    # the report's decomposition sums back to rank_bureaux's own value per hour
    pd.testing.assert_series_equal(terms["value_per_hour"], ranking["value_per_hour"],
                                   check_names=False)
    t, s = ranking["turnout_pred"], ranking["share_pred"]
    assert terms["others_share"].tolist() == pytest.approx((t * (1 - s)).tolist())


def test_plan_table_whole_doors_and_places(small):
    from swingcast.target.report import plan_table

    ranking, _ = small
    plan = pd.DataFrame({"bureau_id": ["75056_102", "75056_101", "75056_101"],
                         "hours": [3.0, 3.0, 2.0], "doors_knocked": [44.6, 45.2, 30.4],
                         "expected_votes": [1.0, 1.5, 1.0]})
    places = pd.DataFrame({"bureau_id": ["75056_101"], "place_name": ["ECOLE"],
                           "address": ["1 RUE X"], "postcode": ["75001"]})
    table = plan_table(plan, ranking, places)
    order = ranking.loc[["75056_101", "75056_102"], "rank"].sort_values().index.tolist()
    assert table["bureau_id"].tolist() == order  # best rank first
    rows = table.set_index("bureau_id")
    assert rows.loc["75056_101", "hours"] == 5.0 and rows.loc["75056_102", "hours"] == 3.0
    # 45.2 + 30.4 = 75.6 doors -> 76 whole doors; 44.6 -> 45
    assert rows["doors_knocked"].to_dict() == {"75056_101": 76, "75056_102": 45}
    assert rows["place_name"].to_dict() == {"75056_101": "ECOLE", "75056_102": ""}
    assert rows.loc["75056_101", "address"] == "1 RUE X, 75001"


def test_report_credits_its_own_area_and_speaks_french(small, tmp_path):
    from swingcast.pipeline import area_sources

    ranking, _ = small
    for area, odbl in (("paris", True), ("hds13", False)):
        page = html_report(tmp_path / f"{area}.html", title="t", ranking=ranking,
                           sources=area_sources(area)).read_text()
        assert ("ODbL" in page) is odbl and ("Ville de Paris" in page) is odbl
        assert "Licence Ouverte" in page
    fr = html_report(tmp_path / "fr.html", title="t", ranking=ranking, lang="fr",
                     metrics={"n_bureaux": 3, "anchor": "actual",
                              "anchors": {"share": 0.6, "turnout": 0.7}}).read_text()
    assert "<html lang='fr'>" in fr and "Rang" in fr and "sondage parfait" in fr
    assert "70,0\xa0%" in fr  # a decimal comma


def test_unknown_language_is_refused(small, tmp_path):
    from swingcast.errors import SwingcastError

    ranking, shapes = small
    with pytest.raises(SwingcastError, match="language 'de'; expected one of en, fr"):
        html_report(tmp_path / "r.html", title="t", ranking=ranking, lang="de")
    with pytest.raises(SwingcastError, match="language 'de'"):
        priority_html(priority_frame(ranking, shapes), tmp_path / "m.html", lang="de")


def test_cli_refuses_an_unknown_language_in_one_line(small, tmp_path, capsys):
    from swingcast.cli import main

    ranking, _ = small
    csv_path = write_table(ranking, tmp_path / "ranking.csv")
    assert main(["report", str(csv_path), "--lang", "xx", "--out", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["swingcast: error: language 'xx'; expected one of en, fr"]
    assert not (tmp_path / "r.html").exists()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_report_explains_swing_and_flip_and_their_brier(small, tmp_path, lang):
    ranking, _ = small
    ranking = ranking.assign(flip_prob=[0.25, 0.5, 0.0])
    metrics = {"n_bureaux": 3, "brier": {"model": 0.21, "uniform_swing": 0.24},
               "swing_event": {"threshold": 0.6, "n_events": 1},
               "extras": {"events": {"n_target_first": 2, "n_flips": 1, "n_scored_flip": 3,
                                     "comparable_round": "2017-presidentielle-1",
                                     "brier": {"swing_prob": {"model": 0.123, "uniform_swing": 0.234},
                                               "flip_prob": {"model": 0.0456, "uniform_swing": 0.5}}}}}
    page = html_report(tmp_path / "r.html", title="T", ranking=ranking, metrics=metrics,
                       candidate="MACRON", lang=lang).read_text()
    text = html.unescape(re.sub(r"<[^>]+>", " ", page)).replace("\xa0", " ")
    text = re.sub(r"\s+", " ", text)
    sep = "," if lang == "fr" else "."
    # one sentence each under the top table, and each event's Brier against the uniform swing
    if lang == "en":
        assert "swing_prob: the probability that MACRON comes first in the bureau" in text
        assert "flip_prob: the probability that the bureau's first place goes to another side" in text
        assert (f"Brier score 0{sep}123, against 0{sep}234 for the same simulation around a uniform "
                "swing (it came first in 2 of 3 bureaux)") in text
        assert f"Brier score 0{sep}046, against 0{sep}500 for the uniform swing (1 of 3 bureaux changed)" in text
        assert f"Brier score 0{sep}210 (0 = perfect; 0.25 = saying 50 % everywhere) of above_area_prob" in text
    else:
        assert "swing_prob : la probabilité que MACRON arrive en tête dans le bureau" in text
        assert "flip_prob : la probabilité que la tête du bureau passe à un autre camp" in text
        assert f"score de Brier 0{sep}123, contre 0{sep}234" in text
        assert f"score de Brier 0{sep}046, contre 0{sep}500 pour le glissement uniforme (1 bureaux sur 3 ont changé)" in text
    # the top table shows both, as percentages of the ranking's values
    assert "Probability that first place changes side" in text or "Probabilité que la tête change de camp" in text
    assert ("25.0 %" if lang == "en" else "25,0 %") in text


def test_mae_sentence_names_the_protocols_strongest_baseline() -> None:
    from swingcast.target.report import backtest_sentences

    # the protocol's JSON: every baseline's MAE under `baselines`, the strongest one named
    m = {"n_bureaux": 3, "share": {"model": {"mae": 0.02}, "baselines": {"a[share:r]": 0.05, "b[share:r]": 0.03},
                                   "best_baseline": {"name": "b[share:r]", "mae": 0.03}}}
    first = backtest_sentences(m)[0].replace("\xa0", " ")
    assert "off by 2.00 percentage points" in first and "against 3.00 points" in first
    assert "(b[share:r])" in first


def test_protocol_brier_is_not_called_the_threshold_event() -> None:
    from swingcast.pipeline import backtest_headline
    from swingcast.target.report import backtest_sentences

    # the protocol's JSON: `brier` repeats the swing_prob Brier of `extras.events`, no swing_event
    ev = {"brier": {"swing_prob": {"model": 0.1, "uniform_swing": 0.2},
                    "flip_prob": {"model": 0.3, "uniform_swing": 0.4}}, "n_target_first": 5}
    m = {"n_bureaux": 9, "path": "protocol", "brier": {"model": 0.1, "uniform_swing": 0.2},
         "extras": {"events": ev}}
    text = " ".join(backtest_sentences(m))
    assert "above_area_prob" not in text and text.count("Brier score 0.100") == 1
    assert "it came first in 5 of 9 bureaux" in text
    head = backtest_headline(m)
    assert "Brier, above_area_prob" not in head
    assert head["Brier, swing_prob (first place)"] == 0.1 and head["Brier, flip_prob (first place changes)"] == 0.3
