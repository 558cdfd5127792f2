"""Benchmark: ``swingcast.read_results`` on a national-size Ministry legacy wide ``.txt``.

The Ministry's own per-bureau files ("Resultats par niveau BurVot", 2002-2022) are cp1252,
``;``-separated, one row per bureau, with one block of columns per candidate whose header
is written for the first block only (later fields have no header at all). The project
does not ship such a file, so this script writes a synthetic one of the real size in a
temporary folder (never in the repository's data): ``--rows`` bureaux (69,242 as in 2017),
``--candidates`` blocks of 6 columns (``N°Panneau;Nom;Prénom;Voix;% Voix/Ins;% Voix/Exp``),
French decimal commas in the percentages, counts that add up (so every invariant holds).

It times ``read_results`` (best of ``--repeat`` after one warm-up) against its peer, a
bare ``pandas.read_csv`` of the same file with ``names=`` given for every field (which
does none of our work), and checks the result against the totals written.

Usage::

    .venv/bin/python benchmarks/bench_ministry_wide.py [--rows 69242] [--candidates 11]
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from bench_load_results import best_of  # same folder: run as a script

from swingcast.load.sources import read_results

BUREAU_HEADER = [
    "Code du département", "Libellé du département", "Code de la circonscription",
    "Libellé de la circonscription", "Code de la commune", "Libellé de la commune",
    "Code du b.vote", "Inscrits", "Abstentions", "% Abs/Ins", "Votants", "% Vot/Ins",
    "Blancs", "% Blancs/Ins", "% Blancs/Vot", "Nuls", "% Nuls/Ins", "% Nuls/Vot",
    "Exprimés", "% Exp/Ins", "% Exp/Vot",
]
BLOCK_HEADER = ["N°Panneau", "Nom", "Prénom", "Voix", "% Voix/Ins", "% Voix/Exp"]


def _pct(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Percentages with two decimals and a decimal comma, as the Ministry writes them."""
    values = np.divide(100.0 * a, b, out=np.zeros(len(a)), where=b > 0)
    return np.char.replace(np.char.mod("%.2f", values), ".", ",")


def write_file(path: Path, rows: int, candidates: int, seed: int = 0,
               padded: bool = False) -> dict[str, int]:
    """Write the synthetic file; return the totals written (for the check).

    ``padded``: the header carries empty fields for the later blocks (as a workbook saved
    as text writes it) instead of stopping after the first block.
    """
    rng = np.random.default_rng(seed)
    inscrits = rng.integers(50, 1500, rows)
    votants = (inscrits * rng.uniform(0.5, 0.9, rows)).astype(int)
    blancs = (votants * rng.uniform(0, 0.03, rows)).astype(int)
    nuls = (votants * rng.uniform(0, 0.02, rows)).astype(int)
    exprimes = votants - blancs - nuls
    shares = rng.dirichlet(np.ones(candidates), rows)
    voix = np.floor(shares * exprimes[:, None]).astype(int)
    voix[:, 0] += exprimes - voix.sum(axis=1)  # sum of voix = exprimes exactly
    deps = np.array([f"{d:02d}" for d in range(1, 96) if d != 20] + ["2A", "2B"])
    dep = deps[np.arange(rows) % len(deps)]
    commune = np.char.zfill((np.arange(rows) // len(deps) // 20 + 1).astype(str), 3)
    bureau = np.char.zfill((np.arange(rows) // len(deps) % 20 + 1).astype(str), 4)
    columns = [dep, np.full(rows, "Département"), np.full(rows, "1"),
               np.full(rows, "1ère circonscription"), commune, np.full(rows, "Commune é"),
               bureau, inscrits.astype(str), (inscrits - votants).astype(str),
               _pct(inscrits - votants, inscrits), votants.astype(str),
               _pct(votants, inscrits), blancs.astype(str), _pct(blancs, inscrits),
               _pct(blancs, votants), nuls.astype(str), _pct(nuls, inscrits),
               _pct(nuls, votants), exprimes.astype(str), _pct(exprimes, inscrits),
               _pct(exprimes, votants)]
    for k in range(candidates):
        columns += [np.full(rows, str(k + 1)), np.full(rows, f"NOM{k + 1}"),
                    np.full(rows, "Prénom"), voix[:, k].astype(str),
                    _pct(voix[:, k], inscrits), _pct(voix[:, k], exprimes)]
    body = pd.DataFrame(dict(enumerate(columns))).to_csv(sep=";", header=False, index=False,
                                                          lineterminator="\n")
    blank = [""] * len(BLOCK_HEADER) * (candidates - 1) if padded else []
    header = ";".join(BUREAU_HEADER + BLOCK_HEADER + blank) + "\n"
    path.write_bytes((header + body).encode("cp1252"))
    return {"rows": rows, "inscrits": int(inscrits.sum()), "voix": int(voix.sum()),
            "votes": rows * candidates}


def main() -> int:
    """Write the file, check one load against the totals, print the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=69_242)
    parser.add_argument("--candidates", type=int, default=11)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--padded-header", action="store_true",
                        help="empty header fields for the later blocks")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="swingcast-bench-"))
    path = folder / "PR17_BVot_T1_synthetique.txt"
    start = time.perf_counter()
    totals = write_file(path, args.rows, args.candidates, padded=args.padded_header)
    print(f"python {platform.python_version()}, pandas {pd.__version__}, {os.cpu_count()} cpus; "
          f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB) in "
          f"{time.perf_counter() - start:.1f} s")
    result = read_results(path)
    assert result.format == "ministry-wide", result.format
    assert len(result.stations) == totals["rows"]
    assert int(result.stations["inscrits"].sum()) == totals["inscrits"]
    assert len(result.votes) == totals["votes"]
    assert int(result.votes["voix"].sum()) == totals["voix"]
    assert result.issues.empty, result.issues.head()
    width = len(BUREAU_HEADER) + len(BLOCK_HEADER) * args.candidates
    ours = best_of(lambda: read_results(path), args.repeat)
    peer = best_of(lambda: pd.read_csv(path, sep=";", encoding="cp1252", header=None,
                                       skiprows=1, names=list(range(width)), dtype=str),
                   args.repeat)
    print(f"{path.name}{' (padded header)' if args.padded_header else ''}: "
          f"{totals['rows']:,} bureaux x {args.candidates} candidates "
          f"({len(result.votes):,} votes); read_results {ours:.2f} s, "
          f"pandas.read_csv {peer:.2f} s, ratio {ours / peer:.1f}x (best of {args.repeat})")
    path.unlink()
    folder.rmdir()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
