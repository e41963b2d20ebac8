"""Validating submitted returns: the rule catalogue, file-level safety checks, findings.

- :func:`load_rules`: the catalogue (``validation/rules.csv``) as :class:`Rule` objects.
- :func:`check_file`: is this file safe to open as a workbook at all? (before any parsing)
"""

from __future__ import annotations

from xlperf.validate.catalogue import Rule, load_rules, with_overrides
from xlperf.validate.files import Limits, check_file

__all__ = ["Limits", "Rule", "check_file", "load_rules", "with_overrides"]
