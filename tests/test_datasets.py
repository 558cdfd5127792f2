"""Dataset registry, lookup order, hash checks and downloads (never over the network).

Downloads go over real HTTP (requests, through pooch) to a ``http.server`` bound to 127.0.0.1
in a thread, started by the tests: good, corrupted, truncated, slow (timeout), 404, redirect
and redirect loop; or to a chunk source that fails half-way (interruption).
"""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import io
import json
import logging
import re
import shutil
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from swingcast.cache import partial_files
from swingcast.errors import DatasetError, HashMismatchError
from swingcast.load import datasets
from swingcast.load.datasets import Dataset, DataStore, download, fetch, list_datasets, sha256sum

PAYLOAD = b"IRIS;C11_POP15P\n751010101;1200\n751010102;800\n"
DIGEST = hashlib.sha256(PAYLOAD).hexdigest()
MD5 = hashlib.md5(PAYLOAD).hexdigest()


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("base-ic-evol-struct-pop-2021.csv", PAYLOAD.decode())
    return buffer.getvalue()


ZIP_BYTES = _zip_bytes()


# --- a tiny local web server -------------------------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    """Routes: path -> (status, body, headers, declared length or None, delay in seconds)."""

    routes: dict[str, tuple[int, bytes, dict[str, str], int | None, float]] = {}
    hits: list[str] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        if self.path not in self.routes:
            self.send_error(404)
            return
        status, body, headers, declared, delay = self.routes[self.path]
        if delay:
            time.sleep(delay)
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(declared if declared is not None else len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):
            self.wfile.write(body)
            self.wfile.flush()
        if declared is not None:  # promise more than we send, then hang up
            self.close_connection = True

    def log_message(self, *args: object) -> None:
        pass


def _ok(body: bytes, **kw: object) -> tuple:
    return (200, body, {}, kw.get("declared"), kw.get("delay", 0.0))


def _redirect(to: str) -> tuple:
    return (302, b"", {"Location": to}, None, 0.0)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    _Handler.routes = {
        "/good.csv": _ok(PAYLOAD),
        "/tampered.csv": _ok(PAYLOAD.replace(b"800", b"801")),
        "/truncated.csv": _ok(PAYLOAD[:20], declared=len(PAYLOAD)),
        "/slow.csv": _ok(PAYLOAD, delay=3.0),
        "/moved.csv": _redirect("/good.csv"),
        "/loop-a.csv": _redirect("/loop-b.csv"),
        "/loop-b.csv": _redirect("/loop-a.csv"),
        "/archive.zip": _ok(ZIP_BYTES),
        "/mirror/paris/census/mini.csv": _ok(PAYLOAD),
    }
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _entry(url: str = "", name: str = "paris/census/mini.csv", **kw: object) -> Dataset:
    return Dataset(name, len(PAYLOAD), DIGEST, "INSEE", "Licence Ouverte / Etalab", url, "test",
                   **kw)  # type: ignore[arg-type]


def _store(tmp_path: Path, url: str = "", entry: Dataset | None = None,
           **kw: object) -> DataStore:
    entry = entry or _entry(url)
    return DataStore({entry.name: entry}, data_dir=tmp_path / "data",
                     cache_dir=tmp_path / "cache", package_dir=None, progress=False,
                     **kw)  # type: ignore[arg-type]


def _cache_files(tmp_path: Path) -> list[str]:
    root = tmp_path / "cache"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) \
        if root.is_dir() else []


# --- the real registry -------------------------------------------------------------------


