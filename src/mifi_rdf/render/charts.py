"""Charts drawn at build time as inline SVG: they need no JavaScript, print, and carry their data.

A chart is computed from a grid (see grid.py) as geometry in user units; the template draws it and
writes its labels in the page's language. Which cells are plotted:

- only cells with a value, and never a total (a total row or column, or a total or adjusted-total
  status): a total drawn beside its parts would dwarf them;
- only cells whose measure has the unit of the first plotted one (counts, not percentages beside
  them);
- a line over time when the rows are rounds or months (one line per column), or when the columns
  are four or more rounds or months (one line per row, « Autres » left out: what it holds changes
  from round to round); otherwise horizontal bars, one group per row, one bar per column;
- at most `MAX_SERIES` lines or bars per group, the highest by their sum, in the table's order;
  no bar chart beyond `MAX_BARS` groups.

Every plotted cell is exactly one mark (a bar or a dot), and the chart's data is also given as a
table, its text alternative.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace

from markupsafe import Markup, escape

from .data import Entry, SiteData
from .grid import TOTAL_STATUSES, Grid, Header
from .text import WORDS, number, short_date, txt

MAX_SERIES = 6
MAX_BARS = 80  # groups of bars beyond which a bar chart is unreadable: the table says it better
PALETTE = ["#1b5e9e", "#b4440b", "#2f7d32", "#7b3294", "#a3195b", "#4d4d4d"]  # ≥ 4.5:1 on white
DASHES = ["", "6 3", "2 3", "8 3 2 3", "4 4", "1 2"]  # told apart without colour too
RESIDUAL = "#6b6b6b"
WIDTH = 720  # line charts
BAR_WIDTH = 600  # bar charts, often beside their table


@dataclass
class Mark:
    """One plotted cell."""

    entry: Entry
    category: Header  # the row (bars) or the x position (lines)
    series: int
    x: float
    y: float
    w: float = 0.0
    h: float = 0.0
    residual: bool = False


@dataclass
class Tick:
    position: float
    value: str  # a number (lexical) or an ISO date
    kind: str  # "number" or "date" or "label"
    header: Header | None = None


@dataclass
class Chart:
    kind: str  # "bar" or "line"
    width: float
    height: float
    series: list[Header]  # one per colour: the columns (or rows) plotted
    categories: list[Header]
    marks: list[Mark]
    value_ticks: list[Tick]
    category_ticks: list[Tick] = field(default_factory=list)
    paths: list[tuple[int, str]] = field(default_factory=list)  # (series, SVG path data) of lines
    plot: tuple[float, float, float, float] = (0, 0, 0, 0)  # left, top, right, bottom
    omitted_residual: bool = False
    capped: int = 0  # series left out of the chart (still in the table)
    axis: str = ""  # the dimension along the categories (or the time axis), for the caption
    gaps: bool = False  # a line misses a round or month of the axis: not in that table
    drawing: Markup = Markup()  # the SVG inside <svg>, in the page's language (set by `words`)
    data_rows: Markup = Markup()  # the rows of the chart's data table, its text alternative

    def colour(self, series: int) -> str:
        return PALETTE[series % len(PALETTE)]

    def dash(self, series: int) -> str:
        return DASHES[series % len(DASHES)]

    @property
    def residual_colour(self) -> str:
        return RESIDUAL


def nice_step(span: float, ticks: int = 4) -> float:
    """A round step (1, 2, 2.5 or 5 × 10^n) that divides `span` into about `ticks` parts."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if m * power >= raw:
            return m * power
    return 10 * power


def number_text(x: float) -> str:
    """A tick value in canonical lexical form: "250", "2.5"."""
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def value_of(entry: Entry) -> float:
    return float(entry.cell.value or 0)


def plottable(data: SiteData, entry: Entry | None, unit: list[str | None]) -> bool:
    """Has a value, is no total, and has the unit of the first plotted cell (recorded in `unit`)."""
    if entry is None or entry.cell.value is None or entry.cell.status in TOTAL_STATUSES:
        return False
    u = data.unit(entry.table, entry.cell)
    if not unit:
        unit.append(u)
    return u == unit[0]


def chart_absence(grid: Grid) -> str:
    """Why a grid has no chart: "empty" (no cell has a value), "single" (one) or "crowded" (too many bars)."""
    values = sum(1 for e in grid.entries() if e.cell.value is not None)
    return "empty" if values == 0 else "single" if values == 1 else "crowded"


