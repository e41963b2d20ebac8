"""xlperf: council performance and budget monitoring in Excel.

The public API (these names are also the Excel worksheet functions)::

    >>> import xlperf
    >>> xlperf.status(91.54, 45.3, "Smaller is better", tolerance=2)
    'Red'
    >>> xlperf.direction(23, 23, "Smaller is better")
    'No change ↔'
    >>> xlperf.parse_period("Q1 2013-14").format("quarter")
    'Q1 2013/14'

Data flows one way through the package: ``core`` (pure scoring rules) is used by reading,
validation, the ledger and writing, and the entry points (``cli``, ``excel``, ``server``) sit on
top. They open a master as one :class:`xlperf.council.Council` (its register, typed
:class:`xlperf.settings.Settings`, ledger and returns folder, resolved once) and ask it.
``docs/architecture.md`` has the table of rooms (what each may import, and every edge
outside it with its reason), which a test holds every import to. Importing ``xlperf`` is light
(no pandas, numpy, openpyxl, pandera or xlwings), so the ``xlperf`` command starts quickly:
each public name loads its module on first use, and ``from xlperf import score`` works as
usual.
"""

from typing import TYPE_CHECKING

from xlperf.errors import XlperfError

if TYPE_CHECKING:  # what the lazy names below are, for type checkers and editors
    from xlperf.core.budget import budget_status, budget_variances, crossfoot, score_budget
    from xlperf.core.direction import direction, trend
    from xlperf.core.measures import Measure
    from xlperf.core.periods import Period, parse_period
    from xlperf.core.polarity import Polarity, parse_polarity
    from xlperf.core.rollup import RollupRule, objective_status, rollup
    from xlperf.core.schemes import BUILTIN_SCHEMES, Scheme, get_scheme
    from xlperf.core.score import score
    from xlperf.core.spc import assurance, variation
    from xlperf.core.status import explain, rate, status, symbol
    from xlperf.core.targets import profile_targets
    from xlperf.core.values import clean_commentary, parse_value
    from xlperf.core.variance import variance, variance_pct
    from xlperf.validate.returns import validate_grids, validate_return, validate_returns

__version__ = "0.1.0"

__all__ = [
    "BUILTIN_SCHEMES",
    "Measure",
    "Period",
    "Polarity",
    "RollupRule",
    "Scheme",
    "XlperfError",
    "assurance",
    "budget_status",
    "budget_variances",
    "clean_commentary",
    "crossfoot",
    "direction",
    "explain",
    "get_scheme",
    "objective_status",
    "parse_period",
    "parse_polarity",
    "parse_value",
    "profile_targets",
    "rate",
    "rollup",
    "score",
    "score_budget",
    "status",
    "symbol",
    "trend",
    "validate_grids",
    "validate_return",
    "validate_returns",
    "variance",
    "variance_pct",
    "variation",
]

# Public name -> the module that defines it, imported on first use (PEP 562).
_CORE = {
    "budget": ("budget_status", "budget_variances", "crossfoot", "score_budget"),
    "direction": ("direction", "trend"),
    "measures": ("Measure",),
    "periods": ("Period", "parse_period"),
    "polarity": ("Polarity", "parse_polarity"),
    "rollup": ("RollupRule", "objective_status", "rollup"),
    "schemes": ("BUILTIN_SCHEMES", "Scheme", "get_scheme"),
    "score": ("score",),
    "spc": ("assurance", "variation"),
    "status": ("explain", "rate", "status", "symbol"),
    "targets": ("profile_targets",),
    "values": ("clean_commentary", "parse_value"),
    "variance": ("variance", "variance_pct"),
}
_LAZY = {name: f"xlperf.core.{module}" for module, names in _CORE.items() for name in names}
_LAZY.update(dict.fromkeys(("validate_grids", "validate_return", "validate_returns"),
                           "xlperf.validate.returns"))


def __getattr__(name: str) -> object:
    """Import a public name's module on first use, so ``import xlperf`` stays light (no
    pandas, pandera, openpyxl or calamine) and ``xlperf --help`` is quick."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'xlperf' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's names, with the public API not yet imported."""
    return sorted(set(globals()) | set(__all__))
