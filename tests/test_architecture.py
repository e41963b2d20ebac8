"""The package's shape: the core knows nothing of Excel, the public API is honest."""

from __future__ import annotations

import ast
import functools
import json
import re
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import xlperf


def _modules_after(statement: str) -> set[str]:
    code = f"import sys, json; {statement}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return set(json.loads(out.stdout))


HEAVY = {"openpyxl", "xlwings", "pandera", "python_calamine", "fastapi"}


def test_core_imports_no_excel_or_validation_library():
    loaded = _modules_after("import xlperf.core.score, xlperf.core.budget, xlperf.core.rollup")
    assert not {m.split(".")[0] for m in loaded} & HEAVY


def test_package_and_cli_do_not_import_xlwings():
    loaded = {m.split(".")[0] for m in _modules_after("import xlperf, xlperf.cli")}
    assert "xlwings" not in loaded and "pandera" not in loaded


def test_importing_the_package_or_the_cli_loads_no_heavy_library():
    # `xlperf --help` and `xlperf rules` start quickly: the public API loads on first use, and
    # the CLI loads rich when it first prints (`xlperf refresh --json` never does).
    for statement in ("import xlperf", "import xlperf, xlperf.cli"):
        loaded = {m.split(".")[0] for m in _modules_after(statement)}
        assert not loaded & (HEAVY | {"pandas", "numpy", "rich"}), statement


def test_the_rule_catalogue_needs_no_pandas():
    # `xlperf rules` lists the catalogue: findings and the catalogue are plain Python.
    loaded = _modules_after("import xlperf.findings, xlperf.validate.catalogue; "
                            "xlperf.validate.catalogue.load_rules()")
    assert not {m.split(".")[0] for m in loaded} & (HEAVY | {"pandas", "numpy"})


def test_the_server_and_the_annotator_load_no_pandas_at_import():
    # The add-in server starts before any request, and the annotated copy is openpyxl only:
    # shared words they import (xlperf.layout's FORMULA_STARTS) must not pull pandas in.
    loaded = _modules_after("import xlperf.server.app, xlperf.validate.annotate")
    assert not {m.split(".")[0] for m in loaded} & {"pandas", "numpy"}


def test_public_names_load_on_first_use():
    code = ("from xlperf import score, status, validate_return, Period; import xlperf; "
            "print(status(91.54, 45.3, 'Smaller is better', tolerance=2), "
            "xlperf.parse_period('Q1 2013-14').format('quarter'), "
            "score.__module__, validate_return.__module__, 'rollup' in dir(xlperf))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.split() == ["Red", "Q1", "2013/14", "xlperf.core.score",
                                  "xlperf.validate.returns", "True"]
    assert not hasattr(xlperf, "no_such_name")


def test_all_is_sorted_and_every_name_exists():
    assert xlperf.__all__ == sorted(xlperf.__all__)
    for name in xlperf.__all__:
        assert hasattr(xlperf, name), name


def test_public_functions_have_docstrings_with_examples():
    for name in ("status", "variance", "variance_pct", "direction", "parse_period", "score",
                 "explain", "profile_targets", "objective_status"):
        doc = getattr(xlperf, name).__doc__ or ""
        assert ">>>" in doc, f"{name} has no example"


def test_reading_and_validating_do_not_import_the_writers():
    # Data flows one way: read and validate never reach into write (openpyxl lives there).
    loaded = _modules_after("import xlperf.read.master, xlperf.read.returns, "
                            "xlperf.validate.returns, xlperf.ledger")
    assert not [m for m in loaded if m.startswith("xlperf.write")]
    assert "openpyxl" not in {m.split(".")[0] for m in loaded}


# ------------------------------------------------------------- every import, as the code has it
PACKAGE = Path(xlperf.__file__).parent


