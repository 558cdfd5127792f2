"""Crosswalk on hand-drawn geometries: every expected figure is worked out by hand."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import shapely
from shapely import Point, Polygon, box

from swingcast.cache import partial_files
from swingcast.errors import CRSError, GeometryError, SchemaError
from swingcast.join import crosswalk as joiner
from swingcast.join.crosswalk import Crosswalk, crosswalk, load_crosswalk, uninhabited

L93 = "EPSG:2154"


def layer(ids, geoms, col="id", crs=L93, **extra):
    return gpd.GeoDataFrame({col: ids, **extra}, geometry=list(geoms), crs=crs)


def pairs(cw: Crosswalk) -> dict[tuple[str, str], float]:
    return {(s, t): w for s, t, w in cw.table[["source_id", "target_id", "weight"]].itertuples(
        index=False)}


@pytest.fixture
def squares():
    """Two unit squares a, b; targets split at x = 0.25: x = [0, .25], y = [.25, 2]."""
    src = layer(["a", "b"], [box(0, 0, 1, 1), box(1, 0, 2, 1)], "iris")
    tgt = layer(["x", "y"], [box(0, 0, 0.25, 1), box(0.25, 0, 2, 1)], "bv")
    return src, tgt


def test_two_squares_split_by_a_line(squares):
    src, tgt = squares
    cw = crosswalk(src, tgt, source_id="iris", target_id="bv")
    # a: a quarter of its area left of x = .25, three quarters right; b entirely right.
    assert pairs(cw) == pytest.approx({("a", "x"): 0.25, ("a", "y"): 0.75, ("b", "y"): 1.0})
    assert cw.uncovered.empty and cw.fallback == []
    census = pd.DataFrame({"iris": ["a", "b"], "pop": [100, 40], "share": [0.5, 0.2]})
    out = cw.apply(census, extensive=["pop"], intensive={"share": "pop"})
    assert out["pop"].to_dict() == pytest.approx({"x": 25.0, "y": 115.0})
    assert out["pop"].sum() == pytest.approx(census["pop"].sum(), abs=1e-9)
    # y gets 75 people at 0.5 and 40 at 0.2: (37.5 + 8) / 115
    assert out.loc["y", "share"] == pytest.approx(45.5 / 115)
    assert out.loc["x", "share"] == pytest.approx(0.5)


def test_rates_without_denominator_use_the_shared_area(squares):
    src, tgt = squares
    cw = crosswalk(src, tgt, source_id="iris", target_id="bv")
    out = cw.apply(pd.DataFrame({"iris": ["a", "b"], "r": [1.0, 0.0]}), intensive=["r"])
    # y holds 0.75 m² of a (r = 1) and 1 m² of b (r = 0)
    assert out.loc["y", "r"] == pytest.approx(0.75 / 1.75)


def test_weights_of_covered_sources_sum_to_one_and_partial_cover_is_reported():
    src = layer(["a", "b"], [box(0, 0, 1, 1), box(1, 0, 2, 1)])
    # targets cover a fully (two odd pieces) and only 40 % of b
    tgt = layer(["x", "y", "z"], [Polygon([(0, 0), (1, 0), (0, 1)]),
                                  Polygon([(1, 0), (1, 1), (0, 1)]), box(1, 0, 1.4, 1)], "t")
    raw = crosswalk(src, tgt, source_id="id", target_id="t", renormalize=False)
    assert abs(raw.coverage["a"] - 1.0) < 1e-9
    assert raw.coverage["b"] == pytest.approx(0.4)
    assert raw.uncovered["source_id"].tolist() == ["b"]
    assert raw.uncovered["uncovered_share"].iloc[0] == pytest.approx(0.6)
    norm = crosswalk(src, tgt, source_id="id", target_id="t")
    assert norm.coverage.to_numpy() == pytest.approx([1.0, 1.0], abs=1e-9)
    assert norm.uncovered["uncovered_share"].iloc[0] == pytest.approx(0.6)  # still reported
    census = pd.DataFrame({"id": ["a", "b"], "n": [10.0, 5.0]})
    assert raw.apply(census, ["n"])["n"].sum() == pytest.approx(10 + 0.4 * 5)
    assert norm.apply(census, ["n"])["n"].sum() == pytest.approx(15.0)


def test_uncovered_source_and_untouched_target_are_kept():
    src = layer(["a", "far"], [box(0, 0, 1, 1), box(10, 10, 11, 11)])
    tgt = layer(["x", "lonely"], [box(0, 0, 1, 1), box(-5, -5, -4, -4)], "t")
    cw = crosswalk(src, tgt, source_id="id", target_id="t")
    assert cw.uncovered.set_index("source_id")["uncovered_share"].to_dict() == {"far": 1.0}
    out = cw.apply(pd.DataFrame({"id": ["a", "far"], "n": [3.0, 7.0]}), ["n"])
    assert out["n"].to_dict() == {"x": 3.0, "lonely": 0.0}


def test_slivers_are_reported_not_dropped():
    src = layer(["a"], [box(0, 0, 1, 1)])
    tgt = layer(["x", "thin"], [box(0, 0, 0.9999, 1), box(0.9999, 0, 2, 1)], "t")
    cw = crosswalk(src, tgt, source_id="id", target_id="t")
    assert cw.slivers["target_id"].tolist() == ["thin"]
    assert pairs(cw)[("a", "thin")] == pytest.approx(1e-4)


def test_within_commune_no_weight_crosses_a_commune_boundary(caplog):
    # IRIS a (commune 1) overlaps bureau x (commune 1) on [0, 1] and bureau y (commune 2)
    # on [1, 1.2] (a generalised boundary): the 20 % in y must not go to y.
    src = layer(["a", "b"], [box(0, 0, 1.2, 1), box(1.2, 0, 2, 1)],
                commune_code=["75101", "75102"])
    tgt = layer(["x", "y"], [box(0, 0, 1, 1), box(1, 0, 2, 1)], "t",
                commune_code=["75056", "75056"], arrondissement_code=["75101", "75102"])
    free = crosswalk(src, tgt, source_id="id", target_id="t", within=None)
    assert ("a", "y") in pairs(free)
    cw = crosswalk(src, tgt, source_id="id", target_id="t")  # auto: both carry communes
    assert cw.meta["within"] == "commune"
    assert pairs(cw) == pytest.approx({("a", "x"): 1.0, ("b", "y"): 1.0})
    unc = cw.uncovered.set_index("source_id")["uncovered_share"]
    assert unc["a"] == pytest.approx(0.2 / 1.2)
    # Paris bureaux without their arrondissement: nothing matches, and the log says why
    city = tgt.drop(columns="arrondissement_code")
    with caplog.at_level("WARNING", logger="swingcast"):
        lost = crosswalk(src, city, source_id="id", target_id="t")
    assert lost.table.empty and len(lost.uncovered) == 2
    assert "2 sources overlap targets only across commune codes" in caplog.text
    holes = tgt.assign(arrondissement_code=["75101", None], commune_code=["75056", None])
    with pytest.raises(SchemaError, match="id y: target zones without a commune code"):
        crosswalk(src, holes, source_id="id", target_id="t")
    with pytest.raises(SchemaError, match="commune codes on both layers"):
        crosswalk(src.drop(columns="commune_code"), tgt, source_id="id", target_id="t",
                  within="commune")


def test_mask_removes_uninhabited_area():
    src = layer(["a"], [box(0, 0, 2, 1)])
    tgt = layer(["x", "y"], [box(0, 0, 1, 1), box(1, 0, 2, 1)], "t")
    iris = layer(["park"], [box(0, 0, 1, 1)], TYP_IRIS=["D"])
    cw = crosswalk(src, tgt, source_id="id", target_id="t", mask=uninhabited(iris, "TYP_IRIS"))
    assert pairs(cw) == pytest.approx({("a", "y"): 1.0})
    # a quarter-masked source: 1.75 m² inhabited, 0.75 of it in x
    quarter = gpd.GeoSeries([box(0, 0, 0.25, 1)], crs=L93)
    cw = crosswalk(src, tgt, source_id="id", target_id="t", mask=quarter)
    assert pairs(cw) == pytest.approx({("a", "x"): 0.75 / 1.75, ("a", "y"): 1 / 1.75})


def test_fully_masked_source_falls_back_to_area():
    src = layer(["a", "wood"], [box(0, 0, 1, 1), box(1, 0, 2, 1)])
    tgt = layer(["x"], [box(0, 0, 2, 1)], "t")
    cw = crosswalk(src, tgt, source_id="id", target_id="t", mask=box(1, 0, 2, 1))
    assert cw.fallback == ["wood"]
    assert pairs(cw) == pytest.approx({("a", "x"): 1.0, ("wood", "x"): 1.0})


def test_point_weights():
    src = layer(["a", "empty"], [box(0, 0, 2, 1), box(2, 0, 4, 1)])
    tgt = layer(["x", "y"], [box(0, 0, 1, 1), box(1, 0, 4, 1)], "t")
    # 3 + 2 addresses in x, 5 in y (a point exactly on x/y's border goes to one side only)
    pts = gpd.GeoDataFrame({"n": [3, 2, 5]}, geometry=[Point(0.5, 0.5), Point(0.2, 0.1),
                                                        Point(1.5, 0.5)], crs=L93)
    cw = crosswalk(src, tgt, source_id="id", target_id="t", weights=pts, weight_column="n")
    assert cw.meta["method"] == "points"
    # a: 5 of 10 in x, 5 in y; 'empty' has no address: split by area, all in y
    assert pairs(cw) == pytest.approx({("a", "x"): 0.5, ("a", "y"): 0.5, ("empty", "y"): 1.0})
    assert cw.fallback == ["empty"]
    ones = crosswalk(src, tgt, source_id="id", target_id="t", weights=pts)
    assert pairs(ones)[("a", "x")] == pytest.approx(2 / 3)


def test_points_naming_their_target_need_no_target_polygons():
    src = layer(["a"], [box(0, 0, 2, 1)])
    pts = gpd.GeoDataFrame({"bv": ["1", "1", "2", "2"]},
                           geometry=[Point(0.1, 0.1), Point(1.9, 0.9), Point(1, 0.5),
                                     Point(0.5, 0.5)], crs=L93)
    src = pd.concat([src, layer(["nobody"], [box(5, 5, 6, 6)])], ignore_index=True)
    cw = crosswalk(src, None, source_id="id", target_id="bv", weights=pts, point_target="bv")
    assert pairs(cw) == pytest.approx({("a", "1"): 0.5, ("a", "2"): 0.5})
    # no point and no target polygon to fall back on: reported as uncovered
    assert cw.fallback == []
    assert cw.uncovered.set_index("source_id")["uncovered_share"].to_dict() == {"nobody": 1.0}
    with pytest.raises(SchemaError, match="point_target"):
        crosswalk(src, None, source_id="id", target_id="bv")


def test_grid_weights():
    src = layer(["a"], [box(0, 0, 2, 1)])
    tgt = layer(["x", "y"], [box(0, 0, 0.75, 1), box(0.75, 0, 2, 1)], "t")
    # four 0.5-wide cells with 10, 0, 0, 30 people; x takes cell 1 and half of cell 2
    cells = layer(range(4), [box(i / 2, 0, (i + 1) / 2, 1) for i in range(4)], "c",
                  ind=[10.0, 0.0, 0.0, 30.0])
    cw = crosswalk(src, tgt, source_id="id", target_id="t", weights=cells, weight_column="ind")
    assert cw.meta["method"] == "polygons"
    assert pairs(cw) == pytest.approx({("a", "x"): 0.25, ("a", "y"): 0.75})
    with pytest.raises(SchemaError, match="weight_column"):
        crosswalk(src, tgt, source_id="id", target_id="t", weights=cells)


def test_save_load_round_trip(tmp_path, squares):
    src, tgt = squares
    src = pd.concat([src, layer(["far"], [box(9, 9, 10, 10)], "iris")], ignore_index=True)
    cw = crosswalk(src, tgt, source_id="iris", target_id="bv")
    back = load_crosswalk(cw.save(tmp_path / "cw.parquet"))
    pd.testing.assert_frame_equal(back.table, cw.table)
    assert back.sources.tolist() == cw.sources.tolist()
    assert back.targets.tolist() == cw.targets.tolist()
    pd.testing.assert_frame_equal(back.uncovered, cw.uncovered, check_dtype=False)
    assert back.meta == cw.meta
    census = pd.DataFrame({"iris": ["a", "b", "far"], "pop": [4.0, 8.0, 1.0]})
    pd.testing.assert_frame_equal(back.apply(census, ["pop"]), cw.apply(census, ["pop"]))
    (tmp_path / "junk.parquet").write_text("not parquet")
    with pytest.raises(SchemaError, match=r"junk\.parquet"):
        load_crosswalk(tmp_path / "junk.parquet")


def test_reprojects_when_crs_differ_and_refuses_missing_crs(squares):
    src, tgt = squares
    src = src.set_geometry(src.geometry.translate(650_000, 6_860_000))
    tgt = tgt.set_geometry(tgt.geometry.translate(650_000, 6_860_000))
    base = crosswalk(src, tgt, source_id="iris", target_id="bv")
    moved = crosswalk(src, tgt.to_crs(4326), source_id="iris", target_id="bv")
    assert pairs(moved) == pytest.approx(pairs(base), abs=1e-6)
    with pytest.raises(CRSError, match=r"source CRS is EPSG:2154, target CRS is None"):
        crosswalk(src, tgt.set_crs(None, allow_override=True), source_id="iris", target_id="bv")
    with pytest.raises(CRSError, match="geographic"):
        crosswalk(src, tgt, source_id="iris", target_id="bv", crs=4326)


def test_bad_geometries_and_ids_are_named(squares):
    src, tgt = squares
    bowtie = Polygon([(1, 0), (2, 1), (2, 0), (1, 1)])  # beside "ok": sources must not overlap
    bad = layer(["ok", "bow"], [box(0, 0, 1, 1), bowtie], "iris")
    with pytest.raises(GeometryError, match="bow.*invalid source geometry"):
        crosswalk(bad, tgt, source_id="iris", target_id="bv")
    fixed = crosswalk(bad, tgt, source_id="iris", target_id="bv", repair=True)
    assert fixed.coverage["bow"] == pytest.approx(1.0)
    empty = layer(["ok", "hole"], [box(0, 0, 1, 1), Polygon()], "iris")
    with pytest.raises(GeometryError, match="hole.*empty"):
        crosswalk(empty, tgt, source_id="iris", target_id="bv")
    dup = layer(["x", "x"], [box(0, 0, 1, 1), box(1, 0, 2, 1)], "bv")
    with pytest.raises(SchemaError, match="id x: duplicated target ids"):
        crosswalk(src, dup, source_id="iris", target_id="bv")
    with pytest.raises(SchemaError, match="'nope'"):
        crosswalk(src, tgt, source_id="nope", target_id="bv")


def test_overlapping_or_duplicated_polygons_are_refused(squares):
    """Ground shared by two targets (or two sources) would be counted twice."""
    src, tgt = squares
    spill = layer(["x", "y"], [box(0, 0, 0.75, 1), box(0.25, 0, 2, 1)], "bv")  # x spills 0.5
    with pytest.raises(GeometryError, match=r"target layer: 1 pair.*x \(1 m2\) and y "
                                            r"\(2 m2\) share 0 m2 \(67% of the smaller\)"):
        crosswalk(src, spill, source_id="iris", target_id="bv")
    twin = layer(["a", "b", "c"], [box(0, 0, 1, 1), box(1, 0, 2, 1), box(1, 0, 2, 1)], "iris")
    with pytest.raises(GeometryError, match="source layer: .*b and c are the same polygon"):
        crosswalk(twin, tgt, source_id="iris", target_id="bv")
    sliver = layer(["x", "y"], [box(0, 0, 0.2501, 1), box(0.25, 0, 2, 1)], "bv")
    assert crosswalk(src, sliver, source_id="iris", target_id="bv").table["weight"].notna().all()


def test_apply_refuses_missing_and_unknown_ids(squares):
    src, tgt = squares
    cw = crosswalk(src, tgt, source_id="iris", target_id="bv")
    with pytest.raises(SchemaError, match="ids? b: sources of the crosswalk absent"):
        cw.apply(pd.DataFrame({"iris": ["a"], "n": [1]}), ["n"])
    with pytest.raises(SchemaError, match="id zz: not sources"):
        cw.apply(pd.DataFrame({"iris": ["a", "b", "zz"], "n": [1, 2, 3]}), ["n"])
    with pytest.raises(SchemaError, match="duplicated"):
        cw.apply(pd.DataFrame({"iris": ["a", "b", "b"], "n": [1, 2, 3]}), ["n"])
    with pytest.raises(SchemaError, match="'n'"):
        cw.apply(pd.DataFrame({"iris": ["a", "b"], "n": ["1", "2"]}), ["n"])


def test_package_attribute_is_the_function_even_after_importing_the_module():
    import swingcast
    import swingcast.join.crosswalk  # sets the package attribute 'joiner' only

    assert swingcast.join.crosswalk.crosswalk is crosswalk

    assert swingcast.crosswalk is crosswalk
    assert callable(swingcast.crosswalk)
    assert swingcast.Crosswalk is Crosswalk


def test_parallel_engine_gives_the_same_areas():
    from swingcast.join.overlay import intersection_areas

    rng = np.random.default_rng(0)
    discs = np.array([Point(x, y).buffer(4, 16) for x, y in rng.uniform(0, 100, (400, 2))])
    grid = np.array([box(x, y, x + 10, y + 10) for x in range(0, 100, 10)
                     for y in range(0, 100, 10)])
    one = intersection_areas(discs, grid)
    two = intersection_areas(discs, grid, n_jobs=2, chunk=100)
    assert np.array_equal(one.left, two.left) and np.array_equal(one.right, two.right)
    assert np.allclose(one.area, two.area, rtol=0, atol=1e-12)
    # a layer onto itself: identical pairs take the no-overlay path, overlapping ones do not
    self_pairs = intersection_areas(discs, discs)
    diagonal = self_pairs.left == self_pairs.right
    assert np.allclose(self_pairs.area[diagonal], shapely.area(discs), rtol=1e-12)
    off = ~diagonal
    direct = shapely.area(shapely.intersection(discs[self_pairs.left[off]],
                                               discs[self_pairs.right[off]]))
    assert np.allclose(self_pairs.area[off], direct, rtol=1e-12)
    # the grid tiles the square: each disc's pieces add up to its area inside [0, 100]²
    inside = [d.intersection(box(0, 0, 100, 100)).area for d in discs]
    assert np.allclose(np.bincount(one.left, one.area, minlength=400), inside, rtol=1e-12)


def test_cli_writes_a_crosswalk_and_reports_errors(tmp_path, squares, capsys):
    from swingcast.cli import main

    src, tgt = squares
    src.to_file(tmp_path / "src.gpkg")
    tgt.to_file(tmp_path / "tgt.gpkg")
    out = tmp_path / "cw.parquet"
    args = [str(tmp_path / "src.gpkg"), str(tmp_path / "tgt.gpkg"), "--source-id", "iris",
            "--target-id", "bv", "--out", str(out)]
    assert main(["crosswalk", *args]) == 0
    assert pairs(load_crosswalk(out)) == pytest.approx(
        {("a", "x"): 0.25, ("a", "y"): 0.75, ("b", "y"): 1.0})
    assert main(["crosswalk", *args[:2], "--source-id", "nope", *args[4:]]) == 2
    assert "column 'nope'" in capsys.readouterr().err


def _cuts(draw_values):
    return np.unique(np.r_[0.0, np.round(np.sort(draw_values), 3), 10.0])


def test_random_rectangle_grids_against_interval_arithmetic():
    """Two random grids of rectangles over [0, 10]²: areas are products of interval overlaps."""
    hypothesis = pytest.importorskip("hypothesis")
    st = hypothesis.strategies

    def overlap(a0, a1, b0, b1):
        return np.clip(np.minimum(a1[:, None], b1[None, :]) - np.maximum(a0[:, None], b0[None, :]),
                       0, None)

    @hypothesis.settings(max_examples=25, deadline=None)
    @hypothesis.given(
        sx=st.lists(st.floats(0.5, 9.5), max_size=4), sy=st.lists(st.floats(0.5, 9.5), max_size=3),
        tx=st.lists(st.floats(0.5, 9.5), max_size=3), ty=st.lists(st.floats(0.5, 9.5), max_size=4),
        seed=st.integers(0, 1000),
    )
    def check(sx, sy, tx, ty, seed):
        xs, ys, xt, yt = _cuts(sx), _cuts(sy), _cuts(tx), _cuts(ty)
        sboxes = [(x0, y0, x1, y1) for x0, x1 in zip(xs[:-1], xs[1:], strict=True)
                  for y0, y1 in zip(ys[:-1], ys[1:], strict=True)]
        tboxes = [(x0, y0, x1, y1) for x0, x1 in zip(xt[:-1], xt[1:], strict=True)
                  for y0, y1 in zip(yt[:-1], yt[1:], strict=True)]
        src = layer([f"s{i}" for i in range(len(sboxes))], [box(*b) for b in sboxes])
        tgt = layer([f"t{i}" for i in range(len(tboxes))], [box(*b) for b in tboxes], "t")
        cw = crosswalk(src, tgt, source_id="id", target_id="t", renormalize=False)
        s, t = np.array(sboxes), np.array(tboxes)
        inter = overlap(s[:, 0], s[:, 2], t[:, 0], t[:, 2]) * overlap(s[:, 1], s[:, 3],
                                                                      t[:, 1], t[:, 3])
        expected = inter / ((s[:, 2] - s[:, 0]) * (s[:, 3] - s[:, 1]))[:, None]
        got = np.zeros_like(expected)
        si = cw.sources.get_indexer(cw.table["source_id"])
        ti = cw.targets.get_indexer(cw.table["target_id"])
        got[si, ti] = cw.table["weight"].to_numpy()
        assert np.allclose(got, expected, rtol=0, atol=1e-12)
        assert np.abs(cw.coverage - 1).max() < 1e-9
        values = np.random.default_rng(seed).integers(0, 1000, len(sboxes)).astype(float)
        out = cw.apply(pd.DataFrame({"id": src["id"], "n": values}), ["n"])
        assert out["n"].sum() == pytest.approx(values.sum(), rel=1e-12)

    check()


@pytest.fixture
def single_target_communes():
    """c1: source a (unit square), its only bureau x drawn 0.5 % narrower (another publisher);
    c2: source b, its only bureau y covering half of it (a layer leaving ground out);
    c3: sources p, q side by side, one bureau z over both;
    c4: source r whose only bureau w lies elsewhere (a wrong commune code)."""
    src = layer(["a", "b", "p", "q", "r"],
                [box(0, 0, 1, 1), box(1, 0, 2, 1), box(0, 5, 1, 6), box(1, 5, 2, 6),
                 box(20, 20, 21, 21)], commune_code=["c1", "c2", "c3", "c3", "c4"])
    tgt = layer(["x", "y", "z", "w"],
                [box(0, 0, 0.995, 1), box(1, 0, 1.5, 1), box(0, 5, 2, 6), box(30, 30, 31, 31)],
                "t", commune_code=["c1", "c2", "c3", "c4"])
    return src, tgt


def test_single_target_communes_send_their_sources_whole(single_target_communes):
    src, tgt = single_target_communes
    cw = crosswalk(src, tgt, source_id="id", target_id="t", within="commune")
    table = cw.table.set_index(["source_id", "target_id"])
    # weight 1 exactly: the commune has one bureau; the measure is the source's whole area
    assert table.loc[("a", "x"), "weight"] == 1.0 and table.loc[("a", "x"), "measure"] == 1.0
    assert table.loc[("p", "z"), "weight"] == 1.0 and table.loc[("q", "z"), "weight"] == 1.0
    # y covers 0.5 of b's 1.0 (more than 1 % short): overlaid, the lost half reported
    assert table.loc[("b", "y"), "measure"] == pytest.approx(0.5)
    assert table.loc[("b", "y"), "weight"] == pytest.approx(1.0)
    # r's bounding box misses w: overlaid, nothing carried, all of it uncovered
    assert "r" not in table.index.get_level_values("source_id")
    assert cw.uncovered.set_index("source_id")["uncovered_share"].to_dict() == pytest.approx(
        {"b": 0.5, "r": 1.0})
    census = pd.DataFrame({"id": ["a", "b", "p", "q", "r"], "n": [10.0, 6.0, 3.0, 4.0, 7.0]})
    assert cw.apply(census, ["n"])["n"].to_dict() == pytest.approx(
        {"x": 10.0, "y": 6.0, "z": 7.0, "w": 0.0})


def test_single_target_shortcut_only_changes_what_it_documents(single_target_communes,
                                                               monkeypatch):
    src, tgt = single_target_communes
    fast = crosswalk(src, tgt, source_id="id", target_id="t", within="commune")
    monkeypatch.setattr(joiner, "SINGLE_TARGET_SHORTCUT", False)
    slow = crosswalk(src, tgt, source_id="id", target_id="t", within="commune")
    # same pairs and weights; only a's 0.5 % digitisation gap is measured by the overlay
    pd.testing.assert_frame_equal(fast.table.drop(columns="measure"),
                                  slow.table.drop(columns="measure"), rtol=0, atol=1e-12)
    assert slow.table.set_index("source_id").loc["a", "measure"] == pytest.approx(0.995)
    assert slow.uncovered.set_index("source_id")["uncovered_share"].to_dict() == pytest.approx(
        {"a": 0.005, "b": 0.5, "r": 1.0})
    # raw shares (renormalize=False) always come from the overlay
    monkeypatch.setattr(joiner, "SINGLE_TARGET_SHORTCUT", True)
    raw = crosswalk(src, tgt, source_id="id", target_id="t", within="commune",
                    renormalize=False)
    assert pairs(raw)[("a", "x")] == pytest.approx(0.995)


def test_validate_bureau_areas_builds_both_sets_with_the_same_buffer():
    from swingcast.join.voronoi import validate_bureau_areas

    # two bureaux of one commune, 5 x 5 addresses 10 m apart, 1 km from each other
    xy = [(x0 + 10 * i, 10 * j) for x0 in (0, 1000) for i in range(5) for j in range(5)]
    pts = gpd.GeoDataFrame({"bureau_id": ["1"] * 25 + ["2"] * 25, "commune_code": "c"},
                           geometry=[Point(p) for p in xy], crs=L93)
    held = np.random.default_rng(3).random(len(pts)) < 0.2  # the split the function draws
    assert 0 < held.sum() < len(pts)
    wide = validate_bureau_areas(pts, seed=3, buffer=300.0)
    # every address, held out or not, is in its own bureau's area (the bureaux are 1 km apart)
    assert wide["in_sample"] == 1.0 and wide["held_out"] == 1.0
    narrow = validate_bureau_areas(pts, seed=3, buffer=1.0)
    # without commune contours the commune is the convex hull of its addresses plus the
    # buffer: with 1 m, a held-out address on the rim of the grid falls outside every area
    hull = shapely.convex_hull(shapely.multipoints(pts.geometry.to_numpy()[~held]))
    inside = shapely.distance(pts.geometry.to_numpy()[held], hull) <= 1.0
    assert 0 < inside.mean() < 1
    assert narrow["in_sample"] == 1.0 and narrow["held_out"] == pytest.approx(inside.mean())
    assert narrow["n_points"] == 50 and narrow["n_bureaux"] == 2


def _half_write_then_fail(table, where, *args, **kwargs):
    with open(where, "wb") as handle:
        handle.write(b"PAR1 half a crosswalk")
    raise OSError("disk full (simulated)")


def test_failed_save_keeps_the_older_file(tmp_path, squares, monkeypatch):
    src, tgt = squares
    old = crosswalk(src, tgt, source_id="iris", target_id="bv")
    path = old.save(tmp_path / "cw.parquet")
    before = path.read_bytes()
    monkeypatch.setattr(joiner.pq, "write_table", _half_write_then_fail)
    newer = crosswalk(src, tgt.iloc[:1], source_id="iris", target_id="bv")
    with pytest.raises(OSError, match="simulated"):
        newer.save(path)
    with pytest.raises(OSError, match="simulated"):
        newer.save(tmp_path / "fresh.parquet")
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert not (tmp_path / "fresh.parquet").exists()
    assert partial_files(tmp_path) == []
    pd.testing.assert_frame_equal(load_crosswalk(path).table, old.table)


def test_load_checks_the_rows_and_hash_save_recorded(tmp_path, squares):
    import pyarrow.parquet as pq

    src, tgt = squares
    path = crosswalk(src, tgt, source_id="iris", target_id="bv").save(tmp_path / "cw.parquet")
    table = pq.read_table(path)
    meta = table.schema.metadata
    assert json.loads(meta[b"swingcast.crosswalk"])["rows"] == 3  # a->x, a->y, b->y

    def rewrite(frame: pd.DataFrame, name: str):
        out = tmp_path / name
        changed = pa.Table.from_pandas(frame, preserve_index=False)
        pq.write_table(changed.replace_schema_metadata(meta), out)
        return out

    frame = table.to_pandas()
    edited = frame.assign(weight=frame["weight"].where(frame.index != 0, 0.5))
    with pytest.raises(SchemaError, match=r"edited\.parquet: crosswalk data sha256 differs"):
        load_crosswalk(rewrite(edited, "edited.parquet"))
    with pytest.raises(SchemaError, match=r"short\.parquet: 2 crosswalk rows, expected 3"):
        load_crosswalk(rewrite(frame.iloc[:2], "short.parquet"))
    # a file saved before the row count and hash were recorded is still read
    legacy = json.loads(meta[b"swingcast.crosswalk"])
    del legacy["rows"], legacy["sha256"]
    meta = {**meta, b"swingcast.crosswalk": json.dumps(legacy).encode()}
    assert len(load_crosswalk(rewrite(frame, "legacy.parquet")).table) == 3
