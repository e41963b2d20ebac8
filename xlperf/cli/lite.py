"""``xlperf lite``: the files to paste into xlwings Lite, and xlperf's wheel they install."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from xlperf.cli._app import app, console, fail, print_json, usage
from xlperf.errors import InputError, XlperfError


@app.command()
def lite(
    directory: Annotated[Path, typer.Argument(help="Folder for main.py, requirements.txt and "
                                                   "the wheel.")],
    wheel_url: Annotated[str | None, typer.Option(
        "--wheel-url", help="Where Excel will fetch xlperf's wheel (a server that allows "
                            "CORS). Default: xlperf serve on this computer, "
                            "http://127.0.0.1:8000/lite/<wheel>.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print what was written as JSON.")
                       ] = False,
) -> None:
    """Write main.py and requirements.txt to paste into xlwings Lite's editor, and xlperf's
    wheel that requirements.txt installs (put it at --wheel-url, or run xlperf serve)."""
    from xlperf.lite import default_wheel_url, write_lite_files

    try:
        written = write_lite_files(directory, wheel_url)
    except InputError as error:  # --wheel-url is the only thing typed here
        raise usage(str(error)) from None
    except (XlperfError, OSError) as error:
        raise fail(error if isinstance(error, XlperfError) else XlperfError(
            f"could not write {directory}: {error.strerror or error}")) from None
    url = wheel_url or default_wheel_url()
    if as_json:
        print_json("lite", {"files": [str(p) for p in written], "wheel_url": url})
        return
    for path in written:
        console().print(f"Wrote {path}", markup=False)
    console().print(f"In Lite: paste main.py and requirements.txt into their tabs; Excel then "
                    f"installs xlperf from {url}", markup=False)
