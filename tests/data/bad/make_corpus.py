"""Write the corpus of broken inputs from a few real rows of the shared data.

Run once (``SWINGCAST_DATA_DIR=../shared/data .venv/bin/python tests/data/bad/make_corpus.py``);
the files it writes are committed, so the tests do not need the shared data
(``make_corpus.py readme`` only rewrites README.md from cases.csv). Every case
starts from real rows of a real file (named below) and breaks one thing; ``cases.csv``
says what each loader must do with it, ``README.md`` lists them for people.
"""

from __future__ import annotations

import gzip
import io
import json
import os
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import shapely

HERE = Path(__file__).parent
DATA = Path(os.environ.get("SWINGCAST_DATA_DIR", HERE.parents[3] / "shared" / "data"))
NATIONAL = DATA / "france/results/2017-presidentielle-2_par_bureau_large.csv"
LEGIS_LONG = DATA / "france/results/2017-legislatives-2_par_bureau_long.csv.gz"
CENSUS = DATA / "paris/census/rp2011-cs8-iris-paris.csv"
FILOSOFI = DATA / "france/census/BASE_TD_FILO_DEC_IRIS_2019.csv"
IRIS = DATA / "paris/contours/iris-paris-2013.gpkg"
NUMBERED = DATA / "hauts-de-seine-13/results/legislatives2024_t2_9213.xlsx"
SECTEURS = DATA / "paris/contours/secteurs-des-bureaux-de-vote-paris-2017.geojson"
REU = DATA / "finistere/reu/addresses_sample.DERIVED.csv"
NATIONAL_LONG = DATA / "france/results/2017-presidentielle-2_par_bureau_long.csv.gz"
CONTACTS = HERE.parent / "contacts" / "contacts.csv"  # fictitious people at real addresses


def write(name: str, data: bytes | str, encoding: str = "utf-8") -> None:
    raw = data.encode(encoding) if isinstance(data, str) else data
    (HERE / name).write_bytes(raw)


# --- results: the national large table (2017 presidential, round 2) -----------------------


def national_rows() -> tuple[str, list[str]]:
    """Header + two accented communes of the Ain + four Paris bureaux, as published."""
    lines = NATIONAL.read_text(encoding="utf-8").splitlines()
    header = lines[0]
    ain = [ln for ln in lines[1:3]]
    paris = [ln for ln in lines if ln.startswith("75,056,010")][:4]
    return header, ain + paris


