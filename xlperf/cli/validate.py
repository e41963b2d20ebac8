"""Validation commands: ``validate`` (check submitted returns) and ``rules`` (the catalogue)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from xlperf.cli._app import (
    JSON_SCHEMA_VERSION,
    OPTIONS,
    ExitCode,
    app,
    console,
    err_console,
    fail,
    plural,
    print_json,
    print_table,
    printable,
    usage,
    warn,
)
from xlperf.errors import XlperfError

if TYPE_CHECKING:
    from rich.table import Table


@app.command()
def rules(
    as_json: Annotated[bool, typer.Option("--json", help="Print the catalogue as JSON.")] = False,
    applies_to: Annotated[str | None, typer.Option(
        "--applies-to",
        help="Only rules for: all, performance or finance (revenue and capital) returns.")
    ] = None,
) -> None:
    """List the validation rules: id, severity, title, message and how to fix."""
    from xlperf.validate.catalogue import APPLIES_TO, load_rules

    if applies_to is not None and applies_to not in APPLIES_TO:
        raise usage(f"--applies-to must be one of {', '.join(APPLIES_TO)}, not {applies_to!r}")
    try:
        catalogue = load_rules()
    except XlperfError as error:
        raise fail(error) from None
    chosen = [r for r in catalogue.values() if applies_to in (None, r.applies_to)]
    if as_json:
        print_json("rules", {"rules": [vars(r) for r in chosen]})
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="xlperf validation rules", header_style="bold", show_lines=True)
    for column, width in (("Rule", None), ("Severity", None), ("Title", 28), ("Message", 60),
                          ("How to fix", 48), ("Applies to", None)):
        table.add_column(column, max_width=width, overflow="fold")
    for rule in chosen:
        severity = "[red]✖ error[/]" if rule.severity == "error" else "[yellow]? query[/]"
        table.add_row(rule.id, severity, *(escape(x) for x in (
            rule.title, rule.message, rule.how_to_fix, rule.applies_to)))
    print_table(table)
    errors = sum(r.severity == "error" for r in chosen)
    console().print(f"{plural(len(chosen), 'rule')}: {plural(errors, 'error')} (block "
                    f"acceptance of the row), {plural(len(chosen) - errors, 'query', 'queries')}"
                    " (accepted, ask the service to confirm).")


MASTER_NAMES = ("master.xlsx", "master.xlsm")
PROGRESS_FROM = 6  # a progress bar when at least this many files are checked
_SKIP_PREFIXES = ("~$", ".")


def find_master(paths: list[Path]) -> Path | None:
    """The master to validate against when ``--master`` is not given: ``$XLPERF_MASTER``, else
    a ``master.xlsx`` (or ``.xlsm``) in the first return's folder or up to two folders above
    it (a master's ``Returns folder`` setting is ``returns`` beside it)."""
    env = os.environ.get("XLPERF_MASTER")
    if env:
        return Path(env)
    if not paths:
        return None
    start = paths[0] if paths[0].is_dir() else paths[0].parent
    for folder in (start, *list(start.resolve().parents)[:2]):
        for name in MASTER_NAMES:
            if (folder / name).is_file():
                return folder / name
    return None


def _expand(paths: list[Path]) -> tuple[list[Path], list[range]]:
    """Files to check: each file as given; a folder's files (not hidden, not Excel's ``~$``
    lock files, not a master), sorted by name. And where each folder's files are in that
    list (a folder is a returns folder: one return each is taken from it, as the refresh
    does)."""
    files: list[Path] = []
    folders: list[range] = []
    for path in paths:
        if path.is_dir():
            start = len(files)
            files += sorted(p for p in path.iterdir() if p.is_file()
                            and not p.name.startswith(_SKIP_PREFIXES)
                            and p.name.casefold() not in MASTER_NAMES)
            folders.append(range(start, len(files)))
        else:
            files.append(path)
    return files, folders


def _one_each(files: list[Path], folders: list[range], reports: list[Any]) -> list[Any]:
    """Each folder's reports as the refresh takes them: of two returns for one service and
    period, the one the refresh uses has the FILE-023 query and the other is left out
    (:func:`xlperf.refresh.one_report_each`, the refresh's own decision)."""
    from xlperf.refresh import one_report_each

    out = list(reports)
    for where in folders:
        if len(where) > 1:
            out[where.start:where.stop] = one_report_each(files[where.start:where.stop],
                                                          out[where.start:where.stop])
    return out


def _value(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else (f"{value:g}" if isinstance(value, float)
                                                 else str(value))
    return text if len(text) <= 30 else text[:29] + "…"


def _summary(report: Any) -> tuple[str, ExitCode]:
    from xlperf.validate.returns import UNREADABLE

    counts = (f"{plural(len(report.errors), 'error')}, "
              f"{plural(len(report.queries), 'query', 'queries')}")
    name = printable(Path(str(report.file)).name)
    if report.meta.get("left_out"):
        return (f"[yellow]– left out[/]: {printable(report.meta['left_out'])}: {name}",
                ExitCode.OK)
    if any(f.rule in UNREADABLE for f in report.findings):
        return f"[red]✖ could not be read[/] ({counts}): {name}", ExitCode.CANNOT_RUN
    if report.errors:
        return f"[red]✖ not accepted[/] ({counts}): {name}", ExitCode.FINDINGS
    return f"[green]✔ accepted[/] ({counts}): {name}", ExitCode.OK


def findings_table(report: Any, title: str) -> Table:
    """A table of one report's findings: cell, rule, severity, message, value (each text
    from the return through :func:`~xlperf.cli._out.printable`)."""
    from rich.table import Table

    table = Table(title=printable(title), header_style="bold", title_justify="left")
    table.add_column("Cell", overflow="fold")
    table.add_column("Rule", no_wrap=True)
    table.add_column("Severity", no_wrap=True)
    table.add_column("Message", overflow="fold", max_width=100)
    table.add_column("Value", overflow="fold", max_width=30)
    for f in report.findings:
        severity = "[red]✖ error[/]" if f.severity == "error" else "[yellow]? query[/]"
        where = "!".join(p for p in (f.sheet, f.cell) if p) if f.cell else "(file)"
        table.add_row(printable(where), f.rule, severity, printable(f.message),
                      printable(_value(f.value)))
    return table


@app.command()
def validate(
    paths: Annotated[list[Path], typer.Argument(
        help="Returns to check: files, or folders of returns.", show_default=False)],
    master: Annotated[Path | None, typer.Option(
        "--master", help="The master workbook (default: $XLPERF_MASTER, else master.xlsx in "
        "the returns' folder or up to two folders above).")] = None,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print every finding as JSON on standard output, and nothing else.")
    ] = False,
    json_file: Annotated[Path | None, typer.Option(
        "--json-file", "-o", help="Also write every finding as JSON to this file.")] = None,
    annotate: Annotated[Path | None, typer.Option(
        "--annotate", help="Write an annotated copy of each return into this folder.")] = None,
    period: Annotated[str | None, typer.Option(
        help="Period being collected (default: the master's Settings).")] = None,
) -> None:
    """Check submitted returns: a table of findings per return (cell, rule, severity, message,
    value). Exit code 0: all accepted (queries allowed); 1: errors; 3: a file could not be
    read."""
    from xlperf.validate.returns import UNREADABLE, validate_returns

    files, folders = _expand(paths)
    if not files:
        raise fail(XlperfError("no returns to check: the folder is empty"))
    chosen = master if master is not None else find_master(files)
    show = not as_json

    def check(progress: Any = None) -> list[Any]:
        # With a master, its council's: the register, the Rules sheet, the ledger's history.
        if chosen is None:
            return validate_returns(files, None, period=period, progress=progress)
        from xlperf.council import Council

        return Council.open(chosen).validate(files, period=period, progress=progress)

    try:
        if (len(files) >= PROGRESS_FROM and show and not OPTIONS.quiet
                and err_console().is_terminal):
            from rich.progress import Progress

            with Progress(console=err_console(), transient=True) as bar:
                task = bar.add_task("Checking returns", total=len(files))
                reports = check(lambda _p: bar.advance(task))
        else:
            reports = check()
    except XlperfError as error:
        raise fail(error) from None
    reports = _one_each(files, folders, reports)
    payload = {"master": None if chosen is None else str(chosen),
               "valid": all(r.valid for r in reports),
               "returns": [r.to_dict() for r in reports]}
    if json_file is not None:
        try:
            json_file.write_text(json.dumps({"schema_version": JSON_SCHEMA_VERSION,
                                             "command": "validate", **payload},
                                            ensure_ascii=False, indent=1), encoding="utf-8")
        except OSError as error:
            raise fail(XlperfError(f"cannot write {json_file}: "
                                   f"{error.strerror or error}")) from None
    annotated = []
    if annotate is not None:
        from xlperf.validate.annotate import annotate as write_annotated

        for report in reports:
            if any(f.rule in UNREADABLE for f in report.findings):
                continue
            try:
                annotated.append(write_annotated(report, annotate))
            except XlperfError as error:
                warn(str(error))
    codes = []
    for report in reports:
        line, code = _summary(report)
        codes.append(code)
        if show and report.findings:
            print_table(findings_table(report, Path(str(report.file)).name))
        if show:
            console().print(line)
    if as_json:
        print_json("validate", payload)
    else:
        errors = sum(len(r.errors) for r in reports)
        queries = sum(len(r.queries) for r in reports)
        from rich.markup import escape

        source = escape(f"master {chosen}") if chosen is not None else (
            "no master (register checks skipped: give --master)")
        console().print(
            f"[bold]{plural(len(reports), 'return')}: {codes.count(ExitCode.OK)} accepted, "
            f"{codes.count(ExitCode.FINDINGS)} with errors, {codes.count(ExitCode.CANNOT_RUN)} "
            f"could not be read; {plural(errors, 'error')}, "
            f"{plural(queries, 'query', 'queries')}[/] (checked against {source})",
            markup=True, highlight=False)
        for path in annotated:
            console().print(f"Annotated copy: {printable(path, markup=False)}", markup=False)
    raise typer.Exit(max(codes))
