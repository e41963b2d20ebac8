"""The committee report's style sheet: inline in the HTML (nothing fetched), A4 landscape
print rules with "Page x of y", and the status chips' colours (docs/report.md)."""

CSS = """
@page { size: A4 landscape; margin: 14mm 12mm 16mm 12mm;
  @top-left { font: 9pt "Liberation Sans", Arial, sans-serif; color: #505A5F; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages);
    font: 9pt "Liberation Sans", Arial, sans-serif; color: #0B0C0C; } }
html { font-family: "Liberation Sans", Arial, Helvetica, sans-serif; font-size: 11pt;
  color: #0B0C0C; background: #FFFFFF; line-height: 1.35; }
body { margin: 0 auto; max-width: 1180px; padding: 0 8px; }
h1 { font-size: 24pt; margin: 0 0 6pt; }
h2 { font-size: 17pt; margin: 14pt 0 6pt; break-after: avoid; }
h3 { font-size: 13pt; margin: 12pt 0 4pt; break-after: avoid; }
h4 { font-size: 11pt; margin: 8pt 0 3pt; break-after: avoid; }
section.page { break-before: page; }
section.page:first-of-type { break-before: auto; }
.cover { padding-top: 30mm; }
.cover .council { font-size: 16pt; font-weight: bold; margin: 0; }
.cover .period { font-size: 15pt; margin: 4pt 0; }
.lead { max-width: 60em; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0 10pt; font-size: 9.5pt; }
caption { text-align: left; font-weight: bold; font-size: 10.5pt; padding: 2pt 0;
  break-after: avoid; }
th, td { border: 1px solid #B1B4B6; padding: 3pt 5pt; vertical-align: top; text-align: left; }
thead th { background: #F3F2F1; overflow-wrap: anywhere; }  /* a long word never overlaps */
table.summary thead th { font-size: 8.5pt; padding: 3pt 3pt; }
.priority { break-inside: avoid; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
/* No page ends with a table's head and no row under it, and no page starts with a table's
   last row (a total) on its own. */
thead { break-after: avoid; }
tbody > tr:first-child, tbody > tr:last-child, tr.total { break-before: avoid; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
th.num { text-align: right; }
th[scope=row] { font-weight: normal; }
tr.total th, tr.total td { font-weight: bold; border-top: 2px solid #0B0C0C; }
.code { font-weight: bold; white-space: nowrap; }
.status { display: inline-block; padding: 1pt 5pt; border-radius: 2pt; font-weight: bold;
  white-space: nowrap; }
/* In a table cell a long status ("Special cause of improvement") wraps inside its chip
   rather than run over the next column. */
td .status { white-space: normal; max-width: 100%; box-sizing: border-box; }
.reason { font-style: italic; color: #505A5F; }
.note { font-size: 9pt; }
.override { font-weight: bold; white-space: nowrap; }
.objective { break-inside: auto; }
.objective-head { break-after: avoid; }
.card { break-inside: avoid; page-break-inside: avoid; border: 1px solid #B1B4B6;
  border-left: 6pt solid #505A5F; padding: 3pt 8pt 6pt; margin: 0 0 8pt; line-height: 1.25; }
table.fixed { table-layout: fixed; }
td.note, th[scope=row] { overflow-wrap: anywhere; }
.card h3 { margin: 2pt 0 3pt; font-size: 12pt; }
.card blockquote { margin: 2pt 0 0; padding: 1pt 6pt; }
/* Facts and words on the left, then the two charts side by side, each over its numbers or
   words: a card is under half an A4 landscape page, so two share one (a grid: the columns
   side by side whatever their heights). */
.card-body { display: grid; grid-template-columns: 40% 1fr 1fr; column-gap: 8pt; }
table.facts { font-size: 8.5pt; margin: 0; }
table.facts th, table.facts td { padding: 1pt 3pt; border-color: #D8DADC; }
table.facts th { font-weight: bold; background: #F3F2F1; white-space: nowrap; }
table.facts caption { font-size: 10pt; padding: 0 0 2pt; }
table.year { font-size: 8.5pt; margin: 3pt 0 0; width: auto; }
table.year th, table.year td { padding: 1pt 3pt; }
table.year .status { padding: 0 2pt; }
table.year caption { font-size: 9pt; white-space: nowrap; }
.card p { margin: 2pt 0; font-size: 9pt; }
blockquote { margin: 4pt 0 0; padding: 3pt 8pt; border-left: 3pt solid #B1B4B6;
  font-size: 9.5pt; }
.headline { font-size: 13pt; font-weight: bold; }
.key td, .key th { font-size: 9.5pt; }
.spark { vertical-align: middle; }
table.trend { font-size: 8pt; }
table.trend th, table.trend td { padding: 2pt 3pt; }
table.trend thead th { font-size: 7.5pt; padding: 2pt 2pt; }  /* "Baseline", "2012/13" whole */
table.trend .status { padding: 0 3pt; }
table.trend td.num { white-space: normal; }  /* "71.3" over "per 10k" (_html._wrapping) */
.unit { white-space: nowrap; }
.chart text { font-family: "Liberation Sans", Arial, sans-serif; }
a { color: #1D70B8; }
@media print { a { color: #0B0C0C; text-decoration: none; } }
/* A narrow screen (a phone): the columns fixed for A4 landscape would squeeze words into
   letter groups and run chips and numbers together, so a wide table is laid out by its
   words and scrolls sideways inside its own box (not the page), a card's three columns stack
   and its charts scale to the width. The screen only: the print is unchanged. */
@media screen and (max-width: 60em) {
  body { padding: 0 6px; }
  .wide { overflow-x: auto; max-width: 100%; }
  table.fixed { table-layout: auto; }
  table.fixed col { width: auto !important; }
  thead th, td.note, th[scope=row] { overflow-wrap: normal; }
  td .status { white-space: nowrap; }
  th.period { white-space: nowrap; }  /* "May-13" whole */
  .card-body { display: block; }
  .card-body > div { margin: 0 0 6pt; }
  table.facts th { white-space: normal; }
  svg.chart { max-width: 100%; height: auto; }
}
"""
