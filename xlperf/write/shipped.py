"""Build the demo workbooks (and the files shipped in ``workbooks/``) in one call.

``python -m xlperf.write.shipped [DIR]`` regenerates the committed ``workbooks/`` folder
(default: ``workbooks`` under the current directory)::

    workbooks/master.xlsx                  an empty master for a council to fill in
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

from xlperf.write.examples import write_examples
from xlperf.write.master import build_demo_master, build_master
from xlperf.write.templates import TemplateInfo, build_templates, fill_return

SHIPPED_TIMESTAMP = dt.datetime(2013, 10, 1, 9, 0, 0)


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
    from xlperf import demo

    out = Path(out_dir)
    when = period or demo.DEMO_PERIOD
    master = build_demo_master(out / "master.xlsx", period=when, timestamp=timestamp)
    templates = build_templates(master, when, out / "templates", timestamp=timestamp)
    values = demo.demo_values(when)
    budget = demo.demo_budget()
    returns = []
    for info in templates:
        data = values if info.kind == "performance" else budget
        returns.append(fill_return(info.path, data, out / "returns" / info.path.name,
                                   timestamp=timestamp))
    return DemoFiles(master, tuple(templates), tuple(returns))


def build_shipped(root: str | Path = "workbooks") -> list[Path]:
    """Regenerate the shipped ``workbooks/`` folder; returns every file written."""
    out = Path(root)
    # Only what this function owns is replaced; other files in the folder are left alone.
    for old in [out / "master.xlsx", *sorted((out / "demo").glob("**/*.xlsx")),
                *sorted((out / "examples").glob("*.xlsx"))]:
        old.unlink(missing_ok=True)
    empty = build_master(out / "master.xlsx", timestamp=SHIPPED_TIMESTAMP)
    files = build_demo_workbooks(out / "demo", timestamp=SHIPPED_TIMESTAMP)
    examples = write_examples(out / "examples", timestamp=SHIPPED_TIMESTAMP)
    return [empty, files.master, *(t.path for t in files.templates), *files.returns,
            *examples]


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    for path in build_shipped(args[0] if args else "workbooks"):
        print(path)


if __name__ == "__main__":
    main()
