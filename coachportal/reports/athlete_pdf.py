"""An athlete's PDF report over a date range: per activity, the key metrics (first, latest, change and best
in the range, with units, from the catalogue), a vector chart of each, and the notes with their drawings."""

from __future__ import annotations

from .building import AthleteReport
from .charts import legend, line_chart
from .document import Report, latin1

CHART_W, CHART_H, GAP = 93, 52, 4  # mm: two charts side by side on A4


class AthletePDF(Report):
    def __init__(self, data: AthleteReport):
        super().__init__(title=data.athlete, organization=data.organization)
        self.data = data

    def build(self) -> bytes:
        data = self.data
        self.add_page()
        self.text_line(data.organization, size=10, colour=100)
        self.text_line(data.athlete, size=18, style="B", height=9)
        self.text_line(f"Progress report, {data.range_text} - made {data.made}", colour=80)
        self.ln(3)
        if not data.sections:
            self.text_line(f"No sessions with metrics {data.range_text}.", colour=100)
        for section in data.sections:
            self.activity(section)
        self.session_notes(data.noted)
        self.link_back(data.link)
        return bytes(self.output())

    def activity(self, section) -> None:
        count = f"{section.count} session{'' if section.count == 1 else 's'}"
        self.heading(f"{section.label} - {count}")
        self.text_line("Key metrics", size=11, style="B", height=7)
        align = ("LEFT", *["RIGHT"] * 5)
        with self.table(col_widths=(48, 18, 28, 28, 40, 28), text_align=align, line_height=6,
                        first_row_as_headings=True) as table:  # fmt: skip
            self.set_font("Helvetica", size=9)
            self.set_text_color(30)
            table.row(["Metric", "Sessions", "First", "Latest", "Change", "Best in range"])
            for c in section.charts:
                change = f"{c.change} {c.verdict}" if c.verdict in ("better", "worse") else c.change
                table.row([latin1(v) for v in (c.title, str(c.count), c.first, c.latest, change, c.best)])
        self.ln(3)
        self.text_line("Trends", size=11, style="B", height=7)
        legend(self)
        for index, chart in enumerate(section.charts):
            column = index % 2
            if column == 0:
                if self.get_y() + CHART_H > self.h - 18:
                    self.add_page()
                top = self.get_y() + 1
            line_chart(self, chart, x=self.l_margin + column * (CHART_W + GAP), y=top, w=CHART_W, h=CHART_H)
            if column == 1 or index == len(section.charts) - 1:
                self.set_xy(self.l_margin, top + CHART_H + 2)
        self.ln(2)


def render(data: AthleteReport) -> bytes:
    return AthletePDF(data).build()
