"""Constants of model v3 for a forecast from a single earlier round (docs/models.md, entry 28).

Development transitions only: in each development history of
``fit_stack_defaults.dev_specs`` (21 départements and hds13, RN and centre targets; no test
round of any history), every pair ``a -> b`` of EU 2014, presidential 2017 round 1 and
legislative 2017 round 1 (hds13: also EU 2019 as ``b``) gives one transition: ``b`` forecast
from ``a`` alone (a two-round history). ``theta``, ``beta`` and the denoising switch are fitted
as entry 9 fits them (``fit_stack_defaults.fit``), and compared with v3's constants
(``STACK_DEFAULTS``) on the same transitions by 4-fold leave-histories-out cross-validation
(the folds of entry 9). The rule of entry 28: adopted for a quantity when the CV median ratio
(model / best baseline of the transition) is at least 0.01 below v3's constants' and the CV
mean is below theirs too. Prints the constants as JSON. Usage (from ``benchmarks/``)::

    SWINGCAST_DATA_DIR=../../shared/data PYTHONPATH=../src ../.venv/bin/python fit_stack_single.py [out.json]
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys

import numpy as np
from fit_stack_defaults import NF, _ratio, cached, cross_validate, dev_specs, transitions

from swingcast.model.stack import CANDIDATE_FEATURES, STACK_DEFAULTS

FIRST = ("2014-europeennes-1", "2017-presidentielle-1", "2017-legislatives-1")
SECOND = FIRST + ("2019-europeennes-1",)


def single_prior_pool() -> list[dict]:
    out: list[dict] = []
    for name, spec in dev_specs():
        labels = [r.label for r in spec.rounds]
        for i, a in enumerate(labels):
            for b in labels[i + 1:]:
                if a not in FIRST or b not in SECOND or (b == "2019-europeennes-1" and not name.startswith("hds13")):
                    continue
                pair = dataclasses.replace(spec, rounds=[spec.rounds[i], spec.rounds[labels.index(b)]], cache={})
                for q in ("turnout", "share"):
                    if q == "turnout" and name.endswith("c"):
                        continue
                    ts = transitions(pair, q, name.rstrip("c") if q == "turnout" else name)
                    out += [dict(t, pair=f"{a}->{b}") for t in ts]
        print(name, len(out), flush=True)
    return out


def main() -> None:
    pool = cached(os.environ.get("SINGLE_POOL", "/tmp/dev/single_pool.pkl"), single_prior_pool)
    result = {}
    for q in ("turnout", "share"):
        ts = [t for t in pool if t["q"] == q]
        groups = sorted({t["name"].rstrip("c") for t in ts})
        folds = [groups[i::4] for i in range(4)]
        d = STACK_DEFAULTS[q]
        x_v3 = np.array([*d["theta"], d["beta"]])
        v3 = np.array([_ratio(t, x_v3, bool(d["denoise"])) for t in ts])
        print(f"{q}: {len(ts)} single-prior transitions; v3's constants: median {np.median(v3):.4f}, "
              f"mean {v3.mean():.4f}, share > 1 {np.mean(v3 > 1):.2f}", flush=True)
        for pair in sorted({t["pair"] for t in ts}):
            r = v3[[t["pair"] == pair for t in ts]]
            print(f"   v3 {pair}: median {np.median(r):.4f} ({len(r)})")
        for dn in (False, True):
            x, cv, order = cross_validate(ts, dn, folds)
            v3_same = np.array([_ratio(t, x_v3, bool(d["denoise"])) for t in order])
            adopt = np.median(cv) <= np.median(v3_same) - 0.01 and cv.mean() < v3_same.mean()
            print(f"  denoise={dn} theta={dict(zip(CANDIDATE_FEATURES, np.round(x[:NF], 3).tolist(), strict=True))} "
                  f"beta={x[NF]:.3f}\n    cv median {np.median(cv):.4f} mean {cv.mean():.4f} share > 1 "
                  f"{np.mean(cv > 1):.2f} (v3 {np.median(v3_same):.4f} / {v3_same.mean():.4f}); rule: "
                  f"{'passes' if adopt else 'fails'}", flush=True)
            for pair in sorted({t["pair"] for t in order}):
                m = np.array([t["pair"] == pair for t in order])
                print(f"     {pair}: cv median {np.median(cv[m]):.4f} vs v3 {np.median(v3_same[m]):.4f}")
            result[f"{q}-{dn}"] = {"theta": [round(float(v), 3) for v in x[:NF]], "beta": round(float(x[NF]), 3),
                                   "cv_median": float(np.median(cv)), "cv_mean": float(cv.mean()),
                                   "v3_median": float(np.median(v3_same)), "v3_mean": float(v3_same.mean()),
                                   "passes": bool(adopt)}
    json.dump(result, sys.stdout if len(sys.argv) < 2 else open(sys.argv[1], "w"), indent=1)


if __name__ == "__main__":
    main()
