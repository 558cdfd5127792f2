"""Paris, Lyon and Marseille grouped by arrondissement rather than by city? Development only.

docs/models.md, protocol log, entry 25. Model v3 groups bureaux for its denoiser, for the fill
of bureaux a round does not know and for the within-group spread; the group is the commune
of the bureau id, or, with ``transitions.GROUP_BY_ARRONDISSEMENT``, the municipal
arrondissement the results give (Paris, Lyon, Marseille). Development transitions where it
matters: ``d13`` (Bouches-du-Rhône without its test round EU 2019: EU 2014 ... legislative
2017 round 2; RN and centre targets, as ``fit_stack_defaults.dev_specs``) and Paris without
its test round (EU 2014 on the 2017 map -> presidential 2017 round 1; Macron's share and
turnout). Prints MAE(arrondissement) / MAE(city) per transition and the mean; the rule of
entry 25 adopts it unless the mean is above 1.0. Usage (from ``benchmarks/``)::

    SWINGCAST_DATA_DIR=../../shared/data PYTHONPATH=../src ../.venv/bin/python dev_arrondissements.py
"""

from __future__ import annotations

import dataclasses

import numpy as np
from fit_blend_defaults import _local
from fit_stack_defaults import _is_centre, _is_macron, development_steps

from swingcast.model import transitions
from swingcast.model.blocs import is_rn
from swingcast.model.histories import named_history
from swingcast.model.protocol import make_model, model_predict


def specs():
    fr = named_history("france")
    fr.rounds = fr.rounds[:-1]  # the test round never enters
    rn = dataclasses.replace(fr, target=is_rn, bloc="far_right", opponent=_is_macron, opponent_bloc="centre")
    centre = dataclasses.replace(fr, target=_is_centre, bloc="centre", opponent=is_rn, opponent_bloc="far_right")
    paris = named_history("paris")
    paris = dataclasses.replace(paris, rounds=paris.rounds[:-1], share_model=None, cache={})
    return [("d13", _local(rn, ["13"])), ("d13c", _local(centre, ["13"])), ("paris", paris)]


def maes(spec, quantity: str) -> dict[str, float]:
    out = {}
    model = make_model("stack", quantity)
    for k, rv, before in development_steps(spec, quantity):
        pred = model_predict(model, spec, spec.rounds[:k], before, rv, rv.level)
        out[rv.label] = float(np.mean(np.abs(pred - rv.value.to_numpy(float))))
    return out


def main() -> None:
    ratios = []
    for name, spec in specs():
        for q in ("turnout", "share"):
            if q == "turnout" and name.endswith("c"):
                continue
            transitions.GROUP_BY_ARRONDISSEMENT = False
            city = maes(spec, q)
            transitions.GROUP_BY_ARRONDISSEMENT = True
            arr = maes(spec, q)
            for lab in city:
                r = arr[lab] / city[lab]
                ratios.append(r)
                print(f"{name:6s} {q:7s} {lab:24s} city {100 * city[lab]:.3f} pp, arrondissement "
                      f"{100 * arr[lab]:.3f} pp, ratio {r:.4f}", flush=True)
    ratios = np.asarray(ratios)
    print(f"{len(ratios)} transitions: mean ratio {ratios.mean():.4f}, median {np.median(ratios):.4f}, "
          f"better in {np.mean(ratios < 1):.2f}; rule says {'adopt' if ratios.mean() <= 1.0 else 'do not adopt'}")


if __name__ == "__main__":
    main()
