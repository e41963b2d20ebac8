"""``check_xml`` (the check of the writer's own output) refuses what ``parse_xml`` refuses."""

from __future__ import annotations

import pytest

from xlperf.errors import WorkbookError
from xlperf.write._opc import check_xml, parse_xml

GOOD = [
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<a xmlns="u"><b/></a>',
    b'<x:a xmlns:x="u"><x:b>t &amp; t</x:b><?pi data?></x:a>',
]
BAD = [
    b"<a><b></a>", b"<a>&foo;</a>", b"<!DOCTYPE a><a/>", b"<a/><b/>", b"<a>\x01</a>",
    b"<a>\xff</a>", b'<a xmlns:x="u"><y:b/></a>', b"", b'<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>',
]


@pytest.mark.parametrize("data", GOOD)
def test_accepts_well_formed_xml(data: bytes) -> None:
    parse_xml(data, "part.xml", "book.xlsx")
    check_xml(data, "part.xml", "book.xlsx")


@pytest.mark.parametrize("data", BAD)
def test_refuses_what_parse_xml_refuses(data: bytes) -> None:
    with pytest.raises(WorkbookError):
        parse_xml(data, "part.xml", "book.xlsx")
    with pytest.raises(WorkbookError, match="part.xml"):
        check_xml(data, "part.xml", "book.xlsx")
