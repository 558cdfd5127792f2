"""Write the small fixtures of this folder (run once; the files are committed).

Each fixture copies the layout of a real publisher file (see docs/formats.md) with a few
invented bureaux whose totals add up by hand; the expected figures are in the tests.
Text files are written in the publishers' encodings (cp1252 for the Ministry .txt).
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent

FIXED_LEGACY = ["Code du département", "Libellé du département", "Code de la circonscription",
                "Libellé de la circonscription", "Code de la commune", "Libellé de la commune",
                "Code du b.vote", "Inscrits", "Abstentions", "% Abs/Ins", "Votants",
                "% Vot/Ins", "Blancs", "% Blancs/Ins", "% Blancs/Vot", "Nuls", "% Nuls/Ins",
                "% Nuls/Vot", "Exprimés", "% Exp/Ins", "% Exp/Vot"]


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:.2f}".replace(".", ",")


def legacy_counts(ins: int, abst: int, vot: int, bl: int, nu: int, ex: int) -> list[str]:
    return [str(ins), str(abst), pct(abst, ins), str(vot), pct(vot, ins), str(bl),
            pct(bl, ins), pct(bl, vot), str(nu), pct(nu, ins), pct(nu, vot), str(ex),
            pct(ex, ins), pct(ex, vot)]


def write_txt(name: str, header: list[str], rows: list[list[str]]) -> None:
    text = "\n".join(";".join(r) for r in [header, *rows]) + "\n"
    (HERE / name).write_bytes(text.encode("cp1252"))


def presidential_txt() -> None:
    block = ["N°Panneau", "Sexe", "Nom", "Prénom", "Voix", "% Voix/Ins", "% Voix/Exp"]
    cands = [("1", "F", "ARTHAUD", "Nathalie"), ("2", "M", "MACRON", "Emmanuel"),
             ("3", "F", "LE PEN", "Marine")]
    bureaux = [
        (["75", "Paris", "1", "1ère circonscription", "056", "Paris", "0101"],
         (1000, 200, 800, 10, 5, 785), [5, 500, 280]),
        (["2A", "Corse-du-Sud", "1", "1ère circonscription", "004", "Ajaccio", "0003"],
         (500, 150, 350, 5, 5, 340), [10, 150, 180]),
        (["ZA", "Guadeloupe", "1", "1ère circonscription", "101", "Les Abymes", "0002"],
         (400, 300, 100, 2, 3, 95), [1, 60, 34]),
    ]
    rows = []
    for keys, counts, voix in bureaux:
        row = keys + legacy_counts(*counts)
        for cand, v in zip(cands, voix, strict=True):
            row += [*cand, str(v), pct(v, counts[0]), pct(v, counts[5])]
        rows.append(row)
    write_txt("PR17_BVot_T1_extrait.txt", FIXED_LEGACY + block, rows)


LEGISLATIVE_BLOCK = ["N°Panneau", "Sexe", "Nom", "Prénom", "Nuance", "Voix", "% Voix/Ins",
                     "% Voix/Exp"]


def legislative_rows() -> list[list[str]]:
    """Three bureaux of the 2017 legislative round 1, as the Ministry writes them."""
    circo13 = [("1", "F", "BREGEON", "Maud", "REM"), ("2", "M", "DUPONT", "Jean", "LR"),
               ("3", "F", "MARTIN", "Léa", "FI")]
    lyon1 = [("1", "M", "DURAND", "Paul", "REM"), ("2", "F", "PETIT", "Anne", "FN")]
    bureaux = [
        (["92", "Hauts-de-Seine", "13", "13ème circonscription", "002", "Antony", "0001"],
         (1000, 500, 500, 10, 10, 480), circo13, [250, 150, 80]),
        (["92", "Hauts-de-Seine", "13", "13ème circonscription", "071", "Sceaux", "0002"],
         (800, 300, 500, 0, 20, 480), circo13, [200, 200, 80]),
        (["69", "Rhône", "1", "1ère circonscription", "123", "Lyon", "0405"],
         (600, 200, 400, 10, 10, 380), lyon1, [300, 80]),
    ]
    rows = []
    for keys, counts, cands, voix in bureaux:
        row = keys + legacy_counts(*counts)
        for cand, v in zip(cands, voix, strict=True):
            row += [*cand, str(v), pct(v, counts[0]), pct(v, counts[5])]
        rows.append(row)  # rows have different lengths, as published
    return rows


def legislative_txt() -> None:
    write_txt("Leg_2017_Resultats_BVT_T1_extrait.txt", FIXED_LEGACY + LEGISLATIVE_BLOCK,
              legislative_rows())


def legislative_xlsx_title_rows() -> None:
    """The same bureaux as a Ministry workbook: two title rows and a blank row above the
    header (so the header is sheet row 4 and the bureaux rows 5-7), blank block headers."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Elections législatives des 11 et 18 juin 2017"])
    ws.append(["Résultats par bureau de vote - premier tour"])
    ws.append([])
    ws.append(FIXED_LEGACY + LEGISLATIVE_BLOCK)
    for row in legislative_rows():  # counts as numbers, codes as text, as in the workbooks
        ws.append([int(c) if c.isdigit() and i >= 7 else c for i, c in enumerate(row)])
    wb.save(HERE / "Leg_2017_Resultats_BVT_T1_titres.xlsx")


