"""The refresh's accepted values: every performance return's rows taken in one pass.

:func:`xlperf.refresh._performance_values` must treat each return exactly as if it were read
on its own: a %-formatted Actual read as a percentage, rows without a code dropped, rows
with an error finding rejected, and unreadable Actual or Period cells kept out of the ledger.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from xlperf.read.returns import PERFORMANCE_VALUES, Return
from xlperf.refresh import _performance_values


def _return(rows: list[int], percent: list[bool], actual_column: int | None = 8,
            **cells: list[object]) -> Return:
    data = {c: np.array(cells.get(c, [None] * len(rows)), dtype=object)
            for c in PERFORMANCE_VALUES}
    frame = pd.DataFrame(data, index=pd.Index(rows, name="row"), dtype=object)
    frame["percent_format"] = np.array(percent, dtype=object)
    columns = {"Code": 1, **({"Actual": actual_column} if actual_column else {})}
    return Return(path=Path("x.xlsx"), identity={"kind": "performance"}, values=frame,
                  sheet="Return", columns=columns)


def test_each_return_is_taken_as_if_read_alone() -> None:
    first = _return([13, 14, 15, 16, 17, 18], [True, True, False, False, True, False],
                    Code=["A", "B", " ", None, "E", "F"],
                    Period=["Sep-13", "Sep-13", "Sep-13", "Sep-13", "not a period", None],
                    Actual=[0.6804, "12%", "x", 5, 1.0, 2.0], Commentary=["c"] * 6)
    second = _return([13, 14, 15], [False, False, True], actual_column=None,
                     Code=["G", "H", "I"], Period=["Sep-13"] * 3,
                     Actual=["not a number", "TBC", 0.5])
    empty = _return([], [])
    refused = _return([20, 21], [False, False], Code=["J", "K"], Period=["Sep-13"] * 2,
                      Actual=[1, 2])
    frame, counts = _performance_values([
        (first, Path("a.xlsx"), "sha-a", {14}), (second, Path("b.xlsx"), "sha-b", set()),
        (empty, Path("c.xlsx"), "sha-c", {3}), (refused, Path("d.xlsx"), "sha-d", {20, 21})])
    # first: B rejected by a finding, two rows without a code are not rows, E and F have no
    # readable period; second: "not a number" is kept out; the last: every row rejected.
    assert counts == [(1, 3), (2, 1), (0, 0), (0, 2)]
    assert frame.columns.tolist() == [*PERFORMANCE_VALUES, "Source file", "Source SHA-256",
                                      "Sheet", "Cell"]
    assert frame.index.tolist() == [0, 1, 2]
    assert frame["Code"].tolist() == ["A", "H", "I"]
    assert frame["Actual"].tolist() == [68.04, "TBC", 50.0]  # % formats read as meant
    assert frame["Source file"].tolist() == ["a.xlsx", "b.xlsx", "b.xlsx"]
    assert frame["Source SHA-256"].tolist() == ["sha-a", "sha-b", "sha-b"]
    assert frame["Cell"].tolist() == ["H13", None, None]  # no Actual column: no cell


def test_no_returns_no_rows() -> None:
    frame, counts = _performance_values([])
    assert len(frame) == 0 and counts == []
