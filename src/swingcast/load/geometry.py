"""Geographic loaders, all returning GeoDataFrames in Lambert-93 (EPSG:2154).

The public names live in three small modules and are gathered here:

* :mod:`swingcast.load.lambert` -- :func:`to_lambert93` (CRS, units, repair, empties: the one
  function every loader goes through), :func:`read_layer`, :func:`dissolve_duplicates`;
* :mod:`swingcast.load.contours` -- :func:`read_iris`, :func:`read_bureaux` (areas);
* :mod:`swingcast.load.addresses` -- :func:`read_addresses`, :func:`read_polling_places` (points).

Examples
--------
>>> from swingcast.load.geometry import read_bureaux, to_lambert93
>>> callable(read_bureaux) and callable(to_lambert93)
True
"""

from __future__ import annotations

from swingcast.load.addresses import read_addresses, read_polling_places
from swingcast.load.contours import bureau_ids, read_bureaux, read_iris
from swingcast.load.lambert import dissolve_duplicates, read_layer, read_vector, to_lambert93

__all__ = [
    "to_lambert93",
    "read_layer",
    "read_vector",
    "dissolve_duplicates",
    "read_iris",
    "read_bureaux",
    "bureau_ids",
    "read_addresses",
    "read_polling_places",
]