def results_cases() -> None:
    header, rows = national_rows()
    good = "\n".join([header, *rows]) + "\n"
    write("presidentielle-2017-t2_ok.csv", good)
    write("presidentielle-2017-t2_cp1252.csv", good, "cp1252")
    write("presidentielle-2017-t2_bom.csv", "\ufeff" + good)
    write("presidentielle-2017-t2_crlf_semicolon.csv", good.replace(",", ";").replace("\n", "\r\n"))
    write("presidentielle-2017-t2_mixed_separator.csv",
          "\n".join([header, *(r.replace(",", ";") for r in rows)]) + "\n")
    # the count columns written with a decimal comma, in a ';' file ("1079,0")
    dec = [header.replace(",", ";")]
    for r in rows:
        cells = r.split(",")
        dec.append(";".join(cells[:5] + [c + ",0" for c in cells[5:]]))
    write("presidentielle-2017-t2_decimal_comma_counts.csv", "\n".join(dec) + "\n")
    write("presidentielle-2017-t2_missing_exprimes.csv", drop_column(good, "exprimes"))
    write("presidentielle-2017-t2_renamed_votants.csv", good.replace("votants", "Votants", 1))
    # duplicated bureau: Paris 0102 published twice, the second time with other counts
    dup = [*rows, rows[3].replace(",1172,942,40,892,86,806", ",1172,942,40,892,87,805")]
    write("presidentielle-2017-t2_duplicated_bureau.csv", "\n".join([header, *dup]) + "\n")
    dup_same = [*rows, rows[3]]
    write("presidentielle-2017-t2_duplicated_bureau_same.csv", "\n".join([header, *dup_same]) + "\n")
    write("presidentielle-2017-t2_negative_count.csv", replace_cell(good, 4, "votants", "-865"))
    write("presidentielle-2017-t2_non_numeric_count.csv", replace_cell(good, 5, "inscrits", "1O79"))
    write("presidentielle-2017-t2_fractional_count.csv", replace_cell(good, 6, "MACRON", "806.5"))
    write("presidentielle-2017-t2_empty_count.csv", replace_cell(good, 3, "inscrits", ""))
    # votants > inscrits (inscrits 1079 -> 800 on the first Paris bureau, line 4)
    write("presidentielle-2017-t2_votants_gt_inscrits.csv", replace_cell(good, 4, "inscrits", "800"))
    # sum of voix != exprimes (MACRON 697 -> 698 on line 4)
    write("presidentielle-2017-t2_voix_sum_mismatch.csv", replace_cell(good, 4, "MACRON", "698"))
    text = good.rstrip("\n")
    write("presidentielle-2017-t2_truncated.csv", text[: text.rfind(",", 0, len(text) - 8)] + "\n")
    write("presidentielle-2017-t2_empty.csv", b"")
    write("presidentielle-2017-t2_header_only.csv", header + "\n")
    gz = gzip.compress(good.encode("utf-8"), mtime=0)
    write("presidentielle-2017-t2_truncated.csv.gz", gz[: len(gz) // 2])
    # byte 0x81 is undefined in cp1252 and invalid UTF-8: neither encoding
    write("presidentielle-2017-t2_undecodable.csv", good.encode("utf-8").replace(b"Cl\xc3\xa9", b"Cl\x81"))
    extra = [*rows[:4], rows[4] + ",17", *rows[5:]]
    write("presidentielle-2017-t2_extra_field.csv", "\n".join([header, *extra]) + "\n")
    write("presidentielle-2017-t2_no_candidates.csv", drop_column(drop_column(good, "LE PEN"), "MACRON"))
    write("resultats_sans_election.csv", good)
    write("presidentielle-2017-t2_single_column.csv", good.replace(",", " "))


def drop_column(text: str, name: str) -> str:
    lines = text.rstrip("\n").split("\n")
    i = lines[0].split(",").index(name)
    return "\n".join(",".join(c for j, c in enumerate(ln.split(",")) if j != i)
                     for ln in lines) + "\n"


def replace_cell(text: str, line: int, column: str, value: str) -> str:
    """Set one cell (1-based physical line, header = 1) of a ',' file."""
    lines = text.rstrip("\n").split("\n")
    i = lines[0].split(",").index(column)
    cells = lines[line - 1].split(",")
    cells[i] = value
    lines[line - 1] = ",".join(cells)
    return "\n".join(lines) + "\n"


# --- results: the Ministry legacy wide layout (legislative 2017, round 2) ------------------

MINISTRY_HEADER = (
    "Code du département;Libellé du département;Code de la circonscription;"
    "Libellé de la circonscription;Code de la commune;Libellé de la commune;Code du b.vote;"
    "Inscrits;Abstentions;% Abs/Ins;Votants;% Vot/Ins;Blancs;% Blancs/Ins;% Blancs/Vot;"
    "Nuls;% Nuls/Ins;% Nuls/Vot;Exprimés;% Exp/Ins;% Exp/Vot;"
    "N°Panneau;Sexe;Nom;Prénom;Nuance;Voix;% Voix/Ins;% Voix/Exp"
)


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:.2f}".replace(".", ",") if b else ""


def ministry_rows() -> list[str]:
    """Two bureaux of the Aube with three candidates (triangulaire), two of the Ain with two:
    the rows have different numbers of candidate blocks, as in the Ministry's .txt files."""
    long = pd.read_csv(LEGIS_LONG, dtype=str, keep_default_na=False)
    keys = ["departement", "commune", "bureau"]
    size = long.groupby(keys).size()
    three = size[size == 3].index[:2].tolist()
    two = [k for k in size[size == 2].index if k[0] == "01"][:2]
    out = []
    labels = {"01": "Ain", "10": "Aube"}
    for key in two + three:
        rows = long[(long[keys] == pd.Series(key, index=keys)).all(axis=1)]
        r = rows.iloc[0]
        ins, vot, bla, exp = (int(r[c]) for c in ("inscrits", "votants", "blancs", "exprimes"))
        nul, abst = vot - bla - exp, ins - vot
        cells = [r["departement"], labels[r["departement"]], str(int(r["circonscription"])),
                 f"{int(r['circonscription'])}ème circonscription", r["commune"],
                 r["commune_libelle"], r["bureau"], str(ins), str(abst), pct(abst, ins),
                 str(vot), pct(vot, ins), str(bla), pct(bla, ins), pct(bla, vot), str(nul),
                 pct(nul, ins), pct(nul, vot), str(exp), pct(exp, ins), pct(exp, vot)]
        for _, c in rows.iterrows():
            v = int(c["voix"])
            cells += [c["numero_panneau"], c["sexe"], c["nom"], c["prenom"], c["nuance"],
                      str(v), pct(v, ins), pct(v, exp)]
        out.append(";".join(cells))
    return out


def ministry_cases() -> None:
    rows = ministry_rows()
    good = "\r\n".join([MINISTRY_HEADER, *rows]) + "\r\n"
    write("legislatives-2017-t2_ministere_ragged.txt", good, "cp1252")
    # a block cut short in the middle of the file (line 3 loses its last 3 fields)
    cut = rows.copy()
    cut[1] = ";".join(cut[1].split(";")[:-3])
    write("legislatives-2017-t2_ministere_cut_block.txt",
          "\r\n".join([MINISTRY_HEADER, *cut]) + "\r\n", "cp1252")
    # the same file saved as UTF-8 by a spreadsheet, with the percentages wrong: percentages
    # are never trusted, counts are
    wrong = [r.replace(";67,", ";76,") for r in rows]
    write("legislatives-2017-t2_ministere_utf8_bad_percent.txt",
          "\n".join([MINISTRY_HEADER, *wrong]) + "\n", "utf-8")
    # an .xlsx export with two title rows above the table
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Elections législatives des 11 et 18 juin 2017"])
    ws.append(["Résultats par bureau de vote - second tour"])
    for line in [MINISTRY_HEADER, *rows]:
        ws.append([try_int(c) for c in line.split(";")])
    buf = io.BytesIO()
    wb.save(buf)
    write("legislatives-2017-t2_ministere_title_rows.xlsx", buf.getvalue())


def try_int(cell: str) -> object:
    return int(cell) if cell.isdigit() and not cell.startswith("0") else cell


# --- results: the Ministry 2024 numbered layout (legislative 2024, round 2) ----------------


def numbered_cases() -> None:
    """Four bureaux of Antony, as re-published (an unnamed index column in front)."""
    frame = pd.read_excel(NUMBERED, dtype=str).head(4)
    frame.to_excel(HERE / "legislatives-2024-t2_numbered_ok.xlsx", index=False)
    # the same table as the Ministry's ';' CSV, cp1252 (percentages stay '74,40%' strings)
    text = frame.drop(columns=frame.columns[0]).to_csv(sep=";", index=False)
    write("legislatives-2024-t2_numbered.csv", text, "cp1252")
    broken = frame.copy()
    broken.loc[2, "Voix 2"] = "458 voix"
    broken.to_excel(HERE / "legislatives-2024-t2_numbered_text_in_voix.xlsx", index=False)
    broken = frame.drop(columns=["Voix 2"])
    broken.to_excel(HERE / "legislatives-2024-t2_numbered_no_voix_2.xlsx", index=False)


# --- census ------------------------------------------------------------------------------


def census_cases() -> None:
    lines = CENSUS.read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], lines[1:7]
    good = "\n".join([header, *rows]) + "\n"
    write("census-rp2011_ok.csv", good)
    write("census-rp2011_no_iris_column.csv", good.replace("IRIS;", "CODE;", 1))
    bad = rows.copy()
    bad[1] = bad[1].replace("751010102", "75101O102", 1)  # letter O typed for a zero
    write("census-rp2011_malformed_iris_code.csv", "\n".join([header, *bad]) + "\n")
    dup = [*rows, rows[2]]
    write("census-rp2011_duplicated_iris.csv", "\n".join([header, *dup]) + "\n")
    nn = rows.copy()
    cells = nn[3].split(";")
    cells[4] = "n/a"  # C11_POP15P_CS3 of 751010104
    nn[3] = ";".join(cells)
    write("census-rp2011_non_numeric.csv", "\n".join([header, *nn]) + "\n")
    neg = rows.copy()
    cells = neg[0].split(";")
    cells[1] = "-784"
    neg[0] = ";".join(cells)
    write("census-rp2011_negative.csv", "\n".join([header, *neg]) + "\n")
    write("census-rp2011_empty.csv", b"")
    # INSEE workbook: title rows above the table
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Recensement de la population 2011"])
    ws.append(["Population de 15 ans ou plus par catégorie socioprofessionnelle"])
    ws.append(["Source : Insee, RP2011 exploitation complémentaire"])
    ws.append([])
    ws.append(header.split(";"))
    for r in rows:
        cells = r.split(";")
        ws.append([cells[0], *(int(c) for c in cells[1:])])
    buf = io.BytesIO()
    wb.save(buf)
    write("census-rp2011_title_rows.xlsx", buf.getvalue())
    # Filosofi: BOM, CRLF, 4 title lines, French labels, codes, decimal comma, secret cells
    raw = FILOSOFI.read_bytes().split(b"\r\n")
    write("census-filosofi2019_bom_decimal_comma.csv", b"\r\n".join(raw[:12]) + b"\r\n")
    # opened and re-saved by a spreadsheet that read IRIS as a number: Ain loses its zero
    lost = [raw[0], *raw[1:6], *(ln[1:] if ln.startswith(b"01") else ln for ln in raw[6:12])]
    write("census-filosofi2019_lost_leading_zero.csv", b"\r\n".join(lost) + b"\r\n")
    # the same, re-saved as cp1252 without BOM by a spreadsheet
    text = b"\r\n".join(raw[:12]).decode("utf-8-sig") + "\r\n"
    write("census-filosofi2019_cp1252.csv", text.replace("\u2019", "'"), "cp1252")


