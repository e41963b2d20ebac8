"""The committee report's governance block: governance indicators by directorate side by side
and internal audit assurance with its key (the same :class:`~xlperf.core.governance.
GovernanceBlock` as the refresh's Governance sheet)."""

from __future__ import annotations

from html import escape

from xlperf.core.governance import ASSURANCE_LEVELS, AUDIT_COUNTS, AUDIT_KEY, GovernanceBlock
from xlperf.report._html import SECTION_TITLES, _table, chip


def governance_section(block: GovernanceBlock | None) -> str:
    """The ``governance`` section: a table with a row per indicator and a column per
    directorate (each cell the latest figure, its status chip and period), then the audit
    counts per directorate with the key printed under them."""
    out = ['<section id="governance" class="page" aria-labelledby="governance-title">'
           f'<h2 id="governance-title">{SECTION_TITLES["governance"]}</h2>']
    if not block:
        out.append("<p>No governance indicators by directorate or internal audit counts in "
                   "the master workbook.</p></section>")
        return "".join(out)
    table = block.table
    if len(table):
        headers = [("Governance indicator", ""), *((escape(d), "") for d in table.directorates)]
        body = []
        for indicator in table.indicators:
            cells = []
            for directorate in table.directorates:
                cell = table.cells.get((indicator, directorate))
                if cell is None:
                    cells.append('<td><span class="reason">No measure</span></td>')
                    continue
                status = (chip(cell.status, cell.symbol or "?", cell.colour or "")
                          if cell.status else "")
                cells.append(f'<td><span class="value">{escape(cell.shown)}</span> {status}'
                             f'<br><span class="reason">{escape(cell.period)}</span></td>')
            body.append(f'<tr><th scope="row">{escape(indicator)}</th>{"".join(cells)}</tr>')
        share = 70 / max(len(table.directorates), 1)
        out.append("<h3>Governance indicators by directorate</h3>")
        out.append(_table("Each directorate's latest result against its target, its status and "
                          "the period it is for", headers, body,
                          widths=(30, *([share] * len(table.directorates)))))
    audit = block.audit
    if len(audit):
        headers = [("Directorate", ""),
                   *((f'<abbr title="{escape(words)}">{escape(short)}</abbr>', "num")
                     for _l, short, words in ASSURANCE_LEVELS), ("Due", "num"), ("Period", "")]
        body = [f'<tr><th scope="row">{escape(str(r["directorate"]))}</th>'
                + "".join(f'<td class="num">{int(r[c])}</td>' for c in AUDIT_COUNTS)
                + f'<td>{escape(str(r["period"]))}</td></tr>'
                for r in audit.to_dict("records")]
        out.append("<h3>Internal audit assurance</h3>")
        out.append(_table("Internal audits by level of assurance given, and audits still due",
                          headers, body, widths=(34, 11, 11, 11, 11, 9, 13)))
        out.append(f'<p class="key">{escape(AUDIT_KEY)}</p>')
    out.append("</section>")
    return "".join(out)


__all__ = ["governance_section"]
