"""Election results per bureau de vote, from the publishers' formats to tidy tables.

One module per publisher layout (``national``, ...), shared helpers (``textfile`` for
reading, ``codes`` for identifiers, ``build`` for invariants) and one entry point,
:func:`read_results`, which returns a :class:`Results`.
"""

from __future__ import annotations

from swingcast.load.sources.read import FORMATS, detect_format, read_results
from swingcast.load.sources.results import Results
from swingcast.load.sources.summary import summarize_results

__all__ = ["Results", "read_results", "summarize_results", "FORMATS", "detect_format"]