# --- contours and addresses --------------------------------------------------------------


def iris_frame() -> gpd.GeoDataFrame:
    gdf = gpd.read_file(IRIS)
    gdf = gdf[gdf["DCOMIRIS"].str.startswith("7510101")]  # the six IRIS of the census rows
    gdf = gdf.sort_values("DCOMIRIS").reset_index(drop=True)
    gdf["geometry"] = shapely.set_precision(gdf.geometry.simplify(2.0).array, 0.1)
    return gdf.drop(columns=[c for c in gdf.columns if c == "ORIGINE"])


def geo_cases() -> None:
    iris = iris_frame()
    iris.to_file(HERE / "iris2013_ok.geojson", driver="GeoJSON")
    bow = iris.copy()
    x0, y0, x1, y1 = bow.geometry.iloc[1].bounds
    bow.loc[1, "geometry"] = shapely.Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)])
    bow.to_file(HERE / "iris2013_bowtie.geojson", driver="GeoJSON")
    empty = iris.copy()
    empty.loc[2, "geometry"] = shapely.Polygon()
    empty.to_file(HERE / "iris2013_empty_geometry.geojson", driver="GeoJSON")
    degrees = iris.to_crs("EPSG:4326").set_crs("EPSG:2154", allow_override=True)
    degrees.to_file(HERE / "iris2013_degrees_labelled_2154.geojson", driver="GeoJSON")
    point = iris.copy()
    point.loc[0, "geometry"] = point.geometry.iloc[0].centroid  # a polling place, not an area
    point.to_file(HERE / "iris2013_point_geometry.geojson", driver="GeoJSON")
    nocrs = iris.set_crs(None, allow_override=True)
    nocrs.to_file(HERE / "iris2013_no_crs.shp")
    # a later edition: 751010104 re-cut into 751010105/751010106 (codes unknown to RP2011)
    recut = iris.copy()
    recut.loc[3, "DCOMIRIS"] = "751010107"
    recut.loc[3, "IRIS"] = "0107"
    recut.to_file(HERE / "iris-other-edition.geojson", driver="GeoJSON")

    sect = gpd.read_file(SECTEURS)
    sect = sect[sect["arrondissement"] == 1].sort_values("num_bv").head(4).reset_index(drop=True)
    sect = sect[["arrondissement", "num_bv", "id_bv", "nbr_elect_f", "geometry"]]
    sect["geometry"] = shapely.set_precision(sect.geometry.simplify(1e-5).array, 1e-6)
    sect.to_file(HERE / "bureaux-paris2017_ok.geojson", driver="GeoJSON")
    dup = sect.copy()
    dup.loc[3, "id_bv"] = "1-3"  # two polygons for bureau 1-3
    dup.loc[3, "num_bv"] = 3
    dup.to_file(HERE / "bureaux-paris2017_duplicated_id.geojson", driver="GeoJSON")
    # Lambert-93 coordinates in a GeoJSON without "crs" member (RFC 7946 means WGS84)
    metres = sect.to_crs("EPSG:2154")
    metres["geometry"] = shapely.set_precision(metres.geometry.array, 0.1)
    geojson = json.loads(metres.to_json(drop_id=True))
    geojson.pop("crs", None)
    write("bureaux-paris2017_metres_without_crs.geojson", json.dumps(geojson))
    sect.drop(columns=["id_bv", "num_bv"]).to_file(
        HERE / "bureaux-paris2017_no_id.geojson", driver="GeoJSON")

    lines = REU.read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], lines[1:7]
    write("addresses-reu_ok.csv", "\n".join([header, *rows]) + "\n")
    out = rows.copy()
    cells = out[2].split(",")
    cells[3] = "478.72888"  # latitude with a misplaced decimal point (line 4)
    out[2] = ",".join(cells)
    write("addresses-reu_latitude_out_of_range.csv", "\n".join([header, *out]) + "\n")
    write("addresses-reu_no_longitude.csv",
          drop_column("\n".join([header, *rows]) + "\n", "longitude"))
    nn = rows.copy()
    cells = nn[4].split(",")
    cells[2] = "inconnue"
    nn[4] = ",".join(cells)
    write("addresses-reu_non_numeric_longitude.csv", "\n".join([header, *nn]) + "\n")


