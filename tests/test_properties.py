"""Property-based tests (hypothesis): round-trips through read_results, conservation
through the crosswalk.

Each property is checked against figures computed here, independently of the code under
test: the counts we wrote, and rectangle intersection areas computed by arithmetic.
"""

from __future__ import annotations

import csv
import gzip
import io
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import box

import swingcast
from swingcast import schema

SETTINGS = settings(max_examples=30, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])

# --- results tables ------------------------------------------------------------------------

DEPARTEMENTS = ["01", "2A", "33", "59", "971"]
NAME_CHARS = st.sampled_from(list("abcdeéèàçôûABCZ '-,;\"Œ"))


@st.composite
def bureau(draw: st.DrawFn, n_candidates: int) -> dict[str, object]:
    inscrits = draw(st.integers(0, 3000))
    votants = draw(st.integers(0, inscrits))
    blancs = draw(st.integers(0, votants))
    nuls = draw(st.integers(0, votants - blancs))
    exprimes = votants - blancs - nuls
    # a random composition of exprimes into n_candidates parts
    cuts = sorted(draw(st.lists(st.integers(0, exprimes), min_size=n_candidates - 1,
                                max_size=n_candidates - 1)))
    voix = np.diff([0, *cuts, exprimes]).tolist()
    return {"inscrits": inscrits, "votants": votants, "blancs": blancs, "nuls": nuls,
            "exprimes": exprimes, "voix": voix}


@st.composite
def results_table(draw: st.DrawFn) -> dict[str, object]:
    k = draw(st.integers(1, 5))
    candidates = draw(st.lists(st.sampled_from(["ARTHAUD", "MACRON", "LE PEN", "MÉLENCHON",
                                                "FILLON", "HAMON", "DUPONT-AIGNAN"]),
                               min_size=k, max_size=k, unique=True))
    n = draw(st.integers(1, 12))
    rows = []
    for i in range(n):
        dep = draw(st.sampled_from(DEPARTEMENTS))
        # Guadeloupe communes are 101..134 in the files (INSEE 97101..97134)
        commune = f"{draw(st.integers(1, 999)) if dep != '971' else draw(st.integers(101, 134)):03d}"
        suffix = draw(st.sampled_from(["", "", "A"]))
        code = f"{i + 1:04d}{suffix}" if draw(st.booleans()) else f"{i + 1}{suffix}"
        name = draw(st.text(NAME_CHARS, min_size=1, max_size=20)).strip() or "x"
        rows.append({"departement": dep, "commune": commune, "bureau": code,
                     "commune_libelle": name, **draw(bureau(k))})
    return {"candidates": candidates, "rows": rows,
            "separator": draw(st.sampled_from([",", ";"])),
            "encoding": draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"])),
            "gzip": draw(st.booleans()), "crlf": draw(st.booleans())}


def _write_large(table: dict[str, object], folder: Path) -> Path:
    candidates = table["candidates"]
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=table["separator"],
                        lineterminator="\r\n" if table["crlf"] else "\n")
    writer.writerow(["departement", "commune", "bureau", "commune_libelle", "inscrits",
                     "votants", "blancs", "exprimes", *candidates])
    for r in table["rows"]:
        writer.writerow([r["departement"], r["commune"], r["bureau"], r["commune_libelle"],
                         r["inscrits"], r["votants"], r["blancs"], r["exprimes"], *r["voix"]])
    raw = buf.getvalue().encode(table["encoding"])
    name = "2017-presidentielle-1_random.csv"
    if table["gzip"]:
        raw, name = gzip.compress(raw), name + ".gz"
    path = folder / name
    path.write_bytes(raw)
    return path


def _expected_id(r: dict[str, object]) -> str:
    dep, commune = str(r["departement"]), str(r["commune"])
    code = str(r["bureau"]).lstrip("0") or "0"
    insee = dep + commune if len(dep) == 2 else dep[:2] + commune  # 971 + 101 -> 97101
    return f"{insee}_{code}"


