"""The rule catalogue: ``validation/rules.csv`` loaded as :class:`Rule` objects.

The catalogue is data a council analyst can read in Excel: one row per rule with a stable id
(``FILE-001``, ``PERF-005``, ``FIN-002``...), a severity (``error`` blocks acceptance of that
row; ``query`` is accepted but asks the service to confirm or explain), a title, a plain-English
message template, a short how-to-fix and what kind of return it applies to. Every finding a
validator makes comes from :meth:`Rule.finding`, so the wording lives in the catalogue, not in
the code.

Installed, the folder is the package ``xlperf.catalogue``; in a bare source tree (not
installed) it is found beside the ``xlperf`` package.
"""

from __future__ import annotations

import csv
import io
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from xlperf.errors import InputError
from xlperf.findings import ERROR, QUERY, Finding, Severity
from xlperf.layout import visible_controls

__all__ = ["APPLIES_TO", "CATALOGUE_COLUMNS", "FIXED_RULES", "Rule", "catalogue_text",
           "load_rules", "with_overrides"]

CATALOGUE_COLUMNS = ("id", "severity", "title", "message", "how_to_fix", "applies_to")
# The returns a rule checks; ``history`` is ``import-history``'s, ``master`` the master
# workbook's own sheets (read by ``xlperf.read.master``).
APPLIES_TO = ("all", "performance", "finance", "history", "master")
# File-safety rules: a council cannot lower these to queries (the file is never opened).
FIXED_RULES = frozenset(f"FILE-{n:03d}" for n in range(1, 11))

_FORMATTER = string.Formatter()


# Past this a number is shown with an exponent (1e+308, not 309 digits).
_HUGE = 1e15
# A cell's value quoted in a message is cut to this many characters (a cell may hold
# 32,767; the message names the cell, so its start is enough to recognise it).
VALUE_SHOWN = 100


def _show(value: Any) -> str:
    """A value as a person reads it in a message: ``68.04``, ``12``, ``blank``, ``1e+308``.

    >>> _show(125430.0), _show(1e308), _show(-0.0), _show("350\\x07")
    ('125,430', '1e+308', '0', '350␇')
    """
    if value is None:
        return "blank"
    if isinstance(value, float):
        if value != value:
            return "blank"
        value += 0.0  # -0.0 is shown as 0
        if abs(value) >= _HUGE:
            return f"{value:.6g}"
        return f"{value:,.0f}" if value.is_integer() and abs(value) >= 10_000 else f"{value:g}"
    return visible_controls(str(value))  # a pasted BEL shown as ␇, never an invisible one


def _quoted(value: Any) -> Any:
    """A cell's value for a message: long text cut to :data:`VALUE_SHOWN` characters."""
    if isinstance(value, str) and len(value) > VALUE_SHOWN:
        return f"{value[:VALUE_SHOWN]}… ({len(value):,} characters)"
    return value


_CAPITAL = "capital"


def _closed_up(template: str, fields: Mapping[str, Any]) -> str:
    """``template`` with each field given blank (a row with no period or no code: a total
    row a service added) taken out where the sentence reads whole without it: at the start
    (the next word then capitalised) or after "for ". Elsewhere a blank stays blank.

    >>> _closed_up("{period} actual for {code} in {cell}.", {"period": "", "code": " "})
    'Actual in {cell}.'
    >>> _closed_up("{period} {column} for {code}.", {"period": "", "column": "numerator"})
    '{column:capital} for {code}.'
    """
    for name, value in fields.items():
        if not (isinstance(value, str) and value.strip() == "") or "{" + name not in template:
            continue
        field = r"\{" + re.escape(name) + r"(?:![rsa])?(?::[^{}]*)?\}"
        template = re.sub(r"^" + field + r" +(\w)", lambda m: m.group(1).upper(), template)
        # the next word is itself a field (``{column}``): it is shown capitalised
        template = re.sub(r"^" + field + r" +\{(\w+)\}", r"{\1:" + _CAPITAL + "}", template)
        template = re.sub(r" for " + field + r"(?= )", "", template)
    return template


