"""The pooled interval calibration of model v3 for histories with a single earlier round.

A history with one round before its test round has no development forecast of its own; its
80 % intervals use ``DEFAULT_CALIBRATION`` of :mod:`swingcast.model.protocol`: the σ² and q
(:func:`swingcast.model.protocol._calibrate`) of model v3's forecasts of the *single-prior*
development transitions of the pooled development set (each history's second round from its
first: EU 2014 → presidential 2017 round 1, RN and centre targets; docs/models.md, entry 9).
No test round is involved. The σ² and q of every pooled development transition are printed
beside them.

Usage (from ``benchmarks/``)::

    SWINGCAST_DATA_DIR=../../shared/data PYTHONPATH=../src ../.venv/bin/python calibrate_stack_default.py
"""

from __future__ import annotations

import numpy as np
from fit_stack_defaults import dev_specs

from swingcast.model.protocol import _calibrate, development_forecasts, make_model
from swingcast.model.transitions import round_values


def main() -> None:
    acc: dict[tuple[str, str], list] = {}
    for name, spec in dev_specs():
        for q in ("turnout", "share"):
            if q == "turnout" and name.endswith("c"):
                continue
            model = make_model("stack", q)
            rvs = [round_values(r, q, target=spec.target, bloc=spec.bloc) for r in spec.rounds]
            for k, rv, pred, _ in development_forecasts(model, spec, rvs):
                item = (pred, rv.value.to_numpy(float), rv.n.to_numpy(float))
                acc.setdefault((q, "all"), []).append(item)
                if sum(r is not None for r in rvs[:k]) == 1:
                    acc.setdefault((q, "single-prior"), []).append(item)
        print(name, flush=True)
    for (q, which), items in sorted(acc.items()):
        s2, qq, _ = _calibrate(*(np.concatenate([it[i] for it in items]) for i in range(3)))
        print(f"{q} {which}: {len(items)} transitions, sigma2 {s2:.4f}, q {qq:.3f}")


if __name__ == "__main__":
    main()
