"""Read what people type into a cell: a number, a named "no data" reason, or invalid.

Scorecard cells are messy (see ``DOMAIN.md``, section "Values"): ``68.04%``, ``17*``,
``-£514K``, ``n/a``, ``TBC``, ``under development``, ``#DIV/0!``, HTML pasted from another
system.  This module turns each cell into a :class:`CellValue` and says honestly what it did:

* ``kind == "number"``: ``number`` holds the value.  ``reason`` is ``None`` when the cell was
  plainly numeric, or a short note when something was interpreted (``"footnote mark '*'
  removed"``, ``"(1,234) read as negative"``, ``"£42.3M read as 42,300,000"``,
  ``"percentage cell 0.6804 read as 68.04"``).
* ``kind == "no data"``: ``number`` is ``None`` and ``reason`` names why (``"blank"``,
  ``"dash"``, ``"not applicable"``, ``"Excel error #DIV/0!"``...; see :data:`NO_DATA_WORDS`).
* ``kind == "invalid"``: ``number`` is ``None`` and ``reason`` starts with ``"not a number:"``
  and quotes what was there.

Nothing is ever guessed: there is no silent zero, formula text (``=SUM(A1:A3)``) is never
evaluated, and anything that is not plainly a number or a known "no data" word is invalid.

Accepted number forms (after trimming and collapsing whitespace)::

    12   12.5   .5   5.   1,234   1,234,567.89   1.5E3   +3   -3   −3 (U+2212 minus)
    68.04%   12.9 %                     percent sign dropped: the number is in % units
    £1,234   £ 1,234                    pound sign dropped
    (1,234)  (£1,234)  (12.5%)          accounting brackets: negative
    £514K  -£514k  +£917K  £42.3M  £5m  £1.2bn   multipliers only after a £ sign
    17*   17**   17 *   17†   17‡       trailing footnote marks removed

Thousands separators must be in groups of three (``1,2`` is invalid).  A sign goes before
the ``£`` (``-£514K``), never after it, and never together with brackets.  An exponent is
only accepted on a plain number (not with ``£`` or a multiplier).

The cell's number format matters for one case only: when ``percent_format`` is true a
*numeric* cell value is the fraction Excel stores behind a ``%`` format, so ``0.6804`` is
read as ``68.04``.  Text in such a cell is read as written (``"68.04%"`` is 68.04).

:func:`parse_values` and :func:`clean_commentaries` are the vectorised twins of
:func:`parse_value` and :func:`clean_commentary` and give exactly the same answers.
"""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd

# One cell in plain Python (re-exported: this module is where callers find them).
from xlperf.core._cell import (  # noqa: F401
    _EXCEL_ERRORS,
    _FEW_TEXTS,
    _GROUPS,
    _MULT_EXP,
    _NEGATIVE_SIGNS,
    _NO_DATA,
    _NUM,
    _NUMBER_RE,
    _SHOW_MAX,
    _WS,
    KIND_INVALID,
    KIND_NO_DATA,
    KIND_NUMBER,
    NO_DATA_WORDS,
    REASON_BLANK,
    CellValue,
    _fmt,
    _from_float,
    _invalid,
    _number_note,
    _number_text,
    _parse_text,
    _parse_value,
    _percent_note,
    _safe_str,
    _scale_percent,
    _show,
    parse_value,
)

__all__ = [
    "KIND_INVALID",
    "KIND_NO_DATA",
    "KIND_NUMBER",
    "NO_DATA_WORDS",
    "CellValue",
    "clean_commentaries",
    "clean_commentary",
    "parse_value",
    "parse_values",
]


# Python number types the vectorised path converts with one numpy cast.
_FAST_NUMBER_TYPES: tuple[type, ...] = (
    float,
    int,
    np.float64,
    np.float32,
    np.float16,
    np.int8,
    np.int16,
    np.int32,
    np.int64,
    np.uint8,
    np.uint16,
    np.uint32,
    np.uint64,
)
_MISSING_TYPES: tuple[type, ...] = (type(None), type(pd.NA), type(pd.NaT))


