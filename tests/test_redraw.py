"""Following bureaux across a redrawing (swingcast.join.redraw): hand-drawn maps, then Paris."""

from __future__ import annotations

import csv
import gzip
import hashlib

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import box

from swingcast.cli import main
from swingcast.errors import SchemaError
from swingcast.join.crosswalk import crosswalk
from swingcast.join.redraw import redraw_from_contours, redraw_history, redraw_round
from swingcast.model.history import History

E14 = "2014-europeennes-1"


def _maps():
    # old: two bureaux side by side; new: the first cut in two (a quarter, three quarters),
    # the second unchanged, plus "1_9" which only the new map has
    old = gpd.GeoDataFrame({"bureau_id": ["1_1", "1_2"]},
                           geometry=[box(0, 0, 4, 1), box(4, 0, 6, 1)], crs=2154)
    new = gpd.GeoDataFrame({"bureau_id": ["1_1", "1_3", "1_2", "1_9"]},
                           geometry=[box(0, 0, 1, 1), box(1, 0, 4, 1), box(4, 0, 6, 1),
                                     box(10, 0, 11, 1)], crs=2154)
    return old, new


def _round(ids, inscrits, exprimes, voix_a, voix_b):
    st = pd.DataFrame({"label": E14, "election": "2014-europeennes", "round": 1, "bureau_id": ids,
                       "commune_code": "1", "inscrits": inscrits, "votants": exprimes,
                       "exprimes": exprimes})
    vt = pd.concat([pd.DataFrame({"label": E14, "bureau_id": ids, "candidate": c, "nuance": n,
                                  "voix": v})
                    for c, n, v in (("A", "RN", voix_a), ("B", None, voix_b))], ignore_index=True)
    return st, vt


def test_counts_move_with_the_area_and_totals_are_conserved(monkeypatch):
    from swingcast.join import redraw

    old, new = _maps()
    cw = crosswalk(old, new, source_id="bureau_id", target_id="bureau_id", within=None)
    # 1_9: no old polygon, but on the new map -> kept; 1_7: on neither -> dropped (two of four
    # bureaux unmapped: allowed here, refused by the default share)
    st, vt = _round(["1_1", "1_2", "1_9", "1_7"], [400, 200, 80, 50], [200, 100, 40, 30],
                    [40, 10, 4, 3], [160, 90, 36, 27])
    with pytest.raises(SchemaError, match=r"2 of its 4 bureaux have no polygon on the old map \(e.g. 1_9, 1_7\)"):
        redraw_round(st, vt, cw, label=E14)
    monkeypatch.setattr(redraw, "MAX_UNMAPPED_SHARE", 0.5)
    s, v, rep = redraw_round(st, vt, cw, label=E14)
    assert rep.carried == 2 and rep.kept == ["1_9"] and rep.dropped == ["1_7"]
    got = s.set_index("bureau_id")["inscrits"].astype(float)
    # by hand: 1_1 (4 units wide) -> a quarter to 1_1, three quarters to 1_3
    assert got.to_dict() == {"1_1": 100.0, "1_2": 200.0, "1_3": 300.0, "1_9": 80.0}
    votes = v.set_index(["bureau_id", "candidate"])["voix"].astype(float)
    assert votes[("1_3", "A")] == 30.0 and votes[("1_1", "B")] == 40.0
    assert v.loc[v["candidate"] == "A", "nuance"].eq("RN").all()  # the candidate's columns travel
    # conservation: everything but the dropped bureau
    for col in ("inscrits", "votants", "exprimes"):
        assert s[col].sum() == st[col].sum() - st.loc[3, col]
    assert v["voix"].sum() == vt["voix"].sum() - 3 - 27
    # the shares of an unchanged bureau are untouched
    p = v.pivot_table(index="bureau_id", columns="candidate", values="voix", aggfunc="sum")
    assert p.loc["1_2", "A"] / s.set_index("bureau_id").loc["1_2", "exprimes"] == pytest.approx(0.1)


def test_history_round_moved_and_others_left_alone():
    old, new = _maps()
    cw = crosswalk(old, new, source_id="bureau_id", target_id="bureau_id", within=None)
    st14, vt14 = _round(["1_1", "1_2"], [400, 200], [200, 100], [40, 10], [160, 90])
    st17, vt17 = _round(["1_1", "1_3", "1_2", "1_9"], [110, 290, 205, 70], [90, 230, 160, 50],
                        [20, 50, 30, 10], [70, 180, 130, 40])
    st17["label"] = vt17["label"] = "2017-presidentielle-1"
    h = History(pd.concat([st14, st17]), pd.concat([vt14, vt17]), [E14, "2017-presidentielle-1"])
    out = redraw_history(h, {E14: cw})
    assert set(out.stations.loc[out.stations["label"] == E14, "bureau_id"]) == {"1_1", "1_2", "1_3"}
    later = out.stations[out.stations["label"] == "2017-presidentielle-1"].reset_index(drop=True)
    pd.testing.assert_frame_equal(later, st17.reset_index(drop=True), check_dtype=False)  # same values
    assert out.area["redrawn"][E14]["carried"] == 2
    assert len(h.stations) == 6  # the history given is not modified
    with pytest.raises(SchemaError, match="no round '2012-presidentielle-1'"):
        redraw_history(h, {"2012-presidentielle-1": cw})
    # the "new" map must hold the bureaux of the rounds left as they are
    elsewhere = crosswalk(old, new.assign(bureau_id=["8_1", "8_3", "8_2", "8_9"]), source_id="bureau_id",
                          target_id="bureau_id", within=None)
    with pytest.raises(SchemaError, match="4 of the 4 bureaux of 2017-presidentielle-1 are not on the new map"):
        redraw_history(h, {E14: elsewhere})


