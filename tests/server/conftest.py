"""The add-in server under test: in-process (TestClient) and over real HTTP (uvicorn in a thread).

xlwings' remote engine needs ``XLWINGS_ON_SERVER=true`` and a licence key before xlwings is
first imported; the ``noncommercial`` key is fine for an open-source test suite. The variables
are set for this folder's tests only (and restored afterwards), as in tests/excel.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from _server_helpers import ROOT, TOKEN, LiveServer

XLWINGS_ENV = {"XLWINGS_ON_SERVER": "true", "XLWINGS_LICENSE_KEY": "noncommercial"}


@pytest.fixture(scope="module", autouse=True)
def server_env() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        for name, value in XLWINGS_ENV.items():
            mp.setenv(name, value)
        mp.delenv("XLPERF_TOKEN", raising=False)
        import xlwings

        assert xlwings.on_server, "xlwings was imported before XLWINGS_ON_SERVER was set"
        yield


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """A fresh copy of the demo council (master, returns): its master's path."""
    shutil.copytree(ROOT / "workbooks" / "demo", tmp_path / "demo")
    return tmp_path / "demo" / "master.xlsx"


@pytest.fixture
def config(demo: Path) -> Any:
    from xlperf.server import ServerConfig

    return ServerConfig(token=TOKEN, master=demo).check()


@pytest.fixture
def client(config: Any) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from xlperf.server import create_app

    with TestClient(create_app(config), base_url="http://127.0.0.1:8000") as test_client:
        yield test_client


@pytest.fixture
def live(config: Any) -> Iterator[LiveServer]:
    with LiveServer(config) as server:
        yield server


@pytest.fixture
def http() -> Iterator[Callable[..., Any]]:
    """``http("POST", url, json=...)``: a real HTTP request (httpx), bounded by a timeout."""
    import httpx

    with httpx.Client(timeout=120) as session:
        yield session.request