# ----------------------------------------------------------------------------- vector API
def _percent_mask(percent_format: pd.Series | bool, cells: pd.Series) -> np.ndarray:
    n = len(cells)
    if not isinstance(percent_format, pd.Series):
        return np.full(n, bool(percent_format), dtype=bool)
    pf = percent_format
    if not pf.index.equals(cells.index):
        if not pf.index.is_unique:
            raise ValueError("percent_format must have the same index as cells")
        pf = pf.reindex(cells.index)
    if pf.dtype == bool:
        return pf.to_numpy(dtype=bool)
    raw = pf.to_numpy(dtype=object)
    return np.fromiter(
        (False if _is_missing(v) else bool(v) for v in raw), dtype=bool, count=n
    )


def _floats_into(
    values: np.ndarray,
    pf: np.ndarray,
    number: np.ndarray,
    kind: np.ndarray,
    reason: np.ndarray,
    where: np.ndarray,
) -> None:
    """Fill rows ``where`` (integer positions) from float ``values`` (same length)."""
    blank = np.isnan(values)
    inf = np.isinf(values)
    ok = ~blank & ~inf
    scaled = np.where(pf & ok, _scale_percent(np.where(ok, values, 0.0)), values)
    too_big = pf & ok & ~np.isfinite(scaled)
    good = ok & ~too_big

    kind[where[blank]] = KIND_NO_DATA
    reason[where[blank]] = REASON_BLANK
    for sign_value in (np.inf, -np.inf):
        rows = where[values == sign_value]
        reason[rows] = f"not a number: {repr(str(sign_value))}"
    number[where[good]] = scaled[good]
    kind[where[good]] = KIND_NUMBER

    noted = np.flatnonzero(pf & ok)
    if len(noted):
        codes, uniques = pd.factorize(values[noted])
        uniq_scaled = _scale_percent(np.asarray(uniques, dtype=np.float64))
        notes = np.array(
            [
                _percent_note(v, s) if np.isfinite(s)
                else f"not a number: percentage cell {_fmt(v)} is too large"
                for v, s in zip(uniques.tolist(), uniq_scaled.tolist(), strict=True)
            ],
            dtype=object,
        )
        reason[where[noted]] = notes[codes]


