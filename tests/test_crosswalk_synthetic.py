"""The synthetic map generator and the crosswalk on it (tessellation and conservation laws)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from swingcast.join import crosswalk as joiner
from swingcast.join import overlay
from swingcast.join.crosswalk import crosswalk
from swingcast.join.synthmap import N_BUREAUX, N_COMMUNES, N_IRIS, synthetic_map

SCALE = 0.004


@pytest.fixture(scope="module")
def smap():
    return synthetic_map(SCALE, seed=7)


def test_same_seed_same_map_other_seed_other_map(smap):
    again = synthetic_map(SCALE, seed=7)
    assert shapely.equals_exact(again.bureaux.geometry.values, smap.bureaux.geometry.values,
                                tolerance=0).all()
    other = synthetic_map(SCALE, seed=8)
    assert not np.isclose(other.iris.area.to_numpy()[:10], smap.iris.area.to_numpy()[:10]).all()


@pytest.mark.parametrize("layer", ["communes", "iris", "bureaux"])
def test_layers_tile_the_extent_without_overlap(smap, layer):
    gdf = getattr(smap, layer)
    geoms = gdf.geometry.to_numpy()
    assert shapely.is_valid(geoms).all()
    extent = smap.extent.area
    # sum of areas = area of the union = the extent: no overlap, no gap
    assert shapely.area(geoms).sum() == pytest.approx(extent, rel=1e-9)
    assert shapely.union_all(geoms).area == pytest.approx(extent, rel=1e-9)


def test_counts_nesting_and_vertex_counts(smap):
    assert len(smap.communes) == round(N_COMMUNES * SCALE)
    assert len(smap.iris) == pytest.approx(N_IRIS * SCALE, rel=0.03)
    assert len(smap.bureaux) == pytest.approx(N_BUREAUX * SCALE, rel=0.03)
    area_of = smap.communes.set_index("commune_code").area
    for gdf in (smap.iris, smap.bureaux):
        by_commune = gdf.area.groupby(gdf["commune_code"].to_numpy()).sum()
        assert np.allclose(by_commune.to_numpy(), area_of.reindex(by_commune.index), rtol=1e-9)
    pop = smap.iris.groupby("commune_code")["population"].sum()
    assert (pop == smap.communes.set_index("commune_code")["population"].reindex(pop.index)).all()
    vertices = shapely.get_num_coordinates(
        np.concatenate([smap.iris.geometry.values, smap.bureaux.geometry.values]))
    assert 95 <= vertices.mean() <= 135
    assert np.percentile(vertices, 10) >= 40
    # clustered density: the smallest communes (urban) are far smaller than the median
    area = smap.communes.area
    assert area.quantile(0.05) < area.median() / 4


def test_crosswalk_on_the_synthetic_map(smap):
    iris, bureaux = smap.iris, smap.bureaux
    cw = crosswalk(iris, bureaux, source_id="iris_code", target_id="bureau_id",
                   renormalize=False)
    # nested tessellations: every source is fully covered, its weights sum to 1
    assert np.abs(cw.coverage - 1).max() < 1e-9
    assert cw.uncovered.empty
    out = cw.apply(iris, extensive=["population"])
    assert out["population"].sum() == pytest.approx(iris["population"].sum(), rel=1e-12)
    # no pair crosses a commune; the commune totals are conserved one by one
    com_s = iris.set_index("iris_code")["commune_code"].reindex(cw.table["source_id"]).to_numpy()
    com_t = bureaux.set_index("bureau_id")["commune_code"].reindex(cw.table["target_id"]).to_numpy()
    assert (com_s == com_t).all()
    by_commune = out["population"].groupby(
        bureaux.set_index("bureau_id")["commune_code"].reindex(out.index).to_numpy()).sum()
    expected = smap.communes.set_index("commune_code")["population"].reindex(by_commune.index)
    assert np.allclose(by_commune.to_numpy(), expected.to_numpy(), rtol=1e-9)
    # each weight is the plain geometric ratio, checked on a sample of pairs one by one
    sample = cw.table.sample(50, random_state=0)
    s = iris.set_index("iris_code").geometry.reindex(sample["source_id"]).values
    t = bureaux.set_index("bureau_id").geometry.reindex(sample["target_id"]).values
    direct = shapely.area(shapely.intersection(s, t)) / shapely.area(s)
    assert np.allclose(sample["weight"].to_numpy(), direct, rtol=0, atol=1e-12)
    # without the commune restriction, only zero-area touching pairs are added
    free = crosswalk(iris, bureaux, source_id="iris_code", target_id="bureau_id",
                     renormalize=False, within=None)
    merged = free.table.merge(cw.table, on=["source_id", "target_id"], how="left")
    assert merged["weight_y"].fillna(0).sub(merged["weight_x"]).abs().max() < 1e-9
    pd.testing.assert_index_equal(free.sources, cw.sources)


@pytest.mark.parametrize(("identical", "single_target"), [(False, True), (False, False)])
def test_shortcuts_change_no_weight(smap, monkeypatch, identical, single_target):
    iris, bureaux = smap.iris, smap.bureaux
    reference = crosswalk(iris, bureaux, source_id="iris_code", target_id="bureau_id")
    monkeypatch.setattr(overlay, "IDENTICAL_SHORTCUT", identical)
    monkeypatch.setattr(joiner, "SINGLE_TARGET_SHORTCUT", single_target)
    other = crosswalk(iris, bureaux, source_id="iris_code", target_id="bureau_id")
    # the map tiles exactly, so shortcuts and overlay agree to floating point
    pd.testing.assert_frame_equal(reference.table, other.table, rtol=1e-9, atol=1e-9)
    assert reference.uncovered.empty and other.uncovered.empty
