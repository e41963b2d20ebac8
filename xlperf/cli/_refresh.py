"""``xlperf refresh`` without typer: the command's work and printing, and a parser for its
plain command lines, so a refresh does not spend a third of a second loading typer and pydantic
before it starts.

:func:`main <xlperf.cli.main>` tries :func:`plain_refresh` (after
:func:`~xlperf.cli._status.fast_status`). It takes only command lines it understands exactly:
global ``-q``/``-v``, then ``refresh`` with one master and its options as ``--option value``
(``--returns`` repeated, the others once). For anything else (``--help``, ``--option=value``,
an unknown or repeated option, a value that starts with ``-`` or is empty, a count that is
not a plain number, and on Windows a word typer would expand: ``~``, ``$``, ``%``, ``*``,
``?``, ``[``) it answers ``None`` and the typer app runs, so help, error messages and exit
codes are typer's own. Both run :func:`run_refresh` (the typer command ``xlperf refresh`` in
:mod:`xlperf.cli.refresh` calls it), so they print the same bytes
(``tests/test_cli_refresh_plain.py`` compares them).
"""

from __future__ import annotations

import errno
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xlperf._words import plural
from xlperf.cli._out import (
    OPTIONS,
    ExitCode,
    console,
    print_json,
    print_table,
    printable,
    set_options,
    show_error,
)
from xlperf.cli._status import global_flags

if TYPE_CHECKING:
    from rich.table import Table

__all__ = ["plain_refresh", "print_result", "run_refresh", "run_with_progress",
           "summary_tables"]


def run_with_progress(call: Any) -> Any:
    """Run ``call(progress)`` with a rich progress bar (on a terminal only, and not under
    ``-q``: a pipe or log gets the result, not a bar's leftovers)."""
    if OPTIONS.quiet or not console().is_terminal:
        return call(None)
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=console(), transient=True) as bar:
        task = bar.add_task("Refreshing", total=1.0)

        def progress(message: str, fraction: float) -> None:
            bar.update(task, description=message, completed=fraction)

        return call(progress)


def summary_tables(result: Any) -> list[Table]:
    """The summary of a :class:`~xlperf.refresh.RefreshResult`: files, counts, changes (each
    text from a return through :func:`~xlperf.cli._out.printable`)."""
    from rich.table import Table

    files = Table(title=f"Returns for {result.period}", header_style="bold",
                  title_justify="left")
    for column, justify in (("File", "left"), ("Kind", "left"), ("Outcome", "left"),
                            ("Rows in", "right"), ("Rows rejected", "right"),
                            ("Errors", "right"), ("Queries", "right")):
        files.add_column(column, justify=justify, overflow="fold")  # type: ignore[arg-type]
    colours = {"accepted": "green", "partly accepted": "dark_orange", "rejected": "red",
               "skipped": "dim"}
    for f in result.files:
        files.add_row(printable(f.name), f.kind, f"[{colours[f.outcome]}]{f.outcome}[/]"
                      + (printable(f" ({f.note})") if f.note else ""),
                      str(f.accepted_rows), str(f.rejected_rows),
                      str(len(f.report.errors)), str(len(f.report.queries)))
    counts = Table(title="Refresh", header_style="bold", title_justify="left", show_header=False)
    counts.add_column("What")
    counts.add_column("", justify="right")
    c = result.counts
    for label, key in (("Values recorded", "recorded"), ("Values unchanged (already in the "
                       "ledger)", "unchanged"), ("Restatements", "restatements"),
                       ("Statuses re-rated", "re-rated"), ("Measures scored", "measures")):
        counts.add_row(label, str(c[key]))
    counts.add_row("Time", f"{result.timings.get('total', 0):.2f} s "
                   f"(validate {result.timings.get('validate', 0):.2f} s, write "
                   f"{result.timings.get('write', 0):.2f} s)")
    tables = [files, counts]
    if result.status_changes:
        changes = Table(title="Status changes", header_style="bold", title_justify="left")
        changes.add_column("Change", overflow="fold")
        for change in result.status_changes:
            changes.add_row(printable(change))
        tables.append(changes)
    if len(result.restatements):
        restated = Table(title="Restatements", header_style="bold", title_justify="left")
        for column in ("Code", "Period", "Was", "Now", "From"):
            restated.add_column(column, overflow="fold")
        for row in result.restatements.to_dict("records"):
            restated.add_row(printable(row["code"]), printable(row["period"]),
                             f"{row['previous']:g}" if row["previous"] == row["previous"] else
                             printable(row["previous_reason"]),
                             f"{row['value']:g}" if row["value"] == row["value"] else
                             printable(row["no_data_reason"]), printable(row["source_file"]))
        tables.append(restated)
    return tables


