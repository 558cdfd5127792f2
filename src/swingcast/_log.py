"""The package logger and a progress-bar helper (tqdm only on a terminal or when asked)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

logger = logging.getLogger("swingcast")


def progress(
    items: Iterable[T], *, total: int | None = None, desc: str = "", enabled: bool | None = None
) -> Iterator[T]:
    """Wrap an iterable in a tqdm bar when stderr is a terminal (or ``enabled=True``).

    Parameters
    ----------
    items : iterable
        What to iterate over.
    total : int, optional
        Number of items, if ``items`` has no ``len``.
    desc : str
        Label of the bar.
    enabled : bool, optional
        Force the bar on or off; default: on only when stderr is a terminal.

    Yields
    ------
    object
        The items, unchanged.

    Examples
    --------
    >>> list(progress(range(3), enabled=False))
    [0, 1, 2]
    """
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        yield from items
        return
    from tqdm.auto import tqdm

    yield from tqdm(items, total=total, desc=desc, leave=False)
