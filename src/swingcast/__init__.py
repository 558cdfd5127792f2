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
    "read_results": "swingcast.load.sources",
    "Results": "swingcast.load.sources",
    "read_census": "swingcast.load.census",
    "read_iris": "swingcast.load.geometry",
    "read_bureaux": "swingcast.load.geometry",
    "read_addresses": "swingcast.load.geometry",
    "read_polling_places": "swingcast.load.geometry",
    "read_reu_bureaux": "swingcast.load.reu",
    "to_lambert93": "swingcast.load.geometry",
    "crosswalk": "swingcast.join.crosswalk",
    "Crosswalk": "swingcast.join.crosswalk",
    "build_features": "swingcast.model.features",
    "backtest": "swingcast.model.backtest",
    "load_history": "swingcast.model.history",
    "History": "swingcast.model.history",
    "forecast": "swingcast.model.forecast",
    "Forecast": "swingcast.model.forecast",
    "TurnoutModel": "swingcast.model.estimators",
    "ShareModel": "swingcast.model.estimators",
    "BlocShareModel": "swingcast.model.estimators",
    "recentre": "swingcast.model.estimators",
    "CarryForward": "swingcast.model.baselines",
    "UniformSwing": "swingcast.model.baselines",
    "ProportionalSwing": "swingcast.model.baselines",
    "run_protocol": "swingcast.model.protocol",
    "protocol_spec": "swingcast.model.protocol",
    "simulate_swing": "swingcast.model.simulate",
    "brier_score": "swingcast.model.simulate",
    "check": "swingcast.load.preflight",
    "TargetingParams": "swingcast.target.value",
    "rank_bureaux": "swingcast.target.value",
    "allocate_hours": "swingcast.target.plan",
    "build_turfs": "swingcast.target.turfs",
    "turf_table": "swingcast.target.turfs",
    "turf_stops": "swingcast.target.turfs",
    "write_walk_sheets": "swingcast.target.walksheets",
    "assign_bureaux": "swingcast.target.contacts",
    "read_contacts": "swingcast.target.contacts",
    "html_report": "swingcast.target.report",
    "priority_html": "swingcast.target.maps",
    "svg_map": "swingcast.target.svgmap",
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
