"""Property-based tests (hypothesis) on broken files: a clear error or the right numbers.

A random valid results table (the strategy of ``test_properties.py``) is broken in one way
drawn at random (the classes of ``tests/data/bad`` second round: a count out of range or
not finite, a candidate column twice, a rate column, thousands separators, a BOM in front
of cp1252, an unclosed quote, a repeated candidate row in the long layout). Reading it must
either raise a one-line :class:`~swingcast.errors.SwingcastError` naming the file and the
line we broke, or give exactly the counts we wrote (a repair). Random contact lists broken
the same way must be refused by line number, with none of their cells in the message.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import logging
import tempfile
from pathlib import Path

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import swingcast
from swingcast import schema
from swingcast.errors import InputFormatError, SwingcastError
from swingcast.target.contacts import read_contacts

_spec = importlib.util.spec_from_file_location(
    "_valid_tables", Path(__file__).with_name("test_properties.py"))
_valid = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_valid)  # the valid-table strategy, shared with the round trips
SETTINGS, results_table = _valid.SETTINGS, _valid.results_table

HEADER = ["departement", "commune", "bureau", "commune_libelle", "inscrits", "votants",
          "blancs", "exprimes"]
COUNTS = ["inscrits", "votants", "blancs", "exprimes"]
BAD_NUMBERS = ["1e30", "inf", "-inf", "1e400", "nan", "9223372036854775807",
               "99999999999999999999", "1000000001"]


def _lines(table: dict[str, object]) -> list[list[str]]:
    rows = [[*HEADER, *table["candidates"]]]
    for r in table["rows"]:
        rows.append([str(r[c]) for c in HEADER[:4]] + [str(r[c]) for c in COUNTS]
                    + [str(v) for v in r["voix"]])
    return rows


def _text(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


@st.composite
def broken_results(draw: st.DrawFn) -> tuple[dict[str, object], str, bytes, int | None, str]:
    """(table, kind of break, file bytes, line the error must name or None, file name)."""
    table = draw(results_table())
    rows = _lines(table)
    n = len(rows) - 1
    line = draw(st.integers(2, n + 1))
    kind = draw(st.sampled_from(["bad_number", "duplicate_column", "rate_column",
                                 "thousands", "bom_cp1252", "unclosed_quote",
                                 "long_repeat"]))
    name = "2017-presidentielle-1_broken.csv"
    expect_line: int | None = line
    if kind == "bad_number":
        column = draw(st.integers(4, len(rows[0]) - 1))
        rows[line - 1][column] = draw(st.sampled_from(BAD_NUMBERS))
        raw = _text(rows).encode("utf-8")
    elif kind == "duplicate_column":
        j = draw(st.integers(8, len(rows[0]) - 1))
        rows = [r + [r[j]] for r in rows]
        raw, expect_line = _text(rows).encode("utf-8"), 1
    elif kind == "rate_column":
        label = draw(st.sampled_from(["participation", "taux", "% votants", "TX_PART", "Q"]))
        values = [str(round(100 * int(r[5]) / max(int(r[4]), 1))) for r in rows[1:]]
        rows = [rows[0] + [label]] + [r + [v] for r, v in zip(rows[1:], values, strict=True)]
        raw, expect_line = _text(rows).encode("utf-8"), None
    elif kind == "thousands":
        rows = [rows[0]] + [r[:4] + [f"{int(v):,}".replace(",", ".") for v in r[4:]]
                            for r in rows[1:]]
        raw, expect_line = _text(rows).encode("utf-8"), None
    elif kind == "bom_cp1252":
        raw, expect_line = b"\xef\xbb\xbf" + _text(rows).encode("cp1252"), None
    elif kind == "unclosed_quote":
        text = _text(rows).split("\n")
        text[line - 1] = '"' + text[line - 1]
        raw = "\n".join(text).encode("utf-8")
    else:  # long layout, one candidate row repeated
        long = [["departement", "commune", "bureau", "inscrits", "votants", "blancs",
                 "exprimes", "numero_panneau", "sexe", "nom", "prenom", "voix"]]
        for r in table["rows"]:
            for panel, (cand, v) in enumerate(zip(table["candidates"], r["voix"], strict=True)):
                long.append([r["departement"], r["commune"], r["bureau"],
                             *(str(r[c]) for c in COUNTS), str(panel + 1), "F", cand, "x",
                             str(v)])
        repeat = draw(st.integers(1, len(long) - 1))
        long.insert(repeat + 1, long[repeat])
        raw, expect_line = _text(long).encode("utf-8"), repeat + 2
        name = "2017-presidentielle-1_long_broken.csv"
    return table, kind, raw, expect_line, name


def _assert_same_counts(res: swingcast.Results, table: dict[str, object]) -> None:
    rows = table["rows"]
    assert len(res.stations) == len(rows) and len(res.issues) == 0
    for col in COUNTS:
        assert res.stations[col].astype("int64").tolist() == [r[col] for r in rows], col
    assert sorted(set(res.votes[schema.CANDIDATE])) == sorted(table["candidates"])
    got = res.votes.pivot(index=schema.BUREAU_ID, columns=schema.CANDIDATE, values=schema.VOIX)
    got = got.loc[res.stations[schema.BUREAU_ID], table["candidates"]].astype("int64")
    assert got.to_numpy().tolist() == [r["voix"] for r in rows]


@settings(SETTINGS, max_examples=60)
@given(broken_results())
def test_broken_results_error_or_right_numbers(case: tuple) -> None:
    table, kind, raw, line, name = case
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(raw)
        logging.getLogger("swingcast").disabled = True
        try:
            res = swingcast.read_results(path)
        except SwingcastError as exc:
            message = str(exc)
            assert "\n" not in message and name in message, message
            event(f"{kind}: refused")
            if line is not None:
                assert f"line {line}" in message, (kind, message)
            # a refused file is refused for its break: repairs are the only other outcome
            assert kind in ("bad_number", "duplicate_column", "unclosed_quote",
                            "long_repeat", "thousands", "rate_column"), (kind, message)
            return
        finally:
            logging.getLogger("swingcast").disabled = False
        event(f"{kind}: read")
        assert kind in ("rate_column", "thousands", "bom_cp1252"), f"{kind} read silently"
        _assert_same_counts(res, table)


# --- contact lists -------------------------------------------------------------------------

CANARY = "Zq9canary"
CELL = st.text(st.sampled_from(list("abcdeéAZ '-@.+")), min_size=1, max_size=12)


@st.composite
def broken_contacts(draw: st.DrawFn) -> tuple[str, str, int]:
    n = draw(st.integers(1, 8))
    header = ["nationbuilder_id", "first_name", "email", "phone", "latitude", "longitude"]
    rows = [[str(1000 + i), CANARY + draw(CELL).replace(",", ""),
             f"{CANARY}{i}@example.org", f"+33 6 {i:02d}", "48.85", "2.35"] for i in range(n)]
    kind = draw(st.sampled_from(["extra", "missing", "quote", "no_header"]))
    line = draw(st.integers(2, n + 1))
    text = [",".join(header), *(",".join(r) for r in rows)]
    if kind == "extra":
        text[line - 1] += f",{CANARY}extra"
    elif kind == "missing":
        text[line - 1] = text[line - 1].rsplit(",", 1)[0]
    elif kind == "quote":
        cells = text[line - 1].split(",")
        cells[1] = '"' + cells[1]
        text[line - 1] = ",".join(cells)
    else:
        text, line = text[1:], 1
    return "\n".join(text) + "\n", kind, line


@settings(SETTINGS, max_examples=40)
@given(broken_contacts())
def test_broken_contacts_refused_by_line_without_cells(case: tuple[str, str, int]) -> None:
    text, kind, line = case
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "contacts.csv"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(InputFormatError) as info:
            read_contacts(path)
    message = str(info.value)
    assert f"line {line}" in message, (kind, message)
    assert CANARY not in message and "example.org" not in message
    exc = info.value  # no chained exception that could hold a cell (raise ... from None)
    assert exc.__cause__ is None and (exc.__context__ is None or exc.__suppress_context__)