def departmental_xlsx() -> None:
    fixed = ["Code du département", "Libellé du département", "Code du canton",
             "Libellé du canton", "Code de la commune", "Libellé de la commune",
             "Code du b.vote", "Inscrits", "Abstentions", "% Abs/Ins", "Votants", "% Vot/Ins",
             "Blancs", "% Blancs/Ins", "% Blancs/Vot", "Nuls", "% Nuls/Ins", "% Nuls/Vot",
             "Exprimés", "% Exp/Ins", "% Exp/Vot"]
    block = ["N°Panneau", "Binôme", "Nuance", "Voix", "% Voix/Ins", "% Voix/Exp"]
    header = ["", *fixed, *block, *[""] * 12, "Code_commune"]
    rows = [
        [61021, 92, "Hauts-de-Seine", 1, "Antony", 2, "Antony", 1, 1000, 500, 50.0, 500, 50.0,
         10, 1.0, 2.0, 0, 0.0, 0.0, 490, 49.0, 98.0,
         1, "M. AAA Luc et Mme BBB Léa", "BC-RN", 90, 9.0, 18.37,
         2, "Mme CCC Ana et M. DDD Max", "BC-UG", 400, 40.0, 81.63,
         None, None, None, None, None, None, "92_002"],
        [61022, 92, "Hauts-de-Seine", 3, "Bourg-la-Reine", 14, "Bourg-la-Reine", 2, 700, 300,
         42.86, 400, 57.14, 4, 0.57, 1.0, 6, 0.86, 1.5, 390, 55.71, 97.5,
         1, "M. EEE Jo et Mme FFF Zoé", "BC-RN", 100, 14.29, 25.64,
         2, "Mme GGG Eva et M. HHH Ali", "BC-DVD", 200, 28.57, 51.28,
         3, "M. III Tom et Mme JJJ Mia", "BC-UG", 90, 12.86, 23.08, "92_014"],
    ]
    _write_xlsx("departementales_2021_t1_extrait.xlsx", header, rows)


def municipal_2020_xlsx() -> None:
    fixed = ["Code du département", "Libellé du département", "Code de la commune",
             "Libellé de la commune", "Code B.Vote", "Inscrits", "Abstentions", "% Abs/Ins",
             "Votants", "% Vot/Ins", "Blancs", "% Blancs/Ins", "% Blancs/Vot", "Nuls",
             "% Nuls/Ins", "% Nuls/Vot", "Exprimés", "% Exp/Ins", "% Exp/Vot"]
    block = ["N.Pan.", "Code Nuance", "Sexe", "Nom", "Prénom", "Liste", "Voix", "% Voix/Ins",
             "% Voix/Exp"]
    header = ["", *fixed, *block * 3]  # repeated headers, as published
    a = [1, "LDVD", "M", "SENANT", "Jean-Yves", "ANTONY POUR TOUS"]
    b = [2, "LDVG", "F", "ASCHEHOUG", "Sylviane", "ANTONY TERRE CITOYENNE"]
    empty = [None] * 9
    rows = [
        [63102, 92, "Hauts-de-Seine", 2, "Antony", 1, 1000, 600, 60.0, 400, 40.0, 5, 0.5, 1.25,
         5, 0.5, 1.25, 390, 39.0, 97.5, *a, 300, 30.0, 76.92, *b, 90, 9.0, 23.08, *empty],
        [63103, 92, "Hauts-de-Seine", 2, "Antony", 2, 800, 400, 50.0, 400, 50.0, 0, 0.0, 0.0,
         10, 1.25, 2.5, 390, 48.75, 97.5, *a, 250, 31.25, 64.1, *b, 140, 17.5, 35.9, *empty],
    ]
    _write_xlsx("municipales_2020_t1_extrait.xlsx", header, rows)


