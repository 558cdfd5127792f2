"""Write the REU 2022 fixtures (run once; the files are committed).

Layouts from public code that reads the INSEE files (docs/formats.md): ``table-bv-reu``
(``,``; ``id_bv, code, code_commune, libelle_insee, ..., id_brut_insee, libelle_reu,
num_voie_reu, voie_reu, cp_reu, commune_reu, id_brut_reu, ..., nb_adresses, id_brut_miom``)
and ``table-adresses-reu`` (``id_brut_bv_reu, code_commune_ref, longitude, latitude,
geo_type, geo_score, nb_adresses``, as in the INSEE mapvotr sample, plus other columns in
the national file).

``table-adresses-reu_extrait.csv``: eight real rows of the shared sample
``finistere/reu/addresses_sample.DERIVED.csv`` (Concarneau 29039, bureaux 1, 2 and 3; one
Douarnenez row, 29046_4). ``table-bv-reu_extrait.csv``: the four REU bureaux with made-up
names and a made-up Ministry numbering (REU 29039_3 is Ministry bureau 0103; 29046_4 has no
Ministry id, as some rows of the real table).
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

HERE = Path(__file__).parent
KEEP = {"29039_1": 3, "29039_2": 2, "29039_3": 2, "29046_4": 1}
BV = [
    # id_bv, code, code_commune, libelle_reu, num_voie_reu, voie_reu, cp_reu, commune_reu,
    # id_brut_reu, id_brut_insee, nb_adresses, id_brut_miom
    ("29039_1", "1", "29039", "HOTEL DE VILLE", "", "RUE DU PRESIDENT SADATE", "29900",
     "CONCARNEAU", "29039_1", "29039_1", "280", "29039_0001"),
    ("29039_2", "2", "29039", "ECOLE DU CENTRE", "", "RUE VAUBAN", "29900", "CONCARNEAU",
     "29039_2", "29039_2", "301", "29039_2"),
    ("29039_3", "3", "29039", "SALLE MUNICIPALE", "", "AVENUE DE LA GARE", "29900",
     "CONCARNEAU", "29039_3", "29039_3", "312", "29039_0103"),
    ("29046_4", "4", "29046", "ECOLE DU PORT", "", "RUE DU PORT", "29100", "DOUARNENEZ",
     "29046_4", "29046_4", "150", ""),
]


def main() -> None:
    src = Path(os.environ["SWINGCAST_DATA_DIR"]) / "finistere/reu/addresses_sample.DERIVED.csv"
    with open(src, encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        taken = dict.fromkeys(KEEP, 0)
        rows = []
        for row in reader:
            if row[0] in taken and taken[row[0]] < KEEP[row[0]]:
                taken[row[0]] += 1
                rows.append(row)
    with open(HERE / "table-adresses-reu_extrait.csv", "w", encoding="utf-8", newline="") as out:
        csv.writer(out, lineterminator="\n").writerows([header, *rows])
    head = ["id_bv", "code", "code_commune", "libelle_reu", "num_voie_reu", "voie_reu",
            "cp_reu", "commune_reu", "id_brut_reu", "id_brut_insee", "nb_adresses",
            "id_brut_miom"]
    with open(HERE / "table-bv-reu_extrait.csv", "w", encoding="utf-8", newline="") as out:
        csv.writer(out, lineterminator="\n").writerows([head, *BV])


if __name__ == "__main__":
    main()
