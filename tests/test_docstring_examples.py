"""Every example in the docstrings runs and gives what it shows.

All of the package is walked, except the Excel layer (its modules need xlwings and a licence
key set before import; tests/excel runs its examples) and ``python -m xlperf.cli``.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import xlperf

SKIP = ("xlperf.excel", "xlperf.cli.__main__")
MODULES = ["xlperf"] + sorted(
    m.name for m in pkgutil.walk_packages(xlperf.__path__, "xlperf.")
    if not m.name.startswith(SKIP))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} example(s) failed in {name}"


def test_the_core_has_examples():
    core = [name for name in MODULES if name.startswith("xlperf.core.")]
    tried = sum(doctest.testmod(importlib.import_module(n), report=False).attempted
                for n in core)
    assert tried > 100
