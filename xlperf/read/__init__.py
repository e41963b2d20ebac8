"""Reading workbooks without Excel: python-calamine for values, openpyxl only for number formats.

- :func:`read_master`: the master's configuration sheets as the core's DataFrames, with a report
  of problems in the register (``docs/master.md``).
- :func:`read_return`: a filled return back into values indexed by Excel row, with its identity
  (``docs/templates.md``).
- :func:`open_workbook`, :func:`sheet_grid`, :func:`find_sheet`, :func:`find_table`: any
  workbook's values through python-calamine, for the other rooms (the one place a workbook is
  opened for its values).
"""

from __future__ import annotations

from xlperf.read._calamine import (
    Located,
    find_sheet,
    find_table,
    not_a_folder,
    open_workbook,
    sheet_grid,
)
from xlperf.read.master import RULES, Master, read_master

__all__ = ["RULES", "Located", "Master", "find_sheet", "find_table", "not_a_folder",
           "open_workbook", "read_master", "sheet_grid"]
