"""swingcast: where should a French campaign send its door-to-door volunteers?

The data flow, one module per stage::

    sources/ census geometry datasets   load   (tidy tables, canonical codes)
    crosswalk                           join   (IRIS -> bureaux, bureaux across years)
    features models backtest simulate   model  (turnout, shares, intervals, swing)
    targeting plan contacts report      rank   (value per hour, volunteer plan, outputs)
    cli                                 the same functions from the command line

Public names are imported lazily so that ``import swingcast`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

#: public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "SwingcastError": "swingcast.errors",
    "read_results": "swingcast.sources",
    "Results": "swingcast.sources",
    "read_census": "swingcast.census",
    "read_iris": "swingcast.geometry",
    "read_bureaux": "swingcast.geometry",
    "read_addresses": "swingcast.geometry",
    "read_polling_places": "swingcast.geometry",
    "to_lambert93": "swingcast.geometry",
    "crosswalk": "swingcast.joiner",
    "Crosswalk": "swingcast.joiner",
    "build_features": "swingcast.features",
    "backtest": "swingcast.backtest",
    "TurnoutModel": "swingcast.models",
    "ShareModel": "swingcast.models",
    "BlocShareModel": "swingcast.models",
    "recentre": "swingcast.models",
    "CarryForward": "swingcast.baselines",
    "UniformSwing": "swingcast.baselines",
    "ProportionalSwing": "swingcast.baselines",
    "simulate_swing": "swingcast.simulate",
    "brier_score": "swingcast.simulate",
    "check": "swingcast.preflight",
    "TargetingParams": "swingcast.targeting",
    "rank_bureaux": "swingcast.targeting",
    "allocate_hours": "swingcast.plan",
    "build_turfs": "swingcast.turfs",
    "assign_bureaux": "swingcast.contacts",
    "read_contacts": "swingcast.contacts",
    "html_report": "swingcast.report",
    "area_bureaux": "swingcast.pipeline",
    "run_demo": "swingcast.pipeline",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'swingcast' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
