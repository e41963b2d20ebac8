"""How uvicorn runs the add-in server: timeouts, a connection limit, and an access log without
query strings (a token sent as ``?token=`` is refused, and must not sit in the log either).

:func:`uvicorn_options` gives the keyword arguments of ``uvicorn.run``/``uvicorn.Config``
for a :class:`~xlperf.server.ServerConfig`; ``xlperf serve`` and the tests' live server use it.

- ``timeout_keep_alive``: an idle kept-alive connection is closed after this many seconds;
- :func:`timed_protocol`: a connection whose request line and headers have not all arrived
  within ``header_timeout`` seconds is closed (uvicorn has no such timeout: 30 connections
  sending a header byte a second would otherwise be held for ever);
- ``limit_concurrency``: past this many open connections uvicorn answers 503 at once;
- ``h11_max_incomplete_event_size``: headers larger than this are refused (400);
- the body's timeouts are :class:`xlperf.server._guards.LimitBody`'s (408).
"""

from __future__ import annotations

import copy
import logging
from typing import Any

__all__ = ["NoQueryFilter", "timed_protocol", "uvicorn_options"]

MAX_HEADER_BYTES = 16 * 1024


class NoQueryFilter(logging.Filter):
    """Drops the query string from uvicorn's access-log records (``GET /log?token=...`` is
    logged ``GET /log``).

    >>> record = logging.LogRecord("uvicorn.access", 20, "", 0, '%s - "%s %s HTTP/%s" %d',
    ...                            ("1.2.3.4:5", "GET", "/log?token=secret", "1.1", 401), None)
    >>> NoQueryFilter().filter(record), record.getMessage()
    (True, '1.2.3.4:5 - "GET /log HTTP/1.1" 401')
    """

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True


def timed_protocol(header_timeout: float) -> type:
    """uvicorn's h11 protocol with a timeout on each request's line and headers."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class Timed(H11Protocol):

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._header_timer: Any = None
            self._arm()

        def _arm(self) -> None:
            self._disarm()
            self._header_timer = self.loop.call_later(header_timeout, self._too_slow)

        def _disarm(self) -> None:
            timer = getattr(self, "_header_timer", None)
            if timer is not None:
                timer.cancel()
                self._header_timer = None

        def _too_slow(self) -> None:
            self._header_timer = None
            if self.cycle is None or self.cycle.response_complete:
                self.logger.warning("Closed a connection whose request headers did not arrive "
                                    "within %.0f s.", header_timeout)
                self.transport.close()

        def data_received(self, data: bytes) -> None:
            before = self.cycle
            super().data_received(data)
            if self.cycle is not None and self.cycle is not before:
                self._disarm()  # the headers are in: the body has its own timeouts

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing() and (
                    self.cycle is None or self.cycle.response_complete):
                self._arm()  # the next request's headers get the same time

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

    return Timed


def uvicorn_options(config: Any) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.run(app, **options)`` from a server config."""
    from uvicorn.config import LOGGING_CONFIG

    logging_config = copy.deepcopy(LOGGING_CONFIG)
    logging_config.setdefault("filters", {})["no_query"] = {
        "()": "xlperf.server._run.NoQueryFilter"}
    # On the logger, not a handler: whatever handler a council adds (syslog, a file) gets the
    # record without its query.
    logging_config["loggers"]["uvicorn.access"]["filters"] = ["no_query"]
    return {"host": config.host, "port": config.port, "http": timed_protocol(config.header_timeout),
            "timeout_keep_alive": config.keep_alive_timeout,
            "limit_concurrency": config.max_connections,
            "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
            "log_config": logging_config, "server_header": False, "log_level": "info"}
