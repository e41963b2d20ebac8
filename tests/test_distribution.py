"""Every documented way in, run as documented.

* A real distribution: ``python -m build`` makes a wheel and an sdist the package index would
  take (``twine check``), holding every file xlperf reads at run time; the wheel installs in a
  fresh virtual environment (its dependencies from the package index, as a user's pip gets
  them) and runs ``xlperf demo`` outside the source tree.
* Lite from a wheel: a real ``xlperf serve`` on 127.0.0.1 serves requirements.txt and the
  wheel; pip installs xlperf from that URL.
* The README's commands are tests: every fenced ``sh`` block of README.md runs, in order, in a
  fresh copy of the working tree, exactly as written, and must exit 0 unless an
  ``<!-- exit-codes: ... -->`` comment above it says otherwise; ``<!-- not-run: why -->``
  skips a block (root installs, a server that runs until stopped). Blocks after the one that
  activates the venv run activated, as the README says; ``$ `` blocks must print what they
  show.

Installing xlperf's dependencies from the index takes minutes on this machine (one request per
package), so it is done once: the fresh venv the wheel is installed into is the clone's
``.venv``, which the README's set-up command (``python3 -m venv .venv && .venv/bin/pip install
-e .``) then takes over as written, and the served wheel is installed into the same venv.
Builds run on copies of the working tree (the files git tracks or would track), so the
build's ``build/`` and ``*.egg-info`` never land in the checkout.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import tarfile
import textwrap
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow

#: What xlperf reads at run time besides its modules (the rule catalogue, the server's pane,
#: the VBA of master.xlsm): a wheel without one of them installs but fails on first use.
RUNTIME_FILES = ["xlperf/catalogue/rules.csv", "xlperf/catalogue/README.md",
                 "xlperf/server/static/taskpane.html", "xlperf/server/static/taskpane.js",
                 "xlperf/server/static/functions.js", "xlperf/server/static/icon-32.png",
                 "xlperf/write/vba/vbaProject.bin", "xlperf/py.typed"]


def clean_env() -> dict[str, str]:
    """The environment without this test run's venv or source folder on any path."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if not p.startswith(str(ROOT)))
    # pip without byte-compiling what it installs (``--no-compile`` for every pip here, the
    # README's commands as written): compiling pandas and numpy was most of pip's time, and
    # Python compiles what xlperf imports when it first runs; the install is otherwise the same.
    env["PIP_COMPILE"] = "no"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def copy_of_the_tree(target: Path) -> Path:
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_bytes(source.read_bytes())
    return target


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("distribution")
    source = copy_of_the_tree(work / "source")
    out = work / "dist"
    build = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(source)],
                           capture_output=True, text=True, timeout=600, env=clean_env())
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    assert "WARNING" not in build.stdout + build.stderr, "setuptools warned: see the log"
    wheel, = out.glob("*.whl")
    sdist, = out.glob("*.tar.gz")
    return {"work": work, "wheel": wheel, "sdist": sdist, "source": source}


@pytest.fixture(scope="module")
def venv(built: dict[str, Any]) -> dict[str, Any]:
    """A fresh clone (copy of the working tree) whose fresh ``.venv`` has the built wheel
    installed with all its dependencies."""
    clone = copy_of_the_tree(built["work"] / "clone")
    env = clean_env()
    path = clone / ".venv"
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True, timeout=120, env=env)
    install = subprocess.run([str(path / "bin" / "pip"), "install", "-q", str(built["wheel"])],
                             capture_output=True, text=True, timeout=1200, env=env,
                             cwd=built["work"])
    assert install.returncode == 0, install.stderr[-3000:]
    return {"clone": clone, "path": path, "bin": path / "bin", "env": env, **built}


