"""Tests of swingcast.model.history: labels, time order, the training rule, load_history.

The real-data tests use Alpes-de-Haute-Provence (04) cut line by line out of the national
files (fixture ``dep04``) and check counts against the raw CSV read with plain pandas.
"""

from __future__ import annotations

import pandas as pd
import pytest

import swingcast
from swingcast.errors import SchemaError
from swingcast.model.history import (
    choose_training,
    describing_round,
    parse_label,
    round_order,
)

from .conftest import DEP04_ROUNDS

# --- labels and order (no data) --------------------------------------------------------------


def test_labels_parse_and_refuse() -> None:
    assert parse_label("2026-municipales-1") == ("2026-municipales", 1)
    assert parse_label("2024-EUROPEENNES") == ("2024-europeennes", 1)
    for bad in ("2022-presidential-1", "22-presidentielle-1", "2022-presidentielle-3", "x"):
        with pytest.raises(SchemaError, match="expected <year>-<kind>-<round>"):
            parse_label(bad)


def test_rounds_of_one_year_follow_the_calendar() -> None:
    labels = ["2017-legislatives-2", "2017-presidentielle-2", "2017-legislatives-1",
              "2017-presidentielle-1", "2014-europeennes-1", "2014-municipales-2"]
    assert sorted(labels, key=round_order) == [
        "2014-municipales-2", "2014-europeennes-1", "2017-presidentielle-1",
        "2017-presidentielle-2", "2017-legislatives-1", "2017-legislatives-2"]


def test_describing_round() -> None:
    r = ["2017-presidentielle-1", "2017-presidentielle-2", "2017-legislatives-1", "2017-legislatives-2"]
    assert describing_round(r, "2017-presidentielle-2") == "2017-presidentielle-1"  # its round 1
    assert describing_round(r, "2019-europeennes-1") == "2017-legislatives-1"  # latest round 1
    assert describing_round(r, "2022-legislatives-2") == "2017-legislatives-2"  # no 2022 round 1
    assert describing_round(r, "2017-presidentielle-1") is None


def test_each_rule_of_the_training_choice() -> None:
    eu = ["2014-europeennes-1", "2017-presidentielle-1", "2019-europeennes-1"]
    t = choose_training(eu, "2024-europeennes-1")
    assert (t.rule, t.features, t.outcome, t.apply) == (
        "same-transition", ("2014-europeennes-1",), "2019-europeennes-1", ("2019-europeennes-1",))
    # a presidential round 2 with only its round 1 and earlier rounds of other kinds
    t = choose_training(["2014-europeennes-1", "2017-presidentielle-1"], "2017-presidentielle-2")
    assert (t.rule, t.features, t.outcome) == ("latest-pair", ("2014-europeennes-1",),
                                               "2017-presidentielle-1")
    t = choose_training(["2017-presidentielle-1", "2017-legislatives-1", "2017-legislatives-2"],
                        "2022-legislatives-1")
    assert (t.rule, t.features, t.outcome) == ("same-target-kind", ("2017-presidentielle-1",),
                                               "2017-legislatives-1")
    t = choose_training(["2017-presidentielle-1", "2017-legislatives-1"], "2019-europeennes-1")
    assert (t.rule, t.outcome) == ("same-round", "2017-legislatives-1")
    # only rounds earlier than the target count; the share must exist in A and B
    t = choose_training([*eu, "2024-europeennes-1"], "2024-europeennes-1")
    assert t.outcome == "2019-europeennes-1"
    t = choose_training(eu, "2024-europeennes-1", has_share={"2014-europeennes-1": False,
                                                            "2017-presidentielle-1": True,
                                                            "2019-europeennes-1": True})
    assert (t.rule, t.features, t.outcome) == ("same-target-kind", ("2017-presidentielle-1",),
                                               "2019-europeennes-1")
    with pytest.raises(SchemaError, match="at least two"):
        choose_training(["2019-europeennes-1"], "2024-europeennes-1")
    with pytest.raises(SchemaError, match="no vote in 2019-europeennes-1"):
        choose_training(eu, "2024-europeennes-1", has_share={})
    with pytest.raises(SchemaError, match="share is absent"):
        choose_training(eu, "2024-europeennes-1", has_share={"2019-europeennes-1": True})


# --- load_history on a département cut from the national files ------------------------------


def _raw(path) -> pd.DataFrame:
    """The raw cut file with its bureau id built by hand (commune code + bureau, no leading zeros)."""
    df = pd.read_csv(path, dtype=str)
    df["bid"] = df["departement"] + df["commune"] + "_" + df["bureau"].str.lstrip("0")
    return df


