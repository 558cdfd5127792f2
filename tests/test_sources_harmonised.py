"""The data.gouv.fr harmonised files in their current layout (snake case, CSV and Parquet).

Fixtures: tests/data/results/make_harmonised.py (real counts of three bureaux, copied from
the shared national 2017 table and the Antony 2014 workbook; the figures below are those).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from swingcast import read_results
from swingcast.errors import SchemaError
from swingcast.model.blocs import assign_blocs

RESULTS = Path(__file__).parent / "data" / "results"


def _read(ext: str, **kw: object):
    return read_results(RESULTS / f"general_results_2026_extrait.{ext}",
                        candidates=RESULTS / f"candidats_results_2026_extrait.{ext}", **kw)


@pytest.mark.parametrize("ext", ["csv", "parquet"])
def test_current_layout_every_election(ext: str) -> None:
    r = _read(ext)
    assert r.format == "harmonised" and len(r.issues) == 0
    st = r.stations.set_index(["election", "bureau_id"])
    assert st.loc[("2017-presidentielle", "69003_1"), ["inscrits", "votants", "blancs", "nuls",
                                                        "exprimes"]].tolist() == [884, 676, 64,
                                                                                  15, 597]
    muni = st.loc[("2014-municipales", "92002_1")]
    assert muni["inscrits"] == 1003 and pd.isna(muni["blancs"]) and pd.isna(muni["nuls"])
    pres = r.votes[r.votes["election"] == "2017-presidentielle"]
    assert pres.groupby("candidate")["voix"].sum().to_dict() == {"LE PEN Marine": 164 + 188,
                                                                "MACRON Emmanuel": 433 + 342}
    lists = r.votes[r.votes["election"] == "2014-municipales"].sort_values("panel")
    assert lists["voix"].sum() == 638 == muni["exprimes"]  # 147 + 29 + 418 + 44
    assert lists["candidate"].tolist() == ["LUG", "LDIV", "LUMP", "LFG"]  # no names: nuance
    assert assign_blocs(lists).tolist() == ["left", "other", "right", "far_left"]


def test_csv_and_parquet_agree_and_one_election_is_read_alone() -> None:
    a, b = _read("csv"), _read("parquet")
    pd.testing.assert_frame_equal(a.stations, b.stations)
    pd.testing.assert_frame_equal(a.votes, b.votes)
    for ext in ("csv", "parquet"):
        one = _read(ext, election="2017-presidentielle", round=2)
        assert one.stations["bureau_id"].tolist() == ["69003_1", "69003_2"]
        assert set(one.votes["election"]) == {"2017-presidentielle"}
        assert one.stations["inscrits"].sum() == 884 + 781
    with pytest.raises(SchemaError, match=r"no row of 2022_pres_t1; the file holds "
                                          r"2014_muni_t1, 2017_pres_t2"):
        _read("csv", election="2022-presidentielle", round=1)
    with pytest.raises(SchemaError, match="no row of 2022_pres_t1"):
        _read("parquet", election="2022-presidentielle", round=1)
