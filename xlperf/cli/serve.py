"""``xlperf serve``: run the add-in server for a team (FastAPI + uvicorn, ``xlperf[server]``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from xlperf.cli._app import app, err_console, fail
from xlperf.errors import XlperfError


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on. Anything but 127.0.0.1 "
                                           "needs XLPERF_TOKEN set.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    master: Annotated[Path | None, typer.Option(
        help="The team's master workbook on this server: refreshes record in its ledger, "
             "returns are validated against it.")] = None,
    url: Annotated[str | None, typer.Option(
        help="The address Excel uses (written into the manifest), e.g. "
             "https://xlperf.council.gov.uk when behind a proxy.")] = None,
    origin: Annotated[str | None, typer.Option(
        help="The one web origin allowed to call the server (default: its own).")] = None,
    max_payload_mb: Annotated[float, typer.Option(
        "--max-payload-mb", help="Largest workbook a request may send, in MB.")] = 20,
    ssl_certfile: Annotated[Path | None, typer.Option(help="TLS certificate (PEM).")] = None,
    ssl_keyfile: Annotated[Path | None, typer.Option(help="TLS private key (PEM).")] = None,
) -> None:
    """Run the Excel add-in server: task pane, XLPERF.* functions, validate and refresh."""
    from xlperf.server import ServerConfig, create_app

    try:
        config = ServerConfig.from_env(
            host=host, port=port, master=master, public_url=url, origin=origin,
            max_bytes=int(max_payload_mb * 1_048_576),
            https=ssl_certfile is not None).check()
        application = create_app(config)
        import uvicorn
    except ImportError:
        raise fail(XlperfError("the server needs uvicorn: pip install 'xlperf[server]'")
                    ) from None
    except XlperfError as error:
        raise fail(error) from None
    if config.token is None:
        err_console().print("[yellow]No XLPERF_TOKEN set: only this computer can reach the "
                          "server, and it asks for no key.[/]")
    err_console().print(f"xlperf add-in server on {config.url}  (manifest: {config.url}"
                      "/manifest.xml)")
    from xlperf.server import uvicorn_options

    uvicorn.run(application, **uvicorn_options(config),
                ssl_certfile=str(ssl_certfile) if ssl_certfile else None,
                ssl_keyfile=str(ssl_keyfile) if ssl_keyfile else None)
