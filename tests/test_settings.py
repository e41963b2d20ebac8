"""The typed Settings: declared once, read from a real master's Settings sheet, documented."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from xlperf.layout import COLLECTION_SETTINGS, SETTINGS_KNOWN
from xlperf.read.master import read_master
from xlperf.settings import Settings, declared, read_settings

DOCS = Path(__file__).resolve().parents[1] / "docs" / "master.md"


@pytest.fixture(scope="module")
def demo_master_path(tmp_path_factory) -> Path:
    from xlperf.write.master import build_demo_master

    return build_demo_master(tmp_path_factory.mktemp("settings") / "master.xlsx")


def _with_settings(source: Path, target: Path, rows: dict[str, object]) -> Path:
    """The master at ``source`` with these Settings rows set (added when missing)."""
    wb = load_workbook(source)
    ws = wb["Settings"]
    where = {str(ws.cell(r, 1).value): r for r in range(2, ws.max_row + 1)}
    for label, value in rows.items():
        row = where.get(label, ws.max_row + 1)
        ws.cell(row, 1).value, ws.cell(row, 2).value = label, value
    wb.save(target)
    return target


def test_settings_are_frozen_and_typed_with_their_defaults():
    settings = Settings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.council = "Borsetshire"  # type: ignore[misc]
    assert (settings.returns_folder, settings.default_scheme, settings.paper_size,
            settings.materiality, settings.smtp_port, settings.due_working_days) == (
        "returns", "rag", "A4", 50, 587, 10)


def test_a_real_master_reads_typed_values_and_refuses_bad_ones(demo_master_path, tmp_path):
    path = _with_settings(demo_master_path, tmp_path / "master.xlsx", {
        "Materiality threshold (£000s)": "75", "SMTP port": "99999", "Paper size": "a3",
        "Chaser from": "not an address", "Chasers per minute": 12.0,
        "Returns folder": "  in tray ", "Ledger": "data/ledger.db", "Our own note": "kept"})
    master = read_master(path)
    settings = master.settings
    assert settings.materiality == 75.0 and isinstance(settings.materiality, float)
    assert settings.smtp_port == 587 and settings.chasers_per_minute == 12
    assert settings.paper_size == "A3" and settings.chaser_from == ""
    assert settings.returns_folder == "in tray" and settings.ledger_path == "data/ledger.db"
    assert dict(settings.other) == {"Our own note": "kept"}
    refused = {f.value: f for f in master.report if f.rule == "REG-040"}
    assert set(refused) == {"99999", "not an address"}
    port = refused["99999"]
    assert port.sheet == "Settings" and port.cell.startswith("B")
    assert "the default, 587, is used" in port.message


def test_a_blank_setting_is_its_default_and_a_later_row_wins():
    settings, problems = read_settings([(2, "Returns folder", "  "), (3, "Paper size", "A3"),
                                        (4, "paper-size", "A4"), (5, "Default scheme", "rag"),
                                        (6, "Materiality threshold (£000s)", None)])
    assert settings.returns_folder == "returns" and settings.paper_size == "A4"
    # A blank threshold is the default in every door (the refresh once took it as none).
    assert settings.materiality == 50
    assert problems == []
    _settings, problems = read_settings([(7, "Default scheme", "traffic")], schemes=("rag",))
    assert [(p.row, p.rule) for p in problems] == [(7, "REG-040")]


def test_the_new_masters_rows_come_from_the_declaration():
    assert list(SETTINGS_KNOWN) + list(COLLECTION_SETTINGS) == [
        f.metadata["label"] for f in declared() if f.metadata["group"] != "other"]
    for label, (name, default, note) in SETTINGS_KNOWN.items():
        field = next(f for f in declared() if f.name == name)
        shown = (("Yes" if field.default else "No") if isinstance(field.default, bool)
                 else field.default)  # a flag's cell says Yes or No
        assert (field.metadata["label"], shown, field.metadata["note"]) == (label, default, note)


def test_every_declared_setting_is_in_the_docs_table():
    text = DOCS.read_text(encoding="utf-8")
    table = text.split("<!-- settings-table -->")[1].split("<!-- /settings-table -->")[0]
    rows = [line for line in table.splitlines() if re.match(r"\| `", line)]
    documented = {}
    for line in rows:
        cells = [c.strip() for c in line.strip("|").split("|")]
        documented[cells[0].strip("`")] = (cells[1].strip("`"), cells[3])
    assert set(documented) == {f.metadata["label"] for f in declared()}
    for f in declared():
        name, default = documented[f.metadata["label"]]
        assert name == f.name
        if isinstance(f.default, bool):  # a Yes/No setting is documented in the sheet's words
            assert default.startswith("`Yes`" if f.default else "`No`"), f.name
        elif f.default not in ("", None):
            assert default.startswith(f"`{f.default}`"), f.name
        else:
            assert default.startswith("blank"), f.name