def print_result(result: Any) -> None:
    """Print the summary tables, statuses and each rejected return's first errors."""
    for table in summary_tables(result):
        print_table(table)
    statuses = ", ".join(f"{k[7:]} {v}" for k, v in result.counts.items()
                         if k.startswith("status "))
    console().print(f"Statuses: {statuses}", highlight=False)
    from xlperf._words import refresh_counts

    said = refresh_counts(result.counts, not_received=result.not_received, blank=result.blank)
    console().print(f"{said}.", markup=False, highlight=False)
    rejected = [f for f in result.files if f.report.errors]
    for f in rejected:
        console().print(f"[bold]{printable(f.name)}[/]: "
                        f"{plural(len(f.report.errors), 'error')}")
        for finding in f.report.errors[:5]:
            where = "!".join(p for p in (finding.sheet, finding.cell) if p)
            console().print(f"  [red]{finding.rule}[/] {printable(where)}: "
                            f"{printable(finding.message)}", highlight=False)
        if len(f.report.errors) > 5:
            console().print(f"  … and {len(f.report.errors) - 5} more (see the Log sheet)")
    if result.quarantine is not None:
        console().print(f"Annotated copies of the returns with errors: {result.quarantine}",
                        markup=False)
    for warning in result.warnings:  # what the user had typed on an output sheet
        console().print(f"[yellow]Warning[/] {printable(warning)}", highlight=False)
    console().print(f"Refreshed workbook: {result.output or result.workbook} "
                    f"(ledger {result.ledger})", markup=False)


def run_refresh(master: Path, *, returns: list[Path] | None = None, period: str | None = None,
                rescore_history: bool = False, backups: int = 5, ledger: Path | None = None,
                as_json: bool = False, new_ledger: bool = False) -> ExitCode:
    """Run ``xlperf refresh`` (its options as keywords) and answer its exit code: 0 refreshed,
    nothing rejected; 1 refreshed, with returns or rows rejected; 3 the refresh could not run
    (the one-line message is printed on standard error)."""
    from xlperf.council import Council
    from xlperf.errors import XlperfError
    from xlperf.refresh import result_dict

    try:
        council = Council.open(master)
        if as_json:
            result = council.refresh(backups=backups, returns=returns, period=period,
                                     ledger=ledger, rescore_history=rescore_history,
                                     new_ledger=new_ledger)
        else:
            result = run_with_progress(lambda progress: council.refresh(
                backups=backups, returns=returns, period=period, ledger=ledger,
                rescore_history=rescore_history, progress=progress, new_ledger=new_ledger))
    except XlperfError as error:
        show_error(error)  # the message as written, never as markup
        return ExitCode.CANNOT_RUN
    if as_json:
        print_json("refresh", result_dict(result))
    else:
        print_result(result)
    return ExitCode.OK if result.ok else ExitCode.FINDINGS


_FLAGS = {"--rescore-history": "rescore_history", "--json": "as_json",
          "--new-ledger": "new_ledger"}
_VALUED = {"--period": "period", "--backups": "backups", "--ledger": "ledger",
           "--returns": "returns"}
_COUNT = re.compile(r"\d{1,9}")
# What typer's Windows command line expands (user, variables, wildcards): typer's to do.
_EXPANDED = re.compile(r"[~$%*?\[]")


def _parse(argv: list[str]) -> tuple[tuple[bool, bool], dict[str, Any]] | None:
    """``((quiet, verbose), keywords of run_refresh)`` of a plain ``refresh`` command line, or
    None where typer must read it."""
    found = global_flags(argv)
    if found is None:
        return None
    flags, i = found
    if i >= len(argv) or argv[i] != "refresh":
        return None
    rest = argv[i + 1:]
    if os.name == "nt" and any(_EXPANDED.search(token) for token in rest):
        return None
    masters: list[str] = []
    given: dict[str, Any] = {}
    j = 0
    while j < len(rest):
        token = rest[j]
        if token.startswith("-") and token != "-":
            if token in _FLAGS and _FLAGS[token] not in given:
                given[_FLAGS[token]] = True
            elif token in _VALUED and (token == "--returns" or _VALUED[token] not in given) \
                    and j + 1 < len(rest) and rest[j + 1] and not rest[j + 1].startswith("-"):
                value = rest[j + 1]
                if token == "--returns":
                    given.setdefault("returns", []).append(Path(value))
                elif token == "--backups":
                    if not _COUNT.fullmatch(value):
                        return None
                    given["backups"] = int(value)
                else:
                    given[_VALUED[token]] = Path(value) if token == "--ledger" else value
                j += 1
            else:  # --help, --option=value, a repeat, an unknown option: typer says what it is
                return None
        elif token:
            masters.append(token)
        else:
            return None
        j += 1
    if len(masters) != 1:
        return None
    return ("quiet" in flags, "verbose" in flags), {"master": Path(masters[0]), **given}


def plain_refresh(argv: list[str]) -> Callable[[], int] | None:
    """For a plain ``xlperf refresh`` command line, the run of it without typer (set the global
    options, refresh, answer the exit code); ``None`` where the typer app must run instead.

    >>> plain_refresh(["refresh", "--help"]) is None
    True
    """
    parsed = _parse(argv)
    if parsed is None:
        return None
    (quiet, verbose), keywords = parsed

    def run() -> int:
        set_options(quiet, verbose)
        try:
            return run_refresh(**keywords)
        except KeyboardInterrupt:  # as typer: exit code 130, nothing printed
            return 130
        except OSError as error:
            if error.errno != errno.EPIPE:
                raise
            # The reader of a pipe went away (as typer: exit code 1, and nothing more written).
            _silence_stdout()
            return 1

    return run


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, AttributeError, ValueError):
        pass
