"""Helpers shared by the workbook tests: the offline OOXML checker and logical comparison."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def ooxml_problems(path: Path) -> list[str]:
    """Errors (not warnings) the shared OOXML checker finds in ``path``."""
    kit = SHARED / "ooxml"
    if not (kit / "validate_xlsx.py").exists():
        pytest.skip(f"the OOXML checker is not at {kit}")
    if str(kit) not in sys.path:
        sys.path.insert(0, str(kit))
    import validate_xlsx

    return [f"{path.name} {p}" for p in validate_xlsx.find_problems(path, warnings=False)]


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
