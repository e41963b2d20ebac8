"""The committee report as one self-contained, accessible HTML document.

Inline CSS and inline SVG only (no scripts, fonts or images fetched), print rules for A4
landscape with page numbers, and the shapes of the councils' own packs: the Doncaster corporate
plan report's objective summaries and measure tables, a measure card per exception, the
Doncaster Children's Services Trust's trend scorecard and finance page.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable, Sequence
from html import escape
from typing import TYPE_CHECKING, Any

import numpy as np

from xlperf.core.budget import is_total_line
from xlperf.core.direction import TREND_PERIODS
from xlperf.core.figures import (
    POINTS_MEANING,
    difference_affixes,
    figure_decimals,
    finite_number,
    format_number,
    measure_decimals,
    unit_affixes,
    with_unit,
)
from xlperf.core.monitoring import capital_total, history_columns
from xlperf.core.periods import Period, parse_period
from xlperf.core.rollup import (
    AT_RISK,
    OFF_TRACK,
    ON_TRACK,
    objective_directions,
    rollup,
    status_severities,
)
from xlperf.core.schemes import AMBER, BUILTIN_SCHEMES, GREEN, RED, SPECIAL_STATUSES
from xlperf.core.status import RELATIVE
from xlperf.errors import InputError
from xlperf.findings import StatusSeverity
from xlperf.report._colours import INK, safe_colour, text_on
from xlperf.report._css import CSS
from xlperf.report._data import SECTIONS, ReportData, exceptions
from xlperf.report._spc import SpcCharts, spc_chips, spc_facts
from xlperf.report._svg import fmt, measure_chart, sparkline

if TYPE_CHECKING:
    import pandas as pd

SECTION_TITLES = {
    "cover": "Cover",
    "summary": "Summary of objectives by priority",
    "objectives": "Measures by objective",
    "exceptions": "Exceptions: measure cards",
    "trend": "Trend scorecard",
    "finance": "Finance",
    "governance": "Governance and internal audit",
}
JUDGEMENT_LOOK = {ON_TRACK: ("✔", GREEN), AT_RISK: ("!", AMBER), OFF_TRACK: ("✖", RED)}
FREQUENCY_NAMES = {"month": "Monthly measures", "quarter": "Quarterly measures",
                   "year": "Annual measures"}
# A card's two charts side by side, beside its facts: two cards to an A4 landscape page
# (_css.CSS: .card-body).
CARD_CHART_WIDTH = 282
YEAR_TABLE_PERIODS = 4  # a card's table of this year's periods: the latest four
FREQUENCY_WORDS = {"month": "Monthly", "quarter": "Quarterly", "year": "Annual"}
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def _css_string(text: str) -> str:
    """Text as a quoted CSS string that cannot end the string or the style element."""
    out = []
    for ch in text:
        if ch in '"\\<>&' or ord(ch) < 32:
            out.append(f"\\{ord(ch):X} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _date(day: Any) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _text(value: Any, empty: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return empty
    text = str(value).strip()
    return empty if text in ("", "nan", "None") else text


_num = finite_number  # the one rule for a printable figure (xlperf.core.figures)


def _texts(values: Iterable[Any], empty: str = "") -> list[str]:
    """:func:`_text` of each value, worked out once per distinct text (a history repeats a
    few periods and statuses thousands of times)."""
    said: dict[str, str] = {}
    out = []
    for value in values:
        if type(value) is str:
            text = said.get(value)
            if text is None:
                text = said[value] = _text(value, empty)
        else:
            text = _text(value, empty)
        out.append(text)
    return out


def _numbers(column: pd.Series, order: np.ndarray) -> list[float | None]:
    """:func:`_num` of each value of ``column`` taken in ``order``: a float column at once
    (None where a value is not finite), any other value by value."""
    if column.dtype == np.float64:
        array = column.to_numpy(dtype=float)[order]
        out = array.astype(object)
        out[~np.isfinite(array)] = None
        return out.tolist()
    return [_num(v) for v in column.to_numpy(dtype=object)[order]]


@functools.lru_cache(maxsize=8192)  # a card's code: its link, its heading and its list row
def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


# a card's border: a few status colours, checked once each
_safe_colour = functools.lru_cache(maxsize=256)(safe_colour)


@functools.lru_cache(maxsize=4096)  # a pack repeats a few statuses thousands of times
def chip(word: str, symbol: str, colour: str) -> str:
    """A status as symbol and word on its colour (text colour chosen for contrast)."""
    background = safe_colour(colour)
    return (f'<span class="status" style="background:{background};color:{text_on(background)}">'
            f'<span aria-hidden="true">{escape(symbol)}</span> {escape(word)}</span>')


def _status_chip(row: Any) -> str:
    return chip(_text(row.status, "No data"), _text(row.symbol, "?"), _text(row.colour))


def _judgement_chip(judgement: str) -> str:
    symbol, colour = JUDGEMENT_LOOK.get(judgement, ("–", "#505A5F"))
    return chip(judgement, symbol, colour)


def _value_cell(value: Any, unit: str, reason: Any, places: int) -> str:
    number = _num(value)
    if number is None:
        why = _text(reason)
        return f'<td class="num"><span class="reason">{escape(why)}</span></td>'
    return f'<td class="num">{fmt(number, unit, places=places)}</td>'


def _target_text(value: Any, unit: str, places: int, none: str = "Not set") -> str:
    number = _num(value)
    if number is None:
        return f'<span class="reason">{none}</span>'
    return fmt(number, unit, places=places)


def _wrapping(text: str) -> str:
    """A figure for a narrow column: its unit's words (``per 10k``, ``days``) may go under its
    digits, never apart from each other (``71.3`` over ``per 10k``)."""
    if text.startswith("<"):  # no figure: the reason's markup as it is
        return text
    digits, space, words = text.partition(" ")
    return f'{digits} <span class="unit">{words}</span>' if space else text


def _table(caption: str, headers: Sequence[tuple[str, str]], rows: Sequence[str],
           cls: str = "", widths: Sequence[float] | None = None) -> str:
    """A table with a caption and a header row of ``<th scope="col">`` (header, css class);
    ``widths`` (% of the table, one per column) fix the layout so every page lines up."""
    head = "".join(f'<th scope="col"{f" class={chr(34)}{c}{chr(34)}" if c else ""}>{h}</th>'
                   for h, c in headers)
    classes = " ".join(c for c in (cls, "fixed" if widths else "") if c)
    klass = f' class="{classes}"' if classes else ""
    cols = ("<colgroup>" + "".join(f'<col style="width:{w:g}%">' for w in widths)
            + "</colgroup>") if widths else ""
    # In a box of its own: on a narrow screen a wide table scrolls sideways inside it, not
    # the page (_css.CSS, @media screen); in print the box is nothing.
    return (f'<div class="wide"><table{klass}><caption>{caption}</caption>{cols}<thead><tr>'
            f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")


class _Context:
    """What several sections share, computed once."""

    def __init__(self, data: ReportData):
        self.data = data
        scored = data.scored.reset_index(drop=True)
        # Categorical (status, symbol, colour) and text columns as plain objects: every row is
        # read one by one below, and an extension array's item access cost more than the
        # rendering.
        self.typed = scored  # as scored, for the roll-ups (grouping typed columns is faster)
        extension = [c for c in scored.columns if not isinstance(scored[c].dtype, np.dtype)]
        self.scored = scored.astype({c: object for c in extension}) if extension else scored
        self.exceptions = exceptions(self.scored, data.cards, data.register)
        # Each measure's row as a tuple, made once: the sections take theirs by position (one
        # itertuples per section or group reads every column again).
        self.records = list(self.scored.itertuples())
        self._rollups: dict[tuple[str, ...], pd.DataFrame] = {}
        history = data.history
        if "period_key" in history.columns:
            keys = history["period_key"].astype(str).to_numpy(dtype=object)
        else:
            found = {p: parse_period(p).format("iso") for p in history["period"].unique()}
            keys = history["period"].map(found).to_numpy(dtype=object)
        codes = history["code"].astype(str).str.strip().to_numpy(dtype=object)
        # The history as plain arrays sorted by measure then period, and each measure's slice
        # of them: a card or a trend row takes its periods without a pandas lookup.
        order = np.lexsort((keys.astype(str), codes.astype(str)))
        self.h_code = codes[order]
        self.h_key = keys[order]
        self.h_period = np.array(_texts(history["period"].to_numpy(dtype=object)),
                                 dtype=object)[order]
        self.h_actual = _numbers(history["actual"], order)
        self.h_target = _numbers(history["target"], order)
        blank = np.full(len(history), "", dtype=object)
        self.h_status = _texts(history["status"].to_numpy(dtype=object)[order], "No data")
        self.h_symbol = _texts((history["symbol"].to_numpy(dtype=object)
                                if "symbol" in history.columns else blank)[order], "?")
        self.h_colour = _texts((history["colour"].to_numpy(dtype=object)
                                if "colour" in history.columns else blank)[order])
        years = {p: parse_period(p).financial_year for p in set(self.h_period) if p}
        self.h_year = [years.get(p) for p in self.h_period]
        self.statuses = set(self.h_status) if len(history) else set()
        starts = np.flatnonzero(np.r_[True, self.h_code[1:] != self.h_code[:-1]]) \
            if len(history) else np.array([], dtype=int)
        stops = np.r_[starts[1:], len(history)] if len(history) else starts
        self.slices: dict[str, tuple[int, int]] = {
            str(self.h_code[a]): (int(a), int(b)) for a, b in zip(starts, stops, strict=True)}
        register = data.register
        self.tolerance: dict[str, tuple[float, str]] = {}
        if register is not None and len(register):
            for code, tol, kind in zip(register["code"], register["tolerance"],
                                       register["tolerance_type"], strict=True):
                self.tolerance[str(code)] = (float(tol), str(kind))
        # each card's XmR chart (docs/spc.md)
        self.spc = SpcCharts(data.charts, self.exceptions["code"].astype(str))

    def rows(self, positions: Any) -> list[Any]:
        """The :attr:`records` of the measures at these positions of :attr:`scored`."""
        return [self.records[i] for i in positions]

    def rollup(self, *keys: str) -> pd.DataFrame:
        """:func:`~xlperf.core.rollup.rollup` of the measures by ``keys``, worked out once."""
        if keys not in self._rollups:
            block = self.data.objective_activity  # the milestones in it, if the council says
            self._rollups[keys] = (block.rollup if block else rollup)(
                self.typed, list(keys) if len(keys) > 1 else keys[0])
        return self._rollups[keys]

    def directions(self, *keys: str) -> pd.Series:
        """Direction of travel of each group of :meth:`rollup` against the last period, from
        the statuses the history holds for it (:func:`~xlperf.core.rollup.objective_direction`:
        the share of rated measures on target now against then)."""
        import pandas as pd

        from xlperf.core.score import due_period

        now = self.rollup(*keys)
        # Each measure's due period at the last reporting point (a monthly measure's Jun-13
        # in a quarterly Q2 report), as the refresh scores the last period for the sheet.
        previous = self.data.period.previous()
        frequencies = self.typed[["code", "frequency"]].drop_duplicates("code")
        due = {f: due_period(previous, f).format("iso")
               for f in dict.fromkeys(frequencies["frequency"]) if f}
        wanted = {str(c): due.get(f) for c, f in zip(frequencies["code"],
                                                      frequencies["frequency"], strict=True)}
        pick = np.array([wanted.get(str(c)) == k for c, k in zip(self.h_code, self.h_key,
                                                                 strict=True)], dtype=bool)
        last = pd.DataFrame({"code": self.h_code[pick],
                             "status": np.asarray(self.h_status, dtype=object)[pick]})
        groups = self.typed[["code", *keys]].astype(object).drop_duplicates("code")
        last = last.merge(groups, on="code", how="inner")
        last["severity"], last["rated"], _present = status_severities(last["status"])
        before = rollup(last, list(keys)) if len(last) else last.iloc[0:0]
        return objective_directions(now, before, list(keys))

    def band(self, code: str, target: float | None) -> tuple[float, float] | None:
        if target is None or code not in self.tolerance:
            return None
        tol, kind = self.tolerance[code]
        width = abs(target) * tol / 100 if kind == RELATIVE else tol
        return (target - width, target + width)

    def band_text(self, code: str, unit: str) -> str:
        if code not in self.tolerance:
            return ""
        tol, kind = self.tolerance[code]
        if kind == RELATIVE:
            return f"target ± {format(tol, 'g')}% of target"
        # a distance from the target: a percentage's in points, as the rule's sentence says it
        return f"target ± {with_unit(format_number(tol), unit, difference=True)}"

    def places(self, r: Any, *more: float | None) -> int:
        """The decimals of measure ``r``'s figures: its Scorecard row's
        (:func:`~xlperf.core.figures.measure_decimals`), or with ``more`` shown beside them
        (a year's table, a chart) those of all of them."""
        unit = _text(r.unit)
        if more:
            return figure_decimals(unit, (_num(r.actual), _num(r.target),
                                          _num(r.annual_target), *more))
        return measure_decimals(unit, _num(r.actual), _num(r.target), _num(r.annual_target))


def _cover(ctx: _Context) -> str:
    data = ctx.data
    start, end = data.period.start, data.period.end
    contents = "".join(f'<li><a href="#{s}">{SECTION_TITLES[s]}</a>'
                       + (_why_cards(ctx) if s == "exceptions" else "") + "</li>"
                       for s in data.sections if s != "cover")
    scored = ctx.scored
    rated = int(scored["rated"].sum())
    beyond = int((scored["rated"].astype(bool)
                  & (scored["severity"] == StatusSeverity.BEYOND_TOLERANCE)).sum())
    glance = (f"<p>{len(scored)} measures, {rated} rated against a target; {beyond} beyond "
              f"tolerance; {len(ctx.exceptions)} with a measure card.</p>")
    return (f'<section id="cover" class="page cover" aria-labelledby="cover-title">'
            f'<p class="council">{escape(data.council)}</p>'
            f'<h1 id="cover-title">{escape(data.title)}: {escape(data.directorate)}</h1>'
            f'<p class="period">{escape(data.period.format())} '
            f'({_date(start)} to {_date(end)})</p>'
            f"<p>Generated on: {_date(data.generated)}</p>{glance}"
            f"<h2>Contents</h2><ol>{contents}</ol>{_key(ctx)}</section>")


def _why_cards(ctx: _Context) -> str:
    """Under the contents' measure cards: how many cards, for which reasons, by which policy."""
    counts: dict[str, int] = {}
    also = 0  # beyond tolerance and worsening too
    for why in ctx.exceptions["why"] if len(ctx.exceptions) else ():
        reasons = str(why).split("; ")
        first = "reported status differs" if reasons[0].startswith("reported ") else reasons[0]
        counts[first] = counts.get(first, 0) + 1
        also += first == "beyond tolerance" and "worsening" in reasons[1:]
    words = [f"{n} {w}" + (f" ({also} of them also worsening)" if w == "beyond tolerance"
                           and also else "") for w, n in counts.items()]
    listed = ", ".join(words)
    return (f"<p class=\"note\">{len(ctx.exceptions)} cards"
            f"{': ' + escape(listed) if listed else ''}. {escape(ctx.data.cards.describe())}</p>")


def _key(ctx: _Context) -> str:
    """The key to every status the report uses: symbol, word, colour and meaning."""
    used = set(ctx.scored["status"].astype(str)) | ctx.statuses
    schemes = {**BUILTIN_SCHEMES, **(ctx.data.schemes or {})}
    rows, seen = [], set()
    for scheme in schemes.values():
        for index, band in enumerate(scheme.bands):
            if band.label in used and band.label not in seen:
                seen.add(band.label)
                rows.append(f'<tr><td>{chip(band.label, band.symbol, band.colour)}</td>'
                            f"<td>{escape(scheme.name)} scheme: "
                            f"{escape(scheme.meaning(index))}</td></tr>")
    meanings = {"Data only": "reported for information, never rated",
                "No data": "no value for the period (the reason is shown)",
                "No target": "no target set for the period"}
    for special in SPECIAL_STATUSES:
        if special.label in used:
            rows.append(f"<tr><td>{chip(special.label, special.symbol, special.colour)}</td>"
                        f"<td>{meanings[special.label]}</td></tr>")
    for word in (ON_TRACK, AT_RISK, OFF_TRACK):
        rows.append(f"<tr><td>{_judgement_chip(word)}</td><td>objective judgement</td></tr>")
    if ctx.data.judgements is not None:
        from xlperf.report._blocks_overrides import KEY_ROW

        rows.append(KEY_ROW)
    if any(unit_affixes(_text(u))[1] == "%" for u in ctx.scored["unit"].unique()):
        # said once: a difference of two percentages (a variance, a tolerance) is in points
        rows.append(f"<tr><td>{difference_affixes('%')[1].strip()}</td><td>{POINTS_MEANING}"
                    " (a variance of -2.2 pts (-3.8%) is 2.2 percentage points below the "
                    "target, 3.8% of it)</td></tr>")
    rows.append("<tr><td>Improving ↑ · Worsening ↓ · No change ↔</td><td>direction of travel "
                "against the previous period (or the same period last year), following the "
                "polarity</td></tr>")
    return "<h2>Key</h2>" + _table("Status symbols, words and colours",
                                   [("Status", ""), ("Meaning", "")], rows, "key",
                                   widths=(28, 72))


def _summary(ctx: _Context) -> str:
    from xlperf.report import _blocks_overrides as director

    judged = ctx.data.judgements  # the director's, beside the computed (core.overrides)
    objectives = director.with_director(ctx.rollup("priority", "objective"), judged)
    priorities = ctx.rollup("priority").set_index("priority")
    out = [f'<section id="summary" class="page" aria-labelledby="summary-title">'
           f'<h2 id="summary-title">{SECTION_TITLES["summary"]}</h2>'
           '<p class="lead">Each objective is judged from its rated measures: Off Track when '
           "three quarters or more are beyond tolerance, At Risk when any is beyond tolerance "
           "or half or more are worse than target within tolerance, otherwise On Track. "
           "Its direction of travel compares its share of rated measures on or better than "
           "target with the last period's: higher is Improving, lower Worsening."
           f"{director.LEAD if judged is not None else ''}</p>"]
    headers = [("Objective", ""), ("Summary", ""), ("Direction of travel", ""),
               ("Measures", "num"), ("Rated", "num"),
               ("On or better than target", "num"), ("Worse, within tolerance", "num"),
               ("Beyond tolerance", "num"), ("Not rated", "num"),
               *(director.DIRECTOR_HEADERS if judged is not None else ())]
    # milestones by progress and risks by rating beside each objective (_blocks_activity)
    from xlperf.report import _blocks_activity as act

    block = ctx.data.objective_activity
    extra = act.summary_headers(block)
    headers += extra
    counts = block.counts(list(objectives["objective"])) if extra and block else None
    widths: tuple[float, ...] = ((30, 12, 10, 7, 7, 9, 9, 9, 7) if not extra else
                                 (20, 10, 9, 7, 6, 7, 7, 7, 5, *([22 / len(extra)] * len(extra))))
    if judged is not None:  # the director's two columns (core.overrides) before the counts
        # the extra columns' share of 14 %, Milestones the wider ("Milestones" in one line)
        shares = [{"Milestones": 8.0}.get(h, 6.0) for h, _ in extra]
        widths = (director.DIRECTOR_WIDTHS if not extra else
                  (13, 10, 8, 6.5, 5.5, 6, 6.5, 6, 5, 9, 10.5,
                   *(14 * w / sum(shares) for w in shares)))
    objectives = objectives.assign(direction=ctx.directions("priority", "objective"))
    for priority, rows in objectives.groupby("priority", sort=False):
        judgement = priorities.loc[priority, "judgement"]
        body = []
        for r in rows.itertuples():
            body.append(f'<tr><th scope="row">{escape(str(r.objective))}</th>'
                        f"<td>{_judgement_chip(str(r.judgement))}</td>"
                        f"<td>{escape(str(r.direction))}</td>"
                        f'<td class="num">{r.measures}</td><td class="num">{r.rated}</td>'
                        f'<td class="num">{r.met}</td><td class="num">{r.near}</td>'
                        f'<td class="num">{r.missed}</td>'
                        f'<td class="num">{r.measures - r.rated}</td>'
                        + (director.director_cells(r, _judgement_chip) if judged is not None
                           else "")
                        + f"{act.summary_cells(block, counts, str(r.objective))}</tr>")
        # A priority's heading and table kept together: never a heading and a table head
        # at the foot of a page with the rows on the next.
        out.append(f'<div class="priority"><h3>{escape(str(priority))}</h3>'
                   + _table(f"{escape(str(priority))}: {_judgement_chip(str(judgement))}",
                            headers, body, "summary", widths=widths) + "</div>")
    out.append(act.summary_key(block))
    out.append("</section>")
    return "".join(out)


def _objectives(ctx: _Context) -> str:
    scored = ctx.scored
    judgements = ctx.rollup("priority", "objective").set_index(
        ["priority", "objective"])["judgement"]
    out = [f'<section id="objectives" class="page" aria-labelledby="objectives-title">'
           f'<h2 id="objectives-title">{SECTION_TITLES["objectives"]}</h2>']
    headers = [("Performance measure", ""), ("Traffic light", ""), ("Current value", "num"),
               ("Current target", "num"), ("Annual target", "num"), ("Last update", ""),
               ("Latest note", "")]
    keys = scored[["priority", "objective"]].astype(object).where(
        scored[["priority", "objective"]].notna(), "")
    last_priority = None
    for (priority, objective), rows in scored.groupby([keys["priority"], keys["objective"]],
                                                      sort=False):
        if priority != last_priority:
            out.append(f"<h3>{escape(str(priority) or 'No priority')}</h3>")
            last_priority = priority
        judgement = judgements.get((priority, objective), ON_TRACK)
        body = []
        for r in ctx.rows(rows.index):
            unit, places = _text(r.unit), ctx.places(r)
            contract = ' <abbr title="contract measure">©</abbr>' if bool(r.contract) else ""
            body.append(
                f'<tr data-code="{escape(str(r.code))}"><th scope="row">'
                f'<span class="code">{escape(str(r.code))}</span> {escape(_text(r.title))}'
                f"{contract}</th><td>{_status_chip(r)}</td>"
                f"{_value_cell(r.actual, unit, r.actual_reason, places)}"
                f'<td class="num">{_target_text(r.target, unit, places, "")}</td>'
                f'<td class="num">{_target_text(r.annual_target, unit, places)}</td>'
                f"<td>{escape(_text(r.period))}</td>"
                f'<td class="note">{escape(_text(r.commentary))}</td></tr>')
        title = escape(str(objective) or "No objective")
        from xlperf.report._blocks_activity import objective_tables

        out.append(f'<div class="objective" id="obj-{_slug(str(objective))}">'
                   + _table(f"Summary objective: {title} &#8212; {_judgement_chip(judgement)}",
                            headers, body, widths=(28, 11, 8, 8, 8, 8, 29))
                   + objective_tables(ctx.data.objective_activity, str(objective)) + "</div>")
    out.append("</section>")
    return "".join(out)


def _card(ctx: _Context, r: Any) -> str:
    code, unit = str(r.code), _text(r.unit)
    a, b = ctx.slices.get(code, (0, 0))
    labels = list(ctx.h_period[a:b])
    actuals, targets = ctx.h_actual[a:b], ctx.h_target[a:b]
    band_text = ctx.band_text(code, unit)
    places = ctx.places(r)
    chart = measure_chart(labels, actuals, targets, label=f"{code} {_text(r.title)}", unit=unit,
                          band=[ctx.band(code, t) for t in targets],
                          band_text=band_text, width=CARD_CHART_WIDTH, height=160,
                          places=ctx.places(r, *actuals, *targets))
    xmr = ctx.spc.chart(r, unit, width=CARD_CHART_WIDTH)
    # This financial year's periods, as a table (the chart's numbers, readable in print).
    due = parse_period(_text(r.period)) if _text(r.period) else None
    at = list(range(a, b))
    if due is not None:
        year_of_due = due.financial_year
        at = [i for i in at if ctx.h_year[i] == year_of_due]
    shown = at[-YEAR_TABLE_PERIODS:]  # the latest: the table fits under its chart
    head = [("", "")] + [(escape(ctx.h_period[i]), "num period") for i in shown]
    year_places = ctx.places(r, *(ctx.h_actual[i] for i in shown),
                             *(ctx.h_target[i] for i in shown))
    body = [
        '<tr><th scope="row">Actual</th>' + "".join(
            f'<td class="num">{fmt(ctx.h_actual[i], unit, places=year_places)}</td>'
            for i in shown) + "</tr>",
        '<tr><th scope="row">Target</th>' + "".join(
            f'<td class="num">{fmt(ctx.h_target[i], unit, places=year_places)}</td>'
            for i in shown) + "</tr>",
        '<tr><th scope="row">Status</th>' + "".join(
            f"<td>{chip(ctx.h_status[i], ctx.h_symbol[i], ctx.h_colour[i])}</td>"
            for i in shown) + "</tr>",
    ]
    year = escape(due.financial_year if due is not None else "")
    caption = (f"Actual against target, {year}" if len(shown) == len(at) else
               f"Actual against target, the latest {len(shown)} periods of {year}")
    table = _table(caption, head, body, "year") if at else ""
    why = [_text(r.why)] if _text(r.why) else []
    variance = _num(r.variance)
    pct = _num(r.variance_pct)
    # As the Scorecard's Variance and Variance % cells show them: the difference in the
    # measure's unit (a percentage's in points), then the relative change in %.
    variance_text = (fmt(variance, unit, places=places, difference=True, signed=True)
                     + (f" ({fmt(pct, '%', places=1, signed=True)})" if pct is not None
                        else f" ({_text(r.variance_note)})")
                     if variance is not None else _text(r.variance_note, "–"))
    facts = [("Owner", escape(_text(r.owner, "–"))), ("Service", escape(_text(r.service, "–"))),
             ("Polarity", escape(_text(r.polarity, "–"))), ("Unit", escape(unit or "number")),
             ("Frequency", escape(FREQUENCY_WORDS.get(_text(r.frequency),
                                                      _text(r.frequency, "–")))),
             ("Tolerance", escape(band_text or "–")),
             ("Actual", fmt(_num(r.actual), unit, places=places)),
             ("Target", fmt(_num(r.target), unit, places=places)),
             ("Annual target", _target_text(r.annual_target, unit, places)),
             ("Variance", escape(variance_text)),
             ("Direction", escape(_text(r.direction, "–"))),
             ("6-period trend", escape(_text(r.trend, "–")))]
    pairs = [facts[i:i + 2] for i in range(0, len(facts), 2)]
    fact_rows = "".join("<tr>" + "".join(f'<th scope="row">{k}</th><td>{v}</td>' for k, v in pair)
                        + "</tr>" for pair in pairs)
    fact_table = (f'<table class="facts fixed"><caption>{escape(_text(r.period))}: '
                  f"{_status_chip(r)}{' (why listed: ' + escape(' and '.join(why)) + ')' if why else ''}"  # noqa: E501
                  '</caption><colgroup><col style="width:24%"><col style="width:26%">'
                  '<col style="width:24%"><col style="width:26%"></colgroup>'
                  f"<tbody>{fact_rows}</tbody></table>")
    note = _text(r.commentary)
    author = _text(r.owner, "the owner")
    # Who wrote it and for when on the heading's line: a card stays under half a page.
    said = (f" &#8212; {escape(author)}, {escape(_text(r.period))}" if note else "")
    comment = (f'<p class="comment-head"><strong>Latest commentary</strong>{said}</p>'
               + (f"<blockquote><p>{escape(note)}</p></blockquote>" if note else
                  f'<p class="reason">No commentary was given for {escape(_text(r.period))}.'
                  "</p>"))
    comment += _attributed(ctx, code, _text(r.period))
    colour = _safe_colour(_text(r.colour))
    return (f'<article class="card" data-code="{escape(code)}" style="border-left-color:'
            f'{colour}" aria-labelledby="card-{_slug(code)}">'
            f'<h3 id="card-{_slug(code)}"><span class="code">{escape(code)}</span> '
            f"{escape(_text(r.title))}</h3>"
            # Three columns: the facts and words; the chart against target over this
            # year's latest periods; the XmR chart over what its icons mean.
            f'<div class="card-body"><div class="card-left">{fact_table}'
            f"<p>{escape(_text(r.explanation))}</p>{comment}"
            + "".join(f'<p class="explained"><strong>Explained</strong>: {escape(text)}</p>'
                      for text in ctx.data.explained.get(code, ())) + "</div>"
            f'<div class="card-run">{chart}{table}</div><div class="card-xmr">{xmr}'
            + "".join(f"<p><strong>{k}</strong>: {v}</p>" for k, v in spc_facts(r))
            + "</div></div></article>")


def _attributed(ctx: _Context, code: str, period: str) -> str:
    """The value's comment by someone other than the owner, under its subject and author
    ("Head of Service Commentary — J. Smith"), escaped: text as typed, never markup."""
    if not ctx.data.attributed:
        return ""
    try:
        key = parse_period(period).format("iso") if period else ""
    except InputError:
        return ""
    found = ctx.data.attributed.get((code, key))
    if not found:
        return ""
    subject, author, text = found
    head = f"<strong>{escape(subject or 'Further comment')}</strong>"
    if author:
        head += f" &#8212; {escape(author)}"
    return (f'<p class="comment-head attributed">{head}</p>'
            f'<blockquote class="attributed"><p>{escape(text)}</p></blockquote>')


def _exceptions(ctx: _Context) -> str:
    found = ctx.exceptions
    out = [f'<section id="exceptions" class="page" aria-labelledby="exceptions-title">'
           f'<h2 id="exceptions-title">{SECTION_TITLES["exceptions"]}</h2>'
           f'<p class="lead">{escape(ctx.data.cards.describe())} '
           f"{len(found)} of {len(ctx.scored)} measures have a card this period; the trend "
           "scorecard lists every measure.</p>"]
    if not len(found):
        out.append("<p>No measure needs a card this period.</p></section>")
        return "".join(out)
    body = []
    records = list(found.itertuples())
    for r in records:
        why = _text(r.why)
        body.append(f'<tr data-code="{escape(str(r.code))}"><th scope="row">'
                    f'<a href="#card-{_slug(str(r.code))}"><span class="code">'
                    f"{escape(str(r.code))}</span></a> {escape(_text(r.title))}</th>"
                    f"<td>{_status_chip(r)}</td><td>{escape(why[:1].upper() + why[1:])}</td>"
                    f"<td>{escape(_text(r.owner))}</td></tr>")
    out.append('<div class="exception-list">' + _table(
        "Measure cards in this pack, and why", [("Measure", ""), ("Status", ""), ("Why", ""),
                                                ("Owner", "")], body, widths=(46, 16, 24, 14))
                + "</div>")
    out.extend(_card(ctx, r) for r in records)
    out.append("</section>")
    return "".join(out)


def _trend(ctx: _Context) -> str:
    scored = ctx.scored
    out = [f'<section id="trend" class="page" aria-labelledby="trend-title">'
           f'<h2 id="trend-title">{SECTION_TITLES["trend"]}</h2>'
           '<p class="lead">Baseline: the latest nationally comparable figure; rank A top '
           "quartile to D bottom quartile (blank for local measures). © denotes a contract "
           "measure. The last six periods end with the period reported; the line shows them "
           "and the trend compares the latest with the oldest.</p>"]
    for frequency in ("month", "quarter", "year"):
        at = np.flatnonzero((scored["frequency"] == frequency).to_numpy(dtype=bool))
        if not len(at):
            continue
        rows = scored.iloc[at]
        due = parse_period(_text(rows["period"].iloc[0]))
        periods: list[Period] = [due.shift(k) for k in range(-(TREND_PERIODS - 1), 1)]
        keys = [p.format("iso") for p in periods]
        labels = [p.format() for p in periods]
        headers = ([("Measure", ""), ("Rank", ""), ("Baseline", "num")]
                   + [(escape(lb), "num period") for lb in labels]
                   + [("Target", "num"), ("Status", ""), ("Variation", ""),
                      ("Assurance", ""), ("Six periods", ""), ("Direction", ""),
                      ("Trend", "")])
        body = []
        for r in ctx.rows(at):
            code, unit = str(r.code), _text(r.unit)
            a, b = ctx.slices.get(code, (0, 0))
            by_key = dict(zip(ctx.h_key[a:b], ctx.h_actual[a:b], strict=True))
            values = [by_key.get(k) for k in keys]
            contract = " ©" if bool(r.contract) else ""
            variation, assurance = spc_chips(r)
            name = f"{code} {_text(r.title)}"
            six = ctx.places(r, *values)
            texts = [fmt(v, unit, places=six) for v in values]  # the cells and the line's name
            cells = "".join(f'<td class="num">{_wrapping(t)}</td>' for t in texts)
            baseline = _num(r.baseline)  # to its own places, as its Scorecard cell
            body.append(
                f'<tr data-code="{escape(code)}"><th scope="row"><span class="code">'
                f"{escape(code)}</span> {escape(_text(r.title))}{contract}</th>"
                f"<td>{escape(_text(r.baseline_rank, '–'))}</td>"
                f'<td class="num">{_wrapping(fmt(baseline, unit, places=figure_decimals(unit, (baseline,))))}</td>{cells}'  # noqa: E501
                f'<td class="num">{_wrapping(_target_text(r.target, unit, six, "–"))}</td>'
                f"<td>{_status_chip(r)}</td><td>{variation}</td><td>{assurance}</td>"
                f"<td>{sparkline(values, labels, label=name, unit=unit, width=48, texts=texts)}"
                f"</td><td>{escape(_text(r.direction, '–'))}</td>"
                f"<td>{escape(_text(r.trend, '–'))}</td></tr>")
        out.append(_table(FREQUENCY_NAMES[frequency], headers, body, "trend",
                          widths=(16, 3.2, 5, *([4.5] * len(labels)), 4.2, 8, 9, 8, 5.5,
                                  7, 7.1)))
    out.append("</section>")
    return "".join(out)


def _money(value: Any) -> str:
    number = _num(value)
    return fmt(number) if number is not None else "–"


def _pounds(thousands: float) -> str:
    """£000s as a headline: ``£42.3M``, ``£917K``."""
    sign = "-" if thousands < 0 else ""
    value = abs(thousands)
    if value >= 1000:
        return f"{sign}£{value / 1000:,.1f}M"
    return f"{sign}£{value:,.0f}K"


def _finance(ctx: _Context) -> str:
    budget, capital = ctx.data.budget, ctx.data.capital
    out = [f'<section id="finance" class="page" aria-labelledby="finance-title">'
           f'<h2 id="finance-title">{SECTION_TITLES["finance"]}</h2>']
    if len(budget):
        lines = budget.reset_index(drop=True)
        is_total = lines["line"].map(is_total_line).to_numpy(dtype=bool)
        if is_total.any():
            total = lines[is_total].iloc[-1]
            variance = _num(total["variance"]) or 0.0
            word = _text(total.get("spend"), "")
            out.append(f'<p class="headline">Budget {_pounds(_num(total["budget"]) or 0)}, '
                       f'forecast {_pounds(_num(total["forecast"]) or 0)}, '
                       f'{"+" if variance > 0 else ""}{_pounds(variance)} ({escape(word)})</p>')
        headers = [("Service area", ""), ("Gross budget", "num"), ("Net budget", "num"),
                   ("Forecast outturn", "num"), ("Variance", "num"), ("Variance %", "num"),
                   ("Budget status", ""), ("Explanation", "")]
        body = []
        for r, total_row in zip(lines.itertuples(), is_total, strict=True):
            explanation = escape(_text(getattr(r, "explanation", "")))
            if bool(getattr(r, "needs_explanation", False)):
                explanation += ('<span class="reason">Explanation needed: the variance is '
                                "material.</span>")
            pct = _num(r.variance_pct)
            body.append(
                f'<tr{" class=" + chr(34) + "total" + chr(34) if total_row else ""}>'
                f'<th scope="row">{escape(_text(r.line))}</th>'
                f'<td class="num">{_money(getattr(r, "gross_budget", None))}</td>'
                f'<td class="num">{_money(r.budget)}</td><td class="num">{_money(r.forecast)}</td>'
                f'<td class="num">{_money(r.variance)}</td>'
                f'<td class="num">{fmt(pct, "%", places=1, signed=True)}'
                f"</td><td>{_status_chip(r)}</td><td class=\"note\">{explanation}</td></tr>")
        out.append("<h3>Revenue budget by service area</h3>")
        out.append(_table("Revenue, £000s (variance = forecast outturn − net budget; positive "
                          "is an overspend)", headers, body,
                          widths=(18, 8, 8, 8, 8, 7, 10, 33)))
    if len(capital):
        lines = capital.reset_index(drop=True)
        headers = [("Programme", ""), ("Quarter", ""), ("Revised base budget", "num"),
                   ("Revised estimate", "num"), ("Actual to date", "num"), ("Variance", "num"),
                   ("Slippage", "num"), ("Spent", "num"), ("Explanation", "")]
        body = []
        for r in lines.itertuples():
            spent = _num(r.spend_pct)
            spent_text = fmt(spent, "%", places=1)
            body.append(
                f'<tr><th scope="row">{escape(_text(r.programme))}</th>'
                f"<td>{escape(_text(getattr(r, 'quarter', '')))}</td>"
                f'<td class="num">{_money(r.base_budget)}</td>'
                f'<td class="num">{_money(r.estimate)}</td>'
                f'<td class="num">{_money(r.actual)}</td>'
                f'<td class="num">{_money(r.variance)}</td>'
                f'<td class="num">{_money(r.slippage)}</td>'
                f'<td class="num">{spent_text}</td>'
                f'<td class="note">{escape(_text(getattr(r, "explanation", "")))}</td></tr>')
        sums = ctx.data.capital_total or capital_total(lines) or {}
        spent_total = _num(sums.get("spend_pct"))
        body.append(
            '<tr class="total"><th scope="row">Capital programme total</th><td></td>'
            + "".join(f'<td class="num">{_money(sums.get(c))}</td>'
                      for c in ("base_budget", "estimate", "actual", "variance", "slippage"))
            + f'<td class="num">{fmt(spent_total or None, "%", places=1)}'
            f'</td><td class="note">{escape(_text(sums.get("explanation"), ""))}</td></tr>')
        out.append("<h3>Capital programme</h3>")
        out.append(_table("Capital, £000s (variance = revised estimate − revised base budget; "
                          "slippage is budget not expected to be spent this year)", headers,
                          body, widths=(18, 8, 8, 8, 8, 8, 7, 6, 29)))
    history = ctx.data.capital_history
    if len(history) and len(history.columns) > 1:
        out.append(_capital_history(history))
    if not len(budget) and not len(capital):
        out.append("<p>No budget or capital figures in the master workbook.</p>")
    out.append("</section>")
    return "".join(out)


def _capital_history(history: pd.DataFrame) -> str:
    """The capital programme's quarters of the year: each programme's revised estimate and
    actual to date per quarter (a quarter not reported yet is a dash)."""
    year, columns = history_columns(history)
    headers = [("Programme", ""), *((header, "num") for header, _column in columns)]
    body = [f'<tr><th scope="row">{escape(_text(r["programme"]))}</th>'
            + "".join(f'<td class="num">{_money(r[column])}</td>' for _header, column in columns)
            + "</tr>" for r in history.to_dict("records")]
    return (f"<h3>Capital programme by quarter, {escape(year)}</h3>"
            + _table("Capital by quarter of the year, £000s (revised estimate and actual spend "
                     "to date as each quarter reported them)", headers, body,
                     widths=(20, *([10] * (len(headers) - 1)))))


def _governance(ctx: _Context) -> str:
    from xlperf.report._blocks_governance import governance_section

    return governance_section(ctx.data.governance)


RENDERERS: dict[str, Callable[[_Context], str]] = {
    "cover": _cover, "summary": _summary, "objectives": _objectives,
    "exceptions": _exceptions, "trend": _trend, "finance": _finance,
    "governance": _governance,
}
assert tuple(RENDERERS) == SECTIONS


def render_html(data: ReportData) -> str:
    """The report as one self-contained HTML document (UTF-8 text).

    Deterministic: the same :class:`ReportData` gives the same text.
    """
    ctx = _Context(data)
    title = f"{data.council}: {data.title}, {data.period.format()}"
    body = []
    if "cover" not in data.sections:
        body.append(f"<h1>{escape(data.council)}: {escape(data.title)}, "
                    f"{escape(data.period.format())}</h1>")
    body.extend(RENDERERS[s](ctx) for s in data.sections)
    return ("<!DOCTYPE html>\n"
            f'<html lang="en-GB"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title>"
            f'<meta name="generator" content="xlperf">'
            f"<style>{CSS}@page {{ @top-left {{ content: "
            f"{_css_string(data.council + ' — ' + data.period.format())}; }} }}\n"
            "@page :first { @top-left { content: none; } }</style></head>\n"
            f"<body><main>{''.join(body)}</main></body></html>\n")


__all__ = ["CSS", "INK", "chip", "render_html"]
