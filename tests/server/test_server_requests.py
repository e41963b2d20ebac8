"""Bad requests get a clear 4xx (or a readable cell) and the server keeps serving (issue 9)."""

from __future__ import annotations

import json

import pytest
from _server_helpers import AUTH, TOKEN, payload

PUBLIC = ["/manifest.xml", "/taskpane.html", "/static/taskpane.js", "/static/taskpane.css",
          "/static/icon-32.png", "/functions/meta.json", "/functions/code.js"]


def _still_serving(client) -> None:
    response = client.get("/health", headers=AUTH)
    assert response.status_code == 200 and response.json()["ok"] is True


@pytest.mark.parametrize("path", PUBLIC)
def test_the_add_in_files_need_no_token(client, path):
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("method,path", [("GET", "/health"), ("GET", "/log"), ("GET", "/returns"),
                                         ("POST", "/validate"), ("POST", "/refresh"),
                                         ("POST", "/functions/call")])
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-token-0123456789"},
                                     {"Authorization": TOKEN},
                                     {"Authorization": f"Basic {TOKEN}"}],
                         ids=["no token", "wrong token", "no scheme", "basic"])
def test_every_other_endpoint_needs_the_token(client, method, path, headers):
    response = client.request(method, path, headers=headers, json={})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "server key is missing or wrong" in response.json()["error"]
    _still_serving(client)


def test_oversized_payload_is_refused_before_it_is_read(demo):
    from fastapi.testclient import TestClient

    from xlperf.server import ServerConfig, create_app

    config = ServerConfig(token=TOKEN, master=demo, max_bytes=64 * 1024).check()
    with TestClient(create_app(config), base_url="http://127.0.0.1:8000") as client:
        big = payload(demo)
        big["sheets"][0]["values"] = [["x" * 1000] * 10] * 10
        response = client.post("/refresh", headers=AUTH, json=big)
        assert response.status_code == 413
        assert "too big to send" in response.json()["error"]

        def chunks():  # no Content-Length: the limit applies as the body streams in
            for _ in range(100):
                yield b" " * 4096

        response = client.post("/refresh", headers={**AUTH, "Content-Type":
                                                    "application/json"}, content=chunks())
        assert response.status_code == 413
        _still_serving(client)


@pytest.mark.parametrize("body,content_type,status,words", [
    (b'{"book": ', "application/json", 400, "not valid JSON"),
    (b"\xff\xfe", "application/json", 400, "not valid JSON"),
    (b"{}", "text/plain", 415, "as JSON"),
    (b"[]", "application/json", 422, "JSON object"),
    (b"{}", "application/json", 422, "no 'book'"),
    (json.dumps({"book": {"name": "m.xlsx"}, "sheets": [{"name": "A", "values": [[{"x": 1}]]}]}
                ).encode(), "application/json", 422, "is not a number, text"),
])
def test_malformed_requests(client, body, content_type, status, words):
    for path in ("/validate", "/refresh"):
        response = client.post(path, headers={**AUTH, "Content-Type": content_type},
                               content=body)
        assert response.status_code == status, response.text
        assert words in response.json()["error"]
        assert "Traceback" not in response.text
    _still_serving(client)


def test_a_workbook_that_is_not_a_master(client, demo):
    a_return = next((demo.parent / "returns").glob("Early Help*.xlsx"))
    response = client.post("/refresh", headers=AUTH, json=payload(a_return))
    assert response.status_code == 422
    assert "no 'Measures' sheet: is this an xlperf master workbook?" in response.json()["error"]
    _still_serving(client)


@pytest.mark.parametrize("name", ["/etc/passwd", "../master.xlsx", "C:\\Users\\x\\m.xlsx",
                                  "~/m.xlsx", "..", "reports/m.xlsx", "m\x00.xlsx"])
def test_a_path_as_the_workbook_name_is_refused(client, demo, name):
    body = payload(demo)
    body["book"]["name"] = name
    response = client.post("/refresh", headers=AUTH, json=body)
    assert response.status_code == 422
    assert "looks like a path" in response.json()["error"]


@pytest.mark.parametrize("where", ["top", "book", "sheet"])
def test_a_path_field_in_the_payload_is_refused(client, demo, where):
    body = payload(demo)
    target = {"top": body, "book": body["book"], "sheet": body["sheets"][0]}[where]
    target["fullname"] = str(demo)
    response = client.post("/refresh", headers=AUTH, json=body)
    assert response.status_code == 422
    assert "unknown field(s) 'fullname'" in response.json()["error"]


def test_paths_in_the_workbooks_settings_are_not_followed(client, demo, tmp_path):
    # The open master says its ledger and returns are elsewhere: the server uses its own.
    body = payload(demo)
    settings = next(s for s in body["sheets"] if s["name"] == "Settings")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for row in settings["values"]:
        if str(row[0]).strip().casefold() in ("ledger path", "returns folder"):
            row[1] = str(elsewhere / "x")
    settings["values"].append(["Ledger path", str(elsewhere / "stolen.sqlite")] +
                              [""] * (len(settings["values"][0]) - 2))
    response = client.post("/refresh", headers=AUTH, json=body)
    assert response.status_code == 200, response.text
    assert list(elsewhere.iterdir()) == []
    assert (demo.parent / "master.ledger.sqlite").exists()
    assert "10 returns read" in response.json()["summary"]


