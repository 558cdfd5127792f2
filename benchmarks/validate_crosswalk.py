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

from swingcast.join.crosswalk import crosswalk, uninhabited
from swingcast.join.voronoi import validate_bureau_areas
from swingcast.load.census import read_census
from swingcast.load.datasets import fetch
from swingcast.load.geometry import bureau_ids, read_addresses, read_bureaux, read_iris

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
    iris = read_iris(fetch("paris/contours/iris-paris-2013.gpkg"))
    bv = read_bureaux(fetch("paris/contours/secteurs-des-bureaux-de-vote-paris-2017.geojson"))
    census = read_census(fetch("paris/census/rp2011-cs8-iris-paris.csv"))
    total = census["pop15p"].sum()
    voters = bv.set_index("bureau_id")["registered"].astype(float)  # nbr_elect_f
    rows = []
    variants = {
        "area": {},
        "area, IRIS type D masked": {"mask": uninhabited(iris)},
        "area, no commune restriction": {"within": None},
    }
    for label, kwargs in variants.items():
        cw = crosswalk(iris, bv, source_id="iris_code", target_id="bureau_id", **kwargs)
        carried = cw.apply(census, extensive=["pop15p"], id_column="iris_code")["pop15p"]
        rows.append(_row("Paris 992 IRIS -> 896 bureaux", label, cw, carried, voters, total))
    # the same figure from an independent implementation (tobler, no commune restriction)
    import warnings

    from tobler.area_weighted import area_interpolate

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        src = iris.merge(census[["iris_code", "pop15p"]], on="iris_code")
        tob = area_interpolate(src, bv, extensive_variables=["pop15p"])
    carried = pd.Series(tob["pop15p"].to_numpy(), index=bv["bureau_id"])
    rows.append(_row("Paris 992 IRIS -> 896 bureaux", "area, tobler.area_interpolate", cw,
                     carried, voters, total))
    rows[-1]["sources not fully covered"] = rows[-1]["median uncovered share"] = "-"
    return rows


def hauts_de_seine() -> list[dict]:
    for part in ("dbf", "shx", "prj"):
        fetch(f"ile-de-france/contours/map_iris.{part}")  # hash-check the sidecar files too
    iris = read_iris(fetch("ile-de-france/contours/map_iris.shp"))
    iris = iris[iris["commune_code"].isin(COMMUNES_9213)]
    bv = read_bureaux(fetch("hauts-de-seine-13/contours/circo_contours.geojson"))
    grid = gpd.read_file(fetch("hauts-de-seine-13/grid/carreaux.gpkg"))
    census = read_census(fetch("ile-de-france/census/base-ic-activite-residents-2016-idf.csv"))
    census = census[census["iris_code"].isin(iris["iris_code"])]
    total = census["pop1564"].sum()
    res = pd.read_csv(fetch("france/results/2017-presidentielle-1_par_bureau_large.csv.gz"),
                      dtype=str)
    res = res[(res["departement"] == "92") & ("92" + res["commune"]).isin(COMMUNES_9213)]
    ids = bureau_ids("92" + res["commune"], res["bureau"])["bureau_id"].to_numpy()
    voters = pd.Series(res["inscrits"].astype(float).to_numpy(), index=ids)
    case = f"Hauts-de-Seine 13: {len(iris)} IRIS -> {len(bv)} bureaux"
    rows = []
    variants = {
        "area": {},
        "INSEE 200 m grid (ind)": {"weights": grid, "weight_column": "ind"},
        "area, no commune restriction": {"within": None},
    }
    for label, kwargs in variants.items():
        cw = crosswalk(iris, bv, source_id="iris_code", target_id="bureau_id", **kwargs)
        carried = cw.apply(census, extensive=["pop1564"], id_column="iris_code")["pop1564"]
        rows.append(_row(case, label, cw, carried, voters, total))
    return rows


def finistere() -> pd.Series:
    pts = read_addresses(fetch("finistere/reu/addresses_sample.DERIVED.csv"))
    return validate_bureau_areas(pts, weight_column="n_addresses")


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
