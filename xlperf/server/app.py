"""The FastAPI application of ``xlperf serve``: thin endpoints over :class:`~._service.Team`.

Every endpoint parses the request, makes one call and returns JSON. What the pane shows is
always ``{"ok": false, "error": "<a sentence>"}`` on failure, never a traceback:

=========================  ======  =====================================================
endpoint                   token   does
=========================  ======  =====================================================
``GET /manifest.xml``      no      the add-in manifest with this server's URLs
``GET /taskpane.html``     no      the task pane (``/static/*`` its script, style, icons)
``GET /functions/meta.json`` no    the ``XLPERF.*`` custom functions' metadata
``GET /functions/code.js`` no      the script that registers them with Excel
``POST /functions/call``   yes     one custom-function call: arguments in, cells out
``POST /validate``         yes     "Validate this return": payload in, findings out
``POST /refresh``          yes     "Refresh scorecard": payload in, actions out
``GET /log``               yes     "Show log": the team ledger's latest refreshes
``GET /returns``           yes     "Returns": where each return of the period stands
                                   (``?period=``, ``?today=YYYY-MM-DD`` optional)
``GET /health``            yes     versions, and whether a master and ledger are set up
``GET /lite/*``            no      xlwings Lite's files: xlperf's wheel, requirements.txt,
                                   main.py (any origin may fetch them: see ``_lite``)
=========================  ======  =====================================================
"""

from __future__ import annotations

import hmac
import json
import logging
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from xlperf.errors import BusyError, InputError, WorkbookError, XlperfError
from xlperf.server._config import ServerConfig, ServerConfigError, is_loopback
from xlperf.server._functions import Functions
from xlperf.server._guards import LimitBody, ScrubPaths
from xlperf.server._json import JSONResponse  # every answer: NaN written as null
from xlperf.server._lite import LiteFiles
from xlperf.server._manifest import manifest_xml
from xlperf.server._service import Team

__all__ = ["create_app"]

log = logging.getLogger("xlperf.server")
STATIC = resources.files("xlperf.server") / "static"
PUBLIC_PATHS = ("/manifest.xml", "/taskpane.html", "/functions/meta.json", "/functions/code.js",
                "/favicon.ico", "/")
_CSP = ("default-src 'self'; script-src 'self' https://appsforoffice.microsoft.com; "
        "style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "frame-ancestors https://*.office.com https://*.officeapps.live.com "
        "https://*.microsoft.com 'self'; base-uri 'none'; form-action 'none'")


class _Refused(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"ok": False, "error": message}, status_code=status, headers=headers)


