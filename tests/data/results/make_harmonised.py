"""Write the harmonised fixtures in the current data.gouv.fr layout (run once; committed).

Column names and order are those of the data.gouv.fr pipeline that publishes
``general_results`` and ``candidats_results`` (``data_processing/elections/aggregation``:
25 general columns, 18 candidate columns, a column an election lacks left empty; Parquet
types VARCHAR/INT32/FLOAT). The counts are real, copied from the shared data:

* ``2017_pres_t2``: Albigny-sur-Saône (69003) bureaux 0001-0002, from
  ``france/results/2017-presidentielle-2_par_bureau_large.csv.gz``;
* ``2014_muni_t1``: Antony (92002) bureau 0001, from
  ``hauts-de-seine-13/results/municipales_2014_t1_antony.xlsx`` (no blancs/nuls in that
  round: left empty; lists without names, as the harmonised files give them for municipal
  rounds: panel, nuance and voix only).

Writes ``general_results_2026_extrait.csv``/``.parquet`` and
``candidats_results_2026_extrait.csv``/``.parquet``.
Usage: ``SWINGCAST_DATA_DIR=../shared/data python tests/data/results/make_harmonised.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from swingcast import read_results

HERE = Path(__file__).parent
GENERAL = ["id_election", "id_brut_miom", "code_departement", "libelle_departement",
           "code_canton", "libelle_canton", "code_commune", "libelle_commune",
           "code_circonscription", "libelle_circonscription", "code_bv", "inscrits",
           "abstentions", "votants", "blancs", "nuls", "exprimes",
           "ratio_abstentions_inscrits", "ratio_votants_inscrits", "ratio_blancs_inscrits",
           "ratio_blancs_votants", "ratio_nuls_inscrits", "ratio_nuls_votants",
           "ratio_exprimes_inscrits", "ratio_exprimes_votants"]
CANDIDATS = ["id_election", "id_brut_miom", "code_departement", "code_commune", "code_bv",
             "no_panneau", "voix", "ratio_voix_inscrits", "ratio_voix_exprimes", "nuance",
             "sexe", "nom", "prenom", "liste", "libelle_abrege_liste", "libelle_etendu_liste",
             "nom_tete_liste", "binome"]
INT = {"inscrits", "abstentions", "votants", "blancs", "nuls", "exprimes", "no_panneau", "voix"}


def ratio(a: object, b: object) -> object:
    return "" if pd.isna(a) or pd.isna(b) else f"{100 * int(a) / int(b):.2f}"


def general_row(eid: str, st: pd.Series, names: dict[str, str]) -> dict[str, object]:
    code = st["bureau_code"].zfill(4)
    row = dict.fromkeys(GENERAL, "")
    row.update(id_election=eid, id_brut_miom=f"{st['commune_code']}_{code}",
               code_departement=st["departement"], code_commune=st["commune_code"],
               code_bv=code, **names)
    for c in ("inscrits", "abstentions", "votants", "blancs", "nuls", "exprimes"):
        row[c] = "" if pd.isna(st[c]) else str(int(st[c]))
    for num, den in (("abstentions", "inscrits"), ("votants", "inscrits"),
                     ("blancs", "inscrits"), ("blancs", "votants"), ("nuls", "inscrits"),
                     ("nuls", "votants"), ("exprimes", "inscrits"), ("exprimes", "votants")):
        row[f"ratio_{num}_{den}"] = ratio(st[num], st[den])
    return row


def main() -> None:
    data = Path(os.environ["SWINGCAST_DATA_DIR"])
    pres = read_results(data / "france/results/2017-presidentielle-2_par_bureau_large.csv.gz")
    muni = read_results(data / "hauts-de-seine-13/results/municipales_2014_t1_antony.xlsx")
    general, candidats = [], []
    people = {"MACRON": (1, "M", "MACRON", "Emmanuel"), "LE PEN": (2, "F", "LE PEN", "Marine")}
    for bid in ("69003_1", "69003_2"):
        st = pres.stations.set_index("bureau_id").loc[bid].copy()
        st["bureau_id"] = bid
        g = general_row("2017_pres_t2", st, {"libelle_departement": "Rhône",
                                             "libelle_commune": "Albigny-sur-Saône",
                                             "code_circonscription": "05",
                                             "libelle_circonscription": "5ème circonscription"})
        general.append(g)
        for _, v in pres.votes[pres.votes["bureau_id"] == bid].iterrows():
            panel, sex, nom, prenom = people[v["candidate"]]
            c = dict.fromkeys(CANDIDATS, "")
            c.update({k: g[k] for k in CANDIDATS[:5]}, no_panneau=str(panel),
                     voix=str(int(v["voix"])), sexe=sex, nom=nom, prenom=prenom,
                     ratio_voix_inscrits=ratio(v["voix"], st["inscrits"]),
                     ratio_voix_exprimes=ratio(v["voix"], st["exprimes"]))
            candidats.append(c)
    st = muni.stations.set_index("bureau_id").loc["92002_1"]
    g = general_row("2014_muni_t1", st, {"libelle_departement": "Hauts-de-Seine",
                                         "libelle_commune": "Antony"})
    general.append(g)
    for _, v in muni.votes[muni.votes["bureau_id"] == "92002_1"].sort_values("panel").iterrows():
        c = dict.fromkeys(CANDIDATS, "")
        c.update({k: g[k] for k in CANDIDATS[:5]}, no_panneau=str(int(v["panel"])),
                 voix=str(int(v["voix"])), nuance=v["nuance"],
                 ratio_voix_inscrits=ratio(v["voix"], st["inscrits"]),
                 ratio_voix_exprimes=ratio(v["voix"], st["exprimes"]))
        candidats.append(c)
    for name, rows, cols in (("general", general, GENERAL), ("candidats", candidats, CANDIDATS)):
        frame = pd.DataFrame(rows, columns=cols)
        frame.to_csv(HERE / f"{name}_results_2026_extrait.csv", sep=";", index=False)
        arrays = {}
        for col in cols:
            values = frame[col].replace("", None)
            if col in INT:
                arrays[col] = pa.array(pd.to_numeric(values), type=pa.int32())
            elif col.startswith("ratio_"):
                arrays[col] = pa.array(pd.to_numeric(values), type=pa.float32())
            else:
                arrays[col] = pa.array(values, type=pa.string())
        pq.write_table(pa.table(arrays), HERE / f"{name}_results_2026_extrait.parquet")


if __name__ == "__main__":
    main()
