"""File-level checks: every kind of bad file gets exactly its rule, a good workbook gets none."""

from __future__ import annotations

import io
import os
import random
import struct
import time
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from _workbook_helpers import EXCEL_MADE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlperf.validate import Limits, check_file, load_rules
from xlperf.validate.files import OLE2_MAGIC, describe_bytes

CORPUS = EXCEL_MADE
RULE_IDS = set(load_rules())


# --- building files -----------------------------------------------------------------------

def good_xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Return"
    ws.append(["Code", "Measure", "Actual", "Commentary"])
    ws.append(["CS143", "Repeat referrals %", 68.4, "On track"])
    ws.append(["NI060", "Assessments in time %", "TBC", ""])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


GOOD = good_xlsx_bytes()


def rezip(source: bytes, *, drop: tuple[str, ...] = (), replace: dict[str, bytes] | None = None,
          add: dict[str, bytes] | None = None) -> bytes:
    """A copy of a zip package with parts dropped, replaced or added."""
    replace, add = replace or {}, add or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as zin, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in drop:
                continue
            zout.writestr(info.filename, replace.get(info.filename, zin.read(info.filename)))
        for name, data in add.items():
            zout.writestr(name, data)
    return out.getvalue()


def ole2(names: list[str], *, sector_shift: int = 9) -> bytes:
    """A minimal but well-formed OLE2 compound file whose directory holds ``names``."""
    size = 1 << sector_shift
    header = bytearray(512 if sector_shift == 9 else size)
    header[:8] = OLE2_MAGIC
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3 if sector_shift == 9 else 4, 0xFFFE,
                     sector_shift, 6)
    struct.pack_into("<II", header, 0x2C, 1, 1)  # one FAT sector; directory starts at sector 1
    struct.pack_into("<III", header, 0x38, 4096, 0xFFFFFFFE, 0)
    struct.pack_into("<II", header, 0x44, 0xFFFFFFFE, 0)
    struct.pack_into("<109I", header, 0x4C, 0, *([0xFFFFFFFF] * 108))
    fat = [0xFFFFFFFD, 0xFFFFFFFE] + [0xFFFFFFFF] * (size // 4 - 2)
    directory = bytearray(size)
    for i, name in enumerate(["Root Entry", *names][: size // 128]):
        encoded = name.encode("utf-16-le") + b"\0\0"
        entry = i * 128
        directory[entry:entry + len(encoded)] = encoded
        struct.pack_into("<H", directory, entry + 0x40, len(encoded))
        directory[entry + 0x42] = 5 if i == 0 else 2
    return bytes(header) + struct.pack(f"<{size // 4}I", *fat) + bytes(directory)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">&lol3;</Types>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE workbook [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">&xxe;</workbook>"""


def zip_bomb() -> bytes:
    """A real workbook plus 64 MB of zeros that pack into about 60 KB."""
    return rezip(GOOD, add={"xl/media/image1.bin": bytes(64 * 1024 * 1024)})


def corrupt_member() -> bytes:
    """A package whose directory is intact but whose ``[Content_Types].xml`` data is damaged."""
    data = bytearray(GOOD)
    with zipfile.ZipFile(io.BytesIO(GOOD)) as zf:
        info = zf.getinfo("[Content_Types].xml")
    name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_len + extra_len
    for i in range(start + 5, start + info.compress_size - 5, 7):
        data[i] ^= 0x5A
    return bytes(data)


def zip_encrypted_member() -> bytes:
    """A package whose central directory marks ``[Content_Types].xml`` as password-encrypted."""
    data = bytearray(GOOD)
    with zipfile.ZipFile(io.BytesIO(GOOD)) as zf:
        names = [i.filename for i in zf.infolist()]
    position = 0
    for name in names:
        position = data.index(b"PK\x01\x02", position)
        if name == "[Content_Types].xml":
            struct.pack_into("<H", data, position + 8, data[position + 8] | 1)
        position += 4
    return bytes(data)


def ods_like() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


def docx_like() -> bytes:
    return rezip(GOOD, drop=("xl/workbook.xml",), add={
        "word/document.xml": b"<w:document/>"},
        replace={"_rels/.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.'
                 b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
                 b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                 b'officeDocument" Target="word/document.xml"/></Relationships>'})


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- each bad file gets exactly its rule ---------------------------------------------------

CASES = [
    # (id, file name, bytes, limits, expected rule ids, words the message must hold)
    ("random bytes", "q2.xlsx", random.Random(6).randbytes(3000), None, ["FILE-001"],
     "unrecognised"),
    ("csv renamed", "q2.xlsx", b"Code,Actual,Commentary\r\nCS143,68.4,On track\r\n", None,
     ["FILE-001"], "CSV"),
    ("pdf renamed", "q2.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", None,
     ["FILE-001"], "PDF"),
    ("empty file", "q2.xlsx", b"", None, ["FILE-001"], "empty"),
    ("web page saved as xls", "q2.xls", b"<html xmlns:o='urn:schemas-microsoft-com:office:office'>"
     b"<body><table><tr><td>CS143</td></tr></table></body></html>", None, ["FILE-001"], "web page"),
    ("picture", "q2.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(200), None, ["FILE-001"], "picture"),
    ("legacy xls", "q2.xls", ole2(["Workbook", "\x05SummaryInformation"]), None, ["FILE-002"],
     "97-2003"),
    ("legacy xls, 4096-byte sectors", "q2.xls", ole2(["Workbook"], sector_shift=12), None,
     ["FILE-002"], ".xls"),
    ("ole2 header only", "q2.xls", OLE2_MAGIC + bytes(600), None, ["FILE-002"], ".xls"),
    ("word 97 document", "q2.xls", ole2(["WordDocument"]), None, ["FILE-001"], "Word"),
    ("encrypted workbook", "q2.xlsx", ole2(["EncryptionInfo", "EncryptedPackage",
                                           "\x06DataSpaces"]), None, ["FILE-003"], "password"),
    ("encrypted, directory unreadable", "q2.xlsx", OLE2_MAGIC + bytes(100)
     + "EncryptionInfo".encode("utf-16-le") + bytes(400), None, ["FILE-003"], "password"),
    ("zip member encrypted", "q2.xlsx", zip_encrypted_member(), None, ["FILE-003"], "password"),
    ("truncated zip", "q2.xlsx", GOOD[: len(GOOD) // 2], None, ["FILE-004"], "cut off"),
    ("damaged member", "q2.xlsx", corrupt_member(), None, ["FILE-004"], "Content_Types"),
    ("macros, vbaProject.bin", "q2.xlsx", rezip(GOOD, add={"xl/vbaProject.bin": b"\0" * 64}),
     None, ["FILE-005"], "VBA"),
    ("macros, .xlsm name", "q2.xlsm", GOOD, None, ["FILE-005"], ".xlsm"),
    ("macro sheet", "q2.xlsx", rezip(GOOD, add={"xl/macrosheets/sheet1.xml": b"<xm/>"}), None,
     ["FILE-005"], "4.0"),
    ("oversize", "q2.xlsx", GOOD, Limits(max_bytes=1000), ["FILE-006"], "larger than"),
    ("zip bomb: ratio", "q2.xlsx", zip_bomb(), None, ["FILE-007"], "times its packed size"),
    ("zip bomb: total size", "q2.xlsx", GOOD, Limits(max_uncompressed=2000), ["FILE-007"],
     "unpack"),
    ("zip bomb: member count", "q2.xlsx", GOOD, Limits(max_members=3), ["FILE-007"], "parts"),
    ("billion laughs in content types", "q2.xlsx",
     rezip(GOOD, replace={"[Content_Types].xml": BILLION_LAUGHS}), None, ["FILE-008"],
     "[Content_Types].xml"),
    ("external entity in workbook", "q2.xlsx",
     rezip(GOOD, replace={"xl/workbook.xml": EXTERNAL_ENTITY}), None, ["FILE-008"],
     "xl/workbook.xml"),
    ("not xml", "q2.xlsx", rezip(GOOD, replace={"xl/workbook.xml": b"<workbook"}), None,
     ["FILE-004"], "not valid XML"),
    ("workbook part missing", "q2.xlsx", rezip(GOOD, drop=("xl/workbook.xml",)), None,
     ["FILE-009"], "xl/workbook.xml is missing"),
    ("opendocument renamed", "q2.xlsx", ods_like(), None, ["FILE-001"], "OpenDocument"),
    ("word document renamed", "q2.xlsx", docx_like(), None, ["FILE-001"], "Word"),
    ("plain zip renamed", "q2.xlsx", rezip(ods_like(), drop=("mimetype", "content.xml"),
                                           add={"a.txt": b"hi"}), None, ["FILE-001"], "zip"),
    ("macros and a bomb in the workbook", "q2.xlsm",
     rezip(GOOD, replace={"xl/workbook.xml": BILLION_LAUGHS}), None, ["FILE-005", "FILE-008"],
     "DTD"),
]


@pytest.mark.parametrize(("name", "data", "limits", "expected", "words"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_bad_file_gets_exactly_its_rule(tmp_path, name, data, limits, expected, words):
    path = write(tmp_path, name, data)
    findings = check_file(path, limits=limits or Limits())
    assert [f.rule for f in findings] == expected
    rules = load_rules()
    for finding in findings:
        assert finding.file == str(path) and finding.sheet is None and finding.cell is None
        assert finding.severity == rules[finding.rule].severity
        assert "{" not in finding.message and name in finding.message  # rendered, names file
        assert finding.message != f"{rules[finding.rule].title}."  # not the fallback
    assert words in findings[-1].message


def test_a_good_workbook_gets_no_findings(tmp_path):
    assert check_file(write(tmp_path, "q2.xlsx", GOOD)) == []


def test_macros_are_fine_where_expected(tmp_path):
    path = write(tmp_path, "master.xlsm", rezip(GOOD, add={"xl/vbaProject.bin": b"\0" * 64}))
    assert check_file(path, allow_macros=True) == []


def test_missing_file_and_folder(tmp_path):
    missing = check_file(tmp_path / "nowhere.xlsx")
    folder = check_file(tmp_path)
    assert [(f.rule, "no such file" in f.message) for f in missing] == [("FILE-010", True)]
    assert [(f.rule, "folder" in f.message) for f in folder] == [("FILE-010", True)]


def test_a_pipe_is_not_read(tmp_path):
    pipe = tmp_path / "pipe.xlsx"
    os.mkfifo(pipe)
    assert [f.rule for f in check_file(pipe)] == ["FILE-010"]


def test_docstring_examples():
    import doctest

    import xlperf.validate.catalogue
    import xlperf.validate.files

    for module in (xlperf.validate.catalogue, xlperf.validate.files):
        assert doctest.testmod(module).failed == 0, module.__name__


def test_oversize_file_is_not_read(tmp_path, monkeypatch):
    path = write(tmp_path, "big.xlsx", GOOD)

    def refuse(*args, **kwargs):
        raise AssertionError("an oversize file was opened")

    monkeypatch.setattr(Path, "open", refuse)
    assert [f.rule for f in check_file(path, limits=Limits(max_bytes=10))] == ["FILE-006"]


def test_zip_bomb_is_caught_from_the_directory_alone(tmp_path, monkeypatch):
    path = write(tmp_path, "bomb.xlsx", zip_bomb())

    def refuse(*args, **kwargs):
        raise AssertionError("a member was decompressed")

    monkeypatch.setattr(zipfile.ZipFile, "open", refuse)
    assert [f.rule for f in check_file(path)] == ["FILE-007"]


def test_limits_defaults_are_documented():
    limits = Limits()
    assert (limits.max_bytes, limits.max_uncompressed, limits.max_ratio, limits.max_members,
            limits.max_xml) == (25 * 2**20, 250 * 2**20, 200.0, 5000, 20 * 2**20)
    assert "25 MiB" in (Limits.__doc__ or "")


@pytest.mark.parametrize(("head", "words"), [
    (b"\xef\xbb\xbfCode;Actual\n", "CSV"),
    ("Code\tActual\n".encode("utf-16"), "CSV"),
    (b"<?xml version='1.0'?><Workbook xmlns='urn:schemas-microsoft-com:office:spreadsheet'>",
     "Excel 2003 XML"),
    (b"Rar!\x1a\x07", "compressed archive"),
    (b"{\\rtf1\\ansi", "Rich Text"),
    (b"just some words", "a text file"),
])
def test_describe_bytes(head, words):
    assert words in describe_bytes(head)


# --- fuzz: never raises, every finding names the file -------------------------------------

def _assert_sound(path: Path) -> None:
    findings = check_file(path)
    for finding in findings:
        assert finding.file == str(path) and finding.cell is None
        assert finding.rule in RULE_IDS and "{" not in finding.message


FUZZ = settings(max_examples=120, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(data=st.binary(max_size=4096), magic=st.sampled_from([b"", b"PK\x03\x04", OLE2_MAGIC]))
def test_random_bytes_never_raise(tmp_path, data, magic):
    path = tmp_path / "fuzz.xlsx"
    path.write_bytes(magic + data)
    _assert_sound(path)


@FUZZ
@given(edits=st.lists(st.tuples(st.integers(0, len(GOOD) - 1), st.integers(0, 255)),
                      min_size=1, max_size=12),
       cut=st.one_of(st.none(), st.integers(0, len(GOOD))))
def test_mutated_workbooks_never_raise(tmp_path, edits, cut):
    data = bytearray(GOOD)
    for position, byte in edits:
        data[position] = byte
    path = tmp_path / "fuzz.xlsx"
    path.write_bytes(bytes(data[:cut]))
    _assert_sound(path)


@FUZZ
@given(edits=st.lists(st.tuples(st.integers(0, 30), st.integers(0, 255)), min_size=1,
                      max_size=6))
def test_mutated_zip_directories_never_raise(tmp_path, edits):
    """Damage aimed at the central directory and its end record, where parsers are fragile."""
    data = bytearray(GOOD)
    start = data.rindex(b"PK\x01\x02")
    end = data.rindex(b"PK\x05\x06")
    for offset, byte in edits:
        data[start + offset] = byte
        data[end + offset % 22] = byte
    path = tmp_path / "fuzz.xlsx"
    path.write_bytes(bytes(data))
    _assert_sound(path)


# --- the corpus of real files made by Excel ------------------------------------------------

@pytest.mark.slow
@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
def test_every_excel_made_workbook_is_checked_quickly():
    counts: Counter[str] = Counter()
    started = time.perf_counter()
    files = sorted(p for p in CORPUS.iterdir() if p.suffix.lower() in (".xlsx", ".xlsm"))
    assert len(files) > 700
    for path in files:
        one = time.perf_counter()
        findings = check_file(path)
        assert time.perf_counter() - one < 2, path.name
        rules = [f.rule for f in findings]
        if path.suffix.lower() == ".xlsm":
            assert "FILE-005" in rules, path.name
        for finding in findings:
            assert finding.file == str(path) and finding.rule in RULE_IDS
            assert "{" not in finding.message
        counts.update(rules or ["none"])
    assert time.perf_counter() - started < 30
    # Every real .xlsx made by Excel is safe to open; the four .xlsm have macros.
    assert counts == Counter(none=len(files) - 4, **{"FILE-005": 4})
