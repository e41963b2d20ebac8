"""Issue 18, items 7 to 9 in process: one bounded reader for every zip member, every XML part
checked for a DTD before any parse, and a refused return never opened to annotate."""

from __future__ import annotations

import json
import shutil
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest
from _hostile import (
    BILLION_LAUGHS,
    Entry,
    _original,
    deflate,
    entries_of,
    raw_zip,
    with_doctype,
    with_prefix,
    zeros_tail,
)
from typer.testing import CliRunner

from xlperf._zip import STEP, BoundedPackage, PartError
from xlperf.cli import app
from xlperf.read.returns import Package, read_properties
from xlperf.refresh import ZipWorkbook, collect_returns, refresh
from xlperf.validate.files import check_file

ROOT = Path(__file__).resolve().parents[1]
PERIOD = "Q2 2013/14"
RETURN = f"Early Help - {PERIOD.replace('/', '-')}.xlsx"
runner = CliRunner()


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "workbooks" / "demo", tmp_path / "demo")
    return tmp_path / "demo"


@pytest.fixture(scope="module")
def tail() -> bytes:
    return zeros_tail(512)  # 512 MiB of zeros in half a megabyte


def _write(path: Path, entries: list[Entry]) -> Path:
    path.write_bytes(raw_zip(entries))
    return path


def _lying(source: Path, part: str, tail: bytes) -> list[Entry]:
    return with_prefix(entries_of(source), part, _original(source, part), 512, tail,
                       honest=False)


def _with_dtd(source: Path, part: str) -> list[Entry]:
    bad = with_doctype(_original(source, part), BILLION_LAUGHS)
    return [Entry(part, deflate(bad), len(bad), zlib.crc32(bad)) if e.name == part else e
            for e in entries_of(source)]


# --- the bounded reader ----------------------------------------------------------------------

def test_a_part_that_lies_about_its_size_costs_one_step_not_its_inflation(demo, tmp_path, tail):
    path = _write(tmp_path / "lying.xlsx", _lying(demo / "returns" / RETURN,
                                                  "docProps/custom.xml", tail))
    tracemalloc.start()
    with BoundedPackage(path, budget=10**9) as package, pytest.raises(PartError) as caught:
        package.read("docProps/custom.xml")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert caught.value.kind == "lies" and caught.value.part == "docProps/custom.xml"
    assert peak < 20 * STEP  # zipfile.read() inflated it whole: 512 MiB
    # The readers treat it as unreadable (the file checks say why), without a traceback.
    assert read_properties(path) == {}
    findings = check_file(path)
    assert [f.rule for f in findings] == ["FILE-007"]
    assert "docProps/custom.xml" in findings[0].message
    assert findings[0].message.startswith("lying.xlsx would unpack to more than it declares")


def test_the_budget_bounds_all_reads_together(demo, tmp_path):
    source = demo / "returns" / RETURN
    with BoundedPackage(source, budget=20_000) as package:
        package.read("xl/worksheets/sheet1.xml")  # 13,790 bytes
        with pytest.raises(PartError) as caught:
            package.read("xl/worksheets/sheet1.xml")
    assert caught.value.kind == "budget"


def test_a_crc_failure_blocks_the_return(demo, tmp_path):
    source = demo / "returns" / RETURN
    entries = [Entry(e.name, e.packed, e.size, e.crc ^ 1) if e.name == "xl/styles.xml" else e
               for e in entries_of(source)]
    path = _write(demo / "returns" / "bad crc.xlsx", entries)
    findings = check_file(path)
    assert [f.rule for f in findings] == ["FILE-004"]
    assert "xl/styles.xml fails its CRC-32 check" in findings[0].message
    result = runner.invoke(app, ["validate", str(path), "--master", str(demo / "master.xlsx"),
                                 "--annotate", str(tmp_path / "out")])
    assert result.exit_code == 3, result.output
    assert "accepted" not in result.output.replace("0 accepted", "")
    assert "cannot open it to annotate" not in result.output
    assert not (tmp_path / "out" / "bad crc.xlsx").exists()


@pytest.mark.parametrize("name", ["../../evil.xml", "/etc/evil.xml", "xl\\..\\..\\evil.xml"])
def test_a_part_named_outside_the_package_is_refused(demo, tmp_path, name):
    entries = [*entries_of(demo / "returns" / RETURN),
               Entry(name, deflate(b"<x/>"), 4, zlib.crc32(b"<x/>"))]
    findings = check_file(_write(tmp_path / "t.xlsx", entries))
    assert [f.rule for f in findings] == ["FILE-004"]
    assert repr(name) in findings[0].message


# --- unsafe XML in any part --------------------------------------------------------------------