class _Field:
    """A template field: shown plainly, or with the format spec the template gives."""

    __slots__ = ("raw",)

    def __init__(self, raw: Any):
        self.raw = raw

    def __format__(self, spec: str) -> str:
        if spec == _CAPITAL:  # the first word of a sentence (see _closed_up)
            text = _show(self.raw)
            return text[:1].upper() + text[1:]
        if spec:
            try:
                return format(self.raw, spec)
            except (TypeError, ValueError):
                pass
        return _show(self.raw)

    def __str__(self) -> str:
        return _show(self.raw)

    def __repr__(self) -> str:
        return repr(self.raw)


@dataclass(frozen=True)
class Rule:
    """One rule of the catalogue.

    >>> rule = load_rules()["FILE-002"]
    >>> rule.severity, rule.title
    ('error', 'Old Excel 97-2003 file (.xls)')
    """

    id: str
    severity: Severity
    title: str
    message: str
    how_to_fix: str
    applies_to: str

    @property
    def placeholders(self) -> frozenset[str]:
        """The ``{names}`` the message and how-to-fix templates use."""
        names: set[str] = set()
        for template in (self.message, self.how_to_fix):
            names.update(field for _, field, _, _ in _FORMATTER.parse(template) if field)
        return frozenset(names)

    def render(self, **fields: Any) -> str:
        """The message with ``fields`` filled in.

        A missing field (or a value its format cannot take) never fails: the message falls back
        to the rule's title and what is known of the place and value.

        >>> rule = load_rules()["PERF-005"]
        >>> rule.render(period="Q2", code="CS143", column="actual", cell="C14", value="TBC",
        ...             reason="to be confirmed", comment_cell="D14")
        "Q2 actual for CS143 in C14 is 'TBC', which xlperf records as no data (to be confirmed)."
        >>> rule.render(cell="C14", value="TBC")
        "No data given (cell C14, value 'TBC')."
        """
        try:
            return _closed_up(self.message, fields).format_map(
                {k: _Field(v) for k, v in fields.items()})
        except (KeyError, IndexError, ValueError, TypeError, AttributeError):
            return self._fallback({k: _show(v) for k, v in fields.items()})

    def _fallback(self, fields: Mapping[str, Any]) -> str:
        where = [f"{label} {fields[key]}" for key, label in
                 (("file", "file"), ("sheet", "sheet"), ("cell", "cell")) if fields.get(key)]
        if "value" in fields and fields.get("cell"):
            where.append(f"value '{fields['value']}'")
        return f"{self.title} ({', '.join(where)})." if where else f"{self.title}."

    def fix(self, **fields: Any) -> str:
        """The how-to-fix text with ``fields`` filled in (the bare text if any is missing).

        >>> load_rules()["PERF-004"].fix(cell="H14", comment_cell="L14")
        'Enter the actual in H14, or explain in the commentary (L14) why it is not available.'
        """
        try:
            return _closed_up(self.how_to_fix, fields).format_map(
                {k: _Field(v) for k, v in fields.items()})
        except (KeyError, IndexError, ValueError, TypeError, AttributeError):
            return self.how_to_fix

    def finding(self, *, file: str | Path | None = None, sheet: str | None = None,
                cell: str | None = None, value: Any = None, **fields: Any) -> Finding:
        """A :class:`~xlperf.findings.Finding` of this rule, its message rendered.

        ``file`` is kept whole on the finding; the message names just the file's name.

        >>> found = load_rules()["FILE-002"].finding(file="returns/cs.xls")
        >>> found.file, found.message[:50]
        ('returns/cs.xls', 'cs.xls is an old Excel 97-2003 workbook (.xls). xl')
        """
        path = None if file is None else str(file)
        context = {"file": _file_name(path) if path else None, "sheet": sheet, "cell": cell,
                   "value": _quoted(value), **fields}
        context = {k: v for k, v in context.items() if v is not None or k == "value"}
        if value is None and cell is None:
            context.pop("value")
        return Finding(self.id, self.severity, self.render(**context), file=path, sheet=sheet,
                       cell=cell, value=value, how_to_fix=self.fix(**context))


