"""Write the hand-drawn fixtures of tests/test_geometry.py and the XLSX of tests/test_census.py.

Run from the project root: ``.venv/bin/python tests/data/contours/make_fixtures.py``.
Every polygon is drawn in Lambert-93 metres so that its area is known by hand:

* ``iris_ign.gpkg`` (EPSG:2154, newer IGN field names): 920020101 square 1000 x 1000
  (1 km2), 920020102 rectangle 500 x 2000 (1 km2), 920710000 (type Z) right triangle
  with legs 2000 and 1000 (1 km2). Total 3 km2.
* ``bureaux_etalab.geojson`` (WGS84, Etalab field names): 92002_0001 square 1 km2,
  92002_0002 in two pieces of 0.5 km2 each (to be dissolved), 92071_0001 square 4 km2.
* ``bureaux_reu.gpkg`` (EPSG:2154, ``CODE_BV``/``INSEE_COM``): 04036_1 a "bow-tie"
  (self-intersecting; make_valid gives two triangles of 1 km2 each), 04036_2 a square of
  1 km2, 04209_1 without geometry.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
from openpyxl import Workbook
from shapely.geometry import Polygon, box

HERE = Path(__file__).parent
X0, Y0 = 645_000.0, 6_850_000.0  # near Antony, Lambert-93


def main() -> None:
    iris = gpd.GeoDataFrame(
        {"CODE_IRIS": ["920020101", "920020102", "920710000"],
         "INSEE_COM": ["92002", "92002", "92071"],
         "NOM_IRIS": ["Centre 1", "Parc", "Sceaux"], "TYP_IRIS": ["H", "A", "Z"]},
        geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000),
                  box(X0 + 1000, Y0, X0 + 1500, Y0 + 2000),
                  Polygon([(X0 + 2000, Y0), (X0 + 4000, Y0), (X0 + 2000, Y0 + 1000)])],
        crs="EPSG:2154",
    )
    iris.to_file(HERE / "iris_ign.gpkg", driver="GPKG")

    etalab = gpd.GeoDataFrame(
        {"codeBureauVote": ["92002_0001", "92002_0002", "92002_0002", "92071_0001"],
         "codeCommune": ["92002", "92002", "92002", "92071"],
         "nomCommune": ["Antony", "Antony", "Antony", "Sceaux"]},
        geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000),
                  box(X0 + 1000, Y0, X0 + 1500, Y0 + 1000),
                  box(X0 + 3000, Y0, X0 + 3500, Y0 + 1000),
                  box(X0, Y0 + 5000, X0 + 2000, Y0 + 7000)],
        crs="EPSG:2154",
    ).to_crs("EPSG:4326")
    path = HERE / "bureaux_etalab.geojson"
    path.unlink(missing_ok=True)
    etalab.to_file(path, driver="GeoJSON", COORDINATE_PRECISION=9)

    bowtie = Polygon([(X0, Y0), (X0 + 2000, Y0 + 2000), (X0 + 2000, Y0), (X0, Y0 + 2000)])
    reu = gpd.GeoDataFrame(
        {"COMMUNE": ["Le Brusquet", "Le Brusquet", "Sisteron"],
         "INSEE_COM": ["04036", "04036", "04209"], "CODE_BV": ["04036_1", "04036_2", "04209_1"]},
        geometry=[bowtie, box(X0 + 3000, Y0, X0 + 4000, Y0 + 1000), None],
        crs="EPSG:2154",
    )
    reu.to_file(HERE / "bureaux_reu.gpkg", driver="GPKG")

    wb = Workbook()
    ws = wb.active
    ws.title = "IRIS"
    ws.append(["Activité des résidents en 2016 - fixture swingcast"])
    ws.append(["Île-de-France, IRIS"])
    ws.append([])
    ws.append(["Code géographique IRIS", "Commune", "Type d'IRIS", "Population 15-64 ans",
               "Actifs 15-64 ans"])
    ws.append(["IRIS", "COM", "TYP_IRIS", "P16_POP1564", "P16_ACT1564"])
    ws.append(["920190101", "92019", "H", 1830, 1344.5])
    ws.append(["920190102", "92019", "D", 4, None])
    ws.append(["921020000", "92102", "Z", 300, 210])
    wb.create_sheet("Documentation").append(["Nothing here"])
    wb.save(HERE.parent / "census" / "activite_residents_2016.xlsx")


if __name__ == "__main__":
    main()
