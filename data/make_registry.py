"""Build data/registry.csv: the files of the shared data folder, the embedded sample, and the
official downloads listed in ../shared/sources/ (URLs read in public code, md5/size of public
copies).

Usage (from the project root)::

    python data/make_registry.py [SOURCES_DIR]           # default ../shared/sources
    python data/make_registry.py --check [SOURCES_DIR]   # exit 1 if registry.csv differs

Decisions (also in data/README.md, "Official downloads"):

* one row per file; another address of a file with an md5 (checked against it when used), the
  same file on another host (``static.data.gouv.fr`` and
  ``www.data.gouv.fr/s/``, data.gouv.fr's old object host, the content-addressed aktiur/hexagonal
  DVC cache whose path *is* the md5) is kept in ``mirrors``, tried in order when the official
  URL fails; a data.gouv.fr ``r/<id>`` redirect seen for a file of the same election, round,
  level and format (no checksum on either side) is a mirror too;
* ``check`` is ``sha256`` (file hashed here: shared data folder, embedded sample), ``md5`` (md5
  and size of a public copy: aktiur/hexagonal's DVC records, cross-checked between urls.csv and
  hexagonal_raw_dvc_checksums.csv) or ``unverified`` (no checksum: the first download records its
  sha256 in the cache, trust on first use);
* two INSEE activity ids conflict: RP2019 6543289 vs 6543200, RP2020 7704089 vs 7704076. The
  alternative ids are those of base-ic-evol-struct-pop of the same year (same table), and one
  INSEE file id names one file, so they are copy errors: 6543289 and 7704089 are kept;
* not registered: the dead wxs.ign.fr hosts and the ftp URL (credentials), OpenDataSoft
  exports and GitHub copies (third parties, not official), aktiur/hexagonal's cleaned Parquet
  outputs (derived data), departementales 2015 (a canton file, not per bureau, per its name)
  and the presidentielle 2002 ``r/`` link whose format is unknown;
* dynamic exports (opendata.paris.fr API) are ``unverified``: the md5 of a past export is
  noted in the description, an export today need not have the same bytes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import sys
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
REGISTRY = ROOT / "data" / "registry.csv"
SAMPLE = ROOT / "src" / "swingcast" / "data"

COLUMNS = ["name", "size", "sha256", "md5", "check", "publisher", "licence", "url", "mirrors",
           "election", "round", "level", "unpack", "sample_of", "description", "seen_in"]
LO = "Licence Ouverte / Etalab"
KINDS = {"presidentielle": "presidentielle", "legislatives": "legislatives",
         "europeenne": "europeennes", "municipales": "municipales",
         "departementales": "departementales", "regionales": "regionales",
         "referendum": "referendum", "conseils-PLM": "conseils-plm",
         "metropolitaines": "metropolitaines"}
#: The sample files and what they stand for (see make_sample.py).
SAMPLE_OF = {
    "sample/paris/2014-europeennes_par_bureau_large.csv.gz":
        ("france/results/2014-europeennes_par_bureau_large.csv.gz", "departement=75"),
    "sample/paris/2017-presidentielle-1_par_bureau_large.csv.gz":
        ("france/results/2017-presidentielle-1_par_bureau_large.csv.gz", "departement=75"),
    "sample/paris/2017-presidentielle-2_par_bureau_large.csv.gz":
        ("france/results/2017-presidentielle-2_par_bureau_large.csv.gz", "departement=75"),
    "sample/paris/secteurs-des-bureaux-de-vote-paris-2017.gpkg":
        ("paris/contours/secteurs-des-bureaux-de-vote-paris-2017.geojson", ""),
    "sample/paris/lieux-de-vote-paris-2017.csv.gz":
        ("paris/contours/lieux-de-vote-paris-2017.csv", ""),
    "sample/paris/bureaux-paris-2012.gpkg": ("paris/contours/bureaux-paris-2012.gpkg", ""),
}
SKIP_HOSTS = ("wxs.ign.fr", "public.opendatasoft.com", "github.com")
CONFLICTS = {  # wrong ids for the INSEE activity bases (see the module docstring)
    "6543200": "base-ic-activite-residents-2019", "7704076": "base-ic-activite-residents-2020"}


def _md5_size(text: str) -> tuple[str, int | None]:
    md5 = re.search(r"md5 ([0-9a-f]{32})", text)
    size = re.search(r"([0-9][0-9,]*) bytes", text)
    return (md5.group(1) if md5 else "",
            int(size.group(1).replace(",", "")) if size else None)


def _ext(url: str, fallback: str) -> str:
    path = urlparse(url).path
    for ext in (".csv.gz", ".geojson", ".pmtiles", ".parquet", ".xlsx", ".csv", ".txt",
                ".zip", ".7z"):
        if path.endswith(ext):
            return ext
    return fallback


def _format_ext(fmt: str) -> str:
    fmt = fmt.lower()
    for key, ext in (("parquet", ".parquet"), ("geojson", ".geojson"), ("json", ".geojson"),
                     ("7z", ".7z"), ("zip", ".zip"), ("xlsx", ".xlsx"),
                     ("spreadsheetml", ".xlsx"), ("csv", ".csv"), ("txt", ".txt")):
        if key in fmt:
            return ext
    return ""


class Builder:
    def __init__(self, sources: Path) -> None:
        self.rows: dict[str, dict[str, str]] = {}
        self.by_url: dict[str, str] = {}
        self.by_md5: dict[str, str] = {}
        self.notes: list[str] = []
        self.dvc = {}
        with open(sources / "hexagonal_raw_dvc_checksums.csv", newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                self.dvc[r["md5"]] = r
        with open(sources / "urls.csv", newline="", encoding="utf-8") as f:
            self.urls = list(csv.DictReader(f))

    # --- rows ----------------------------------------------------------------------------
    def add(self, name: str, url: str, row: dict[str, str], **fields: str) -> None:
        if name in self.rows:
            raise SystemExit(f"duplicate registry name {name}")
        entry = dict.fromkeys(COLUMNS, "")
        entry.update({"licence": LO, **fields, "name": name, "url": url,
                      "seen_in": row["seen_in"]})
        md5, size = _md5_size(row["format"])
        if md5 and fields.get("check") != "unverified":
            dvc = self.dvc.get(md5)
            if dvc is None:
                raise SystemExit(f"{url}: md5 {md5} not in hexagonal_raw_dvc_checksums.csv")
            if int(dvc["size_bytes"]) != size:
                raise SystemExit(f"{url}: size {size} != DVC {dvc['size_bytes']}")
            if dvc["source_url_in_dvc"] and dvc["source_url_in_dvc"] != url:
                raise SystemExit(f"{url}: DVC records another URL {dvc['source_url_in_dvc']}")
            how = ("DVC source URL = this URL" if dvc["source_url_in_dvc"]
                   else "linked to this URL by hexagonal's sources.md")
            entry.update(md5=md5, size=str(size), check="md5",
                         seen_in=f"{row['seen_in']}; md5/size of {dvc['hexagonal_path']} ({how})")
            self.by_md5[md5] = name
        elif not entry["check"]:
            entry["check"] = "unverified"
        entry["unpack"] = {".zip": "zip", ".7z": "7z"}.get(Path(name).suffix, "")
        self.rows[name] = entry
        self.by_url[url] = name

    def mirror(self, name: str, url: str, why: str) -> None:
        entry = self.rows[name]
        if url == entry["url"] or url in entry["mirrors"].split():
            return
        entry["mirrors"] = " ".join(filter(None, [entry["mirrors"], url]))
        entry["seen_in"] += f"; mirror {url} ({why})"
        self.by_url[url] = name

    # --- official rows -------------------------------------------------------------------
    def official(self) -> None:
        pending_mirrors = []
        for row in self.urls:
            url, fmt, election = row["url"], row["format"], row["election"]
            host = urlparse(url).netloc
            if url in self.by_url:  # the same URL seen in another source
                self.rows[self.by_url[url]]["seen_in"] += f"; also {row['seen_in']}"
                continue
            if (urlparse(url).scheme != "https" or any(h in host for h in SKIP_HOSTS)
                    or "cleaned output" in fmt or "Dep_15_Resultats" in url
                    or "17fbaf03" in url):
                self.notes.append(f"not registered: {url}")
                continue
            if "hexagonal-data.s3" in host or "sbg.io.cloud.ovh.net" in host:
                pending_mirrors.append(row)
                continue
            first = election.split(" ")[0]
            if first in KINDS and re.search(r"\b(19|20)\d\d\b", election):
                self._ministry(row, KINDS[first])
            else:
                self._other(row)
        for row in pending_mirrors:
            url = row["url"]
            if "hexagonal-data.s3" in url:
                md5 = "".join(url.rstrip("/").split("/")[-2:])
                if md5 not in self.by_md5:
                    raise SystemExit(f"hexagonal mirror {url}: no registered file with md5 {md5}")
                self.mirror(self.by_md5[md5], url, "aktiur/hexagonal DVC cache, addressed by md5")
            else:
                tail = urlparse(url).path  # /elections/... or /reu/...
                target = next(n for n, e in self.rows.items()
                              if any(u.endswith(tail) for u in [e["url"], *e["mirrors"].split()]))
                self.mirror(target, url, "data.gouv.fr pipeline files, old host")

    def _ministry(self, row: dict[str, str], kind: str) -> None:
        url, fmt = row["url"], row["format"]
        year = re.search(r"(19|20)\d\d", row["election"]).group(0)
        # a file of both rounds has no round in its name ("t1t2" would read as round 1)
        rnd = {"1+2": "", "1": "-1", "2": "-2"}.get(row["round"], f"-{row['round']}")
        level = row["level"].split("/")[0].strip()
        md5, _ = _md5_size(fmt)
        if md5:
            ext = Path(self.dvc[md5]["hexagonal_path"]).suffix
        else:
            ext = _ext(url, _format_ext(fmt))
        suffix = ""
        if "provisional" in fmt or re.search(r"resultats-du-(1er|2nd)-tour/", url):
            suffix = "-provisoire"
        if "avant_correction" in self.dvc.get(md5, {}).get("hexagonal_path", ""):
            suffix = "-avant-correction"
        if kind == "legislatives" and "LG2024.zip" in url:
            suffix, level = "-miom", "bureau+commune"
        name = f"official/interieur/{year}-{kind}{rnd}_{level}{suffix}{ext}"
        if name in self.rows:
            same_tail = self.rows[name]["url"].split("/")[-1] == url.split("/")[-1]
            redirect = "/datasets/r/" in url and not md5 and self.rows[name]["check"] == "unverified"
            checked = self.rows[name]["check"] == "md5" and not md5
            if same_tail or redirect or checked:
                self.mirror(name, url, "same file name on another host" if same_tail
                            else "another address of this round's file, checked against the "
                                 "md5 when used" if checked
                            else "data.gouv.fr r/ redirect to a file of the same round and format")
                return
            raise SystemExit(f"{url}: name {name} already used by {self.rows[name]['url']}")
        rounds = {"1": "1", "2": "2", "1+2": "1 2"}.get(row["round"], row["round"])
        what = {"bureau": "per bureau de vote", "circonscription": "per circonscription",
                "secteur": "per secteur", "commune": "per commune"}.get(level, f"per {level}")
        self.add(name, url, row, publisher="Ministère de l'Intérieur (data.gouv.fr)",
                 election=f"{year}-{kind}", round=rounds, level=level,
                 description=f"{kind.capitalize()} {year} round {row['round']}, results {what}, "
                             f"as published ({fmt.split(';')[0].split(' — ')[0]})")

    def _other(self, row: dict[str, str]) -> None:
        url, fmt, election = row["url"], row["format"], row["election"]
        path = urlparse(url).path
        fields: dict[str, str] = {"level": row["level"]}
        if election.startswith("all elections"):
            kind = "general_results" if "general" in fmt else "candidats_results"
            ext = _ext(url, _format_ext(fmt))
            name = f"official/datagouv/elections-agregees/{kind}{ext}"
            if name in self.rows:
                self.mirror(name, url, "data.gouv.fr r/ id of the same harmonised file"
                            if "/r/" in self.rows[name]["url"] else "object storage copy")
                return
            fields.update(publisher="data.gouv.fr (données des élections agrégées)",
                          election="all", round="1 2", level="bureau",
                          description=f"Harmonised results of every election 1999-2026, {kind}, "
                                      f"one row per bureau{' and candidate' if 'candidats' in kind else ''}")
        elif election.startswith(("REU", "Répertoire")):
            table = "table-adresses-reu" if "adresses" in election + url else "table-bv-reu"
            ext = _ext(url, _format_ext(fmt))
            name = f"official/insee/reu-2022/{table}{ext}"
            if name in self.rows:
                self.mirror(name, url, "data.gouv.fr r/ redirect to the same table and format")
                return
            fields.update(publisher="INSEE, Répertoire électoral unique (data.gouv.fr)",
                          level="bureau",
                          description="REU 2022: " + ("geocoded addresses of the electors with "
                                                      "their bureau" if "adresses" in table
                                                      else "table of the bureaux de vote"))
        elif election.startswith("contours bureaux"):
            ext = _ext(url, _format_ext(fmt))
            name = f"official/datagouv/contours-bureaux-reu-2022{ext}"
            if name in self.rows:
                self.mirror(name, url, "same pipeline file (r/ id or another host)")
                return
            fields.update(publisher="Etalab (data.gouv.fr), from the REU 2022", level="bureau",
                          description="Bureau contours computed from the REU 2022 addresses "
                                      "(Etalab), France entière" + (", vector tiles" if ext == ".pmtiles" else ""))
        elif "CONTOURS-IRIS" in url or election.startswith("Contours IRIS"):
            name = f"official/ign/{Path(path).name}"
            fields.update(publisher="IGN (Géoplateforme)", level="IRIS",
                          description=f"IGN CONTOURS-IRIS, {Path(path).stem}")
        elif election.startswith("Secteurs des bureaux"):
            year = re.search(r"20\d\d", election).group(0)
            md5, size = _md5_size(fmt)
            name = f"official/paris/secteurs-des-bureaux-de-vote-{year}.geojson"
            fields.update(publisher="Ville de Paris (opendata.paris.fr)", licence="ODbL",
                          level="bureau", check="unverified",
                          description=f"Ville de Paris secteurs des bureaux de vote {year} "
                                      f"(API export; a past export had {size} bytes, md5 {md5})")
        elif election.startswith("INSEE RP") or election.startswith("INSEE reference"):
            name = f"official/insee/{Path(path).name}"
            file_id = path.split("/")[-2]
            if file_id in CONFLICTS and CONFLICTS[file_id] in url:
                raise SystemExit(f"{url}: conflicting id {file_id}")
            fields.update(publisher="INSEE", level="IRIS",
                          description=f"INSEE {election.removeprefix('INSEE ')} per IRIS "
                                      "(bases infracommunales), zip of CSV")
        elif "FILOSOFI" in election.upper():
            name = f"official/insee/{Path(path).name}"
            if name in self.rows:
                self.rows[name]["seen_in"] += f"; also {row['seen_in']}"
                return
            fields.update(publisher="INSEE (Filosofi)", level="IRIS",
                          description="INSEE Filosofi 2021, disposable income per IRIS, zip of CSV")
        else:  # COG, circonscriptions, population series
            name = f"official/insee/{Path(path).name}"
            fields.update(publisher="INSEE", level=row["level"],
                          description=f"INSEE {election}")
        self.add(name, url, row, **fields)

    # --- local rows ----------------------------------------------------------------------
    def local(self) -> None:
        with open(REGISTRY, newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                if r["name"].startswith(("official/", "sample/")):
                    continue
                entry = dict.fromkeys(COLUMNS, "")
                entry.update({k: v for k, v in r.items() if k in COLUMNS})
                entry["check"] = "sha256"
                entry["level"] = entry["level"] or ""
                self.rows[entry["name"]] = entry
        for name, (full, subset) in SAMPLE_OF.items():
            path = SAMPLE / name
            entry = dict.fromkeys(COLUMNS, "")
            src = self.rows[full]
            entry.update(name=name, size=str(path.stat().st_size),
                         sha256=hashlib.sha256(path.read_bytes()).hexdigest(), check="sha256",
                         publisher=src["publisher"], licence=src["licence"],
                         sample_of=f"{full}#{subset}" if subset else full,
                         description=f"Embedded sample (in the package): {subset or 'all rows, the fields its reader uses'} "
                                     f"of {full} (data/make_sample.py)")
            self.rows[name] = entry

    def render(self) -> str:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for name in sorted(self.rows):
            writer.writerow(self.rows[name])
        return buffer.getvalue()


def build(sources: Path) -> Builder:
    """The registry rebuilt from ``sources`` (and the local rows of the current file)."""
    b = Builder(sources)
    b.local()
    b.official()
    return b


def main(argv: list[str]) -> None:
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    sources = Path(args[0]) if args else ROOT.parent / "shared" / "sources"
    b = build(sources)
    text = b.render()
    if check:
        same = REGISTRY.read_text(encoding="utf-8") == text
        print("data/registry.csv is up to date" if same else "data/registry.csv differs")
        raise SystemExit(0 if same else 1)
    REGISTRY.write_text(text, encoding="utf-8")
    official = [e for e in b.rows.values() if e["url"]]
    by_check = {c: sum(e["check"] == c for e in official) for c in ("md5", "unverified")}
    print(f"{len(b.rows)} rows, {len(official)} official with URL {by_check}")
    for note in b.notes:
        print(note)


if __name__ == "__main__":
    main(sys.argv[1:])
