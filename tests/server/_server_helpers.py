"""Helpers of the add-in server's tests (constants, payloads, a live uvicorn server)."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "test-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def payload(path: Path) -> dict[str, Any]:
    from xlperf.excel.payload import payload_from_xlsx

    return payload_from_xlsx(path)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """``xlperf serve``'s application in uvicorn on a free loopback port, in a thread."""

    def __init__(self, config: Any):
        import uvicorn

        from xlperf.server import create_app

        self.config = replace(config, port=free_port()).check()
        self.url = self.config.url
        self.app = create_app(self.config)
        self.server = uvicorn.Server(uvicorn.Config(
            self.app, host="127.0.0.1", port=self.config.port, log_level="warning",
            lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start within 20 s")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
