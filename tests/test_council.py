"""One Council: the master, its Settings, its ledger and its returns folder, resolved once and
asked by every door; no other module works out those paths itself."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

from xlperf.council import Council
from xlperf.errors import WorkbookError
from xlperf.settings import declared
from xlperf.write.master import build_demo_master, build_master

PACKAGE = Path(__file__).resolve().parents[1] / "xlperf"


@pytest.fixture(scope="module")
def demo_master(tmp_path_factory) -> Path:
    return build_demo_master(tmp_path_factory.mktemp("council") / "master.xlsx")


def _master(folder: Path, **settings: str) -> Path:
    labels = {"returns": "Returns folder", "ledger": "Ledger path"}
    folder.mkdir(parents=True, exist_ok=True)
    return build_master(folder / "Scorecard 2013-14.xlsx",
                        settings={labels[k]: v for k, v in settings.items()})


# ------------------------------------------------------------------ where things are
def test_relative_settings_are_beside_the_master(tmp_path):
    council = Council.open(_master(tmp_path / "team", returns=" in tray ",
                                   ledger="data/perf.db"))
    assert council.returns_folder == tmp_path / "team" / "in tray"
    assert council.ledger == tmp_path / "team" / "data" / "perf.db"


def test_absolute_and_home_settings_are_taken_as_they_are(tmp_path):
    elsewhere = tmp_path / "shared drive" / "returns"
    council = Council.open(_master(tmp_path / "team", returns=str(elsewhere),
                                   ledger="~/ledgers/perf.db"))
    assert council.returns_folder == elsewhere
    assert council.ledger == Path.home() / "ledgers" / "perf.db"


def test_blank_settings_are_the_defaults(tmp_path):
    council = Council.open(_master(tmp_path, returns="", ledger=""))
    assert council.returns_folder == tmp_path / "returns"
    assert council.ledger == tmp_path / "Scorecard 2013-14.ledger.sqlite"


def test_a_missing_folder_is_where_it_would_be_and_no_returns(tmp_path):
    council = Council.open(_master(tmp_path, returns="not yet"))
    assert council.returns_folder == tmp_path / "not yet" and council.returns() == []
    (tmp_path / "not yet").mkdir()
    assert Council.open(council.path).returns() == [tmp_path / "not yet"]


def test_a_missing_master(tmp_path):
    missing = tmp_path / "new" / "master.xlsx"
    council = Council.open(missing, missing_ok=True)
    assert not council.exists
    assert council.ledger == tmp_path / "new" / "master.ledger.sqlite"
    assert council.returns_folder == tmp_path / "new" / "returns"
    with pytest.raises(WorkbookError):
        Council.open(missing).ledger  # noqa: B018


def test_a_council_is_read_only_and_reads_its_master_once(tmp_path):
    council = Council.open(_master(tmp_path, ledger="one.db"))
    with pytest.raises(AttributeError):
        council.path = tmp_path  # type: ignore[misc]
    assert council.master is council.master
    assert council.settings is council.master.settings


# ------------------------------------------------------------------ every door asks it
def test_every_door_uses_the_councils_ledger_and_folder(demo_master, tmp_path):
    """A master whose Ledger path and Returns folder are not the defaults: the refresh, the
    server, the collection and the demo seeding all go where the Council says."""
    from _workbook_helpers import demo_workbooks
    from openpyxl import load_workbook

    from xlperf.cli.workbooks import seed_demo_history
    from xlperf.server._config import ServerConfig
    from xlperf.server._service import Team

    files = demo_workbooks(tmp_path / "demo")
    wb = load_workbook(files.master)
    ws = wb["Settings"]
    for row in range(2, ws.max_row + 1):
        if ws.cell(row, 1).value == "Returns folder":
            ws.cell(row, 2).value = "in tray"
    ws.cell(ws.max_row + 1, 1).value = "Ledger path"
    ws.cell(ws.max_row, 2).value = "ledgers/perf.db"
    wb.save(files.master)
    shutil.move(files.master.parent / "returns", files.master.parent / "in tray")
    (files.master.parent / "ledgers").mkdir()

    council = Council.open(files.master)
    expected = files.master.parent / "ledgers" / "perf.db"
    assert council.ledger == expected
    assert seed_demo_history(files.master, "Q2 2013/14") == expected  # was beside the master
    result = council.refresh(period="Q2 2013/14")
    assert result.ledger == expected and len(result.files) == 10
    assert not (files.master.parent / "master.ledger.sqlite").exists()
    team = Team(ServerConfig(token="x" * 32, master=files.master))
    assert team.ledger_path() == expected
    assert team.returns() == [files.master.parent / "in tray"]
    status = council.collection("Q2 2013/14")
    assert status.ledger == expected and all(r.file is not None for r in status.returns
                                             if r.expected.kind == "performance")
    assert len(council.log()) == 2  # the demo history's import and the refresh
    assert set(council.history()["period"]) >= {"Q2 2013/14"}


def test_validate_from_the_council_checks_against_its_ledger(demo_master, tmp_path):
    """The Council's validate passes its ledger's history: the same findings as the
    validator finding the master's ledger itself."""
    from _workbook_helpers import demo_workbooks

    from xlperf.validate import validate_returns

    files = demo_workbooks(tmp_path / "demo", history=True)
    council = Council.open(files.master)
    via_council = council.validate(period="Q2 2013/14")
    direct = validate_returns(sorted(files.returns, key=lambda p: p.name.casefold()),
                              files.master, period="Q2 2013/14")
    assert [r.findings for r in via_council] == [r.findings for r in direct]
    assert any(f.rule in ("PERF-013", "PERF-014", "PERF-015") for r in via_council
               for f in r.findings)


