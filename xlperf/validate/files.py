"""File-level checks: is this file safe to open as an Excel workbook at all?

:func:`check_file` looks at a submitted file *before* any workbook library parses it, and
returns findings (rules ``FILE-001`` to ``FILE-010`` of the catalogue) instead of raising:

1. it can be opened at all (``FILE-010``) and is not larger than :attr:`Limits.max_bytes`
   (``FILE-006``; the file is not read further);
2. its first bytes say what it is: a zip package goes on; an Office 97-2003 (OLE2) file is a
   legacy ``.xls`` (``FILE-002``) or, when its directory holds an ``EncryptionInfo`` stream, a
   password-protected workbook (``FILE-003``); anything else (a CSV, PDF, web page, picture or
   random bytes renamed ``.xlsx``) is not a workbook (``FILE-001``, saying what it looks like);
3. the zip's central directory can be read (``FILE-004``), names no part twice and no part
   outside the package (``..``, an absolute name: ``FILE-004``), and its declared sizes stay
   within :class:`Limits` (``FILE-007``, checked before any member is decompressed);
4. every member is streamed once through the one bounded reader
   (:class:`xlperf._zip.BoundedPackage`): a part that unpacks past its declared size or past
   the total limit is a zip bomb (``FILE-007``), a CRC-32 mismatch or a cut-short part is
   damage (``FILE-004``), and every XML part (``.xml``, ``.rels``, ``.vml`` or anything that
   starts like XML) with a DTD or an entity declaration is unsafe XML (``FILE-008``), so no
   reader (python-calamine, defusedxml, openpyxl) ever meets one;
5. macros: a ``vbaProject.bin``, Excel 4.0 macro sheets, a macro-enabled content type or a
   ``.xlsm``/``.xltm`` name (``FILE-005``, unless ``allow_macros``);
6. ``[Content_Types].xml``, ``_rels/.rels`` and the workbook part are parsed with defusedxml,
   which refuses DTDs and entity declarations (``FILE-008``: the "billion laughs"), and the
   workbook part must exist (``FILE-009``).

Step 4 inflates each member in 64 KiB steps and keeps only the small parts of step 6, so a
check costs time in proportion to the declared sizes (already within the limits) and memory
of a few steps, whatever the file claims.
"""

from __future__ import annotations

import stat
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from xlperf._zip import BoundedPackage, PartError
from xlperf.errors import library_errors
from xlperf.findings import Finding
from xlperf.validate.catalogue import Rule, load_rules
from xlperf.validate.registry import made_by

__all__ = ["Limits", "check_file", "describe_bytes"]

KiB = 1024
MiB = 1024 * KiB

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlam")
# Below this many uncompressed bytes a high compression ratio is harmless (tiny parts of
# repeated XML compress very well); the ratio limit applies to archives bigger than this.
RATIO_FLOOR = 1 * MiB


@dataclass(frozen=True)
class Limits:
    """Limits on a submitted file, checked before anything is decompressed.

    The defaults are generous for a return (a 1,000-measure return is well under 1 MiB) and
    far below what would hurt a laptop:

    - ``max_bytes``: the file on disk, 25 MiB;
    - ``max_uncompressed``: the sum of the zip members' declared sizes, 250 MiB;
    - ``max_ratio``: uncompressed / compressed size of the whole archive, 200 (applies only
      above :data:`RATIO_FLOOR` uncompressed; Excel's own files stay far below it);
    - ``max_members``: the number of parts in the zip package, 5,000;
    - ``max_xml``: the declared sizes of the XML parts together (sheets, shared strings,
      styles...: what the readers hold in memory, unlike pictures), 20 MiB. A 1,000-measure
      return has under 1 MiB; a return of 20 MiB of sheet XML (64,000 rows) is validated in
      about 380 MB, so a bigger one could not be read within a 512 MB limit.

    >>> Limits().max_bytes == 25 * 1024 * 1024
    True
    """

    max_bytes: int = 25 * MiB
    max_uncompressed: int = 250 * MiB
    max_ratio: float = 200.0
    max_members: int = 5_000
    max_xml: int = 20 * MiB


