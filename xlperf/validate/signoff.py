"""Sign-off of a return: who completed it, who signed it off, and when (``FILE-024``).

Every template has three cells for it beside its title block
(:func:`xlperf.layout.signoff_cells`: ``Completed by``, ``Signed off by``, ``Date``). What a
return says there is read with its cells (:func:`read_signoff`, pure) and travels with its
report (``meta``: ``completed_by``, ``signed_off_by``, ``signed_off_on``) to the Returns sheet,
``xlperf returns`` and the ledger. When the master's ``Sign-off required`` setting is Yes, a
return that leaves any of them empty gets a ``FILE-024`` finding (an error by default: the
return is not accepted until someone signs it off; the master's Rules sheet may make it a
query).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from xlperf.validate.registry import made_by

__all__ = ["check_signoff", "read_signoff", "signoff_note", "signoff_required"]



def _value(grid: Sequence[Sequence[Any]], ref: str) -> Any:
    from xlperf.findings import parse_ref

    row, column = parse_ref(ref)
    if row > len(grid) or column > len(grid[row - 1]):
        return None
    value = grid[row - 1][column - 1]
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date()  # a date cell as calamine gives it
    return value


def read_signoff(grid: Sequence[Sequence[Any]], kind: str) -> dict[str, Any]:
    """What a return's sheet (its values, row 1 first) says in its sign-off cells: ``{key:
    value}`` for ``completed_by``, ``signed_off_by`` and ``signed_off_on`` (names as text, the
    date as a date when it is one; None for an empty cell).

    >>> grid = [[None] * 6 for _ in range(5)]
    >>> grid[2][5], grid[3][5] = " Pat Hill ", datetime(2014, 1, 10)
    >>> read_signoff(grid, "finance")
    {'completed_by': None, 'signed_off_by': 'Pat Hill', 'signed_off_on': datetime.date(2014, 1, 10)}
    """
    from xlperf.layout import RETURN_COLUMNS, signoff_cells

    if kind not in RETURN_COLUMNS:
        return {}
    out: dict[str, Any] = {}
    for key, (_label, value_at) in signoff_cells(kind).items():
        value = _value(grid, value_at)
        out[key] = value if isinstance(value, str | date) or value is None else str(value)
    return out


def signoff_required(settings: Any) -> bool:
    """Whether the master's ``Sign-off required`` setting is Yes (no master: no)."""
    return bool(getattr(settings, "signoff_required", False))


@made_by("FILE-024")
def check_signoff(files: Sequence[Any], master: Any) -> dict[int, dict[str, Any]]:
    """The sign-off of each return of a validator batch (``files``: the validator's files,
    as read), by file number, for its report's ``meta``; and, when ``master``'s ``Sign-off
    required`` setting is Yes, a ``FILE-024`` finding on each return that leaves a sign-off
    cell empty (at the first empty one). A return that could not be read, or was sent back
    blank (``FILE-021``), is not asked for one."""
    from xlperf.layout import RETURN_SIGNOFF, signoff_cells

    required = signoff_required(getattr(master, "settings", None))
    labels = dict(RETURN_SIGNOFF)
    out: dict[int, dict[str, Any]] = {}
    for f in files:
        read = getattr(f, "read", None)
        grid = (read.grids.get(f.sheet) if read is not None and f.sheet else None)
        if grid is None or f.kind not in ("performance", "finance", "capital"):
            continue
        said = read_signoff(grid, f.kind)
        out[f.number] = said
        if not required or f.stop or any(x.rule == "FILE-021" for x in f.findings):
            continue
        missing = [k for k, _label in RETURN_SIGNOFF if said.get(k) is None]
        if missing:
            cells = signoff_cells(f.kind)
            f.add("FILE-024", sheet=f.sheet, cell=cells[missing[0]][1],
                  expected=", ".join(f"{labels[k]} ({cells[k][1]})" for k in missing))
    return out


def signoff_note(meta: Any) -> str:
    """How the ledger records a return's sign-off (its file's note): ``"; signed off by Pat
    Hill on 2014-01-10 (completed by Jo Bloggs)"``; "" when the return names nobody.

    >>> signoff_note({"signed_off_by": "Pat Hill", "signed_off_on": date(2014, 1, 10),
    ...               "completed_by": "Jo Bloggs"})
    '; signed off by Pat Hill on 2014-01-10 (completed by Jo Bloggs)'
    """
    meta = meta or {}
    by, on, done = (meta.get(k) for k in ("signed_off_by", "signed_off_on", "completed_by"))
    text = f"; signed off by {by}" if by else ""
    if by and on:
        text += f" on {on.isoformat() if isinstance(on, date) else on}"
    if done:
        text += f" (completed by {done})" if by else f"; completed by {done}"
    return text
