"""Workbooks xlperf writes itself (openpyxl): the master, return templates, filled demo returns.

- :func:`build_master` / :func:`build_demo_master`: the master workbook (``docs/master.md``).
- :func:`build_templates` / :func:`build_template`: return templates from a master
  (``docs/templates.md``); :func:`fill_return` fills one in (the demo's submitted returns).
- The layout of the sheets (:mod:`xlperf.layout`) and the identity of a template
  (:mod:`xlperf.identity`) are plain data and hashing, outside this room because the readers
  (:mod:`xlperf.read`) use them too.
"""

from __future__ import annotations

__all__ = ["build_demo_master", "build_master"]


def __getattr__(name: str) -> object:
    """The builders import openpyxl: loaded on first use, so the refresh's lossless writer
    (:mod:`xlperf.write.lossless`, :mod:`xlperf.write.outputs`) does not pay for it."""
    if name == "build_master":
        from xlperf.write.master import build_master

        return build_master
    if name == "build_demo_master":
        from xlperf.write.shipped import build_demo_master

        return build_demo_master
    raise AttributeError(f"module 'xlperf.write' has no attribute {name!r}")