# --- second round (issue 10): overflow, columns, repeats, encodings, overlaps, contacts ----


def set_cells(text: str, line: int, values: dict[str, str], sep: str = ",") -> str:
    """Set several cells of one line (1-based, header = 1) of a ``sep`` file."""
    lines = text.rstrip("\n").split("\n")
    head = lines[0].split(sep)
    cells = lines[line - 1].split(sep)
    for column, value in values.items():
        cells[head.index(column)] = value
    lines[line - 1] = sep.join(cells)
    return "\n".join(lines) + "\n"


def add_column(text: str, name: str, values: list[str]) -> str:
    lines = text.rstrip("\n").split("\n")
    return "\n".join([lines[0] + "," + name,
                      *(ln + "," + v for ln, v in zip(lines[1:], values, strict=True))]) + "\n"


def round2_results() -> None:
    header, rows = national_rows()
    good = "\n".join([header, *rows]) + "\n"
    cells = [r.split(",") for r in rows]
    col = {name: i for i, name in enumerate(header.split(","))}
    # a count near 2^63 (the file's total would wrap around in int64), 1e30, inf
    write("presidentielle-2017-t2_count_2p63.csv",
          replace_cell(good, 5, "MACRON", "9223372036854775000"))
    write("presidentielle-2017-t2_count_1e30.csv", replace_cell(good, 4, "inscrits", "1e30"))
    write("presidentielle-2017-t2_count_inf.csv", replace_cell(good, 6, "votants", "inf"))
    # MACRON's column twice (a copy-paste in a spreadsheet)
    write("presidentielle-2017-t2_duplicate_candidate_column.csv",
          add_column(good, "MACRON", [c[col["MACRON"]] for c in cells]))
    # an integer participation rate, named; and an unnamed-looking one (TX_PART)
    rate = [str(round(100 * int(c[col["votants"]]) / int(c[col["inscrits"]]))) for c in cells]
    write("presidentielle-2017-t2_participation_column.csv",
          add_column(good, "participation", rate))
    write("presidentielle-2017-t2_rate_column_unnamed.csv", add_column(good, "TX_PART", rate))
    # rate above exprimes in a bureau, under a name that says nothing: refused
    write("presidentielle-2017-t2_value_above_exprimes.csv",
          add_column(good, "ZZ", ["3", "2", "0", "4", "5", "9999"]))
    # thousands separators: every count >= 1000 written '1.079' (a French spreadsheet)
    def dotted(v: str) -> str:
        return f"{int(v):,}".replace(",", ".") if v.isdigit() else v
    counts = ("inscrits", "votants", "blancs", "exprimes", "LE PEN", "MACRON")
    dot = [header] + [",".join(dotted(v) if header.split(",")[i] in counts else v
                               for i, v in enumerate(c)) for c in cells]
    write("presidentielle-2017-t2_thousands_separators.csv", "\n".join(dot) + "\n")
    # a single '1.000'-like cell: 1 or 1000? (the column also has 1172 without separator)
    write("presidentielle-2017-t2_thousands_ambiguous.csv",
          replace_cell(good, 4, "inscrits", "1.079"))
    # a UTF-8 byte-order mark in front of cp1252 bytes (an editor's "save with BOM")
    write("presidentielle-2017-t2_bom_cp1252.csv", b"\xef\xbb\xbf" + good.encode("cp1252"))
    # Corsica written '20' (the département before 1976): 2A001 Afa and 2B033 Bastia
    corse = [ln for ln in NATIONAL.read_text(encoding="utf-8").splitlines()
             if ln.startswith(("2A,001,0001,", "2A,004,0001,", "2B,033,0001,", "2B,033,0002,"))]
    write("presidentielle-2017-t2_corse_ok.csv", "\n".join([header, *corse]) + "\n")
    old = [ln.replace("2A,", "20,", 1).replace("2B,", "20,", 1) for ln in corse]
    write("presidentielle-2017-t2_corse_20.csv", "\n".join([header, *old]) + "\n")
    bad = [old[0].replace("20,001,", "20,044,", 1), *old[1:]]  # 044: no Corsican commune
    write("presidentielle-2017-t2_corse_20_unknown.csv", "\n".join([header, *bad]) + "\n")
    # long layout: one candidate row of a bureau repeated (counted twice)
    with gzip.open(NATIONAL_LONG, "rt", encoding="utf-8") as handle:
        long = [next(handle).rstrip("\n") for _ in range(7)]
    write("presidentielle-2017-t2_long_repeated_candidate.csv",
          "\n".join([*long[:4], long[3], *long[4:]]) + "\n")
    # Ministry .txt: a quote opens a field on line 3 and is never closed
    raw = (HERE / "legislatives-2017-t2_ministere_ragged.txt").read_bytes().split(b"\n")
    raw[2] = raw[2].replace(b";Ailleville;", b';"Ailleville;', 1) if b"Ailleville" in raw[2] \
        else raw[2].replace(b";Ain;", b';"Ain;', 1)
    write("legislatives-2017-t2_ministere_unclosed_quote.txt", b"\n".join(raw))


