"""Write IGN CONTOURS-IRIS fixtures of the 2.x and 3.0 editions (run once; committed).

Field names from public code that reads the IGN files (docs/formats.md): 2.x (2014-2023)
``CODE_IRIS, INSEE_COM, NOM_COM, IRIS, NOM_IRIS, TYP_IRIS``; 3.0 GeoPackage (2024+, also
IRIS GE) ``cleabs, code_insee, nom_commune, iris, code_iris, nom_iris, type_iris``, geometry
column ``geometrie``, MultiPolygon, Lambert-93. The IRIS are five real Paris IRIS (codes,
names and types as published); the geometries are hand-drawn squares of known area:
751083006 1000 x 1000 m, 751093307 500 x 2000 m, 751104009 2000 x 1000 m.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
from shapely.geometry import MultiPolygon, box

HERE = Path(__file__).parent
ROWS = [("75108", "Paris 8e Arrondissement", "3006", "751083006", "Faubourg du Roule 6", "A",
         box(648000, 6864000, 649000, 6865000)),
        ("75109", "Paris 9e Arrondissement", "3307", "751093307", "Saint-Georges 7", "H",
         box(650000, 6864000, 650500, 6866000)),
        ("75110", "Paris 10e Arrondissement", "4009", "751104009", "Hôpital Saint-Louis 9", "H",
         box(652000, 6864000, 654000, 6865000))]


def main() -> None:
    com, name, num, code, nom, typ, geom = zip(*ROWS, strict=True)
    v3 = gpd.GeoDataFrame({"cleabs": [f"IRIS____000000000{k}" for k in range(3)],
                           "code_insee": com, "nom_commune": name, "iris": num,
                           "code_iris": code, "nom_iris": nom, "type_iris": typ},
                          geometry=gpd.GeoSeries([MultiPolygon([g]) for g in geom]),
                          crs="EPSG:2154").rename_geometry("geometrie")
    v3.to_file(HERE / "iris_ign_v3_2025.gpkg", driver="GPKG", layer="iris")
    v2 = gpd.GeoDataFrame({"INSEE_COM": com, "NOM_COM": name, "IRIS": num, "CODE_IRIS": code,
                           "NOM_IRIS": nom, "TYP_IRIS": typ}, geometry=list(geom),
                          crs="EPSG:2154")
    v2.to_file(HERE / "iris_ign_v2_2022.gpkg", driver="GPKG", layer="CONTOURS_IRIS")


if __name__ == "__main__":
    main()
