"""Write a zip whose unchanged members are copied as their original compressed bytes.

Python's :mod:`zipfile` can only copy a member by decompressing and compressing it again, which
for a master with a large history sheet is most of the cost of a write. Here each unchanged
member's compressed stream is copied as it is (with the CRC-32 and sizes of the source's central
directory), so its decompressed bytes are identical by construction; new and replaced members
are deflated. Extra fields (timestamps, zip64 fields) are not carried over; data descriptors are
folded into the local headers. Packages needing zip64 (a member or the file over 4 GB, or more
than 65,535 members) are left to :mod:`zipfile` by the caller (:func:`fits`).
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterable
from typing import BinaryIO

_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_LIMIT = 0xFFFFFFFF - 1
_CHUNK = 1 << 20


def fits(infos: Iterable[zipfile.ZipInfo], extra_bytes: int) -> bool:
    """Whether the result stays clear of zip64 (sizes/offsets under 4 GB, < 65,535 members)."""
    infos = list(infos)
    total = sum(i.compress_size + 200 + len(i.filename) * 2 for i in infos) + extra_bytes
    return len(infos) < 65000 and total < _LIMIT // 2


def _dos(date_time: tuple[int, ...]) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time[:6]
    if year < 1980:
        year, month, day, hour, minute, second = 1980, 1, 1, 0, 0, 0
    return ((hour << 11) | (minute << 5) | (second // 2),
            ((year - 1980) << 9) | (month << 5) | day)


def _name(name: str) -> tuple[bytes, int]:
    try:
        return name.encode("ascii"), 0
    except UnicodeEncodeError:
        return name.encode("utf-8"), 0x800


class RawZipWriter:
    """Append members (raw copies or new data) to ``out``; :meth:`close` writes the directory."""

    def __init__(self, out: BinaryIO):
        self.out = out
        self.offset = 0
        self.central: list[bytes] = []

    def _write(self, data: bytes) -> None:
        self.out.write(data)
        self.offset += len(data)

    def _entry(self, name: str, method: int, flags: int, date_time: tuple[int, ...], crc: int,
               csize: int, usize: int, version: int, external_attr: int, create_system: int,
               comment: bytes) -> None:
        raw_name, utf8 = _name(name)
        flags = (flags & 0x6) | utf8
        dostime, dosdate = _dos(date_time)
        header_offset = self.offset
        self._write(_LOCAL.pack(0x04034B50, version, flags, method, dostime, dosdate, crc, csize,
                                usize, len(raw_name), 0) + raw_name)
        self.central.append(_CENTRAL.pack(
            0x02014B50, (create_system << 8) | 20, version, flags, method, dostime, dosdate, crc,
            csize, usize, len(raw_name), 0, len(comment), 0, 0, external_attr, header_offset)
            + raw_name + comment)

    def copy(self, source: BinaryIO, info: zipfile.ZipInfo) -> None:
        """Copy a member of ``source`` (described by its central-directory ``info``) unchanged."""
        source.seek(info.header_offset)
        header = source.read(_LOCAL.size)
        if len(header) != _LOCAL.size or header[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile(f"bad local header for {info.filename}")
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        source.seek(info.header_offset + _LOCAL.size + name_len + extra_len)
        self._entry(info.filename, info.compress_type, info.flag_bits, info.date_time, info.CRC,
                    info.compress_size, info.file_size, max(info.extract_version, 10),
                    info.external_attr, info.create_system, info.comment)
        left = info.compress_size
        while left:
            chunk = source.read(min(left, _CHUNK))
            if not chunk:
                raise zipfile.BadZipFile(f"{info.filename} is truncated")
            self._write(chunk)
            left -= len(chunk)

    def add(self, name: str, data: bytes, *, date_time: tuple[int, ...] = (1980, 1, 1, 0, 0, 0),
            external_attr: int = 0o600 << 16, create_system: int = 0,
            stored: bool = False) -> None:
        """Add a member with new content (deflated unless ``stored``)."""
        if stored:
            body, method = data, zipfile.ZIP_STORED
        else:
            packer = zlib.compressobj(6, zlib.DEFLATED, -15)
            body, method = packer.compress(data) + packer.flush(), zipfile.ZIP_DEFLATED
        self._entry(name, method, 0, date_time, zlib.crc32(data), len(body), len(data),
                    20 if method == zipfile.ZIP_DEFLATED else 10, external_attr, create_system,
                    b"")
        self._write(body)

    def close(self, comment: bytes = b"") -> None:
        start = self.offset
        for entry in self.central:
            self._write(entry)
        size = self.offset - start
        n = len(self.central)
        self._write(_END.pack(0x06054B50, 0, 0, n, n, size, start, len(comment)) + comment)
