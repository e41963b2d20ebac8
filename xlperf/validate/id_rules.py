"""The ID family: is this an xlperf return, of this period, from this service?

Made as the return is read, before its table is looked at (:func:`read_identity`,
:func:`check_identity`, :func:`check_period_cell`): not a return (``FILE-011``), an
out-of-date template or register (``FILE-012``), the wrong period (``FILE-013``), the wrong
service (``FILE-014``). ``FILE-011``, ``FILE-013`` and ``FILE-014`` stop the file.
"""

from __future__ import annotations

from typing import Any

from xlperf.core.columns import fold
from xlperf.errors import InputError
from xlperf.layout import RETURN_SHEETS as _DATA_SHEET
from xlperf.validate._frames import _blank, _fold, _period_text, _shown, _text
from xlperf.validate.registry import made_by

__all__ = ["check_identity", "check_period_cell", "read_identity"]


@made_by("FILE-011", family="ID")
def read_identity(file: Any, source: Any) -> None:
    """The return's identity (hidden ``xlperf`` sheet, else document properties) and its
    data sheet; ``FILE-011`` when it is not an xlperf return."""
    from xlperf.identity import IDENTITY_SHEET
    from xlperf.read import find_sheet
    from xlperf.read.returns import ReadReturn, identity_of

    properties = source.properties()
    names = source.names()
    file.read = ReadReturn(file.path, names, properties)
    hidden = find_sheet(names, IDENTITY_SHEET)
    raw = None
    if hidden is not None:
        raw = source.grid(hidden)
        file.read.grids[hidden] = raw
    identity = identity_of(properties, raw)
    file.identity = identity
    kind = identity.get("kind", "")
    if not identity.get("template_id") and kind not in _DATA_SHEET:
        shown = ", ".join(f"'{n}'" for n in names[:5]) + (" …" if len(names) > 5 else "")
        file.add("FILE-011", detail=f"it has no xlperf identity (no hidden 'xlperf' sheet or "
                                    f"document properties); its sheets are {shown}")
        file.stop = True
        return
    if kind not in _DATA_SHEET:
        file.add("FILE-011", detail=f"its template kind is '{kind or 'blank'}', not a "
                                    "performance, finance or capital return")
        file.stop = True
        return
    wanted = identity.get("sheet") or _DATA_SHEET[kind]
    sheet = find_sheet(names, wanted) or find_sheet(names, _DATA_SHEET[kind])
    if sheet is None:
        file.add("FILE-011", detail=f"its '{wanted}' sheet, where the figures go, is missing")
        file.stop = True
        return
    file.kind, file.sheet = kind, sheet


@made_by("FILE-012", "FILE-014", family="ID")
def check_identity(file: Any, facts: Any, *, period: Any,
                    service: str | None) -> None:
    from xlperf import __version__
    from xlperf.core.periods import parse_period

    identity = file.identity
    found_version = identity.get("xlperf_version", "")
    problems_found, problems_expected = [], []
    if found_version and found_version != __version__:
        problems_found.append(found_version)
        problems_expected.append(__version__)
    if facts is not None and identity.get("register_hash") and \
            identity["register_hash"] != facts.register_hash:
        problems_found.append(f"{found_version or '?'} (register {identity['register_hash']})")
        problems_expected.append(f"{__version__} (register {facts.register_hash})")
    if problems_found:
        file.add("FILE-012", found=problems_found[-1], expected=problems_expected[-1])
    wanted = period if period is not None else (facts.period if facts is not None else None)
    if wanted is not None:
        try:
            want = parse_period(wanted)
            got = parse_period(identity.get("period", ""))
            if got.format("iso") != want.format("iso"):
                file.add("FILE-013", sheet=file.sheet, cell="B3", value=identity.get("period"),
                         found=got.format(), period=want.format())
                file.stop = True
        except InputError:
            file.add("FILE-013", sheet=file.sheet, cell="B3", value=identity.get("period"),
                     found=f"'{identity.get('period', '')}'", period=_period_text(wanted))
            file.stop = True
    who = identity.get("service", "")
    if service is not None and fold(who) != fold(service):
        file.add("FILE-014", sheet=file.sheet, cell="A1", found=who or "no service",
                 service=service)
        file.stop = True
    elif facts is not None and service is None:
        from xlperf.identity import CAPITAL_OWNER

        known, expected = {
            "performance": (facts.services, "a service of the master's register"),
            "finance": (facts.holders, "a budget holder of the master's Budget sheet"),
            "capital": (frozenset({CAPITAL_OWNER}) if len(facts.capital) else frozenset(),
                        "the capital programme of the master's Capital sheet")}[file.kind]
        if known and who not in known:
            file.add("FILE-014", sheet=file.sheet, cell="A1", found=who or "no service",
                     service=expected)
            file.stop = True


@made_by("FILE-013", family="ID")
def check_period_cell(file: Any, facts: Any, grid: list[list[Any]], *,
                       period: Any) -> None:
    """FILE-013 when the period the sheet shows (``B3``, beside ``Period`` in ``A3``) is not
    the period being collected (or, with none given, the template's own): the identity is
    hidden, so a service that retypes B3 to send another period's figures is caught here."""
    from xlperf.core.periods import parse_period

    if len(grid) < 3 or len(grid[2]) < 2 or not isinstance(grid[2][0], str) or \
            _fold(grid[2][0]) != "period" or _blank(grid[2][1]):
        return
    shown = grid[2][1]
    wanted = period if period is not None else (
        facts.period if facts is not None else file.identity.get("period"))
    try:
        want = parse_period(wanted)
    except InputError:
        return  # a wanted period that cannot be read is FILE-013's already
    try:
        got = parse_period(shown)
    except InputError:
        found = f"'{_text(shown)}'"
    else:
        if got.format("iso") == want.format("iso"):
            return
        found = got.format()
    file.add("FILE-013", sheet=file.sheet, cell="B3", value=_shown(shown), found=found,
             period=want.format())
    file.stop = True
