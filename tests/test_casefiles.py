"""Tests of the case files (src/swingcast/cases/*.toml) and of the module graph around them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from swingcast.errors import SchemaError
from swingcast.model.cases import CASE_DIR, get_case, list_cases, read_case

SRC = Path(__file__).resolve().parents[1] / "src" / "swingcast" / "model"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def test_shipped_case_files_are_the_cases() -> None:
    files = sorted(p.name for p in CASE_DIR.glob("*.toml"))
    assert files == ["france-eu2019.toml", "hds13-eu2024.toml", "paris-2017-t2.toml"]
    assert list_cases()["name"].tolist() == ["paris-2017-t2", "hds13-eu2024", "france-eu2019"]
    spec = get_case(CASE_DIR / "france-eu2019.toml")  # a path works like a name
    assert spec.config["training"]["outcome"] == "2017-legislatives-1"


def test_no_import_circle_between_cases_and_casedata() -> None:
    assert "swingcast.model.cases" not in _imports(SRC / "casedata.py")
    assert "swingcast.model.casedata" not in _imports(SRC / "training.py")
    # the registry imports the assembly only lazily, inside read_case
    top = ast.parse((SRC / "cases.py").read_text(encoding="utf-8")).body
    top_level = {n.module for n in top if isinstance(n, ast.ImportFrom)}
    assert "swingcast.model.casedata" not in top_level


def test_bad_case_files_are_refused(tmp_path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\nfiles = []\n', encoding="utf-8")
    with pytest.raises(SchemaError, match="missing key.*target, share"):
        read_case(bad)
    bad.write_text("name = [\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="cannot read the case file"):
        read_case(bad)
    with pytest.raises(SchemaError, match=r"unknown back-test case 'nope'.*\.toml"):
        get_case("nope")
