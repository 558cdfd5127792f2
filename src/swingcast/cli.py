"""Command-line interface: every command is a thin wrapper around a public function.

Errors of the :class:`~swingcast.errors.SwingcastError` family are printed on one line
(``swingcast: error: ...``) with exit status 2; ``--debug`` shows the traceback instead.
Each stage registers its commands below, in the order of the data flow.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from swingcast._log import cli_messages
from swingcast.errors import SwingcastError

if TYPE_CHECKING:
    from swingcast.model.history import History

app = typer.Typer(
    name="swingcast",
    help="Predict turnout and swing per bureau de vote and rank bureaux for canvassing.",
    no_args_is_help=False,  # bare `swingcast` is a one-line usage error (see main)
    add_completion=False,
    pretty_exceptions_enable=False,
)

_STATE: dict[str, object] = {"debug": False, "words": str}


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress.")] = False,
) -> None:
    """swingcast command line."""
    _STATE["debug"] = debug
    # printed by main's cli_messages handler: once each, as `swingcast: warning: ...`
    logging.getLogger("swingcast").setLevel(
        logging.DEBUG if debug else (logging.INFO if verbose else logging.WARNING))


def _words() -> Callable[[str], str]:
    return _STATE["words"]  # type: ignore[return-value]


def _existing_path(value: str) -> Path:
    return Path(value)


# --- commands are registered below this line, one block per stage ------------------------

# --- load: datasets and input checks (swingcast.load.datasets / swingcast.load.preflight) -----------


@app.command("datasets")
def _datasets_cmd(
    verify: Annotated[bool, typer.Option("--verify/--no-verify",
                                         help="Hash every file found (default).")] = True,
    status: Annotated[str | None, typer.Option(
        help="Show only the files of this status (data_dir, cache, package, downloadable, "
             "missing, hash mismatch).")] = None,
) -> None:
    """List the registered data files: size, check, and where each one is found.

    Exit status 1 when a copy is found with the wrong checksum.
    """
    from swingcast.load.datasets import ENV_DATA_DIR, ENV_MIRROR, cache_dir, list_datasets

    table = list_datasets(verify=verify)
    shown = table if status is None else table[table["status"] == status]
    with_size = shown.assign(size=shown["size"].astype("string").fillna("?"))
    typer.echo(with_size[["name", "size", "check", "licence", "status"]].to_string(index=False))
    counts = table["status"].value_counts()
    typer.echo(", ".join(f"{n} {s}" for s, n in counts.items()))
    if counts.get("downloadable", 0):
        typer.echo(f"downloadable: `swingcast fetch NAME` (or `swingcast fetch --election "
                   f"2022-presidentielle --round 1`) downloads into {cache_dir()}")
    if counts.get("missing", 0):
        typer.echo(f"missing (no public URL: copies from third-party repositories): set "
                   f"{ENV_DATA_DIR} to a folder that holds them, or {ENV_MIRROR}=<base URL> to "
                   "a mirror serving <base>/NAME and `swingcast fetch NAME`; the Paris demo "
                   "runs without them (embedded sample)")
    if counts.get("hash mismatch", 0):
        typer.echo("hash mismatch: a copy differs from the registry (listed above); it is "
                   "never used", err=True)
        raise typer.Exit(1)


@app.command("fetch")
def _fetch_cmd(
    names: Annotated[list[str] | None, typer.Argument(
        help="Registry names (see `swingcast datasets`).")] = None,
    election: Annotated[str | None, typer.Option(
        help="An election instead of names: YEAR-KIND, e.g. 2022-presidentielle.")] = None,
    round: Annotated[int | None, typer.Option("--round", help="Round of --election (1 or 2).")] = None,
    level: Annotated[str, typer.Option(help="Level of --election files.")] = "bureau",
    unpack: Annotated[bool, typer.Option("--unpack/--no-unpack",
                                         help="Unpack zip/7z archives into the cache.")] = True,
) -> None:
    """Download registered files into the cache (checked, atomic), or say where they are.

    Honours SWINGCAST_DATA_DIR (used first, never written), SWINGCAST_CACHE (where
    downloads go) and SWINGCAST_MIRROR (fetch <base>/NAME instead of the official host).
    """
    from swingcast.errors import DatasetError
    from swingcast.load.datasets import default_store, download_records

    store = default_store()
    if store.progress is None:
        store.progress = True
    wanted = list(names or [])
    if election is not None:
        found = store.find_election(election, round, level)
        wanted.append(found[0].name)
        if len(found) > 1:
            others = ", ".join(d.name for d in found[1:])
            typer.echo(f"{election} round {round}: {found[0].name} (other files: {others})",
                       err=True)
    elif round is not None:
        raise DatasetError("--round goes with --election YEAR-KIND")
    if not wanted:
        raise DatasetError("nothing to fetch: give registry names (see `swingcast datasets`) "
                           "or --election YEAR-KIND [--round N]")
    for name in wanted:
        entry = store.entry(name)
        path = store.fetch(name)
        check = entry.verification
        record = download_records(store.cache_dir).get(name) if store.cache_dir else None
        if check == "unverified" and record:
            check = f"unverified, sha256 {record['sha256']} recorded at the first download"
        typer.echo(f"{name} -> {path} ({check})")
        if entry.unpack and unpack:
            typer.echo(f"{name} unpacked -> {store.fetch_unpacked(name)}")


@app.command("check")
def _check_cmd(
    files: Annotated[list[Path], typer.Argument(help="Input files (results, census, contours, "
                                                     "addresses), checked together.")],
    kind: Annotated[str | None, typer.Option(help="Force the kind of every file: results, "
                                                   "census, iris, bureaux, addresses, "
                                                   "polling_places.")] = None,
) -> None:
    """Validate input files before a run; exit 0 if all good, 1 on warnings, 2 on errors."""
    from swingcast.load.preflight import check

    report = check(files, kind=kind)
    words = _words()
    typer.echo(words(str(report)))
    for refused in report.errors:
        if _STATE["debug"] and refused.exception is not None:
            raise refused.exception
        typer.echo(f"swingcast: error: {words(refused.error or '')}", err=True)
    if report.exit_code:
        raise typer.Exit(report.exit_code)


# --- load: election results (swingcast.load.sources) -------------------------------------------


@app.command("results")
def _results_cmd(
    path: Annotated[Path, typer.Argument(help="Results file (.csv, .csv.gz, .txt, .xlsx).")],
    format: Annotated[str | None, typer.Option("--format", help="Force a layout.")] = None,
    election: Annotated[str | None, typer.Option(help="<year>-<kind>, if not in the name.")] = None,
    round: Annotated[int | None, typer.Option("--round", help="1 or 2, if not in the name.")] = None,
    candidates: Annotated[Path | None, typer.Option(help="Harmonised candidats file.")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on any invariant break.")] = False,
) -> None:
    """Read a results file and print a summary: rows, bureaux, totals, invariant breaks."""
    from swingcast.load.sources import read_results, summarize_results

    results = read_results(path, format=format, election=election, round=round,
                           strict=strict, candidates=candidates)
    typer.echo(f"{results.source}: format {results.format}, encoding {results.encoding}")
    typer.echo(summarize_results(results).to_string(index=False))
    typer.echo(f"{len(results.issues)} invariant break(s)")
    if len(results.issues):
        typer.echo(results.issues.head(10).to_string(index=False))
    ignored = results.notes.get("ignored_columns")
    if ignored:
        typer.echo(f"columns not read (after the candidate blocks): {', '.join(ignored)}")
    rebuilt = results.notes.get("rebuilt_counts")
    if rebuilt:
        typer.echo(f"counts rebuilt from percentages of {len(rebuilt['columns'])} columns, "
                   f"largest rounding error {rebuilt['max_error']} voters, "
                   + ("all exact" if rebuilt["exact"] else
                      f"{len(rebuilt['inexact'])} not exact: "
                      + ", ".join(rebuilt["inexact"][:5])))


# --- load: the parsed-results cache (swingcast.load.sources.resultcache) ------------------

cache_app = typer.Typer(help="The cache of parsed results files (read_results).",
                        no_args_is_help=False)  # `swingcast cache` alone: one-line error
app.add_typer(cache_app, name="cache")


@cache_app.command("info")
def _cache_info_cmd() -> None:
    """Print the cache folder, the number of cached reads and the space they use."""
    from swingcast.load.sources.resultcache import cache_info

    info = cache_info()
    typer.echo(f"{info['folder']}: {info['entries']} cached read(s), "
               f"{info['bytes'] / 1e6:.1f} MB")


@cache_app.command("clear")
def _cache_clear_cmd() -> None:
    """Remove every cached read (downloaded datasets are kept)."""
    from swingcast.load.sources.resultcache import clear_cache, results_cache_dir

    typer.echo(f"{results_cache_dir()}: removed {clear_cache()} cached read(s)")


# --- load: census and contours (swingcast.load.census / swingcast.load.geometry) -------------------


@app.command("census")
def _census_cmd(
    path: Annotated[Path, typer.Argument(
        help="INSEE table at IRIS level (.csv, .xlsx, .xls or the .zip INSEE publishes).")],
    sheet: Annotated[str | None, typer.Option(help="Sheet of a workbook.")] = None,
    member: Annotated[str | None, typer.Option(help="File to read in a .zip archive.")] = None,
    out: Annotated[Path | None, typer.Option(help="Write the tidy table (.csv or .parquet).")] = None,
) -> None:
    """Read an INSEE census table (RP, Filosofi) and print its IRIS, year and variables."""
    from swingcast.load.census import read_census

    df = read_census(path, sheet=sheet, member=member)
    variables = list(df.attrs["columns"].values())
    typer.echo(f"{path}: {len(df)} IRIS in {df['commune_code'].nunique()} communes, "
               f"census year {df.attrs['census_year']}, {len(variables)} variables")
    typer.echo(", ".join(variables[:20]) + (" ..." if len(variables) > 20 else ""))
    if out is not None:
        from swingcast.cache import atomic_write
        from swingcast.csvout import write_csv

        if out.suffix.lower() == ".parquet":
            with atomic_write(out) as tmp:
                df.to_parquet(tmp, index=False)
        else:
            write_csv(df, out)
        typer.echo(f"written to {out}")


@app.command("contours")
def _contours_cmd(
    kind: Annotated[str, typer.Argument(help="iris, bureaux, addresses or polling-places.")],
    path: Annotated[Path, typer.Argument(help="Vector layer, or CSV/.rda of points.")],
    out: Annotated[Path | None, typer.Option(help="Write the layer (GeoPackage).")] = None,
    id_field: Annotated[str | None, typer.Option(help="bureaux: field with the ids.")] = None,
    commune: Annotated[str | None, typer.Option(
        help="bureaux: INSEE commune of every feature, when --id-field holds bare bureau "
             "numbers.")] = None,
    crs: Annotated[str | None, typer.Option(
        help="The file's CRS: used when it has none, overrides a wrong one.")] = None,
    drop_empty: Annotated[bool, typer.Option("--drop-empty",
                                             help="Drop features without geometry.")] = False,
) -> None:
    """Read IRIS/bureau contours or address points into Lambert-93 and print a summary."""
    from swingcast.errors import SchemaError
    from swingcast.load import geometry

    if kind == "iris":
        gdf = geometry.read_iris(path, crs=crs, drop_empty=drop_empty)
    elif kind == "bureaux":
        gdf = geometry.read_bureaux(path, id_field=id_field, commune=commune, crs=crs,
                                    drop_empty=drop_empty)
    elif kind == "addresses":
        gdf = geometry.read_addresses(path)
    elif kind == "polling-places":
        gdf = geometry.read_polling_places(path)
    else:
        raise SchemaError(f"contours: kind {kind!r}; expected iris, bureaux, addresses or "
                          "polling-places")
    typer.echo(f"{path}: {len(gdf)} features, {gdf.crs}, "
               f"area {gdf.area.sum() / 1e6:.3f} km2, repaired {gdf.attrs.get('repaired', 0)}, "
               f"dissolved {len(gdf.attrs.get('dissolved', []))}, "
               f"dropped {len(gdf.attrs.get('dropped_empty', []))}")
    typer.echo(gdf.drop(columns="geometry").head(5).to_string(index=False))
    if out is not None:
        from swingcast.cache import atomic_write

        with atomic_write(out) as tmp:
            gdf.to_file(tmp, driver="GPKG", layer=kind.replace("-", "_"))
        typer.echo(f"written to {out}")


# --- join: IRIS -> bureaux crosswalk (swingcast.join.crosswalk) ----------------------------------


@app.command("crosswalk")
def _crosswalk_cmd(
    source: Annotated[Path, typer.Argument(help="Source polygons (e.g. IRIS contours).")],
    target: Annotated[Path, typer.Argument(help="Target polygons (e.g. bureau contours).")],
    source_id: Annotated[str, typer.Option("--source-id", help="Id column of SOURCE.")],
    target_id: Annotated[str, typer.Option("--target-id", help="Id column of TARGET.")],
    out: Annotated[Path, typer.Option("--out", help="Crosswalk file to write (.parquet).")],
    weights: Annotated[str, typer.Option(
        help="'area', or a layer of points/polygons used as dasymetric weights.")] = "area",
    weight_column: Annotated[str | None, typer.Option(
        "--weight-column", help="Count column of the weight layer.")] = None,
    within: Annotated[str, typer.Option(
        help="'auto', 'commune' or 'none': keep weights inside communes.")] = "auto",
    n_jobs: Annotated[int | None, typer.Option(
        "--n-jobs", help="Processes (default: $SWINGCAST_N_JOBS, else all cores).")] = None,
) -> None:
    """Compute the weights carrying SOURCE zones onto TARGET zones; save them to Parquet."""
    from swingcast.join.crosswalk import crosswalk, read_weight_layer

    cw = crosswalk(source, target, source_id=source_id, target_id=target_id,
                   weights=read_weight_layer(weights), weight_column=weight_column,
                   within=None if within == "none" else within, n_jobs=n_jobs)
    cw.save(out)
    typer.echo(f"{cw!r}; written to {out}")


# --- model: back-testing (swingcast.backtest) ---------------------------------------------


_FILES_HELP = ("Results files, one round each; a file whose name does not say its round gets "
               "FILE=LABEL, e.g. resultats.csv=2022-presidentielle-1 (docs/models.md).")


_OLD_MAP_HELP = ("LABEL=CONTOURS: the bureaux that round was voted on, when they were redrawn since; "
                 "the round is carried onto --map's bureaux by area (repeatable).")
_MAP_HELP = "Contours of the bureaux scored or forecast (the latest map), with --old-map."


def _history(files: list[str], departement: list[str] | None, commune: list[str] | None,
             old_maps: list[str] | None = None, new_map: Path | None = None) -> History:
    """``load_history`` of ``FILE[=LABEL]`` arguments, older maps carried onto ``new_map``."""
    from swingcast.errors import SchemaError
    from swingcast.model.history import load_history, parse_label

    paths: list[str] = []
    labels: list[str | None] = []
    for item in files:
        path, label = item, None
        head, sep, tail = item.rpartition("=")
        if sep and head and not Path(item).exists():
            parse_label(tail)  # a clear error for a bad label
            path, label = head, tail
        paths.append(path)
        labels.append(label)
    if bool(old_maps) != (new_map is not None):
        raise SchemaError("--old-map LABEL=CONTOURS and --map CONTOURS go together: the map a round "
                          "was voted on and the map of the bureaux to score or forecast")
    history = load_history(paths, labels=labels, departements=departement or None, communes=commune or None)
    if not old_maps:
        return history
    from swingcast.join.redraw import redraw_from_contours

    maps: dict[str, object] = {}
    for item in old_maps:
        label, sep, path = item.partition("=")
        if not sep or not path:
            raise SchemaError(f"--old-map {item!r}; expected LABEL=CONTOURS, e.g. "
                              "2014-europeennes-1=bureaux-2012.gpkg")
        parse_label(label)
        maps[label] = path
    history = redraw_from_contours(history, maps, new_map)
    for label, done in history.area["redrawn"].items():
        typer.echo(f"redrawn {label}: {done['carried']} bureaux carried onto {new_map} ({done['method']} "
                   f"weights), {len(done['kept'])} kept by code, {len(done['dropped'])} dropped")
    return history


_CENSUS_HELP = ("Census counts per bureau (CSV: bureau_id and one column per variable, e.g. an IRIS table "
                "carried by swingcast.Crosswalk.apply): their shares enter model v3's share denoiser.")
_CENSUS_TOTAL_HELP = "The --census column that is the total (denominator); default: its first count column."


def _bureau_census(path: Path | None, total: str | None):
    from swingcast.errors import SchemaError
    from swingcast.load.bureaucensus import read_bureau_census

    if path is None:
        if total is not None:
            raise SchemaError("--census-total goes with --census FILE")
        return None
    return read_bureau_census(path, total)


@app.command("backtest")
def _backtest_cmd(
    files: Annotated[list[str] | None, typer.Argument(help=_FILES_HELP)] = None,
    target: Annotated[str | None, typer.Option("--target", help="Scored (test) round of FILE...: <year>-<kind>-<round>.")] = None,
    share: Annotated[str | None, typer.Option("--share", help="Candidate surname, nuance/list code, bloc or party (rn).")] = None,
    opponent: Annotated[str | None, typer.Option("--opponent", help="Opponent of a two-candidate test round (default: the other finalist).")] = None,
    rolling: Annotated[bool, typer.Option("--rolling", help="Score every round that has two earlier rounds, each as a test round.")] = False,
    departement: Annotated[list[str] | None, typer.Option("--departement", help="Keep this département (repeatable).")] = None,
    commune: Annotated[list[str] | None, typer.Option("--commune", help="Keep this commune (INSEE code, repeatable).")] = None,
    old_map: Annotated[list[str] | None, typer.Option("--old-map", help=_OLD_MAP_HELP)] = None,
    new_map: Annotated[Path | None, typer.Option("--map", help=_MAP_HELP)] = None,
    census: Annotated[Path | None, typer.Option("--census", help=_CENSUS_HELP)] = None,
    census_total: Annotated[str | None, typer.Option("--census-total", help=_CENSUS_TOTAL_HELP)] = None,
    case: Annotated[str | None, typer.Option("--case", help="Case name (see --list) or case file (.toml).")] = None,
    list_: Annotated[bool, typer.Option("--list", help="List the named cases.")] = False,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write the metrics as JSON.")] = None,
    anchor: Annotated[str, typer.Option(help="'actual' (perfect poll), 'poll' (one final-poll error drawn) or 'none' (earlier level carried).")] = "actual",
    legacy: Annotated[bool, typer.Option("--legacy", help="The older one-transition models instead of the test-round protocol.")] = False,
    model: Annotated[str, typer.Option("--model", help="The protocol's model: 'stack' (v3, default) or 'blend' (v2).")] = "stack",
    n_draws: Annotated[int, typer.Option("--n-draws", help="Simulation draws.")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    coverage: Annotated[float | None, typer.Option(help="--legacy: nominal interval coverage (0.8).")] = None,
    method: Annotated[str | None, typer.Option(help="--legacy: model 'glm' or 'gbm'.")] = None,
    pooling: Annotated[bool | None, typer.Option("--pooling/--no-pooling",
                                                 help="--legacy: pooled commune effects.")] = None,
    offset: Annotated[bool | None, typer.Option("--offset/--no-offset",
                                                help="--legacy: previous value as a logit offset.")] = None,
) -> None:
    """Back-test on FILE... (--target, --share) or a case (--case): the test-round protocol's model
    against the strongest baseline of the same quantity (docs/models.md, "Back-test JSON")."""
    from swingcast.errors import SchemaError
    from swingcast.model.backtest import backtest, format_report, list_cases

    if list_:
        from swingcast.model.protocol_backtest import NAMED_HISTORIES

        typer.echo(list_cases().to_string(index=False))
        typer.echo("the protocol (default) runs the named histories of swingcast.model.histories: "
                   + ", ".join(f"{c} -> {h}" for c, h in NAMED_HISTORIES.items())
                   + "; --legacy the case's own training column")
        return
    options = dict(anchor=anchor, legacy=legacy, model=model, n_draws=n_draws, seed=seed, coverage=coverage,
                   method=method, pooling=pooling, offset=offset)
    if rolling and target is not None:
        raise SchemaError("backtest --rolling: every round is scored; leave out --target")
    if files:
        if case is not None:
            raise SchemaError("backtest: give FILE... or --case, not both")
        if share is None or (target is None and not rolling):
            raise SchemaError("backtest FILE...: expected --share and --target ROUND (or --rolling)")
        history = _history(files, departement, commune, old_map, new_map)
        result = backtest(history, target=target, share=share, rolling=rolling,
                          census=_bureau_census(census, census_total),
                          **({"opponent": opponent} if opponent is not None else {}), **options)
    elif case is not None:
        if old_map or new_map is not None or census is not None:
            raise SchemaError("backtest --case: --old-map, --map and --census go with FILE... (a case says "
                              "its files)")
        if target is not None or share is not None or opponent is not None:
            raise SchemaError("backtest --case: the case says its round and share; --target, --share "
                              "and --opponent go with FILE...")
        result = backtest(case, rolling=rolling, **options)
    else:
        raise SchemaError("backtest: expected FILE... --target ROUND --share WHO, or --case NAME (or --list)")
    if rolling:
        _rolling_out(result, json_path, legacy)  # type: ignore[arg-type]
        return
    typer.echo(format_report(result))
    if json_path is not None:
        typer.echo(f"metrics written to {result.to_json(json_path)}")


def _rolling_out(table: object, json_path: Path | None, legacy: bool) -> None:
    """Print a rolling table and write its JSON (protocol: a dict with the anchor and ``rows``)."""
    import json

    import pandas as pd

    from swingcast.cache import atomic_write
    from swingcast.model.protocol_backtest import rolling_json

    assert isinstance(table, pd.DataFrame)
    if not legacy:
        typer.echo(f"anchor={table.attrs.get('anchor')}: {table.attrs.get('anchor_means')}")
    shown = table.drop(columns=[c for c in ("note",) if c in table and not table[c].astype(bool).any()])
    typer.echo(shown.round(4).to_string(index=False))
    if json_path is not None:
        text = (table.to_json(orient="records", indent=2, double_precision=15) if legacy
                else json.dumps(rolling_json(table), indent=2))
        with atomic_write(json_path, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
        typer.echo(f"metrics written to {json_path}")


@app.command("forecast")
def _forecast_cmd(
    files: Annotated[list[str], typer.Argument(help=_FILES_HELP)],
    election: Annotated[str, typer.Option("--election", help="Forecast election: <year>-<kind>, e.g. 2027-presidentielle.")],
    share: Annotated[str, typer.Option("--share", help="Bloc (far_right), party (rn), candidate surname or nuance/list code.")],
    out: Annotated[Path, typer.Option("--out", help="Predictions CSV to write (input of swingcast rank).")] = Path("predictions.csv"),
    round_: Annotated[int, typer.Option("--round", help="1 or 2.")] = 1,
    turnout_anchor: Annotated[float | None, typer.Option("--turnout-anchor", help="Expected area-wide turnout (0.74); default: the latest same-kind level (legacy: the training swing).")] = None,
    share_anchor: Annotated[float | None, typer.Option("--share-anchor", help="Expected area-wide share of exprimés (0.25); default: the latest same-kind result, its votes over its exprimés (legacy: the training swing).")] = None,
    departement: Annotated[list[str] | None, typer.Option("--departement", help="Keep this département (repeatable).")] = None,
    commune: Annotated[list[str] | None, typer.Option("--commune", help="Keep this commune (INSEE code, repeatable).")] = None,
    old_map: Annotated[list[str] | None, typer.Option("--old-map", help=_OLD_MAP_HELP)] = None,
    new_map: Annotated[Path | None, typer.Option("--map", help=_MAP_HELP)] = None,
    census: Annotated[Path | None, typer.Option("--census", help=_CENSUS_HELP)] = None,
    census_total: Annotated[str | None, typer.Option("--census-total", help=_CENSUS_TOTAL_HELP)] = None,
    model: Annotated[str, typer.Option("--model", help="'stack' (model v3, every baseline of every round: the model the protocol scores), 'blend' (model v2) or 'legacy' (one transition).")] = "stack",
    method: Annotated[str, typer.Option(help="Legacy model: 'glm' or 'gbm'.")] = "glm",
    n_draws: Annotated[int, typer.Option("--n-draws", help="Simulation draws.")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
) -> None:
    """Forecast turnout and a share per bureau for an election not yet held; write predictions.csv."""
    from swingcast.model.forecast import forecast

    history = _history(files, departement, commune, old_map, new_map)
    result = forecast(history, election=election, round=round_, share=share,
                      anchor={"turnout": turnout_anchor, "share": share_anchor},
                      census=_bureau_census(census, census_total),
                      model=model, method=method, n_draws=n_draws, seed=seed)
    t = result.training
    typer.echo(f"{t['forecast']} ({share}): {len(result.predictions)} bureaux; learnt from "
               f"{', '.join(t['features'])} -> {t['outcome']} ({t['rule']}: {t['reason']})")
    if t.get("census"):
        typer.echo(f"census: {t['census']}")
    typer.echo(f"anchors: turnout {result.anchors['turnout']:.4f} ({result.anchors['turnout_source']}), "
               f"share {result.anchors['share']:.4f} ({result.anchors['share_source']})")
    fp = result.notes["first_place"]
    typer.echo(f"swing_prob: P({share} first in the bureau) against the contenders of {fp['contenders_round']}; "
               f"flip_prob: P(first place changes bloc from {fp['flip_round']})")
    typer.echo(f"predictions written to {result.to_csv(out)}")


# --- rank: targeting, plan, contacts, report, demo (swingcast.pipeline / contacts) ---------
_TARGETING_HELP = "Targeting parameter NAME=VALUE (see docs/targeting.md); repeatable."
_SHIFT_HELP = "Hours of one canvassing shift (a turf is one shift of one team)."
_TEAM_HELP = "Volunteers in a team."
_TURF_HOURS_HELP = "Volunteer-hours of a turf (default: shift hours x team size)."


def _targeting_params(values: list[str] | None, race: str | None) -> dict[str, object]:
    from swingcast.errors import TargetingError

    params: dict[str, object] = {}
    for item in values or []:
        name, sep, value = item.partition("=")
        if not sep:
            raise TargetingError(f"--param {item!r}; expected NAME=VALUE")
        try:
            params[name.strip()] = float(value)
        except ValueError:
            raise TargetingError(f"--param {item!r}; expected a number after '='") from None
    if race is not None:
        params["race"] = race
    return params


_CONTOURS_HELP = "Bureau contours (any vector layer) for the map and turfs, instead of a built-in area."


def _contours(path: Path | None, id_field: str | None, commune: str | None, crs: str | None,
              drop_empty: bool = False):
    from swingcast.pipeline import Contours

    return None if path is None else Contours(path, id_field=id_field, commune=commune, crs=crs,
                                              drop_empty=drop_empty)


def _caps(values: list[str] | None) -> dict[str, float]:
    from swingcast.errors import TargetingError

    caps: dict[str, float] = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        try:
            caps[key.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep:
            raise TargetingError(f"--cap {item!r}; expected CODE=HOURS, CODE a commune (92002=40) or an "
                                 "arrondissement (75118=40)")
    return caps


@app.command("rank")
def _rank_cmd(
    predictions: Annotated[Path, typer.Argument(help="Predictions CSV (bureau_id, inscrits, turnout_pred, share_pred, swing_prob).")],
    out: Annotated[Path, typer.Option("--out", help="Ranking CSV to write.")] = Path("ranking.csv"),
    race: Annotated[str | None, typer.Option(help="national or local (weight by 4p(1-p), p = swing_prob = P(first in the bureau)).")] = None,
    param: Annotated[list[str] | None, typer.Option("--param", help=_TARGETING_HELP)] = None,
) -> None:
    """Rank bureaux by expected net votes per volunteer-hour."""
    from swingcast.pipeline import rank_file

    ranking = rank_file(predictions, out, _targeting_params(param, race))
    typer.echo(f"{len(ranking)} bureaux ranked -> {out}")


@app.command("plan")
def _plan_cmd(
    ranking: Annotated[Path, typer.Argument(help="Ranking (or predictions) CSV.")],
    hours: Annotated[float, typer.Option("--hours", help="Volunteer-hours available.")],
    out: Annotated[Path, typer.Option("--out", help="Plan CSV to write.")] = Path("plan.csv"),
    cap: Annotated[list[str] | None, typer.Option("--cap", help="CODE=HOURS cap, CODE a commune (92002) or arrondissement (75118); repeatable.")] = None,
    area: Annotated[str | None, typer.Option(help="paris or hds13: number the turfs of each bureau (column turfs).")] = None,
    shift_hours: Annotated[float, typer.Option("--shift-hours", help=_SHIFT_HELP)] = 3.0,
    team_size: Annotated[int, typer.Option("--team-size", help=_TEAM_HELP)] = 2,
    turf_hours: Annotated[float | None, typer.Option("--turf-hours", help=_TURF_HOURS_HELP)] = None,
    race: Annotated[str | None, typer.Option(help="national or local.")] = None,
    param: Annotated[list[str] | None, typer.Option("--param", help=_TARGETING_HELP)] = None,
    contours: Annotated[Path | None, typer.Option("--contours", help=_CONTOURS_HELP)] = None,
    id_field: Annotated[str | None, typer.Option("--id-field", help="--contours: field with the bureau ids.")] = None,
    commune: Annotated[str | None, typer.Option("--commune", help="--contours: commune of bare bureau numbers (69123).")] = None,
    crs: Annotated[str | None, typer.Option("--crs", help="--contours: CRS to assume (overrides the file's).")] = None,
    drop_empty: Annotated[bool, typer.Option("--drop-empty", help="--contours: drop features without geometry.")] = False,
) -> None:
    """Allocate volunteer-hours to bureaux (greedy on marginal expected votes), in whole doors."""
    from swingcast.pipeline import plan_file

    plan = plan_file(ranking, out, hours=hours, caps=_caps(cap),
                     params=_targeting_params(param, race), area=area, shift_hours=shift_hours,
                     team_size=team_size, turf_hours=turf_hours,
                     contours=_contours(contours, id_field, commune, crs, drop_empty))
    typer.echo(f"{plan['hours'].sum():.0f} hours in {len(plan)} bureaux, "
               f"{plan['doors_knocked'].sum():,} doors -> {out}")


@app.command("turfs")
def _turfs_cmd(
    plan: Annotated[Path, typer.Argument(help="Plan CSV (swingcast plan).")],
    area: Annotated[str, typer.Option(help="paris or hds13 (bureau contours).")] = "paris",
    out: Annotated[Path, typer.Option("--out", help="Folder for turfs.csv and walksheets/.")] = Path("turfs"),
    shift_hours: Annotated[float, typer.Option("--shift-hours", help=_SHIFT_HELP)] = 3.0,
    team_size: Annotated[int, typer.Option("--team-size", help=_TEAM_HELP)] = 2,
    turf_hours: Annotated[float | None, typer.Option("--turf-hours", help=_TURF_HOURS_HELP)] = None,
    addresses: Annotated[Path | None, typer.Option(help="REU address points (CSV or .rda): list each turf's addresses in walking order.")] = None,
) -> None:
    """Cut a plan into turfs of one team-shift; write turfs.csv and printable walk sheets."""
    from swingcast.pipeline import turfs_file

    table = turfs_file(plan, out, area=area, shift_hours=shift_hours, team_size=team_size,
                       turf_hours=turf_hours, addresses=addresses)
    typer.echo(f"{len(table)} turfs, {table['hours'].sum():g} hours, "
               f"{table['doors_knocked'].sum():,} doors -> {out / 'turfs.csv'}, "
               f"{out / 'walksheets' / 'index.html'}")


@app.command("report")
def _report_cmd(
    ranking: Annotated[Path, typer.Argument(help="Ranking CSV (swingcast rank).")],
    area: Annotated[str | None, typer.Option(help="paris or hds13 (built-in contours); default: the one the bureaux are in.")] = None,
    plan: Annotated[Path | None, typer.Option(help="Plan CSV (swingcast plan).")] = None,
    out: Annotated[Path, typer.Option("--out", help="HTML report to write.")] = Path("report.html"),
    contours: Annotated[Path | None, typer.Option("--contours", help=_CONTOURS_HELP)] = None,
    id_field: Annotated[str | None, typer.Option("--id-field", help="--contours: field with the bureau ids.")] = None,
    commune: Annotated[str | None, typer.Option("--commune", help="--contours: commune of bare bureau numbers (69123).")] = None,
    crs: Annotated[str | None, typer.Option("--crs", help="--contours: CRS to assume (overrides the file's).")] = None,
    drop_empty: Annotated[bool, typer.Option("--drop-empty", help="--contours: drop features without geometry.")] = False,
    lang: Annotated[str, typer.Option("--lang", help="Language of the report: en or fr.")] = "en",
    backtest: Annotated[Path | None, typer.Option(help="backtest.json to explain (swingcast demo).")] = None,
) -> None:
    """Write the one-page HTML report with its priority map (no map, said so, without contours)."""
    from swingcast.pipeline import report_file

    typer.echo(str(report_file(ranking, out, area=area, plan=plan, lang=lang, backtest=backtest,
                               contours=_contours(contours, id_field, commune, crs, drop_empty))))


@app.command("contacts")
def _contacts_cmd(
    contacts: Annotated[Path, typer.Argument(help="Contact list CSV (bureau_id or latitude/longitude).")],
    ranking: Annotated[Path, typer.Option("--ranking", help="Ranking CSV (swingcast rank).")],
    out: Annotated[Path, typer.Option("--out", help="Segment CSV to write (the only output with contact data).")],
    area: Annotated[str, typer.Option(help="paris or hds13 (bureau contours).")] = "paris",
    top: Annotated[int, typer.Option(help="Keep the bureaux ranked 1..TOP.")] = 50,
    everyone: Annotated[bool, typer.Option("--everyone", help="Do not filter on support_level 1-2.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Refuse the list if any row is unusable.")] = False,
) -> None:
    """Assign contacts to bureaux and export those in top-priority bureaux (no values printed)."""
    from swingcast.pipeline import area_bureaux
    from swingcast.target.contacts import contacts_segment
    from swingcast.target.value import read_predictions

    report = contacts_segment(
        contacts, read_predictions(ranking), area_bureaux(area), out, top=top,
        support_levels=None if everyone else (1, 2), on_skip="raise" if strict else "report",
    )
    typer.echo(f"{report} -> {out}")


@app.command("demo")
def _demo_cmd(
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("demo-output"),
    area: Annotated[str, typer.Option(help="paris (back-test 2017), hds13 (forecast, next European election) or hds13-eu2024 (back-test 2024).")] = "paris",
    hours: Annotated[float, typer.Option(help="Volunteer-hours to plan.")] = 2000.0,
    candidate: Annotated[str | None, typer.Option(help="Canvass for: MACRON (default) or LE PEN in Paris; RN in hds13.")] = None,
    contours: Annotated[Path | None, typer.Option("--contours", help=_CONTOURS_HELP)] = None,
    id_field: Annotated[str | None, typer.Option("--id-field", help="--contours: field with the bureau ids.")] = None,
    commune: Annotated[str | None, typer.Option("--commune", help="--contours: commune of bare bureau numbers (69123).")] = None,
    crs: Annotated[str | None, typer.Option("--crs", help="--contours: CRS to assume (overrides the file's).")] = None,
    drop_empty: Annotated[bool, typer.Option("--drop-empty", help="--contours: drop features without geometry.")] = False,
    shift_hours: Annotated[float, typer.Option("--shift-hours", help=_SHIFT_HELP)] = 3.0,
    team_size: Annotated[int, typer.Option("--team-size", help=_TEAM_HELP)] = 2,
    lang: Annotated[str, typer.Option("--lang", help="Language of map and report: en or fr.")] = "en",
) -> None:
    """Run the whole pipeline on real data: ranking, plan, turfs and walk sheets, maps, report."""
    from swingcast.pipeline import run_demo

    package_logger = logging.getLogger("swingcast")
    if package_logger.getEffectiveLevel() > logging.INFO:
        package_logger.setLevel(logging.INFO)  # a long run: show its stages
    result = run_demo(out, area=area, hours=hours, candidate=candidate, lang=lang,
                      shift_hours=shift_hours, team_size=team_size,
                      contours=_contours(contours, id_field, commune, crs, drop_empty))
    for name, path in sorted(result.files.items()):
        typer.echo(f"{name:12s} {path}")


def _usage_error_classes() -> tuple[type[BaseException], ...]:
    """Click's exception classes, from typer's vendored copy and from click (either or both).

    typer < 0.2x raises ``click.exceptions``; newer typer vendors click as ``typer._click``
    and raises its own copies, which are not subclasses of click's. Both are caught.
    """
    import importlib

    found: list[type[BaseException]] = []
    for name in ("typer._click.exceptions", "click.exceptions"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        found += [getattr(module, c) for c in ("ClickException", "Abort") if hasattr(module, c)]
    return tuple(found)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _usage_message(exc: BaseException) -> str:
    """One line for a click usage error (``No such option: --frmat``...)."""
    if type(exc).__name__ == "NoArgsIsHelpError" or (
            getattr(exc, "message", "") == "Missing command."):
        ctx = getattr(exc, "ctx", None)
        group = getattr(ctx, "command_path", None) or "swingcast"
        return f"missing command; run '{group} --help' for the list of commands"
    if type(exc).__name__ == "Abort":
        return "aborted"
    format_message = getattr(exc, "format_message", None)
    message = _one_line(format_message() if callable(format_message) else str(exc))
    ctx = getattr(exc, "ctx", None)
    command = getattr(ctx, "command_path", None) if ctx is not None else None
    hint = f" (see '{command} --help')" if command else ""
    return f"{message}{hint}"


def _os_message(exc: OSError) -> str:
    """One line for an OS error (read-only folder, a directory where a file is expected)."""
    name = exc.filename if exc.filename is not None else ""
    reason = exc.strerror or type(exc).__name__
    return f"{name}: {reason}" if name else reason


_ARGUMENT = re.compile(r"\b([a-z][a-z0-9_]*)=(True|False|None|'[^']*'|\"[^\"]*\"|[^\s,;()'\"]+)?")


#: Python phrases of messages and what the command line says instead
_PHRASES = (("(see Results.issues)", "(`swingcast results FILE` lists them)"),)


def _flags() -> dict[str, list[tuple[str, str, str]]]:
    """Python argument name -> (command, flag, its --no- form) of every command's options."""
    import click
    import typer.main

    out: dict[str, list[tuple[str, str, str]]] = {}

    def walk(group: click.Command, prefix: str) -> None:
        for name, command in getattr(group, "commands", {}).items():
            path = f"{prefix} {name}".strip()
            walk(command, path)
            for param in command.params:
                opts = [o for o in param.opts if o.startswith("--")]
                if opts and param.name:
                    negative = next((o for o in param.secondary_opts if o.startswith("--")), "")
                    out.setdefault(param.name, []).append((path, opts[0], negative))

    walk(typer.main.get_command(app), "")
    return out


