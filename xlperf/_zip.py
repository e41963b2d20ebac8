"""The one bounded reader of a zip package's members (a workbook is a zip of XML parts).

Every part xlperf's own code reads out of a submitted workbook goes through
:class:`BoundedPackage`: a member is inflated in small steps, never past its declared size
(one byte more is a lie: :class:`PartError` ``"lies"``) nor past the package's total budget
(``"budget"``), its stream must end exactly at the declared size and its CRC-32 must match
(``"crc"``). :mod:`zipfile`'s own ``read()`` inflates a whole deflate block before it cuts it to
the declared size, so a 1 MB part that lies about its size costs gigabytes there; here it costs
at most one step (64 KiB) past the declaration.

:func:`xlperf.validate.files.check_file` streams every member once through it before any
library (python-calamine, openpyxl) opens the file, so what those libraries see has honest sizes
and checksums.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

__all__ = ["STEP", "BoundedPackage", "PartError"]

STEP = 64 * 1024  # bytes inflated per step: what one read can cost past a declared size
_LOCAL = struct.Struct("<4s2B4HL2L2H")  # a zip local file header (30 bytes)


class PartError(Exception):
    """A member that cannot be read safely. ``kind`` is one of ``"lies"`` (inflates past its
    declared size), ``"budget"`` (the package's total budget is spent), ``"crc"`` (CRC-32
    mismatch), ``"encrypted"``, ``"compression"`` (a method Excel never uses) or
    ``"damaged"``; ``part`` the member's name."""

    def __init__(self, kind: str, part: str, detail: str):
        super().__init__(f"{part}: {detail}")
        self.kind, self.part, self.detail = kind, part, detail


class BoundedPackage:
    """A zip package opened for bounded reads: ``budget`` is the most bytes all the reads
    together may inflate (each member is also held to its own declared size).

    >>> import io, zipfile, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "p.zip"
    >>> with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
    ...     z.writestr("a.xml", "<a/>" * 1000)
    >>> with BoundedPackage(path, budget=10_000) as package:
    ...     len(package.read("a.xml"))
    4000
    """

    def __init__(self, path: str | Path, *, budget: int):
        self.path = Path(path)
        self.left = budget
        self.zip = zipfile.ZipFile(self.path)  # the central directory only
        try:
            self._handle: IO[bytes] = self.path.open("rb")
        except BaseException:
            self.zip.close()
            raise
        self.infos = self.zip.infolist()
        self.by_name = {i.filename: i for i in self.infos}

    def __enter__(self) -> BoundedPackage:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._handle.close()
        self.zip.close()

    def info(self, name: str) -> zipfile.ZipInfo | None:
        return self.by_name.get(name)

    def read(self, member: str | zipfile.ZipInfo, *, limit: int | None = None) -> bytes:
        """A member's bytes; ``limit`` (optional) is a tighter cap for this one part.
        Raises :class:`PartError` (and ``KeyError`` for a name not in the package)."""
        info = member if isinstance(member, zipfile.ZipInfo) else self.by_name[member]
        if limit is not None and info.file_size > limit:
            raise PartError("budget", info.filename,
                            f"declares {info.file_size:,} bytes, over the {limit:,} allowed")
        return b"".join(self.stream(info))

    def stream(self, info: zipfile.ZipInfo) -> Iterator[bytes]:
        """A member's bytes in steps of at most :data:`STEP`, checked as described above."""
        name, declared = info.filename, info.file_size
        if info.flag_bits & 0x1:
            raise PartError("encrypted", name, "is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise PartError("compression", name, "uses a compression Excel does not use")
        self._seek_data(info)
        packed_left = info.compress_size
        inflate = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
        produced, crc, pending = 0, 0, b""
        while True:
            if inflate is not None and inflate.unconsumed_tail:
                pending = inflate.unconsumed_tail
            elif packed_left > 0:
                pending = self._handle.read(min(STEP, packed_left))
                if not pending:
                    raise PartError("damaged", name, "is cut short")
                packed_left -= len(pending)
            else:
                pending = b""
            room = declared - produced + 1  # one byte past the declaration shows a lie
            if inflate is None:
                out = pending[:room]
            else:
                try:
                    out = inflate.decompress(pending, min(STEP, room))
                except zlib.error:
                    raise PartError("damaged", name, "is corrupt") from None
            produced += len(out)
            if produced > declared:
                raise PartError("lies", name, f"unpacks to more than the {declared:,} bytes "
                                              "it declares")
            if len(out) > self.left:
                raise PartError("budget", name, "unpacks past the package's limit")
            self.left -= len(out)
            if out:
                crc = zlib.crc32(out, crc)
                yield out
            done = inflate.eof if inflate is not None else packed_left <= 0
            if done:
                break
            if not out and not pending and packed_left <= 0:
                raise PartError("damaged", name, "is cut short")
        if produced != declared:
            raise PartError("damaged", name, f"unpacks to {produced:,} bytes, not the "
                                             f"{declared:,} it declares")
        if crc != info.CRC:
            raise PartError("crc", name, "fails its CRC-32 check (its bytes were changed or "
                                         "damaged)")

    def _seek_data(self, info: zipfile.ZipInfo) -> None:
        """Position the handle at a member's data, checking its local header names it."""
        try:
            self._handle.seek(info.header_offset)
            header = self._handle.read(_LOCAL.size)
            fields = _LOCAL.unpack(header)
        except (OSError, ValueError, struct.error):
            raise PartError("damaged", info.filename, "has no local header") from None
        if fields[0] != b"PK\x03\x04":
            raise PartError("damaged", info.filename, "has no local header")
        name_length, extra_length = fields[10], fields[11]
        local_name = self._handle.read(name_length)
        expected = info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437",
                                             "replace")
        if local_name != expected:
            # The central directory and the local header disagree on the name: two readers
            # could see two different files.
            raise PartError("damaged", info.filename, "has a local header for another name")
        self._handle.seek(extra_length, 1)
