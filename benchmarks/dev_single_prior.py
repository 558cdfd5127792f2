"""Development check of two-round histories (the shape of presidential 2017 -> 2022 round 1).

For the 21 départements of the development set (``fit_stack_defaults.dev_specs``, RN target),
three two-round histories per département, on development rounds only — EU 2014 -> pres 2017
r1, EU 2014 -> leg 2017 r1, pres 2017 r1 -> leg 2017 r1 — are scored by ``run_protocol``
(``anchor="actual"``); prints per pair the medians of the ratio model / best baseline and of
the 80 % coverage, with ``stack.DENOISE_BY_ROUND`` off and on.

Usage (from ``benchmarks/``)::

    SWINGCAST_DATA_DIR=../../shared/data PYTHONPATH=../src ../.venv/bin/python dev_single_prior.py
"""

from __future__ import annotations

import dataclasses

import numpy as np
from fit_stack_defaults import dev_specs

from swingcast.model import stack
from swingcast.model.protocol import run_protocol

PAIRS = (("2014-europeennes-1", "2017-presidentielle-1"), ("2014-europeennes-1", "2017-legislatives-1"),
         ("2017-presidentielle-1", "2017-legislatives-1"))


def main() -> None:
    specs = [(n, s) for n, s in dev_specs() if n.startswith("d") and not n.endswith("c")]
    for flag in (False, True):
        stack.DENOISE_BY_ROUND = flag
        for a, b in PAIRS:
            rows = []
            for _, spec in specs:
                rounds = [r for r in spec.rounds if r.label in (a, b)]
                res = run_protocol(dataclasses.replace(spec, rounds=rounds, cache={}), n_draws=50)
                rows.append([res[q][k] for q in ("turnout", "share") for k in ("mae_ratio",)]
                            + [res[q]["coverage"]["all"] for q in ("turnout", "share")])
            m = np.median(np.array(rows, dtype=float), axis=0)
            print(f"DENOISE_BY_ROUND={flag} {a} -> {b}: {len(rows)} départements; median ratio turnout "
                  f"{m[0]:.3f} share {m[1]:.3f}; coverage {m[2]:.2f} / {m[3]:.2f}", flush=True)


if __name__ == "__main__":
    main()