def test_text_from_the_payload_never_becomes_a_formula(client, demo):
    body = payload(demo)
    measures = next(s for s in body["sheets"] if s["name"] == "Measures")
    header = measures["values"][0]
    column = header.index("Measure")
    measures["values"][1][column] = '=HYPERLINK("http://evil.example","click")'
    measures["values"][2][column] = "-5% on last year"
    response = client.post("/refresh", headers=AUTH, json=body)
    assert response.status_code == 200, response.text
    texts = [v for a in response.json()["actions"] if a["func"] == "setValues"
             for row in a["values"] for v in row if isinstance(v, str)]
    assert "'=HYPERLINK(\"http://evil.example\",\"click\")" in texts
    assert not [t for t in texts if t[:1] in ("=", "+", "-", "@")]


def test_a_function_called_with_text_where_a_number_belongs(client):
    response = client.post("/functions/call", headers=AUTH, json={
        "id": "XLPERF_EXPLAIN", "args": [[["abc"]], [[45.3]], [["Low"]]]})
    assert response.status_code == 200
    assert response.json()["result"] == [
        ["No actual for this period (not a number: 'abc'): No data"]]
    response = client.post("/functions/call", headers=AUTH, json={
        "id": "XLPERF.STATUS", "args": [[[91.54, "n/a"]], [[45.3, 10]], [["Low"]], [[2]]]})
    assert response.json()["result"] == [["Red", "No data"]]


@pytest.mark.parametrize("body,words", [
    ({"id": "__class__", "args": []}, "no worksheet function"),
    ({"id": "np", "args": []}, "no worksheet function"),
    ({"args": []}, "needs the function's id"),
    ({"id": "XLPERF_STATUS", "args": [[[1]]] * 7}, "at most 6 arguments"),
    ({"id": "XLPERF_STATUS", "args": [[[[1]]]]}, "is not a number, text"),
])
def test_bad_function_calls(client, body, words):
    response = client.post("/functions/call", headers=AUTH, json=body)
    assert response.status_code == 422
    assert words in response.json()["error"]
    _still_serving(client)


def test_cors_allows_only_the_add_in_origin(client):
    preflight = {"Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "authorization,content-type"}
    ours = client.options("/refresh", headers={"Origin": "http://127.0.0.1:8000", **preflight})
    assert ours.headers["access-control-allow-origin"] == "http://127.0.0.1:8000"
    theirs = client.options("/refresh", headers={"Origin": "https://evil.example", **preflight})
    assert theirs.status_code == 400
    assert "access-control-allow-origin" not in theirs.headers


def test_a_loopback_server_answers_only_to_its_own_names(client):
    assert client.get("/manifest.xml", headers={"Host": "attacker.example"}).status_code == 400
    assert client.get("/manifest.xml", headers={"Host": "localhost:8000"}).status_code == 200


def test_an_unexpected_error_is_a_sentence_not_a_traceback(client, monkeypatch):
    from fastapi.testclient import TestClient

    from xlperf.server._service import Team

    def broken(self, payload):
        raise RuntimeError("secret internals /srv/xlperf/ledger.sqlite")

    monkeypatch.setattr(Team, "validate", broken)
    client = TestClient(client.app, base_url="http://127.0.0.1:8000",
                        raise_server_exceptions=False)
    response = client.post("/validate", headers=AUTH, json={})
    assert response.status_code == 500
    assert "unexpected problem on the server" in response.json()["error"]
    assert "secret" not in response.text and "Traceback" not in response.text
    _still_serving(client)


def test_server_paths_are_not_in_messages(client, demo):
    # A master whose Measures sheet is unreadable names only the file, not the server folder.
    body = payload(demo)
    body["book"]["name"] = "other.xlsx"
    body["sheets"] = [s for s in body["sheets"] if s["name"] != "Measures"]
    response = client.post("/refresh", headers=AUTH, json=body)
    assert response.status_code == 422
    assert str(demo.parent) not in response.text


def test_validate_without_a_master_uses_what_the_return_says(demo):
    from fastapi.testclient import TestClient

    from xlperf.server import ServerConfig, create_app

    with TestClient(create_app(ServerConfig().check()),
                    base_url="http://127.0.0.1:8000") as client:
        a_return = next((demo.parent / "returns").glob("Early Help*.xlsx"))
        response = client.post("/validate", json=payload(a_return))  # loopback: no token
        assert response.status_code == 200
        refused = client.post("/refresh", json=payload(demo))
        assert refused.status_code == 409
        assert "started without --master" in refused.json()["error"]


def test_security_headers(client):
    page = client.get("/taskpane.html")
    assert "script-src 'self' https://appsforoffice.microsoft.com" in page.headers[
        "content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert client.get("/health", headers=AUTH).headers["cache-control"] == "no-store"