def _texts_into(
    texts: np.ndarray,
    number: np.ndarray,
    kind: np.ndarray,
    reason: np.ndarray,
    where: np.ndarray,
) -> None:
    """Fill rows ``where`` from ``texts`` (object array of exact ``str``), vectorised."""
    codes, uniques = pd.factorize(texts)
    m = len(uniques)
    u_number = np.full(m, np.nan)
    u_kind = np.full(m, KIND_INVALID, dtype=object)
    u_reason = np.full(m, None, dtype=object)
    if m <= _FEW_TEXTS:
        # A column of numbers with a few words ("TBC", "n/a") among them: each distinct text
        # through the scalar path costs microseconds, the string methods below milliseconds.
        for i, text in enumerate(uniques):
            value = parse_value(text)  # never raises
            if value.number is not None:
                u_number[i] = value.number
            u_kind[i], u_reason[i] = value.kind, value.reason
        number[where] = u_number[codes]
        kind[where] = u_kind[codes]
        reason[where] = u_reason[codes]
        return
    u = pd.Series(np.asarray(uniques, dtype=object), dtype=object)

    norm = u.str.replace(_WS, " ", regex=True).str.strip()
    blank = (norm == "").to_numpy(dtype=bool)
    u_kind[blank] = KIND_NO_DATA
    u_reason[blank] = REASON_BLANK

    words = norm.str.lower().map(_NO_DATA)
    is_word = words.notna().to_numpy(dtype=bool) & ~blank
    u_kind[is_word] = KIND_NO_DATA
    u_reason[is_word] = words.to_numpy(dtype=object)[is_word]

    rest = np.flatnonzero(~blank & ~is_word)
    if len(rest):
        cand = norm.iloc[rest].reset_index(drop=True)
        found = cand.str.extract(_NUMBER_RE)
        cols = {
            name: pd.Series(np.where(found[name].isna(), "", found[name].to_numpy(dtype=object)),
                            dtype=object)
            for name in _GROUPS
        }
        matched = found["open"].notna() | found["money"].notna() | found["plain"].notna()
        matched = matched.to_numpy(dtype=bool)
        negative = (cols["sign"].isin(_NEGATIVE_SIGNS) | (cols["open"] == "(")).to_numpy(bool)
        digits = cols["money"].where(cols["money"] != "", cols["plain"])
        num_text = (
            pd.Series(np.where(negative, "-", ""), dtype=object)
            + digits.str.replace(",", "", regex=False)
            + cols["mult"].str.lower().map(_MULT_EXP)
        )
        values = np.full(len(cand), np.nan)
        if matched.any():
            values[matched] = num_text.to_numpy(dtype=object)[matched].astype(np.float64)
        finite = matched & np.isfinite(values)

        pos = rest[finite]
        u_number[pos] = values[finite]
        u_kind[pos] = KIND_NUMBER
        interpreted = finite & (
            (cols["foot"] != "") | (cols["mult"] != "") | (cols["open"] != "")
        ).to_numpy(bool)
        norms = cand.to_numpy(dtype=object)
        for j in np.flatnonzero(interpreted):  # leftover unique strings only
            groups = {name: cols[name].iat[j] for name in _GROUPS}
            u_reason[rest[j]] = _number_note(norms[j], groups, values[j])
        for j in np.flatnonzero(matched & ~finite):
            u_reason[rest[j]] = f"not a number: {_show(norms[j])} is too large"
        for j in np.flatnonzero(~matched):
            u_reason[rest[j]] = f"not a number: {_show(norms[j])}"

    number[where] = u_number[codes]
    kind[where] = u_kind[codes]
    reason[where] = u_reason[codes]


def parse_values(
    cells: pd.Series, percent_format: pd.Series | bool = False
) -> pd.DataFrame:
    """Vectorised :func:`parse_value`: one row per cell, same index. Never raises for a cell.

    Returns a DataFrame with columns ``number`` (float64, NaN where there is no number),
    ``kind`` (str) and ``reason`` (object, ``None`` where there is none).  ``percent_format``
    is one flag for all cells or a boolean Series aligned on the index of ``cells`` (missing
    flags count as false; a flag Series whose index differs and has duplicates is a
    programming error and raises ``ValueError``).

    >>> df = parse_values(pd.Series(["68.04%", "-", 0.5, "17*"], index=[5, 6, 7, 8]))
    >>> df["number"].tolist()
    [68.04, nan, 0.5, 17.0]
    >>> df["kind"].tolist()
    ['number', 'no data', 'number', 'number']
    >>> df.loc[8, "reason"]
    "footnote mark '*' removed"
    """
    if not isinstance(cells, pd.Series):
        cells = pd.Series(cells)
    index = cells.index
    n = len(cells)
    pf = _percent_mask(percent_format, cells)
    number = np.full(n, np.nan)
    kind = np.full(n, KIND_INVALID, dtype=object)
    reason = np.full(n, None, dtype=object)
    everything = np.arange(n)
    dtype = cells.dtype
    api = pd.api.types

    if api.is_bool_dtype(dtype):
        missing = cells.isna().to_numpy(dtype=bool)
        flags = cells.to_numpy(dtype=bool, na_value=False)
        kind[missing] = KIND_NO_DATA
        reason[missing] = REASON_BLANK
        for flag in (True, False):
            reason[(flags == flag) & ~missing] = f"not a number: {repr(str(flag))}"
    elif api.is_datetime64_any_dtype(dtype) or api.is_timedelta64_dtype(dtype):
        missing = cells.isna().to_numpy(dtype=bool)
        kind[missing] = KIND_NO_DATA
        reason[missing] = REASON_BLANK
        what = "a date" if api.is_datetime64_any_dtype(dtype) else "a duration"
        reason[~missing] = f"not a number: {what}"
    elif api.is_numeric_dtype(dtype) and not api.is_complex_dtype(dtype):
        with np.errstate(over="ignore", invalid="ignore"):
            values = cells.to_numpy(dtype=np.float64, na_value=np.nan)
        _floats_into(values, pf, number, kind, reason, everything)
    else:
        _objects_into(cells.to_numpy(dtype=object), pf, number, kind, reason)

    number += 0.0  # -0 is 0, as in parse_value
    return pd.DataFrame(
        {
            "number": pd.Series(number, index=index, dtype=np.float64),
            "kind": pd.Series(kind, index=index, dtype=str),
            "reason": pd.Series(reason, index=index, dtype=object),
        },
        index=index,
    )


