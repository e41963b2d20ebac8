"""Hostile workbooks built from a real xlperf return: zip bombs (honest and lying) in each part,
DTDs and external entities in each XML part, traversal and duplicate names, a CRC failure,
encryption, macros and a CSV renamed ``.xlsx``. Each is written by a small raw zip writer, so a
member can declare any size and CRC whatever its data inflates to."""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

MiB = 1024 * 1024

# The parts a reader touches (python-calamine, defusedxml, xlperf's own scans).
BOMB_PARTS = ("xl/worksheets/sheet1.xml", "docProps/custom.xml", "xl/styles.xml",
              "xl/workbook.xml", "[Content_Types].xml", "_rels/.rels")
XXE_PARTS = ("xl/worksheets/sheet1.xml", "docProps/custom.xml", "xl/workbook.xml",
             "xl/styles.xml", "[Content_Types].xml")

def _laughs() -> str:
    levels = ['<!ENTITY lol "lol">']
    for i in range(1, 10):
        inner = "&lol" + (str(i - 1) if i > 1 else "") + ";"
        levels.append(f'<!ENTITY lol{i} "{inner * 10}">')
    return "<!DOCTYPE lolz [" + "".join(levels) + "]>"


BILLION_LAUGHS = _laughs()


@dataclass(frozen=True)
class Entry:
    """One zip member as written: its raw (deflated or stored) bytes and what it declares."""

    name: str
    packed: bytes
    size: int
    crc: int
    method: int = zipfile.ZIP_DEFLATED
    flags: int = 0


def deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


def zeros_tail(mib: int) -> bytes:
    """A raw deflate stream of ``mib`` MiB of zeros in about 1 KB per MiB, built in
    milliseconds: one fully flushed 1 MiB block (self-contained) repeated, then a final one."""
    one = bytes(MiB)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(one) + packer.flush(zlib.Z_FULL_FLUSH)
    last = zlib.compressobj(9, zlib.DEFLATED, -15)
    return block * (mib - 1) + last.compress(one) + last.flush()


def zeros_crc(start: int, mib: int) -> int:
    one, crc = bytes(MiB), start
    for _ in range(mib):
        crc = zlib.crc32(one, crc)
    return crc


def entries_of(path: Path) -> list[Entry]:
    with zipfile.ZipFile(path) as archive:
        return [Entry(i.filename, deflate(data := archive.read(i)), len(data), zlib.crc32(data))
                for i in archive.infolist()]


def raw_zip(entries: list[Entry]) -> bytes:
    """A zip package of ``entries`` exactly as they declare themselves."""
    out, central = bytearray(), bytearray()
    for e in entries:
        name = e.name.encode("utf-8")
        offset = len(out)
        out += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, e.flags, e.method, 0, 0x21, e.crc,
                           len(e.packed), e.size, len(name), 0) + name + e.packed
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, e.flags, e.method, 0,
                               0x21, e.crc, len(e.packed), e.size, len(name), 0, 0, 0, 0, 0,
                               offset) + name
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries),
                      len(central), len(out), 0)
    return bytes(out + central + end)


def _replaced(entries: list[Entry], part: str, new: Entry) -> list[Entry]:
    return [new if e.name == part else e for e in entries]


