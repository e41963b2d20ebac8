"""The server's settings, checked before anything listens: a frozen dataclass, no FastAPI."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from xlperf.errors import XlperfError

__all__ = ["DEFAULT_MAX_BYTES", "ServerConfig", "ServerConfigError", "is_loopback"]

# A council master as Office.js sends it (every sheet's values as JSON) is a few hundred KB;
# 20 MB leaves room for a big register and years of values without letting one request
# exhaust the server's memory.
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
TOKEN_ENV = "XLPERF_TOKEN"
MIN_TOKEN_LENGTH = 16


class ServerConfigError(XlperfError):
    """The server cannot start with these settings (message says which and why)."""


def is_loopback(host: str) -> bool:
    """True for addresses only this computer can reach (``127.0.0.1``, ``::1``, ``localhost``).

    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class ServerConfig:
    """How ``xlperf serve`` runs.

    ``token``: the bearer token every request but the manifest and the task pane's static files
    must carry (``XLPERF_TOKEN``); ``None`` only on a loopback address. ``master``: the team's
    master workbook on the server's disk; its ledger (``Ledger path`` setting, else beside it)
    is the ledger every refresh records into, and validation checks returns against it.
    ``origin``: the one web origin allowed to call the server from a browser (CORS); default
    the server's own (the task pane is served from here). ``public_url``: the address Excel
    uses, written into the manifest (default ``http(s)://host:port``).
    """

    host: str = "127.0.0.1"
    port: int = 8000
    master: Path | None = None
    token: str | None = None
    origin: str | None = None
    public_url: str | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    https: bool = False
    lock_timeout: float = 120.0
    # Slow clients (see docs/server.md): seconds for a request's headers, for its whole body
    # and between two pieces of it, for an idle kept-alive connection; open connections.
    header_timeout: float = 10.0
    body_timeout: float = 120.0
    body_idle_timeout: float = 15.0
    keep_alive_timeout: float = 5.0
    max_connections: int = 64

    @classmethod
    def from_env(cls, **kwargs: object) -> ServerConfig:
        """Settings with the token read from ``XLPERF_TOKEN`` (an empty value is no token)."""
        token = os.environ.get(TOKEN_ENV, "").strip() or None
        return cls(token=token, **kwargs)  # type: ignore[arg-type]

    @property
    def url(self) -> str:
        """The server's address as Excel reaches it, without a trailing slash."""
        if self.public_url:
            return self.public_url.rstrip("/")
        scheme = "https" if self.https else "http"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{host}:{self.port}"

    @property
    def allowed_origin(self) -> str:
        """The single origin CORS allows: ``origin``, else the server's own."""
        chosen = (self.origin or self.url).rstrip("/")
        parts = urlsplit(chosen)
        return f"{parts.scheme}://{parts.netloc}"

    def check(self) -> ServerConfig:
        """Refuse settings that would expose the team's data; return ``self`` when fine."""
        if not 0 < self.port < 65536:
            raise ServerConfigError(f"--port must be between 1 and 65535, not {self.port}")
        if self.token is None and not is_loopback(self.host):
            raise ServerConfigError(
                f"refusing to listen on {self.host} without a token: anyone on the network "
                f"could read and change the team's ledger. Set {TOKEN_ENV} to a long random "
                "secret (python -c \"import secrets; print(secrets.token_urlsafe(32))\"), or "
                "listen on 127.0.0.1.")
        if self.token is not None and len(self.token) < MIN_TOKEN_LENGTH:
            raise ServerConfigError(f"{TOKEN_ENV} is too short to be a secret: use at least "
                                    f"{MIN_TOKEN_LENGTH} characters (32 random ones are best)")
        for name, value in (("--origin", self.origin), ("--url", self.public_url)):
            if value is not None:
                parts = urlsplit(value)
                if parts.scheme not in ("http", "https") or not parts.netloc:
                    raise ServerConfigError(f"{name} must be a web address such as "
                                            f"https://excel.council.gov.uk, not {value!r}")
        if self.master is not None:
            if not self.master.is_file():
                raise ServerConfigError(f"--master {self.master}: no such file")
        if self.max_bytes < 1024:
            raise ServerConfigError("the payload limit must be at least 1 KB")
        for name, seconds in (("header", self.header_timeout), ("body", self.body_timeout),
                              ("body idle", self.body_idle_timeout),
                              ("keep-alive", self.keep_alive_timeout)):
            if not seconds > 0:
                raise ServerConfigError(f"the {name} timeout must be more than 0 seconds")
        if self.max_connections < 1:
            raise ServerConfigError("the connection limit must be at least 1")
        return self
