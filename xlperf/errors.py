"""Exceptions: only for what cannot go on.

Problems found *in* a return or a register are data (findings), never exceptions. An exception
means xlperf cannot continue with what it was given, and its message says why in plain words::

    XlperfError                 everything xlperf raises derives from this
    ├── InputError              a value a person typed cannot be understood (also a ValueError)
    │   ├── PolarityError       "polarity 'sideways' is not one of ..."
    │   ├── PeriodError         "'Q5 2013/14' is not a period xlperf recognises ..."
    │   └── SchemeError         "scheme 'traffic' is not defined ..."
    ├── WorkbookError           a file cannot be read or written as a workbook
    ├── LedgerError             the ledger is damaged, missing, empty or cannot be written
    └── BusyError               the master is open in Excel or another refresh holds the lock

Third-party errors (zipfile, openpyxl, calamine, xlwings) are translated into these at the one
I/O boundary that calls them, so no library traceback reaches a user.
"""

from __future__ import annotations


class XlperfError(Exception):
    """Root of every exception xlperf raises on purpose."""


class InputError(XlperfError, ValueError):
    """A value typed by a person (polarity, period, scheme, tolerance...) cannot be understood."""


class PolarityError(InputError):
    """A polarity word is not one xlperf knows."""


class PeriodError(InputError):
    """A period cannot be parsed or is ambiguous without more context."""


class SchemeError(InputError):
    """A status scheme is not defined or its definition is inconsistent."""


class WorkbookError(XlperfError):
    """A workbook cannot be read or written.

    Keyword-only context (``file``, ``sheet``) is kept on the exception for callers that want it.
    """

    def __init__(self, message: str, *, file: str | None = None, sheet: str | None = None):
        super().__init__(message)
        self.file = file
        self.sheet = sheet


class LedgerError(XlperfError):
    """The ledger cannot be used: damaged (fails SQLite's check), empty or missing where the
    master says it had one, read-only, or the disk is full. Nothing was written into it."""


class BusyError(XlperfError):
    """The master workbook is in use (open in Excel, or locked by another refresh)."""