def round2_census() -> None:
    lines = CENSUS.read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], lines[1:7]
    good = "\n".join([header, *rows]) + "\n"
    write("census-rp2011_inf.csv", set_cells(good, 3, {"C11_POP15P_CS3": "inf"}, ";"))
    write("census-rp2011_1e400.csv", set_cells(good, 5, {"C11_POP15P": "1e400"}, ";"))
    write("census-rp2011_truncated_iris.csv",
          set_cells(good, 3, {"IRIS": "75101010"}, ";"))  # 751010102 cut short
    raw = (HERE / "census-filosofi2019_bom_decimal_comma.csv").read_bytes()
    write("census-filosofi2019_bom_cp1252.csv",
          raw[:3] + raw[3:].decode("utf-8").replace("\u2019", "'").encode("cp1252"))


def round2_contours() -> None:
    sect = gpd.read_file(HERE / "bureaux-paris2017_ok.geojson")
    spill = sect.copy()
    # bureau 1-2 spills ~200 m all round, over 1-1 (whose ground holds the six IRIS) and 1-3
    spill.loc[1, "geometry"] = spill.geometry.iloc[1].buffer(0.0025)
    spill.to_file(HERE / "bureaux-paris2017_overlap.geojson", driver="GeoJSON")
    twin = sect.copy()
    twin.loc[1, "geometry"] = twin.geometry.iloc[0]  # bureaux 1-1 and 1-2: one polygon
    twin.to_file(HERE / "bureaux-paris2017_shared_polygon.geojson", driver="GeoJSON")


