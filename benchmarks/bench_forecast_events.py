"""``swing_prob`` and ``flip_prob`` of :func:`swingcast.forecast` scored on a round already held.

Usage (from the project root)::

    SWINGCAST_DATA_DIR=../shared/data .venv/bin/python benchmarks/bench_forecast_events.py \
        [--departement 04 29] [--n-draws 1000]

For each département: a history of the national rounds before the European election of 2019
(EU 2014, presidential 2017 rounds 1 and 2, legislative 2017 rounds 1 and 2) is given to
:func:`swingcast.forecast` for ``2019-europeennes`` (share ``rn``), once with the anchor
carried by the training swing (``none``: what a campaign without a poll gets) and once with
the actual EU 2019 area-wide turnout and RN share (``actual``: a perfect poll). The
forecast's contenders are those of the latest European round (EU 2014), since a forecast does
not know the 2019 lists. Scored against the 2019 results: the RN list first in the bureau
(``swing_prob``) and the bloc first in 2019 differing from the bloc first in EU 2014
(``flip_prob``). Comparators known before the election: *persistence* (``swing_prob`` = 1
where the FN list was first in 2014, else 0; ``flip_prob`` = 0) and the former meaning of
``swing_prob``, ``above_area_prob``, read as a probability of coming first.

Nothing here chooses a parameter: the figures only describe the forecast path.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd

EARLIER = (
    "2014-europeennes_par_bureau_large.csv.gz",
    "2017-presidentielle-1_par_bureau_large.csv.gz",
    "2017-presidentielle-2_par_bureau_large.csv.gz",
    "2017-legislatives-1_par_bureau_large.csv.gz",
    "2017-legislatives-2_par_bureau_large.csv.gz",
)
SCORED = "2019-europeennes_par_bureau_large.csv.gz"


def _brier(p: np.ndarray, e: np.ndarray) -> float:
    return float(np.mean((np.asarray(p, dtype=float) - np.asarray(e, dtype=float)) ** 2))


def _first(history: object, label: str, index: pd.Index) -> tuple[pd.Series, pd.Series]:
    """Whether the RN came first in each bureau of ``label``, and the bloc that came first."""
    from swingcast.model.blocs import is_rn
    from swingcast.model.priors import PriorRound
    from swingcast.model.protocol import _unit_table

    st, vt = history.round(label)  # type: ignore[attr-defined]
    voix, blocs = _unit_table(PriorRound(label, "europeennes", st, vt), is_rn, "far_right")
    voix = voix[voix.sum(axis=1) > 0]
    first = voix.idxmax(axis=1)
    return (first == "TARGET").reindex(index), first.map(blocs).reindex(index)


def main() -> int:
    """Run the benchmark; return 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--departement", nargs="+", default=["04", "29"])
    parser.add_argument("--n-draws", type=int, default=1000)
    args = parser.parse_args()
    os.environ.setdefault("SWINGCAST_DATA_DIR", str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    import swingcast
    from swingcast.load.datasets import fetch
    from swingcast.model.blocs import is_rn

    files = [fetch(f"france/results/{name}") for name in EARLIER]
    for dep in args.departement:
        t0 = time.perf_counter()
        history = swingcast.load_history(files, departements=dep)
        scored = swingcast.load_history([*files, fetch(f"france/results/{SCORED}")], departements=dep)
        st19, _ = scored.round("2019-europeennes-1")
        st19 = st19.set_index("bureau_id")[["inscrits", "votants"]].astype(float)
        for anchor in ("none", "actual"):
            given = None
            if anchor == "actual":
                _, vt19 = scored.round("2019-europeennes-1")
                rn_voix = vt19[is_rn(vt19).to_numpy()].groupby("bureau_id")["voix"].sum()
                exp = vt19.groupby("bureau_id")["voix"].sum()
                ok = st19.index[st19["inscrits"] > 0]
                turnout = float(st19.loc[ok, "votants"].sum() / st19.loc[ok, "inscrits"].sum())
                share = float(np.average((rn_voix / exp).reindex(ok).fillna(0.0), weights=st19.loc[ok, "inscrits"]))
                given = {"turnout": turnout, "share": share}
            f = swingcast.forecast(history, "2019-europeennes", share="rn", anchor=given, n_draws=args.n_draws)
            p = f.predictions.set_index("bureau_id")
            fp = f.notes["first_place"]
            won, first19 = _first(scored, "2019-europeennes-1", p.index)
            _, first_prev = _first(scored, fp["flip_round"], p.index)
            rn_prev, _ = _first(scored, fp["contenders_round"], p.index)
            keep = won.notna() & first19.notna() & first_prev.notna()
            pk = p[keep]
            e_swing = won[keep].astype(bool).to_numpy()
            e_flip = (first19[keep] != first_prev[keep]).to_numpy()
            persist = rn_prev[keep].fillna(False).astype(float).to_numpy()
            print(f"dep {dep} anchor={anchor}: {int(keep.sum())} of {len(p)} bureaux scored "
                  f"(RN first in {int(e_swing.sum())}, first bloc changed from {fp['flip_round']} in "
                  f"{int(e_flip.sum())}); contenders of {fp['contenders_round']}: {', '.join(fp['contenders'])}; "
                  f"share anchor {f.anchors['share']:.4f} ({f.anchors['share_source']})")
            print(f"  mean swing_prob {pk['swing_prob'].mean():.3f} (frequency {e_swing.mean():.3f}), "
                  f"mean flip_prob {pk['flip_prob'].mean():.3f} (frequency {e_flip.mean():.3f})")
            print(f"  Brier swing_prob {_brier(pk['swing_prob'], e_swing):.4f} | persistence "
                  f"{_brier(persist, e_swing):.4f} | above_area_prob read as first place "
                  f"{_brier(pk['above_area_prob'], e_swing):.4f}")
            print(f"  Brier flip_prob  {_brier(pk['flip_prob'], e_flip):.4f} | persistence (0) "
                  f"{_brier(np.zeros(len(pk)), e_flip):.4f}")
        print(f"  ({time.perf_counter() - t0:.1f} s for dep {dep})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
