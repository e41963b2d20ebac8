"""Starting the server: settings refused before anything listens, the manifest, the CLI."""

from __future__ import annotations

import doctest
import importlib
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from _server_helpers import AUTH, ROOT, TOKEN

NS = {"o": "http://schemas.microsoft.com/office/appforoffice/1.1",
      "ov": "http://schemas.microsoft.com/office/taskpaneappversionoverrides",
      "bt": "http://schemas.microsoft.com/office/officeappbasictypes/1.0"}
# The children a task pane add-in's <OfficeApp> must have, in the schema's order.
REQUIRED = ["Id", "Version", "ProviderName", "DefaultLocale", "DisplayName", "Description",
            "DefaultSettings", "Permissions"]


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "xlperf.council.gov.uk"])
def test_refuses_a_network_address_without_a_token(host):
    from xlperf.server import ServerConfig, ServerConfigError

    with pytest.raises(ServerConfigError) as caught:
        ServerConfig(host=host).check()
    assert "without a token" in str(caught.value) and "XLPERF_TOKEN" in str(caught.value)
    assert ServerConfig(host=host, token=TOKEN).check().token == TOKEN


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.5"])
def test_loopback_needs_no_token(host):
    from xlperf.server import ServerConfig

    assert ServerConfig(host=host).check().token is None


@pytest.mark.parametrize("kwargs,words", [
    ({"token": "short"}, "too short"), ({"port": 0}, "between 1 and 65535"),
    ({"origin": "evil.example"}, "must be a web address"),
    ({"public_url": "ftp://x"}, "must be a web address"),
    ({"master": Path("/no/such/master.xlsx")}, "no such file"),
])
def test_bad_settings(kwargs, words):
    from xlperf.server import ServerConfig, ServerConfigError

    with pytest.raises(ServerConfigError) as caught:
        ServerConfig(**kwargs).check()
    assert words in str(caught.value)


def test_token_from_the_environment(monkeypatch):
    from xlperf.server import ServerConfig

    monkeypatch.setenv("XLPERF_TOKEN", f"  {TOKEN}  ")
    assert ServerConfig.from_env().token == TOKEN
    monkeypatch.setenv("XLPERF_TOKEN", "")
    assert ServerConfig.from_env().token is None


def test_cli_refuses_to_start_without_a_token_on_the_network(monkeypatch):
    from typer.testing import CliRunner

    from xlperf.cli import app

    monkeypatch.delenv("XLPERF_TOKEN", raising=False)
    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 3
    assert "refusing to listen on 0.0.0.0 without a token" in result.output


def test_cli_refuses_to_start_without_an_xlwings_licence(monkeypatch):
    from typer.testing import CliRunner

    from xlperf.cli import app

    monkeypatch.delenv("XLWINGS_LICENSE_KEY", raising=False)
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 3
    assert "XLWINGS_LICENSE_KEY is not set" in result.output


def test_serve_is_documented():
    doc = (ROOT / "docs" / "server.md").read_text()
    for option in ("--host", "--port", "--master", "--url", "--origin", "--max-payload-mb",
                   "XLPERF_TOKEN", "XLWINGS_LICENSE_KEY"):
        assert option in doc, option


@pytest.mark.parametrize("name", ["xlperf.server._config", "xlperf.server._payload",
                                  "xlperf.server._actions"])
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_the_pane_applies_exactly_the_actions_the_server_allows():
    from xlperf.server._actions import PANE_ACTIONS

    script = (ROOT / "xlperf" / "server" / "static" / "taskpane.js").read_text()
    block = script[script.index("var APPLY = {"):script.index("var STRUCTURE")]
    assert set(re.findall(r"^\s{4}(\w+): function", block, re.M)) == set(PANE_ACTIONS)


def _manifest_urls(root: ET.Element) -> list[str]:
    urls = [el.get("DefaultValue") for el in root.iter() if el.get("DefaultValue", "")
            .startswith("http")]
    urls += [el.text for el in root.iter(f"{{{NS['o']}}}AppDomain")]
    return [u for u in urls if u]


def test_manifest_is_well_formed_with_the_running_servers_urls(live, http):
    response = http("GET", f"{live.url}/manifest.xml")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{{{NS['o']}}}OfficeApp"
    assert root.get("{http://www.w3.org/2001/XMLSchema-instance}type") == "TaskPaneApp"
    children = [child.tag.split("}")[1] for child in root]
    assert [c for c in children if c in REQUIRED] == REQUIRED
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}",
                        root.findtext("o:Id", namespaces=NS))
    assert re.fullmatch(r"\d+\.\d+\.\d+\.\d+", root.findtext("o:Version", namespaces=NS))
    assert root.find("o:Hosts/o:Host", NS).get("Name") == "Workbook"
    assert root.find("o:DefaultSettings/o:SourceLocation", NS).get(
        "DefaultValue") == f"{live.url}/taskpane.html"
    assert root.findtext("o:Permissions", namespaces=NS) == "ReadWriteDocument"
    point = root.find(".//ov:ExtensionPoint[@{http://www.w3.org/2001/XMLSchema-instance}type="
                      "'CustomFunctions']", NS)
    assert point is not None
    resources = {u.get("id"): u.get("DefaultValue") for u in root.iter(f"{{{NS['bt']}}}Url")}
    assert resources["Functions.Metadata.Url"] == f"{live.url}/functions/meta.json"
    assert resources["Functions.Script.Url"] == f"{live.url}/functions/code.js"
    # Every resid points at a resource, every URL is this server's and answers without a key.
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    assert {el.get("resid") for el in root.iter() if el.get("resid")} <= ids
    urls = _manifest_urls(root)
    assert len(urls) >= 9 and all(u.startswith(live.url) for u in urls)
    for url in set(urls):
        assert http("GET", url, follow_redirects=True).status_code == 200, url


def test_manifest_follows_the_public_url(demo):
    from fastapi.testclient import TestClient

    from xlperf.server import ServerConfig, create_app

    config = ServerConfig(host="0.0.0.0", token=TOKEN, master=demo,
                          public_url="https://xlperf.council.gov.uk/").check()
    with TestClient(create_app(config), base_url="https://xlperf.council.gov.uk") as client:
        text = client.get("/manifest.xml").text
        assert 'DefaultValue="https://xlperf.council.gov.uk/taskpane.html"' in text
        assert "0.0.0.0" not in text
        assert client.get("/health", headers=AUTH).json()["master"] == "master.xlsx"


def test_functions_metadata_and_script(client):
    meta = client.get("/functions/meta.json").json()
    names = {f["name"] for f in meta["functions"]}
    assert {"XLPERF.STATUS", "XLPERF.VARIANCE", "XLPERF.PERIOD"} <= names
    script = client.get("/functions/code.js").text
    for function in meta["functions"]:
        assert f'"{function["id"]}"' in script
    assert "/*IDS*/[]" not in script and "CustomFunctions.associate" in script
