"""``swingcast.datasets``: the documented name of :mod:`swingcast.load.datasets`.

The dataset registry lives in the load stage; this alias keeps ``from swingcast.datasets import
fetch`` working (the README's first example). It is the same module object, not a copy.

Examples
--------
>>> from swingcast.datasets import fetch
>>> import swingcast.load.datasets
>>> fetch is swingcast.load.datasets.fetch
True
"""

import sys

from swingcast.load import datasets as _datasets

sys.modules[__name__] = _datasets
