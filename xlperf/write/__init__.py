"""Workbooks xlperf writes itself (openpyxl): the master, return templates, filled demo returns.

- :func:`build_master` / :func:`build_demo_master`: the master workbook (``docs/master.md``).
- :func:`build_templates` / :func:`build_template`: return templates from a master
  (``docs/templates.md``); :func:`fill_return` fills one in (the demo's submitted returns).
- :mod:`xlperf.write.layout` and :mod:`xlperf.write.identity` are plain data and hashing with no
  Excel library, shared with the readers in :mod:`xlperf.read`.
"""

from __future__ import annotations

from xlperf.write.master import build_demo_master, build_master

__all__ = ["build_demo_master", "build_master"]
