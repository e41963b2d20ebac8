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
top. Importing ``xlperf`` never imports xlwings, openpyxl or pandera: ``validate_return``,
``validate_returns`` and ``validate_grids`` (which need them) load on first use.
"""

from xlperf.core.budget import budget_status, budget_variances, crossfoot, score_budget
from xlperf.core.direction import direction, trend
from xlperf.core.measures import Measure
from xlperf.core.periods import Period, parse_period
from xlperf.core.polarity import Polarity, parse_polarity
from xlperf.core.rollup import RollupRule, objective_status, rollup
from xlperf.core.schemes import BUILTIN_SCHEMES, Scheme, get_scheme
from xlperf.core.score import score
from xlperf.core.status import explain, rate, status, symbol
from xlperf.core.targets import profile_targets
from xlperf.core.values import clean_commentary, parse_value
from xlperf.core.variance import variance, variance_pct
from xlperf.errors import XlperfError

__version__ = "0.1.0"

__all__ = [
    "BUILTIN_SCHEMES",
    "Measure",
    "Period",
    "Polarity",
    "RollupRule",
    "Scheme",
    "XlperfError",
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
]

_LAZY = {"validate_grids": "xlperf.validate.returns",
         "validate_return": "xlperf.validate.returns",
         "validate_returns": "xlperf.validate.returns"}


def __getattr__(name: str) -> object:
    """The validator is imported on first use, so ``import xlperf`` stays light (no pandera,
    openpyxl or calamine)."""
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'xlperf' has no attribute {name!r}")
