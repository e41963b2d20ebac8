"""The actions sent back to Excel: only those the task pane applies, and never a formula.

xlwings' remote engine answers a script with a list of *actions* (``setValues``,
``addSheet``...) that the task pane applies with Office.js. Office.js reads a text value that
starts with ``=``, ``+``, ``-`` or ``@`` as a formula, exactly as if it were typed; a
commentary cell from a return (``=HYPERLINK("http://...")``, ``-5% on last year``) must stay
text, so such text is sent with Excel's text prefix, an apostrophe, which Excel keeps as a
cell's prefix, not as part of its value. Actions the pane does not apply are refused here, so a
change in the refresh shows up in the tests, not in a council's workbook.
"""

from __future__ import annotations

from typing import Any

from xlperf.core.values import FORMULA_STARTS
from xlperf.errors import XlperfError

__all__ = ["PANE_ACTIONS", "guard_actions", "neutralise"]

# What taskpane.js applies (keep the two lists in step: tests/server checks it).
PANE_ACTIONS = frozenset({
    "activateSheet", "addSheet", "freezePaneAtRange", "freezePaneUnfreeze", "rangeClear",
    "rangeClearContents", "rangeClearFormats", "setAutofit", "setColumnHidden", "setColumnWidth",
    "setFontProperty", "setHorizontalAlignment", "setNumberFormat", "setRangeColor",
    "setSheetAutofit", "setSheetName", "setSheetVisibility", "setValues", "setWrapText",
    "setVerticalAlignment", "sheetClear", "sheetClearContents", "sheetClearFormats",
    "sheetDelete",
})


def neutralise(value: Any) -> Any:
    """``value`` as Excel must receive it to keep it text, not a formula.

    >>> neutralise('=HYPERLINK("http://x")'), neutralise("-"), neutralise("Green"), neutralise(-5)
    ('\\'=HYPERLINK("http://x")', "'-", 'Green', -5)
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def guard_actions(actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The actions with every text value neutralised; an action the pane cannot apply is an
    error of xlperf's own (the pane would stop half-way through a workbook)."""
    guarded = []
    for action in actions:
        func = action.get("func")
        if func not in PANE_ACTIONS:
            raise XlperfError(f"the refresh asked Excel for '{func}', which xlperf's task pane "
                              "does not apply; nothing was changed")
        if func == "setValues" and action.get("values") is not None:
            action = dict(action, values=[[neutralise(v) for v in row]
                                          for row in action["values"]])
        guarded.append(action)
    return guarded