def words(chart: Chart, data: SiteData, lang: str) -> Chart:
    """The chart written in `lang`: its SVG drawing and the rows of its data table (a copy: the
    same chart serves both languages, and a server makes pages in several threads).

    Drawn here rather than in the template: a chart has hundreds of marks, and each is a few
    attributes that need no escaping (numbers, colours) and one escaped label."""
    labels = [data.label(h.iri, lang) for h in chart.series]
    colon = WORDS[lang]["colon"]
    several = len(chart.series) > 1
    left, top, right, bottom = chart.plot
    svg: list[str] = []
    rows: list[str] = []
    if chart.kind == "bar":
        for tick in chart.value_ticks:
            svg.append(f'<line x1="{tick.position}" y1="{top - 4}" x2="{tick.position}" y2="{bottom}" class="grid-line"/>'
                       f'<text x="{tick.position}" y="{top - 10}" text-anchor="middle" class="tick">'
                       f"{number(tick.value, lang)}</text>")
        for tick in chart.category_ticks:
            full = data.label(tick.header.iri, lang).text if tick.header else ""
            lines = wrap_label(full)
            first = tick.position + 4 - LINE_HEIGHT * (len(lines) - 1) / 2
            spans = "".join(f'<tspan x="{left - 8}" y="{first + LINE_HEIGHT * n:g}">{escape(line)}</tspan>'
                            for n, line in enumerate(lines))
            title = f"<title>{escape(full)}</title>" if lines[-1].endswith("…") else ""
            svg.append(f'<text text-anchor="end" class="category">{title}{spans}</text>')
    else:
        for tick in chart.value_ticks:
            svg.append(f'<line x1="{left}" y1="{tick.position}" x2="{right}" y2="{tick.position}" class="grid-line"/>'
                       f'<text x="{left - 8}" y="{tick.position + 4:g}" text-anchor="end" class="tick">'
                       f"{number(tick.value, lang)}</text>")
        for tick in chart.category_ticks:
            y = bottom + 16
            svg.append(f'<text x="{tick.position}" y="{y}" text-anchor="end" transform="rotate(-35 {tick.position} {y})" '
                       f'class="tick">{short_date(tick.value, lang)}</text>')
        svg.append(f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" class="axis"/>')
        for n, d in chart.paths:
            dash = f' stroke-dasharray="{chart.dash(n)}"' if chart.dash(n) else ""
            svg.append(f'<path d="{d}" fill="none" stroke="{chart.colour(n)}" stroke-width="2"{dash}/>')
    for mk in chart.marks:
        value = number(mk.entry.cell.value or "0", lang)
        category = data.label(mk.category.iri, lang)
        if chart.kind == "bar":
            title = f"{category.text}{', ' + labels[mk.series].text if several else ''}{colon}{value}"
            fill = chart.residual_colour if mk.residual else chart.colour(mk.series)
            css = "mark residual" if mk.residual else "mark"
            svg.append(f'<rect class="{css}" x="{mk.x}" y="{mk.y}" width="{mk.w}" height="{mk.h}" fill="{fill}">'
                       f'<title>{escape(title)}</title></rect><text x="{mk.x + mk.w + 4:g}" y="{mk.y + mk.h / 2 + 4:g}" '
                       f'class="value">{value}</text>')
        else:
            title = f"{labels[mk.series].text}, {category.text}{colon}{value}"
            svg.append(f'<circle class="mark" cx="{mk.x}" cy="{mk.y}" r="4" fill="{chart.colour(mk.series)}">'
                       f"<title>{escape(title)}</title></circle>")
        series_cell = f"<td>{txt(labels[mk.series], lang)}</td>" if several else ""
        rows.append(f'<tr><th scope="row">{txt(category, lang)}</th>{series_cell}<td class="num">{value}</td></tr>')
    if chart.kind == "bar":
        svg.append(f'<line x1="{left}" y1="{top - 4}" x2="{left}" y2="{bottom}" class="axis"/>')
    return replace(chart, drawing=Markup("\n".join(svg)), data_rows=Markup("\n".join(rows)))


LABEL_CHARACTERS = 26  # characters of a bar's label per line, in the 215 units left of the bars
LABEL_LINES = 2  # lines of a label: a group of bars is at least 28 units high, two lines of 12 take 26
LINE_HEIGHT = 13.0


def wrap_label(text: str, width: int = LABEL_CHARACTERS, most: int = LABEL_LINES) -> list[str]:
    """A category's label on at most `most` lines of `width` characters, broken between words or after
    a hyphen; only what still does not fit is cut, with « … » (« République démocratique du Congo »
    was cut to « République démocratique d… » with room for a second line, issue 23)."""
    pieces = [(m.group(), m.start() > 0 and text[m.start() - 1] == " ") for m in re.finditer(r"[^\s-]*-|[^\s-]+", text)]
    lines: list[str] = []
    while pieces and len(lines) < most:
        line = pieces.pop(0)[0]
        while pieces and len(line) + pieces[0][1] + len(pieces[0][0]) <= width:
            piece, spaced = pieces.pop(0)
            line += (" " if spaced else "") + piece
        lines.append(line)
    if pieces:
        lines[-1] += "".join((" " if spaced else "") + piece for piece, spaced in pieces)
    lines = [line if len(line) <= width else line[:width - 1].rstrip() + "…" for line in lines]
    return lines or [""]


def make_chart(data: SiteData, grid: Grid, domain: list[tuple[str, Header]] | None = None) -> Chart | None:
    """The chart of a grid, or None when it has nothing to plot or too much (see `chart_absence`).

    `domain`: the dated positions of the time axis when it is wider than the grid's own rows (a
    country's page: every round of the tables, so a round the country is not listed in is a gap,
    not a straight line across)."""
    cols = [n for n, h in enumerate(grid.columns) if not h.total]
    rows = [r for r in grid.rows if not r.total]
    dated_rows = len(grid.row_axes) == 1 and len(rows) >= 2 and all(data.is_dated(r.headers[0].iri) for r in rows)
    dated_cols = len(cols) >= 4 and all(data.is_dated(grid.columns[n].iri) for n in cols)
    unit: list[str | None] = []
    if dated_rows:
        categories = [r.headers[0] for r in rows]
        series = [(grid.columns[n], [(r.headers[0], r.cells[n]) for r in rows]) for n in cols]
        chart = line_chart(data, series, domain or dated(data, categories), unit)
        if chart is not None:
            chart.axis = grid.row_axes[0].iri
        return chart if chart is not None and len(chart.marks) >= 2 else None
    if dated_cols:
        categories = [grid.columns[n] for n in cols]
        series = [(row_header(r), [(grid.columns[n], r.cells[n]) for n in cols]) for r in rows if not r.residual]
        chart = line_chart(data, series, domain or dated(data, categories), unit)
        if chart is not None:
            chart.omitted_residual = any(r.residual for r in rows)
            chart.axis = grid.column_axis.iri
        return chart if chart is not None and len(chart.marks) >= 2 else None
    if len(rows) > MAX_BARS and sum(1 for r in rows if any(c is not None and c.cell.value for c in r.cells)) > MAX_BARS:
        return None  # too many bars to read: decided before drawing them
    chart = bar_chart(data, grid, rows, cols, unit)
    if chart is not None and grid.row_axes:
        chart.axis = grid.row_axes[0].iri
    return chart if chart is not None and len(chart.marks) >= 2 else None


def row_header(row) -> Header:
    return row.headers[0] if row.headers else Header(None, "", "")  # type: ignore[arg-type]


def dated(data: SiteData, headers: list[Header]) -> list[tuple[str, Header]]:
    return sorted(((data.dates[h.iri][0], h) for h in headers), key=lambda item: (item[0], item[1].key))


def cap(series: list, plotted: list[list]) -> tuple[list[int], int]:
    """Indexes of the series kept: those with a plotted cell, at most MAX_SERIES, the highest sums."""
    with_values = [n for n in range(len(series)) if plotted[n]]
    if len(with_values) <= MAX_SERIES:
        return with_values, 0
    top = sorted(with_values, key=lambda n: -sum(value_of(e) for _, e in plotted[n]))[:MAX_SERIES]
    return sorted(top), len(with_values) - MAX_SERIES


def line_chart(data: SiteData, series: list[tuple[Header, list[tuple[Header, Entry | None]]]],
               domain: list[tuple[str, Header]], unit: list[str | None]) -> Chart | None:
    plotted = [[(h, e) for h, e in points if plottable(data, e, unit)] for _, points in series]
    keep, capped = cap(series, plotted)
    if not keep:
        return None
    left, top, right, bottom = 84.0, 16.0, WIDTH - 24.0, 300.0  # room on the left for the first rotated date
    height = bottom + 90
    values = [value_of(e) for n in keep for _, e in plotted[n]]
    step = nice_step(max(values))
    ymax = step * max(1, math.ceil(max(values) / step))
    dates = [d for d, _ in domain]
    first, last = ordinal(dates[0]), ordinal(dates[-1])

    def x_of(iso: str) -> float:
        if last == first:
            return (left + right) / 2
        return left + (right - left) * (ordinal(iso) - first) / (last - first)

    def y_of(v: float) -> float:
        return bottom - (bottom - top) * v / ymax

    position = {h.iri: (d, i) for i, (d, h) in enumerate(domain)}
    marks: list[Mark] = []
    paths: list[tuple[int, str]] = []
    for colour, n in enumerate(keep):
        points = sorted(((position[h.iri], h, e) for h, e in plotted[n] if h.iri in position), key=lambda p: p[0][1])
        segments: list[str] = []
        previous = None
        for (iso, index), h, e in points:
            x, y = x_of(iso), y_of(value_of(e))
            marks.append(Mark(e, h, colour, round(x, 1), round(y, 1)))
            joined = previous is not None and previous == index - 1
            segments.append(f"{'L' if joined else 'M'}{x:.1f} {y:.1f}")
            previous = index
        paths.append((colour, " ".join(segments)))
    ticks = [Tick(round(y_of(v), 1), number_text(v), "number") for v in frange(0, ymax, step)]
    gaps = any(len({h.iri for h, _ in plotted[n]} & set(position)) < len(domain) for n in keep)
    category_ticks = []
    for d, h in domain:  # rotated labels need about 22 units between them: skip those that would overlap
        x = round(x_of(d), 1)
        if not category_ticks or x - category_ticks[-1].position >= 24:
            category_ticks.append(Tick(x, d, "date", h))
        elif (d, h) == domain[-1]:  # the last one always: it says where the series ends
            category_ticks[-1] = Tick(x, d, "date", h)
    return Chart("line", WIDTH, height, [series[n][0] for n in keep], [h for _, h in domain], marks, ticks,
                 category_ticks, paths, (left, top, right, bottom), capped=capped, gaps=gaps)


def bar_chart(data: SiteData, grid: Grid, rows, cols: list[int], unit: list[str | None]) -> Chart | None:
    series_headers = [grid.columns[n] for n in cols]
    plotted = [[(r, r.cells[n]) for r in rows if plottable(data, r.cells[n], unit)] for n in cols]
    keep, capped = cap(series_headers, plotted)
    if not keep:
        return None
    kept_cells = {id(e) for n in keep for _, e in plotted[n]}
    categories = [r for r in rows if any(id(r.cells[cols[n]]) in kept_cells for n in keep if r.cells[cols[n]])]
    if len(categories) > MAX_BARS:
        return None
    left, right, top = 215.0, BAR_WIDTH - 56.0, 28.0
    bar = 18.0 if len(keep) == 1 else 12.0
    gap = 10.0
    group = bar * len(keep) + gap
    bottom = top + group * len(categories)
    values = [value_of(e) for n in keep for _, e in plotted[n]]
    step = nice_step(max(values))
    xmax = step * max(1, math.ceil(max(values) / step))
    marks: list[Mark] = []
    category_ticks: list[Tick] = []
    for i, r in enumerate(categories):
        y0 = top + i * group
        category_ticks.append(Tick(round(y0 + bar * len(keep) / 2, 1), "", "label", row_header(r)))
        for colour, n in enumerate(keep):
            e = r.cells[cols[n]]
            if e is None or id(e) not in kept_cells:
                continue
            w = (right - left) * value_of(e) / xmax
            marks.append(Mark(e, row_header(r), colour, left, round(y0 + colour * bar, 1), round(w, 1), bar - 2,
                              residual=r.residual))
    ticks = [Tick(round(left + (right - left) * v / xmax, 1), number_text(v), "number") for v in frange(0, xmax, step)]
    return Chart("bar", BAR_WIDTH, bottom + 12, [series_headers[n] for n in keep], [row_header(r) for r in categories],
                 marks, ticks, category_ticks, [], (left, top, right, bottom), capped=capped)


def frange(start: float, stop: float, step: float) -> list[float]:
    out, n = [], 0
    while start + n * step <= stop + 1e-9:
        out.append(start + n * step)
        n += 1
    return out


def ordinal(iso: str) -> int:
    """Days since year 1 of an ISO date (YYYY-MM-DD)."""
    import datetime as dt

    return dt.date.fromisoformat(iso[:10]).toordinal()