@pytest.mark.parametrize("part", ["docProps/custom.xml", "xl/styles.xml",
                                  "xl/worksheets/sheet2.xml", "xl/theme/theme1.xml",
                                  "xl/_rels/workbook.xml.rels", "docProps/app.xml"])
def test_a_dtd_in_any_xml_part_is_the_unsafe_xml_rule(demo, tmp_path, part):
    path = _write(tmp_path / "dtd.xlsx", _with_dtd(demo / "returns" / RETURN, part))
    findings = check_file(path)
    assert [f.rule for f in findings] == ["FILE-008"]
    assert findings[0].message == (f"dtd.xlsx contains XML that defines its own entities or a "
                                   f"DTD in {part}: Excel never writes this, so the file was "
                                   "not opened.")


def test_a_dtd_in_custom_xml_does_not_stop_the_refresh(demo):
    # It was a defusedxml EntitiesForbidden traceback from collect_returns, before any check:
    # one service's file stopped everyone's.
    bad = demo / "returns" / "Early Help (dtd).xlsx"
    _write(bad, _with_dtd(demo / "returns" / RETURN, "docProps/custom.xml"))
    found, _skipped = collect_returns(demo / "returns", PERIOD)
    assert bad in found
    with Package(bad) as package:
        assert package.properties() == {}
    result = refresh(ZipWorkbook(demo / "master.xlsx"))
    outcome = next(f for f in result.files if f.path == bad)
    assert outcome.outcome == "rejected"
    assert [f.rule for f in outcome.report.errors] == ["FILE-008"]
    assert "EntitiesForbidden" not in outcome.report.errors[0].message
    assert sum(f.outcome == "accepted" for f in result.files) >= 7


# --- the quarantine never opens a refused return -----------------------------------------------

def test_the_quarantine_copies_a_refused_return_without_opening_it(demo, tail, monkeypatch):
    bomb = _write(demo / "returns" / "Early Help (bomb).xlsx",
                  _lying(demo / "returns" / RETURN, "xl/worksheets/sheet1.xml", tail))
    import openpyxl

    opened = []
    real = openpyxl.load_workbook

    def watch(filename, *args, **kwargs):
        opened.append(Path(filename))
        return real(filename, *args, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", watch)
    result = refresh(ZipWorkbook(demo / "master.xlsx"))
    outcome = next(f for f in result.files if f.path == bomb)
    assert outcome.outcome == "rejected" and outcome.quarantined is not None
    assert [f.rule for f in outcome.report.errors] == ["FILE-007"]
    assert bomb not in opened  # annotating it took 6 minutes and 2 GB
    assert outcome.quarantined.read_bytes() == bomb.read_bytes()  # copied as it is
    findings = json.loads(outcome.quarantined.with_name(
        "Early Help (bomb).findings.json").read_text("utf-8"))
    assert findings["findings"][0]["rule"] == "FILE-007"
    # Returns with errors in their cells are still annotated.
    assert any(p.parent == demo / "returns" for p in opened)


def test_zipfile_reads_of_the_checked_parts_agree_with_the_bounded_reader(demo):
    source = demo / "returns" / RETURN
    with zipfile.ZipFile(source) as archive, BoundedPackage(source, budget=10**8) as package:
        for info in archive.infolist():
            assert package.read(info.filename) == archive.read(info)


def test_thousands_of_unknown_codes_get_suggestions_for_the_first_few_only():
    from xlperf.validate.returns import MAX_SUGGESTIONS, _Suggester

    suggester = _Suggester(["CS143", "NI060", "EH001"])
    assert suggester("cs 143") == "CS143"  # the same code but for case and spaces: always
    letters = "abcdefghijklmnopqrstuvwxyz"
    unknown = [f"EH001{a}{b}" for a in letters for b in letters][:MAX_SUGGESTIONS + 50]
    answers = [suggester(code) for code in unknown]
    assert answers[:MAX_SUGGESTIONS] == ["EH001"] * MAX_SUGGESTIONS
    assert answers[MAX_SUGGESTIONS:] == [None] * 50
    assert suggester(unknown[0]) == "EH001"  # a remembered answer is still given
    assert suggester("ni 060") == "NI060"


def test_more_xml_than_a_return_needs_is_too_large_before_anything_is_unpacked(demo):
    from xlperf.validate.files import Limits

    with zipfile.ZipFile(demo / "returns" / RETURN) as archive:  # every part is XML here
        xml = sum(i.file_size for i in archive.infolist())
    findings = check_file(demo / "returns" / RETURN, limits=Limits(max_xml=20_000))
    assert [f.rule for f in findings] == ["FILE-006"]
    assert findings[0].message.startswith(
        f"{RETURN} is {xml / 1024:.1f} KB of sheets and other XML once unpacked, larger than "
        "the 19.5 KB allowed")
    assert check_file(demo / "returns" / RETURN, limits=Limits(max_xml=xml)) == []