def _objects_into(
    raw: np.ndarray,
    pf: np.ndarray,
    number: np.ndarray,
    kind: np.ndarray,
    reason: np.ndarray,
) -> None:
    """Mixed object values: text and plain numbers vectorised, the rest one by one."""
    types = pd.Series(raw, dtype=object).map(type)
    is_text = types.isin([str]).to_numpy(dtype=bool)
    is_fast = types.isin(_FAST_NUMBER_TYPES).to_numpy(dtype=bool)
    is_missing = types.isin(_MISSING_TYPES).to_numpy(dtype=bool)
    others = ~(is_text | is_fast | is_missing)

    kind[is_missing] = KIND_NO_DATA
    reason[is_missing] = REASON_BLANK

    if is_text.any():
        rows = np.flatnonzero(is_text)
        _texts_into(raw[rows], number, kind, reason, rows)

    if is_fast.any():
        rows = np.flatnonzero(is_fast)
        try:
            with np.errstate(over="ignore", invalid="ignore"):
                values = raw[rows].astype(np.float64)
        except (OverflowError, ValueError, TypeError):
            others |= is_fast  # e.g. a Python int beyond float range
        else:
            _floats_into(values, pf[rows], number, kind, reason, rows)

    for i in np.flatnonzero(others):  # leftovers: dates, bools, Decimals, lists ...
        number[i], kind[i], reason[i] = parse_value(raw[i], percent_format=bool(pf[i]))
        if number[i] is None:
            number[i] = np.nan


# ----------------------------------------------------------------------------- commentary
# What makes a spreadsheet run a text as a formula (OWASP, "CSV Injection"): =, +, -, @, a tab
# or a carriage return first, and the full-width forms Excel also accepts. The one list: the
# commentary cleaner leaves such text exactly as typed, the CSV export and the task pane put an
# apostrophe before it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_CRLF = re.compile(r"\r\n?")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_BR = re.compile(r"<[bB][rR]\s*/?\s*>")
_PARA = re.compile(r"</?[pP](?:\s[^<>]*)?/?>")
_BLOCK = re.compile(
    r"</?(?:[dD][iI][vV]|[lL][iI]|[uU][lL]|[oO][lL]|[tT][rR]|[tT][aA][bB][lL][eE]|[hH][1-6])"
    r"(?:\s[^<>]*)?/?>"
)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_SPACES = re.compile(r"[^\S\n]+")
_LINE_EDGES = re.compile(r" *\n *")
_BLANK_LINES = re.compile(r"\n{3,}")


def _unescape(match: re.Match[str]) -> str:
    return html.unescape(match.group(0))


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return bool(value != value)
    if isinstance(value, np.datetime64 | np.timedelta64):
        return bool(np.isnat(value))
    return False


