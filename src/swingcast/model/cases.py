"""The named back-test cases: case files (TOML) read by the same code as a user's history.

A case file says which results files make the history, the area, the scored round, the share,
the training choice, the census and the model options; :func:`read_case` reads one into a
:class:`CaseSpec` whose ``build()`` assembles the :class:`~swingcast.model.training.CaseData`
(:func:`swingcast.model.casedata.build_case`). The three shipped cases are the files of
``swingcast/cases/`` (see ``docs/models.md``):

``paris-2017-t2``  Paris, presidential 2017 round 2 (turnout, Macron share of exprimés)
``hds13-eu2024``   Hauts-de-Seine 13th constituency, European 2024 (turnout, RN list share)
``france-eu2019``  all France, European 2019 (turnout, RN list share)

The format of a case file is documented in ``docs/models.md`` ("Case files"); a user can write
their own and pass its path wherever a case name is accepted.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from os import PathLike
from pathlib import Path

import pandas as pd

from swingcast.errors import SchemaError
from swingcast.model.training import (
    MATCHED,
    PRIOR_SHARE,
    PRIOR_TURNOUT,
    CaseData,
    lag_matrix,
    outcomes,
)

__all__ = ["CaseSpec", "CaseData", "CASES", "CASE_DIR", "get_case", "list_cases", "read_case",
           "lag_matrix", "outcomes", "MATCHED", "PRIOR_SHARE", "PRIOR_TURNOUT"]

#: Folder of the shipped case files.
CASE_DIR = Path(__file__).resolve().parent.parent / "cases"

@dataclass(frozen=True)
class CaseSpec:
    """A named back-test case.

    Attributes
    ----------
    name : str
    area : str
    election : str
        The scored election.
    target : str
        What the share is.
    training : str
        The training transition.
    build : callable
        ``build() -> CaseData``.
    """

    name: str
    area: str
    election: str
    target: str
    training: str
    build: Callable[[], CaseData]
    #: the case file's table (for reports)
    config: dict = field(default_factory=dict, compare=False)



_REQUIRED = ("name", "files", "target", "share")


def read_case(path: str | PathLike[str]) -> CaseSpec:
    """Read a case file (TOML) into a :class:`CaseSpec`.

    Parameters
    ----------
    path : path
        A ``.toml`` case file (format in ``docs/models.md``, "Case files"). ``files``
        entries are paths relative to the case file, absolute paths, or names of the
        dataset registry (``france/results/...``), each optionally ``PATH=LABEL``.

    Returns
    -------
    CaseSpec

    Raises
    ------
    SchemaError
        Unreadable TOML or a missing key.

    Examples
    --------
    >>> spec = read_case(CASE_DIR / "hds13-eu2024.toml")
    >>> spec.name, spec.config["target"]
    ('hds13-eu2024', '2024-europeennes-1')
    """
    p = Path(path)
    try:
        config = tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SchemaError(f"{p}: cannot read the case file ({exc}); expected TOML (docs/models.md, "
                          "'Case files')") from None
    missing = [k for k in _REQUIRED if k not in config]
    if missing:
        raise SchemaError(f"{p}: missing key(s) {', '.join(missing)}; expected {', '.join(_REQUIRED)} "
                          "(docs/models.md, 'Case files')")
    from swingcast.model.casedata import build_case

    return CaseSpec(
        name=str(config["name"]),
        area=str(config.get("area_title", config.get("area", ""))),
        election=str(config.get("election", config["target"])),
        target=str(config.get("target_title", f"turnout; {config['share']} share of exprimés")),
        training=str(config.get("training_title", config.get("training", "rule"))),
        build=partial(build_case, config, p.parent),
        config=config,
    )


#: The shipped cases by name, in the order of their ``order`` key (filled on first use).
CASES: dict[str, CaseSpec] = {}


def _load_registry() -> None:
    if not CASES:
        specs = [read_case(p) for p in sorted(CASE_DIR.glob("*.toml"))]
        for spec in sorted(specs, key=lambda s: s.config.get("order", 99)):
            CASES[spec.name] = spec


def get_case(name: str | PathLike[str]) -> CaseSpec:
    """Return a shipped case by name, or read a case file given by its path.

    Examples
    --------
    >>> get_case("paris-2017-t2").election
    '2017-presidentielle round 2'
    """
    text = str(name)
    if text.endswith(".toml"):
        return read_case(text)
    _load_registry()
    if text not in CASES:
        raise SchemaError(f"unknown back-test case {text!r}; expected one of {sorted(CASES)} or the "
                          "path of a case file (.toml)")
    return CASES[text]


def list_cases() -> pd.DataFrame:
    """The shipped cases, one row each.

    Returns
    -------
    DataFrame
        Columns ``name, area, election, target, training``.

    Examples
    --------
    >>> list_cases()["name"].tolist()
    ['paris-2017-t2', 'hds13-eu2024', 'france-eu2019']
    """
    _load_registry()
    return pd.DataFrame(
        [
            {"name": c.name, "area": c.area, "election": c.election, "target": c.target,
             "training": c.training}
            for c in CASES.values()
        ]
    )
