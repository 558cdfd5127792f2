"""Dataset registry, lookup order, hash checks and downloads (never over the network).

Downloads are served by a ``http.server`` bound to 127.0.0.1 in a thread, or by a fake
downloader that fails half-way.
"""

from __future__ import annotations

import hashlib
import http.server
import logging
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from swingcast.cache import partial_files
from swingcast.errors import DatasetError, HashMismatchError
from swingcast.load import datasets
from swingcast.load.datasets import Dataset, DataStore, download, fetch, list_datasets, sha256sum

PAYLOAD = b"IRIS;C11_POP15P\n751010101;1200\n751010102;800\n"
DIGEST = hashlib.sha256(PAYLOAD).hexdigest()


# --- a tiny local web server -------------------------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict[str, tuple[bytes, int | None]] = {}

    def do_GET(self) -> None:
        body, declared = self.routes.get(self.path, (b"", None))
        if self.path not in self.routes:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(declared if declared is not None else len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        if declared is not None:  # promise more than we send, then hang up
            self.close_connection = True

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    _Handler.routes = {
        "/good.csv": (PAYLOAD, None),
        "/tampered.csv": (PAYLOAD.replace(b"800", b"801"), None),
        "/truncated.csv": (PAYLOAD[:20], len(PAYLOAD)),
    }
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _entry(url: str = "", name: str = "paris/census/mini.csv") -> Dataset:
    return Dataset(name, len(PAYLOAD), DIGEST, "INSEE", "Licence Ouverte / Etalab", url, "test")


def _store(tmp_path: Path, url: str = "", **kw: object) -> DataStore:
    entry = _entry(url)
    return DataStore({entry.name: entry}, data_dir=tmp_path / "data",
                     cache_dir=tmp_path / "cache", **kw)  # type: ignore[arg-type]


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
    reg = datasets.registry()
    assert sorted(reg) == sorted(published) == on_disk
    for name, entry in reg.items():
        assert entry.sha256 == published[name], name
        assert entry.size == (shared_dir / name).stat().st_size, name
        assert entry.licence and entry.publisher and entry.description, name


def test_list_datasets_finds_every_real_file(shared_dir: Path,
                                             monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    monkeypatch.setenv(datasets.ENV_DATA_DIR, str(shared_dir))
    monkeypatch.setenv(datasets.ENV_CACHE_DIR, str(tmp_path / "cache"))
    table = list_datasets()
    assert len(table) == 35  # the 35 sha256 lines of the data README
    assert set(table["status"]) == {"data_dir"}
    assert table["size"].sum() == sum(
        p.stat().st_size for p in shared_dir.rglob("*") if p.is_file() and p.name != "README.md"
    )
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
