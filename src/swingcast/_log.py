"""The package logger, the messages of the command line, and a progress-bar helper.

In Python, swingcast logs through ``logging.getLogger("swingcast")`` and its own warnings are
:class:`swingcast.errors.SwingcastWarning`; they name Python arguments (``drop_empty=True``).
On the command line, :func:`cli_messages` prints every message once, as
``swingcast: warning: ...``, with those arguments replaced by the flags the user types
(``--drop-empty``), and turns the warnings of the libraries underneath (pandas, pyogrio,
openpyxl) into one line in the same form, or drops them when they are noise
(:data:`LIBRARY_NOISE`); :func:`quiet_library_warnings` drops that noise in Python too.
"""

from __future__ import annotations

import contextlib
import logging
import re
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

logger = logging.getLogger("swingcast")

#: Library warnings that tell a swingcast user nothing (category, start of the message): the
#: reader already says it in its own words, or the warning is about the library's own future.
LIBRARY_NOISE: tuple[tuple[type[Warning], str], ...] = (
    (UserWarning, "Workbook contains no default style"),  # openpyxl, every Excel export
    (UserWarning, "Data Validation extension is not supported"),  # openpyxl
    (UserWarning, "Conditional Formatting extension is not supported"),  # openpyxl
    (RuntimeWarning, "Several features with id"),  # GDAL GeoJSON: dissolve_duplicates says it
    (UserWarning, "Measured (M) geometry types are not supported"),  # pyogrio: M dropped
    (RuntimeWarning, "organizePolygons"),  # GDAL shapefile rings: repaired and reported
)
#: Library warnings said in swingcast's words (regular expression on the message -> text).
LIBRARY_WORDS: tuple[tuple[str, str], ...] = (
    (r"Columns? \(([^)]*)\) ha(?:s|ve) mixed types",
     "a table's columns (\\1) mix numbers and text; they were read as they came"),
    (r"Layer .* does not have any features to read", "the layer has no features"),
)
_QUIET_CATEGORIES = (DeprecationWarning, PendingDeprecationWarning, FutureWarning)


@contextlib.contextmanager
def quiet_library_warnings() -> Iterator[None]:
    """Drop the library warnings of :data:`LIBRARY_NOISE` while a file is read.

    Examples
    --------
    >>> with quiet_library_warnings():
    ...     warnings.warn("Workbook contains no default style, apply openpyxl's default")
    """
    with warnings.catch_warnings():
        for category, start in LIBRARY_NOISE:
            warnings.filterwarnings("ignore", message=re.escape(start), category=category)
        yield


def _package_of(filename: str) -> str:
    parts = Path(filename).parts
    for marker in ("site-packages", "dist-packages"):
        if marker in parts:
            i = parts.index(marker)
            return parts[i + 1].removesuffix(".py") if i + 1 < len(parts) else ""
    return "swingcast" if "swingcast" in parts else ""


def library_warning_text(message: str, category: type[Warning], filename: str) -> str | None:
    """A warning raised with :mod:`warnings`, in swingcast's words; None to drop it.

    swingcast's own warnings are kept as they are; a library's known warning is reworded
    (:data:`LIBRARY_WORDS`), its noise dropped (:data:`LIBRARY_NOISE`, deprecations), any
    other warning named with its library.

    Examples
    --------
    >>> library_warning_text("Columns (3) have mixed types. Specify dtype option on import",
    ...                      UserWarning, "/venv/lib/site-packages/pandas/io/parsers.py")
    "pandas: a table's columns (3) mix numbers and text; they were read as they came"
    >>> library_warning_text("Workbook contains no default style, apply openpyxl's default",
    ...                      UserWarning, "/venv/lib/site-packages/openpyxl/styles.py") is None
    True
    """
    if issubclass(category, _swingcast_warning()):
        return message
    if issubclass(category, _QUIET_CATEGORIES):
        return None
    if any(issubclass(category, c) and message.startswith(s) for c, s in LIBRARY_NOISE):
        return None
    # pandas' own warning classes say where they come from; others, the file that warned
    module = category.__module__.split(".")[0]
    package = module if module not in ("builtins", "warnings") else _package_of(filename)
    for pattern, words in LIBRARY_WORDS:
        match = re.search(pattern, message)
        if match:
            message = match.expand(words)
            break
    first = " ".join(message.split())
    return f"{package}: {first}" if package and package != "swingcast" else first


