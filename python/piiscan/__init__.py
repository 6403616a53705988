"""piiscan: find personal data in log and analytics exports, without echoing it.

The scanning, counting and rendering are piiscan's Rust engine (the same as the ``piiscan``
command line), so findings and report counts are the command line's:

>>> import piiscan
>>> [(f.kind, f.field, f.mask) for f in piiscan.scan(b'{"email": "jane.doe@example.com"}')]
[('email', 'email', 'j***@e***.com')]

* :func:`scan` scans bytes or text and returns :class:`Finding` objects, values masked;
* :func:`scan_records` scans rows of (field, value), each value with its field name as its
  key hint (a dataframe's columns);
* :class:`Report` builds the exposure report (``piiscan report``) from bytes and records.

The GIL is released while scanning. :mod:`piiscan.spark` runs the same over Spark.
"""

from ._piiscan import (
    Finding,
    PiiscanError,
    Report,
    ScanError,
    __version__,
    scan,
    scan_records,
)

__all__ = [
    "Finding",
    "PiiscanError",
    "Report",
    "ScanError",
    "__version__",
    "scan",
    "scan_records",
]
