"""No NaN reaches a JSON answer (issue 19): "Show log" after ``import-history``, and every
other endpoint, with a ledger holding rows that have no period.

An ``import-history`` row of the ledger's log has no period (NaN in pandas), and NaN is not
JSON: the server used to fail on "Show log" for every council that had imported history.
"""

from __future__ import annotations

import json
import math
import shutil

import pytest
from _server_helpers import AUTH, ROOT, TOKEN, payload


def _strict(text: str) -> object:
    """The answer's JSON, refusing NaN and Infinity (as a browser's ``JSON.parse`` does)."""
    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} in a JSON answer: {text[:200]}")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture
def client(tmp_path):
    from fastapi.testclient import TestClient

    from xlperf.cli.workbooks import seed_demo_history
    from xlperf.server import ServerConfig, create_app

    shutil.copytree(ROOT / "workbooks" / "demo", tmp_path / "demo")
    master = tmp_path / "demo" / "master.xlsx"
    seed_demo_history(master, "Q2 2013/14")  # a log row with no period, as import-history
    config = ServerConfig(token=TOKEN, master=master).check()
    with TestClient(create_app(config), base_url="http://127.0.0.1:8000") as test_client:
        test_client.master = master  # type: ignore[attr-defined]
        yield test_client


# Every endpoint that answers in JSON, with a request that does its work.
def _requests(master):
    a_return = master.parent / "returns" / "Safeguarding - Q2 2013-14.xlsx"
    return {
        ("GET", "/log"): {},
        ("GET", "/returns"): {},
        ("GET", "/health"): {},
        ("POST", "/validate"): {"json": payload(a_return)},
        ("POST", "/refresh"): {"json": payload(master)},
        ("POST", "/functions/call"): {"json": {"id": "XLPERF_STATUS",
                                               "args": [[[91.54]], [[45.3]], [["Low"]]]}},
        ("GET", "/functions/meta.json"): {},
    }


def test_every_json_endpoint_answers_without_nan(client):
    from starlette.routing import Route

    requests = _requests(client.master)
    json_routes = {(method, route.path) for route in client.app.routes
                   if isinstance(route, Route) and route.path not in (
                       "/", "/manifest.xml", "/taskpane.html", "/functions/code.js",
                       "/favicon.ico")
                   for method in route.methods - {"HEAD"}}
    assert json_routes <= set(requests), "an endpoint this test does not call"
    order = sorted(requests, key=lambda r: r[1] != "/log")  # the log before and after refresh
    for method, path in [*order, ("GET", "/log")]:
        response = client.request(method, path, headers=AUTH, **requests[(method, path)])
        assert response.status_code == 200, (path, response.text)
        _strict(response.text)


def test_show_log_lists_the_import_of_history_and_the_refresh(client):
    # The import's row has no period; beside a refresh's row, pandas makes that NaN.
    refreshed = client.post("/refresh", headers=AUTH, json=payload(client.master))
    assert refreshed.status_code == 200, refreshed.text
    response = client.get("/log", headers=AUTH)
    assert response.status_code == 200, response.text
    entries = _strict(response.text)["entries"]
    assert [e["kind"] for e in entries] == ["refresh", "import-history"]
    assert entries[0]["period"] == "Q2 2013/14" and entries[1]["period"] is None
    assert entries[1]["counts"]["inserted"] > 1000 and entries[1]["files"] == 1


def test_the_one_json_encoding_writes_nan_as_null():
    import numpy as np

    from xlperf.server._json import JSONResponse, json_safe

    content = {"period": float("nan"), "values": np.array([1.5, np.nan]),
               "count": np.int64(3), "rows": [(float("inf"), "x")], "ok": True}
    body = _strict(JSONResponse(content).body.decode())
    assert body == {"period": None, "values": [1.5, None], "count": 3,
                    "rows": [[None, "x"]], "ok": True}
    assert json_safe({"a": [1.0, -math.inf]}) == {"a": [1.0, None]}
    assert JSONResponse({"ok": True}).body == b'{"ok":true}'