def _clean_text(text: str) -> str | None:
    if text.strip() == "":
        return None
    if text.lstrip().startswith(FORMULA_STARTS):
        return text  # never evaluated, never altered
    out = _CRLF.sub("\n", text)
    out = _HTML_COMMENT.sub("", out)
    out = _BR.sub("\n", out)
    out = _PARA.sub("\n\n", out)
    out = _BLOCK.sub("\n", out)
    out = _TAG.sub("", out)
    out = _ENTITY.sub(_unescape, out)
    out = _SPACES.sub(" ", out)
    out = _LINE_EDGES.sub("\n", out)
    out = _BLANK_LINES.sub("\n\n", out).strip()
    return out or None


def clean_commentary(text: object) -> str | None:
    """Turn a commentary cell (possibly pasted HTML) into plain text, or None when blank.

    ``<p>`` paragraphs are separated by a blank line, ``<br>`` becomes a newline, other tags
    are removed, entities are unescaped (``&amp;`` -> ``&``, ``&nbsp;`` -> space), runs of
    spaces are collapsed and the result trimmed.  Text starting with ``=``, ``+``, ``-`` or
    ``@`` is returned exactly as it is.  Numbers become their ``str``.  Never raises.

    >>> clean_commentary("<p>Audits done.</p> <p>CIN &amp; CP cases&nbsp; reviewed.</p>")
    'Audits done.\\n\\nCIN & CP cases reviewed.'
    >>> clean_commentary("=HYPERLINK(\\"x\\")")
    '=HYPERLINK("x")'
    >>> clean_commentary("   ") is None
    True
    """
    try:
        if _is_missing(text):
            return None
        if isinstance(text, str):
            return _clean_text(str.__str__(text))
        return _clean_text(_safe_str(text))
    except Exception:  # noqa: BLE001 - never raise for a cell
        return None


def clean_commentaries(texts: pd.Series) -> pd.Series:
    """Vectorised :func:`clean_commentary`: same index, object dtype, None where blank.

    >>> clean_commentaries(pd.Series(["<p>a</p><p>b</p>", None], index=[3, 4])).tolist()
    ['a\\n\\nb', None]
    """
    if not isinstance(texts, pd.Series):
        texts = pd.Series(texts)
    raw = texts.to_numpy(dtype=object)
    out = np.full(len(raw), None, dtype=object)
    is_text = pd.Series(raw, dtype=object).map(type).isin([str]).to_numpy(dtype=bool)

    rows = np.flatnonzero(is_text)
    if len(rows):
        codes, uniques = pd.factorize(raw[rows])
        u = pd.Series(np.asarray(uniques, dtype=object), dtype=object)
        keep = u.str.lstrip().str.startswith(FORMULA_STARTS).to_numpy(dtype=bool)
        blank = (u.str.strip() == "").to_numpy(dtype=bool)
        cleaned = (
            u.str.replace(_CRLF, "\n", regex=True)
            .str.replace(_HTML_COMMENT, "", regex=True)
            .str.replace(_BR, "\n", regex=True)
            .str.replace(_PARA, "\n\n", regex=True)
            .str.replace(_BLOCK, "\n", regex=True)
            .str.replace(_TAG, "", regex=True)
            .str.replace(_ENTITY, _unescape, regex=True)
            .str.replace(_SPACES, " ", regex=True)
            .str.replace(_LINE_EDGES, "\n", regex=True)
            .str.replace(_BLANK_LINES, "\n\n", regex=True)
            .str.strip()
        ).to_numpy(dtype=object)
        result = np.where(keep, u.to_numpy(dtype=object), cleaned)
        result[(cleaned == "") & ~keep] = None
        result[blank] = None
        out[rows] = result[codes]

    for i in np.flatnonzero(~is_text):  # numbers, missing values, other objects
        out[i] = clean_commentary(raw[i])
    return pd.Series(out, index=texts.index, dtype=object)