@dataclass(frozen=True)
class Import:
    """One import statement's target, wherever it stands (module level, in a function, under
    TYPE_CHECKING): ``importer`` and ``target`` are dotted module names."""

    importer: str
    line: int
    target: str
    name: str | None  # the name taken from ``target`` (``from target import name``)


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@functools.cache
def all_imports() -> tuple[Import, ...]:
    """Every import statement of the package (parsed once per test process: the source does
    not change while the tests run)."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found += [Import(module, node.lineno, a.name, None) for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, *([base] if base else [])])
                for alias in node.names:
                    # `from xlperf import demo` imports the module xlperf.demo
                    sub = f"{base}.{alias.name}"
                    is_module = (PACKAGE.parent / Path(*sub.split("."))).with_suffix(".py") \
                        .exists() or (PACKAGE.parent / Path(*sub.split("."))).is_dir()
                    found.append(Import(module, node.lineno, sub if is_module else base,
                                        None if is_module else alias.name))
    return tuple(found)


def test_the_import_reader_sees_imports_inside_functions():
    inside = [i for i in all_imports() if i.importer == "xlperf.read._calamine"
              and i.target == "python_calamine"]
    assert len(inside) >= 1  # `import python_calamine as pc` inside open_workbook
    assert any(i.importer == "xlperf.write" and i.target == "xlperf.write.master"
               for i in all_imports())  # inside write/__init__.__getattr__


# The demo council's data is read only by the demo's own builders: the `xlperf demo` command
# (and `init --demo`) and the writer of the shipped demo workbooks. No other module decides
# anything by asking "is this the demo?".
DEMO_ENTRY_POINTS = {"xlperf.demo", "xlperf.cli.workbooks", "xlperf.write.shipped"}


def test_only_the_demo_entry_points_import_the_demo():
    importers = sorted(f"{i.importer}:{i.line}" for i in all_imports()
                       if i.target == "xlperf.demo" and i.importer not in DEMO_ENTRY_POINTS)
    assert importers == []


# ------------------------------------------------------- the table of rooms in docs/architecture.md
ARCHITECTURE = PACKAGE.parent / "docs" / "architecture.md"


def _table(heading: str) -> list[list[str]]:
    """The rows of the markdown table under ``heading`` (header and rule rows left out)."""
    text = ARCHITECTURE.read_text(encoding="utf-8").split(f"## {heading}\n", 1)[1]
    rows = [line for line in text.split("\n## ", 1)[0].splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[2:]]


def _names(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


@dataclass(frozen=True)
class Rooms:
    of_module: dict[str, str]  # module prefix -> room
    may_import: dict[str, set[str]]
    edges: dict[tuple[str, str], str]  # (from module, to module) -> why

    def room(self, module: str) -> str | None:
        parts = module.split(".")
        for n in range(len(parts), 0, -1):
            if n == 1 and len(parts) > 1:
                break  # the package root is in `base` for its version only, not its modules
            room = self.of_module.get(".".join(parts[:n]))
            if room is not None:
                return room
        return None

    def declared(self, imp: Import) -> str | None:
        """Why the table lets ``imp`` cross rooms, or None (an edge names its importer
        exactly, and a module or package it imports)."""
        whys = [why for (source, target), why in self.edges.items()
                if imp.importer == source and _within(imp.target, target)]
        return " ".join(whys) or None


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def rooms() -> Rooms:
    of_module, may_import = {}, {}
    for room, modules, _job, allowed in _table("Rooms"):
        (name,) = _names(room)
        of_module.update(dict.fromkeys(_names(modules), name))
        may_import[name] = set(_names(allowed)) | {"base"}
    may_import["cli"] |= set(may_import)  # "every room"
    edges = {(a, b): why for a, b, why in
             ((_names(f)[0], _names(t)[0], why) for f, t, why in _table("Edges outside the table"))}
    return Rooms(of_module, may_import, edges)


def test_every_module_is_in_a_room():
    table = rooms()
    modules = {_module_name(p) for p in PACKAGE.rglob("*.py")}
    assert sorted(m for m in modules if table.room(m) is None) == []


def against_the_table(imports: Sequence[Import], table: Rooms) -> list[str]:
    against = []
    for imp in imports:
        if not imp.target.startswith("xlperf"):
            continue
        source, target = table.room(imp.importer), table.room(imp.target)
        if source == target or target in table.may_import[source]:
            continue
        if table.declared(imp) is None:
            against.append(f"{imp.importer}:{imp.line} ({source}) imports {imp.target} "
                           f"({target})")
    return against


def test_every_import_follows_the_table_of_rooms():
    assert against_the_table(all_imports(), rooms()) == []


def test_the_table_refuses_an_upward_import():
    table = rooms()
    upward = [Import("xlperf.ledger._store", 1, "xlperf.write.lossless", "write_sheets"),
              Import("xlperf.core.status", 2, "xlperf.read", "open_workbook"),
              Import("xlperf.report._data", 3, "xlperf.demo", None)]
    assert len(against_the_table(upward, table)) == 3
    sideways = [Import("xlperf.refresh", 1, "xlperf.ledger", "Ledger"),
                Import("xlperf.read.master", 2, "xlperf.validate.catalogue", "load_rules"),
                Import("xlperf.write.shipped", 3, "xlperf.demo", None)]
    assert against_the_table(sideways, table) == []


def _private(imp: Import) -> bool:
    inner = imp.target.split(".")[2:]  # below xlperf.<room>
    return any(p.startswith("_") for p in inner) or bool(imp.name and imp.name.startswith("_")
                                                         and imp.name != "__version__")


def test_no_private_name_is_imported_across_rooms():
    # A room's API is its public names; `_name` and `_module` stay inside it (the shared base
    # modules `_zip`, `_files`, `_words`, `_json` are the package's own, for every room).
    table = rooms()
    crossing = []
    for imp in all_imports():
        if not imp.target.startswith("xlperf"):
            continue
        source, target = table.room(imp.importer), table.room(imp.target)
        if source == target or target == "base" or not _private(imp):
            continue
        why = table.declared(imp) or ""
        if "(private" not in why:
            crossing.append(f"{imp.importer}:{imp.line} {imp.target} {imp.name or ''}")
    assert crossing == []


def test_every_declared_edge_is_still_needed():
    table = rooms()
    used = {edge for imp in all_imports() for edge in table.edges
            if imp.importer == edge[0] and _within(imp.target, edge[1])}
    assert sorted(set(table.edges) - used) == []