#: the round of each cut file
LABELS = {"04_2014-europeennes.csv": "2014-europeennes-1", "04_p17a.csv": "2017-presidentielle-1",
          "04_p17b.csv": "2017-presidentielle-2", "04_2017-legislatives-1.csv": "2017-legislatives-1",
          "04_2019-europeennes.csv": "2019-europeennes-1"}


@pytest.fixture(scope="module")
def history04(dep04):
    files = [dep04[n] for n in DEP04_ROUNDS]
    labels = [lab for _, lab in DEP04_ROUNDS.values()]
    return swingcast.load_history(files, labels=labels, departements="04")


@pytest.mark.shared
def test_history_of_a_departement(history04, dep04) -> None:
    h = history04
    assert h.rounds == ["2014-europeennes-1", "2017-presidentielle-1", "2017-presidentielle-2",
                        "2017-legislatives-1", "2019-europeennes-1"]
    assert {"round", "election", "label"} <= set(h.stations.columns)
    assert {"round", "label"} <= set(h.votes.columns)
    for name, lab in LABELS.items():
        raw = _raw(dep04[name])
        st, _ = h.round(lab)
        assert (st["round"] == int(lab[-1])).all()
        assert len(st) == len(raw)  # one station per raw row
        assert int(pd.to_numeric(st["votants"]).sum()) == raw["votants"].astype(int).sum()
        assert set(st["bureau_id"]) == set(raw["bid"])
    # per-round unmatched report against the latest round, by hand from the raw ids
    latest = set(_raw(dep04["04_2019-europeennes.csv"])["bid"])
    report = h.unmatched().set_index("round")
    for name, lab in LABELS.items():
        if name == "04_2019-europeennes.csv":
            continue
        missing = sorted(latest - set(_raw(dep04[name])["bid"]))
        assert report.loc[lab, "unmatched"] == len(missing)
        assert report.loc[lab, "examples"] == ", ".join(missing[:5])
    assert report.loc["2014-europeennes-1", "unmatched"] > 0  # renumbered bureaux exist


@pytest.mark.shared
def test_history_restricted_to_communes_and_refusals(dep04) -> None:
    files = [dep04["04_2014-europeennes.csv"], dep04["04_2019-europeennes.csv"]]
    h = swingcast.load_history(files, communes=["04070", "04112"])
    raw = _raw(dep04["04_2019-europeennes.csv"])
    keep = raw[(raw["departement"] + raw["commune"]).isin(["04070", "04112"])]
    assert set(h.round("2019-europeennes-1")[0]["bureau_id"]) == set(keep["bid"])
    assert set(h.votes["bureau_id"]) <= set(h.stations["bureau_id"])
    with pytest.raises(SchemaError, match="no bureau in the area"):
        swingcast.load_history(files, departements="75")
    with pytest.raises(SchemaError, match="already read"):
        swingcast.load_history([files[0], files[0]])
    with pytest.raises(SchemaError, match="2 labels for 1 files"):
        swingcast.load_history(files[:1], labels=["2014-europeennes-1", None])
    with pytest.raises(SchemaError, match="cannot tell the election"):
        swingcast.load_history([dep04["04_p17a.csv"]])


@pytest.mark.shared
def test_history_mixes_layouts(fixtures_dir, shared_dir, tmp_path) -> None:
    """A data-lake export (numbered suffixes, semicolons) next to a national table of the same area."""
    import gzip

    suffixed = fixtures_dir / "results" / "2017-presidentielle-1_datalake_suffixed.csv"
    with gzip.open(shared_dir / "france" / "results" / "2017-presidentielle-2_par_bureau_large.csv.gz",
                   "rt", encoding="utf-8") as src:
        lines = [next(src)] + [line for line in src if line.startswith(("69,003,", "69,123,"))]
    second = tmp_path / "tour2.csv"
    second.write_text("".join(lines), encoding="utf-8")
    h = swingcast.load_history([suffixed, f"{second}"], labels=[None, "2017-presidentielle-2"])
    assert h.rounds == ["2017-presidentielle-1", "2017-presidentielle-2"]
    first = pd.read_csv(suffixed, sep=";", dtype=str)
    st1, vt1 = h.round("2017-presidentielle-1")
    assert pd.to_numeric(st1["inscrits"]).sum() == first["Inscrits"].astype(int).sum()
    assert int(pd.to_numeric(vt1["voix"]).sum()) == first["Exprimés"].astype(int).sum()
    raw2 = _raw(second)
    ids1 = set("69" + first["Code de la commune"] + "_" + first["Code du b.vote"].str.lstrip("0"))
    row = h.unmatched().set_index("round").loc["2017-presidentielle-1"]
    assert row["unmatched"] == len(set(raw2["bid"]) - ids1) > 0
