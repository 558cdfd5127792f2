"""Write the embedded Paris sample (src/swingcast/data/sample/) from the shared data folder.

Usage (from the project root)::

    python data/make_sample.py [DATA_DIR]      # default: $SWINGCAST_DATA_DIR, else ../shared/data

What the Paris demo (`swingcast demo`, back-test ``paris-2017-t2``) reads, and what this
script keeps of it (see data/README.md):

* the three national result tables it uses (European 2014, presidential 2017 rounds 1 and 2):
  the header and the rows of département ``75``, byte for byte as published, gzip-compressed
  with a zero timestamp (so a re-run gives the same bytes);
* the Ville de Paris "secteurs des bureaux de vote" 2017: all 896 polygons, the fields that
  ``read_bureaux`` uses, written as a GeoPackage (same coordinates, WGS84);
* the Ville de Paris polling places 2017: every row, the columns ``read_polling_places`` uses
  (same values), ``;`` CSV, gzip;
* the polling-station areas of 2012 (867 bureaux, the map European 2014 was voted on), byte for
  byte: the protocol's Paris history carries European 2014 onto the 2017 map with them
  (:mod:`swingcast.join.redraw`).

It then prints the registry rows (name, size, sha256) of the files written; they go in
data/registry.csv (``make_registry.py`` reads them from the files themselves).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "swingcast" / "data" / "sample" / "paris"

RESULTS = (
    "france/results/2014-europeennes_par_bureau_large.csv.gz",
    "france/results/2017-presidentielle-1_par_bureau_large.csv.gz",
    "france/results/2017-presidentielle-2_par_bureau_large.csv.gz",
)
CONTOURS = "paris/contours/secteurs-des-bureaux-de-vote-paris-2017.geojson"
PLACES = "paris/contours/lieux-de-vote-paris-2017.csv"
MAP_2012 = "paris/contours/bureaux-paris-2012.gpkg"
#: Columns of the polling places that swingcast.load.addresses.read_polling_places reads.
PLACE_COLUMNS = ("Identifiant du bureau de vote", "Libellé du bureau de vote", "Adresse",
                 "Code Postal", "geo_point_2d")
#: Fields of the secteurs that swingcast.load.contours.read_bureaux reads.
CONTOUR_FIELDS = ("id_bv", "arrondissement", "num_bv", "nbr_elect_f", "nbr_elect_e_m",
                  "nbr_elect_e_e")
DEPARTEMENT = "75"


def paris_rows(source: Path, dest: Path) -> int:
    """Header + the rows of département 75 of a national ``*_par_bureau_large.csv.gz``."""
    with gzip.open(source, "rt", encoding="utf-8", newline="") as handle:
        lines = handle.read().splitlines(keepends=True)
    header, rows = lines[0], lines[1:]
    if next(csv.reader([header]))[0] != "departement":
        raise SystemExit(f"{source}: first column is not 'departement'")
    kept = [line for line in rows if next(csv.reader([line]))[0] == DEPARTEMENT]
    _gzip("".join([header, *kept]), dest)
    return len(kept)


def _gzip(text: str, dest: Path) -> None:
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as gz:
        gz.write(text.encode("utf-8"))
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(buffer.getvalue())


def paris_places(source: Path, dest: Path) -> int:
    """The columns read_polling_places uses, every row, same values; ';' CSV, gzip."""
    with open(source, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(PLACE_COLUMNS)
    for row in rows:
        writer.writerow([row[c] for c in PLACE_COLUMNS])
    _gzip(out.getvalue(), dest)
    return len(rows)


def paris_contours(source: Path, dest: Path) -> int:
    import geopandas as gpd

    gdf = gpd.read_file(source)
    gdf = gdf[[*CONTOUR_FIELDS, "geometry"]]
    if dest.exists():  # a GeoPackage's bytes change at each write: keep one with this content
        old = gpd.read_file(dest)
        if (old.drop(columns="geometry").equals(gdf.drop(columns="geometry"))
                and (old.geometry.to_wkb() == gdf.geometry.to_wkb()).all()):
            return len(gdf)
        dest.unlink()
    dest.parent.mkdir(parents=True, exist_ok=True)
    gdf.to_file(dest, driver="GPKG", layer="secteurs")
    return len(gdf)


def main(argv: list[str]) -> None:
    default = os.environ.get("SWINGCAST_DATA_DIR") or str(ROOT.parent / "shared" / "data")
    data = Path(argv[0] if argv else default)
    written = []
    for name in RESULTS:
        dest = OUT / Path(name).name
        n = paris_rows(data / name, dest)
        written.append((dest, name, n))
    dest = OUT / (Path(CONTOURS).stem + ".gpkg")
    written.append((dest, CONTOURS, paris_contours(data / CONTOURS, dest)))
    dest = OUT / (Path(PLACES).name + ".gz")
    written.append((dest, PLACES, paris_places(data / PLACES, dest)))
    dest = OUT / Path(MAP_2012).name
    shutil.copyfile(data / MAP_2012, dest)
    written.append((dest, MAP_2012, 867))
    for dest, name, n in written:
        digest = hashlib.sha256(dest.read_bytes()).hexdigest()
        print(f"{dest.relative_to(ROOT)}  {n} rows  {dest.stat().st_size} bytes  sha256 {digest}"
              f"  (from {name})")


if __name__ == "__main__":
    main(sys.argv[1:])
