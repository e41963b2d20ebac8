"""Plan membership: which plans (corporate plan, children's plan...) a measure belongs to.

The Measures sheet's optional ``Plans`` column lists them, separated by ``;`` or ``,``
("Corporate plan; Children's plan"). One parse (:func:`parse_plans`) serves the register, the
Scorecard's ``Plans`` column and the report's ``--plan`` filter (:func:`select_plan`), so every
door selects the same measures. Pure: values in, values out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pandas as pd

from xlperf.errors import InputError

_SEPARATORS = re.compile(r"[;,]")
SEPARATOR = "; "  # how a list of plans is written back (Scorecard, register)


def _key(plan: str) -> str:
    """The comparison key of a plan's name: case and runs of spaces do not matter."""
    return " ".join(plan.split()).casefold()


def parse_plans(cell: Any) -> tuple[str, ...]:
    """The plans a ``Plans`` cell names, in order, each once (the first spelling kept).

    >>> parse_plans("Corporate plan; Children's plan, corporate  PLAN")
    ('Corporate plan', "Children's plan")
    >>> parse_plans(None)
    ()
    """
    if cell is None or (not isinstance(cell, str) and pd.isna(cell)):
        return ()
    seen: dict[str, str] = {}
    for part in _SEPARATORS.split(str(cell)):
        name = " ".join(part.split())
        if name and _key(name) not in seen:
            seen[_key(name)] = name
    return tuple(seen.values())


def plans_text(plans: Iterable[str]) -> str:
    """A list of plans as one cell's text (``"; "``-separated).

    >>> plans_text(("Corporate plan", "Children's plan"))
    "Corporate plan; Children's plan"
    """
    return SEPARATOR.join(plans)


def known_plans(cells: Iterable[Any]) -> tuple[str, ...]:
    """Every plan the cells name, each once, in order of first appearance.

    >>> known_plans(["A; B", "b, C", None])
    ('A', 'B', 'C')
    """
    return parse_plans(SEPARATOR.join(plans_text(parse_plans(c)) for c in cells))


def select_plan(plans: pd.Series, plan: str | None) -> pd.Series:
    """A boolean mask: the rows whose ``plans`` cell names ``plan`` (case and spaces ignored).
    No plan (``None`` or blank) selects every row. A plan no row names is an
    :class:`~xlperf.errors.InputError` saying which plans there are.

    >>> select_plan(pd.Series(["A; B", "B", ""]), "b").tolist()
    [True, True, False]
    """
    if plan is None or not str(plan).strip():
        return pd.Series(True, index=plans.index)
    wanted = _key(str(plan))
    codes, uniques = pd.factorize(plans.astype(object), use_na_sentinel=False)
    hits = [wanted in {_key(p) for p in parse_plans(u)} for u in uniques]
    mask = pd.Series([hits[c] for c in codes], index=plans.index, dtype=bool)
    if not mask.any():
        there = known_plans(uniques)
        listed = ", ".join(repr(p) for p in there) if there else "none (no Plans column)"
        raise InputError(f"no measure is in the plan {str(plan).strip()!r}: the Measures "
                         f"sheet's plans are {listed}")
    return mask
