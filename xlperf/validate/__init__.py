"""Validating submitted returns: the rule catalogue, file-level safety checks, findings.

- :func:`load_rules`: the catalogue (``validation/rules.csv``) as :class:`Rule` objects.
- :func:`check_file`: is this file safe to open as a workbook at all? (before any parsing)
- :func:`validate_return` / :func:`validate_returns`: the whole validation of submitted
  returns (``xlperf.validate.returns``; imported on first use, as it imports pandera);
  :func:`validate_grids` the same for a return whose sheets are already in memory.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from xlperf.validate.catalogue import Rule, load_rules, with_overrides
from xlperf.validate.files import Limits, check_file

__all__ = ["Limits", "Rule", "check_file", "load_rules", "validate_grids", "validate_return",
           "validate_returns", "with_overrides"]

if TYPE_CHECKING:  # loaded on first use (pandera): see __getattr__
    from xlperf.validate.returns import validate_grids, validate_return, validate_returns


def __getattr__(name: str) -> object:
    if name in ("validate_grids", "validate_return", "validate_returns"):
        from xlperf.validate import returns

        return getattr(returns, name)
    raise AttributeError(f"module 'xlperf.validate' has no attribute {name!r}")
