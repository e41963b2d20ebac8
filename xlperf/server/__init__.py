"""``xlperf serve``: the backend of xlperf's Excel add-in, for a whole team.

Excel loads the add-in (its manifest, task pane and the ``XLPERF.*`` functions) from this
server; the task pane sends the open workbook as xlwings' remote payload and applies the
changes that come back. The team's ledger lives on the server, beside its master.

* :class:`ServerConfig`: host, port, master, token (``XLPERF_TOKEN``), CORS origin, limits;
  :meth:`ServerConfig.check` refuses a non-loopback address without a token;
* :func:`create_app`: the FastAPI application (imports FastAPI; install ``xlperf[server]``);
* :mod:`xlperf.server._service`: what each endpoint does, without the web framework.

Importing this package imports neither FastAPI nor xlwings.
"""

from __future__ import annotations

from typing import Any

from xlperf.server._config import ServerConfig, ServerConfigError
from xlperf.server._run import uvicorn_options

__all__ = ["ServerConfig", "ServerConfigError", "create_app", "uvicorn_options"]


def create_app(config: ServerConfig, **kwargs: Any) -> Any:
    """The FastAPI application for ``config`` (see :mod:`xlperf.server.app`)."""
    try:
        from xlperf.server.app import create_app as make
    except ImportError as error:
        raise ServerConfigError(f"the server needs FastAPI and uvicorn ({error.name} is "
                                "missing): pip install 'xlperf[server]'") from None
    return make(config, **kwargs)
