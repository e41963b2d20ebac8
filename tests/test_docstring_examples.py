"""Every example in the public docstrings runs and gives what it shows."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import xlperf
import xlperf.core

MODULES = ["xlperf", "xlperf.findings", "xlperf.demo"] + [
    f"xlperf.core.{m.name}" for m in pkgutil.iter_modules(xlperf.core.__path__)]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} example(s) failed in {name}"
