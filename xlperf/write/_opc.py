"""Reading an .xlsx/.xlsm package (OPC) as parts, relationships and content types.

Everything here treats the file as untrusted: XML is parsed with a hardened lxml parser (no
entity resolution, no network, no DTD, no huge trees) and any part carrying a DTD is refused.
Part names are case-insensitive in OPC, so lookups go through a lower-case index.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

from xlperf.errors import WorkbookError, translated

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
RT_STRICT = "http://purl.oclc.org/ooxml/officeDocument/relationships/"
RT_MS = "http://schemas.microsoft.com/office/2006/relationships/"

CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CONTENT_TYPES = "[Content_Types].xml"
MAX_PART_BYTES = 512 * 1024 * 1024
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DEFAULT_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>\s*")
_NOT_XML = "{file}: part {part} is not well-formed XML ({error}); not written"


def parser() -> etree.XMLParser:
    """A parser safe for XML from a user's file."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_blank_text=False)


def parse_xml(data: bytes, part: str, file: str) -> etree._ElementTree:
    """Parse a part, refusing DTDs (OPC forbids them) and translating lxml's errors."""
    with translated(file, _NOT_XML, families=("lxml", "value"), chain=True, part=part):
        tree = etree.ElementTree(etree.fromstring(data, parser()))
    if tree.docinfo.doctype:
        raise WorkbookError(f"{file}: part {part} carries a DTD, which OOXML forbids; not written",
                            file=file)
    return tree


class _CheckOnly:
    """A parser target that builds nothing: parsing with it only checks the XML (and notes a
    DTD), several times faster than building a tree that would be thrown away."""

    def __init__(self) -> None:
        self.has_doctype = False

    def doctype(self, *_args: object) -> None:
        self.has_doctype = True

    def close(self) -> bool:
        return self.has_doctype


def check_xml(data: bytes, part: str, file: str) -> None:
    """Refuse a part that :func:`parse_xml` would refuse, without building its tree.

    The same hardened parser settings; namespace errors, which lxml reports only in the
    parser's log when a target is used, are refused as they are when building a tree.
    """
    target = _CheckOnly()
    checker = etree.XMLParser(target=target, resolve_entities=False, no_network=True,
                              load_dtd=False, dtd_validation=False, huge_tree=False)
    with translated(file, _NOT_XML, families=("lxml", "value"), chain=True, part=part):
        has_doctype = etree.fromstring(data, checker)
        errors = [e for e in checker.error_log if e.level >= etree.ErrorLevels.ERROR]
        if errors:
            raise etree.XMLSyntaxError(errors[0].message, errors[0].type, errors[0].line,
                                       errors[0].column)
    if has_doctype:
        raise WorkbookError(f"{file}: part {part} carries a DTD, which OOXML forbids; not written",
                            file=file)


def serialize(tree: etree._ElementTree, original: bytes) -> bytes:
    """Serialize a re-edited part, keeping the original XML declaration bytes."""
    match = _DECLARATION.match(original)
    head = match.group(0) if match else _DEFAULT_DECLARATION
    return head + etree.tostring(tree, encoding="UTF-8")


def local(tag: object) -> str:
    """Local name of an element tag ('' for comments and processing instructions)."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def rels_name(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def resolve_target(source_part: str, target: str) -> str:
    target = unquote(target.split("#", 1)[0])
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


def relative_target(source_part: str, part: str) -> str:
    return posixpath.relpath(part, posixpath.dirname(source_part) or ".")


def rel_kind(rel_type: str) -> str:
    """The last component of a relationship type (``worksheet``, ``calcChain``, ...)."""
    return rel_type.rstrip("/").rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Rel:
    id: str
    type: str
    target: str
    part: str | None  # resolved part name (None if external)

    @property
    def kind(self) -> str:
        return rel_kind(self.type)


class Package:
    """An opened .xlsx/.xlsm: member list, lazily read parts, relationships and content types."""

    def __init__(self, path: Path):
        self.path = path
        self.file = str(path)
        with translated(path, "{file}: cannot be read ({error.strerror})", families=("os",),
                        chain=True):
            with open(path, "rb") as fh:
                magic = fh.read(8)
        if magic == _OLE_MAGIC:
            raise WorkbookError(
                f"{path}: is password-protected (encrypted) or a legacy .xls file; "
                "xlperf writes only unencrypted .xlsx/.xlsm workbooks", file=self.file)
        with translated(path, "{file}: is not an .xlsx workbook (not a zip package: {error})",
                        families=("zip", "os", "value"), chain=True):
            self.zip = zipfile.ZipFile(path)
            self.infos = self.zip.infolist()
        if any(info.flag_bits & 0x1 for info in self.infos):
            raise WorkbookError(f"{path}: its zip entries are encrypted; not an Excel workbook "
                                "xlperf can write", file=self.file)
        self.names = [info.filename for info in self.infos]
        self.index: dict[str, str] = {}
        for name in self.names:
            if name.lower() in self.index:
                raise WorkbookError(f"{path}: the package holds two parts named {name!r}; "
                                    "not written", file=self.file)
            self.index[name.lower()] = name
        self._cache: dict[str, bytes] = {}

    def close(self) -> None:
        self.zip.close()

    def find(self, part: str) -> str | None:
        """The real member name of a part (case-insensitive), or None."""
        return self.index.get(part.lower()) or self.index.get(unquote(part).lower())

    def read(self, part: str) -> bytes:
        name = self.find(part)
        if name is None:
            raise WorkbookError(f"{self.file}: part {part} is missing; the workbook is damaged",
                                file=self.file)
        if name not in self._cache:
            info = self.zip.getinfo(name)
            if info.file_size > MAX_PART_BYTES:
                raise WorkbookError(f"{self.file}: part {name} is larger than "
                                    f"{MAX_PART_BYTES // 2**20} MB; not written", file=self.file)
            with translated(self.file, "{file}: part {part} cannot be read ({error})",
                            families=("zip", "os", "value"), chain=True, part=name):
                self._cache[name] = self.zip.read(name)
        return self._cache[name]

    def xml(self, part: str) -> etree._ElementTree:
        return parse_xml(self.read(part), part, self.file)

    def rels(self, source_part: str) -> list[Rel]:
        """Relationships of a part ('' for the package), in document order; [] if none."""
        name = rels_name(source_part) if source_part else "_rels/.rels"
        if self.find(name) is None:
            return []
        out = []
        for el in self.xml(name).getroot():
            if local(el.tag) != "Relationship":
                continue
            target = el.get("Target", "")
            external = el.get("TargetMode") == "External"
            part = None if external else resolve_target(source_part, target)
            out.append(Rel(el.get("Id", ""), el.get("Type", ""), target, part))
        return out