def round2_contacts() -> None:
    lines = CONTACTS.read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], lines[1:]
    extra = [*rows[:2], rows[2] + ",en trop", *rows[3:]]
    write("contacts_extra_field.csv", "\n".join([header, *extra]) + "\n")
    quote = [*rows[:1], rows[1].replace(",Anatole,", ',"Anatole,', 1), *rows[2:]]
    write("contacts_unclosed_quote.csv", "\n".join([header, *quote]) + "\n")
    write("contacts_no_header.csv", "\n".join(rows) + "\n")


def write_readme() -> None:
    """README.md: the cases of cases.csv as a table (run after editing cases.csv)."""
    import csv

    with open(HERE / "cases.csv", encoding="utf-8", newline="") as handle:
        cases = list(csv.DictReader(handle))
    out = [
        "# Corpus of broken inputs",
        "",
        "Each file is derived from real rows of a file of the shared data (see",
        "`make_corpus.py`, which wrote them) and breaks one thing. `cases.csv` is the",
        "machine-readable table run by `tests/test_bad_inputs.py`: the loader, then either the",
        "error class and the words its message must contain (the file name is always checked),",
        "or `ok` (read as is), `repair` (read, fixed, with the warning it logs) or `warning`",
        "(`swingcast check` across files). Why some cases are repaired rather than refused:",
        "`docs/reliability.md`. Regenerate with",
        "`SWINGCAST_DATA_DIR=../shared/data .venv/bin/python tests/data/bad/make_corpus.py`.",
        "",
        "| case | file | loader | expected | message / log must contain | what is broken |",
        "|---|---|---|---|---|---|",
    ]
    for c in cases:
        expected = c["expect"] + (f" ({c['kwargs']})" if c["kwargs"] else "")
        words = "; ".join(w for w in (c["words"] + "|" + c["log"]).split("|") if w)
        out.append(f"| `{c['case']}` | {c['file'].replace('+', ' + ')} | {c['loader']} | "
                   f"{expected} | {words.replace('|', '/')} | {c['description']} |")
    (HERE / "README.md").write_text("\n".join(out) + "\n", encoding="utf-8")


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["readme"]:
        write_readme()
        raise SystemExit(0)
    if sys.argv[1:] == ["round2"]:  # only the second-round files (issue 10)
        round2_results()
        round2_census()
        round2_contours()
        round2_contacts()
        write_readme()
        raise SystemExit(0)
    results_cases()
    ministry_cases()
    numbered_cases()
    census_cases()
    geo_cases()
    round2_results()
    round2_census()
    round2_contours()
    round2_contacts()
    write_readme()
    print(sorted(p.name for p in HERE.iterdir() if p.name not in ("make_corpus.py",)))
