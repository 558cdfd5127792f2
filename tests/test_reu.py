"""The REU 2022 tables: bureaux (table-bv-reu) and geocoded addresses (table-adresses-reu).

Fixtures: tests/data/reu/make_fixtures.py (real address rows of the shared Finistère sample;
a bureaux table in the published layout with made-up names and Ministry numbers).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from swingcast.errors import SchemaError
from swingcast.load.geometry import read_addresses, read_bureaux
from swingcast.load.reu import read_reu_bureaux

REU = Path(__file__).parent / "data" / "reu"
BV = REU / "table-bv-reu_extrait.csv"
ADR = REU / "table-adresses-reu_extrait.csv"


def test_bureaux_table_maps_reu_ids_to_ministry_ids() -> None:
    b = read_reu_bureaux(BV)
    assert b["reu_id"].tolist() == ["29039_1", "29039_2", "29039_3", "29046_4"]
    # id_brut_miom 29039_0001, 29039_2, 29039_0103, empty -> the results' ids
    assert b["bureau_id"].tolist()[:3] == ["29039_1", "29039_2", "29039_103"]
    assert pd.isna(b["bureau_id"].iloc[3]) and b.attrs["without_miom"] == ["29046_4"]
    assert b["n_addresses"].tolist() == [280, 301, 312, 150]
    assert b["bureau_name"].iloc[0] == "HOTEL DE VILLE"


def test_addresses_get_the_results_ids_with_the_bureaux_table(tmp_path: Path) -> None:
    plain = read_addresses(ADR)
    assert plain["bureau_id"].tolist()[5:7] == ["29039_3", "29039_3"]  # REU ids
    a = read_addresses(ADR, bureaux=BV)
    assert a["bureau_id"].tolist()[:7] == ["29039_1"] * 3 + ["29039_2"] * 2 + ["29039_103"] * 2
    assert a["reu_id"].tolist()[5] == "29039_3" and pd.isna(a["bureau_id"].iloc[7])
    assert a.attrs["unmatched_reu"] == ["29046_4"]
    # addresses per Ministry bureau, by hand from the fixture: 2+4+1, 1+1, 1+1
    per = a.groupby("bureau_id")["n_addresses"].sum().to_dict()
    assert per == {"29039_1": 7, "29039_2": 2, "29039_103": 2}
    # the same table as Parquet (as INSEE also publishes it) reads the same
    pd.read_csv(ADR, dtype={"id_brut_bv_reu": str, "code_commune_ref": str}).to_parquet(
        tmp_path / "table-adresses-reu.parquet")
    pq = read_addresses(tmp_path / "table-adresses-reu.parquet", bureaux=BV)
    assert pq["bureau_id"].tolist() == a["bureau_id"].tolist()
    assert pq.geometry.geom_equals_exact(a.geometry, tolerance=1e-6).all()


def test_arrondissement_reference_and_refusals(tmp_path: Path) -> None:
    p = tmp_path / "paris.csv"
    p.write_text("id_brut_bv_reu,code_commune_ref,longitude,latitude,geo_score,nb_adresses\n"
                 "75056_1905,75119,2.3817,48.8830,0.9,3\n", encoding="utf-8")
    a = read_addresses(p)
    assert a["bureau_id"].tolist() == ["75056_1905"]
    with pytest.raises(SchemaError, match="REU bureaux table 'table-bv-reu' has no geometry"):
        read_bureaux(BV)
    bad = tmp_path / "bv.csv"
    bad.write_text(BV.read_text(encoding="utf-8").replace("29039_0103", "29040_0103"),
                   encoding="utf-8")
    with pytest.raises(SchemaError, match=r"line 4, column 'id_brut_miom': '29040_0103' is not "
                                          r"in commune '29039'"):
        read_reu_bureaux(bad)