def create_app(config: ServerConfig, *, team: Team | None = None) -> FastAPI:
    """The application for ``config`` (already :meth:`~ServerConfig.check`-ed).

    Loads xlwings' remote engine first, so a server without a licence key refuses to start
    (:class:`ServerConfigError`) instead of failing on the first refresh."""
    from xlperf.server._xlwings import load_xlwings

    load_xlwings()
    team = team or Team(config)
    functions = Functions()
    app = FastAPI(title="xlperf", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.team = team
    app.state.config = config

    # -- errors as sentences -------------------------------------------------------------------
    def scrub(text: str) -> str:
        """A message without the server's folders in it."""
        if config.master is not None:
            text = text.replace(str(config.master.parent) + "/", "").replace(
                str(config.master.parent), "")
        return text

    @app.exception_handler(_Refused)
    async def refused(_: Request, error: _Refused) -> JSONResponse:
        return _error(error.status, error.message, error.headers)

    @app.exception_handler(BusyError)
    async def busy(_: Request, error: BusyError) -> JSONResponse:
        return _error(503, scrub(str(error)), {"Retry-After": "30"})

    @app.exception_handler(ServerConfigError)
    async def not_set_up(_: Request, error: ServerConfigError) -> JSONResponse:
        log.error("server set-up: %s", error)
        return _error(503, f"The xlperf server is not fully set up: {scrub(str(error))}")

    @app.exception_handler(XlperfError)
    async def library(_: Request, error: XlperfError) -> JSONResponse:
        status = 422 if isinstance(error, InputError | WorkbookError) else 409
        return _error(status, scrub(str(error)))

    @app.exception_handler(StarletteHTTPException)
    async def http(_: Request, error: StarletteHTTPException) -> JSONResponse:
        text = {404: "There is nothing at this address on the xlperf server.",
                405: "This address does not accept that kind of request."}.get(
            error.status_code, str(error.detail))
        return _error(error.status_code, text, getattr(error, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        return _error(422, "The request is not in the form this address expects.")

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error in %s %s", request.method, request.url.path)
        return _error(500, "xlperf hit an unexpected problem on the server (it is in the "
                           "server's log). Nothing in your workbook was changed.")

    # -- the request's credentials and body ---------------------------------------------------
    def authorise(request: Request) -> None:
        if config.token is None:
            return
        header = request.headers.get("authorization", "")
        scheme, _, given = header.partition(" ")
        ok = scheme.lower() == "bearer" and hmac.compare_digest(
            given.strip().encode("utf-8", "surrogateescape"), config.token.encode())
        if not ok:
            raise _Refused(401, "The server key is missing or wrong. Open Settings in the "
                                "xlperf pane and enter the key your administrator gave you.",
                           {"WWW-Authenticate": "Bearer"})

    async def body(request: Request) -> Any:
        authorise(request)
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != "application/json":
            raise _Refused(415, "Send the workbook as JSON (Content-Type: application/json).")
        raw = await request.body()
        try:
            return json.loads(raw)
        except (UnicodeDecodeError, ValueError) as error:
            raise _Refused(400, f"The request was not valid JSON ({error}).") from None
        except RecursionError:  # LimitBody bounds the depth; this is the last word
            raise _Refused(400, "The request nests too deeply to be read.") from None

    # -- the add-in's files (no token) --------------------------------------------------------
    @app.get("/", include_in_schema=False)
    async def root() -> RedirectResponse:
        return RedirectResponse("/taskpane.html")

    @app.get("/manifest.xml")
    async def manifest() -> Response:
        from xlperf import __version__

        return Response(manifest_xml(config.url, version=__version__),
                        media_type="application/xml")

    @app.get("/taskpane.html")
    async def taskpane() -> Response:
        return Response((STATIC / "taskpane.html").read_text("utf-8"), media_type="text/html",
                        headers={"Content-Security-Policy": _CSP})

    @app.get("/functions/meta.json")
    async def functions_meta() -> JSONResponse:
        return JSONResponse(await run_in_threadpool(functions.meta))

    @app.get("/functions/code.js")
    async def functions_code() -> Response:
        code = await run_in_threadpool(functions.code)
        return Response(code, media_type="text/javascript")

    # -- the work (token) ---------------------------------------------------------------------
    @app.post("/functions/call")
    async def functions_call(request: Request) -> JSONResponse:
        data = await body(request)
        return JSONResponse({"ok": True, "result": await run_in_threadpool(functions.call, data)})

    @app.post("/validate")
    async def validate(request: Request) -> JSONResponse:
        payload = await body(request)
        return JSONResponse(await run_in_threadpool(team.validate, payload))

    @app.post("/refresh")
    async def refresh(request: Request) -> JSONResponse:
        payload = await body(request)
        return JSONResponse(await run_in_threadpool(team.refresh, payload))

    @app.get("/log")
    async def show_log(request: Request) -> JSONResponse:
        authorise(request)
        return JSONResponse(await run_in_threadpool(team.log))

    @app.get("/returns")
    async def show_returns(request: Request, period: str | None = None,
                           today: str | None = None) -> JSONResponse:
        authorise(request)
        return JSONResponse(await run_in_threadpool(team.collection, period, today))

    @app.get("/health")
    async def health(request: Request) -> JSONResponse:
        authorise(request)
        from xlperf import __version__

        master = config.master
        return JSONResponse({"ok": True, "xlperf": __version__,
                             "master": master.name if master is not None else None,
                             "token": config.token is not None})

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> Response:
        return Response((STATIC / "icon-32.png").read_bytes(), media_type="image/png")

    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    @app.middleware("http")
    async def headers(request: Request, call_next: Any) -> Response:
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if request.url.path not in PUBLIC_PATHS and not request.url.path.startswith(
                "/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    app.add_middleware(CORSMiddleware, allow_origins=[config.allowed_origin],
                       allow_methods=["GET", "POST"],
                       allow_headers=["Authorization", "Content-Type"], max_age=600)
    if is_loopback(config.host) and config.public_url is None:
        # A page on any web site could otherwise reach a loopback server through a DNS name
        # pointed at 127.0.0.1 (DNS rebinding): only this computer's own names are served.
        app.add_middleware(TrustedHostMiddleware,
                           allowed_hosts=["127.0.0.1", "localhost", "::1", config.host])
    app.add_middleware(LimitBody, max_bytes=config.max_bytes, timeout=config.body_timeout,
                       idle_timeout=config.body_idle_timeout)
    app.add_middleware(ScrubPaths, roots=lambda: _server_folders(config, team))
    app.add_middleware(LiteFiles, base_url=config.url)  # outermost: its own CORS (see _lite)
    return app


def _server_folders(config: ServerConfig, team: Team) -> list[str]:
    """The folders of the server's disk no answer may name: the master's, its ledger's, the
    returns', the working directory and the temporary folder (each as given and resolved)."""
    import tempfile
    from pathlib import Path

    folders: list[Path] = [Path.cwd(), Path(tempfile.gettempdir()), Path.home()]
    if config.master is not None:
        folders.append(config.master.parent)
        try:
            folders.append(team.ledger_path().parent)
            folders.extend(team.returns())
        except (XlperfError, OSError):
            pass
    out = set()
    for folder in folders:
        out.add(str(folder))
        try:
            out.add(str(folder.resolve()))
        except OSError:
            pass
    return sorted(out)
