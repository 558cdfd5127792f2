"""n_jobs: the default uses the available cores, the environment overrides it, workers are
single-threaded, and the number of processes never changes a weight."""

from __future__ import annotations

import multiprocessing

import numpy as np
import pytest
import shapely
from shapely import Point, box

from swingcast import _jobs
from swingcast.errors import SchemaError
from swingcast.join import overlay
from swingcast.join.crosswalk import crosswalk
from swingcast.join.synthmap import synthetic_map


def test_default_is_the_available_cores(monkeypatch):
    monkeypatch.delenv(_jobs.ENV_N_JOBS, raising=False)
    assert _jobs.resolve_n_jobs(None) == _jobs.available_cores()
    assert _jobs.available_cores() == len(__import__("os").sched_getaffinity(0))
    assert _jobs.resolve_n_jobs(-1) == _jobs.available_cores()
    assert _jobs.resolve_n_jobs(5) == 5


def test_environment_overrides_and_bad_values_are_named(monkeypatch):
    monkeypatch.setenv(_jobs.ENV_N_JOBS, "3")
    assert _jobs.resolve_n_jobs(None) == 3
    assert _jobs.resolve_n_jobs(1) == 1  # an explicit argument wins
    monkeypatch.setenv(_jobs.ENV_N_JOBS, "many")
    with pytest.raises(SchemaError, match=r"SWINGCAST_N_JOBS='many': expected an integer"):
        _jobs.resolve_n_jobs(None)
    with pytest.raises(SchemaError, match="n_jobs=0"):
        _jobs.resolve_n_jobs(0)


def _thread_counts(_: int) -> list[int]:
    from threadpoolctl import threadpool_info

    return [pool["num_threads"] for pool in threadpool_info()]


def test_workers_run_numerical_libraries_on_one_thread():
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(1, initializer=_jobs.single_threaded) as pool:
        counts = pool.map(_thread_counts, [0])[0]
    assert counts and all(n == 1 for n in counts)


@pytest.mark.parametrize("notched", [False, True], ids=["convex-kernel", "geos-processes"])
def test_parallel_and_serial_overlays_agree(monkeypatch, notched):
    monkeypatch.setattr(overlay, "PARALLEL_MIN_PAIRS", 0)
    monkeypatch.setattr(overlay, "KERNEL_MIN_PAIRS", 0)
    rng = np.random.default_rng(0)
    discs = np.array([Point(x, y).buffer(4, 16) for x, y in rng.uniform(0, 100, (200, 2))])
    # squares and discs are convex: the compiled kernel (threads). Notched, neither side is
    # convex: the GEOS overlay (forked processes)
    grid = np.array([box(x, y, x + 10, y + 10) for x in range(0, 100, 10)
                     for y in range(0, 100, 10)])
    if notched:
        grid = np.array([g.difference(box(g.bounds[0] + 4, g.bounds[1] + 4,
                                          g.bounds[0] + 6, g.bounds[1] + 11)) for g in grid])
        discs = np.array([d.difference(Point(d.centroid.x, d.centroid.y + 4).buffer(1, 4))
                          for d in discs])
    one = overlay.intersection_areas(discs, grid, n_jobs=1)
    two = overlay.intersection_areas(discs, grid, n_jobs=2, chunk=100)
    assert np.array_equal(one.left, two.left) and np.array_equal(one.right, two.right)
    assert np.array_equal(one.area, two.area)
    direct = shapely.area(shapely.intersection(discs[one.left], grid[one.right]))
    # the same as GEOS to 1e-9 of each disc (the weight's precision)
    assert np.abs(one.area - direct).max() < 1e-9 * shapely.area(discs).min()


def test_default_crosswalk_equals_one_process(monkeypatch):
    monkeypatch.delenv(_jobs.ENV_N_JOBS, raising=False)
    monkeypatch.setattr(overlay, "PARALLEL_MIN_PAIRS", 0)  # the default forks even here
    monkeypatch.setattr(overlay, "KERNEL_MIN_PAIRS", 0)
    m = synthetic_map(0.004, seed=5)
    iris, bureaux = m.iris.drop(columns="commune_code"), m.bureaux.drop(columns="commune_code")
    default = crosswalk(iris, bureaux, source_id="iris_code", target_id="bureau_id")
    one = crosswalk(iris, bureaux, source_id="iris_code", target_id="bureau_id", n_jobs=1)
    assert default.table.equals(one.table)