def test_registry_matches_the_data_readme(shared_dir: Path) -> None:
    """Every file of the shared folder is registered with the sha256 its README publishes."""
    readme = (shared_dir / "README.md").read_text(encoding="utf-8")
    published = dict(
        (m.group(2), m.group(1))
        for m in re.finditer(r"^([0-9a-f]{64})  (\S+)$", readme, flags=re.MULTILINE)
    )
    on_disk = sorted(
        str(p.relative_to(shared_dir)) for p in shared_dir.rglob("*")
        if p.is_file() and p.name != "README.md"
    )
    reg = {n: e for n, e in datasets.registry().items()
           if not n.startswith(("official/", "sample/"))}
    assert sorted(reg) == sorted(published) == on_disk
    for name, entry in reg.items():
        assert entry.verification == "sha256" and not entry.url, name
        assert entry.sha256 == published[name], name
        assert entry.size == (shared_dir / name).stat().st_size, name
        assert entry.licence and entry.publisher and entry.description, name


def test_list_datasets_finds_every_real_file(shared_dir: Path,
                                             monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    monkeypatch.setenv(datasets.ENV_DATA_DIR, str(shared_dir))
    monkeypatch.setenv(datasets.ENV_CACHE_DIR, str(tmp_path / "cache"))
    monkeypatch.delenv(datasets.ENV_MIRROR, raising=False)
    table = list_datasets()
    local = table[~table["name"].str.startswith("official/") & ~table["name"].str.startswith("sample/")]
    assert len(local) == 35  # the 35 sha256 lines of the data README
    assert set(local["status"]) == {"data_dir"}
    assert local["size"].sum() == sum(
        p.stat().st_size for p in shared_dir.rglob("*") if p.is_file() and p.name != "README.md"
    )
    assert set(table.loc[table["name"].str.startswith("sample/"), "status"]) == {"package"}
    assert set(table.loc[table["name"].str.startswith("official/"), "status"]) == {"downloadable"}
    path = fetch("paris/census/rp2011-cs8-iris-paris.csv")
    assert path == shared_dir / "paris/census/rp2011-cs8-iris-paris.csv"


def test_default_store_reads_the_environment(monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    monkeypatch.setenv(datasets.ENV_CACHE_DIR, str(tmp_path / "c"))
    monkeypatch.delenv(datasets.ENV_DATA_DIR, raising=False)
    store = datasets.default_store()
    assert store.cache_dir == tmp_path / "c" and store.data_dir is None
    monkeypatch.delenv(datasets.ENV_CACHE_DIR)
    assert datasets.cache_dir().name == "swingcast"


# --- lookup order and hash checks --------------------------------------------------------


def test_data_dir_copy_is_used_and_checked(tmp_path: Path) -> None:
    store = _store(tmp_path)
    local = tmp_path / "data" / "paris/census/mini.csv"
    local.parent.mkdir(parents=True)
    local.write_bytes(PAYLOAD)
    assert store.fetch("paris/census/mini.csv") == local
    local.write_bytes(PAYLOAD.replace(b"800", b"900"))  # same size, other bytes
    with pytest.raises(HashMismatchError, match=r"paris/census/mini\.csv.*has sha256"):
        store.fetch("paris/census/mini.csv")
    assert local.read_bytes() == PAYLOAD.replace(b"800", b"900")  # never touched
    assert store.locate("paris/census/mini.csv") == ("hash mismatch", local)


def test_unknown_and_missing(tmp_path: Path) -> None:
    store = _store(tmp_path)
    with pytest.raises(DatasetError, match="unknown dataset 'nope.csv'"):
        store.fetch("nope.csv")
    with pytest.raises(DatasetError, match=r"not found; looked in .*data.*cache.*no URL"):
        store.fetch("paris/census/mini.csv")
    assert store.locate("paris/census/mini.csv") == ("missing", None)


def test_download_into_cache_then_reuse(tmp_path: Path, server: str) -> None:
    store = _store(tmp_path, f"{server}/good.csv")
    assert store.locate("paris/census/mini.csv") == ("downloadable", None)
    path = store.fetch("paris/census/mini.csv")
    assert path == tmp_path / "cache" / "paris/census/mini.csv"
    assert sha256sum(path) == DIGEST
    assert store.locate("paris/census/mini.csv") == ("cache", path)
    # second call: served from the cache even when the server has gone
    offline = _store(tmp_path, "http://127.0.0.1:9/unreachable.csv")
    assert offline.fetch("paris/census/mini.csv") == path


def test_corrupted_cache_is_removed_and_refetched(tmp_path: Path, server: str,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    store = _store(tmp_path, f"{server}/good.csv")
    cached = tmp_path / "cache" / "paris/census/mini.csv"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(PAYLOAD[:-5])  # a cut download left by an older tool
    with caplog.at_level(logging.WARNING, logger="swingcast"):
        assert store.fetch("paris/census/mini.csv") == cached
    assert cached.read_bytes() == PAYLOAD
    assert "removing it and downloading it again" in caplog.text


def test_corrupted_cache_without_url_is_refused(tmp_path: Path) -> None:
    store = _store(tmp_path)
    cached = tmp_path / "cache" / "paris/census/mini.csv"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"garbage")
    with pytest.raises(HashMismatchError, match=r"cached copy .*mini\.csv has 7 bytes, expected"):
        store.fetch("paris/census/mini.csv")
    assert cached.read_bytes() == b"garbage"


def test_tampered_download_is_refused(tmp_path: Path, server: str) -> None:
    store = _store(tmp_path, f"{server}/tampered.csv")
    with pytest.raises(HashMismatchError, match=r"tampered\.csv: downloaded bytes have sha256"):
        store.fetch("paris/census/mini.csv")
    assert not (tmp_path / "cache" / "paris/census/mini.csv").exists()
    assert partial_files(tmp_path / "cache") == []


def test_truncated_transfer_leaves_nothing(tmp_path: Path, server: str) -> None:
    store = _store(tmp_path, f"{server}/truncated.csv")
    with pytest.raises(DatasetError, match=r"truncated\.csv: download failed"):
        store.fetch("paris/census/mini.csv")
    assert not (tmp_path / "cache" / "paris/census/mini.csv").exists()
    assert partial_files(tmp_path / "cache") == []


def test_http_error_is_a_dataset_error(tmp_path: Path, server: str) -> None:
    store = _store(tmp_path, f"{server}/absent.csv")
    with pytest.raises(DatasetError, match=r"absent\.csv: download failed \(HTTPError: 404"):
        store.fetch("paris/census/mini.csv")


def test_interrupted_download_keeps_the_previous_file(tmp_path: Path) -> None:
    dest = tmp_path / "out" / "mini.csv"
    dest.parent.mkdir()
    dest.write_bytes(b"previous version")

    def dies_half_way(url: str) -> Iterator[bytes]:
        yield PAYLOAD[:10]
        raise ConnectionResetError("peer went away")

    with pytest.raises(DatasetError, match="ConnectionResetError: peer went away"):
        download("https://example.invalid/mini.csv", dest, DIGEST, downloader=dies_half_way)
    assert dest.read_bytes() == b"previous version"
    assert partial_files(tmp_path) == []

    def interrupted(url: str) -> Iterator[bytes]:
        yield PAYLOAD[:10]
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        download("https://example.invalid/mini.csv", dest, DIGEST, downloader=interrupted)
    assert dest.read_bytes() == b"previous version"
    assert partial_files(tmp_path) == []


def test_file_url_and_bad_scheme(tmp_path: Path, shared_dir: Path) -> None:
    name = "paris/census/rp2011-cs8-iris-paris.csv"
    real = datasets.registry()[name]
    remote = tmp_path / "mirror" / "rp.csv"
    remote.parent.mkdir()
    shutil.copyfile(shared_dir / name, remote)
    entry = Dataset(name, real.size, real.sha256, real.publisher, real.licence,
                    remote.as_uri(), real.description)
    store = DataStore({name: entry}, data_dir=None, cache_dir=tmp_path / "cache")
    assert sha256sum(store.fetch(name)) == real.sha256
    with pytest.raises(DatasetError, match="unsupported URL scheme 'ftp'"):
        download("ftp://example.invalid/x", tmp_path / "x", DIGEST)


def test_table_without_verification_compares_sizes_only(tmp_path: Path) -> None:
    store = _store(tmp_path)
    local = tmp_path / "data" / "paris/census/mini.csv"
    local.parent.mkdir(parents=True)
    local.write_bytes(PAYLOAD.replace(b"800", b"900"))  # same size, other bytes
    assert store.table(verify=False)["status"].tolist() == ["data_dir"]
    assert store.table(verify=True)["status"].tolist() == ["hash mismatch"]
    local.write_bytes(PAYLOAD + b"\n")  # one byte more: caught by the size alone
    table = list_datasets(verify=False, store=store)
    assert table.loc[0, "status"] == "hash mismatch" and table.loc[0, "path"] == str(local)


# --- the official part of the registry -----------------------------------------------------


def _official() -> dict[str, Dataset]:
    return {n: e for n, e in datasets.registry().items() if n.startswith("official/")}


def test_registry_lists_the_official_sources() -> None:
    official = _official()
    assert len(official) >= 60
    for name, entry in official.items():
        assert entry.url.startswith("https://"), name
        assert entry.verification in ("md5", "unverified"), name
        if entry.verification == "md5":  # md5 and size of a public copy, both known
            assert re.fullmatch(r"[0-9a-f]{32}", entry.md5) and entry.size, name
        else:
            assert not entry.md5 and not entry.sha256, name
        assert entry.licence in ("Licence Ouverte / Etalab", "ODbL") and entry.description, name
        assert entry.unpack == {".zip": "zip", ".7z": "7z"}.get(Path(name).suffix, ""), name
    # every Ministry per-bureau election of the hexagonal checksums, 2005-2026, plus 2002/2007
    bureau = {(e.election, r) for e in official.values() if e.level == "bureau"
              and e.name.startswith("official/interieur/") for r in e.round.split()}
    for year_kind in ("2002-presidentielle", "2007-presidentielle", "2012-legislatives",
                      "2014-municipales", "2019-europeennes", "2020-municipales",
                      "2021-regionales", "2024-legislatives", "2026-municipales"):
        assert (year_kind, "1") in bureau, year_kind
    kinds = " ".join(official)
    for base in ("evol-struct-pop", "activite-residents", "logement", "diplomes-formation",
                 "couples-familles-menages", "FILO_IRIS", "CONTOURS-IRIS", "reu-2022/table-bv",
                 "reu-2022/table-adresses", "contours-bureaux-reu-2022",
                 "elections-agregees/general_results", "elections-agregees/candidats_results"):
        assert base in kinds, base


def test_conflicting_insee_activity_ids_are_resolved() -> None:
    """urls.csv gives two ids for the RP2019 and RP2020 activity bases; the other id of each
    is the one of base-ic-evol-struct-pop of the same year (one INSEE id, one file)."""
    official = _official()
    act19 = official["official/insee/base-ic-activite-residents-2019_csv.zip"].url
    act20 = official["official/insee/base-ic-activite-residents-2020_csv.zip"].url
    assert "/6543289/" in act19 and "/7704089/" in act20
    assert "/6543200/" in official["official/insee/base-ic-evol-struct-pop-2019.zip"].url
    assert "/7704076/" in official["official/insee/base-ic-evol-struct-pop-2020_csv.zip"].url
    urls = [u for e in official.values() for u in (e.url, *e.mirrors)]
    assert len(urls) == len(set(urls))  # no address names two files


def test_md5_rows_agree_with_the_published_checksums(shared_dir: Path) -> None:
    sums = shared_dir.parent / "sources" / "hexagonal_raw_dvc_checksums.csv"
    if not sums.is_file():
        pytest.skip("no ../sources beside the data folder")
    import csv

    with open(sums, newline="", encoding="utf-8") as handle:
        published = {r["md5"]: int(r["size_bytes"]) for r in csv.DictReader(handle)}
    checked = [e for e in _official().values() if e.md5]
    assert len(checked) >= 40
    for entry in checked:
        assert published[entry.md5] == entry.size, entry.name


def test_find_election_prefers_the_checked_definitive_csv() -> None:
    assert datasets.find_election("2022-legislatives", 1)[0].name == \
        "official/interieur/2022-legislatives-1_bureau.csv"
    both = datasets.find_election("2012-presidentielle", 2)  # one file holds both rounds
    assert both[0].round == "1 2" and both[0].verification == "md5"
    with pytest.raises(DatasetError, match=r"no registered bureau file for election "
                                           r"'2023-presidentielle'.*expected one of 2002-"):
        datasets.find_election("2023-presidentielle", 1)


# --- downloads over HTTP, through pooch -------------------------------------------------


def test_md5_checked_download_and_redirect(tmp_path: Path, server: str) -> None:
    entry = Dataset("official/x/mini.csv", len(PAYLOAD), "", "INSEE", "LO",
                    f"{server}/moved.csv", "t", md5=MD5, check="md5")
    store = _store(tmp_path, entry=entry)
    path = store.fetch(entry.name)
    assert path.read_bytes() == PAYLOAD
    record = datasets.download_records(tmp_path / "cache")[entry.name]
    assert record["sha256"] == DIGEST and record["check"] == "md5" and record["size"] == len(PAYLOAD)


def test_redirect_loop_is_one_line(tmp_path: Path, server: str) -> None:
    store = _store(tmp_path, f"{server}/loop-a.csv")
    with pytest.raises(DatasetError, match=r"loop-a\.csv: download failed \(TooManyRedirects"):
        store.fetch("paris/census/mini.csv")
    assert _cache_files(tmp_path) == []


def test_timeout_is_one_line(tmp_path: Path, server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from swingcast.load import download as dl

    monkeypatch.setattr(dl, "TIMEOUT", 0.5)
    store = _store(tmp_path, f"{server}/slow.csv")
    with pytest.raises(DatasetError, match=r"slow\.csv: download failed \((ReadTimeout|ConnectionError)"):
        store.fetch("paris/census/mini.csv")
    assert _cache_files(tmp_path) == []


def test_wrong_size_is_refused(tmp_path: Path, server: str) -> None:
    entry = Dataset("a/mini.csv", len(PAYLOAD) + 1, "", "", "", f"{server}/good.csv", "",
                    check="unverified")
    store = _store(tmp_path, entry=entry)
    with pytest.raises(DatasetError, match=rf"good\.csv: download has {len(PAYLOAD)} bytes, "
                                           rf"expected {len(PAYLOAD) + 1}"):
        store.fetch("a/mini.csv")
    assert _cache_files(tmp_path) == []


def test_tampered_download_leaves_the_cache_as_it_was(tmp_path: Path, server: str) -> None:
    store = _store(tmp_path, f"{server}/good.csv")
    store.fetch("paris/census/mini.csv")
    before = {n: (tmp_path / "cache" / n).read_bytes() for n in _cache_files(tmp_path)}
    other = DataStore({"paris/census/mini.csv": _entry(f"{server}/tampered.csv")},
                      data_dir=None, cache_dir=tmp_path / "cache", package_dir=None)
    (tmp_path / "cache" / "paris/census/mini.csv").unlink()  # as if it had never been fetched
    del before["paris/census/mini.csv"]
    with pytest.raises(HashMismatchError, match="file refused"):
        other.fetch("paris/census/mini.csv")
    after = {n: (tmp_path / "cache" / n).read_bytes() for n in _cache_files(tmp_path)}
    assert after == before  # nothing added, nothing changed (the record is the old one)
    assert partial_files(tmp_path / "cache") == []


def test_mirror_replaces_the_official_host(tmp_path: Path, server: str,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(datasets.ENV_MIRROR, f"{server}/mirror")
    store = _store(tmp_path, "https://official.invalid/mini.csv",
                   mirror=datasets.mirror_url())
    assert store.locate("paris/census/mini.csv") == ("downloadable", None)
    path = store.fetch("paris/census/mini.csv")
    assert path.read_bytes() == PAYLOAD
    record = datasets.download_records(tmp_path / "cache")["paris/census/mini.csv"]
    assert record["url"] == f"{server}/mirror/paris/census/mini.csv"


def test_official_failure_falls_back_to_a_mirror(tmp_path: Path, server: str,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    entry = _entry(f"{server}/absent.csv", mirrors=(f"{server}/tampered.csv", f"{server}/good.csv"))
    store = _store(tmp_path, entry=entry)
    with caplog.at_level(logging.WARNING, logger="swingcast"):
        assert store.fetch(entry.name).read_bytes() == PAYLOAD
    assert "404" in caplog.text and "file refused" in caplog.text
    bad = _entry(f"{server}/absent.csv", mirrors=(f"{server}/tampered.csv",))
    with pytest.raises(DatasetError, match=r"every address failed: .*404.* \| .*file refused"):
        _store(tmp_path / "b", entry=bad).fetch(bad.name)


def test_unverified_file_is_trusted_on_first_use(tmp_path: Path, server: str,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    entry = Dataset("official/x/mini.csv", None, "", "INSEE", "LO", f"{server}/good.csv", "t")
    store = _store(tmp_path, entry=entry)
    assert store.locate(entry.name) == ("downloadable", None)
    with caplog.at_level(logging.WARNING, logger="swingcast"):
        path = store.fetch(entry.name)
    assert f"sha256 {DIGEST}" in caplog.text and "unverified" in caplog.text
    records = json.loads((tmp_path / "cache" / datasets.RECORDS).read_text(encoding="utf-8"))
    assert records[entry.name]["sha256"] == DIGEST
    assert store.locate(entry.name) == ("cache", path)
    path.write_bytes(PAYLOAD.replace(b"800", b"900"))  # changed after the first download
    assert store.locate(entry.name) == ("hash mismatch", path)
    assert store.fetch(entry.name).read_bytes() == PAYLOAD  # removed and fetched again
    registry_csv = datasets._registry_file().read_bytes()
    datasets.registry.cache_clear()
    assert datasets._registry_file().read_bytes() == registry_csv  # never written at run time


def test_archive_is_unpacked_once_into_the_cache(tmp_path: Path, server: str) -> None:
    entry = Dataset("official/insee/a.zip", len(ZIP_BYTES), hashlib.sha256(ZIP_BYTES).hexdigest(),
                    "INSEE", "LO", f"{server}/archive.zip", "t", unpack="zip")
    store = _store(tmp_path, entry=entry)
    folder = store.fetch_unpacked(entry.name)
    assert folder == tmp_path / "cache" / "official/insee/a.zip.unpacked"
    member = folder / "base-ic-evol-struct-pop-2021.csv"
    assert member.read_bytes() == PAYLOAD
    stamp = member.stat().st_mtime_ns
    _Handler.hits.clear()
    assert store.fetch_unpacked(entry.name) == folder  # second time: no download, no unpack
    assert _Handler.hits == [] and member.stat().st_mtime_ns == stamp
    with pytest.raises(DatasetError, match="is not an archive"):
        _store(tmp_path).fetch_unpacked("paris/census/mini.csv")


def test_7z_archive_is_unpacked(tmp_path: Path) -> None:
    py7zr = pytest.importorskip("py7zr")
    from swingcast.load.download import unpack

    (tmp_path / "CONTOURS-IRIS.gpkg").write_bytes(PAYLOAD)
    with py7zr.SevenZipFile(tmp_path / "iris.7z", "w") as z:
        z.write(tmp_path / "CONTOURS-IRIS.gpkg", "CONTOURS-IRIS/iris.gpkg")
    out = unpack(tmp_path / "iris.7z", dest=tmp_path / "cache" / "iris.7z.unpacked")
    assert (out / "CONTOURS-IRIS" / "iris.gpkg").read_bytes() == PAYLOAD
    (tmp_path / "bad.7z").write_bytes(b"not an archive")
    with pytest.raises(DatasetError, match=r"bad\.7z: cannot unpack"):
        unpack(tmp_path / "bad.7z")
    assert not (tmp_path / "bad.7z.unpacked").exists() and partial_files(tmp_path) == []


# --- the embedded sample ---------------------------------------------------------------------


def test_sample_stands_in_only_for_the_rows_it_holds(tmp_path: Path) -> None:
    name = "france/results/2017-presidentielle-2_par_bureau_large.csv.gz"
    store = DataStore(datasets.registry(), data_dir=tmp_path / "empty", cache_dir=tmp_path / "c")
    path = store.fetch(name, departements=["75"])
    assert path == datasets.PACKAGE_DATA / "sample/paris/2017-presidentielle-2_par_bureau_large.csv.gz"
    with pytest.raises(DatasetError, match=r"not found; looked in .*empty.*SWINGCAST_DATA_DIR.*"
                                           r"SWINGCAST_MIRROR.*swingcast fetch"):
        store.fetch(name)  # the whole of France: the sample is not it
    with pytest.raises(DatasetError, match="not found"):
        store.fetch(name, departements=["13"])
    contours = "paris/contours/secteurs-des-bureaux-de-vote-paris-2017.geojson"
    assert store.fetch(contours).suffix == ".gpkg"  # every polygon: stands in for any caller


def test_data_dir_takes_precedence_over_the_sample(shared_dir: Path, tmp_path: Path) -> None:
    name = "france/results/2017-presidentielle-2_par_bureau_large.csv.gz"
    store = DataStore(datasets.registry(), data_dir=shared_dir, cache_dir=tmp_path / "c")
    assert store.fetch(name, departements=["75"]) == shared_dir / name


def test_official_results_names_tell_read_results_the_round() -> None:
    """read_results guesses election and round from the file name: a file of both rounds
    must not look like round 1 (it is read per row from its "No tour" column)."""
    from swingcast.load.sources.detect import infer_election

    for name, entry in _official().items():
        from swingcast.schema import ELECTION_KINDS

        if not name.startswith("official/interieur/") or entry.election[5:] not in ELECTION_KINDS:
            continue
        rounds = entry.round.split()
        expected = int(rounds[0]) if len(rounds) == 1 else None
        assert infer_election(Path(name).name) == (entry.election, expected), name


def test_registry_is_what_make_registry_builds(shared_dir: Path) -> None:
    """data/registry.csv is reproducible from ../sources (data/make_registry.py)."""
    import importlib.util

    sources = shared_dir.parent / "sources"
    script = Path(__file__).resolve().parents[1] / "data" / "make_registry.py"
    if not sources.is_dir() or not script.is_file():
        pytest.skip("no ../sources beside the data folder, or not a source checkout")
    spec = importlib.util.spec_from_file_location("make_registry", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.build(sources).render() == datasets._registry_file().read_text(encoding="utf-8")


def test_fetch_by_election_through_a_mirror(tmp_path: Path, server: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(datasets.ENV_CACHE, str(tmp_path / "cache"))
    monkeypatch.setenv(datasets.ENV_MIRROR, f"{server}/mirror")  # serves no such file
    monkeypatch.delenv(datasets.ENV_DATA_DIR, raising=False)
    with pytest.raises(DatasetError, match=r"mirror/official/interieur/2017-legislatives-2_bureau"
                                           r"\.csv: download failed \(HTTPError: 404"):
        datasets.fetch(election="2017-legislatives", round=2)
    with pytest.raises(DatasetError, match="not both"):
        datasets.fetch("a.csv", election="2017-legislatives")
    assert not (tmp_path / "cache").exists()
