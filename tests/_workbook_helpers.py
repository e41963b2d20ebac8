"""Helpers shared by the workbook tests: the offline OOXML checker and logical comparison."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

#: The workplace's shared folder (the OOXML checker, the corpus of Excel-made workbooks, the
#: tools): beside the checkout, as the set-up and CI have it, or where ``XLPERF_SHARED`` says.
#: Every test finds it here.
SHARED = Path(os.environ.get("XLPERF_SHARED")
              or Path(__file__).resolve().parents[1].parent / "shared")
#: Workbooks made by Excel itself (``SHARED/corpus/excel-made``).
EXCEL_MADE = SHARED / "corpus" / "excel-made"


def ooxml_checker() -> Any:
    """The shared OOXML checker (``SHARED/ooxml/validate_xlsx.py``) as a module; the test (or
    the module asking at import) is skipped, saying where it looked, when it is not there."""
    kit = SHARED / "ooxml"
    if not (kit / "validate_xlsx.py").exists():
        pytest.skip(f"the OOXML checker is not at {kit} (set XLPERF_SHARED)",
                    allow_module_level=True)
    if str(kit) not in sys.path:
        sys.path.insert(0, str(kit))
    import validate_xlsx

    return validate_xlsx


def ooxml_problems(path: Path) -> list[str]:
    """Errors (not warnings) the shared OOXML checker finds in ``path``."""
    return [f"{path.name} {p}" for p in ooxml_checker().find_problems(path, warnings=False)]


def logical_content(path: Path) -> dict[str, Any]:
    """What a workbook says, without zip bytes or timestamps: sheet names and states, every
    cell value, tables with their ranges, validation lists and protection."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    content: dict[str, Any] = {"sheets": [(ws.title, ws.sheet_state) for ws in wb.worksheets]}
    for ws in wb.worksheets:
        content[ws.title] = {
            "cells": [[c.value for c in row] for row in ws.iter_rows()],
            "tables": sorted((t.displayName, t.ref) for t in ws.tables.values()),
            "validations": sorted((str(dv.sqref), dv.formula1 or "")
                                  for dv in ws.data_validations.dataValidation),
            "protected": bool(ws.protection.sheet),
            "freeze": ws.freeze_panes,
        }
    content["properties"] = sorted((p.name, str(p.value)) for p in wb.custom_doc_props)
    return content



_DEMO_BUILT: dict[tuple[str, bool], tuple[Path, Any]] = {}


def demo_workbooks(folder: str | Path, *, period: str | None = None,
                   history: bool = False) -> Any:
    """:func:`xlperf.write.shipped.build_demo_workbooks` into ``folder``, built once per test
    process for each period and copied from there (a build takes seconds, and two dozen test
    modules start from the same demo). With ``history`` the master's ledger is seeded with
    the demo history (:func:`xlperf.cli.workbooks.seed_demo_history`), also once per process.
    The copy is the build's files byte for byte; the result's paths point into ``folder``."""
    import atexit
    import dataclasses
    import shutil
    import tempfile

    from xlperf.demo import DEMO_PERIOD
    from xlperf.write.shipped import build_demo_workbooks

    when = period or DEMO_PERIOD
    key = (when, history)
    if key not in _DEMO_BUILT:
        cache = Path(tempfile.mkdtemp(prefix="xlperf-demo-"))
        atexit.register(shutil.rmtree, cache, True)
        if history:
            from xlperf.cli.workbooks import seed_demo_history

            # the seeded demo starts from the plain one's copy: one build per period
            built = demo_workbooks(cache / "demo", period=when)
            seed_demo_history(built.master, when)
        else:
            built = build_demo_workbooks(cache / "demo", period=when)
        _DEMO_BUILT[key] = (cache / "demo", built)
    source, files = _DEMO_BUILT[key]
    target = Path(folder)
    shutil.copytree(source, target, dirs_exist_ok=True)

    def moved(path: Path) -> Path:
        return target / path.relative_to(source)

    return dataclasses.replace(
        files, master=moved(files.master), returns=tuple(moved(p) for p in files.returns),
        templates=tuple(dataclasses.replace(t, path=moved(t.path)) for t in files.templates))


def module_from_file(path: Path, name: str) -> Any:
    """The Python file ``path`` (a script of ``benchmarks/`` or ``../shared/tools/``) loaded as
    the module ``name``, for a test to call its functions."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


#: The demo council the repository ships (``python -m xlperf.write.shipped`` makes it).
SHIPPED_DEMO = Path(__file__).resolve().parents[1] / "workbooks" / "demo"


def filled_on_target(template: Path, out: Path) -> Path:
    """A performance return ``template`` filled in as a clean return: every actual on its
    target (20 where it has none), commentary on every row; saved at ``out``."""
    from openpyxl import load_workbook

    wb = load_workbook(template)
    ws = wb["Return"]
    for row in range(13, ws.max_row + 1):
        if ws.cell(row, 1).value is None:
            continue
        target = ws.cell(row, 7).value
        ws.cell(row, 8).value = target if isinstance(target, int | float) else 20
        ws.cell(row, 12).value = "Checked by the service manager."
    wb.save(out)
    return out


def cli_demo(folder: Path) -> Path:
    """``xlperf demo FOLDER`` run as a user runs it (its returns have deliberate mistakes, so
    it may end with exit code 1); the council's folder."""
    from typer.testing import CliRunner

    from xlperf.cli import app

    result = CliRunner().invoke(app, ["demo", str(folder)])
    assert result.exit_code in (0, 1), result.output
    return folder

