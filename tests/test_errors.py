"""One place turns the libraries' errors into xlperf's (xlperf.errors.translated): each
library's real error, raised by a real broken file or a real call, reaches the user as an
XlperfError (or a finding) with xlperf's words, never as a library traceback."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from xlperf.errors import (
    FAMILIES,
    InputError,
    LedgerError,
    WorkbookError,
    XlperfError,
    library_errors,
    translated,
)


def _workbook(path: Path) -> Path:
    wb = Workbook()
    wb.active.title = "Return"
    wb.active["A1"] = "Code"
    wb.save(path)
    return path


def _truncated(path: Path, source: Path) -> Path:
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return _workbook(tmp_path / "good.xlsx")


def test_every_family_names_real_exception_classes():
    for family in FAMILIES:
        classes = library_errors(family)
        assert classes and all(issubclass(c, BaseException) for c in classes), family
    with pytest.raises(ValueError, match="no family"):
        library_errors("nonsense")


def test_calamine_errors_become_workbook_errors(tmp_path, good):
    import python_calamine as pc

    from xlperf.read._calamine import open_workbook

    broken = _truncated(tmp_path / "cut.xlsx", good)
    with pytest.raises(pc.CalamineError):  # what the library raises by itself
        pc.CalamineWorkbook.from_path(str(broken))
    with pytest.raises(WorkbookError, match=r"cut\.xlsx: not a workbook xlperf can read \(") as e:
        open_workbook(broken)
    assert e.value.file == str(broken) and e.value.__cause__ is None
    with pytest.raises(WorkbookError, match="no such file"):
        open_workbook(tmp_path / "missing.xlsx")


def test_history_workbook_errors_name_the_file(tmp_path, good):
    from xlperf.ledger import _history, read_history

    broken = _truncated(tmp_path / "history.xlsx", good)
    with pytest.raises(WorkbookError, match=r"^history\.xlsx is damaged"):
        read_history(broken)  # the file checks come first and say why
    with pytest.raises(WorkbookError, match=r"^history\.xlsx: not a workbook xlperf can read") \
            as e:
        _history._grid_from_workbook(broken, None)  # the reader behind them, as a last guard
    assert e.value.file == str(broken)


def test_zip_and_os_errors_of_the_lossless_writer(tmp_path, good):
    from xlperf.write._opc import Package

    broken = _truncated(tmp_path / "cut.xlsx", good)
    with pytest.raises(zipfile.BadZipFile):
        zipfile.ZipFile(broken)
    with pytest.raises(WorkbookError, match="is not an .xlsx workbook \\(not a zip package: ") as e:
        Package(broken)
    assert isinstance(e.value.__cause__, zipfile.BadZipFile)  # kept for the log
    with pytest.raises(WorkbookError, match=r"missing\.xlsx: cannot be read \(No such file"):
        Package(tmp_path / "missing.xlsx")
    with pytest.raises(WorkbookError, match=r"cannot be read \(Is a directory\)"):
        Package(tmp_path)


def test_lxml_errors_become_workbook_errors():
    from lxml import etree

    from xlperf.write._opc import check_xml, parse_xml

    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(b"<a><b></a>")
    for check in (parse_xml, check_xml):
        with pytest.raises(WorkbookError, match=r"^m\.xlsx: part xl/x\.xml is not well-formed XML"):
            check(b"<a><b></a>", "xl/x.xml", "m.xlsx")


def _package(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def test_defusedxml_and_parse_errors_become_findings(tmp_path, good):
    from xlperf.validate.files import check_file

    with zipfile.ZipFile(good) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    dtd = dict(parts)
    types = parts["[Content_Types].xml"]
    body = types.split(b"?>", 1)[1] if types.startswith(b"<?xml") else types
    dtd["[Content_Types].xml"] = b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY e "x">]>' + body
    bad = dict(parts)
    bad["[Content_Types].xml"] = b"<Types><Default"
    assert [f.rule for f in check_file(_package(tmp_path / "dtd.xlsx", dtd))] == ["FILE-008"]
    found = check_file(_package(tmp_path / "bad.xlsx", bad))
    assert [f.rule for f in found] == ["FILE-004"] and "not valid XML" in found[0].message


def test_openpyxl_errors_become_workbook_errors(tmp_path, good):
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    from xlperf.write.templates import fill_return

    text = tmp_path / "notes.txt"
    text.write_text("not a workbook")
    with pytest.raises(InvalidFileException):
        load_workbook(text)
    values = pd.DataFrame({"Code": ["A"], "Period": ["Q1 2013/14"], "Actual": [1]})
    for template in (text, _truncated(tmp_path / "cut.xlsx", good),
                     _package(tmp_path / "empty.xlsx", {"a.txt": b"x"})):
        with pytest.raises(WorkbookError, match=f"{template.name}: cannot open the template \\("):
            fill_return(template, values, tmp_path / "out.xlsx")


def test_translated_passes_xlperf_errors_and_bugs_unchanged():
    with pytest.raises(InputError, match="typed"), translated("f.xlsx"):
        raise InputError("typed")
    with pytest.raises(RuntimeError), translated("f.xlsx"):  # no family: a bug, not the file
        raise RuntimeError("bug")
    with pytest.raises(KeyError), translated("f.xlsx", families=("os",)):
        {}["x"]


def test_translated_words_each_family_and_raises_the_class_asked_for(tmp_path):
    words = {"missing": "{file}: there is no such file", "denied": "{file}: permission denied",
             "*": "{file}: {strerror}"}
    with pytest.raises(WorkbookError, match="^r.xlsx: there is no such file$"), \
            translated("r.xlsx", words, families=("os",)):
        (tmp_path / "nope").read_bytes()
    with pytest.raises(WorkbookError, match="^r.xlsx: Is a directory$"), \
            translated("r.xlsx", words, families=("os",)):
        tmp_path.read_bytes()
    with pytest.raises(LedgerError, match="^ledger: bad") as e, \
            translated("ledger", "{file}: bad", into=LedgerError, families=("value",)):
        int("x")
    assert isinstance(e.value, XlperfError) and e.value.__cause__ is None


def test_translated_needs_no_library_until_an_error_is_mapped():
    # errors.py is imported by `import xlperf`, which must stay light.
    import subprocess
    import sys

    code = ("import sys, xlperf.errors as e\n"
            "with e.translated('f'):\n    pass\n"
            "print(sorted(m for m in ('python_calamine', 'lxml', 'openpyxl', 'defusedxml')"
            " if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