def _original(path: Path, part: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(part)


def with_prefix(entries: list[Entry], part: str, data: bytes, tail_mib: int, tail: bytes, *,
                honest: bool) -> list[Entry]:
    """``part`` as its own bytes followed by ``tail_mib`` MiB of zeros; an honest member
    declares the whole size and CRC, a lying one only its first bytes' (so a reader that
    stops at the declared size and checks the CRC is satisfied, and one that does not is
    flooded)."""
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    packed = packer.compress(data) + packer.flush(zlib.Z_FULL_FLUSH) + tail
    if honest:
        size, crc = len(data) + tail_mib * MiB, zeros_crc(zlib.crc32(data), tail_mib)
    else:
        size, crc = len(data), zlib.crc32(data)
    return _replaced(entries, part, Entry(part, packed, size, crc))


def _entry(name: str, data: bytes) -> Entry:
    return Entry(name, deflate(data), len(data), zlib.crc32(data))


def long_sheet(sheet: bytes, mib: int) -> bytes:
    """The sheet with honest rows appended up to ``mib`` MiB (ten numbers a row, a made-up
    code in A), compressing like real figures (about 5 to 1, far under the ratio limit)."""
    text = sheet.decode("utf-8")
    head, tail = text.split("</sheetData>")
    rows, size, r = [], 0, 1000
    while size < mib * MiB:
        cells = "".join(f'<c r="{c}{r}"><v>{(r * 7919 + ord(c) * 104729) % 1000003 / 1000}</v></c>'
                        for c in "ABCDEFGHIJ")
        row = f'<row r="{r}">{cells}</row>'
        rows.append(row)
        size += len(row)
        r += 1
    return (head + "".join(rows) + "</sheetData>" + tail).encode("utf-8")


def with_doctype(data: bytes, doctype: str) -> bytes:
    """The part with ``doctype`` inserted after its XML declaration (or first)."""
    text = data.decode("utf-8")
    if text.startswith("<?xml"):
        end = text.index("?>") + 2
        return (text[:end] + doctype + text[end:]).encode("utf-8")
    return (doctype + text).encode("utf-8")


def xxe(data: bytes, url: str, root: str) -> bytes:
    """An external general entity used in the root's text and an external parameter entity
    (both to ``url``): a parser that fetches either calls the listener."""
    doctype = (f'<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "{url}/general">'
               f'<!ENTITY % remote SYSTEM "{url}/parameter"> %remote;]>')
    text = with_doctype(data, doctype).decode("utf-8")
    close = text.rindex("</")
    return (text[:close] + "&xxe;" + text[close:]).encode("utf-8")


def _ole2(names: list[str]) -> bytes:
    """A minimal OLE2 compound file whose directory holds ``names`` (512-byte sectors)."""
    size = 512
    header = bytearray(size)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHH", header, 0x18, 0x3E, 3, 0xFFFE)
    struct.pack_into("<H", header, 0x1E, 9)
    struct.pack_into("<H", header, 0x20, 6)
    struct.pack_into("<IIII", header, 0x2C, 1, 1, 0, 0x1000)
    struct.pack_into("<IIII", header, 0x3C, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    struct.pack_into("<109I", header, 0x4C, 0, *([0xFFFFFFFF] * 108))
    fat = bytearray(size)
    struct.pack_into("<128I", fat, 0, 0xFFFFFFFD, 0xFFFFFFFE, *([0xFFFFFFFF] * 126))
    directory = bytearray(size)
    for i, name in enumerate(["Root Entry", *names][:4]):
        raw = name.encode("utf-16-le") + b"\x00\x00"
        entry = i * 128
        directory[entry:entry + len(raw)] = raw
        struct.pack_into("<H", directory, entry + 0x40, len(raw))
        directory[entry + 0x42] = 5 if i == 0 else 2
    return bytes(header + fat + directory)


def hostile_files(source: Path, folder: Path, xxe_url: str) -> dict[str, tuple[Path, str]]:
    """Write every hostile variant of the return ``source`` into ``folder``:
    ``{probe: (path, the rule that must refuse it)}``."""
    folder.mkdir(parents=True, exist_ok=True)
    base = entries_of(source)
    made: dict[str, tuple[Path, str]] = {}

    def put(probe: str, data: bytes, rule: str, suffix: str = ".xlsx") -> None:
        path = folder / (probe.replace("/", "_").replace("[", "").replace("]", "") + suffix)
        path.write_bytes(data)
        made[probe] = (path, rule)

    gib = zeros_tail(1024)
    for part in BOMB_PARTS:
        data = _original(source, part)
        put(f"bomb honest 1 GiB in {part}", raw_zip(with_prefix(base, part, data, 1024, gib,
                                                                honest=True)), "FILE-007")
        put(f"bomb lying 1 GiB in {part}", raw_zip(with_prefix(base, part, data, 1024, gib,
                                                               honest=False)), "FILE-007")
    sheet = _original(source, "xl/worksheets/sheet1.xml")
    put("bomb honest 200 MiB (ratio) in sheet1.xml",
        raw_zip(with_prefix(base, "xl/worksheets/sheet1.xml", sheet, 200, zeros_tail(200),
                            honest=True)), "FILE-007")
    put("honest 24 MiB sheet (a 5 MB file)", raw_zip(_replaced(
        base, "xl/worksheets/sheet1.xml", _entry("xl/worksheets/sheet1.xml",
                                                 long_sheet(sheet, 24)))), "FILE-006")
    for e in base:
        data = _original(source, e.name)
        put(f"DTD in {e.name}", raw_zip(_replaced(base, e.name, Entry(
            e.name, deflate(bad := with_doctype(data, BILLION_LAUGHS)), len(bad),
            zlib.crc32(bad)))), "FILE-008")
    for part in XXE_PARTS:
        data = _original(source, part)
        root = re.search(rb"<([A-Za-z][\w:.-]*)", data)
        assert root is not None, part
        bad = xxe(data, xxe_url, root.group(1).decode())
        put(f"XXE in {part}", raw_zip(_replaced(base, part, Entry(
            part, deflate(bad), len(bad), zlib.crc32(bad)))), "FILE-008")
    for name in ("../../evil.xml", "/etc/evil.xml", "xl\\..\\..\\evil.xml"):
        payload = b"<evil/>"
        put(f"traversal name {name}", raw_zip([*base, Entry(name, deflate(payload),
                                                            len(payload), zlib.crc32(payload))]),
            "FILE-004")
    sheet_entry = next(e for e in base if e.name == "xl/worksheets/sheet1.xml")
    put("duplicate sheet1.xml", raw_zip([*base, Entry(sheet_entry.name, deflate(b"<x/>"), 4,
                                                      zlib.crc32(b"<x/>"))]), "FILE-004")
    put("bad CRC in sheet1.xml", raw_zip(_replaced(base, sheet_entry.name, Entry(
        sheet_entry.name, sheet_entry.packed, sheet_entry.size, sheet_entry.crc ^ 0xFFFF))),
        "FILE-004")
    put("encrypted (Excel password)", _ole2(["EncryptionInfo", "EncryptedPackage"]),
        "FILE-003")
    put("encrypted zip member", raw_zip([Entry(e.name, e.packed, e.size, e.crc, flags=1)
                                         if e.name == "xl/workbook.xml" else e for e in base]),
        "FILE-003")
    vba = b"\xd0\xcf\x11\xe0" + bytes(508)
    put("macro (vbaProject.bin)", raw_zip([*base, Entry("xl/vbaProject.bin", deflate(vba),
                                                        len(vba), zlib.crc32(vba))]),
        "FILE-005", ".xlsm")
    put("renamed CSV", b"Code,Period,Actual\r\nEH001,Q2 2013/14,=cmd|' /C calc'!A0\r\n",
        "FILE-001")
    return made
