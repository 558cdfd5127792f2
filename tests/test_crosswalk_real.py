"""Crosswalk on the real data: conservation laws and official totals (needs SWINGCAST_DATA_DIR)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from swingcast.join.crosswalk import crosswalk
from swingcast.join.voronoi import address_agreement, bureau_areas_from_addresses
from swingcast.load.census import read_census
from swingcast.load.geometry import read_addresses, read_bureaux, read_iris

pytestmark = pytest.mark.shared

#: Official figures written down in the data README (independent of the geometry).
PARIS_POP15P_2011 = 1_926_666
PARIS_IRIS = 992
PARIS_BUREAUX_2012 = 867
PARIS_BUREAUX_2017 = 896
FINISTERE_ADDRESSES = 15_187
FINISTERE_BUREAUX = 17 + 13 + 1


@pytest.fixture(scope="module")
def paris(shared_dir):
    iris = read_iris(shared_dir / "paris/contours/iris-paris-2013.gpkg")
    bv2017 = read_bureaux(shared_dir / "paris/contours/secteurs-des-bureaux-de-vote-paris-2017.geojson")
    bv2012 = read_bureaux(shared_dir / "paris/contours/bureaux-paris-2012.gpkg")
    census = read_census(shared_dir / "paris/census/rp2011-cs8-iris-paris.csv")
    return iris, bv2012, bv2017, census


def test_paris_census_to_2017_bureaux_conserves_the_official_total(paris):
    iris, _, bv2017, census = paris
    assert len(iris) == PARIS_IRIS and len(bv2017) == PARIS_BUREAUX_2017
    cw = crosswalk(iris, bv2017, source_id="iris_code", target_id="bureau_id")
    assert cw.meta["within"] == "commune"  # IRIS carry 751AA, bureaux arrondissement 751AA
    out = cw.apply(census, extensive=["pop15p", "pop15p_cs3"], id_column="iris_code")
    assert len(out) == PARIS_BUREAUX_2017
    assert out["pop15p"].sum() == pytest.approx(PARIS_POP15P_2011, rel=1e-9)
    assert out["pop15p_cs3"].sum() == pytest.approx(census["pop15p_cs3"].sum(), rel=1e-9)
    # no weight crosses an arrondissement boundary
    arr_of_iris = iris.set_index("iris_code")["commune_code"]
    arr_of_bv = bv2017.set_index("bureau_id")["arrondissement_code"]
    src_arr = arr_of_iris.reindex(cw.table["source_id"]).to_numpy()
    tgt_arr = arr_of_bv.reindex(cw.table["target_id"]).to_numpy()
    assert (src_arr == tgt_arr).all()
    # the secteurs leave out some ground (streets, woods): reported, not dropped
    raw = crosswalk(iris, bv2017, source_id="iris_code", target_id="bureau_id", renormalize=False)
    lost = (raw.uncovered.set_index("source_id")["uncovered_share"]
            * census.set_index("iris_code")["pop15p"]).sum()
    carried = raw.apply(census, ["pop15p"], id_column="iris_code")["pop15p"].sum()
    assert carried + lost == pytest.approx(PARIS_POP15P_2011, rel=1e-9)
    covered = raw.coverage.drop(raw.uncovered["source_id"])
    assert np.allclose(covered, 1.0, atol=1e-9)


def test_paris_2012_bureaux_onto_2017_conserve_2012_totals(paris):
    _, bv2012, bv2017, _ = paris
    assert len(bv2012) == PARIS_BUREAUX_2012
    cw = crosswalk(bv2012, bv2017, source_id="bureau_id", target_id="bureau_id")
    old = pd.DataFrame({"bureau_id": bv2012["bureau_id"], "one": 1.0,
                        "area": bv2012.area.to_numpy()})
    out = cw.apply(old, extensive=["one", "area"])
    assert out["one"].sum() == pytest.approx(PARIS_BUREAUX_2012, rel=1e-9)
    assert out["area"].sum() == pytest.approx(bv2012.area.sum(), rel=1e-9)
    # every 2012 bureau lands somewhere, and its weights sum to 1
    assert set(cw.table["source_id"]) == set(bv2012["bureau_id"])
    assert np.allclose(cw.coverage, 1.0, atol=1e-9)


def test_voronoi_bureau_areas_from_reu_addresses(shared_dir):
    pts = read_addresses(shared_dir / "finistere/reu/addresses_sample.DERIVED.csv")
    areas = bureau_areas_from_addresses(pts, weight_column="n_addresses")
    assert len(areas) == FINISTERE_BUREAUX
    assert areas["n_addresses"].sum() == FINISTERE_ADDRESSES
    # areas of one commune do not overlap: their areas add up to the area of their union
    for _, grp in areas.groupby("commune_code"):
        assert grp.area.sum() == pytest.approx(grp.union_all().area, rel=1e-9)
    share = address_agreement(pts, areas, weight_column="n_addresses")
    assert share > 0.99  # only locations carrying two bureaux can be misplaced
    # the same points as weights, each naming its bureau: weights = address shares
    cw = crosswalk(areas, None, source_id="bureau_id", target_id="bureau_id",
                   weights=pts, weight_column="n_addresses", point_target="bureau_id")
    own = cw.table[cw.table["source_id"] == cw.table["target_id"]]
    # addresses in their own area, counted by the crosswalk, equal the agreement share
    assert own["measure"].sum() / FINISTERE_ADDRESSES == pytest.approx(share, rel=1e-12)


def test_hauts_de_seine_grid_weights_conserve_the_census(shared_dir):
    communes = ["92002", "92014", "92019", "92071"]
    iris = read_iris(shared_dir / "ile-de-france/contours/map_iris.shp")
    iris = iris[iris["commune_code"].isin(communes)]
    bv = read_bureaux(shared_dir / "hauts-de-seine-13/contours/circo_contours.geojson")
    census = read_census(shared_dir / "ile-de-france/census/base-ic-activite-residents-2016-idf.csv")
    census = census[census["iris_code"].isin(iris["iris_code"])]
    assert (len(iris), len(bv), len(census)) == (57, 91, 57)
    import geopandas as gpd

    grid = gpd.read_file(shared_dir / "hauts-de-seine-13/grid/carreaux.gpkg")
    cw = crosswalk(iris, bv, source_id="iris_code", target_id="bureau_id",
                   weights=grid, weight_column="ind")
    assert cw.meta["method"] == "polygons" and cw.meta["within"] == "commune"
    census = census.assign(activity=census["act1564"] / census["pop1564"])
    out = cw.apply(census, extensive=["pop1564"], intensive={"activity": "pop1564"},
                   id_column="iris_code")
    assert out["pop1564"].sum() == pytest.approx(census["pop1564"].sum(), rel=1e-9)
    # a rate carried with its denominator conserves the count behind it
    actives = (out["activity"] * out["pop1564"]).sum()
    assert actives == pytest.approx(census["act1564"].sum(), rel=1e-9)
