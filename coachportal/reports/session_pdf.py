"""A session's PDF report: facts, key metrics with units, notes with their drawings on the frame."""

from __future__ import annotations

from dataclasses import dataclass, field

from coachportal.notes.models import Note

from .document import Report, latin1

__all__ = ["ReportData", "SessionReport", "latin1", "render"]


@dataclass
class ReportData:
    organization: str
    title: str
    athlete: str
    recorded: str
    activity: str
    metric_groups: list
    notes: list[Note]
    link: str
    frames: dict = field(default_factory=dict)  # {note time: PIL image of the video then}


class SessionReport(Report):
    def __init__(self, data: ReportData):
        super().__init__(title=data.title, organization=data.organization)
        self.data = data

    def build(self) -> bytes:
        data = self.data
        self.add_page()
        self.text_line(data.organization, size=10, colour=100)
        self.text_line(data.title or "Session", size=18, style="B", height=9)
        self.text_line(" - ".join(p for p in (data.recorded, data.athlete, data.activity) if p), colour=80)
        self.ln(3)
        self.metrics()
        self.notes()
        self.link_back(data.link)
        return bytes(self.output())

    def metrics(self):
        self.text_line("Key metrics", size=13, style="B", height=8)
        if not self.data.metric_groups:
            self.text_line("No metrics for this session.", colour=100)
            return
        for group in self.data.metric_groups:
            self.text_line(group.name, size=11, style="B", height=7)
            with self.table(col_widths=(70, 30, 50, 25), text_align=("LEFT", "RIGHT", "RIGHT", "LEFT"),
                            line_height=6, first_row_as_headings=True) as table:  # fmt: skip
                self.set_font("Helvetica", size=9)
                self.set_text_color(30)
                table.row(["Metric", "Average", "Range", "Unit"])
                for m in group.rows:
                    value = m.text if getattr(m, "text", "") else m.value
                    spread = f"{m.low} - {m.high}" if getattr(m, "low", "") else ""
                    table.row([latin1(m.label), latin1(str(value)), latin1(spread), latin1(m.unit)])
            self.ln(2)

    def notes(self):
        self.ln(2)
        self.heading("Notes")
        if not self.data.notes:
            self.text_line("No notes.", colour=100)
            return
        for note in self.data.notes:
            self.note(note, self.data.frames.get(note.at_seconds))


def render(data: ReportData) -> bytes:
    return SessionReport(data).build()
