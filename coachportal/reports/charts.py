"""A trend chart drawn as vector lines with fpdf2: the session values as dots joined by a thin line, the
rolling average as a thicker line, the range's best ringed, a few value gridlines and the first and last
dates. The same numbers as the profile's charts (sessions/summaries.py), in display units."""

from __future__ import annotations

from coachportal.sessions.summaries import ChartSummary

from .document import Report, latin1

VALUE = (11, 110, 79)  # the profile page's colours (static/js/profile-charts.js)
AVERAGE = (31, 95, 168)
BEST = (194, 65, 12)
GRID = (215, 219, 226)
LABEL = 90


def _ticks(low: float, high: float, count: int = 4) -> list[float]:
    if high == low:
        return [low]
    step = (high - low) / (count - 1)
    return [low + i * step for i in range(count)]


def line_chart(pdf: Report, chart: ChartSummary, *, x: float, y: float, w: float, h: float) -> None:
    """Draw `chart` in the box (x, y, w, h) in mm: a title line, then the plot with its axis labels."""
    pdf.set_xy(x, y)
    pdf.set_font("Helvetica", style="B", size=9)
    pdf.set_text_color(30)
    unit = f" ({chart.unit})" if chart.unit else ""
    pdf.cell(w, 5, latin1(f"{chart.title}{unit}, session {chart.metric.summary_word}"))
    data = chart.data
    times = data["t"]
    values = chart.values
    averages = data["avg"]
    known = [v for v in [*values, *averages] if v is not None]
    left, top, right, bottom = x + 14, y + 7, x + w - 2, y + h - 6
    pdf.set_draw_color(*GRID)
    pdf.set_line_width(0.2)
    pdf.rect(left, top, right - left, bottom - top)
    if not known:
        return
    low, high = min(known), max(known)
    pad = (high - low) * 0.1 or abs(high) * 0.1 or 1.0
    low, high = low - pad, high + pad
    first, last = times[0], times[-1]
    span = (last - first) or 1

    def px(t):
        return left + (t - first) / span * (right - left) if last != first else (left + right) / 2

    def py(v):
        return bottom - (v - low) / (high - low) * (bottom - top)

    pdf.set_font("Helvetica", size=6.5)
    pdf.set_text_color(LABEL)
    decimals = chart.metric.decimals
    for tick in _ticks(low + pad, high - pad):
        pdf.line(left, py(tick), right, py(tick))
        pdf.set_xy(x, py(tick) - 2)
        pdf.cell(13, 4, f"{tick:,.{decimals}f}", align="R")
    pdf.set_xy(left, bottom + 0.5)
    pdf.cell((right - left) / 2, 4, latin1(chart.days[0]))
    if len(chart.days) > 1:
        pdf.set_xy(left + (right - left) / 2, bottom + 0.5)
        pdf.cell((right - left) / 2, 4, latin1(chart.days[-1]), align="R")

    dots = [(px(t), py(v)) for t, v in zip(times, values, strict=True) if v is not None]
    pdf.set_draw_color(*VALUE)
    pdf.set_fill_color(*VALUE)
    pdf.set_line_width(0.25)
    if len(dots) > 1:
        pdf.polyline(dots)
    radius = 0.7 if len(dots) < 80 else 0.35
    for cx, cy in dots:
        pdf.circle(cx, cy, radius, style="F")
    line = [(px(t), py(v)) for t, v in zip(times, averages, strict=True) if v is not None]
    if len(line) > 1:
        pdf.set_draw_color(*AVERAGE)
        pdf.set_line_width(0.6)
        pdf.polyline(line)
    pdf.set_draw_color(*BEST)
    pdf.set_line_width(0.4)
    for index in data["pb"]:
        if values[index] is not None:
            pdf.circle(px(times[index]), py(values[index]), 1.8, style="D")


def legend(pdf: Report) -> None:
    """One line saying what the lines and rings mean."""
    pdf.set_font("Helvetica", size=8)
    y = pdf.get_y() + 2
    x = pdf.l_margin
    for colour, text, width in (
        (VALUE, "session value", 0.25),
        (AVERAGE, "5-session average", 0.6),
        (BEST, "best in the range (ringed)", 0.4),
    ):
        pdf.set_draw_color(*colour)
        pdf.set_line_width(width)
        pdf.line(x, y, x + 6, y)
        pdf.set_xy(x + 7, y - 2)
        pdf.set_text_color(LABEL)
        pdf.cell(45, 4, text)
        x += 52
    pdf.set_xy(pdf.l_margin, y + 3)