@lru_cache(maxsize=1024)
def _file_name(path: str) -> str:
    return Path(path).name  # once per file, not per finding


def _resource_text() -> str:
    try:
        from importlib.resources import files

        return files("xlperf.catalogue").joinpath("rules.csv").read_text(encoding="utf-8-sig")
    except (ModuleNotFoundError, FileNotFoundError):
        # A bare source tree (not installed): the folder sits beside the package.
        source = Path(__file__).resolve().parents[2] / "validation" / "rules.csv"
        return source.read_text(encoding="utf-8-sig")


def catalogue_text() -> str:
    """``rules.csv`` exactly as shipped (for writing a ``Rules`` sheet or a download)."""
    return _resource_text()


def _parse(text: str) -> dict[str, Rule]:
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != CATALOGUE_COLUMNS:
        raise InputError(f"rules.csv has columns {reader.fieldnames}, expected "
                         f"{list(CATALOGUE_COLUMNS)}")
    rules: dict[str, Rule] = {}
    for line, row in enumerate(reader, start=2):
        values = {k: (row.get(k) or "").strip() for k in CATALOGUE_COLUMNS}
        if values["id"] in rules:
            raise InputError(f"rules.csv line {line}: rule {values['id']} is listed twice")
        if values["severity"] not in (ERROR, QUERY):
            raise InputError(f"rules.csv line {line}: severity {values['severity']!r} is not "
                             "error or query")
        if values["applies_to"] not in APPLIES_TO:
            raise InputError(f"rules.csv line {line}: applies_to {values['applies_to']!r} is "
                             f"not one of {', '.join(APPLIES_TO)}")
        rules[values["id"]] = Rule(**values)  # type: ignore[arg-type]
    return rules


@lru_cache(maxsize=1)
def _cached() -> dict[str, Rule]:
    return _parse(_resource_text())


def load_rules() -> dict[str, Rule]:
    """Every rule of the catalogue by id, in catalogue order (a fresh dict each call).

    >>> rules = load_rules()
    >>> rules["FIN-002"].title, rules["FIN-002"].severity
    ('Total does not add up', 'error')
    """
    return dict(_cached())


def with_overrides(rules: Mapping[str, Rule], severities: Mapping[str, str]) -> dict[str, Rule]:
    """The rules with a council's severity overrides applied (e.g. from the master's ``Rules``
    sheet): ``{"PERF-016": "error"}`` makes missing commentary block acceptance.

    Raises :class:`~xlperf.errors.InputError` for an unknown rule id, a severity other than
    ``error``/``query``, or an attempt to lower a file-safety rule (:data:`FIXED_RULES`).

    >>> with_overrides(load_rules(), {"PERF-016": "Error"})["PERF-016"].severity
    'error'
    """
    result = dict(rules)
    for rule_id, severity in severities.items():
        key, level = str(rule_id).strip().upper(), str(severity).strip().lower()
        if key not in result:
            raise InputError(f"rule {rule_id!r} is not in the catalogue (xlperf rules lists "
                             "them)")
        if level not in (ERROR, QUERY):
            raise InputError(f"severity {severity!r} for {key} is not error or query")
        if key in FIXED_RULES and level != result[key].severity:
            raise InputError(f"{key} protects against unsafe files and is always an error")
        if key.startswith("REG-") and level != result[key].severity:
            # A register row with an error is left out of scoring: as a query it would be
            # scored with, say, a polarity xlperf cannot read.
            raise InputError(f"{key} is a check of the master itself: its severity cannot "
                             "be changed on the Rules sheet")
        result[key] = replace(result[key], severity=level)  # type: ignore[arg-type]
    return result
