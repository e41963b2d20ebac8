"""xlperf for xlwings Lite: its own wheel, and the ``requirements.txt`` and ``main.py`` to paste.

xlwings Lite runs Python inside Excel (Pyodide) and installs what its *requirements.txt* tab
lists with micropip: pure-Python wheels from PyPI, Pyodide's own builds of pandas, numpy and
lxml (never pinned: their versions come with Pyodide), and a package of one's own from the URL
of its wheel, on a server that lets the browser fetch it (CORS). Until xlperf is on PyPI that
URL is the way in, so this module makes the wheel of the xlperf that is installed and the two
files that point at it; ``xlperf serve`` serves all three under :data:`LITE_PATH` and
``xlperf lite DIR`` writes them into a folder. One place for both, so they cannot disagree.

No ``sqlite3`` line: it is in Pyodide's standard library, and micropip refuses it by name.

>>> print(requirements_txt("https://xlperf.council.gov.uk/lite/xlperf-0.1.0-py3-none-any.whl")
...       .splitlines()[-1])
xlperf @ https://xlperf.council.gov.uk/lite/xlperf-0.1.0-py3-none-any.whl
"""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from functools import cache
from importlib import metadata, resources
from pathlib import Path

from xlperf.errors import InputError, XlperfError

__all__ = ["DEFAULT_SERVER", "LITE_PATH", "LITE_XLWINGS", "MAIN_PY", "default_wheel_url",
           "own_wheel", "requirements_txt", "wheel_name", "write_lite_files"]

#: Where ``xlperf serve`` serves the wheel, ``requirements.txt`` and ``main.py``.
LITE_PATH = "/lite/"
#: ``xlperf serve``'s address when started with no options.
DEFAULT_SERVER = "http://127.0.0.1:8000"
#: The xlwings release Lite's requirements pin (pure Python, so pinned as Lite's docs say):
#: the one xlperf's Lite tests run against.
LITE_XLWINGS = "0.37.8"
#: Built by Pyodide itself: listed, never pinned (their versions are tied to Pyodide's).
PYODIDE_PACKAGES = ("pandas", "numpy", "lxml")
_WHEEL_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest zip date: the same files give the same bytes

MAIN_PY = '''"""xlperf in xlwings Lite: paste this into the Lite editor's main.py tab.

It exposes the XLPERF.* worksheet functions (=XLPERF.STATUS(B2,C2,D2,E2) ...) and two scripts,
"Validate this return" and "Refresh scorecard", which work on the open workbook. Everything is
defined in the xlperf package; this file only brings it into Lite (see docs/excel.md).
"""

from xlperf.excel.functions import *  # noqa: F403  (the XLPERF.* worksheet functions)
from xlperf.excel.scripts import refresh_scorecard, validate_return  # noqa: F401
'''


def wheel_name() -> str:
    """The file name of xlperf's wheel: pure Python, any platform.

    >>> wheel_name()
    'xlperf-0.1.0-py3-none-any.whl'
    """
    from xlperf import __version__

    return f"xlperf-{__version__}-py3-none-any.whl"


def default_wheel_url(server: str = DEFAULT_SERVER) -> str:
    """Where ``xlperf serve`` at ``server`` serves the wheel.

    >>> default_wheel_url("https://xlperf.council.gov.uk/")
    'https://xlperf.council.gov.uk/lite/xlperf-0.1.0-py3-none-any.whl'
    """
    return f"{server.rstrip('/')}{LITE_PATH}{wheel_name()}"


def requirements_txt(wheel_url: str | None = None) -> str:
    """The text of Lite's *requirements.txt* tab, installing xlperf from ``wheel_url``
    (default: :func:`default_wheel_url`). Every line parses as a PEP 508 requirement; xlperf's
    is a direct reference (``xlperf @ URL``), which pip and micropip both install."""
    url = wheel_url or default_wheel_url()
    if any(c.isspace() for c in url) or not url.lower().startswith(("https://", "http://")):
        raise InputError(f"the wheel's address must be a web address (https://...) with no "
                          f"spaces, not {url!r}")
    lines = [
        "# xlwings Lite: paste into the requirements.txt tab (see docs/excel.md, xlwings Lite).",
        "# pandas, numpy and lxml come from Pyodide's own distribution: do not pin them. sqlite3",
        "# is in Pyodide's standard library and needs no line. xlperf comes from its wheel: the",
        "# address below must be reachable from Excel and allow the browser to fetch it (CORS),",
        "# as xlperf serve does; make your own with: xlperf lite DIR --wheel-url URL",
        f"xlwings=={LITE_XLWINGS}",
        *PYODIDE_PACKAGES,
        f"xlperf @ {url}",
    ]
    return "\n".join(lines) + "\n"


