"""A comparison's PDF report: the sessions (the first is the base), each key metric's value with its unit
and its change against the base (from the catalogue), and each session's notes with their drawings."""

from __future__ import annotations

from .building import ComparisonReport
from .document import Report, latin1

TONE_WORDS = {"better": " better", "worse": " worse", "same": " same"}


class ComparisonPDF(Report):
    def __init__(self, data: ComparisonReport):
        super().__init__(title="Comparison", organization=data.organization)
        self.data = data

    def build(self) -> bytes:
        data = self.data
        self.add_page()
        self.text_line(data.organization, size=10, colour=100)
        self.text_line(f"Comparison of {len(data.sessions)} sessions", size=18, style="B", height=9)
        self.text_line(f"Made {data.made}", colour=80)
        self.ln(2)
        for index, s in enumerate(data.sessions):
            role = "Base" if index == 0 else f"{index + 1}"
            offset = f" - offset {s['offset']:g} s" if s["offset"] else ""
            parts = (s["title"], s["athlete"], s["date"], s["activity"])
            self.text_line(f"{role}: " + " - ".join(p for p in parts if p) + offset)
        self.ln(3)
        self.metrics()
        self.session_notes(data.noted)
        self.link_back(data.link)
        return bytes(self.output())

    def metrics(self) -> None:
        self.heading("Key metrics")
        if not self.data.rows:
            self.text_line("These sessions have no key metrics to compare.", colour=100)
            return
        self.text_line(
            "Changes are against the base session; better or worse follow each metric's direction.",
            size=9, colour=100,
        )  # fmt: skip
        count = len(self.data.sessions)
        widths = (46, *[(190 - 46) / count] * count)
        with self.table(col_widths=widths, line_height=5, first_row_as_headings=True,
                        text_align=("LEFT", *["RIGHT"] * count)) as table:  # fmt: skip
            self.set_font("Helvetica", size=9)
            self.set_text_color(30)
            table.row(["Metric", *[latin1(s["title"]) for s in self.data.sessions]])
            for row in self.data.rows:
                cells = []
                for cell in row.cells:
                    text = cell.value or "no value"
                    if cell.change:
                        text += f"\n{cell.change}{TONE_WORDS.get(cell.tone, '')}"
                    cells.append(latin1(text))
                label = row.label + (f"\n({row.direction})" if row.direction else "")
                table.row([latin1(label), *cells])


def render(data: ComparisonReport) -> bytes:
    return ComparisonPDF(data).build()
