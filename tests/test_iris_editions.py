"""read_iris on the IGN CONTOURS-IRIS 2.x and 3.0 GeoPackages (fixtures: make_iris_editions)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest

from swingcast.errors import SchemaError
from swingcast.load.geometry import read_iris

CONTOURS = Path(__file__).parent / "data" / "contours"
KM2 = 1e6


@pytest.mark.parametrize("name,layout", [("iris_ign_v2_2022.gpkg", "IGN CONTOURS-IRIS"),
                                         ("iris_ign_v3_2025.gpkg",
                                          "IGN CONTOURS-IRIS 3.0 / IRIS GE")])
def test_both_editions_read_alike(name: str, layout: str) -> None:
    iris = read_iris(CONTOURS / name)
    assert iris.attrs["layout"] == layout
    assert list(iris.columns) == ["iris_code", "commune_code", "iris_name", "iris_type",
                                  "geometry"]
    assert iris["iris_code"].tolist() == ["751083006", "751093307", "751104009"]
    assert iris["commune_code"].tolist() == ["75108", "75109", "75110"]
    assert iris["iris_type"].tolist() == ["A", "H", "H"]
    assert iris["iris_name"].iloc[2] == "Hôpital Saint-Louis 9"
    # hand-drawn: 1000 x 1000, 500 x 2000, 2000 x 1000 metres
    assert iris.area.tolist() == pytest.approx([KM2, KM2, 2 * KM2])


def test_iris_number_must_match_the_code(tmp_path: Path) -> None:
    g = gpd.read_file(CONTOURS / "iris_ign_v2_2022.gpkg")
    g.loc[1, "IRIS"] = "3308"
    g.to_file(tmp_path / "bad.gpkg")
    with pytest.raises(SchemaError, match=r"column 'IRIS', id 751093307: IRIS number is not "
                                          r"the last 4 characters"):
        read_iris(tmp_path / "bad.gpkg")