def _package_files() -> dict[str, bytes]:
    """Every file of the installed xlperf package, by its path in a wheel (no byte code)."""
    import xlperf

    root = Path(xlperf.__file__).resolve().parent
    files: dict[str, bytes] = {}

    def add(folder: Path, prefix: str) -> None:
        for path in sorted(folder.rglob("*")):
            if (path.is_file() and "__pycache__" not in path.parts
                    and path.suffix not in (".pyc", ".pyo")):
                files[f"{prefix}/{path.relative_to(folder).as_posix()}"] = path.read_bytes()

    add(root, "xlperf")
    # From a source checkout the catalogue is the top-level validation/ folder (pyproject maps
    # it); once installed it is xlperf/catalogue, already added above.
    catalogue = Path(str(resources.files("xlperf.catalogue"))).resolve()
    if catalogue != root / "catalogue":
        add(catalogue, "xlperf/catalogue")
    return files


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


@cache
def own_wheel() -> tuple[str, bytes]:
    """``(file name, bytes)`` of a wheel of the installed xlperf, made from its installed files
    and metadata (an editable install from a clone works too): the same files as
    ``python -m build`` puts in the wheel, so it installs with pip and micropip alike.

    Raises :class:`~xlperf.errors.XlperfError` if xlperf's metadata is missing (run from a
    folder without installing it)."""
    # An installed dist-info first: a build leaves an xlperf.egg-info in the clone, which is
    # found first from there but has no METADATA (its PKG-INFO is the same text, a fallback).
    found = sorted(metadata.distributions(name="xlperf"),
                   key=lambda d: d.read_text("METADATA") is None)
    meta = next((text for d in found for text in (d.read_text("METADATA"),
                                                   d.read_text("PKG-INFO")) if text), None)
    if not found or not meta:
        raise XlperfError("xlperf is not installed, so it has no wheel to serve: install it "
                          "(pip install -e . in a clone)")
    dist = found[0]
    name = wheel_name()
    info = f"{name.split('-py3')[0]}.dist-info"
    files = _package_files()
    files[f"{info}/METADATA"] = meta.encode("utf-8")
    files[f"{info}/WHEEL"] = (b"Wheel-Version: 1.0\nGenerator: xlperf.lite\n"
                              b"Root-Is-Purelib: true\nTag: py3-none-any\n\n")
    for extra in ("entry_points.txt", "top_level.txt", "licenses/LICENSE"):
        text = dist.read_text(extra)
        if text:
            files[f"{info}/{extra}"] = text.encode("utf-8")
    record = [_record_line(path, data) for path, data in files.items()]
    files[f"{info}/RECORD"] = ("\n".join([*record, f"{info}/RECORD,,"]) + "\n").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as wheel:
        for path, data in files.items():
            entry = zipfile.ZipInfo(path, _WHEEL_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            wheel.writestr(entry, data)
    return name, buffer.getvalue()


def write_lite_files(directory: str | Path, wheel_url: str | None = None) -> list[Path]:
    """Write ``main.py`` and ``requirements.txt`` for Lite into ``directory``, the requirements
    pointing at ``wheel_url`` (default: ``xlperf serve`` on this computer), and the wheel itself
    beside them, to put on any web server that allows CORS. Returns the files written."""
    requirements = requirements_txt(wheel_url)
    name, wheel = own_wheel()
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for file, data in (("main.py", MAIN_PY.encode()), ("requirements.txt",
                                                       requirements.encode()), (name, wheel)):
        path = folder / file
        path.write_bytes(data)
        written.append(path)
    return written
