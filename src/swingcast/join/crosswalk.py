"""The crosswalk: carry census counts and rates from one set of zones to another.

``crosswalk(source, target, ...)`` computes a sparse table of weights
(``source_id``, ``target_id``, ``weight``): the share of each source zone (an IRIS, a 2012
bureau) that lies in each target zone (a bureau), measured by area, by people on a finer
grid, or by address points. ``Crosswalk.apply`` then moves counts (summed with the weights)
and rates (averaged with the right denominators) to the targets, and ``save``/``load`` keep a
national crosswalk in one Parquet file so it is computed once.

What is not covered is reported, never dropped silently: ``Crosswalk.uncovered`` lists the
sources whose measure is not fully matched by targets (and how much), ``Crosswalk.slivers``
the tiny pieces, ``Crosswalk.fallback`` the sources that had no ancillary weight and were
split by area instead.

The module is called ``joiner`` (not ``crosswalk``) so that ``swingcast.crosswalk`` is, and
stays, the function.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import shapely

from swingcast import schema
from swingcast._log import logger
from swingcast.cache import atomic_write
from swingcast.errors import CRSError, GeometryError, SchemaError, where
from swingcast.join.overlay import intersection_areas
from swingcast.load.overlaps import refuse_overlaps_in_overlay

__all__ = ["Crosswalk", "crosswalk", "load_crosswalk", "read_weight_layer", "uninhabited"]

SOURCE_ID = schema.SOURCE_ID
TARGET_ID = schema.TARGET_ID
WEIGHT = schema.WEIGHT
MEASURE = "measure"

#: Sources whose covered share is below ``1 - COVER_TOL`` are reported as uncovered.
COVER_TOL = 1e-9
#: Area weights within communes, renormalised: a commune with a single target sends each of
#: its sources whole to it, without an overlay (set False to measure without the shortcut).
SINGLE_TARGET_SHORTCUT = True
#: ... unless that target's area falls short of its commune's sources' area by more than this
#: share (a target layer missing bureaux, or leaving ground out): then they are overlaid.
SINGLE_TARGET_AREA_TOL = 0.01
_META_KEY = b"swingcast.crosswalk"
_FORMAT = 1

Layer = gpd.GeoDataFrame | str | PathLike[str]


# --- the result --------------------------------------------------------------------------


@dataclass
class Crosswalk:
    """A sparse table of weights from source zones to target zones.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per (source, target) pair that shares something: ``source_id``,
        ``target_id``, ``weight`` (share of the source that goes to the target) and
        ``measure`` (the amount shared: m² for area weights, people or addresses otherwise).
    sources, targets : pandas.Index
        Every source and target id, including those with no row in ``table``.
    uncovered : pandas.DataFrame
        Sources whose measure is not fully matched by targets: ``source_id``, ``total``,
        ``covered``, ``uncovered_share`` (before renormalisation).
    slivers : pandas.DataFrame
        Rows of ``table`` whose weight is below the sliver threshold (kept in ``table``).
    fallback : list
        Sources without ancillary weight (no address, nobody on the grid, fully masked)
        that were split by area instead.
    meta : dict
        How it was built: method, id column names, CRS, commune restriction, ...

    Examples
    --------
    >>> from shapely import box
    >>> src = gpd.GeoDataFrame({"s": ["a"]}, geometry=[box(0, 0, 4, 1)], crs=2154)
    >>> tgt = gpd.GeoDataFrame({"t": ["x", "y"]}, geometry=[box(0, 0, 1, 1), box(1, 0, 3, 1)],
    ...                        crs=2154)
    >>> cw = crosswalk(src, tgt, source_id="s", target_id="t", renormalize=False)
    >>> cw
    Crosswalk(area: 1 sources -> 2 targets, 2 pairs, 1 uncovered, 0 slivers)
    >>> cw.table["weight"].tolist(), cw.uncovered["uncovered_share"].tolist()
    ([0.25, 0.5], [0.25])
    """

    table: pd.DataFrame
    sources: pd.Index
    targets: pd.Index
    uncovered: pd.DataFrame = field(default_factory=lambda: _empty_uncovered())
    slivers: pd.DataFrame = field(default_factory=lambda: pd.DataFrame())
    fallback: list = field(default_factory=list)
    meta: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        return (
            f"Crosswalk({self.meta.get('method', '?')}: {len(self.sources)} sources -> "
            f"{len(self.targets)} targets, {len(self.table)} pairs, "
            f"{len(self.uncovered)} uncovered, {len(self.slivers)} slivers)"
        )

    @property
    def coverage(self) -> pd.Series:
        """Sum of the weights of each source (1 when covered, 0 when it has no row).

        Examples
        --------
        >>> from shapely import box
        >>> src = gpd.GeoDataFrame({"s": ["a"]}, geometry=[box(0, 0, 2, 1)], crs=2154)
        >>> tgt = gpd.GeoDataFrame({"t": ["x"]}, geometry=[box(0, 0, 1, 1)], crs=2154)
        >>> crosswalk(src, tgt, source_id="s", target_id="t", renormalize=False).coverage
        source_id
        a    0.5
        Name: weight, dtype: float64
        """
        sums = self.table.groupby(SOURCE_ID, sort=False)[WEIGHT].sum()
        return sums.reindex(self.sources, fill_value=0.0).rename_axis(SOURCE_ID)

    def apply(
        self,
        df: pd.DataFrame,
        extensive: Iterable[str] = (),
        intensive: Iterable[str] | Mapping[str, str | None] = (),
        *,
        id_column: str | None = None,
    ) -> pd.DataFrame:
        """Carry columns of a per-source table to the targets.

        Parameters
        ----------
        df : pandas.DataFrame
            One row per source zone, identified by ``id_column`` (default: the source id
            column named when the crosswalk was built, else the index).
        extensive : list of str
            Counts (population, voters): target value = sum of weight × source value, so
            totals are conserved over covered sources.
        intensive : list of str, or dict rate -> denominator
            Rates and shares. With a denominator column (a count in ``df``), the target
            rate is sum(weight × denominator × rate) / sum(weight × denominator); without,
            rates are averaged with the measure shared (area, people or addresses).
        id_column : str, optional
            Column of ``df`` holding the source ids.

        Returns
        -------
        pandas.DataFrame
            One row per target (all of them; targets that receive nothing get 0 for counts
            and NaN for rates), indexed by target id.

        Raises
        ------
        SchemaError
            Missing columns, non-numeric columns, duplicated ids, ids of ``df`` unknown to
            the crosswalk or crosswalk sources absent from ``df`` (named in the message).

        Examples
        --------
        >>> from shapely import box
        >>> src = gpd.GeoDataFrame({"s": ["a", "b"]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)],
        ...                        crs=2154)
        >>> tgt = gpd.GeoDataFrame({"t": ["x", "y"]},
        ...                        geometry=[box(0, 0, 0.5, 1), box(0.5, 0, 2, 1)], crs=2154)
        >>> cw = crosswalk(src, tgt, source_id="s", target_id="t")
        >>> census = pd.DataFrame({"s": ["a", "b"], "pop": [100, 40], "rate": [0.5, 0.2]})
        >>> out = cw.apply(census, extensive=["pop"], intensive={"rate": "pop"})
        >>> out.index.tolist(), out["pop"].tolist(), out["rate"].round(4).tolist()
        (['x', 'y'], [50.0, 90.0], [0.5, 0.3667])
        """
        extensive = list(extensive)
        rates = dict(intensive) if isinstance(intensive, Mapping) else dict.fromkeys(intensive)
        ids = self._ids_of(df, id_column)
        columns = [*extensive, *rates, *(d for d in rates.values() if d is not None)]
        missing = [c for c in columns if c not in df.columns]
        if missing:
            raise SchemaError(
                f"{where(column=missing[0])}: not in the table passed to Crosswalk.apply; "
                f"expected columns {columns}"
            )
        for col in dict.fromkeys(columns):
            if not pd.api.types.is_numeric_dtype(df[col]):
                raise SchemaError(
                    f"{where(column=col)}: dtype {df[col].dtype} in the table passed to "
                    "Crosswalk.apply; expected numbers"
                )
        pos = ids.get_indexer(self.table[SOURCE_ID])
        tcode = self.targets.get_indexer(self.table[TARGET_ID])
        w = self.table[WEIGHT].to_numpy(dtype=float)
        m = self.table[MEASURE].to_numpy(dtype=float)
        n = len(self.targets)
        out: dict[str, np.ndarray] = {}
        for col in extensive:
            values = df[col].to_numpy(dtype=float, na_value=np.nan)[pos]
            out[col] = np.bincount(tcode, weights=w * values, minlength=n)
        for col, den in rates.items():
            values = df[col].to_numpy(dtype=float, na_value=np.nan)[pos]
            if den is None:
                share = m
            else:
                share = w * df[den].to_numpy(dtype=float, na_value=np.nan)[pos]
            num = np.bincount(tcode, weights=share * values, minlength=n)
            tot = np.bincount(tcode, weights=share, minlength=n)
            with np.errstate(invalid="ignore", divide="ignore"):
                out[col] = np.where(tot > 0, num / np.where(tot > 0, tot, 1.0), np.nan)
        index = self.targets.rename(self.meta.get("target_id") or TARGET_ID)
        return pd.DataFrame(out, index=index, columns=[*extensive, *rates])

    def _ids_of(self, df: pd.DataFrame, id_column: str | None) -> pd.Index:
        if not isinstance(df, pd.DataFrame):
            raise SchemaError(f"Crosswalk.apply expects a pandas DataFrame, got {type(df).__name__}")
        col = id_column or self.meta.get("source_id")
        if col is not None and col in df.columns:
            ids = pd.Index(df[col])
        elif id_column is not None:
            raise SchemaError(
                f"{where(column=id_column)}: not in the table passed to Crosswalk.apply; "
                "expected the source ids"
            )
        else:
            ids = pd.Index(df.index)
        ids = _coerce_like(ids, self.sources)
        dup = ids[ids.duplicated()].unique()
        if len(dup):
            raise SchemaError(
                f"{where(column=col, ids=list(dup))}: duplicated source ids in the table passed "
                "to Crosswalk.apply; expected one row per source"
            )
        unknown = ids.difference(self.sources)
        if len(unknown):
            raise SchemaError(
                f"{where(column=col, ids=list(unknown))}: not sources of this crosswalk "
                f"({self.meta.get('source_id')}); their values would be lost"
            )
        used = pd.Index(self.table[SOURCE_ID].unique())
        absent = used.difference(ids)
        if len(absent):
            raise SchemaError(
                f"{where(column=col, ids=list(absent))}: sources of the crosswalk absent from "
                "the table passed to Crosswalk.apply; expected a row for each"
            )
        return ids

    # --- persistence -------------------------------------------------------------------

    def save(self, path: str | PathLike[str]) -> Path:
        """Write the crosswalk to one Parquet file (table + metadata).

        Examples
        --------
        >>> import tempfile, os
        >>> from shapely import box
        >>> src = gpd.GeoDataFrame({"s": ["a"]}, geometry=[box(0, 0, 1, 1)], crs=2154)
        >>> cw = crosswalk(src, src.rename(columns={"s": "t"}), source_id="s", target_id="t")
        >>> path = cw.save(os.path.join(tempfile.mkdtemp(), "cw.parquet"))
        >>> Crosswalk.load(path).table.equals(cw.table)
        True
        """
        path = Path(path)
        meta = {
            "format": _FORMAT,
            "meta": self.meta,
            "sources": _jsonable(self.sources),
            "targets": _jsonable(self.targets),
            "uncovered": json.loads(self.uncovered.to_json(orient="split", index=False)),
            "fallback": _jsonable(pd.Index(self.fallback)),
        }
        table = pa.Table.from_pandas(self.table, preserve_index=False)
        meta["rows"] = table.num_rows
        meta["sha256"] = _table_digest(table)
        table = table.replace_schema_metadata(
            {**(table.schema.metadata or {}), _META_KEY: json.dumps(meta).encode()}
        )
        with atomic_write(path) as tmp:
            pq.write_table(table, tmp)
        return path

    @classmethod
    def load(cls, path: str | PathLike[str]) -> Crosswalk:
        """Read a crosswalk written by :meth:`save`.

        Examples
        --------
        >>> Crosswalk.load("national.parquet")  # doctest: +SKIP
        """
        path = Path(path)
        try:
            table = pq.read_table(path)
        except (OSError, pa.ArrowInvalid) as exc:
            raise SchemaError(
                f"{path}: cannot read as Parquet ({exc}); expected a saved crosswalk"
            ) from exc
        raw = (table.schema.metadata or {}).get(_META_KEY)
        if raw is None:
            raise SchemaError(f"{path}: no swingcast crosswalk metadata; expected a file written "
                              "by Crosswalk.save")
        meta = json.loads(raw)
        if meta.get("format") != _FORMAT:
            raise SchemaError(f"{path}: crosswalk format {meta.get('format')}, expected {_FORMAT}")
        _verify(path, table, meta)
        df = table.to_pandas()
        unc = meta["uncovered"]
        uncovered = pd.DataFrame(unc["data"], columns=unc["columns"])
        cw = cls(
            table=df,
            sources=pd.Index(meta["sources"]),
            targets=pd.Index(meta["targets"]),
            uncovered=uncovered,
            fallback=list(meta["fallback"]),
            meta=meta["meta"],
        )
        cw.slivers = _slivers(cw.table, cw.meta.get("sliver_share", 0.0))
        return cw


def _table_digest(table: pa.Table) -> str:
    # sha256 of the table's data (Arrow IPC stream, schema metadata left out), so that
    # load checks the rows save wrote, whatever Parquet encoding or compression was used.
    sink = pa.BufferOutputStream()
    bare = table.replace_schema_metadata(None)
    with pa.ipc.new_stream(sink, bare.schema) as writer:
        writer.write_table(bare)
    return hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()


def _verify(path: Path, table: pa.Table, meta: Mapping[str, Any]) -> None:
    # Files saved before the row count and hash were recorded have neither: nothing to check.
    rows = meta.get("rows")
    if rows is not None and rows != table.num_rows:
        raise SchemaError(f"{path}: {table.num_rows} crosswalk rows, expected {rows} as "
                          "recorded by Crosswalk.save; the file is damaged, build it again")
    digest = meta.get("sha256")
    if digest is not None and digest != _table_digest(table):
        raise SchemaError(f"{path}: crosswalk data sha256 differs from the one recorded by "
                          "Crosswalk.save; the file is damaged, build it again")


def load_crosswalk(path: str | PathLike[str]) -> Crosswalk:
    """Read a crosswalk written by :meth:`Crosswalk.save` (same as :meth:`Crosswalk.load`).

    Examples
    --------
    >>> cw = load_crosswalk("national.parquet")  # doctest: +SKIP
    """
    return Crosswalk.load(path)


# --- building it ---------------------------------------------------------------------------


def crosswalk(
    source: Layer,
    target: Layer | None,
    *,
    source_id: str,
    target_id: str,
    weights: str | gpd.GeoDataFrame = "area",
    weight_column: str | None = None,
    point_target: str | None = None,
    within: str | None = "auto",
    source_commune: str | None = None,
    target_commune: str | None = None,
    mask: gpd.GeoDataFrame | gpd.GeoSeries | shapely.Geometry | None = None,
    renormalize: bool = True,
    sliver_share: float = 1e-3,
    crs: Any = None,
    repair: bool = False,
    n_jobs: int | None = None,
) -> Crosswalk:
    """Compute the weights that carry values from source zones to target zones.

    Parameters
    ----------
    source, target : GeoDataFrame or path
        Polygon layers (a path is read with :func:`geopandas.read_file`). ``target`` may be
        None only with point weights and ``point_target`` (the points name their target).
    source_id, target_id : str
        Columns holding unique ids.
    weights : "area" or GeoDataFrame
        ``"area"``: share of the source's area. A GeoDataFrame of points (addresses,
        buildings, polling places): share of the source's points, counted with
        ``weight_column`` (1 each when None). A GeoDataFrame of polygons (e.g. the INSEE
        200 m grid): share of the source's people, ``weight_column`` people per polygon
        spread evenly over it.
    weight_column : str, optional
        Count column of ``weights`` (required for polygons).
    point_target : str, optional
        Column of the point layer naming each point's target (REU addresses carry their
        bureau); then points are not located in the target polygons.
    within : "auto", "commune" or None
        ``"commune"``: weights never cross a commune (arrondissement in Paris, Lyon,
        Marseille) boundary. ``"auto"`` (default) does so when both sides carry commune codes
        (``arrondissement_code`` where set, else ``commune_code``, or the columns named by
        ``source_commune``/``target_commune``).
    source_commune, target_commune : str, optional
        Columns holding the commune codes (override the automatic choice).
    mask : GeoDataFrame, GeoSeries or geometry, optional
        Where nobody lives (e.g. :func:`uninhabited` IRIS, parks): removed from the sources
        before area or grid weights are computed. A bare geometry is taken in the working CRS.
    renormalize : bool
        Divide each source's weights by their sum, so partly covered sources still sum to 1
        and totals are conserved (default). The covered share before renormalisation is
        reported in ``uncovered`` either way.
    sliver_share : float
        Pieces carrying less than this share of their source are reported in ``slivers``.
    crs : optional
        Working CRS (projected). Default: the source's CRS if projected, else the
        target's if projected, else Lambert-93. Layers in another CRS are reprojected.
    repair : bool
        Repair invalid geometries with :func:`shapely.make_valid` instead of refusing them.
    n_jobs : int, optional
        Processes used for the intersections. Default: ``$SWINGCAST_N_JOBS`` if set, else
        every available core (:func:`os.sched_getaffinity`); 1: this process only; -1: all
        cores. Workers run BLAS/OpenMP single-threaded, so nothing is oversubscribed; small
        overlays stay in this process. The weights do not depend on it.

    Returns
    -------
    Crosswalk

    Raises
    ------
    CRSError
        A layer has no CRS (both CRS are named), or the working CRS is geographic.
    GeometryError
        Null, empty, non-polygonal or invalid geometries (ids named).
    SchemaError
        Missing or duplicated ids, missing columns.

    Examples
    --------
    A 2 × 1 rectangle split into two targets by a vertical line at x = 0.5:

    >>> from shapely import box
    >>> src = gpd.GeoDataFrame({"iris": ["A"]}, geometry=[box(0, 0, 2, 1)], crs="EPSG:2154")
    >>> tgt = gpd.GeoDataFrame({"bv": ["1", "2"]},
    ...                        geometry=[box(0, 0, 0.5, 1), box(0.5, 0, 2, 1)], crs="EPSG:2154")
    >>> crosswalk(src, tgt, source_id="iris", target_id="bv").table
      source_id target_id  weight  measure
    0         A         1    0.25      0.5
    1         A         2    0.75      1.5
    """
    src = _read_layer(source, "source")
    _check_ids(src, source_id, "source")
    if target is None:
        if point_target is None or not _is_points(weights):
            raise SchemaError("target is None: expected point weights with point_target naming "
                              "each point's target")
        tgt = None
    else:
        tgt = _read_layer(target, "target")
        _check_ids(tgt, target_id, "target")
    work = _working_crs(src, tgt, crs)
    src = _polygons(src.to_crs(work), source_id, "source", repair)
    if tgt is not None:
        tgt = _polygons(tgt.to_crs(work), target_id, "target", repair)
    skey, tkey, within_used = _commune_keys(
        src, tgt, within, source_commune, target_commune, source_id, target_id
    )
    sgeom = src.geometry.to_numpy()
    masked = sgeom
    if mask is not None and not _is_points(weights):
        masked = _apply_mask(sgeom, mask, work)

    sources = pd.Index(src[source_id])
    if tgt is not None:
        targets = pd.Index(tgt[target_id])
    else:
        targets = pd.Index(pd.unique(_as_frame(weights, "weights")[point_target].dropna()))

    if isinstance(weights, str):
        if weights != "area":
            raise SchemaError(f"weights={weights!r}: expected 'area' or a GeoDataFrame of "
                              "points or polygons")
        method = "area"
        li, ri, m, total = _area_measure(masked, tgt, tkey, skey, n_jobs,
                                         single_target=renormalize)
    elif _is_points(weights):
        method = "points"
        li, ri, m, total = _point_measure(
            src, tgt, weights, work, weight_column, point_target, targets, skey, tkey
        )
    else:
        method = "polygons"
        li, ri, m, total = _grid_measure(
            masked, tgt, tkey, skey, weights, work, weight_column, n_jobs
        )

    # Sources with no ancillary weight at all: split by (unmasked) area.
    fallback_pos = np.flatnonzero(total <= 0)
    if method != "area" or mask is not None:
        if len(fallback_pos) and tgt is not None:
            keep = ~np.isin(li, fallback_pos)
            sub = sgeom[fallback_pos]
            fli, fri, fm, ftotal = _area_measure(
                sub, tgt, tkey, None if skey is None else skey[fallback_pos], n_jobs,
                single_target=renormalize,
            )
            li = np.concatenate([li[keep], fallback_pos[fli]])
            ri = np.concatenate([ri[keep], fri])
            m = np.concatenate([m[keep], fm])
            total = total.copy()
            total[fallback_pos] = ftotal
            logger.info("crosswalk: %d sources without %s weight split by area",
                        len(fallback_pos), method)
    needs_fallback = (method != "area" or mask is not None) and tgt is not None
    fallback = sources[fallback_pos].tolist() if needs_fallback else []

    if method == "area" and tgt is not None:  # overlapping polygons count ground twice
        refuse_overlaps_in_overlay(src, source_id, tgt, target_id, li, ri, m)
    covered = np.bincount(li, weights=m, minlength=len(sources))
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, covered / np.where(total > 0, total, 1.0), 0.0)
    denom = covered if renormalize else total
    weight = m / denom[li]
    table = pd.DataFrame(
        {
            SOURCE_ID: sources.to_numpy()[li],
            TARGET_ID: targets.to_numpy()[ri],
            WEIGHT: weight,
            MEASURE: m,
        }
    ).sort_values([SOURCE_ID, TARGET_ID], kind="stable", ignore_index=True)
    bad = share < 1.0 - COVER_TOL
    uncovered = pd.DataFrame(
        {
            SOURCE_ID: sources.to_numpy()[bad],
            "total": total[bad],
            "covered": covered[bad],
            "uncovered_share": 1.0 - share[bad],
        }
    )
    if len(uncovered):
        logger.info("crosswalk: %d of %d sources not fully covered (worst %.3g uncovered)",
                    len(uncovered), len(sources), uncovered["uncovered_share"].max())
    if within_used and tgt is not None:
        _warn_foreign_overlaps(sources, sgeom, tgt.geometry.to_numpy(), covered, skey, tkey)
    meta = {
        "method": method,
        "source_id": source_id,
        "target_id": target_id,
        "crs": work.to_string(),
        "within": within_used,
        "renormalize": renormalize,
        "masked": mask is not None,
        "sliver_share": sliver_share,
        "weight_column": weight_column,
    }
    return Crosswalk(
        table=table,
        sources=sources,
        targets=targets,
        uncovered=uncovered,
        slivers=_slivers(table, sliver_share),
        fallback=fallback,
        meta=meta,
    )


def uninhabited(
    iris: gpd.GeoDataFrame, type_column: str = schema.IRIS_TYPE, types: Iterable[str] = ("D",)
) -> gpd.GeoSeries:
    """Return the IRIS where (almost) nobody lives, to use as a crosswalk ``mask``.

    INSEE types IRIS as H (habitat), A (activité), D (divers: woods, parks, airports) and Z
    (commune not split). Type D is the default mask.

    Examples
    --------
    >>> from shapely import box
    >>> iris = gpd.GeoDataFrame({"TYP_IRIS": ["H", "D"]},
    ...                         geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=2154)
    >>> uninhabited(iris, "TYP_IRIS").area.tolist()
    [1.0]
    """
    if type_column not in iris.columns:
        raise SchemaError(f"{where(column=type_column)}: not in the IRIS layer; expected the "
                          "IRIS type (H, A, D, Z)")
    return iris.geometry[iris[type_column].isin(list(types))]


def read_weight_layer(weights: str | PathLike[str]) -> str | gpd.GeoDataFrame:
    """Turn a ``--weights`` argument into what :func:`crosswalk` takes.

    ``"area"`` stays ``"area"``; anything else is read as a GIS layer (points or polygons).

    Examples
    --------
    >>> read_weight_layer("area")
    'area'
    >>> read_weight_layer("carreaux.gpkg")  # doctest: +SKIP
    """
    if str(weights) == "area":
        return "area"
    return _read_layer(weights, "weights")


# --- measures ------------------------------------------------------------------------------


def _area_measure(
    sgeom: np.ndarray,
    tgt: gpd.GeoDataFrame | None,
    tkey: np.ndarray | None,
    skey: np.ndarray | None,
    n_jobs: int | None,
    single_target: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    if tgt is None:
        raise SchemaError("area weights need a target layer")
    tgeom = tgt.geometry.to_numpy()
    total = shapely.area(sgeom)
    if skey is None or tkey is None:
        pairs = intersection_areas(sgeom, tgeom, n_jobs=n_jobs)
        return pairs.left, pairs.right, pairs.area, total
    # commune codes as integers: cheap to compare over hundreds of thousands of pairs
    codes, _ = pd.factorize(np.concatenate([np.asarray(skey, dtype=object),
                                            np.asarray(tkey, dtype=object)]))
    scode, tcode = codes[: len(sgeom)], codes[len(sgeom):]
    short_s = short_t = np.empty(0, dtype=np.int64)
    if single_target and SINGLE_TARGET_SHORTCUT:
        short_s, short_t = _single_target_sources(sgeom, tgeom, scode, tcode, total)
    rest = np.setdiff1d(np.arange(len(sgeom)), short_s)
    pairs = intersection_areas(
        sgeom[rest], tgeom, left_keys=scode[rest], right_keys=tcode, n_jobs=n_jobs
    )
    li = np.concatenate([rest[pairs.left], short_s])
    ri = np.concatenate([pairs.right, short_t])
    order = np.lexsort((ri, li))
    return li[order], ri[order], np.concatenate([pairs.area, total[short_s]])[order], total


def _single_target_sources(
    sgeom: np.ndarray, tgeom: np.ndarray, scode: np.ndarray, tcode: np.ndarray,
    total: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Sources whose commune (integer code) has exactly one target, and that target.

    Within communes and renormalised, such a source has one possible target, so its weight is
    1 whatever the overlay would say about the exact shape of the two contours. Kept out:
    sources whose bounding box misses the target's (something else is wrong: let the overlay
    and the foreign-overlap warning report it) and whole communes whose target is smaller
    than their sources by more than ``SINGLE_TARGET_AREA_TOL`` (a target layer leaving
    ground out, or missing bureaux: the overlay measures and reports the uncovered ground).
    """
    n_codes = int(max(scode.max(initial=-1), tcode.max(initial=-1))) + 1
    alone = np.full(n_codes, -1, dtype=np.int64)
    single = np.bincount(tcode, minlength=n_codes)[tcode] == 1
    alone[tcode[single]] = np.flatnonzero(single)
    t = alone[scode]
    s = np.flatnonzero((t >= 0) & (total > 0))  # a source masked away has nothing to send
    t = t[s]
    sb, tb = shapely.bounds(sgeom[s]), shapely.bounds(tgeom[t])
    boxes_meet = ((sb[:, 0] <= tb[:, 2]) & (tb[:, 0] <= sb[:, 2])
                  & (sb[:, 1] <= tb[:, 3]) & (tb[:, 1] <= sb[:, 3]))
    s, t = s[boxes_meet], t[boxes_meet]
    per_target = np.bincount(t, weights=total[s], minlength=len(tgeom))
    used = np.unique(t)
    enough = np.zeros(len(tgeom), dtype=bool)
    enough[used] = shapely.area(tgeom[used]) >= (1.0 - SINGLE_TARGET_AREA_TOL) * per_target[used]
    keep = enough[t]
    return s[keep].astype(np.int64), t[keep]