def _cli_words(args: list[str]) -> Callable[[str], str]:
    """Rewrite a message for the command line: ``drop_empty=True`` becomes ``--drop-empty``.

    A Python argument that is an option of the command being run becomes its flag (with the
    value: ``crs='EPSG:2154'`` -> ``--crs EPSG:2154``); one that only another command has is
    named with that command (``--drop-empty (swingcast contours)``); others stay as they are.
    """
    flags = _flags()
    positional = [a for a in args if not a.startswith("-")]
    running = positional[0] if positional else ""

    def flag_for(name: str, value: str | None) -> str | None:
        options = flags.get(name)
        if not options:
            return None
        mine = [o for o in options if o[0].split()[0] == running]
        command, flag, negative = (mine or options)[0]
        if value in (None, "", "True"):
            text = flag
        elif value == "False":
            text = negative or f"{flag} false"
        elif value == "None":
            text = f"{flag} none"
        else:
            text = f"{flag} {value.strip(chr(39) + chr(34))}"
        return text if mine else f"{text} (swingcast {command})"

    def words(message: str) -> str:
        def replace(match: re.Match[str]) -> str:
            new = flag_for(match.group(1), match.group(2))
            return match.group(0) if new is None else new

        for python, cli in _PHRASES:
            message = message.replace(python, cli)
        return _ARGUMENT.sub(replace, message)

    return words


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit status.

    Every error ends as one line on stderr, ``swingcast: error: ...``, and exit status 2:
    a :class:`SwingcastError`, a usage error (missing or misspelt option, unknown command,
    no command at all; whatever click copy the installed typer uses) and an OS error on a
    file (read-only folder, a folder given as output file). ``--debug`` lets the exception
    out with its traceback instead. Any other exception is a bug: one line with its type
    only (its message could quote input data), exit status 1.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success, 1 on warnings or an internal error, 2 on an error.

    Examples
    --------
    >>> main(["no-such-command"])
    2
    """
    args = sys.argv[1:] if argv is None else list(argv)
    debug = "--debug" in args
    usage_errors = _usage_error_classes()
    words = _cli_words(args)
    _STATE["words"] = words
    try:
        with cli_messages(words):
            status = app(args=args, prog_name="swingcast", standalone_mode=False)
    except SwingcastError as exc:
        if debug:
            raise
        print(f"swingcast: error: {words(_one_line(str(exc)))}", file=sys.stderr)
        return 2
    except SystemExit as exc:  # typer/click exits (help)
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except usage_errors as exc:  # a traceback of click's parser helps nobody, even --debug
        print(f"swingcast: error: {_usage_message(exc)}", file=sys.stderr)
        return 2 if type(exc).__name__ != "Abort" else 1
    except OSError as exc:
        if debug:
            raise
        print(f"swingcast: error: {_os_message(exc)}", file=sys.stderr)
        return 2
    except Exception as exc:
        if debug:
            raise
        print(f"swingcast: error: internal error ({type(exc).__name__}); run again with "
              "--debug for the traceback and report it", file=sys.stderr)
        return 1
    # typer.Exit(code) inside a command comes back as the return value here
    return status if type(status) is int else 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
