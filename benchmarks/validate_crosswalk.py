"""Validate the crosswalk on real data: census carried to bureaux vs registered voters.

1. Paris: RP2011 population aged 15+ (``C11_POP15P``) of the 992 IRIS (2013 contours) carried
   to the 896 bureaux of 2017 (Ville de Paris "secteurs"), compared with the registered French
   voters of each bureau (``nbr_elect_f``).
2. Hauts-de-Seine 13th constituency: RP2016 population aged 15-64 (``P16_POP1564``) of the 57
   IRIS (generalised Grand Paris contours) carried to the 91 bureaux (Etalab contours),
   compared with the inscrits of the 2017 presidential first round, by area and with the
   INSEE 200 m population grid (``ind``) as dasymetric weights.
3. Finistère: bureau areas built from REU address points (Voronoi within communes), scored
   by the share of addresses in their own bureau's area (in-sample and held out).

For each: Pearson correlation across bureaux, the conservation of the total and the number
of sources not fully covered. Needs ``SWINGCAST_DATA_DIR``. Usage::

    .venv/bin/python benchmarks/validate_crosswalk.py
"""

from __future__ import annotations

import time

import geopandas as gpd
import numpy as np
import pandas as pd

from swingcast.datasets import fetch
from swingcast.joiner import crosswalk, uninhabited
from swingcast.schema import LAMBERT93
from swingcast.voronoi import validate_bureau_areas

COMMUNES_9213 = ("92002", "92014", "92019", "92071")


def _row(case: str, method: str, cw, carried: pd.Series, voters: pd.Series, total: float) -> dict:
    both = pd.concat([carried.rename("carried"), voters.rename("voters")], axis=1).dropna()
    return {
        "case": case,
        "weights": method,
        "bureaux": len(both),
        "r (Pearson)": round(float(np.corrcoef(both["carried"], both["voters"])[0, 1]), 3),
        # carried counts rescaled to the voters' total, then the median relative error
        "median rel. error": round(float(
            (both["carried"] * both["voters"].sum() / both["carried"].sum() / both["voters"] - 1)
            .abs().median()), 3),
        "total carried / source total": round(float(carried.sum() / total), 9),
        "sources not fully covered": len(cw.uncovered),
        "median uncovered share": round(float(cw.uncovered["uncovered_share"].median()), 4)
        if len(cw.uncovered) else 0.0,
    }


def paris() -> list[dict]:
    iris = gpd.read_file(fetch("paris/contours/iris-paris-2013.gpkg"))
    iris["arrondissement_code"] = iris["DEPCOM"].astype(str)
    bv = gpd.read_file(fetch("paris/contours/secteurs-des-bureaux-de-vote-paris-2017.geojson"))
    bv["arrondissement_code"] = (75100 + bv["arrondissement"].astype(int)).astype(str)
    census = pd.read_csv(fetch("paris/census/rp2011-cs8-iris-paris.csv"), sep=";",
                         dtype={"IRIS": str})
    total = census["C11_POP15P"].sum()
    voters = bv.set_index("id_bv")["nbr_elect_f"].astype(float)
    rows = []
    variants = {
        "area": {},
        "area, IRIS type D masked": {"mask": uninhabited(iris, "TYP_IRIS")},
        "area, no commune restriction": {"within": None},
    }
    for label, kwargs in variants.items():
        cw = crosswalk(iris, bv, source_id="DCOMIRIS", target_id="id_bv", **kwargs)
        carried = cw.apply(census, extensive=["C11_POP15P"], id_column="IRIS")["C11_POP15P"]
        rows.append(_row("Paris 992 IRIS -> 896 bureaux", label, cw, carried, voters, total))
    return rows


def hauts_de_seine() -> list[dict]:
    for part in ("shp", "dbf", "shx", "prj"):
        path = fetch(f"ile-de-france/contours/map_iris.{part}")
    iris = gpd.read_file(path.with_suffix(".shp"))
    iris = iris[iris["CODE_COM"].isin(COMMUNES_9213)].copy()
    iris["commune_code"] = iris["CODE_COM"]
    bv = gpd.read_file(fetch("hauts-de-seine-13/contours/circo_contours.geojson"))
    bv["commune_code"] = bv["codeCommune"]
    grid = gpd.read_file(fetch("hauts-de-seine-13/grid/carreaux.gpkg"))
    census = pd.read_csv(fetch("ile-de-france/census/base-ic-activite-residents-2016-idf.csv"),
                         sep=";", dtype={"IRIS": str, "COM": str}, low_memory=False)
    census = census[census["IRIS"].isin(iris["CODE_IRIS"])]
    total = census["P16_POP1564"].sum()
    res = pd.read_csv(fetch("france/results/2017-presidentielle-1_par_bureau_large.csv.gz"),
                      dtype=str)
    res = res[(res["departement"] == "92") & ("92" + res["commune"]).isin(COMMUNES_9213)]
    voters = pd.Series(res["inscrits"].astype(float).to_numpy(),
                       index="92" + res["commune"] + "_" + res["bureau"])
    case = f"Hauts-de-Seine 13: {len(iris)} IRIS -> {len(bv)} bureaux"
    rows = []
    variants = {
        "area": {},
        "INSEE 200 m grid (ind)": {"weights": grid, "weight_column": "ind"},
        "area, no commune restriction": {"within": None},
    }
    for label, kwargs in variants.items():
        # the .prj has no EPSG code: work in Lambert-93 explicitly
        cw = crosswalk(iris, bv, source_id="CODE_IRIS", target_id="codeBureauVote",
                       crs=LAMBERT93, **kwargs)
        carried = cw.apply(census, extensive=["P16_POP1564"], id_column="IRIS")["P16_POP1564"]
        rows.append(_row(case, label, cw, carried, voters, total))
    return rows


def finistere() -> pd.Series:
    df = pd.read_csv(fetch("finistere/reu/addresses_sample.DERIVED.csv"),
                     dtype={"code_commune_ref": str, "id_brut_bv_reu": str})
    pts = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["longitude"], df["latitude"]),
                           crs="EPSG:4326")
    return validate_bureau_areas(pts, bureau_column="id_brut_bv_reu",
                                 commune_column="code_commune_ref", weight_column="nb_adresses")


def main() -> int:
    t0 = time.perf_counter()
    table = pd.DataFrame([*paris(), *hauts_de_seine()])
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.to_markdown(index=False) if _has_tabulate() else table.to_string(index=False))
    fin = finistere()
    print(f"\nFinistère REU: {int(fin['n_points'])} address points, {int(fin['n_bureaux'])} "
          f"bureaux; share of addresses in their own Voronoi bureau area: in-sample "
          f"{fin['in_sample']:.4f}, held out (20 %) {fin['held_out']:.4f}")
    print(f"(ran in {time.perf_counter() - t0:.1f} s)")
    return 0


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    raise SystemExit(main())
