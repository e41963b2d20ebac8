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

Third-party errors (zipfile, openpyxl, calamine, lxml, defusedxml, the operating system) are
translated here and only here: :func:`library_errors` names what each library raises for a file
it cannot read (by family), and :func:`translated` (a context manager, as httpx maps its
transports' errors) turns them into a :class:`WorkbookError` (or another class) worded by the
caller, so no library traceback reaches a user::

    >>> with translated("r.xlsx", "{file}: not a workbook xlperf can read ({error})"):
    ...     raise __import__("zipfile").BadZipFile("File is not a zip file")
    Traceback (most recent call last):
    xlperf.errors.WorkbookError: r.xlsx: not a workbook xlperf can read (File is not a zip file)

A check that makes findings rather than exceptions catches ``library_errors(...)`` itself.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator, Mapping
from types import EllipsisType


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


# ----------------------------------------------------------------- library errors, by family
# The words for what most readers meet (``{file}`` as the caller names the file).
NOT_A_WORKBOOK = "{file}: not a workbook xlperf can read ({error})"
PASSWORD = "{file}: the workbook is password-protected (encrypted); save an unprotected copy"
SHEET_NOT_READABLE = "{file}: cannot read sheet {sheet!r} ({error})"
FAMILIES = ("calamine", "password", "zip", "xml", "lxml", "dtd", "openpyxl", "os", "missing",
            "denied", "value", "unicode", "lookup", "type")


@functools.cache
def library_errors(*families: str) -> tuple[type[BaseException], ...]:
    """The exception classes the libraries raise for a file they cannot read, by family.

    ``calamine`` (python-calamine; ``password`` its encrypted-workbook error), ``zip`` (zipfile,
    zlib and a truncated or unsupported member), ``xml`` (lxml, ElementTree and defusedxml;
    ``dtd`` defusedxml's refusals alone), ``openpyxl`` (what ``load_workbook`` raises for a
    damaged package), ``os`` (``missing`` and ``denied`` its two common cases), and the built-in
    ``value``, ``unicode``, ``lookup`` (KeyError, IndexError) and ``type``. The libraries are
    imported on first use, so importing :mod:`xlperf.errors` stays light.

    >>> import zipfile
    >>> zipfile.BadZipFile in library_errors("zip") and OSError in library_errors("os")
    True
    """
    found: list[type[BaseException]] = []
    for family in families:
        found.extend(_family(family))
    return tuple(dict.fromkeys(found))


def _family(name: str) -> tuple[type[BaseException], ...]:
    import struct
    import zipfile
    import zlib

    if name == "calamine":
        import python_calamine as pc

        return (pc.CalamineError,)
    if name == "password":
        import python_calamine as pc

        return (pc.PasswordError,)
    if name == "zip":
        return (zipfile.BadZipFile, zlib.error, EOFError, struct.error, NotImplementedError)
    if name == "dtd":
        import defusedxml

        return (defusedxml.DTDForbidden, defusedxml.EntitiesForbidden,
                defusedxml.ExternalReferenceForbidden)
    if name == "xml":
        from xml.etree.ElementTree import ParseError

        import defusedxml

        return (ParseError, defusedxml.DefusedXmlException)
    if name == "lxml":
        from lxml import etree

        return (etree.XMLSyntaxError,)
    if name == "openpyxl":
        # load_workbook lets through what its zip, XML and part readers raise.
        from openpyxl.utils.exceptions import InvalidFileException

        return (InvalidFileException, *_family("zip"), *_family("xml"), *_family("lxml"),
                KeyError, IndexError,
                ValueError, TypeError, AttributeError, OSError)
    simple: Mapping[str, tuple[type[BaseException], ...]] = {
        "os": (OSError,), "missing": (FileNotFoundError,), "denied": (PermissionError,),
        "value": (ValueError,), "unicode": (UnicodeError,), "lookup": (KeyError, IndexError),
        "type": (TypeError,)}
    if name not in simple:
        raise ValueError(f"no family of library errors called {name!r} (one of {FAMILIES})")
    return simple[name]


@contextlib.contextmanager
def translated(file: object, message: str | Mapping[str, str] = "{file}: {error}", *,
               families: tuple[str, ...] = ("calamine", "zip", "xml", "os", "value"),
               sheet: str | None = None, into: type[XlperfError] = WorkbookError,
               chain: bool = False, record: str | None | EllipsisType = ...,
               **fields: object) -> Iterator[None]:
    """Turn what a library raises inside the block into one of xlperf's exceptions.

    ``message`` is the caller's wording, with ``{file}``, ``{sheet}``, ``{error}`` (the library's
    text), ``{strerror}`` (the operating system's words, else the error's text) and any other
    keyword given (``part="xl/workbook.xml"`` for ``{part}``); a mapping
    words each family differently (the first family the error belongs to, in the mapping's
    order, wins; ``"*"`` for the rest). An :class:`XlperfError` raised inside passes unchanged;
    an error of no family in ``families`` (or the mapping's keys) is a bug and passes too.
    ``into`` is the class raised (a :class:`WorkbookError` keeps ``file``, or ``record`` when
    that differs from the name worded, and ``sheet``); ``chain`` keeps the library's error as
    the cause (``from error``), else it is hidden (``from None``).

    >>> with translated("r.xlsx", {"missing": "{file}: no such file", "*": "{file}: {error}"},
    ...                 families=("os",)):
    ...     open("/no/such/r.xlsx")
    Traceback (most recent call last):
    xlperf.errors.WorkbookError: r.xlsx: no such file
    """
    words = {"*": message} if isinstance(message, str) else dict(message)
    try:
        yield
    except XlperfError:
        raise
    except Exception as error:
        # The families are looked up only now, so a block that raises nothing imports nothing.
        if not isinstance(error, library_errors(*families, *(k for k in words if k != "*"))):
            raise
        template = next((text for family, text in words.items()
                         if family != "*" and isinstance(error, library_errors(family))),
                        words.get("*", "{file}: {error}"))
        text = template.format(file=file, sheet=sheet, error=error,
                               strerror=getattr(error, "strerror", None) or error, **fields)
        recorded = str(file) if isinstance(record, EllipsisType) else record
        exc: XlperfError = (into(text, file=recorded, sheet=sheet)
                            if issubclass(into, WorkbookError) else into(text))
        raise exc from (error if chain else None)
