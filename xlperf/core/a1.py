"""A1 cell references: the one place xlperf turns row and column numbers into Excel's letters
and back.

Pure and dependency-free (no pandas), so the findings, the readers, the validator, the lossless
writer and the Excel gateway all name cells the same way Excel does. Rows and columns are
1-based, as in Excel; a reference outside the sheet (beyond ``XFD1048576``) is refused.

    >>> cell_ref(14, 3), parse_cell("$C$14"), parse_range("A1:C9"), range_ref(1, 1, 9, 3)
    ('C14', (14, 3), (1, 1, 9, 3), 'A1:C9')
"""

from __future__ import annotations

import re

MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384

_CELL = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")
# The usual forms of a cell or range (``B3``, ``$R$5:W5``): nothing to strip and no lone ":".
# Read with one regex, as a sheet's sparklines and merges have thousands of them.
_PLAIN_RANGE = re.compile(
    r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})(?::\$?([A-Za-z]{1,3})\$?([0-9]{1,7}))?")
_LETTERS: dict[int, str] = {}  # column number -> letters (the writers ask for them often)
_NUMBERS: dict[str, int] = {}  # letters -> column number, bounded (letters come from files)


def column_letter(column: int) -> str:
    """Excel's letters for a 1-based column number.

    >>> column_letter(1), column_letter(28), column_letter(16384)
    ('A', 'AB', 'XFD')
    """
    known = _LETTERS.get(column)
    if known is not None:
        return known
    if column < 1:
        raise ValueError(f"column numbers start at 1, not {column}")
    n, letters = column, ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    if column <= MAX_COLUMNS:  # bounded: at most one entry per column of a sheet
        _LETTERS[column] = letters
    return letters


def column_number(letters: str) -> int:
    """The 1-based column number of Excel column letters (case and surrounding spaces ignored).

    >>> column_number("A"), column_number("aa"), column_number("XFD")
    (1, 27, 16384)
    """
    known = _NUMBERS.get(letters)
    if known is not None:
        return known
    number = 0
    text = letters.strip().upper()
    if not text:
        raise ValueError(f"{letters!r} is not a column")
    for ch in text:
        if not "A" <= ch <= "Z":
            raise ValueError(f"{letters!r} is not a column")
        number = number * 26 + (ord(ch) - 64)
    if len(_NUMBERS) < 20_000:
        _NUMBERS[letters] = number
    return number


def cell_ref(row: int, column: int) -> str:
    """An A1 reference from 1-based row and column numbers.

    >>> cell_ref(14, 3)
    'C14'
    """
    return f"{column_letter(column)}{row}"


def parse_cell(ref: str) -> tuple[int, int]:
    """1-based (row, column) of an A1 reference (``$`` and surrounding spaces ignored).

    >>> parse_cell("B3"), parse_cell(" $c$14 ")
    ((3, 2), (14, 3))
    """
    match = _CELL.fullmatch(ref.strip())
    if not match:
        raise ValueError(f"{ref!r} is not a cell reference")
    letters, digits = match.groups()
    row, column = int(digits), column_number(letters)
    if not (1 <= row <= MAX_ROWS and 1 <= column <= MAX_COLUMNS):
        raise ValueError(f"{ref!r} is outside the sheet")
    return row, column


def parse_range(ref: str) -> tuple[int, int, int, int]:
    """(top, left, bottom, right) of a range; a single cell is a 1x1 range.

    >>> parse_range("A1:C9"), parse_range("$B$3")
    ((1, 1, 9, 3), (3, 2, 3, 2))
    """
    plain = _plain_range(ref)
    if plain is not None:
        return plain
    first, _, last = ref.partition(":")
    r1, c1 = parse_cell(first)
    r2, c2 = parse_cell(last) if last else (r1, c1)
    return r1, c1, r2, c2


def range_columns(ref: str) -> tuple[int, int] | None:
    """The first and last column of a cell or range as :func:`parse_range` reads it, or None
    where it raises (without the cost of an exception for the usual forms).

    >>> range_columns("R5:W5"), range_columns("$B$3"), range_columns("A0")
    ((18, 23), (2, 2), None)
    """
    plain = _plain_range(ref)
    if plain is None:
        try:
            plain = parse_range(ref)
        except ValueError:
            return None
    return plain[1], plain[3]


def range_ref(top: int, left: int, bottom: int, right: int) -> str:
    """The A1 text of a range (one cell when its corners meet).

    >>> range_ref(5, 18, 5, 23), range_ref(3, 2, 3, 2)
    ('R5:W5', 'B3')
    """
    first = f"{column_letter(left)}{top}"
    if (top, left) == (bottom, right):
        return first
    return f"{first}:{column_letter(right)}{bottom}"


def _plain_range(ref: str) -> tuple[int, int, int, int] | None:
    """:func:`parse_range`'s result for a valid range in a usual form, else None."""
    match = _PLAIN_RANGE.fullmatch(ref)
    if match is None:
        return None
    first, top, last, bottom = match.groups()
    r1 = int(top)
    r2 = r1 if bottom is None else int(bottom)
    c1 = column_number(first)
    c2 = c1 if last is None else column_number(last)
    if 1 <= r1 <= MAX_ROWS and 1 <= r2 <= MAX_ROWS and c1 <= MAX_COLUMNS and c2 <= MAX_COLUMNS:
        return r1, c1, r2, c2
    return None