def _size(n: float) -> str:
    """Bytes as a person reads them: ``'3.2 MB'``."""
    for unit, scale in (("GB", 1024**3), ("MB", MiB), ("KB", KiB)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{int(n)} bytes"


# --- what a non-zip file looks like -------------------------------------------------------

_PICTURES = (b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")
_ARCHIVES = (b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b", b"BZh")


def _text_of(head: bytes) -> str | None:
    """The first bytes as text when they look like text, else None."""
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"),
                       (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            head, encoding = head[len(bom):], codec
            break
    else:
        encoding = "utf-8"
    text = head.decode(encoding, errors="replace")
    if not text:
        return None
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
    bad = text.count("\ufffd")
    return text if printable / len(text) > 0.95 and bad <= 2 else None


def describe_bytes(head: bytes) -> str:
    """What a file that is not a zip package looks like, from its first bytes, in words.

    >>> describe_bytes(b"%PDF-1.7 ..."), describe_bytes(b"Code,Actual\\r\\nCS143,68.4\\r\\n")
    ('a PDF document', 'a CSV or text file')
    """
    if not head:
        return "an empty file (0 bytes)"
    if head.startswith(b"%PDF"):
        return "a PDF document"
    if head.startswith(_PICTURES):
        return "a picture"
    if head.startswith(_ARCHIVES):
        return "a compressed archive (not Excel's own format)"
    if head.startswith(b"{\\rtf"):
        return "a Rich Text (RTF) document"
    text = _text_of(head[:4096])
    if text is None:
        return "an unrecognised kind of file (not a spreadsheet)"
    lowered = text.lstrip().lower()
    if "urn:schemas-microsoft-com:office:spreadsheet" in lowered:
        return "an Excel 2003 XML spreadsheet"
    if lowered.startswith(("<!doctype html", "<html")) or "<html" in lowered[:1024]:
        return "a web page (HTML), as Excel writes with 'Save as Web Page'"
    if lowered.startswith("<?xml") or lowered.startswith("<"):
        return "an XML or HTML file"
    first = text.splitlines()[0] if text.splitlines() else ""
    if "," in first or "\t" in first or ";" in first:
        return "a CSV or text file"
    return "a text file"


# --- Office 97-2003 (OLE2 compound file) ------------------------------------------------

_FREESECT, _ENDOFCHAIN = 0xFFFFFFFF, 0xFFFFFFFE


def _ole_names(data: bytes) -> set[str] | None:
    """The names of the storages and streams in an OLE2 compound file's directory, or None
    when the directory cannot be followed (then callers fall back to a byte search)."""
    try:
        if len(data) < 512 or not data.startswith(OLE2_MAGIC):
            return None
        shift = struct.unpack_from("<H", data, 0x1E)[0]
        if shift not in (9, 12):
            return None
        size = 1 << shift
        n_fat, first_dir = struct.unpack_from("<II", data, 0x2C)
        first_difat, n_difat = struct.unpack_from("<II", data, 0x44)
        fat_sectors = [s for s in struct.unpack_from("<109I", data, 0x4C) if s < 0xFFFFFFFA]
        sector, seen = first_difat, 0
        while sector < 0xFFFFFFFA and seen < n_difat and seen < 10_000:
            offset = (sector + 1) * size
            entries = struct.unpack_from(f"<{size // 4}I", data, offset)
            fat_sectors.extend(s for s in entries[:-1] if s < 0xFFFFFFFA)
            sector, seen = entries[-1], seen + 1
        fat: list[int] = []
        for s in fat_sectors[:max(n_fat, 1)]:
            offset = (s + 1) * size
            if offset + size > len(data):
                return None
            fat.extend(struct.unpack_from(f"<{size // 4}I", data, offset))
        names: set[str] = set()
        sector, steps = first_dir, 0
        while sector not in (_ENDOFCHAIN, _FREESECT) and steps < 100_000:
            offset = (sector + 1) * size
            if sector >= len(fat) or offset + size > len(data):
                return None
            for entry in range(offset, offset + size, 128):
                length = struct.unpack_from("<H", data, entry + 0x40)[0]
                kind = data[entry + 0x42]
                if kind in (1, 2, 5) and 2 <= length <= 64:
                    names.add(data[entry:entry + length - 2].decode("utf-16-le", "replace"))
            sector, steps = fat[sector], steps + 1
        return names or None
    except (struct.error, IndexError, ValueError):
        return None


def _check_ole2(path: Path, rules: dict[str, Rule]) -> list[Finding]:
    data = path.read_bytes()
    names = _ole_names(data)
    if names is None:
        encrypted = "EncryptionInfo".encode("utf-16-le") in data
        is_workbook = not encrypted
    else:
        encrypted = "EncryptionInfo" in names and "EncryptedPackage" in names
        is_workbook = bool(names & {"Workbook", "Book"})
        if not encrypted and not is_workbook:
            if "WordDocument" in names:
                kind = "a Word 97-2003 document"
            elif "PowerPoint Document" in names:
                kind = "a PowerPoint 97-2003 presentation"
            else:
                kind = "an Office 97-2003 file that is not a workbook"
            return [rules["FILE-001"].finding(file=path, kind=kind)]
    if encrypted:
        return [rules["FILE-003"].finding(file=path)]
    return [rules["FILE-002"].finding(file=path)]


# --- OOXML (zip package) -----------------------------------------------------------------

_MACRO_TYPES = ("macroenabled", "vbaproject")


class _Stop(Exception):
    """A finding that ends the checks of one file (internal)."""

    def __init__(self, finding: Finding):
        super().__init__(finding.message)
        self.finding = finding


def _part_finding(error: PartError, path: Path, rules: dict[str, Rule],
                  limits: Limits) -> Finding:
    """The finding for a member the bounded reader refused."""
    if error.kind == "encrypted":
        return rules["FILE-003"].finding(file=path)
    if error.kind == "lies":
        return rules["FILE-007"].finding(
            file=path, detail=f"more than it declares (its part {error.part} {error.detail})",
            limit=_size(limits.max_uncompressed))
    if error.kind == "budget":
        limit = _size(limits.max_uncompressed)
        return rules["FILE-007"].finding(
            file=path, detail=f"more than {limit} (its part {error.part} {error.detail})",
            limit=limit)
    return rules["FILE-004"].finding(file=path, detail=f"its part {error.part} {error.detail}")


def _parse_xml(data: bytes, part: str, path: Path, rules: dict[str, Rule]) -> Any:
    """A part parsed with defusedxml (DTDs and entities refused), or a finding."""
    from defusedxml.ElementTree import fromstring

    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except library_errors("dtd"):
        raise _Stop(rules["FILE-008"].finding(file=path, part=part)) from None
    except (*library_errors("xml", "value", "unicode"), RecursionError):
        raise _Stop(rules["FILE-004"].finding(
            file=path, detail=f"{part} is not valid XML")) from None


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _workbook_part(rels: Any, types: Any, names: set[str]) -> str | None:
    """The workbook part's name: from ``_rels/.rels``, else ``[Content_Types].xml``."""
    if rels is not None:
        for rel in rels:
            if _local(rel.tag) == "Relationship" and str(rel.get("Type", "")).endswith(
                    "/officeDocument"):
                target = str(rel.get("Target", "")).lstrip("/")
                return str(PurePosixPath(target)) if target else None
    for item in types if types is not None else ():
        if _local(item.tag) == "Override" and ".sheet.main" in str(item.get("ContentType", "")):
            return str(item.get("PartName", "")).lstrip("/") or None
    return "xl/workbook.xml" if "xl/workbook.xml" in names else None


def _check_limits(infos: list[zipfile.ZipInfo], path: Path, size: int, limits: Limits,
                  rules: dict[str, Rule]) -> None:
    total = sum(max(i.file_size, 0) for i in infos)
    # The packed data cannot be bigger than the file, whatever the directory claims.
    packed = max(min(sum(max(i.compress_size, 0) for i in infos), size), 1)
    if len(infos) > limits.max_members:
        raise _Stop(rules["FILE-007"].finding(
            file=path, detail=f"{len(infos):,} parts",
            limit=f"{limits.max_members:,} parts"))
    if total > limits.max_uncompressed:
        raise _Stop(rules["FILE-007"].finding(
            file=path, detail=_size(total), limit=_size(limits.max_uncompressed)))
    ratio = total / packed
    if total > RATIO_FLOOR and ratio > limits.max_ratio:
        raise _Stop(rules["FILE-007"].finding(
            file=path, detail=f"{_size(total)}, {ratio:,.0f} times its packed size",
            limit=f"{limits.max_ratio:g} times"))
    xml = sum(max(i.file_size, 0) for i in infos if i.filename.lower().endswith(_XML_SUFFIXES))
    if xml > limits.max_xml:
        raise _Stop(rules["FILE-006"].finding(
            file=path, size=f"{_size(xml)} of sheets and other XML once unpacked",
            limit=_size(limits.max_xml)))


def _macros(path: Path, names: set[str], types: Any) -> str | None:
    """Why this package counts as macro-enabled, or None."""
    lowered = {n.lower() for n in names}
    if any(n.endswith("vbaproject.bin") for n in lowered):
        return "a VBA project"
    if any(n.startswith("xl/macrosheets/") for n in lowered):
        return "Excel 4.0 macro sheets"
    for item in types if types is not None else ():
        if any(word in str(item.get("ContentType", "")).lower() for word in _MACRO_TYPES):
            return "a macro-enabled workbook type"
    if path.suffix.lower() in MACRO_SUFFIXES:
        return f"the file type {path.suffix.lower()}"
    return None


def _check_zip(path: Path, size: int, limits: Limits, allow_macros: bool,
               rules: dict[str, Rule]) -> list[Finding]:
    findings: list[Finding] = []
    try:
        package = BoundedPackage(path, budget=limits.max_uncompressed)
    except zipfile.BadZipFile:
        return [rules["FILE-004"].finding(
            file=path, detail="the zip package is incomplete or corrupt; it may have been cut "
                              "off while being copied or e-mailed")]
    except library_errors("zip", "os", "value", "unicode"):
        return [rules["FILE-004"].finding(file=path, detail="its zip directory is corrupt")]
    try:
        with package:
            _check_package(package, path, size, limits, allow_macros, rules, findings)
    except _Stop as stop:
        findings.append(stop.finding)
    return findings


def _bad_name(name: str) -> bool:
    """A member name Excel never writes and an unpacking tool could follow out of its folder:
    absolute, with a drive, a backslash, a ``..`` step or a control character."""
    if not name or name.startswith("/") or "\\" in name or (len(name) > 1 and name[1] == ":"):
        return True
    if any(ord(ch) < 32 for ch in name):
        return True
    return ".." in name.split("/")


_XML_SUFFIXES = (".xml", ".rels", ".vml")
_DTD_MARKS = (b"<!DOCTYPE", b"<!ENTITY", "<!DOCTYPE".encode("utf-16-le"),
              "<!ENTITY".encode("utf-16-le"))
_MARK_TAIL = max(len(m) for m in _DTD_MARKS) - 1


def _looks_like_xml(first: bytes) -> bool:
    head = first[:64].lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n\x00")
    return head.startswith(b"<")


def _declares_dtd(first: bytes) -> bool:
    """True when the XML prolog at the start of a part has a DTD or an entity declaration
    (expat, which never fetches or expands anything: it only reports the declarations)."""
    from xml.parsers import expat

    found: list[bool] = []

    class _Root(Exception):
        pass

    def declaration(*_args: object) -> None:
        found.append(True)

    def root(*_args: object) -> None:
        raise _Root

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = declaration
    parser.EntityDeclHandler = declaration
    parser.StartElementHandler = root
    try:
        parser.Parse(first, False)
    except _Root:
        pass
    except expat.ExpatError:
        pass  # not well-formed: the part's reader reports that
    return bool(found)


def _check_members(package: BoundedPackage, path: Path, limits: Limits,
                   rules: dict[str, Rule], keep: set[str]) -> dict[str, bytes]:
    """Stream every member once through the bounded reader (sizes, budget, CRC-32) and check
    each XML part for a DTD or entity declaration; returns the bytes of the parts in
    ``keep``. Raises :class:`_Stop` with the first problem."""
    kept: dict[str, bytes] = {}
    for info in package.infos:
        if info.is_dir():
            continue
        xml = info.filename.lower().endswith(_XML_SUFFIXES)
        chunks: list[bytes] = []
        head, tail, first = b"", b"", True
        try:
            for chunk in package.stream(info):
                if first:
                    xml = xml or _looks_like_xml(chunk)
                    first = False
                if xml:
                    if len(head) < 8192:
                        head += chunk[:8192 - len(head)]
                    window = tail + chunk
                    if any(mark in window for mark in _DTD_MARKS):
                        raise _Stop(rules["FILE-008"].finding(file=path, part=info.filename))
                    tail = window[-_MARK_TAIL:]
                if info.filename in keep:
                    chunks.append(chunk)
        except PartError as error:
            raise _Stop(_part_finding(error, path, rules, limits)) from None
        if xml and head and _declares_dtd(head):
            raise _Stop(rules["FILE-008"].finding(file=path, part=info.filename))
        if info.filename in keep:
            kept[info.filename] = b"".join(chunks)
    return kept


def _check_package(package: BoundedPackage, path: Path, size: int, limits: Limits,
                   allow_macros: bool, rules: dict[str, Rule], findings: list[Finding]) -> None:
    """Steps 3 to 5 on an open package; appends to ``findings`` or raises :class:`_Stop`."""
    infos = package.infos
    names = {i.filename for i in infos}
    _check_limits(infos, path, size, limits, rules)
    if len(names) != len(infos):
        twice = sorted({i.filename for i in infos if
                        sum(j.filename == i.filename for j in infos) > 1})
        raise _Stop(rules["FILE-004"].finding(
            file=path, detail=f"the part {twice[0]} is in it twice, which Excel never writes"))
    bad = next((i.orig_filename for i in infos if _bad_name(i.orig_filename)), None)
    if bad is not None:
        raise _Stop(rules["FILE-004"].finding(
            file=path, detail=f"a part is named {bad!r}, a name Excel never writes"))
    by_name = package.by_name
    # Macros the names alone show are reported even when a part then stops the checks.
    why = _macros(path, names, None)
    if why and not allow_macros:
        findings.append(rules["FILE-005"].finding(file=path, detail=why))
    kept = _check_members(package, path, limits, rules,
                          keep={"[Content_Types].xml", "_rels/.rels"})
    package.left = limits.max_uncompressed  # every size is now known to be honest

    def parse(part: str) -> Any:
        if by_name.get(part) is None:
            return None
        data = kept.get(part)
        if data is None:
            try:
                data = package.read(part)
            except PartError as error:
                raise _Stop(_part_finding(error, path, rules, limits)) from None
        return _parse_xml(data, part, path, rules)

    types = parse("[Content_Types].xml")
    if types is None and not any(n.startswith("xl/") for n in names):
        if "mimetype" in names or "content.xml" in names:
            kind = "an OpenDocument file (LibreOffice or OpenOffice)"
        elif any(n.startswith("word/") for n in names):
            kind = "a Word document"
        else:
            kind = "a zip archive"
        raise _Stop(rules["FILE-001"].finding(file=path, kind=kind))
    if not why:
        why = _macros(path, names, types)
    if why and not allow_macros and not any(f.rule == "FILE-005" for f in findings):
        findings.append(rules["FILE-005"].finding(file=path, detail=why))
    rels = parse("_rels/.rels")
    part = _workbook_part(rels, types, names)
    if any(n.startswith("word/") for n in names) and part and part.startswith("word/"):
        raise _Stop(rules["FILE-001"].finding(file=path, kind="a Word document"))
    if part is None or part not in by_name or part.endswith(".bin"):
        detail = (f"{part} is missing" if part else "no workbook part is named in it")
        if part and part.endswith(".bin"):
            detail = "it is an Excel Binary Workbook (.xlsb); save it as .xlsx"
        raise _Stop(rules["FILE-009"].finding(file=path, detail=detail))
    parse(part)


@made_by(*(f"FILE-{n:03d}" for n in range(1, 11)))
def check_file(path: str | Path, *, limits: Limits = Limits(),
               allow_macros: bool = False) -> list[Finding]:
    """File-level findings for ``path``: empty when it is safe to open as a workbook.

    Never raises for a bad file: every problem is a :class:`~xlperf.findings.Finding` naming
    the file, with no sheet or cell. The workbook's sheets are not parsed (that is the reader's
    job, once this returns no errors).

    >>> import tempfile, pathlib
    >>> fake = pathlib.Path(tempfile.mkdtemp()) / "q2.xlsx"
    >>> _ = fake.write_bytes(b"Code,Actual\\nCS143,68.4\\n")
    >>> [(f.rule, f.message) for f in check_file(fake)]
    [('FILE-001', 'q2.xlsx is not an Excel workbook: it looks like a CSV or text file.')]
    """
    rules = load_rules()
    file = Path(path)
    try:
        if file.is_dir():
            return [rules["FILE-010"].finding(file=file, detail="it is a folder, not a file")]
        status = file.stat()
        if not stat.S_ISREG(status.st_mode):
            return [rules["FILE-010"].finding(file=file, detail="it is not an ordinary file")]
        size = status.st_size
        if size > limits.max_bytes:
            return [rules["FILE-006"].finding(file=file, size=_size(size),
                                              limit=_size(limits.max_bytes))]
        with file.open("rb") as handle:
            head = handle.read(8192)
        if head.startswith(OLE2_MAGIC):
            return _check_ole2(file, rules)
        if not head.startswith(ZIP_MAGICS):
            return [rules["FILE-001"].finding(file=file, kind=describe_bytes(head))]
        return _check_zip(file, size, limits, allow_macros, rules)
    except _Stop as stop:
        return [stop.finding]
    except FileNotFoundError:
        return [rules["FILE-010"].finding(file=file, detail="there is no such file")]
    except PermissionError:
        return [rules["FILE-010"].finding(
            file=file, detail="permission denied (it may be open in Excel, or not shared "
                              "with you)")]
    except OSError as error:
        return [rules["FILE-010"].finding(file=file, detail=error.strerror or str(error))]
