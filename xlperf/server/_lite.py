"""xlwings Lite's files on the server: xlperf's wheel, ``requirements.txt`` and ``main.py``.

Lite installs xlperf with micropip from a wheel URL, fetched by the browser from the Lite
add-in's own origin: so these three answer any origin (``Access-Control-Allow-Origin: *``, and
the private-network preflight a browser sends before a public page fetches from this computer)
and need no token, which micropip cannot send. They are xlperf's public code and two text
files: nothing of the team's data. Everything else on the server keeps its one CORS origin.
"""

from __future__ import annotations

from typing import Any

from xlperf.lite import LITE_PATH, MAIN_PY, own_wheel, requirements_txt

__all__ = ["LiteFiles"]

_CORS = [(b"access-control-allow-origin", b"*"),
         (b"access-control-allow-methods", b"GET, HEAD, OPTIONS"),
         (b"x-content-type-options", b"nosniff"),
         (b"cache-control", b"no-cache")]


class LiteFiles:
    """Pure ASGI middleware answering ``GET``/``HEAD``/``OPTIONS`` under :data:`LITE_PATH`
    before the app's own CORS and host checks; every other request goes on to ``app``."""

    def __init__(self, app: Any, base_url: str):
        self.app, self.base_url = app, base_url.rstrip("/")

    def _file(self, name: str) -> tuple[bytes, bytes] | None:
        wheel, data = own_wheel()
        if name == wheel:
            return data, b"application/zip"
        if name == "requirements.txt":
            text = requirements_txt(f"{self.base_url}{LITE_PATH}{wheel}")
            return text.encode(), b"text/plain; charset=utf-8"
        if name == "main.py":
            return MAIN_PY.encode(), b"text/plain; charset=utf-8"
        return None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(LITE_PATH):
            await self.app(scope, receive, send)
            return
        method = scope.get("method", "GET")
        headers = list(_CORS)
        if method == "OPTIONS":
            # Chrome asks before a public page (Lite) fetches from a private address.
            headers += [(b"access-control-allow-private-network", b"true"),
                        (b"access-control-max-age", b"600"), (b"content-length", b"0")]
            await _respond(send, 204, headers, b"")
            return
        found = self._file(path.removeprefix(LITE_PATH))
        if method not in ("GET", "HEAD"):
            status, body, kind = 405, b"Only GET is served here.\n", b"text/plain"
            headers.append((b"allow", b"GET, HEAD, OPTIONS"))
        elif found is None:
            status, kind = 404, b"text/plain"
            body = (f"Nothing here: {LITE_PATH} serves {own_wheel()[0]}, requirements.txt "
                    "and main.py.\n").encode()
        else:
            status, (body, kind) = 200, found
        headers += [(b"content-type", kind), (b"content-length", str(len(body)).encode())]
        await _respond(send, status, headers, b"" if method == "HEAD" else body)


async def _respond(send: Any, status: int, headers: list[tuple[bytes, bytes]],
                   body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
