"""Paris's share model: survey transfers or v3? Decided on other areas' round 2 (entry 35).

Development rounds only: the 21 départements of ``fit_stack_defaults.dev_specs`` and hds13,
each cut to European 2014 and presidential 2017 rounds 1 and 2 (Paris's history), target
Macron's share of exprimés in round 2, Le Pen the opponent. Per area: MAE of model v3 (its
round-2 constants, ``stack.STACK_ROUND2_DEFAULTS``) and of the survey transfers
(``casedata.transfer_share`` on the round-1 votes, re-centred on the round's own level by a
logit shift, inscrits-weighted) and the best baseline's. Prints them, then what the rule of
entry 35 says. Usage (from ``benchmarks/``)::

    SWINGCAST_DATA_DIR=../../shared/data PYTHONPATH=../src ../.venv/bin/python dev_paris_share.py
"""

from __future__ import annotations

import dataclasses

import numpy as np
from fit_stack_defaults import _is_macron, dev_specs

from swingcast.model.blend import _recentre
from swingcast.model.casedata import transfer_share
from swingcast.model.histories import _name_is
from swingcast.model.priors import best_baseline, votes_in
from swingcast.model.protocol import _baselines_on, model_predict
from swingcast.model.stack import StackModel
from swingcast.model.transitions import round_values

PARIS_ROUNDS = ("2014-europeennes-1", "2017-presidentielle-1", "2017-presidentielle-2")


def main() -> None:
    seen, rows = set(), []
    for name, spec in dev_specs():
        key = name.rstrip("c")
        if key in seen:
            continue
        seen.add(key)
        rounds = [r for r in spec.rounds if r.label in PARIS_ROUNDS]
        sp = dataclasses.replace(spec, rounds=rounds, target=_is_macron, bloc="centre",
                                 opponent=_name_is("LE PEN"), opponent_bloc="far_right", cache={})
        rvs = [round_values(r, "share", target=sp.target, bloc=sp.bloc) for r in rounds]
        test = rvs[-1]
        obs = test.value.to_numpy(float)
        w = test.inscrits.to_numpy(float)
        v3 = model_predict(StackModel("share"), sp, rounds[:-1], [r for r in rvs[:-1] if r is not None],
                           test, test.level)
        r1 = rounds[1]
        tr = transfer_share(votes_in(r1.votes, test.value.index)).reindex(test.value.index)
        tr = tr.fillna(float(np.nanmean(tr.to_numpy(float))))
        tr = _recentre(tr.to_numpy(float), w, test.level)
        base = _baselines_on(rounds[:-1], sp, "share", test.value.index, test.inscrits, test.level)
        bname, bmae = best_baseline(base, obs)
        m_v3, m_tr = float(np.mean(np.abs(v3 - obs))), float(np.mean(np.abs(tr - obs)))
        rows.append((key, len(obs), m_v3, m_tr, bmae))
        print(f"{key:6s} n={len(obs):5d} v3 {100 * m_v3:.3f} pp, transfers {100 * m_tr:.3f} pp "
              f"(v3 / transfers {m_v3 / m_tr:.3f}); best baseline {100 * bmae:.3f} pp ({bname})", flush=True)
    r = np.array([a / b for _, _, a, b, _ in rows])
    v3_better = float(np.mean(r < 1))
    ok = v3_better > 0.5 and r.mean() < 1
    print(f"{len(rows)} areas: v3 better in {v3_better:.2f}, mean ratio v3 / transfers {r.mean():.3f}, median "
          f"{np.median(r):.3f}; ratio to the best baseline: v3 median "
          f"{np.median([a / c for _, _, a, _, c in rows]):.3f}, transfers "
          f"{np.median([b / c for _, _, _, b, c in rows]):.3f}; rule says "
          f"{'Paris share by v3' if ok else 'Paris keeps the transfer model'}")


if __name__ == "__main__":
    main()