@SETTINGS
@given(results_table())
def test_large_table_round_trip(table: dict[str, object]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = _write_large(table, Path(tmp))
        res = swingcast.read_results(path)
    rows = table["rows"]
    st_ = res.stations
    assert len(st_) == len(rows) and len(res.issues) == 0
    assert st_[schema.BUREAU_ID].tolist() == [_expected_id(r) for r in rows]
    for col in ("inscrits", "votants", "blancs", "nuls", "exprimes"):
        assert st_[col].astype("int64").tolist() == [r[col] for r in rows], col
    assert st_[schema.ABSTENTIONS].astype("int64").tolist() == [
        r["inscrits"] - r["votants"] for r in rows]
    got = res.votes.pivot(index=schema.BUREAU_ID, columns=schema.CANDIDATE, values=schema.VOIX)
    got = got.loc[st_[schema.BUREAU_ID], table["candidates"]].astype("int64")
    assert got.to_numpy().tolist() == [r["voix"] for r in rows]


@SETTINGS
@given(results_table())
def test_long_table_gives_the_same_votes(table: dict[str, object]) -> None:
    """The same bureaux written as a long table (one row per candidate) read back equal."""
    rows = table["rows"]
    frame = pd.DataFrame([
        {"departement": r["departement"], "commune": r["commune"], "bureau": r["bureau"],
         "inscrits": r["inscrits"], "votants": r["votants"], "blancs": r["blancs"],
         "exprimes": r["exprimes"], "numero_panneau": j + 1, "sexe": "F", "nom": cand,
         "prenom": "X", "voix": r["voix"][j]}
        for r in rows for j, cand in enumerate(table["candidates"])
    ])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "2017-presidentielle-1_random_long.csv"
        frame.to_csv(path, index=False)
        res = swingcast.read_results(path)
    assert len(res.stations) == len(rows) and len(res.issues) == 0
    assert int(res.votes[schema.VOIX].sum()) == sum(r["exprimes"] for r in rows)
    assert int(res.stations[schema.INSCRITS].sum()) == sum(r["inscrits"] for r in rows)
    assert res.stations[schema.BUREAU_ID].tolist() == [_expected_id(r) for r in rows]


MINISTRY_BUREAU = ("Code du département;Libellé du département;Code de la circonscription;"
                   "Libellé de la circonscription;Code de la commune;Libellé de la commune;"
                   "Code du b.vote;Inscrits;Abstentions;% Abs/Ins;Votants;% Vot/Ins;Blancs;"
                   "% Blancs/Ins;% Blancs/Vot;Nuls;% Nuls/Ins;% Nuls/Vot;Exprimés;% Exp/Ins;"
                   "% Exp/Vot")
MINISTRY_BLOCK = "N°Panneau;Sexe;Nom;Prénom;Nuance;Voix;% Voix/Ins;% Voix/Exp"


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:.2f}".replace(".", ",") if b else ""


@st.composite
def ministry_file(draw: st.DrawFn) -> list[dict[str, object]]:
    """Bureaux with 1 to 4 candidates each: rows of different lengths, as published."""
    rows = []
    for i in range(draw(st.integers(1, 10))):
        k = draw(st.integers(1, 4))
        panels = sorted(draw(st.lists(st.integers(1, 30), min_size=k, max_size=k, unique=True)))
        rows.append({"departement": draw(st.sampled_from(["01", "2B", "59"])),
                     "commune": f"{draw(st.integers(1, 999)):03d}", "bureau": f"{i + 1:04d}",
                     "panels": panels, **draw(bureau(k))})
    return rows


