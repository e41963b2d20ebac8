"""Returns collection commands: ``returns`` (who owes what, by when) and ``chase`` (remind them).

Exit codes: ``returns`` 0 when every expected return is in, none blank or rejected and no
errors are left; 1 when something is outstanding; 3 when the master cannot be read. ``chase``
0 when every chaser was written (or sent); 1 when some could not be sent; 3 when nothing was
done (the master, the mail server).
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from xlperf.cli._app import (
    ExitCode,
    app,
    console,
    fail,
    plural,
    print_json,
    print_table,
    printable,
    warn,
)
from xlperf.errors import XlperfError

if TYPE_CHECKING:
    from xlperf.collection import CollectionStatus

_OUTCOME_STYLES = {"accepted": "green", "partly accepted": "dark_orange", "rejected": "red",
                   "blank": "red", "not received": "red"}


def _today(value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(f"--today must be a date such as 2013-10-20, not {value!r}",
                   ExitCode.USAGE) from None


def _status(master: Path, period: str | None, today: str | None) -> CollectionStatus:
    from xlperf.council import Council

    try:
        return Council.open(master).collection(period, today=_today(today))
    except XlperfError as error:
        raise fail(error) from None


def _warn_master(status: CollectionStatus) -> None:
    for finding in status.findings.findings:
        where = "!".join(p for p in (finding.sheet, finding.cell) if p)
        warn(f"{finding.rule} {where}: {finding.message}")


@app.command()
def returns(
    master: Annotated[Path, typer.Argument(help="The master workbook.", show_default=False)],
    period: Annotated[str | None, typer.Option(
        help="Period being collected (default: the master's Settings).")] = None,
    today: Annotated[str | None, typer.Option(
        help="Count overdue days as of this date (YYYY-MM-DD; default today).")] = None,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print every expected return as JSON on standard output.")] = False,
) -> None:
    """Who owes which return, by when: per expected return its due date, contact, the file
    received (when, SHA-256), outcome (accepted, partly accepted, rejected, blank, not
    received), working days overdue, errors and queries. Exit code 0: everything in and
    clean; 1: something outstanding; 3: the master cannot be read."""
    from xlperf.collection import contact_text

    status = _status(master, period, today)
    _warn_master(status)
    code = ExitCode.OK if status.complete else ExitCode.FINDINGS
    if as_json:
        print_json("returns", status.to_dict())
        raise typer.Exit(code)
    from rich.table import Table

    table = Table(title=f"Returns for {status.period} (as of {status.today:%d %b %Y})",
                  header_style="bold", title_justify="left")
    for column, justify in (("Return for", "left"), ("Kind", "left"), ("Due", "left"),
                            ("Received", "left"), ("Outcome", "left"),
                            ("Working days overdue", "right"), ("Errors", "right"),
                            ("Queries", "right"), ("Contact", "left")):
        table.add_column(column, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for r in status.returns:
        received = (f"{r.received_at:%d %b %Y %H:%M}\n{printable(r.file.name)}\n"
                    f"SHA-256 {r.sha256[:12]}" if r.file is not None and r.received_at and
                    r.sha256 else "")
        overdue = str(r.days_overdue) if r.days_overdue else ""
        if r.days_overdue and not r.owed:
            overdue += " (late)"
        style = _OUTCOME_STYLES.get(r.outcome, "")
        table.add_row(printable(r.expected.who), r.expected.kind, f"{r.expected.due:%d %b %Y}",
                      received, f"[{style}]{r.outcome}[/]", overdue, str(r.errors),
                      str(r.queries), printable(contact_text(r.expected.contacts)) or
                      "[dim]no contact[/]")
    print_table(table)
    console().print(status.summary, markup=False, highlight=False)
    for report in status.unexpected:
        warn(f"{report.file}: not a return this period expects (kind "
             f"{report.meta.get('kind') or 'unknown'}, for "
             f"{report.meta.get('service') or 'nobody known'})")
    raise typer.Exit(code)


@app.command()
def chase(
    master: Annotated[Path, typer.Argument(help="The master workbook.", show_default=False)],
    period: Annotated[str | None, typer.Option(
        help="Period being collected (default: the master's Settings).")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Folder for the .eml files and annotated copies (default: chasers/"
        "<period> beside the master).")] = None,
    send: Annotated[bool, typer.Option(
        "--send", help="Send them through the SMTP server of the Settings sheet (user and "
        "password from $XLPERF_SMTP_USER and $XLPERF_SMTP_PASSWORD).")] = False,
    again: Annotated[bool, typer.Option(
        "--again", help="With --send: send a reminder that already went today again.")
    ] = False,
    today: Annotated[str | None, typer.Option(
        help="Count overdue days as of this date (YYYY-MM-DD; default today).")] = None,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print each chaser (to, subject, items, file, outcome) as JSON.")
    ] = False,
) -> None:
    """Write one e-mail per contact with something outstanding (a return not received by its
    due date, blank or rejected, errors to fix, queries to answer), each item pinned to its
    cell with the validator's words and the annotated copy attached, as .eml files: a dry
    run. --send sends them (one connection, a bounded rate, each recorded in the ledger; the
    same reminder is not sent twice in a day). Exit code 0: done; 1: some could not be sent;
    3: nothing was done."""
    from xlperf.chasers import SENT, build_chasers, send_chasers, write_chasers

    status = _status(master, period, today)
    _warn_master(status)
    folder = out if out is not None else (
        master.parent / "chasers" / status.period.replace("/", "-"))
    settings = status.settings
    sender = settings.chaser_from or None
    try:
        chasers = build_chasers(status, sender=sender, annotated_dir=folder / "annotated")
        files = write_chasers(chasers, folder)
    except XlperfError as error:
        raise fail(error) from None
    for r in status.returns:
        if not r.expected.contacts and (r.owed or r.report.findings):
            warn(f"no contact for the return of {r.expected.who}: add its e-mail to the "
                 "Contacts sheet (or the owners' or holder's e-mail column)")
    outcomes = None
    if send:
        if not sender:
            raise fail("no From address: set 'Chaser from' on the Settings sheet to send "
                       "chasers")
        starttls = settings.smtp_starttls.casefold() in ("yes", "y", "true", "1")
        if status.ledger is None:  # the Council always names one; a sent chaser is recorded
            raise fail("no ledger to record the chasers sent in")
        try:
            outcomes = send_chasers(
                chasers, status=status, ledger=status.ledger,
                host=settings.smtp_host, port=settings.smtp_port, starttls=starttls,
                sender=sender, per_minute=float(settings.chasers_per_minute), again=again,
                user=os.environ.get("XLPERF_SMTP_USER") or None,
                password=os.environ.get("XLPERF_SMTP_PASSWORD"))
        except XlperfError as error:
            raise fail(error) from None
    by_chaser = {id(o.chaser): o for o in outcomes or ()}
    code = ExitCode.OK
    if outcomes is not None and any(o.outcome not in (SENT, "already sent today")
                                    for o in outcomes):
        code = ExitCode.FINDINGS
    if as_json:
        print_json("chase", {"master": str(master), "period": status.period,
                             "folder": str(folder), "sent": send, "chasers": [
            {"to": c.to.email, "name": c.to.name, "subject": c.subject,
             "file": str(f), "attachments": [str(a) for a in c.attachments],
             "items": [i.to_dict() for i in c.items],
             "outcome": by_chaser[id(c)].outcome if id(c) in by_chaser else "written",
             "detail": by_chaser[id(c)].detail if id(c) in by_chaser else ""}
            for c, f in zip(chasers, files, strict=True)]})
        raise typer.Exit(code)
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"Chasers for {status.period}", header_style="bold",
                  title_justify="left")
    for column in ("To", "Items", "Attachments", "File", *(("Outcome",) if send else ())):
        table.add_column(column, overflow="fold")
    for chaser, path in zip(chasers, files, strict=True):
        row = [escape(chaser.to.email), str(len(chaser.items)), str(len(chaser.attachments)),
               escape(path.name)]
        if send:
            o = by_chaser[id(chaser)]
            row.append(escape(o.outcome + (f": {o.detail}" if o.detail else "")))
        table.add_row(*row)
    if chasers:
        print_table(table)
    sent = sum(o.outcome == SENT for o in outcomes or ())
    console().print(f"{plural(len(chasers), 'chaser')} written to {folder}"
                    + (f"; {sent} sent" if send else " (a dry run: --send sends them)"),
                    markup=False, highlight=False)
    raise typer.Exit(code)
