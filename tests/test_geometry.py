"""Tests of swingcast.load.geometry: hand-drawn fixtures of known area, refusals, the real layers."""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from pyproj import CRS
from shapely.geometry import Point, box

from swingcast.errors import CRSError, GeometryError, InputFormatError, SchemaError
from swingcast.load.geometry import (
    dissolve_duplicates,
    read_addresses,
    read_bureaux,
    read_iris,
    read_polling_places,
    to_lambert93,
)

CONTOURS = Path(__file__).parent / "data" / "contours"
KM2 = 1e6
HDS13_COMMUNES = ("92002", "92014", "92019", "92071")


# --- hand-drawn fixtures (areas by hand: see tests/data/contours/make_fixtures.py) ------------


def test_read_iris_new_ign_fields() -> None:
    iris = read_iris(CONTOURS / "iris_ign.gpkg")
    assert list(iris.columns) == ["iris_code", "commune_code", "iris_name", "iris_type",
                                  "geometry"]
    assert iris.crs.to_epsg() == 2154
    assert iris["iris_code"].tolist() == ["920020101", "920020102", "920710000"]
    assert iris["iris_type"].tolist() == ["H", "A", "Z"]
    # 1000 x 1000, 500 x 2000, triangle with legs 2000 and 1000: 1 km2 each
    assert iris.area.tolist() == pytest.approx([KM2, KM2, KM2])
    assert iris.attrs["layout"] == "IGN CONTOURS-IRIS"


