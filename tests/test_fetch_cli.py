"""`swingcast fetch` over real HTTP: a mirror on 127.0.0.1 serving a copy of the data folder.

This is the issue's "done when": with ``SWINGCAST_MIRROR`` pointing to a local server, fetching
a national results file lands a verified file in an empty cache; a corrupted copy is refused
and leaves nothing behind.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from swingcast.cache import partial_files
from swingcast.cli import main
from swingcast.load import datasets
from swingcast.load.download import sha256sum

NAME = "france/results/2017-presidentielle-2_par_bureau_large.csv.gz"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def mirror(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "mirror"
    root.mkdir()
    handler = functools.partial(_Quiet, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", root
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture()
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mirror: tuple[str, Path]) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv(datasets.ENV_DATA_DIR, str(tmp_path / "no-data"))
    monkeypatch.setenv(datasets.ENV_CACHE, str(cache))
    monkeypatch.setenv(datasets.ENV_MIRROR, mirror[0])
    return cache


def test_fetch_lands_a_verified_file(shared_dir: Path, mirror: tuple[str, Path], env: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    (mirror[1] / NAME).parent.mkdir(parents=True)
    shutil.copyfile(shared_dir / NAME, mirror[1] / NAME)
    assert main(["fetch", NAME]) == 0
    out = capsys.readouterr().out
    assert out.strip() == f"{NAME} -> {env / NAME} (sha256)"
    assert sha256sum(env / NAME) == datasets.registry()[NAME].sha256
    assert datasets.download_records(env)[NAME]["url"] == f"{mirror[0]}/{NAME}"


def test_fetch_refuses_a_corrupted_copy(shared_dir: Path, mirror: tuple[str, Path], env: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    data = bytearray((shared_dir / NAME).read_bytes())
    data[len(data) // 2] ^= 0xFF  # one byte flipped, same size
    (mirror[1] / NAME).parent.mkdir(parents=True)
    (mirror[1] / NAME).write_bytes(bytes(data))
    assert main(["fetch", NAME]) == 2
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("swingcast: ")]
    assert len(err) == 1 and err[0].startswith("swingcast: error: http://127.0.0.1:")
    assert "downloaded bytes have sha256" in err[0] and err[0].endswith("file refused")
    assert not (env / NAME).exists() and partial_files(env) == []
    assert not env.exists() or list(env.rglob("*")) == []  # not even an empty folder


def test_fetch_by_election_checks_the_md5(mirror: tuple[str, Path], env: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    name = "official/interieur/2022-presidentielle-1_bureau.csv"
    (mirror[1] / name).parent.mkdir(parents=True)
    (mirror[1] / name).write_bytes(b"not the Ministry's file\n")
    assert main(["fetch", "--election", "2022-presidentielle", "--round", "1"]) == 2
    err = capsys.readouterr().err
    assert "2022-presidentielle round 1: " + name in err  # the file chosen is named
    assert "download has 24 bytes, expected 36463842" in err  # size checked before the md5
    assert not (env / name).exists() and partial_files(env) == []


def test_fetch_404_and_usage(mirror: tuple[str, Path], env: Path,
                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fetch", NAME]) == 2
    err = capsys.readouterr().err
    assert "download failed (HTTPError: 404" in err and NAME in err
    assert main(["fetch"]) == 2
    assert main(["fetch", "nope.csv"]) == 2
    assert "unknown dataset 'nope.csv'" in capsys.readouterr().err