def _grid_measure(
    sgeom: np.ndarray,
    tgt: gpd.GeoDataFrame | None,
    tkey: np.ndarray | None,
    skey: np.ndarray | None,
    cells: gpd.GeoDataFrame,
    work: Any,
    weight_column: str | None,
    n_jobs: int | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    if tgt is None:
        raise SchemaError("polygon weights need a target layer")
    cells = _as_frame(cells, "weights")
    if weight_column is None or weight_column not in cells.columns:
        raise SchemaError(f"{where(column=weight_column)}: polygon weights need weight_column "
                          f"naming their population column; columns are {list(cells.columns)}")
    cells = _polygons(_require_crs(cells, "weights").to_crs(work), None, "weights", True)
    pop = _counts(cells, weight_column)
    cgeom = cells.geometry.to_numpy()
    density = pop / shapely.area(cgeom)
    pieces = intersection_areas(
        sgeom, tgt.geometry.to_numpy(), left_keys=skey, right_keys=tkey, with_geometry=True
    )
    on_pieces = intersection_areas(pieces.geometry, cgeom, n_jobs=n_jobs)
    m = np.bincount(
        on_pieces.left, weights=on_pieces.area * density[on_pieces.right], minlength=len(pieces)
    )
    on_sources = intersection_areas(sgeom, cgeom, n_jobs=n_jobs)
    total = np.bincount(
        on_sources.left, weights=on_sources.area * density[on_sources.right], minlength=len(sgeom)
    )
    return pieces.left, pieces.right, m, total


def _point_measure(
    src: gpd.GeoDataFrame,
    tgt: gpd.GeoDataFrame | None,
    points: gpd.GeoDataFrame,
    work: Any,
    weight_column: str | None,
    point_target: str | None,
    targets: pd.Index,
    skey: np.ndarray | None,
    tkey: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    points = _require_crs(_as_frame(points, "weights"), "weights").to_crs(work)
    geoms = points.geometry.to_numpy()
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if empty.any():
        raise GeometryError(f"{where(ids=np.flatnonzero(empty).tolist())}: point weights with "
                            "no geometry (row positions); expected a point each")
    count = np.ones(len(points)) if weight_column is None else _counts(points, weight_column)
    spos = _locate(geoms, src.geometry.to_numpy())
    if point_target is not None:
        if point_target not in points.columns:
            raise SchemaError(f"{where(column=point_target)}: not in the point layer; expected "
                              "each point's target id")
        named = pd.Index(points[point_target])
        tpos = targets.get_indexer(named)
        unknown = named[(tpos < 0) & named.notna()].unique()
        if len(unknown):
            raise SchemaError(f"{where(column=point_target, ids=list(unknown))}: targets named by "
                              "points but absent from the target layer")
    else:
        tpos = _locate(geoms, tgt.geometry.to_numpy())  # type: ignore[union-attr]
    insrc = spos >= 0
    if (~insrc).any():
        logger.info("crosswalk: %d weight points outside every source ignored", (~insrc).sum())
    total = np.bincount(spos[insrc], weights=count[insrc], minlength=len(src))
    ok = insrc & (tpos >= 0)
    if skey is not None and tkey is not None:
        ok &= np.asarray(skey)[np.maximum(spos, 0)] == np.asarray(tkey)[np.maximum(tpos, 0)]
    pairs = pd.DataFrame({"s": spos[ok], "t": tpos[ok], "c": count[ok]})
    pairs = pairs.groupby(["s", "t"], sort=True, as_index=False)["c"].sum()
    pairs = pairs[pairs["c"] > 0]
    return (pairs["s"].to_numpy(np.int64), pairs["t"].to_numpy(np.int64),
            pairs["c"].to_numpy(float), total)


def _locate(points: np.ndarray, polygons: np.ndarray) -> np.ndarray:
    """Position of the (first) polygon holding each point, -1 when none."""
    tree = shapely.STRtree(polygons)
    pi, gi = tree.query(points, predicate="intersects")
    out = np.full(len(points), -1, dtype=np.int64)
    first = np.unique(pi, return_index=True)[1]
    out[pi[first]] = gi[first]
    return out


def _apply_mask(sgeom: np.ndarray, mask: Any, work: Any) -> np.ndarray:
    if isinstance(mask, gpd.GeoDataFrame | gpd.GeoSeries):
        mask = _require_crs(mask, "mask").to_crs(work)
        mgeom = shapely.union_all(mask.geometry.to_numpy() if hasattr(mask, "geometry") else mask)
    elif isinstance(mask, shapely.Geometry):
        mgeom = mask
    else:
        raise SchemaError(f"mask of type {type(mask).__name__}: expected a GeoDataFrame, "
                          "GeoSeries or shapely geometry")
    parts = shapely.get_parts(mgeom)
    if len(parts) == 0:
        return sgeom
    tree = shapely.STRtree(parts)
    si, mi = tree.query(sgeom, predicate="intersects")
    out = sgeom.copy()
    if len(si):
        hit = np.unique(si)
        local = shapely.union_all  # one union of the touching mask parts per source
        for s in hit:
            out[s] = shapely.difference(sgeom[s], local(parts[mi[si == s]]))
    return out


def _warn_foreign_overlaps(
    sources: pd.Index,
    sgeom: np.ndarray,
    tgeom: np.ndarray,
    covered: np.ndarray,
    skey: np.ndarray,
    tkey: np.ndarray,
) -> None:
    """Warn about sources that get nothing but overlap targets of other communes.

    That is what mismatched commune codes look like (e.g. Paris bureaux filed under 75056
    without their arrondissement against IRIS under 75101..75120).
    """
    empty = np.flatnonzero(covered <= 0)
    if not len(empty):
        return
    pairs = intersection_areas(sgeom[empty], tgeom)
    share = np.bincount(pairs.left, pairs.area, minlength=len(empty)) / shapely.area(sgeom[empty])
    mostly = share > 0.5  # not a neighbour touching along a generalised border
    if not mostly.any():
        return
    lost = empty[mostly]
    ti = pairs.right[np.isin(pairs.left, np.flatnonzero(mostly))]
    examples = ", ".join(f"{sources[i]} ({skey[i]})" for i in lost[:5])
    foreign = ", ".join(sorted({str(k) for k in np.asarray(tkey)[ti[:50]]})[:5])
    logger.warning(
        "crosswalk: %d sources overlap targets only across commune codes, e.g. %s vs target "
        "communes %s; their values are not carried. Check the commune codes (Paris, Lyon, "
        "Marseille: arrondissement_code) or pass within=None.", len(lost), examples, foreign
    )


def _slivers(table: pd.DataFrame, share: float) -> pd.DataFrame:
    return table[table[WEIGHT] < share].reset_index(drop=True)


# --- checks at the boundary ------------------------------------------------------------------


def _read_layer(layer: Layer, role: str) -> gpd.GeoDataFrame:
    if isinstance(layer, gpd.GeoDataFrame):
        return layer
    if isinstance(layer, str | PathLike):
        path = Path(layer)
        if not path.exists():
            raise SchemaError(f"{path}: {role} layer not found; expected a GIS file")
        try:
            gdf = gpd.read_file(path)
        except Exception as exc:  # pyogrio raises its own hierarchy
            raise GeometryError(f"{path}: cannot read the {role} layer ({exc})") from exc
        gdf.attrs["source"] = str(path)  # named in the geometry errors of _polygons
        return gdf
    raise SchemaError(f"{role} layer of type {type(layer).__name__}: expected a GeoDataFrame or "
                      "a path")


def _as_frame(layer: Any, role: str) -> gpd.GeoDataFrame:
    if isinstance(layer, gpd.GeoSeries):
        return gpd.GeoDataFrame(geometry=layer)
    if not isinstance(layer, gpd.GeoDataFrame):
        raise SchemaError(f"{role} of type {type(layer).__name__}: expected a GeoDataFrame")
    return layer


def _is_points(weights: Any) -> bool:
    if not isinstance(weights, gpd.GeoDataFrame | gpd.GeoSeries) or len(weights) == 0:
        return False
    kinds = set(weights.geometry.geom_type.dropna())
    return bool(kinds) and kinds <= {"Point", "MultiPoint"}


def _check_ids(gdf: gpd.GeoDataFrame, col: str, role: str) -> None:
    if col not in gdf.columns:
        raise SchemaError(f"{where(column=col)}: not in the {role} layer; columns are "
                          f"{list(gdf.columns)}")
    ids = gdf[col]
    if ids.isna().any():
        rows = np.flatnonzero(ids.isna().to_numpy()).tolist()
        raise SchemaError(f"{where(column=col)}: {role} ids missing at rows {rows[:10]}; "
                          "expected an id on every row")
    dup = ids[ids.duplicated()].unique()
    if len(dup):
        raise SchemaError(f"{where(column=col, ids=list(dup))}: duplicated {role} ids; expected "
                          "unique ids")


def _require_crs(gdf: Any, role: str) -> Any:
    if gdf.crs is None:
        raise CRSError(f"{role} layer has no CRS; expected one (e.g. {schema.LAMBERT93})")
    return gdf


def _working_crs(src: gpd.GeoDataFrame, tgt: gpd.GeoDataFrame | None, crs: Any) -> Any:
    from pyproj import CRS

    scrs = src.crs
    tcrs = None if tgt is None else tgt.crs
    if scrs is None or (tgt is not None and tcrs is None):
        raise CRSError(f"missing CRS: source CRS is {_crs_name(scrs)}, target CRS is "
                       f"{_crs_name(tcrs)}; expected both set (e.g. {schema.LAMBERT93})")
    if crs is not None:
        work = CRS.from_user_input(crs)
    elif scrs.is_projected:
        work = scrs
    elif tcrs is not None and tcrs.is_projected:
        work = tcrs
    else:
        work = CRS.from_user_input(schema.LAMBERT93)
    if not work.is_projected:
        raise CRSError(f"working CRS {_crs_name(work)} is geographic; expected a projected CRS "
                       f"(areas in degrees are meaningless; source {_crs_name(scrs)}, target "
                       f"{_crs_name(tcrs)})")
    if tcrs is not None and not scrs.equals(tcrs):
        logger.info("crosswalk: source CRS %s and target CRS %s differ; working in %s",
                    _crs_name(scrs), _crs_name(tcrs), _crs_name(work))
    return work


def _crs_name(crs: Any) -> str:
    if crs is None:
        return "None"
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.name


def _polygons(gdf: gpd.GeoDataFrame, id_col: str | None, role: str, repair: bool) -> gpd.GeoDataFrame:
    geoms = gdf.geometry.to_numpy()
    source = gdf.attrs.get("source")  # the file, when the layer was given as a path

    def ids(mask: np.ndarray) -> list:
        return (gdf[id_col].to_numpy()[mask] if id_col else np.flatnonzero(mask)).tolist()

    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if missing.any():
        raise GeometryError(f"{where(source, column=id_col, ids=ids(missing))}: {role} geometry null or "
                            "empty; expected a polygon")
    kinds = shapely.get_type_id(geoms)
    notpoly = ~np.isin(kinds, [3, 6])
    if notpoly.any():
        raise GeometryError(f"{where(source, column=id_col, ids=ids(notpoly))}: {role} geometry is not "
                            "a polygon")
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        if not repair:
            reasons = shapely.is_valid_reason(geoms[invalid])[:3]
            raise GeometryError(
                f"{where(source, column=id_col, ids=ids(invalid))}: invalid {role} geometry "
                f"({'; '.join(reasons)}); expected valid polygons (or pass repair=True)"
            )
        fixed = geoms.copy()
        fixed[invalid] = shapely.make_valid(geoms[invalid])
        fixed[invalid] = [shapely.union_all(shapely.get_parts(g)[
            np.isin(shapely.get_type_id(shapely.get_parts(g)), [3, 6])]) for g in fixed[invalid]]
        gdf = gdf.set_geometry(gpd.GeoSeries(fixed, index=gdf.index, crs=gdf.crs))
    return gdf


def _counts(gdf: gpd.GeoDataFrame, col: str) -> np.ndarray:
    if col not in gdf.columns:
        raise SchemaError(f"{where(column=col)}: not in the weight layer; columns are "
                          f"{list(gdf.columns)}")
    values = pd.to_numeric(gdf[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        raise SchemaError(f"{where(column=col)}: rows {np.flatnonzero(bad)[:10].tolist()} are not "
                          "non-negative numbers; expected counts")
    return values


def _commune_key(gdf: gpd.GeoDataFrame, explicit: str | None) -> np.ndarray | None:
    if explicit is not None:
        if explicit not in gdf.columns:
            raise SchemaError(f"{where(column=explicit)}: commune column not in the layer")
        return gdf[explicit].astype("string").to_numpy(dtype=object, na_value=None)
    cols = [c for c in (schema.ARRONDISSEMENT_CODE, schema.COMMUNE_CODE) if c in gdf.columns]
    if not cols:
        return None
    key = gdf[cols[0]].astype("string")
    for c in cols[1:]:
        key = key.fillna(gdf[c].astype("string"))
    return key.to_numpy(dtype=object, na_value=None)


def _commune_keys(
    src: gpd.GeoDataFrame,
    tgt: gpd.GeoDataFrame | None,
    within: str | None,
    source_commune: str | None,
    target_commune: str | None,
    source_id: str,
    target_id: str,
) -> tuple[np.ndarray | None, np.ndarray | None, str | None]:
    if within not in ("auto", "commune", None):
        raise SchemaError(f"within={within!r}: expected 'auto', 'commune' or None")
    if within is None or tgt is None:
        return None, None, None
    skey = _commune_key(src, source_commune)
    tkey = None if tgt is None else _commune_key(tgt, target_commune)
    if skey is None or tkey is None:
        if within == "commune":
            raise SchemaError(
                "within='commune': expected commune codes on both layers (columns "
                f"{schema.ARRONDISSEMENT_CODE!r}/{schema.COMMUNE_CODE!r}, or source_commune= "
                "and target_commune=)"
            )
        return None, None, None
    for key, role, gdf, col in ((skey, "source", src, source_id), (tkey, "target", tgt, target_id)):
        missing = pd.isna(pd.Series(key, dtype=object)).to_numpy()
        if missing.any():
            raise SchemaError(
                f"{where(column=col, ids=gdf[col].to_numpy()[missing].tolist())}: {role} zones "
                "without a commune code; expected one per zone for within='commune' (or pass "
                "within=None)"
            )
    return skey, tkey, "commune"


def _coerce_like(ids: pd.Index, reference: pd.Index) -> pd.Index:
    """Make ids comparable with the reference ids (strings vs numbers read from CSV)."""
    if len(reference) and len(ids):
        ref_str = pd.api.types.is_string_dtype(reference) or reference.dtype == object
        ids_str = pd.api.types.is_string_dtype(ids) or ids.dtype == object
        if ref_str and not ids_str:
            return ids.astype(str).astype(reference.dtype)
    return ids


def _jsonable(index: pd.Index) -> list:
    return [v.item() if hasattr(v, "item") else v for v in index.tolist()]


def _empty_uncovered() -> pd.DataFrame:
    return pd.DataFrame({SOURCE_ID: [], "total": [], "covered": [], "uncovered_share": []})
