"""Write the data-lake export fixtures of this folder (run once; the files are committed).

The counts are the real ones of five bureaux of the Rhône (Albigny-sur-Saône 0001-0002,
Lyon 0101, 0102, 0901) in the 2017 presidential first round, copied from the shared
national table ``france/results/2017-presidentielle-1_par_bureau_large.csv.gz`` (Ministry
data, Licence Ouverte / Etalab), and written in the layout of the Ministry's per-bureau file
(``FIXED_LEGACY`` + one block ``N°Panneau, Sexe, Nom, Prénom, Voix, % Voix/Ins,
% Voix/Exp`` per candidate, in panel order) as a data-lake export flattens it:

* ``2017-presidentielle-1_datalake_suffixed.csv``: ``;``, block headers ``Nom_1`` ...
  ``Voix_11``, then ``source_url;ingestion_time``;
* ``2017-presidentielle-1_datalake_pandas.csv``: ``,`` (pandas ``to_csv``), the first block
  unsuffixed then ``Nom.1`` ... ``Voix.10``, no ``N°Panneau``, then ``_source_file,_ingested_at``;
* ``2017-presidentielle-1_datalake_pourcentages.csv``: like the first, but every count except
  ``Inscrits`` given only as a percentage (2 decimals): ``% Abs/Ins``, ``% Vot/Ins``, ...,
  ``% Voix/Ins_k``, ``% Voix/Exp_k``.
* ``2017-presidentielle-1_datalake_pourcentages_sans_inscrits.csv``: the same without
  ``Inscrits`` (refused: nothing to rebuild the counts from).

Usage: ``SWINGCAST_DATA_DIR=../shared/data python tests/data/results/make_suffixed.py``.
"""

from __future__ import annotations

import csv
import gzip
import os
from pathlib import Path

HERE = Path(__file__).parent
SOURCE = "france/results/2017-presidentielle-1_par_bureau_large.csv.gz"
KEEP = {("69", "003", "0001"), ("69", "003", "0002"), ("69", "123", "0101"),
        ("69", "123", "0102"), ("69", "123", "0901")}
#: Panel order of 2017 (Conseil constitutionnel draw): number, sex, surname, first name.
CANDIDATES = [(1, "M", "DUPONT-AIGNAN", "Nicolas"), (2, "F", "LE PEN", "Marine"),
              (3, "M", "MACRON", "Emmanuel"), (4, "M", "HAMON", "Benoît"),
              (5, "F", "ARTHAUD", "Nathalie"), (6, "M", "POUTOU", "Philippe"),
              (7, "M", "CHEMINADE", "Jacques"), (8, "M", "LASSALLE", "Jean"),
              (9, "M", "MÉLENCHON", "Jean-Luc"), (10, "M", "ASSELINEAU", "François"),
              (11, "M", "FILLON", "François")]
FIXED = ["Code du département", "Libellé du département", "Code de la circonscription",
         "Libellé de la circonscription", "Code de la commune", "Libellé de la commune",
         "Code du b.vote", "Inscrits", "Abstentions", "% Abs/Ins", "Votants", "% Vot/Ins",
         "Blancs", "% Blancs/Ins", "% Blancs/Vot", "Nuls", "% Nuls/Ins", "% Nuls/Vot",
         "Exprimés", "% Exp/Ins", "% Exp/Vot"]
BLOCK = ["N°Panneau", "Sexe", "Nom", "Prénom", "Voix", "% Voix/Ins", "% Voix/Exp"]
URL = "https://www.data.gouv.fr/fr/datasets/r/8fdb0926-ea9d-4fb4-a136-7767cd97e30b"


def pct(a: int, b: int, comma: bool = True) -> str:
    text = f"{100 * a / b:.2f}"
    return text.replace(".", ",") if comma else text


def rows() -> list[dict[str, object]]:
    path = Path(os.environ["SWINGCAST_DATA_DIR"]) / SOURCE
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        found = [r for r in csv.DictReader(handle)
                 if (r["departement"], r["commune"], r["bureau"]) in KEEP]
    found.sort(key=lambda r: (r["commune"], r["bureau"]))
    return found


def record(r: dict[str, str], comma: bool, counts: bool) -> list[str]:
    ins, vot, bl, ex = (int(r[k]) for k in ("inscrits", "votants", "blancs", "exprimes"))
    nu, ab = vot - bl - ex, ins - vot
    com = {"003": "Albigny-sur-Saône", "123": "Lyon"}[r["commune"]]
    out = [r["departement"], "Rhône", r["circonscription"], f"{int(r['circonscription'])}ème "
           "circonscription", r["commune"], com, r["bureau"]]
    out.append(str(ins))
    for value, percents in ((ab, [pct(ab, ins, comma)]), (vot, [pct(vot, ins, comma)]),
                            (bl, [pct(bl, ins, comma), pct(bl, vot, comma)]),
                            (nu, [pct(nu, ins, comma), pct(nu, vot, comma)]),
                            (ex, [pct(ex, ins, comma), pct(ex, vot, comma)])):
        out += ([str(value)] if counts else []) + percents
    for num, sex, nom, prenom in CANDIDATES:
        v = int(r[nom])
        out += [str(num), sex, nom, prenom] + ([str(v)] if counts else []) + [
            pct(v, ins, comma), pct(v, ex, comma)]
    return out


def write(name: str, header: list[str], body: list[list[str]], sep: str) -> None:
    with open(HERE / name, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=sep, lineterminator="\n").writerows([header, *body])


def main() -> None:
    data = rows()
    assert len(data) == len(KEEP)
    suffixed = FIXED + [f"{h}_{k}" for k in range(1, 12) for h in BLOCK]
    write("2017-presidentielle-1_datalake_suffixed.csv", suffixed + ["source_url",
          "ingestion_time"], [record(r, True, True) + [URL, "2024-03-02T04:15:09Z"]
                               for r in data], ";")
    pandas = FIXED + [h if k == 0 else f"{h}.{k}" for k in range(11) for h in BLOCK
                      if h != "N°Panneau"]
    body = []
    for r in data:
        rec = record(r, False, True)
        fixed, blocks = rec[:len(FIXED)], rec[len(FIXED):]
        body.append(fixed + [c for k in range(11) for j, c in enumerate(blocks[7 * k:7 * k + 7])
                             if j != 0] + ["PR17_BVot_T1_FE.txt", "2024-03-02 04:15:09"])
    write("2017-presidentielle-1_datalake_pandas.csv", pandas + ["_source_file", "_ingested_at"],
          body, ",")
    no_counts = [h for h in FIXED if h.startswith("%") or not h.startswith(
        ("Abstentions", "Votants", "Blancs", "Nuls", "Exprimés"))]
    pct_header = no_counts + [f"{h}_{k}" for k in range(1, 12) for h in BLOCK if h != "Voix"]
    write("2017-presidentielle-1_datalake_pourcentages.csv", pct_header + ["source_url"],
          [record(r, True, False) + [URL] for r in data], ";")
    i = pct_header.index("Inscrits")
    write("2017-presidentielle-1_datalake_pourcentages_sans_inscrits.csv",
          pct_header[:i] + pct_header[i + 1:],
          [(lambda x: x[:i] + x[i + 1:])(record(r, True, False)) for r in data], ";")


if __name__ == "__main__":
    main()