# ------------------------------------------------------------------ nobody else resolves
# Outside these, no module works out where the returns or the ledger are, or reads a setting
# by its name as text. xlperf/ledger/__init__.py keeps ledger_path() (it asks Settings);
# xlperf/validate/ finds a master's ledger for its history checks when no door gave them
# (its own room, being split: ask the Council there once it takes one).
ALLOWED = ("council.py", "settings.py", "read/master.py", "ledger/__init__.py", "validate/")
# Every declared setting's attribute name and label: read by attribute, never by text.
SETTING_WORDS = {word for f in declared() for word in (
    f.name, f.metadata["label"], *f.metadata["aliases"])}


def resolutions(source: str) -> list[str]:
    """What in ``source`` resolves a path or reads a setting itself (one line each)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.ImportFrom) and any(a.name == "ledger_path"
                                                    for a in node.names):
            found.append(f"{line}: imports ledger_path")
        elif isinstance(node, ast.Attribute) and node.attr in ("ledger_in",
                                                              "returns_folder_in"):
            found.append(f"{line}: calls {node.attr}")
        elif (isinstance(node, ast.Attribute) and node.attr in ("returns_folder", "ledger_path")
              and isinstance(node.value, ast.Attribute | ast.Name)
              and (getattr(node.value, "attr", None) or getattr(node.value, "id", "")
                   ).endswith("settings")):
            found.append(f"{line}: reads settings.{node.attr}")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "get" and node.args
              and isinstance(node.args[0], ast.Constant)
              and node.args[0].value in SETTING_WORDS):
            found.append(f"{line}: .get({node.args[0].value!r})")
        elif (isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant)
              and node.slice.value in SETTING_WORDS
              and "settings" in ast.unparse(node.value)):
            found.append(f"{line}: settings[{node.slice.value!r}]")
        elif isinstance(node, ast.JoinedStr) and ".ledger.sqlite" in ast.unparse(node):
            found.append(f"{line}: names a ledger file")
    return found


def test_the_scan_catches_the_old_ways():
    old = '''
from xlperf.ledger import ledger_path
folder = path.parent / str(master.settings.get("returns_folder") or "returns")
where = ledger_path(master, settings)
ledger = base / f"{stem}.ledger.sqlite"
port = settings["materiality"]
folder = master.settings.returns_folder_in(path)
chosen = book.settings.ledger_path
'''
    assert len(resolutions(old)) == 6, resolutions(old)


def test_no_module_but_the_council_resolves_the_returns_folder_or_the_ledger():
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE).as_posix()
        if name.startswith(ALLOWED):
            continue
        found = resolutions(path.read_text(encoding="utf-8"))
        if found:
            offenders[name] = found
    assert offenders == {}
