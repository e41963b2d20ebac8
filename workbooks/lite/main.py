"""xlperf in xlwings Lite: paste this into the Lite editor's main.py tab.

It exposes the XLPERF.* worksheet functions (=XLPERF.STATUS(B2,C2,D2,E2) ...) and two scripts,
"Validate this return" and "Refresh scorecard", which work on the open workbook. Everything is
defined in the xlperf package; this file only brings it into Lite (see docs/excel.md).
"""

from xlperf.excel.functions import *  # noqa: F403  (the XLPERF.* worksheet functions)
from xlperf.excel.scripts import refresh_scorecard, validate_return  # noqa: F401
