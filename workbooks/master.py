"""The Python behind master.xlsm's "Refresh scorecard" button (xlwings RunPython).

The button runs the VBA macro SampleCall from xlwings' quickstart, which calls
RunPython "import master; master.main()": it imports the .py file named like the workbook from
the workbook's folder. Keep this file beside master.xlsm; if you rename the workbook, rename this
file to match (letters, digits and underscores only).
"""

import xlwings as xw

from xlperf.excel.buttons import refresh_scorecard


def main() -> None:
    refresh_scorecard(xw.Book.caller())


if __name__ == "__main__":
    # Run from Python with master.xlsm open in Excel: the same as pressing the button.
    xw.Book("master.xlsm").set_mock_caller()
    main()
