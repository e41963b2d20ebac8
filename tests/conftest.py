"""Settings for the whole suite."""

import pytest
from hypothesis import settings

# Hypothesis' per-example deadline is a timed assertion: on a loaded 2-core CI machine an
# example can take 0.5 s without anything being wrong. Laws are checked, not speed (speed is
# measured by benchmarks/); examples stay bounded by max_examples.
settings.register_profile("xlperf", deadline=None)
settings.load_profile("xlperf")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Files with slow tests run first, each file's own order kept (a stable sort): with ``-n``
    and ``--dist loadfile`` (pyproject) a worker takes a whole file, and a long file taken
    last would run alone while the other worker sits idle."""
    slow = {item.nodeid.split("::")[0] for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.nodeid.split("::")[0] not in slow)


@pytest.fixture(scope="module")
def shipped_master():
    """The shipped demo master (workbooks/demo/master.xlsx), read once per module."""
    from _workbook_helpers import SHIPPED_DEMO

    from xlperf.read.master import read_master

    return read_master(SHIPPED_DEMO / "master.xlsx")

