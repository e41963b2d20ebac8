"""Build the demo workbooks (and the files shipped in ``workbooks/``) in one call.

``python -m xlperf.write.shipped [DIR]`` regenerates the committed ``workbooks/`` folder
(default: ``workbooks`` under the current directory)::

    workbooks/master.xlsx                  an empty master for a council to fill in
    workbooks/master.xlsm                  the same with a "Refresh scorecard" button (xlwings)
    workbooks/master.py                    the Python the button runs (RunPython)
    workbooks/demo/master.xlsx             the demo council's master
    workbooks/demo/templates/*.xlsx        its return templates for the demo period
    workbooks/demo/returns/*.xlsx          the same templates filled in with the demo data
    workbooks/examples/*.xlsx              the XLPERF.* worksheet functions in use (docs/excel.md)

Every file is written with :data:`SHIPPED_TIMESTAMP`, so the same code gives the same bytes and
a test can check the committed files are up to date.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path

from xlperf import demo
from xlperf.layout import OUTPUT_HEADER_ROW, OUTPUT_SHEETS
from xlperf.write.examples import write_examples
from xlperf.write.master import build_master
from xlperf.write.templates import TemplateInfo, build_templates, fill_return
from xlperf.write.xlsm import Button, make_xlsm

SHIPPED_TIMESTAMP = dt.datetime(2013, 10, 1, 9, 0, 0)



def refresh_button(width_px: int = 160) -> Button:
    """The "Refresh scorecard" button: on the Scorecard's empty row between the note and the
    headers (row 3, 20 px high, like XlsxWriter's default button), from column A."""
    spec = next(s for s in OUTPUT_SHEETS if s.name == "Scorecard")
    row = OUTPUT_HEADER_ROW - 2  # 0-based: the row above the headers
    left, column = width_px, 0
    while column < len(spec.widths) - 1 and left > round(spec.widths[column] * 7):
        left -= round(spec.widths[column] * 7)
        column += 1
    return Button(sheet="Scorecard", caption="Refresh scorecard", macro="SampleCall",
                  anchor=(0, 0, row, 0, column, left, row + 1, 0), left=0.0,
                  top=row * 15.0, width=width_px * 0.75, height=15.0)


#: ``workbooks/master.py``: what the button's ``RunPython "import master; master.main()"`` runs.
MASTER_PY = '''"""The Python behind master.xlsm's "Refresh scorecard" button (xlwings RunPython).

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
'''


def build_demo_master(path: str | Path, *, period: str | None = None,
                      timestamp: dt.datetime | None = None) -> Path:
    """Write the demo council's master (register, targets, budget, capital, settings, process
    changes, internal audit assurance, the director's judgements)."""
    budget = demo.demo_budget()
    budget.insert(1, "Budget holder", budget["Service area"].map(demo.DEMO_BUDGET_HOLDERS))
    return build_master(
        path, register=demo.demo_register(), targets=demo.demo_targets(), budget=budget,
        capital=demo.demo_capital(), settings=demo.demo_settings(period or demo.DEMO_PERIOD),
        process_changes=demo.demo_process_changes(), milestones=demo.demo_milestones(),
        projects=demo.demo_projects(), risks=demo.demo_risks(), audit=demo.demo_audit(),
        judgements=demo.demo_judgements(), timestamp=timestamp)


def write_demo_examples(folder: str | Path, *,
                        timestamp: dt.datetime | None = None) -> list[Path]:
    """The example workbooks of docs/excel.md, showing the demo council's data."""
    return write_examples(Path(folder), register=demo.demo_register(), values=demo.demo_values(),
                          period=demo.DEMO_PERIOD, timestamp=timestamp)


@dataclass(frozen=True)
class DemoFiles:
    """What :func:`build_demo_workbooks` wrote."""

    master: Path
    templates: tuple[TemplateInfo, ...]
    returns: tuple[Path, ...]


def build_demo_workbooks(out_dir: str | Path, *, period: str | None = None,
                         timestamp: dt.datetime | None = None) -> DemoFiles:
    """Write the demo master, its templates for ``period`` (default the demo period) and one
    filled-in return per template into ``out_dir`` (``master.xlsx``, ``templates/``,
    ``returns/``)."""
    out = Path(out_dir)
    when = period or demo.DEMO_PERIOD
    master = build_demo_master(out / "master.xlsx", period=when, timestamp=timestamp)
    templates = build_templates(master, when, out / "templates", timestamp=timestamp)
    values = demo.demo_values(when)
    data_of = {"performance": values, "finance": demo.demo_budget(),
               "capital": demo.demo_capital()}
    returns = []
    activity = demo.demo_activity()  # the performance returns' Milestones sheets
    for info in templates:
        data = data_of[info.kind]
        returns.append(fill_return(info.path, data, out / "returns" / info.path.name,
                                   timestamp=timestamp,
                                   activity=activity if info.kind == "performance" else None))
    return DemoFiles(master, tuple(templates), tuple(returns))


def build_shipped(root: str | Path = "workbooks") -> list[Path]:
    """Regenerate the shipped ``workbooks/`` folder; returns every file written."""
    out = Path(root)
    # Only what this function owns is replaced; other files in the folder are left alone.
    for old in [out / "master.xlsx", out / "master.xlsm", out / "master.py",
                *sorted((out / "demo").glob("**/*.xlsx")),
                *sorted((out / "examples").glob("*.xlsx"))]:
        old.unlink(missing_ok=True)
    empty = build_master(out / "master.xlsx", timestamp=SHIPPED_TIMESTAMP)
    macro = make_xlsm(empty, out / "master.xlsm", button=refresh_button())
    script = out / "master.py"
    script.write_text(MASTER_PY, encoding="utf-8", newline="\n")
    files = build_demo_workbooks(out / "demo", timestamp=SHIPPED_TIMESTAMP)
    examples = write_demo_examples(out / "examples", timestamp=SHIPPED_TIMESTAMP)
    return [empty, macro, script, files.master, *(t.path for t in files.templates),
            *files.returns, *examples]


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    for path in build_shipped(args[0] if args else "workbooks"):
        print(path)


if __name__ == "__main__":
    main()