def test_wrong_map_is_refused_with_ids_named():
    old, new = _maps()
    cw = crosswalk(old, new, source_id="bureau_id", target_id="bureau_id", within=None)
    st, vt = _round(["9_1", "9_2"], [10, 20], [5, 10], [1, 2], [4, 8])
    with pytest.raises(SchemaError, match=r"none of its 2 bureaux is on the old map \(ids like '9_1'"):
        redraw_round(st, vt, cw, label=E14)


@pytest.mark.shared
def test_paris_2014_onto_the_2017_map_conserves_the_raw_totals(shared_dir):
    from swingcast.model.histories import named_history

    raw = {"inscrits": 0, "votants": 0, "exprimes": 0}
    with gzip.open(shared_dir / "france/results/2014-europeennes_par_bureau_large.csv.gz", "rt",
                   encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["departement"] == "75":
                for k in raw:
                    raw[k] += int(row[k])
    eu14 = named_history("paris").rounds[0]
    assert eu14.label == E14
    for k, total in raw.items():
        assert float(eu14.stations[k].sum()) == pytest.approx(total, rel=1e-12)  # hand count
    assert float(eu14.votes["voix"].sum()) == pytest.approx(raw["exprimes"], rel=1e-12)
    assert eu14.stations["bureau_id"].nunique() == 896  # the 2017 bureaux, new ones included
    # in every new bureau the lists' votes still add up to its exprimés (both carried alike)
    shares = eu14.votes.groupby("bureau_id")["voix"].sum() / eu14.stations.set_index("bureau_id")["exprimes"]
    np.testing.assert_allclose(shares.to_numpy(float), 1.0, rtol=1e-9)


@pytest.mark.shared
def test_the_2012_map_sample_is_the_shared_file(shared_dir):
    from swingcast.load import datasets

    name = "sample/paris/bureaux-paris-2012.gpkg"
    ours = (datasets.PACKAGE_DATA / name).read_bytes()
    theirs = (shared_dir / "paris/contours/bureaux-paris-2012.gpkg").read_bytes()
    assert hashlib.sha256(ours).hexdigest() == hashlib.sha256(theirs).hexdigest()


@pytest.mark.shared
def test_cli_old_map_matches_the_function(shared_dir, tmp_path, capsys):
    import json

    from swingcast.load.datasets import fetch
    from swingcast.model.backtest import backtest
    from swingcast.model.history import load_history

    files = [str(fetch(f"sample/paris/{n}_par_bureau_large.csv.gz"))
             for n in ("2014-europeennes", "2017-presidentielle-1")]
    old = shared_dir / "paris/contours/bureaux-paris-2012.gpkg"
    new = shared_dir / "paris/contours/secteurs-des-bureaux-de-vote-paris-2017.geojson"
    out = tmp_path / "bt.json"
    assert main(["backtest", *files, "--target", "2017-presidentielle-1", "--share", "LE PEN",
                 "--old-map", f"{E14}={old}", "--map", str(new), "--n-draws", "100",
                 "--json", str(out)]) == 0
    m = json.loads(out.read_text())
    h = redraw_from_contours(load_history(files), {E14: old}, new)
    direct = backtest(h, target="2017-presidentielle-1", share="LE PEN", n_draws=100).metrics
    assert m["redrawn"][E14]["carried"] == 867 and m["redrawn"][E14]["kept"] == ["75056_512", "75056_1628"]
    assert m["unmatched_bureaux"] == 0 and m["share"]["model"]["mae"] == pytest.approx(direct["share"]["model"]["mae"], rel=1e-12)
    # on the map: every 2017 bureau has a 2014 past; matched by code, 27 have none
    plain = backtest(load_history(files), target="2017-presidentielle-1", share="LE PEN", n_draws=100).metrics
    assert plain["unmatched_bureaux"] == 27
    capsys.readouterr()
    assert main(["backtest", *files, "--target", "2017-presidentielle-1", "--share", "LE PEN",
                 "--old-map", f"{E14}={old}"]) == 2
    assert "go together" in capsys.readouterr().err
