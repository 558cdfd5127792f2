"""Write the INSEE fixtures of the 2015-2022 layouts (run once; the files are committed).

Layouts, from public code that reads the published files (docs/formats.md cites them):

* RP "bases infracommunales" 2017+ : a ``.zip`` holding ``base-ic-<theme>-<year>.csv``
  (``;``, decimal point, header ``IRIS;COM;TYP_IRIS;LAB_IRIS;P22_POP;...`` in 2020-2022)
  and a ``meta_`` dictionary. The five rows of ``base-ic-evol-struct-pop-2022_csv.zip`` are
  the first rows of the 2022 file as quoted in a public project's notes (8 of 76 columns).
* RP up to 2016: an ``.xls`` workbook, title lines, a line of French labels, then the
  codes (``IRIS;REG;DEP;UU2010;COM;LIBCOM;TRIRIS;GRD_QUART;LIBIRIS;TYP_IRIS;MODIF_IRIS;
  LAB_IRIS;P15_POP;...``). Values of ``base-ic-evol-struct-pop-2015_extrait.xls`` are made up
  (three IRIS of Antony and Sceaux; each age group sums to less than ``P15_POP``).
* Filosofi 2021 ``BASE_TD_FILO_IRIS_2021_DISP_CSV.zip``: ``BASE_TD_FILO_IRIS_2021_DISP.csv``
  (``;``, decimal comma, header on the first line, ``nd``/``ns``/``so``/``s`` for secrecy).
  Values made up.

Needs ``xlwt`` (``pip install xlwt``) for the ``.xls`` file only.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

HERE = Path(__file__).parent

POP22 = ["IRIS;COM;TYP_IRIS;LAB_IRIS;P22_POP;P22_POP0002;P22_POP0305;P22_POP0610",
         "010010000;01001;Z;5;859;33;28;56",
         "010020000;01002;Z;5;273;6;12;19",
         "010040101;01004;H;1;2057.93753915075;98.5714870259099;56.9778679537102;"
         "139.534470146303",
         "010040102;01004;H;1;3986.92009810392;147.358644172228;164.785678281558;"
         "239.997490548488",
         "010040201;01004;H;1;4520.66663670346;194.195738943017;196.752408241776;"
         "281.247669410446"]
META22 = ["COD_VAR;LIB_VAR;LIB_VAR_LONG;COD_MOD;LIB_MOD;TYPE_VAR;LONG_VAR",
          "P22_POP;Population;Population en 2022;;;NUM;17"]
FILO21 = ["IRIS;DISP_TP6021;DISP_Q121;DISP_MED21;DISP_Q321;DISP_D121;DISP_D921;DISP_RD21;"
          "DISP_S80S2021;DISP_GI21;DISP_PACT21",
          "920020101;9,8;17250;24630;33890;11460;45510;3,97;4,1;0,291;72,4",
          "920020102;ns;ns;ns;ns;ns;ns;ns;ns;ns;ns",
          "920710101;6,1;21040;29980;40120;13990;58030;4,15;4,3;0,309;nd",
          "921020103;so;18800;26510;35700;s;47950;s;s;0,275;68,0"]
POP15_CODES = ["IRIS", "REG", "DEP", "UU2010", "COM", "LIBCOM", "TRIRIS", "GRD_QUART",
               "LIBIRIS", "TYP_IRIS", "MODIF_IRIS", "LAB_IRIS", "P15_POP", "P15_POP0002",
               "P15_POP0305", "P15_POP0610"]
POP15_LABELS = ["IRIS", "Région", "Département", "Unité urbaine", "Commune ou ARM",
                "Libellé commune ou ARM", "TRIRIS", "Grand quartier", "Libellé de l'IRIS",
                "Type d'IRIS", "Modification de l'IRIS", "Label de l'IRIS",
                "Population en 2015 (princ)", "Pop 0-2 ans en 2015 (princ)",
                "Pop 3-5 ans en 2015 (princ)", "Pop 6-10 ans en 2015 (princ)"]
POP15_ROWS = [
    ["920020101", "11", "92", "00851", "92002", "Antony", "920011", "9200201", "Centre 1",
     "H", "00", "1", 2812.4, 101.2, 95.0, 160.3],
    ["920020102", "11", "92", "00851", "92002", "Antony", "920011", "9200201", "Parc", "A",
     "00", "2", 412.0, 10.0, 12.0, 20.5],
    ["920710000", "11", "92", "00851", "92071", "Sceaux", "ZZZZZZ", "9207100", "Sceaux", "Z",
     "00", "5", 19520.0, 611.0, 640.0, 1090.0],
]


def write_zip(name: str, members: dict[str, list[str]]) -> None:
    with zipfile.ZipFile(HERE / name, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member, lines in members.items():
            archive.writestr(member, "\r\n".join(lines) + "\r\n")


def write_xls() -> None:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("IRIS")
    titles = ["Évolution et structure de la population en 2015",
              "Recensement de la population - Base infracommunale (IRIS)",
              "Zone géographique : France hors Mayotte", ""]
    for r, text in enumerate(titles):
        sheet.write(r, 0, text)
    for c, (label, code) in enumerate(zip(POP15_LABELS, POP15_CODES, strict=True)):
        sheet.write(4, c, label)
        sheet.write(5, c, code)
    for r, row in enumerate(POP15_ROWS, start=6):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.add_sheet("Documentation").write(0, 0, "Variables de la base")
    book.save(str(HERE / "base-ic-evol-struct-pop-2015_extrait.xls"))


def main() -> None:
    write_zip("base-ic-evol-struct-pop-2022_csv.zip",
              {"base-ic-evol-struct-pop-2022.csv": POP22,
               "meta_base-ic-evol-struct-pop-2022.csv": META22})
    write_zip("BASE_TD_FILO_IRIS_2021_DISP_CSV.zip",
              {"BASE_TD_FILO_IRIS_2021_DISP.csv": FILO21,
               "meta_BASE_TD_FILO_IRIS_2021_DISP.csv": ["COD_VAR;LIB_VAR",
                                                        "DISP_MED21;Médiane (€)"]})
    write_xls()


if __name__ == "__main__":
    main()
