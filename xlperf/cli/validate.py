"""Validation commands: ``validate`` (check submitted returns) and ``rules`` (the catalogue)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer

from xlperf.cli._app import _fail, app, console, err_console
from xlperf.errors import XlperfError


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

    try:
        catalogue = load_rules()
    except XlperfError as error:
        raise _fail(error) from None
    if applies_to is not None and applies_to not in APPLIES_TO:
        raise _fail(XlperfError(f"--applies-to must be one of {', '.join(APPLIES_TO)}, "
                                f"not {applies_to!r}"))
    chosen = [r for r in catalogue.values() if applies_to in (None, r.applies_to)]
    if as_json:
        typer.echo(json.dumps([vars(r) for r in chosen], ensure_ascii=False, indent=1))
        return
    from rich.table import Table

    table = Table(title="xlperf validation rules", header_style="bold", show_lines=True)
    for column, width in (("Rule", None), ("Severity", None), ("Title", 28), ("Message", 60),
                          ("How to fix", 48), ("Applies to", None)):
        table.add_column(column, max_width=width, no_wrap=width is None)
    for rule in chosen:
        severity = "[red]✖ error[/]" if rule.severity == "error" else "[yellow]? query[/]"
        table.add_row(rule.id, severity, rule.title, rule.message, rule.how_to_fix,
                      rule.applies_to)
    console().print(table)
    errors = sum(r.severity == "error" for r in chosen)
    console().print(f"{len(chosen)} rules: {errors} errors (block acceptance of the row), "
                  f"{len(chosen) - errors} queries (accepted, ask the service to confirm).")


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


def _expand(paths: list[Path]) -> list[Path]:
    """Files to check: each file as given; a folder's files (not hidden, not Excel's ``~$``
    lock files, not a master), sorted by name."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.is_file()
                            and not p.name.startswith(_SKIP_PREFIXES)
                            and p.name.casefold() not in MASTER_NAMES)
        else:
            files.append(path)
    return files


def _value(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else (f"{value:g}" if isinstance(value, float)
                                                 else str(value))
    return text if len(text) <= 30 else text[:29] + "…"


def _summary(report: Any) -> tuple[str, int]:
    from xlperf.validate.returns import UNREADABLE

    errors, queries = len(report.errors), len(report.queries)
    counts = f"{errors} error{'s' * (errors != 1)}, {queries} quer{'ies' if queries != 1 else 'y'}"
    name = Path(str(report.file)).name
    if any(f.rule in UNREADABLE for f in report.findings):
        return f"[red]✖ could not be read[/] ({counts}): {name}", 2
    if errors:
        return f"[red]✖ not accepted[/] ({counts}): {name}", 1
    return f"[green]✔ accepted[/] ({counts}): {name}", 0


@app.command()
def validate(
    paths: Annotated[list[Path], typer.Argument(
        help="Returns to check: files, or folders of returns.", show_default=False)],
    master: Annotated[Path | None, typer.Option(
        "--master", help="The master workbook (default: $XLPERF_MASTER, else master.xlsx in "
        "the returns' folder or up to two folders above).")] = None,
    json_file: Annotated[Path | None, typer.Option(
        "--json", help="Also write every finding as JSON to this file ('-': print only the "
        "JSON).")] = None,
    annotate: Annotated[Path | None, typer.Option(
        "--annotate", help="Write an annotated copy of each return into this folder.")] = None,
    period: Annotated[str | None, typer.Option(
        help="Period being collected (default: the master's Settings).")] = None,
) -> None:
    """Check submitted returns: a table of findings per return (cell, rule, severity, message,
    value). Exit code 0: all accepted (queries allowed); 1: errors; 2: a file could not be
    read."""
    from rich.progress import Progress
    from rich.table import Table

    from xlperf.validate.returns import validate_returns

    files = _expand(paths)
    if not files:
        raise _fail(XlperfError("no returns to check: the folder is empty"))
    chosen = master if master is not None else find_master(files)
    quiet = json_file is not None and str(json_file) == "-"
    try:
        if len(files) >= PROGRESS_FROM and not quiet:
            with Progress(console=err_console(), transient=True) as bar:
                task = bar.add_task("Checking returns", total=len(files))
                reports = validate_returns(files, chosen, period=period,
                                           progress=lambda _p: bar.advance(task))
        else:
            reports = validate_returns(files, chosen, period=period)
    except XlperfError as error:
        raise _fail(error) from None
    if json_file is not None:
        payload = json.dumps({"master": None if chosen is None else str(chosen),
                              "valid": all(r.valid for r in reports),
                              "returns": [json.loads(r.to_json()) for r in reports]},
                             ensure_ascii=False, indent=1)
        if quiet:
            typer.echo(payload)
        else:
            try:
                json_file.write_text(payload, encoding="utf-8")
            except OSError as error:
                raise _fail(XlperfError(f"cannot write {json_file}: "
                                        f"{error.strerror or error}")) from None
    annotated = []
    if annotate is not None:
        from xlperf.validate.annotate import annotate as write_annotated
        from xlperf.validate.returns import UNREADABLE

        for report in reports:
            if any(f.rule in UNREADABLE for f in report.findings):
                continue
            try:
                annotated.append(write_annotated(report, annotate))
            except XlperfError as error:
                err_console().print(f"[yellow]xlperf:[/] {error}")
    codes = []
    for report in reports:
        line, code = _summary(report)
        codes.append(code)
        if quiet:
            continue
        if report.findings:
            table = Table(title=Path(str(report.file)).name, header_style="bold",
                          title_justify="left")
            table.add_column("Cell", no_wrap=True)
            table.add_column("Rule", no_wrap=True)
            table.add_column("Severity", no_wrap=True)
            table.add_column("Message", overflow="fold", max_width=100)
            table.add_column("Value", overflow="fold", max_width=30)
            for f in report.findings:
                severity = "[red]✖ error[/]" if f.severity == "error" else "[yellow]? query[/]"
                where = f"{f.sheet}!{f.cell}" if f.cell else "(file)"
                table.add_row(where, f.rule, severity, f.message, _value(f.value))
            console().print(table)
        console().print(line)
    if not quiet:
        accepted = codes.count(0)
        errors = sum(len(r.errors) for r in reports)
        queries = sum(len(r.queries) for r in reports)
        source = f"master {chosen}" if chosen is not None else (
            "no master (register checks skipped: give --master)")
        console().print(f"[bold]{len(reports)} return{'s' * (len(reports) != 1)}: {accepted} "
                      f"accepted, {codes.count(1)} with errors, {codes.count(2)} could not be "
                      f"read; {errors} errors, {queries} queries[/] (checked against {source})")
        for path in annotated:
            console().print(f"Annotated copy: {path}")
    raise typer.Exit(max(codes))
