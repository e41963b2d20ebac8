"""Validation commands: ``rules`` (the rule catalogue)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from xlperf.cli._app import _fail, app, console
from xlperf.errors import XlperfError


@app.command()
def rules(
    as_json: Annotated[bool, typer.Option("--json", help="Print the catalogue as JSON.")] = False,
    applies_to: Annotated[str | None, typer.Option(
        "--applies-to", help="Only rules for: all, performance or finance returns.")] = None,
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
    table = Table(title="xlperf validation rules", header_style="bold", show_lines=True)
    for column, width in (("Rule", None), ("Severity", None), ("Title", 28), ("Message", 60),
                          ("How to fix", 48), ("Applies to", None)):
        table.add_column(column, max_width=width, no_wrap=width is None)
    for rule in chosen:
        severity = "[red]✖ error[/]" if rule.severity == "error" else "[yellow]? query[/]"
        table.add_row(rule.id, severity, rule.title, rule.message, rule.how_to_fix,
                      rule.applies_to)
    console.print(table)
    errors = sum(r.severity == "error" for r in chosen)
    console.print(f"{len(chosen)} rules: {errors} errors (block acceptance of the row), "
                  f"{len(chosen) - errors} queries (accepted, ask the service to confirm).")