def test_read_bureaux_etalab_reprojects_and_dissolves_duplicates(
        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("WARNING", logger="swingcast"):
        bv = read_bureaux(CONTOURS / "bureaux_etalab.geojson")
    assert bv["bureau_id"].tolist() == ["92002_1", "92002_2", "92071_1"]
    assert bv["bureau_code"].tolist() == ["1", "2", "1"]
    assert bv["arrondissement_code"].isna().all()
    assert bv.crs.to_epsg() == 2154
    # squares drawn in Lambert-93, stored in WGS84 with 9 decimals, read back
    assert bv.area.tolist() == pytest.approx([KM2, KM2, 4 * KM2], rel=1e-6)
    assert bv.geom_type.tolist()[1] == "MultiPolygon"  # two halves of 0.5 km2 dissolved
    assert bv.attrs["dissolved"] == ["92002_2"]
    assert "92002_2" in caplog.text


def test_read_bureaux_repairs_bowtie_and_refuses_or_drops_empty() -> None:
    with pytest.raises(GeometryError, match=r"bureaux_reu\.gpkg, id 04209_1: missing or empty"):
        read_bureaux(CONTOURS / "bureaux_reu.gpkg")
    with pytest.warns(UserWarning, match="04209_1"):
        bv = read_bureaux(CONTOURS / "bureaux_reu.gpkg", drop_empty=True)
    assert bv["bureau_id"].tolist() == ["04036_1", "04036_2"]
    assert bv.attrs["repaired"] == 1 and bv.attrs["dropped_empty"] == ["04209_1"]
    # the bow-tie becomes its two triangles of 1 km2 each (a plain buffer(0) would keep one)
    assert bv.is_valid.all()
    assert bv.area.tolist() == pytest.approx([2 * KM2, KM2])


def test_paris_ids_from_secteurs_and_2012_fields(tmp_path: Path) -> None:
    squares = [box(651000 + 10 * k, 6862000, 651005 + 10 * k, 6862005) for k in range(2)]
    secteurs = gpd.GeoDataFrame({"id_bv": ["19-5", "1-12"], "nbr_elect_f": [1267, 900]},
                                geometry=squares, crs="EPSG:2154")
    secteurs.to_file(tmp_path / "secteurs.gpkg")
    bv = read_bureaux(tmp_path / "secteurs.gpkg")
    assert bv["bureau_id"].tolist() == ["75056_1905", "75056_112"]
    assert bv["arrondissement_code"].tolist() == ["75119", "75101"]
    assert bv["registered"].tolist() == [1267, 900]
    old = gpd.GeoDataFrame({"arrondisse": ["6", "19"], "num_bv": ["19", "5"],
                            "ID": ["750060019", "750190005"]}, geometry=squares, crs="EPSG:2154")
    old.to_file(tmp_path / "2012.gpkg")
    assert read_bureaux(tmp_path / "2012.gpkg")["bureau_id"].tolist() == ["75056_619",
                                                                          "75056_1905"]
    old["ID"] = ["750060019", "750190006"]
    old.to_file(tmp_path / "2012bad.gpkg")
    with pytest.raises(SchemaError, match="750190006"):
        read_bureaux(tmp_path / "2012bad.gpkg")


def test_read_bureaux_id_field_and_refusals(tmp_path: Path) -> None:
    g = gpd.GeoDataFrame({"my_id": ["29039_0001", "29039_2"]},
                         geometry=[box(150000, 6800000, 150010, 6800010),
                                   box(150010, 6800000, 150020, 6800010)], crs="EPSG:2154")
    g.to_file(tmp_path / "custom.gpkg")
    with pytest.raises(SchemaError, match="bureau layout not recognised"):
        read_bureaux(tmp_path / "custom.gpkg")
    assert read_bureaux(tmp_path / "custom.gpkg", id_field="my_id")["bureau_id"].tolist() == [
        "29039_1", "29039_2"]
    g["my_id"] = ["29039_1", "bureau 2"]
    g.to_file(tmp_path / "custom2.gpkg")
    with pytest.raises(SchemaError, match=r"column 'my_id', id bureau 2: malformed bureau id"):
        read_bureaux(tmp_path / "custom2.gpkg", id_field="my_id")


def test_read_bureaux_bare_numbers_of_one_commune(tmp_path: Path) -> None:
    from swingcast.load.sources.codes import canonical_ids

    squares = [box(842000 + 10 * k, 6519000, 842005 + 10 * k, 6519005) for k in range(3)]
    # the ids the results loaders give the Ministry rows 69 / 123 / 0101, 0102, 0901
    expected = canonical_ids(pd.Series(["69"] * 3), pd.Series(["123"] * 3),
                             pd.Series(["0101", "0102", "0901"]))["bureau_id"].tolist()
    assert expected == ["69123_101", "69123_102", "69123_901"]
    for values in ([101, 102, 901], ["0101", "102", "0901"], [101.0, 102.0, 901.0]):
        g = gpd.GeoDataFrame({"num": values}, geometry=squares, crs="EPSG:2154")
        g.to_file(tmp_path / "lyon.gpkg")
        bv = read_bureaux(tmp_path / "lyon.gpkg", id_field="num", commune="69123")
        assert bv["bureau_id"].tolist() == expected
        assert bv["arrondissement_code"].tolist() == ["69381", "69381", "69389"]
    # one arrondissement's own numbering (1, 2, ...) gives the city's AANN codes
    g = gpd.GeoDataFrame({"num": ["1", "2", "0103"]}, geometry=squares, crs="EPSG:2154")
    g.to_file(tmp_path / "lyon1.gpkg")
    bv = read_bureaux(tmp_path / "lyon1.gpkg", id_field="NUM", commune="69381")
    assert bv["bureau_id"].tolist() == ["69123_101", "69123_102", "69123_103"]
    # an ordinary commune; full ids of the same commune are accepted too
    g = gpd.GeoDataFrame({"num": ["0001", "12A", "29039_3"]}, geometry=squares,
                         crs="EPSG:2154")
    g.to_file(tmp_path / "quimper.gpkg")
    bv = read_bureaux(tmp_path / "quimper.gpkg", id_field="num", commune="29039")
    assert bv["bureau_id"].tolist() == ["29039_1", "29039_12A", "29039_3"]
    with pytest.raises(SchemaError, match=r"id 29039_3: commune part differs from "
                                          r"commune='29232'"):
        read_bureaux(tmp_path / "quimper.gpkg", id_field="num", commune="29232")
    with pytest.raises(SchemaError, match=r"commune='6912' is not an INSEE commune code"):
        read_bureaux(tmp_path / "quimper.gpkg", id_field="num", commune="6912")
    with pytest.raises(SchemaError, match=r"commune='29039' needs id_field="):
        read_bureaux(tmp_path / "quimper.gpkg", commune="29039")
    with pytest.raises(SchemaError, match=r"id 901: bureau code does not start with "
                                          r"arrondissement 01"):
        read_bureaux(tmp_path / "lyon.gpkg", id_field="num", commune="69381")
    g = gpd.GeoDataFrame({"num": ["1", "bureau 2", "3"]}, geometry=squares, crs="EPSG:2154")
    g.to_file(tmp_path / "odd.gpkg")
    with pytest.raises(SchemaError, match=r"column 'num', id bureau 2: malformed bureau number"):
        read_bureaux(tmp_path / "odd.gpkg", id_field="num", commune="29039")


def test_iris_refusals(tmp_path: Path) -> None:
    g = gpd.GeoDataFrame({"CODE_IRIS": ["92002010"], "INSEE_COM": ["92002"],
                          "NOM_IRIS": ["x"], "TYP_IRIS": ["H"]},
                         geometry=[box(645000, 6850000, 645010, 6850010)], crs="EPSG:2154")
    g.to_file(tmp_path / "bad.gpkg")
    with pytest.raises(SchemaError, match="id 92002010: malformed IRIS code"):
        read_iris(tmp_path / "bad.gpkg")
    g["CODE_IRIS"] = ["920020101"]
    g["TYP_IRIS"] = ["Q"]
    g.to_file(tmp_path / "badtype.gpkg")
    with pytest.raises(SchemaError, match="id 920020101: IRIS type 'Q'"):
        read_iris(tmp_path / "badtype.gpkg")
    g["TYP_IRIS"] = ["H"]
    g["CODE_IRIS"] = ["920140101"]
    g.to_file(tmp_path / "bad2.gpkg")
    with pytest.raises(SchemaError, match="920140101: commune code is not the first 5"):
        read_iris(tmp_path / "bad2.gpkg")
    g["geometry"] = [Point(645000, 6850000)]
    g["CODE_IRIS"] = ["920020101"]
    g["INSEE_COM"] = ["92002"]
    g.to_file(tmp_path / "points.gpkg")
    with pytest.raises(GeometryError, match="id 920020101: geometry of type Point"):
        read_iris(tmp_path / "points.gpkg")
    with pytest.raises(SchemaError, match="IRIS layout not recognised"):
        read_iris(CONTOURS / "bureaux_reu.gpkg")
    with pytest.raises(InputFormatError, match="no such file"):
        read_iris(tmp_path / "none.gpkg")


# --- the one CRS/geometry function --------------------------------------------------------


def test_layer_without_crs(tmp_path: Path) -> None:
    g = gpd.GeoDataFrame({"CODE_IRIS": ["920020101"], "INSEE_COM": ["92002"],
                          "NOM_IRIS": ["x"], "TYP_IRIS": ["H"]},
                         geometry=[box(645000, 6850000, 646000, 6851000)])
    with pytest.warns(UserWarning, match="'crs' was not provided"):
        g.to_file(tmp_path / "nocrs.shp")
    assert not (tmp_path / "nocrs.prj").exists()
    with pytest.raises(CRSError, match=r"nocrs\.shp: the layer has no CRS"):
        read_iris(tmp_path / "nocrs.shp")
    iris = read_iris(tmp_path / "nocrs.shp", crs="EPSG:2154")
    assert iris.crs.to_epsg() == 2154 and iris.area.iloc[0] == pytest.approx(KM2)


def test_units_that_contradict_the_crs() -> None:
    deg = gpd.GeoDataFrame(geometry=[box(2.3, 48.8, 2.4, 48.9)], crs="EPSG:2154")
    with pytest.raises(CRSError, match=r"look like degrees.*EPSG:2154 is in metres"):
        to_lambert93(deg, source="deg.gpkg")
    metres = gpd.GeoDataFrame(geometry=[box(645000, 6850000, 646000, 6851000)],
                              crs="EPSG:4326")
    with pytest.raises(CRSError, match=r"look like metres.*EPSG:4326 is in degrees"):
        to_lambert93(metres, source="m.geojson")
    # crs= overrides the wrong label; the units are then checked against the CRS given
    fixed = to_lambert93(metres, crs="EPSG:2154")
    assert fixed.attrs["crs_overridden"] == "EPSG:4326 -> EPSG:2154"
    assert fixed.area.iloc[0] == pytest.approx(KM2)
    with pytest.raises(CRSError, match=r"but the CRS given as crs=EPSG:2154 is in metres"):
        to_lambert93(deg, crs="EPSG:2154")


def test_wrong_prj_is_named_and_overridden_by_crs(tmp_path: Path,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    # a shapefile in WGS84 degrees whose .prj says Lambert-93 (a wrong .prj)
    g = gpd.GeoDataFrame({"num_bv": [1, 2]},
                         geometry=[box(4.83, 45.76, 4.84, 45.77), box(4.84, 45.76, 4.85, 45.77)],
                         crs="EPSG:2154")
    g.to_file(tmp_path / "wrongprj.shp")
    with pytest.raises(CRSError) as err:
        read_bureaux(tmp_path / "wrongprj.shp", id_field="num_bv", commune="69123")
    msg = str(err.value)
    assert "wrongprj.shp" in msg and "the file's CRS EPSG:2154 is in metres" in msg
    assert "crs='EPSG:4326'" in msg and "crs= overrides the file's CRS" in msg
    with caplog.at_level("WARNING", logger="swingcast"):
        bv = read_bureaux(tmp_path / "wrongprj.shp", id_field="num_bv", commune="69123",
                          crs="EPSG:4326")
    assert "overrides the file's CRS EPSG:2154" in caplog.text
    assert bv.attrs["crs_overridden"] == "EPSG:2154 -> EPSG:4326"
    # independent: the same boxes declared WGS84 from the start, projected by geopandas
    expected = gpd.GeoSeries(g.geometry.to_numpy(), crs="EPSG:4326").to_crs(2154).area
    assert bv.area.tolist() == pytest.approx(expected.tolist(), rel=1e-9)
    # the file is untouched: its .prj still says Lambert-93
    assert CRS(pyogrio.read_info(tmp_path / "wrongprj.shp")["crs"]).to_epsg() == 2154


def test_other_projected_crs_is_reprojected() -> None:
    utm = gpd.GeoDataFrame(geometry=[box(448000, 5411000, 449000, 5412000)], crs="EPSG:32631")
    out = to_lambert93(utm)
    assert out.crs.to_epsg() == 2154
    # 1 km2 in UTM; both projections are conformal with scale factors ~1 here: within 0.2 %
    assert out.area.iloc[0] == pytest.approx(KM2, rel=2e-3)


def test_dissolve_and_input_untouched() -> None:
    g = gpd.GeoDataFrame({"id": ["a", "a"]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)])
    out = dissolve_duplicates(g, "id")
    assert len(out) == 1 and out.area.iloc[0] == 2.0 and len(g) == 2
    before = (CONTOURS / "bureaux_reu.gpkg").read_bytes()
    with pytest.warns(UserWarning, match="dropped 1 features"):
        read_bureaux(CONTOURS / "bureaux_reu.gpkg", drop_empty=True)
    assert (CONTOURS / "bureaux_reu.gpkg").read_bytes() == before


# --- points ------------------------------------------------------------------------------------


def test_read_addresses_fixture_and_refusals(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    header = "id_brut_bv_reu,code_commune_ref,longitude,latitude,geo_type,geo_score,nb_adresses\n"
    good = (header + "29039_1,29039,-3.9138,47.8729,housenumber,0.96,2\n"
            "29039_01,29039,-3.9180,47.8694,street,0.5,4\n")
    p = tmp_path / "reu.csv"
    p.write_text(good)
    a = read_addresses(p)
    assert a["bureau_id"].tolist() == ["29039_1", "29039_1"]
    assert a["n_addresses"].sum() == 6 and a.crs.to_epsg() == 2154
    expected = gpd.GeoSeries([Point(-3.9138, 47.8729)], crs="EPSG:4326").to_crs("EPSG:2154")
    assert a.geometry.iloc[0].distance(expected.iloc[0]) < 1e-6
    p.write_text(header + "29039_1,29039,-3.9,47.8,housenumber,0.9,2\n"
                 "29039_1,29039,abc,47.8,housenumber,0.9,2\n")
    with pytest.raises(SchemaError, match=r"reu\.csv, line 3, column 'longitude'.*'abc'"):
        read_addresses(p)
    p.write_text(header + "29039_1,29039,-3.9,47.8,housenumber,0.9,2\n"
                 "29039_1,29039,-3.9,478.8,housenumber,0.9,2\n")
    with pytest.raises(CRSError, match=r"line 3, column 'latitude': '478.8' is not a latitude"):
        read_addresses(p)
    p.write_text(header + "29046_1,29039,-3.9,47.8,housenumber,0.9,2\n")
    with pytest.raises(SchemaError, match=r"line 2, column 'code_commune_ref'"):
        read_addresses(p)
    (tmp_path / "x.rda").write_bytes(b"RDX2\n")
    monkeypatch.setitem(sys.modules, "pyreadr", None)  # simulate pyreadr not installed
    with pytest.raises(InputFormatError, match="optional package pyreadr"):
        read_addresses(tmp_path / "x.rda")


def test_read_polling_places_fixture(tmp_path: Path) -> None:
    p = tmp_path / "lieux.csv"
    p.write_text("Identifiant du bureau de vote;Adresse;geo_point_2d\n"
                 "1-7;6 RUE MOLIERE;48.8646528675, 2.33548835983\n"
                 "19-5;1 RUE X;48.88, 2.38\n", encoding="utf-8")
    places = read_polling_places(p)
    assert places["bureau_id"].tolist() == ["75056_107", "75056_1905"]
    assert places["address"].tolist() == ["6 RUE MOLIERE", "1 RUE X"]
    p.write_text("Identifiant du bureau de vote;geo_point_2d\n1-7;48.86 2.33\n")
    with pytest.raises(SchemaError, match=r"line 2, column 'geo_point_2d'"):
        read_polling_places(p)


# --- the real layers ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def paris_iris(shared_dir: Path) -> gpd.GeoDataFrame:
    return read_iris(shared_dir / "paris/contours/iris-paris-2013.gpkg")


@pytest.fixture(scope="module")
def paris_secteurs(shared_dir: Path) -> gpd.GeoDataFrame:
    return read_bureaux(shared_dir / "paris/contours/secteurs-des-bureaux-de-vote-paris-2017.geojson")


@pytest.fixture(scope="module")
def grand_paris_iris(shared_dir: Path) -> gpd.GeoDataFrame:
    return read_iris(shared_dir / "ile-de-france/contours/map_iris.shp")


@pytest.mark.shared
def test_paris_iris_match_census_and_area(shared_dir: Path, paris_iris: gpd.GeoDataFrame) -> None:
    assert len(paris_iris) == 992 and paris_iris["iris_code"].is_unique
    census = pd.read_csv(shared_dir / "paris/census/rp2011-cs8-iris-paris.csv", sep=";",
                         dtype={"IRIS": str})
    assert set(paris_iris["iris_code"]) == set(census["IRIS"])  # all 992 match both ways
    assert paris_iris["iris_type"].isin(["H", "A", "D"]).all()
    # Paris covers 105.4 km2 (INSEE, with the Bois de Boulogne and Vincennes)
    assert paris_iris.area.sum() / KM2 == pytest.approx(105.4, rel=0.01)


@pytest.mark.shared
def test_paris_secteurs_2017_match_national_results(shared_dir: Path,
                                                    paris_secteurs: gpd.GeoDataFrame) -> None:
    bv = paris_secteurs
    assert len(bv) == 896 and bv["bureau_id"].is_unique
    assert bv["bureau_id"].str.fullmatch(r"75056_\d{3,4}").all()
    raw = gpd.read_file(shared_dir / "paris/contours/secteurs-des-bureaux-de-vote-paris-2017.geojson")
    aa, nn = raw["id_bv"].str.split("-").str[0], raw["id_bv"].str.split("-").str[1]
    hand = "75056_" + (aa.str.zfill(2) + nn.str.zfill(2)).str.lstrip("0")
    assert set(bv["bureau_id"]) == set(hand)
    assert bv["registered"].sum() == raw["nbr_elect_f"].sum()
    res = pd.read_csv(shared_dir / "france/results/2017-presidentielle-2_par_bureau_large.csv",
                      dtype=str)
    res = res[(res["departement"] == "75") & (res["commune"] == "056")]
    ids = set("75056_" + res["bureau"].str.lstrip("0"))
    assert len(ids) == 896 and len(set(bv["bureau_id"]) & ids) == 896  # all match


@pytest.mark.shared
def test_paris_2012_and_polling_places(shared_dir: Path,
                                       paris_secteurs: gpd.GeoDataFrame) -> None:
    old = read_bureaux(shared_dir / "paris/contours/bureaux-paris-2012.gpkg")
    assert len(old) == 867 and old["bureau_id"].is_unique
    assert old["arrondissement_code"].str[:3].eq("751").all()
    places = read_polling_places(shared_dir / "paris/contours/lieux-de-vote-paris-2017.csv")
    assert len(places) == 896
    assert set(places["bureau_id"]) == set(paris_secteurs["bureau_id"])
    # every polling place lies in its own secteur, or within 500 m of it
    joined = places.merge(pd.DataFrame({"bureau_id": paris_secteurs["bureau_id"],
                                        "area": paris_secteurs.geometry}), on="bureau_id")
    dist = gpd.GeoSeries(joined["area"], crs=2154).distance(joined.geometry)
    assert (dist < 500).mean() > 0.95


@pytest.mark.shared
def test_grand_paris_shapefile_is_lambert93(shared_dir: Path,
                                            grand_paris_iris: gpd.GeoDataFrame) -> None:
    path = shared_dir / "ile-de-france/contours/map_iris.shp"
    iris = grand_paris_iris
    info = pyogrio.read_info(path)
    assert CRS(info["crs"]).to_epsg() is None  # the .prj names no EPSG code
    assert iris.crs.to_epsg() == 2154
    raw_bounds = pyogrio.read_bounds(path)[1]
    # recognised, not transformed: same coordinates as in the file
    assert iris.total_bounds[0] == pytest.approx(raw_bounds[0].min())
    assert iris.total_bounds[3] == pytest.approx(raw_bounds[3].max())
    assert len(iris) == info["features"] == 2841


@pytest.mark.shared
def test_hauts_de_seine_13(shared_dir: Path, grand_paris_iris: gpd.GeoDataFrame) -> None:
    from swingcast.load.census import read_census

    bv = read_bureaux(shared_dir / "hauts-de-seine-13/contours/circo_contours.geojson")
    raw = gpd.read_file(shared_dir / "hauts-de-seine-13/contours/circo_contours.geojson")
    assert len(bv) == 91 and bv["bureau_id"].is_unique
    assert set(bv["bureau_id"]) == set(raw["id_bv"])  # the file's own unpadded id
    assert set(bv["commune_code"]) == set(HDS13_COMMUNES)
    iris = grand_paris_iris
    gp = set(iris.loc[iris["commune_code"].isin(HDS13_COMMUNES), "iris_code"])
    rp = read_census(shared_dir / "ile-de-france/census/base-ic-activite-residents-2016-idf.csv")
    rp_ids = set(rp.loc[rp["commune_code"].isin(HDS13_COMMUNES), "iris_code"])
    filo = read_census(shared_dir / "france/census/BASE_TD_FILO_DEC_IRIS_2019.csv")
    fi_ids = set(filo.loc[filo["commune_code"].isin(HDS13_COMMUNES), "iris_code"])
    assert len(gp) == len(rp_ids) == len(fi_ids) == 57
    assert len(gp & rp_ids) == len(gp & fi_ids) == len(gp & rp_ids & fi_ids) == 57


@pytest.mark.shared
def test_alpes_de_haute_provence(shared_dir: Path) -> None:
    path = shared_dir / "alpes-de-haute-provence/contours/Bvote_Propre_Dep_04.geojson"
    with pytest.raises(GeometryError, match="id 04116_4: missing or empty geometry"):
        read_bureaux(path)
    with pytest.warns(UserWarning, match="04116_4"):
        bv = read_bureaux(path, drop_empty=True)
    # 261 bureaux in the file (data/README.md): 260 with a geometry + 1 without
    assert len(bv) + len(bv.attrs["dropped_empty"]) == 261
    assert bv["commune_code"].nunique() == 197
    # one polygon valid in WGS84 becomes invalid once projected: repaired, all valid now
    raw = gpd.read_file(path)
    projected = raw[raw.geometry.notna()].to_crs(2154)
    assert bv.attrs["repaired"] == (~projected.is_valid).sum() == 1 and bv.is_valid.all()


@pytest.mark.shared
def test_finistere_addresses(shared_dir: Path) -> None:
    a = read_addresses(shared_dir / "finistere/reu/addresses_sample.DERIVED.csv")
    assert len(a) == 12_335 and a["n_addresses"].sum() == 15_187  # data/README.md
    assert a["bureau_id"].nunique() == 31
    counts = a.groupby("commune_code")["bureau_id"].nunique().to_dict()
    assert counts == {"29039": 17, "29046": 13, "29116": 1}
    pytest.importorskip("pyreadr")
    r = read_addresses(shared_dir / "finistere/reu/addresses_sample.rda")
    assert len(r) == 12_335 and r["n_addresses"].sum() == 15_187


def test_cli_contours(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from swingcast.cli import main

    out = tmp_path / "bv.gpkg"
    assert main(["contours", "bureaux", str(CONTOURS / "bureaux_etalab.geojson"),
                 "--out", str(out)]) == 0
    assert "3 features, EPSG:2154, area 6.000 km2" in capsys.readouterr().out
    assert gpd.read_file(out)["bureau_id"].tolist() == ["92002_1", "92002_2", "92071_1"]
    assert main(["contours", "bureaux", str(CONTOURS / "bureaux_reu.gpkg")]) == 2
    assert "04209_1: missing or empty geometry" in capsys.readouterr().err


def test_cli_contours_commune_and_crs_override(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    from swingcast.cli import main

    g = gpd.GeoDataFrame({"num_bv": [1, 2]},
                         geometry=[box(4.83, 45.76, 4.84, 45.77), box(4.84, 45.76, 4.85, 45.77)],
                         crs="EPSG:2154")  # degrees under a wrong Lambert-93 label
    g.to_file(tmp_path / "bv.shp")
    assert main(["contours", "bureaux", str(tmp_path / "bv.shp"), "--id-field", "num_bv",
                 "--commune", "69381"]) == 2
    assert "--crs overrides the file's CRS" in capsys.readouterr().err  # the flag, on the CLI
    assert main(["contours", "bureaux", str(tmp_path / "bv.shp"), "--id-field", "num_bv",
                 "--commune", "69381", "--crs", "EPSG:4326"]) == 0
    out = capsys.readouterr().out
    assert "69123_101" in out and "69123_102" in out and "EPSG:2154" in out