def test_twine_check_passes_and_the_metadata_is_complete(built):
    check = subprocess.run([sys.executable, "-m", "twine", "check", "--strict",
                            str(built["wheel"]), str(built["sdist"])],
                           capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count("PASSED") == 2
    with zipfile.ZipFile(built["wheel"]) as wheel:
        metadata = wheel.read("xlperf-0.1.0.dist-info/METADATA").decode()
        licence = wheel.read("xlperf-0.1.0.dist-info/licenses/LICENSE").decode()
    assert "License-Expression: BSD-3-Clause" in metadata and "License-File: LICENSE" in metadata
    assert "Description-Content-Type: text/markdown" in metadata
    assert "# xlperf" in metadata  # the README is the long description
    assert "Classifier: Topic :: Office/Business :: Financial :: Spreadsheet" in metadata
    assert "Requires-Python: >=3.11" in metadata
    assert "Provides-Extra: server" in metadata and "Provides-Extra: report" in metadata
    assert licence.startswith("BSD 3-Clause License")


def test_the_wheel_and_sdist_hold_every_file_xlperf_reads(built):
    with zipfile.ZipFile(built["wheel"]) as wheel:
        names = set(wheel.namelist())
    assert set(RUNTIME_FILES) <= names
    assert not [n for n in names if "__pycache__" in n or n.startswith(("tests/", "validation/"))]
    with tarfile.open(built["sdist"]) as sdist:
        members = {m.name.split("/", 1)[1] for m in sdist.getmembers() if "/" in m.name}
    assert {"LICENSE", "README.md", "pyproject.toml", "validation/rules.csv",
            "workbooks/lite/requirements.txt", "docs/excel.md", "tests/test_distribution.py",
            "xlperf/server/static/taskpane.html", "xlperf/write/vba/vbaProject.bin"} <= members


def test_the_served_wheel_is_the_built_wheel_file_for_file(built):
    """xlperf.lite.own_wheel (what xlperf serve and xlperf lite give Lite) has the same files
    with the same bytes as the wheel python -m build makes, and the same metadata."""
    from xlperf.lite import own_wheel

    name, data = own_wheel()
    assert name == built["wheel"].name
    import io

    with zipfile.ZipFile(built["wheel"]) as made, zipfile.ZipFile(io.BytesIO(data)) as ours:
        assert sorted(made.namelist()) == sorted(ours.namelist())
        for entry in made.namelist():
            if entry.endswith(("/RECORD", "/WHEEL")):
                continue
            if entry.endswith("/METADATA"):  # the same fields; the README may have moved on
                assert made.read(entry).split(b"\n\n")[0] == ours.read(entry).split(b"\n\n")[0]
                continue
            assert made.read(entry) == ours.read(entry), entry


def probe(venv: dict[str, Any], code: str, cwd: Path) -> Any:
    out = subprocess.run([str(venv["bin"] / "python"), "-c", code], cwd=cwd,
                         capture_output=True, text=True, timeout=120, env=venv["env"])
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_wheel_installs_in_a_fresh_venv_and_runs_the_demo_outside_the_source(venv):
    from xlperf.validate.catalogue import load_rules

    folder = venv["work"] / "elsewhere"
    folder.mkdir()
    demo = subprocess.run([str(venv["bin"] / "xlperf"), "demo", "my-council"], cwd=folder,
                          capture_output=True, text=True, timeout=300, env=venv["env"])
    assert demo.returncode == 0, demo.stdout[-2000:] + demo.stderr[-2000:]
    assert (folder / "my-council" / "master.xlsx").is_file()
    assert len(list((folder / "my-council" / "returns").glob("*.xlsx"))) == 10
    assert "Refreshed workbook" in demo.stdout
    where, rules, pane = probe(venv, (
        "import xlperf, json\n"
        "from importlib.resources import files\n"
        "from xlperf.validate.catalogue import load_rules\n"
        "print(json.dumps([xlperf.__file__, len(load_rules()),"
        " files('xlperf.server').joinpath('static/taskpane.html').is_file()]))"), folder)
    assert where.startswith(str(venv["path"] / "lib")) and pane is True
    assert rules == len(load_rules())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_pip_installs_the_wheel_xlperf_serve_serves_from_its_url(venv):
    """A real ``xlperf serve`` (this checkout's) on 127.0.0.1: its requirements.txt names the
    wheel's URL, and pip installs xlperf from that URL (dependencies already in the venv)."""
    import httpx
    from packaging.requirements import Requirement

    port = free_port()
    env = {**os.environ, "XLWINGS_ON_SERVER": "true", "XLWINGS_LICENSE_KEY": "noncommercial"}
    env.pop("XLPERF_TOKEN", None)
    server = subprocess.Popen([sys.executable, "-m", "xlperf.cli", "serve", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                text = httpx.get(f"{base}/lite/requirements.txt", timeout=5).text
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stderr.read().decode()  # type: ignore
                assert time.monotonic() < deadline, "xlperf serve did not start in 60 s"
                time.sleep(0.2)
        lines = [Requirement(line) for line in text.splitlines()
                 if line.strip() and not line.startswith("#")]
        xlperf_line, = [r for r in lines if r.name == "xlperf"]
        assert xlperf_line.url == f"{base}/lite/xlperf-0.1.0-py3-none-any.whl"
        pip = str(venv["bin"] / "pip")
        subprocess.run([pip, "uninstall", "-y", "-q", "xlperf"], check=True, timeout=120,
                       env=venv["env"])
        install = subprocess.run([pip, "install", "-q", str(xlperf_line)], capture_output=True,
                                 text=True, timeout=600, env=venv["env"], cwd=venv["work"])
        assert install.returncode == 0, install.stderr[-3000:]
    finally:
        server.terminate()
        server.wait(timeout=30)
    folder = venv["work"] / "served"
    folder.mkdir()
    origin, status = probe(venv, (
        "import json, xlperf\n"
        "from importlib.metadata import distribution\n"
        "print(json.dumps([json.loads(distribution('xlperf').read_text('direct_url.json')),"
        " xlperf.status(91.54, 45.3, 'Smaller is better', tolerance=2)]))"), folder)
    assert origin["url"] == xlperf_line.url and status == "Red"
    check = subprocess.run([pip, "check"], capture_output=True, text=True, timeout=120,
                           env=venv["env"])
    assert check.returncode == 0, check.stdout


# -- the README's commands -------------------------------------------------------------------

FENCE = re.compile(r"((?:^[ \t]*<!--[^\n]*-->[ \t]*\n)*)^([ \t]*)```sh\n(.*?)^[ \t]*```",
                   re.M | re.S)
ACTIVATE = "source .venv/bin/activate"


def readme_blocks() -> list[dict[str, Any]]:
    """Each fenced sh block: its code (dedented), its markers, and its line in README.md."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = []
    for match in FENCE.finditer(text):
        markers = match.group(1)
        skip = re.search(r"<!-- not-run: (.+?) -->", markers)
        codes = re.search(r"<!-- exit-codes: (.+?) -->", markers)
        expected = {}
        if codes:
            for part in codes.group(1).split(","):
                command, _, code = part.strip().rpartition("=")
                expected[command.strip()] = int(code)
        blocks.append({"code": textwrap.dedent(match.group(3)), "skip": skip.group(1) if skip
                       else None, "exits": expected,
                       "line": text[:match.start(2)].count("\n") + 1})
    return blocks


def commands(code: str) -> list[str]:
    """The block's commands: lines joined at a trailing backslash, comments and blanks left."""
    lines, current = [], ""
    for line in code.splitlines():
        current += line[:-1] + " " if line.endswith("\\") else line
        if line.endswith("\\"):
            continue
        if current.strip() and not current.lstrip().startswith("#"):
            lines.append(current)
        current = ""
    return lines


def test_readme_blocks_parse_as_the_test_expects():
    blocks = readme_blocks()
    assert len(blocks) >= 6
    skipped = {b["line"]: b["skip"] for b in blocks if b["skip"]}
    assert any("root" in why for why in skipped.values())  # the test command
    cycle, = [b for b in blocks if "xlperf init council --demo" in b["code"]]
    assert not cycle["skip"] and ACTIVATE in cycle["code"]
    assert [c.split()[1] for c in commands(cycle["code"])[1:]] == [
        "init", "templates", "validate", "refresh", "returns", "report"]
    assert cycle["exits"] == {"xlperf validate": 1, "xlperf refresh": 1, "xlperf returns": 1}
    demo, = [b for b in blocks if "xlperf demo" in b["code"] and "python3 -m venv" in b["code"]]
    assert not demo["skip"]


def test_every_readme_sh_block_runs_as_written(venv):
    clone, env = venv["clone"], venv["env"]
    activated, ran, failures = False, [], []
    for block in readme_blocks():
        if block["skip"]:
            continue
        code, where = block["code"], f"README.md line {block['line']}"
        prefix = ACTIVATE + "\n" if activated and ACTIVATE not in code else ""
        if code.lstrip().startswith("$ "):  # a transcript: commands and what they print
            for command, shown in re.findall(r"^\$ (.+)\n((?:(?!\$ ).*\n?)*)", code, re.M):
                out = subprocess.run(["bash", "-c", prefix + command], cwd=clone, env=env,
                                     capture_output=True, text=True, timeout=300)
                ran.append(command)
                if out.returncode != 0 or shown.strip() not in out.stdout:
                    failures.append(f"{where}: {command} -> {out.returncode}\n{out.stdout}"
                                    f"{out.stderr[-1500:]}")
            continue
        steps = commands(code)
        codes_file = venv["work"] / "exit-codes.txt"
        codes_file.write_text("")
        script = prefix + "".join(f'{c}\necho "$?" >> "$XLPERF_README_CODES"\n' for c in steps)
        out = subprocess.run(["bash", "-c", script], cwd=clone, capture_output=True, text=True,
                             env={**env, "XLPERF_README_CODES": str(codes_file)}, timeout=1500)
        log = out.stdout + out.stderr
        codes = [int(x) for x in codes_file.read_text().split()]
        ran += steps
        for command, code_ in zip(steps, codes, strict=False):
            want = next((c for k, c in block["exits"].items() if command.startswith(k)), 0)
            if code_ != want:
                failures.append(f"{where}: {command!r} exited {code_}, the README says {want}"
                                f"\n{log[-2500:]}")
        if len(codes) != len(steps):
            failures.append(f"{where}: the block stopped after {len(codes)} of {len(steps)} "
                            f"commands\n{log[-2500:]}")
        activated = activated or ACTIVATE in code
    assert not failures, "\n\n".join(failures)
    assert any(c.startswith("xlperf report") for c in ran) and activated
    assert (clone / "council" / "pack.html").is_file()
    assert (clone / "council" / "lite" / "requirements.txt").is_file()
    assert list((clone / "dist").glob("xlperf-*.whl"))