@settings(SETTINGS, max_examples=20)
@given(ministry_file())
def test_ministry_wide_round_trip(rows: list[dict[str, object]]) -> None:
    lines = [MINISTRY_BUREAU + ";" + MINISTRY_BLOCK]
    for r in rows:
        ins, vot, exp = r["inscrits"], r["votants"], r["exprimes"]
        bla, nul = r["blancs"], r["nuls"]
        cells = [r["departement"], "Dép", "1", "1ère circonscription", r["commune"], "Commune",
                 r["bureau"], ins, ins - vot, _pct(ins - vot, ins), vot, _pct(vot, ins), bla,
                 _pct(bla, ins), _pct(bla, vot), nul, _pct(nul, ins), _pct(nul, vot), exp,
                 _pct(exp, ins), _pct(exp, vot)]
        for panel, v in zip(r["panels"], r["voix"], strict=True):
            cells += [panel, "F", f"NOM{panel}", "Prénom", "DIV", v, _pct(v, ins), _pct(v, exp)]
        lines.append(";".join(map(str, cells)))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "2017-legislatives-1_random.txt"
        path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
        res = swingcast.read_results(path)
    assert len(res.issues) == 0 and res.encoding == "cp1252"
    st_ = res.stations
    assert st_[schema.BUREAU_ID].tolist() == [_expected_id(r) for r in rows]
    for col in ("inscrits", "votants", "blancs", "nuls", "exprimes"):
        assert st_[col].astype("int64").tolist() == [r[col] for r in rows], col
    got = sorted(zip(res.votes[schema.BUREAU_ID], res.votes[schema.PANEL].astype("int64"),
                     res.votes[schema.VOIX].astype("int64"), strict=True))
    assert got == sorted((_expected_id(r), p, v) for r in rows
                         for p, v in zip(r["panels"], r["voix"], strict=True))


# --- crosswalk on random partitions ---------------------------------------------------------

Rect = tuple[float, float, float, float]


@st.composite
def partition(draw: st.DrawFn, extent: Rect, depth: int = 3) -> list[Rect]:
    """A random guillotine partition of ``extent`` into rectangles."""
    x0, y0, x1, y1 = extent
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return [extent]
    vertical = draw(st.booleans())
    t = draw(st.integers(1, 9)) / 10
    if vertical:
        cut = x0 + t * (x1 - x0)
        halves = [(x0, y0, cut, y1), (cut, y0, x1, y1)]
    else:
        cut = y0 + t * (y1 - y0)
        halves = [(x0, y0, x1, cut), (x0, cut, x1, y1)]
    return [r for h in halves for r in draw(partition(h, depth - 1))]


def _overlap(a: Rect, b: Rect) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return max(w, 0.0) * max(h, 0.0)


EXTENT: Rect = (650000.0, 6860000.0, 651000.0, 6860800.0)  # 1 km x 800 m in Paris, metres


@SETTINGS
@given(partition(EXTENT), partition(EXTENT),
       st.lists(st.integers(0, 5000), min_size=16, max_size=16))
def test_crosswalk_conserves_totals(sources: list[Rect], targets: list[Rect],
                                    population: list[int]) -> None:
    src = gpd.GeoDataFrame({"iris": [f"s{i}" for i in range(len(sources))]},
                           geometry=[box(*r) for r in sources], crs=schema.LAMBERT93)
    tgt = gpd.GeoDataFrame({"bv": [f"t{j}" for j in range(len(targets))]},
                           geometry=[box(*r) for r in targets], crs=schema.LAMBERT93)
    cw = swingcast.crosswalk(src, tgt, source_id="iris", target_id="bv", within=None)
    # weights of every source sum to 1
    np.testing.assert_allclose(cw.coverage.to_numpy(), 1.0, rtol=0, atol=1e-9)
    # each weight is the share of the source's area in the target, by arithmetic
    expected = {
        (f"s{i}", f"t{j}"): _overlap(s, t) / _overlap(s, s)
        for i, s in enumerate(sources) for j, t in enumerate(targets) if _overlap(s, t) > 0
    }
    got = dict(zip(zip(cw.table[schema.SOURCE_ID], cw.table[schema.TARGET_ID], strict=True),
                   cw.table[schema.WEIGHT], strict=True))
    assert set(got) == set(expected)
    np.testing.assert_allclose([got[k] for k in expected], list(expected.values()),
                               rtol=1e-9, atol=1e-12)
    # an extensive count is conserved; a constant rate stays constant
    pop = population[: len(sources)] + [0] * max(0, len(sources) - len(population))
    census = pd.DataFrame({"iris": src["iris"], "pop": pop, "rate": 0.25})
    out = cw.apply(census, extensive=["pop"], intensive={"rate": "pop"})
    assert abs(out["pop"].sum() - sum(pop)) <= 1e-6 * max(1, sum(pop))
    assert len(out) == len(targets)
    rates = out["rate"].dropna()
    np.testing.assert_allclose(rates.to_numpy(), 0.25)
