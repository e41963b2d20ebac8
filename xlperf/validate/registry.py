"""The register of checks: each rule of the catalogue is made by one registered check.

A check is one unit: it declares its catalogue id, the family of rules it belongs to, the
columns of the family's frame it reads (``needs``) and the cell its finding names, and it
returns the failing rows with the fields its message template needs. The engine
(:mod:`xlperf.validate.engine`) runs the checks of a family over the frame of a batch of
returns and makes every finding the same way.

Two kinds are registered here:

- :func:`check`: a vectorised check over a family's frame (``FILE``, ``ID``, ``PERF``,
  ``FIN``, ``CAP``), run by the engine; with ``pandera=True`` it runs inside the family's
  pandera schema (as a :class:`~xlperf.catalogue.schemas.RowRule`);
- :func:`made_by`: the rules a reader makes while it reads (the master's ``REG`` rules in
  :mod:`xlperf.read.master`, ``import-history``'s ``HIST`` rules, the file-safety rules of
  :func:`~xlperf.validate.files.check_file`, the milestones' ``MIL`` rules of
  :mod:`xlperf.validate.mil_rules`): the function that makes them is named, so the
  catalogue and the code cannot drift apart (``tests/test_catalogue.py`` checks both ways).

Plain Python, no pandas: the readers import it at no cost.

>>> from xlperf.validate.registry import registered
>>> registered()["PERF-008"].family, registered()["PERF-008"].cell
('PERF', 'Actual')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any, TypeVar

__all__ = ["FAMILIES", "Check", "check", "made_by", "registered"]

#: The families of rules, each checked in its own module (REG and HIST by their readers).
FAMILIES = ("FILE", "ID", "PERF", "FIN", "CAP", "REG", "HIST", "MIL")
# The modules that register checks: importing them fills the register.
_MODULES = ("xlperf.validate.files", "xlperf.validate.file_rules", "xlperf.validate.id_rules",
            "xlperf.validate.perf_rules", "xlperf.validate.perf_history",
            "xlperf.validate.fin_rules",
            "xlperf.validate.cap_rules", "xlperf.validate.signoff", "xlperf.read.master",
            "xlperf.validate.mil_rules", "xlperf.read._master_milestones",
            "xlperf.read._master_judgements",
            "xlperf.ledger._history",
            "xlperf.refresh")

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Check:
    """One registered check: the rule it makes and how.

    ``fn`` is the check itself. For a frame check it takes the family's frame (and the
    batch) and returns a boolean mask of the failing rows, or a frame of the failing rows
    (its index a subset of the frame's) with the fields it works out for the message; the
    engine takes every other field the rule's template names from the frame's columns of
    that name. ``cell`` is the return's column the finding names (a returned ``at`` column
    names it row by row), ``value`` the frame's column whose value the finding quotes
    (``None``: the cell's value as typed). ``alone``: a row this check fails gets no other
    finding of the family but those marked ``always``. ``explain`` (pandera checks) works
    out the fields of the rows pandera found failing. For a rule made by a reader
    (:func:`made_by`) ``fn`` is that reader.
    """

    rule: str
    family: str
    fn: Callable[..., Any]
    needs: tuple[str, ...] = ()
    cell: str | None = None
    value: str | None = None
    pandera: bool = False
    alone: bool = False
    always: bool = False
    explain: Callable[..., Any] | None = None
    reader: bool = False
    kinds: tuple[str, ...] = ()  # the returns it checks: "performance", "finance"


_REGISTER: dict[str, Check] = {}
_KINDS = {"PERF": ("performance",), "FIN": ("finance",), "CAP": ("finance",)}


def _add(item: Check) -> None:
    known = _REGISTER.get(item.rule)
    if known is not None and known.reader and item.reader:
        return  # a rule two readers make (REG-001: a sheet without its header row)
    if known is not None and known.fn is not item.fn and (
            known.fn.__module__, known.fn.__qualname__) != (item.fn.__module__,
                                                          item.fn.__qualname__):
        raise ValueError(f"{item.rule} is made by {known.fn.__qualname__} already")
    if item.family not in FAMILIES:
        raise ValueError(f"{item.rule}: family {item.family!r} is not one of {FAMILIES}")
    _REGISTER[item.rule] = item


def check(rule: str, *, family: str | None = None, needs: tuple[str, ...] = (),
          cell: str | None = None, value: str | None = None, pandera: bool = False,
          alone: bool = False, always: bool = False,
          explain: Callable[..., Any] | None = None,
          kinds: tuple[str, ...] | None = None) -> Callable[[F], F]:
    """Register a frame check for catalogue rule ``rule`` (see :class:`Check`).

    >>> @check("PERF-999", family="PERF", needs=("Actual",), cell="Actual")
    ... def negative(rows, batch):
    ...     return rows["Actual"] < 0
    >>> registered()["PERF-999"].needs
    ('Actual',)
    >>> _ = _REGISTER.pop("PERF-999")
    """

    name = family or rule.split("-")[0]

    def register(fn: F) -> F:
        _add(Check(rule, name, fn, tuple(needs), cell, value, pandera, alone, always, explain,
                   kinds=kinds or _KINDS.get(name) or ("performance", "finance")))
        return fn

    return register


def made_by(*rules: str, family: str | None = None) -> Callable[[F], F]:
    """Register the reader function that makes ``rules`` as it reads (``REG``, ``HIST`` and
    the file-safety rules): ``@made_by("REG-004", "REG-005")`` above it."""

    def register(fn: F) -> F:
        for rule in rules:
            _add(Check(rule, family or rule.split("-")[0], fn, reader=True))
        return fn

    return register


def registered(family: str | None = None) -> dict[str, Check]:
    """Every registered check by rule id (of one ``family``), the modules that register
    them imported first."""
    for name in _MODULES:
        import_module(name)
    return {rule: item for rule, item in _REGISTER.items()
            if family is None or item.family == family}


def checks_for(kind: str) -> list[Check]:
    """The frame checks of a ``kind`` of return (``performance``, ``finance``: revenue and
    capital) in rule order, as registered so far (the engine's caller imports the families)."""
    return sorted((c for c in _REGISTER.values() if kind in c.kinds and not c.reader),
                  key=lambda c: c.rule)
