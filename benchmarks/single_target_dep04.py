"""Single-target-commune shortcut on real contours: Alpes-de-Haute-Provence (04).

The 04 bureau contours (REU-derived, 261 bureaux in 197 communes, 175 of them with a single
bureau) are the target. The source stands in for another publisher's commune layer: the
bureaux dissolved per commune and simplified by 5 m, so its contours differ from the
bureaux' by digitisation only. The crosswalk is computed with and without
``swingcast.join.crosswalk.SINGLE_TARGET_SHORTCUT`` and the script prints the times, whether pairs
and weights agree, how many single-bureau communes took the shortcut, and what the overlay
reports as uncovered for them (what the shortcut leaves unreported).

Usage::

    SWINGCAST_DATA_DIR=/work/shared/data .venv/bin/python benchmarks/single_target_dep04.py
"""

from __future__ import annotations

import time

import geopandas as gpd
import numpy as np
import shapely

from swingcast.join import crosswalk as joiner
from swingcast.join.crosswalk import crosswalk
from swingcast.load.datasets import data_dir

PATH = "alpes-de-haute-provence/contours/Bvote_Propre_Dep_04.geojson"


def layers() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    root = data_dir()
    if root is None:
        raise SystemExit("set SWINGCAST_DATA_DIR to the shared data folder")
    bv = gpd.read_file(root / PATH).to_crs(2154)
    bv = bv[bv.geometry.notna() & ~bv.geometry.is_empty].copy()
    bv["geometry"] = shapely.make_valid(bv.geometry.to_numpy())
    bv = bv[bv.geom_type.isin(["Polygon", "MultiPolygon"])]
    bv = bv[["CODE_BV", "INSEE_COM", "geometry"]].rename(columns={"INSEE_COM": "commune_code"})
    com = bv.dissolve("commune_code").reset_index()
    com["geometry"] = shapely.make_valid(shapely.simplify(com.geometry.to_numpy(), 5.0))
    com = com.explode(index_parts=False)
    com = com[com.geom_type == "Polygon"].dissolve("commune_code").reset_index()
    return com, bv


def main() -> int:
    com, bv = layers()
    per_commune = bv["commune_code"].value_counts()
    single = per_commune.index[per_commune == 1]
    print(f"{len(com)} communes, {len(bv)} bureaux, {len(single)} single-bureau communes")
    result = {}
    for flag in (True, False):
        joiner.SINGLE_TARGET_SHORTCUT = flag
        for gdf in (com, bv):
            shapely.destroy_prepared(gdf.geometry.to_numpy())
        t0 = time.perf_counter()
        cw = crosswalk(com, bv, source_id="commune_code", target_id="CODE_BV",
                       within="commune")
        result[flag] = cw
        print(f"shortcut {flag}: {time.perf_counter() - t0:.3f} s, {len(cw.table)} pairs, "
              f"{len(cw.uncovered)} sources reported not fully covered")
    joiner.SINGLE_TARGET_SHORTCUT = True
    fast, slow = result[True].table, result[False].table
    same = fast[["source_id", "target_id"]].equals(slow[["source_id", "target_id"]])
    print(f"same pairs: {same}; max |weight difference| "
          f"{(fast['weight'] - slow['weight']).abs().max():.1e}")
    area = dict(zip(com["commune_code"], com.area, strict=True))
    mine = fast[fast["source_id"].isin(single)]
    whole = np.isclose(mine["measure"], mine["source_id"].map(area), rtol=0, atol=1e-6)
    print(f"single-bureau communes sent whole without overlay: {int(whole.sum())} of {len(mine)}")
    gaps = result[False].uncovered
    gaps = gaps[gaps["source_id"].isin(single)]
    print(f"overlay: {len(gaps)} single-bureau communes reported not fully covered, largest "
          f"uncovered share {gaps['uncovered_share'].max() if len(gaps) else 0:.2e} "
          "(not reported with the shortcut)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