def numbered_2024_xlsx() -> None:
    fixed = ["Code département", "Libellé département", "Code commune", "Libellé commune",
             "Code BV", "Inscrits", "Votants", "% Votants", "Abstentions", "% Abstentions",
             "Exprimés", "% Exprimés/inscrits", "% Exprimés/votants", "Blancs",
             "% Blancs/inscrits", "% Blancs/votants", "Nuls", "% Nuls/inscrits",
             "% Nuls/votants"]
    per = ["Numéro de panneau", "Nuance candidat", "Nom candidat", "Prénom candidat",
           "Sexe candidat", "Voix", "% Voix/inscrits", "% Voix/exprimés", "Elu"]
    header = ["", *fixed, *[f"{name} {n}" for n in (1, 2, 3) for name in per]]
    cands = [("1", "DVC", "TOUNSI", "Mohamed", "MASCULIN"), ("2", "UG", "GAILLARD", "Brice",
             "MASCULIN"), ("3", "ENS", "BREGEON", "Maud", "FEMININ")]

    def row(idx: int, com: str, name: str, bv: str, c: tuple[int, ...],
            voix: list[int]) -> list[object]:
        ins, vot, abst, ex, bl, nu = c
        out: list[object] = [idx, "92", "Hauts-de-Seine", com, name, bv, ins, vot,
                             pct(vot, ins) + "%", abst, pct(abst, ins) + "%", ex,
                             pct(ex, ins) + "%", pct(ex, vot) + "%", bl, pct(bl, ins) + "%",
                             pct(bl, vot) + "%", nu, pct(nu, ins) + "%", pct(nu, vot) + "%"]
        for cand, v in zip(cands, voix, strict=True):
            out += [*cand, v, pct(v, ins) + "%", pct(v, ex) + "%", ""]
        return out

    rows = [row(63739, "92002", "Antony", "0001", (965, 797, 168, 789, 8, 0), [8, 237, 544]),
            row(63740, "92019", "Châtenay-Malabry", "0020", (500, 300, 200, 290, 6, 4),
                [10, 180, 100])]
    _write_xlsx("legislatives2024_t1_extrait.xlsx", header, rows)


def municipal_2014_long_xlsx() -> None:
    header = ["", "No tour", "Code département", "Code commune", "Nom commune",
              "No bureau vote", "Inscrits", "Votants", "Exprimés", "No liste", "Nom", "Prénom",
              "Nuance", "Voix"]
    lists = [(4, "SÉNANT", "Jean-Yves", "LUMP"), (5, "MEUNIER", "François", "LFG"),
             (2, "RIVET", "François", "LUG")]
    rows = []
    i = 544963
    for bv, (ins, vot, ex), voix in [("0001", (1003, 667, 638), [418, 44, 176]),
                                     ("0002", (900, 500, 490), [300, 40, 150])]:
        for lst, v in zip(lists, voix, strict=True):
            rows.append([i, 1, 92, 2, "Antony", bv, ins, vot, ex, *lst, v])
            i += 1
    _write_xlsx("municipales_2014_t1_extrait.xlsx", header, rows)


def legislative_2022_long_xlsx() -> None:
    header = ["", "Code du département", "Libellé du département", "Code de la circonscription",
              "Libellé de la circonscription", "Code de la commune", "Libellé de la commune",
              "Code du b.vote", "Inscrits", "Abstentions", "% Abs/Ins", "Votants", "% Vot/Ins",
              "Blancs", "% Blancs/Ins", "% Blancs/Vot", "Nuls", "% Nuls/Ins", "% Nuls/Vot",
              "Exprimés", "% Exp/Ins", "% Exp/Vot", "N°Panneau", "Sexe", "Nom", "Prénom",
              "Nuance", "Voix", "% Voix/Ins", "% Voix/Exp", "Code Officiel EPCI",
              "location", "scrutin_code", "id_bv"]
    rows = []
    for bv, c, voix in [(19, (1008, 485, 523, 35, 0, 488), (306, 182)),
                        (21, (763, 319, 444, 23, 0, 421), (260, 161))]:
        ins, abst, vot, bl, nu, ex = c
        base = [3904 + bv, 92, "Hauts-de-Seine", 13, "13ème circonscription", 92002,
                "Antony", bv, ins, abst, round(100 * abst / ins, 2), vot,
                round(100 * vot / ins, 2), bl, 3.47, 6.69, nu, 0, 0, ex, 48.41, 93.31]
        for (panel, sexe, nom, prenom, nuance), v in zip(
            [(3, "F", "BREGEON", "Maud", "ENS"), (1, "M", "NOM", "Xavier", "NUP")], voix,
            strict=True,
        ):
            # mixed decimal marks in the percentages, as in the re-publication
            rows.append([*base, panel, sexe, nom, prenom, nuance, v, round(100 * v / ins, 2),
                         f"{100 * v / ex:.2f}".replace(".", ","), 200054781,
                         "48.750996, 2.297814", "LG2022", f"92002_{bv}"])
    _write_xlsx("legislatives2022_t2_extrait.xlsx", header, rows)


def _write_xlsx(name: str, header: list[str], rows: list[list[object]]) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append([h if h != "" else None for h in header])
    for r in rows:
        ws.append(r)
    wb.save(HERE / name)


if __name__ == "__main__":
    presidential_txt()
    legislative_txt()
    legislative_xlsx_title_rows()
    departmental_xlsx()
    municipal_2020_xlsx()
    numbered_2024_xlsx()
    municipal_2014_long_xlsx()
    legislative_2022_long_xlsx()
