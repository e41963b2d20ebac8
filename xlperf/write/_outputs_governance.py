"""The Governance sheet (:mod:`xlperf.write.outputs`): governance indicators by directorate
side by side, then internal audit assurance by directorate with its key printed
(:mod:`xlperf.core.governance` works out both)."""

from __future__ import annotations

from dataclasses import replace

from xlperf.core.governance import ASSURANCE_LEVELS, AUDIT_COUNTS, AUDIT_KEY, GovernanceBlock
from xlperf.write._outputs_base import (
    BOLD,
    HEADER,
    MISSING,
    NOTE,
    PRIORITY,
    SPEC,
    TOP,
    PrintOptions,
    _content,
    _head,
    status_style,
)
from xlperf.write.lossless import SheetContent
from xlperf.write.styles import CellStyle

_COUNT = CellStyle(number_format="0", vertical="top", horizontal="center")
# A count's header is centred like its counts, so each figure sits under its heading.
_COUNT_HEADER = replace(HEADER, horizontal="center")
_NO_MEASURE = "–"


def governance_sheet(block: GovernanceBlock, *, title: str = "Governance", summary: str = "",
                     options: PrintOptions | None = None) -> SheetContent:
    """One row per governance indicator and one column per directorate, each cell the
    latest figure, status (symbol and word on the scheme's colour) and period on three lines;
    then the audit counts per directorate (No, Limited, Reasonable, Substantial assurance and
    Due) and the key."""
    spec = SPEC["Governance"]
    table = block.table
    headers = ["Governance indicator", *table.directorates]
    rows, styles = _head(spec, title, summary or _summary(block), headers)
    width = max(len(headers), 1 + len(AUDIT_COUNTS))
    for indicator in table.indicators:
        line: list[object] = [indicator]
        line_styles: list[CellStyle | None] = [BOLD]
        for directorate in table.directorates:
            cell = table.cells.get((indicator, directorate))
            if cell is None:
                line.append(_NO_MEASURE)
                line_styles.append(MISSING)
                continue
            line.append("\n".join(p for p in (cell.shown, cell.status_text, cell.period) if p))
            line_styles.append(status_style(cell.colour, bold=False))
        rows.append(line)
        styles.append(line_styles)
    if not len(table):
        rows.append(["No measure names a governance indicator and a directorate (the Measures "
                     "sheet's Governance indicator and Directorate columns)."])
        styles.append([NOTE])
    audit = block.audit
    if len(audit):
        rows.append([])
        styles.append([])
        rows.append(["Internal audit assurance"])
        styles.append([PRIORITY] * width)
        rows.append(["Directorate", *(short for _l, short, _w in ASSURANCE_LEVELS), "Due",
                     "Period"])
        styles.append([HEADER, *([_COUNT_HEADER] * len(AUDIT_COUNTS)), HEADER])
        for record in audit.to_dict("records"):
            rows.append([record["directorate"], *(int(record[c]) for c in AUDIT_COUNTS),
                         record["period"]])
            styles.append([TOP, *([_COUNT] * len(AUDIT_COUNTS)), TOP])
        rows.append([AUDIT_KEY])
        styles.append([NOTE])
    widths = [34.0, *([18.0] * max(len(table.directorates), 1 + len(AUDIT_COUNTS)))]
    return _content(spec, rows, styles, widths=widths, options=options)


def _summary(block: GovernanceBlock) -> str:
    table = block.table
    parts = []
    if len(table):
        parts.append(f"{len(table.indicators)} governance indicators across "
                     f"{len(table.directorates)} directorates")
    if len(block.audit):
        parts.append(f"internal audit assurance for {len(block.audit)} directorates")
    return "; ".join(parts) + "." if parts else "No governance indicators or audit counts."


__all__ = ["governance_sheet"]
