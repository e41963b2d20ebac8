"""Issue 18, item 11: the server bounds JSON depth, names none of its folders to a client,
logs no query string, and drops slow clients (headers, body) within its timeouts."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from _server_helpers import AUTH, TOKEN, free_port, payload

from xlperf.server._guards import MAX_JSON_DEPTH, json_depth, scrub_paths


@pytest.mark.parametrize("body", [b"[" * 100_000, b'{"a":' * 100_000,
                                  b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1)])
@pytest.mark.parametrize("endpoint", ["/validate", "/refresh", "/functions/call"])
def test_deep_json_is_a_400_with_a_sentence(client, body, endpoint):
    response = client.post(endpoint, content=body,
                           headers={**AUTH, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json() == {"ok": False, "error": f"The request nests deeper than "
                               f"{MAX_JSON_DEPTH} levels, which no workbook needs; it was "
                               "not read."}
    # The server goes on serving.
    assert client.get("/health", headers=AUTH).json()["ok"] is True


def _depth(value):
    if isinstance(value, list | dict):
        inner = value.values() if isinstance(value, dict) else value
        return 1 + max((_depth(v) for v in inner), default=0)
    return 0


def test_json_depth_skips_strings_and_agrees_with_the_parser():
    value = {"a": [[1, "[[[[{{{"], {"b": ["]]]}"]}], "c": "\\\"[", "d": []}
    assert json_depth(json.dumps(value).encode()) == _depth(value) == 4
    assert json_depth(b"") == 0 and json_depth(b'"[[["') == 0


def test_no_answer_names_the_servers_folders(client, demo):
    folder = str(demo.parent)
    response = client.post("/refresh", json=payload(demo), headers=AUTH)
    assert response.status_code == 200, response.text
    text = response.text
    assert folder not in text and str(Path(folder).resolve()) not in text
    assert "/tmp/" not in text and str(Path.home()) + "/" not in text
    # The Log sheet's lines still say where the annotated copies are, relative to the master.
    assert "quarantine/Q2 2013-14" in text
    findings = response.json()["findings"]
    assert findings and all("/" not in str(f.get("file", "")) for f in findings)
    # An error names no folder either.
    missing = client.get("/log", headers=AUTH).json()
    assert folder not in json.dumps(missing)


def test_scrub_keeps_urls_dates_and_fractions():
    text = "See https://council.gov.uk/a/b for 2013/14 (n/a; 3 / 4) from /srv/x/y/z.xlsx"
    assert scrub_paths(text) == ("See https://council.gov.uk/a/b for 2013/14 (n/a; 3 / 4) "
                                 "from z.xlsx")


class _Live:
    """The app in uvicorn with ``xlperf serve``'s options (timeouts, limit, access log)."""

    def __init__(self, config):
        import uvicorn

        from xlperf.server import create_app
        from xlperf.server._run import uvicorn_options

        self.config = replace(config, port=free_port()).check()
        options = uvicorn_options(self.config)
        options.update(log_level="info", lifespan="off")
        self.server = uvicorn.Server(uvicorn.Config(create_app(self.config), **options))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive()
            time.sleep(0.02)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.config.port), timeout=10)


def _closed_within(sock: socket.socket, seconds: float) -> float | None:
    """Seconds until the server closed ``sock`` (reading what it sent), or None."""
    start = time.monotonic()
    sock.settimeout(0.2)
    while time.monotonic() - start < seconds:
        try:
            if sock.recv(65536) == b"":
                return time.monotonic() - start
        except TimeoutError:
            continue
        except OSError:
            return time.monotonic() - start
    return None


def test_the_access_log_has_no_query_string(config):
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record.getMessage())

    with _Live(config) as live:
        handler = Keep()
        logging.getLogger("uvicorn.access").addHandler(handler)
        try:
            with live.connect() as sock:
                sock.sendall(f"GET /health?token={TOKEN}&x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                             "Connection: close\r\n\r\n".encode())
                answer = b""
                while chunk := sock.recv(65536):
                    answer += chunk
            assert b" 401 " in answer.split(b"\r\n")[0]
            deadline = time.monotonic() + 5
            while not records and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            logging.getLogger("uvicorn.access").removeHandler(handler)
    assert records and all(TOKEN not in r and "?" not in r for r in records), records
    assert '"GET /health HTTP/1.1" 401' in records[0]


@pytest.mark.slow
def test_slow_clients_are_dropped_and_the_server_serves_others(config):
    quick = replace(config, header_timeout=1.0, body_timeout=3.0, body_idle_timeout=1.0,
                    max_connections=8)
    with _Live(quick) as live:
        # Headers a byte at a time, never finished: closed after the header timeout.
        slow_headers = live.connect()
        slow_headers.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a")
        # A body promised and never sent: 408 after the idle timeout.
        slow_body = live.connect()
        slow_body.sendall(b"POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          b"Content-Type: application/json\r\nContent-Length: 1000\r\n"
                          b"Authorization: Bearer " + TOKEN.encode() + b"\r\n\r\n{")
        waited = _closed_within(slow_headers, 8)
        assert waited is not None and waited < 4
        slow_body.settimeout(8)
        assert b" 408 " in slow_body.recv(65536).split(b"\r\n")[0]
        slow_body.close()
        slow_headers.close()
        # Past the connection limit uvicorn answers 503 at once; below it, it serves.
        held = [live.connect() for _ in range(8)]
        for sock in held:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Wait: ")
        extra = live.connect()
        extra.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        extra.settimeout(5)
        assert b" 503 " in extra.recv(65536).split(b"\r\n")[0]
        extra.close()
        for sock in held:
            sock.close()
        time.sleep(0.3)
        with live.connect() as sock:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                         + TOKEN.encode() + b"\r\nConnection: close\r\n\r\n")
            sock.settimeout(5)
            assert b" 200 " in sock.recv(65536).split(b"\r\n")[0]
