"""xlwings Lite's files on the server: ``/lite/requirements.txt``, ``/lite/main.py`` and
xlperf's own wheel, to any origin (Lite fetches them from its own page), with no token.

tests/test_distribution.py installs the served wheel with pip from its URL, from a real
``xlperf serve`` on 127.0.0.1. (Pyodide's micropip and its own packages cannot be fetched
here: that part is not run.)
"""

from __future__ import annotations

import io
import zipfile

from packaging.requirements import Requirement

LITE_ORIGIN = "https://addin.xlwings.org"


def parsed(text: str) -> dict[str, Requirement]:
    reqs = [Requirement(line) for line in text.splitlines()
            if line.strip() and not line.startswith("#")]
    return {r.name: r for r in reqs}


def test_requirements_point_at_the_served_wheel_and_any_origin_may_fetch(client, config):
    from xlperf.lite import MAIN_PY, wheel_name

    response = client.get("/lite/requirements.txt", headers={"Origin": LITE_ORIGIN})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["content-type"].startswith("text/plain")
    requirements = parsed(response.text)
    assert requirements["xlperf"].url == f"{config.url}/lite/{wheel_name()}"
    assert "sqlite3" not in requirements

    wheel = client.get(requirements["xlperf"].url.removeprefix(config.url),
                       headers={"Origin": LITE_ORIGIN})  # no Authorization: micropip has none
    assert wheel.status_code == 200 and wheel.headers["access-control-allow-origin"] == "*"
    with zipfile.ZipFile(io.BytesIO(wheel.content)) as archive:
        names = set(archive.namelist())
        metadata = archive.read("xlperf-0.1.0.dist-info/METADATA").decode()
    assert {"xlperf/catalogue/rules.csv", "xlperf/server/static/taskpane.html",
            "xlperf/write/vba/vbaProject.bin", "xlperf-0.1.0.dist-info/RECORD"} <= names
    assert "Name: xlperf" in metadata and "sys_platform != \"emscripten\"" in metadata
    assert client.get("/lite/main.py").text == MAIN_PY


def test_preflight_from_lite_is_answered_and_the_rest_keeps_its_one_origin(client):
    preflight = client.options("/lite/requirements.txt", headers={
        "Origin": LITE_ORIGIN, "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Private-Network": "true"})
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert preflight.headers["access-control-allow-private-network"] == "true"
    # The team's endpoints still answer only the server's own origin.
    other = client.options("/refresh", headers={"Origin": LITE_ORIGIN,
                                                "Access-Control-Request-Method": "POST"})
    assert other.headers.get("access-control-allow-origin") != "*"
    assert client.get("/health").status_code == 401  # the token is still needed there


def test_unknown_lite_files_and_other_methods_are_refused(client):
    missing = client.get("/lite/../master.xlsx")
    assert missing.status_code == 404
    assert client.get("/lite/master.xlsx").status_code == 404
    assert "requirements.txt" in client.get("/lite/anything").text
    assert client.post("/lite/requirements.txt", content=b"x").status_code == 405
    head = client.head("/lite/requirements.txt")
    assert head.status_code == 200 and head.content == b""
