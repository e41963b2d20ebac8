"""xlperf in Excel: the ``XLPERF.*`` worksheet functions and the xlwings Lite scripts.

* :mod:`xlperf.excel.functions`: the worksheet functions, defined once with xlwings'
  decorators, for the desktop add-in (Windows), xlwings Lite and the add-in server;
* :mod:`xlperf.excel.scripts`: the Lite scripts "Validate this return" and "Refresh scorecard",
  working on the ``xw.Book`` they are given;
* :mod:`xlperf.excel._cells`: cells in, cells out (shapes, blanks, readable errors), no xlwings.

Importing this package does not import xlwings; importing ``functions`` or ``scripts`` does.
Nothing here needs threads, subprocesses, sockets or python-calamine, so it runs in Pyodide.
"""
