"""How many worker processes to use: the available cores unless told otherwise.

``n_jobs=None`` (the default of :func:`swingcast.crosswalk` and ``swingcast crosswalk``)
means ``$SWINGCAST_N_JOBS`` if set, else every core this process may run on
(:func:`os.sched_getaffinity`, so a container's or ``taskset``'s limit is respected; else
:func:`os.cpu_count`). Workers run their numerical libraries (BLAS, OpenMP) on one thread each
(:func:`single_threaded`), so ``n`` workers never ask for more than ``n`` cores.
"""

from __future__ import annotations

import os

from swingcast.errors import SchemaError

__all__ = ["ENV_N_JOBS", "available_cores", "resolve_n_jobs", "single_threaded"]

#: Environment variable overriding the default number of worker processes.
ENV_N_JOBS = "SWINGCAST_N_JOBS"


def available_cores() -> int:
    """Return the number of cores this process may use.

    Returns
    -------
    int
        At least 1.

    Examples
    --------
    >>> available_cores() >= 1
    True
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not on Linux
        return max(1, os.cpu_count() or 1)


def resolve_n_jobs(n_jobs: int | None) -> int:
    """Turn an ``n_jobs`` argument into a number of processes.

    Parameters
    ----------
    n_jobs : int or None
        ``None``: ``$SWINGCAST_N_JOBS`` if set, else :func:`available_cores`. A positive
        number: that many (capped at nothing: the caller asked). ``-1``: all available cores;
        ``-2``: all but one, and so on (as in joblib).

    Returns
    -------
    int
        At least 1.

    Raises
    ------
    SchemaError
        ``n_jobs == 0``, or ``$SWINGCAST_N_JOBS`` not an integer.

    Examples
    --------
    >>> resolve_n_jobs(3), resolve_n_jobs(-1) == available_cores()
    (3, True)
    >>> resolve_n_jobs(-1000)
    1
    """
    if n_jobs is None:
        value = os.environ.get(ENV_N_JOBS, "").strip()
        if not value:
            return available_cores()
        try:
            n_jobs = int(value)
        except ValueError:
            raise SchemaError(f"${ENV_N_JOBS}={value!r}: expected an integer number of "
                              "processes (-1: all cores)") from None
    if n_jobs == 0:
        raise SchemaError("n_jobs=0: expected a number of processes >= 1, or -1 for all cores")
    if n_jobs < 0:
        return max(1, available_cores() + 1 + n_jobs)
    return int(n_jobs)


def single_threaded() -> None:
    """Limit BLAS/OpenMP thread pools of this process to one thread (worker initialiser).

    Examples
    --------
    >>> single_threaded()  # doctest: +SKIP
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = "1"  # for anything a worker starts
