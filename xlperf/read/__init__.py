"""Reading workbooks without Excel: python-calamine for values, openpyxl only for number formats.

- :func:`read_master`: the master's configuration sheets as the core's DataFrames, with a report
  of problems in the register (``docs/master.md``).
- :func:`read_return`: a filled return back into values indexed by Excel row, with its identity
  (``docs/templates.md``).
"""

from __future__ import annotations

from xlperf.read.master import RULES, Master, read_master

__all__ = ["RULES", "Master", "read_master"]
