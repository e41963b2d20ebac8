"""``xlperf refresh``: the one-click refresh from the command line (scheduled runs, CI).

Exit codes: 0 refreshed, nothing rejected; 1 refreshed, but returns (or rows of them) were
rejected (their annotated copies are in the quarantine folder); 3 the refresh could not run
(the master is open in Excel, locked, unreadable, no reporting period...).

The command's work and printing are :func:`xlperf.cli._refresh.run_refresh`, which a plain
command line runs without typer (:func:`xlperf.cli._refresh.plain_refresh`); this is the typer
command over it (help, and the command lines the plain path leaves to typer).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from xlperf.cli._app import app
from xlperf.cli._refresh import run_refresh


@app.command("refresh")
def refresh_command(
    master: Annotated[Path, typer.Argument(help="The master workbook (.xlsx or .xlsm).")],
    returns: Annotated[list[Path] | None, typer.Option(
        "--returns", help="A returns folder or file (repeat for more); default: the "
                          "Settings' Returns folder.")] = None,
    period: Annotated[str | None, typer.Option(
        help="Reporting period, e.g. 'Q2 2013/14' (default: the Settings').")] = None,
    rescore_history: Annotated[bool, typer.Option(
        "--rescore-history", help="Re-rate past periods with today's targets, tolerances "
                                  "and schemes (default: they keep their frozen statuses).")
    ] = False,
    backups: Annotated[int, typer.Option(help="Timestamped backups of the master to keep in "
                                              "backups/ beside it.")] = 5,
    ledger: Annotated[Path | None, typer.Option(help="The ledger (default: the Settings' "
                                                     "Ledger path, or beside the master).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    new_ledger: Annotated[bool, typer.Option(
        "--new-ledger", help="Start a new, empty ledger on purpose when the master's Log "
                             "says it had one that is now missing or empty.")] = False,
) -> None:
    """Refresh the master's Scorecard, Objectives, Exceptions, Finance and Log sheets from the
    returns, without Excel: validate, record in the ledger, score, write losslessly.

    Exit code 0 when every return was accepted, 1 when returns or rows were rejected (see the
    Log sheet and the quarantine folder), 3 when the refresh could not run."""
    raise typer.Exit(run_refresh(master, returns=returns, period=period,
                                 rescore_history=rescore_history, backups=backups,
                                 ledger=ledger, as_json=as_json, new_ledger=new_ledger))
