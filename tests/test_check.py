"""swingcast.check: kinds, per-file figures, cross-file id checks, verdicts."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

import swingcast
from swingcast.load.preflight import CheckReport, FileReport, detect_kind

BAD = Path(__file__).parent / "data" / "bad"


def _data_lines(path: Path) -> int:
    """Hand count: non-empty lines after the header."""
    return sum(1 for line in path.read_text(encoding="utf-8").splitlines()[1:] if line)


@pytest.mark.parametrize(("name", "kind"), [
    ("presidentielle-2017-t2_ok.csv", "results"),
    ("legislatives-2017-t2_ministere_ragged.txt", "results"),
    ("census-rp2011_ok.csv", "census"),
    ("census-rp2011_title_rows.xlsx", "census"),
    ("census-filosofi2019_bom_decimal_comma.csv", "census"),
    ("iris2013_ok.geojson", "iris"),
    ("iris2013_no_crs.shp", "iris"),
    ("bureaux-paris2017_ok.geojson", "bureaux"),
    ("addresses-reu_ok.csv", "addresses"),
])
def test_detect_kind(name: str, kind: str) -> None:
    assert detect_kind(BAD / name) == kind


def test_detect_kind_gzip(tmp_path: Path) -> None:
    path = tmp_path / "rp.csv.gz"
    path.write_bytes(gzip.compress((BAD / "census-rp2011_ok.csv").read_bytes()))
    assert detect_kind(path) == "census"


def test_consistent_files_pass() -> None:
    files = [BAD / n for n in ("census-rp2011_ok.csv", "iris2013_ok.geojson",
                               "presidentielle-2017-t2_ok.csv", "bureaux-paris2017_ok.geojson",
                               "addresses-reu_ok.csv")]
    report = swingcast.check(files)
    assert report.status == "ok" and report.exit_code == 0, str(report)
    census, iris, results, bureaux, addresses = report.files
    assert census.rows == census.ids == _data_lines(files[0]) == 6
    assert results.rows == results.ids == _data_lines(files[2]) == 6
    assert "2017-presidentielle round 2" in results.detail
    assert iris.rows == 6 and "EPSG:2154" in iris.detail
    assert bureaux.rows == 4  # bureaux 1-1 .. 1-4 of the 2017 secteurs
    assert addresses.rows == _data_lines(files[4]) and addresses.ids == 1  # all in 29039_1
    assert "-> ok" in str(report)


def test_warnings_give_exit_1() -> None:
    report = swingcast.check([BAD / "presidentielle-2017-t2_voix_sum_mismatch.csv",
                              BAD / "bureaux-paris2017_duplicated_id.geojson"])
    assert report.exit_code == 1
    results, bureaux = report.files
    assert results.status == "warning" and "voix_exprimes 1" in results.warnings[0]
    assert "line 4, id 75056_101" in results.warnings[0]
    # two polygons for 1-3 dissolved: 3 bureaux from 4 features (hand count of the file)
    assert bureaux.status == "warning" and bureaux.rows == 3
    assert "75056_103" in bureaux.warnings[0]
    # results bureau 0104 has no polygon any more
    assert report.cross == ["1 bureau ids of presidentielle-2017-t2_voix_sum_mismatch.csv not "
                            "in bureaux-paris2017_duplicated_id.geojson: 75056_104"]


def test_edition_mismatch_is_reported_both_ways() -> None:
    report = swingcast.check([BAD / "census-rp2011_ok.csv", BAD / "iris-other-edition.geojson"])
    assert report.exit_code == 1
    assert report.cross == [
        "1 IRIS codes of census-rp2011_ok.csv not in iris-other-edition.geojson: 751010104",
        "1 IRIS codes of iris-other-edition.geojson not in census-rp2011_ok.csv: 751010107",
    ]


def test_refused_file_does_not_stop_the_others() -> None:
    report = swingcast.check([BAD / "presidentielle-2017-t2_truncated.csv",
                              BAD / "census-rp2011_ok.csv", BAD / "nowhere.csv"])
    assert report.exit_code == 2
    bad, good, missing = report.files
    assert bad.status == "error" and "line 7" in bad.error
    assert isinstance(bad.exception, swingcast.SwingcastError)
    assert good.status == "ok" and good.rows == 6
    assert missing.status == "error" and "no such file" in missing.error
    frame = report.to_frame()
    assert frame["status"].tolist() == ["error", "ok", "error"]
    assert "2 refused" in str(report)


def test_forced_kind() -> None:
    report = swingcast.check(BAD / "census-rp2011_ok.csv", kind="results")
    assert report.files[0].kind == "results" and report.exit_code == 2
    report = swingcast.check(BAD / "census-rp2011_ok.csv", kind="voters")
    assert "unknown kind 'voters'" in report.files[0].error


def test_empty_report() -> None:
    assert CheckReport([]).status == "ok"
    assert FileReport(Path("x.csv"), "results", warnings=["w"]).status == "warning"


def test_real_polling_places_against_results(shared_dir: Path) -> None:
    places = shared_dir / "paris/contours/lieux-de-vote-paris-2017.csv"
    assert detect_kind(places) == "polling_places"
    report = swingcast.check([places,
                              shared_dir / "paris/results/2017-presidentielle-1-paris-parts-par-bureau.csv"])
    places_report, results = report.files
    # data README: 861 rows, 855 distinct bureaux (6 repeated); the 2017 secteurs have 896
    assert places_report.rows == 896 and results.rows == results.ids == 855
    assert "duplicate_bureau 6" in results.warnings[0]
    assert report.cross[0].startswith(f"{896 - 855} bureau ids of lieux-de-vote-paris-2017.csv "
                                      "not in 2017-presidentielle-1-paris-parts-par-bureau.csv")


def test_real_paris_inputs(shared_dir: Path) -> None:
    report = swingcast.check([shared_dir / "paris/census/rp2011-cs8-iris-paris.csv",
                              shared_dir / "paris/contours/iris-paris-2013.gpkg",
                              shared_dir / "paris/contours/bureaux-paris-2012.gpkg"])
    census, iris, bureaux = report.files
    # data README: 992 IRIS in both the RP2011 table and the 2013 contours, 867 bureaux in 2012
    assert census.rows == iris.rows == 992 and bureaux.rows == 867
    assert report.cross == [] and report.exit_code == 0, str(report)
