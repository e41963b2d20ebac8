"""The settings of statistical process control (:mod:`xlperf.core.spc`): the XmR chart's and
its rules' settings, how one is read from a cell of the Settings sheet, and a master's set.

>>> settings_from({"spc_trend_length": 6, "spc_conflict": "Concern"}).conflict
'concern'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from xlperf.errors import InputError

#: How a point is judged when rules on both sides fire at it (only a trend can cross the mean).
RULE_ORDER = "rule order"
IMPROVEMENT_FIRST = "improvement"
CONCERN_FIRST = "concern"
CONFLICTS = (RULE_ORDER, IMPROVEMENT_FIRST, CONCERN_FIRST)


@dataclass(frozen=True)
class SpcSettings:
    """The settings of the XmR chart and its rules (each can also be a column per measure).

    ``screen_moving_ranges`` is off by default, as in MDC's Excel tool: NHSRplotthedots screens
    by default (Nelson 1982), which narrows the limits and raises more signals.
    ``conflict`` is ``"rule order"`` (MDC's SQL tool: beyond a limit, trend, run, two of three;
    the first that fires decides), ``"improvement"`` (MDC's Excel tool shows improvement) or
    ``"concern"``.

    >>> SpcSettings(run_length=6).run_length
    6
    >>> SpcSettings(trend_length=9)
    Traceback (most recent call last):
    ...
    xlperf.errors.InputError: SPC trend length 9 is not allowed: use 6, 7 or 8 points
    """

    minimum_points: int = 15
    minimum_segment_points: int = 12
    run_length: int = 7
    trend_length: int = 7
    screen_moving_ranges: bool = False
    conflict: str = RULE_ORDER

    def __post_init__(self) -> None:
        for name in ("run_length", "trend_length"):
            _check_length(getattr(self, name), name.replace("_", " "))
        for name in ("minimum_points", "minimum_segment_points"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 2:
                raise InputError(f"SPC {name.replace('_', ' ')} {value!r} is not allowed: "
                                 "use a whole number of at least 2")
        conflict = " ".join(str(self.conflict).strip().lower().split())
        if conflict not in CONFLICTS:
            raise InputError(f"SPC conflict rule {self.conflict!r} is not one of: "
                             f"{', '.join(CONFLICTS)}")
        object.__setattr__(self, "conflict", conflict)


#: The master's Settings rows of SPC (keys of :data:`~xlperf.layout.SETTINGS_KNOWN`) and the
#: :class:`SpcSettings` field each sets.
SETTING_KEYS = {"spc_minimum_points": "minimum_points",
                "spc_minimum_segment_points": "minimum_segment_points",
                "spc_run_length": "run_length", "spc_trend_length": "trend_length",
                "spc_screen_moving_ranges": "screen_moving_ranges", "spc_conflict": "conflict"}


def parse_setting(key: str, value: Any) -> Any:
    """One SPC setting as a cell of the Settings sheet gives it, checked as
    :class:`SpcSettings` checks it (``key`` as in :data:`SETTING_KEYS`); raises
    :class:`~xlperf.errors.InputError` for a value that cannot be used.

    >>> parse_setting("spc_run_length", 6.0), parse_setting("spc_screen_moving_ranges", "Yes")
    (6, True)
    >>> parse_setting("spc_trend_length", "nine")
    Traceback (most recent call last):
    ...
    xlperf.errors.InputError: SPC trend length 'nine' is not allowed: use 6, 7 or 8 points
    """
    name = SETTING_KEYS[key]
    if name == "screen_moving_ranges":
        from xlperf.core.measures import parse_flag

        return parse_flag(value)
    if name == "conflict":
        return SpcSettings(conflict=str(value)).conflict
    number = value
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = value
    if isinstance(number, float) and number.is_integer():
        number = int(number)
    # checked as the dataclass checks it: a field's value is whatever the cell held
    change: dict[str, Any] = {name: number if isinstance(number, int) else value}
    return getattr(replace(SpcSettings(), **change), name)


def settings_from(settings: Any) -> SpcSettings:
    """The :class:`SpcSettings` of a master's settings (the ``spc_...`` attributes of
    :class:`xlperf.settings.Settings`, or a mapping of those keys; a blank or bad one is the
    default).

    >>> settings_from({"spc_run_length": 8, "spc_conflict": None}).run_length
    8
    """
    chosen: dict[str, Any] = {}
    for key, name in SETTING_KEYS.items():
        value = (settings.get(key) if isinstance(settings, Mapping)
                 else getattr(settings, key, None))
        if value is None or (isinstance(value, float) and value != value) or (
                isinstance(value, str) and not value.strip()):
            continue
        try:
            chosen[name] = parse_setting(key, value)
        except InputError:
            continue  # the master's reader has said so (REG-040); the default stands
    return SpcSettings(**chosen)


def _check_length(value: Any, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or not 6 <= value <= 8:
        raise InputError(f"SPC {what} {value!r} is not allowed: use 6, 7 or 8 points")
