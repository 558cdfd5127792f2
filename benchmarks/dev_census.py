"""Census among the denoiser's predictors (and a degrees-of-freedom correction)? Development only.

Compared on development transitions only (no test round of any history enters): every round
of a development history that has an earlier usable round is forecast from the rounds
before it at its own area-wide level (model v3, its fitted ``theta`` and ``beta``), by

* ``base``: the model in use (shares denoised, turnout not; no census);
* ``census``: census shares of the bureaux added to the denoiser's predictors
  (:func:`swingcast.model.censusinputs.census_predictors`); for turnout, denoised with them;
* ``census+df``: the same, the denoiser's residual variance times ``n / (n - p)``;
* ``df``: the correction alone (shares; evaluated on every development history, also those
  without census, since it changes them all).

The development histories with a census: ``hds13`` (RN; EU 2014 ... EU 2019, the RN test
round EU 2024 left out) and ``hds13c`` (centre; up to the legislative 2022 round 2) with the
RP 2016 activity / Filosofi 2019 census of :func:`swingcast.model.casedata.hds13_census`, and
``paris`` without its test round (EU 2014 on the 2017 map -> presidential 2017 round 1) with
the RP 2011 CS census of :func:`swingcast.model.casedata.paris_census`. Without census: the
21 départements of ``fit_stack_defaults.dev_specs``.

The rule, written before the run (docs/models.md, protocol log, entry 20): a variant is
adopted for a quantity when, over its development transitions, the mean of
MAE(variant) / MAE(base) is below 0.99 and the variant is better in more than half of them;
among those, the lowest mean. Usage (from ``benchmarks/``)::

    SWINGCAST_DATA_DIR=../../shared/data PYTHONPATH=../src ../.venv/bin/python dev_census.py
"""

from __future__ import annotations

import dataclasses

import numpy as np
from fit_stack_defaults import dev_specs, development_steps

from swingcast.model.histories import named_history
from swingcast.model.protocol import model_predict
from swingcast.model.stack import StackModel

VARIANTS = {
    "turnout": {"base": {}, "census": {"denoise": True}, "census+df": {"denoise": True, "df_correct": True}},
    "share": {"base": {}, "census": {}, "census+df": {"df_correct": True}, "df": {"df_correct": True}},
}


def specs_with_census():
    from swingcast.model.casedata import hds13_census, paris_census

    out = []
    hds = hds13_census()
    for name, spec in dev_specs():
        if name in ("hds13", "hds13c"):
            spec = dataclasses.replace(spec, census=hds, census_total="pop1564", cache={})
        out.append((name, spec))
    paris = named_history("paris")
    paris = dataclasses.replace(paris, rounds=paris.rounds[:-1], share_model=None, census=paris_census(),
                                census_total="pop15p", cache={})
    out.append(("paris", paris))
    return out


def run() -> dict:
    res: dict = {}
    for name, spec in specs_with_census():
        for q in ("turnout", "share"):
            if q == "turnout" and name.endswith("c"):
                continue
            for k, rv, before in development_steps(spec, q):
                obs = rv.value.to_numpy(float)
                maes = {}
                for v, kw in VARIANTS[q].items():
                    if spec.census is None and v != "df" and v != "base":
                        continue
                    m = StackModel(q, census=v.startswith("census"), **kw)
                    sp = spec if v.startswith("census") else dataclasses.replace(spec, census=None)
                    pred = model_predict(m, sp, spec.rounds[:k], before, rv, rv.level)
                    maes[v] = float(np.mean(np.abs(pred - obs)))
                res.setdefault(q, []).append((name, rv.label, spec.census is not None, maes))
                print(q, name, rv.label, " ".join(f"{v} {x / maes['base']:.4f}" for v, x in maes.items()),
                      flush=True)
    return res


def main() -> None:
    res = run()
    for q, rows in res.items():
        for v in VARIANTS[q]:
            if v == "base":
                continue
            r = np.array([m[v] / m["base"] for _, _, _, m in rows if v in m])
            if not len(r):
                continue
            adopt = r.mean() < 0.99 and np.mean(r < 1) > 0.5
            print(f"{q} {v}: {len(r)} transitions, mean ratio to base {r.mean():.4f}, median "
                  f"{np.median(r):.4f}, better in {np.mean(r < 1):.2f}; rule says "
                  f"{'adopt' if adopt else 'do not adopt'}")


if __name__ == "__main__":
    main()
