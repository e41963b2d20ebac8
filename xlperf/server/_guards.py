"""Guards around every request and response of the add-in server (ASGI middleware, no routes).

- :func:`json_depth`: how deeply a JSON body nests, without parsing it (a body of 100,000
  ``[`` would make the parser recurse until it fails): :class:`LimitBody` answers 400 past
  :data:`MAX_JSON_DEPTH`.
- :class:`LimitBody`: the body's size (413), a body that arrives too slowly (408), and depth.
- :func:`scrub_paths` and :class:`ScrubPaths`: no JSON answer carries the server's folders
  (a Log line naming the quarantine folder, a message naming the ledger): the server's own
  folders become relative, any other absolute path keeps only its last part.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Iterable
from typing import Any

__all__ = ["MAX_JSON_DEPTH", "LimitBody", "ScrubPaths", "json_depth", "scrub_paths"]

# An xlwings payload nests five deep (book, sheets, a sheet, its rows, a row); a custom
# function's arguments a few more. 64 is far above any request xlperf sends.
MAX_JSON_DEPTH = 64
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)


def json_depth(raw: bytes) -> int:
    """The deepest nesting of ``[`` and ``{`` in a JSON text (strings skipped), in one pass of
    C-speed scans, so a hostile body costs no recursion.

    >>> json_depth(b'{"a": [[1, "]]]"], {}]}'), json_depth(b"[" * 100_000)
    (3, 100000)
    """
    import numpy as np

    bare = _STRING.sub(b'""', raw)
    codes = np.frombuffer(bare, dtype=np.uint8)
    steps = np.zeros(len(codes), dtype=np.int32)
    steps[(codes == ord("[")) | (codes == ord("{"))] = 1
    steps[(codes == ord("]")) | (codes == ord("}"))] = -1
    return int(np.cumsum(steps).max(initial=0))


def _error(status: int, message: str) -> Any:
    from fastapi.responses import JSONResponse

    return JSONResponse({"ok": False, "error": message}, status_code=status)


class LimitBody:
    """Pure ASGI middleware for a request's body: over ``max_bytes`` it is refused with 413
    before it is read (by its ``Content-Length``) or as soon as it grows past the limit (a
    chunked upload); a body that takes longer than ``timeout`` seconds in all, or
    ``idle_timeout`` between two pieces, is refused with 408 (a client that sends a byte a
    minute holds no worker); a JSON body nested deeper than :data:`MAX_JSON_DEPTH` gets 400."""

    def __init__(self, app: Any, max_bytes: int, timeout: float = 120.0,
                 idle_timeout: float = 15.0):
        self.app, self.max_bytes = app, max_bytes
        self.timeout, self.idle_timeout = timeout, idle_timeout

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        message = (f"The workbook is too big to send ({{size}}); this server accepts up to "
                   f"{self.max_bytes / 1_048_576:.0f} MB. Remove unused sheets or rows and "
                   "try again.")
        kind = b""
        for key, value in scope.get("headers", []):
            if key == b"content-type":
                kind = value.split(b";")[0].strip().lower()
            if key == b"content-length":
                try:
                    size = int(value)
                except ValueError:
                    size = -1
                if size < 0:
                    await _error(400, "The request has a bad Content-Length.")(
                        scope, receive, send)
                    return
                if size > self.max_bytes:
                    text = message.format(size=f"{size / 1_048_576:.1f} MB")
                    await _error(413, text)(scope, receive, send)
                    return
        if scope.get("method") not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        # Read the body here, up to the limits (a chunked upload has no Content-Length), and
        # hand it on in one piece: the endpoints read it whole anyway.
        chunks, seen, more = [], 0, True
        deadline = time.monotonic() + self.timeout
        while more:
            wait = min(self.idle_timeout, deadline - time.monotonic())
            try:
                event = await asyncio.wait_for(receive(), timeout=max(wait, 0.001))
            except TimeoutError:
                await _error(408, "The workbook took too long to arrive; check the network "
                                  "connection and try again.")(scope, receive, send)
                return
            if event["type"] == "http.disconnect":
                return
            chunk = event.get("body", b"")
            seen += len(chunk)
            if seen > self.max_bytes:
                text = message.format(size=f"over {self.max_bytes / 1_048_576:.0f} MB")
                await _error(413, text)(scope, receive, send)
                return
            chunks.append(chunk)
            more = event.get("more_body", False)
        body, sent = b"".join(chunks), False
        if kind == b"application/json" and json_depth(body) > MAX_JSON_DEPTH:
            await _error(400, f"The request nests deeper than {MAX_JSON_DEPTH} levels, which "
                              "no workbook needs; it was not read.")(scope, receive, send)
            return

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


_POSIX_DIRS = re.compile(r"(?<![\w:/.~-])/(?:[^\s/\\'\"<>|()]+/)+(?=[^\s/\\'\"<>|()])")
_WINDOWS_DIRS = re.compile(r"(?:\b[A-Za-z]:|\\\\[^\s\\'\"<>|]+)\\(?:[^\s\\'\"<>|]+\\)*")


def scrub_paths(text: str, roots: Iterable[str] = ()) -> str:
    """``text`` without the server's folders: a path under one of ``roots`` becomes relative
    to it (the root itself its last part), and any other absolute path keeps only its last
    part.

    >>> scrub_paths("copy in /srv/team/quarantine/Q2 2013-14 and C:\\\\Data\\\\x.xlsx",
    ...             ["/srv/team"])
    'copy in quarantine/Q2 2013-14 and x.xlsx'
    >>> scrub_paths("see https://x.gov.uk/a/b, 2013/14 and /srv/team", ["/srv/team"])
    'see https://x.gov.uk/a/b, 2013/14 and team'
    """
    for root in sorted({r.rstrip("/\\") for r in roots if r and r.strip("/\\")}, key=len,
                       reverse=True):
        name = re.split(r"[/\\]", root)[-1]
        text = text.replace(root + "/", "").replace(root + "\\", "")
        text = re.sub(re.escape(root) + r"(?=$|[\s'\"<>|(),;:.!?])", name.replace("\\", ""),
                      text)
    return _WINDOWS_DIRS.sub("", _POSIX_DIRS.sub("", text))


def _scrub(value: Any, roots: list[str]) -> Any:
    if isinstance(value, str):
        return scrub_paths(value, roots)
    if isinstance(value, list):
        return [_scrub(v, roots) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, roots) for k, v in value.items()}
    return value


class ScrubPaths:
    """Pure ASGI middleware: every JSON response is passed through :func:`scrub_paths` (with
    ``roots()``: the server's folders) before it leaves, whatever route made it."""

    def __init__(self, app: Any, roots: Any):
        self.app, self.roots = app, roots

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] | None = None
        chunks: list[bytes] = []

        async def scrubbing(message: dict[str, Any]) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                given = dict(message.get("headers", []))
                if given.get(b"content-type", b"").startswith(b"application/json"):
                    start = message
                    return
                await send(message)
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(chunks)
            try:
                data = json.loads(body)
            except ValueError:
                data = None
            if data is not None:
                body = json.dumps(_scrub(data, list(self.roots())), ensure_ascii=False,
                                  separators=(",", ":")).encode("utf-8")
            headers = [(k, v) for k, v in start.get("headers", []) if k != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body, "more_body": False})

        await self.app(scope, receive, scrubbing)