def _swingcast_warning() -> type[Warning]:
    from swingcast.errors import SwingcastWarning

    return SwingcastWarning


_ELSEWHERE = {"depth": 0}


@contextlib.contextmanager
def reported_elsewhere() -> Iterator[None]:
    """While the block runs, the command line does not print warnings: a report holds them.

    (:func:`swingcast.load.preflight.check` collects its loaders' warnings into its report.)

    Examples
    --------
    >>> import io
    >>> err = io.StringIO()
    >>> with cli_messages(stream=err), reported_elsewhere():
    ...     logger.warning("in the report")
    >>> err.getvalue()
    ''
    """
    _ELSEWHERE["depth"] += 1
    try:
        yield
    finally:
        _ELSEWHERE["depth"] -= 1


class _Once(logging.Filter):
    """Let each message through once (a loader called twice warns twice, the user reads once)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[tuple[int, str]] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if _ELSEWHERE["depth"] and record.levelno >= logging.WARNING:
            return False
        key = (record.levelno, record.getMessage())
        if key in self.seen:
            return False
        self.seen.add(key)
        return True


class _CliFormatter(logging.Formatter):
    def __init__(self, words: Callable[[str], str]) -> None:
        super().__init__()
        self.words = words

    def format(self, record: logging.LogRecord) -> str:
        text = self.words(" ".join(record.getMessage().split()))
        if record.levelno >= logging.WARNING:
            return f"swingcast: {record.levelname.lower()}: {text}"
        if record.levelno <= logging.DEBUG:
            return f"swingcast: debug: {text}"
        return f"swingcast: {text}"


@contextlib.contextmanager
def cli_messages(words: Callable[[str], str] = str, stream: object | None = None
                 ) -> Iterator[Callable[[str], str]]:
    """Print swingcast's messages the command-line way while the block runs.

    Every log record of the ``swingcast`` logger, and every warning of :mod:`warnings`
    (swingcast's and the libraries', see :func:`library_warning_text`), goes to ``stream``
    (default ``sys.stderr``) once, as one line ``swingcast: warning: ...`` (``swingcast: ...``
    for progress), through ``words`` (which names command-line flags for Python
    arguments). The logger's level, handlers and propagation are restored afterwards.

    Yields
    ------
    callable
        ``words``, for the messages the command prints itself (errors, reports).

    Examples
    --------
    >>> import io
    >>> err = io.StringIO()
    >>> with cli_messages(lambda m: m.replace("drop_empty=True", "--drop-empty"), err):
    ...     logger.warning("pass drop_empty=True")
    ...     logger.warning("pass drop_empty=True")
    ...     warnings.warn("Workbook contains no default style, apply openpyxl's default")
    >>> print(err.getvalue(), end="")
    swingcast: warning: pass --drop-empty
    """
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)  # type: ignore[arg-type]
    handler.setFormatter(_CliFormatter(words))
    handler.addFilter(_Once())
    saved = (logger.level, logger.propagate)
    logger.addHandler(handler)
    logger.propagate = False  # the root handlers (basicConfig, notebooks) would print it again

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
             file: object | None = None, line: str | None = None) -> None:
        text = library_warning_text(str(message), category, filename)
        if text is not None:
            logger.warning("%s", text)

    with warnings.catch_warnings():
        warnings.simplefilter("default")
        warnings.showwarning = show
        try:
            yield words
        finally:
            logger.removeHandler(handler)
            logger.setLevel(saved[0])
            logger.propagate = saved[1]


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
