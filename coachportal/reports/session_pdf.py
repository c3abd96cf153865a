"""A session's PDF report with fpdf2 (pure Python): facts, key metrics with units, notes with drawings.

The built-in PDF fonts cover Latin-1 only; other characters are written as their closest ASCII (or "?")
so a name never breaks the report. Drawings are vector shapes in normalised coordinates (notes.shapes),
drawn on the video's frame at the note's time (frames.py), or on a plain panel of the note's aspect ratio
when the video cannot be read.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field

from fpdf import FPDF

from coachportal.notes.models import Note

# What the core fonts lack, by code point: dashes, quotes, bullet, ellipsis, arrow, a few letters.
PUNCTUATION = {
    0x2013: "-",
    0x2014: "-",
    0x201C: '"',
    0x201D: '"',
    0x2018: "'",
    0x2019: "'",
    0x2022: "-",
    0x2026: "...",
    0x2192: "->",
    # Letters that have no decomposition to ASCII.
    0x0141: "L",
    0x0142: "l",
    0x0110: "D",
    0x0111: "d",
    0x0152: "OE",
    0x0153: "oe",
}
FRAME_WIDTH = 80  # mm
INK = (235, 190, 0)


def latin1(text: str) -> str:
    """`text` in the core fonts' Latin-1, with typographic punctuation and accents simplified."""
    text = str(text or "").translate(PUNCTUATION)
    out = []
    for char in text:
        try:
            char.encode("latin-1")
            out.append(char)
        except UnicodeEncodeError:
            plain = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
            out.append(plain or "?")
    return "".join(out)


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


class SessionReport(FPDF):
    def __init__(self, data: ReportData):
        super().__init__(format="A4")
        self.data = data
        self.set_title(latin1(f"{data.title} - {data.organization}"))
        self.set_creator("Coach Portal")
        self.set_auto_page_break(auto=True, margin=15)
        self.alias_nb_pages()

    def footer(self):
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.set_text_color(110)
        self.cell(0, 6, latin1(f"{self.data.organization} - page {self.page_no()}/{{nb}}"), align="C")

    def text_line(self, text: str, *, size=10, style="", height=5.5, colour=30):
        self.set_font("Helvetica", style=style, size=size)
        self.set_text_color(colour)
        self.multi_cell(0, height, latin1(text), new_x="LMARGIN", new_y="NEXT")

    def build(self) -> bytes:
        data = self.data
        self.add_page()
        self.text_line(data.organization, size=10, colour=100)
        self.text_line(data.title or "Session", size=18, style="B", height=9)
        self.text_line(" - ".join(p for p in (data.recorded, data.athlete, data.activity) if p), colour=80)
        self.ln(3)
        self.metrics()
        self.notes()
        self.ln(4)
        self.set_font("Helvetica", size=9)
        self.set_text_color(20, 90, 160)
        self.cell(
            0, 6, latin1(f"Open in Coach Portal: {data.link}"), link=data.link, new_x="LMARGIN", new_y="NEXT"
        )
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
        self.text_line("Notes", size=13, style="B", height=8)
        if not self.data.notes:
            self.text_line("No notes.", colour=100)
            return
        for note in self.data.notes:
            author = note.author.get_short_name() if note.author_id else ""
            head = f"{note.time_label}" + (f" - {author}" if author else "")
            self.text_line(head, size=10, style="B")
            if note.text:
                self.text_line(note.text)
            if note.shapes:
                self.frame(note)
            self.ln(2)

    def frame(self, note: Note):
        picture = self.data.frames.get(note.at_seconds)
        aspect = note.frame_aspect if 0.2 <= note.frame_aspect <= 5 else 16 / 9
        if picture is not None:
            aspect = picture.width / picture.height
        w, h = FRAME_WIDTH, FRAME_WIDTH / aspect
        if self.get_y() + h > self.h - 20:
            self.add_page()
        x0, y0 = self.l_margin, self.get_y() + 1
        if picture is not None:
            self.image(picture, x0, y0, w, h)
        else:
            self.set_fill_color(20, 24, 40)
            self.rect(x0, y0, w, h, style="F")
        self.set_draw_color(*INK)
        self.set_text_color(*INK)
        self.set_line_width(0.6)
        self.set_font("Helvetica", style="B", size=8)

        def at(p):
            return x0 + p[0] * w, y0 + p[1] * h

        for shape in note.shapes:
            pts = [at(p) for p in shape.get("points", [])]
            kind = shape.get("type")
            if kind == "line" and len(pts) > 1:
                self.polyline(pts)
            elif kind == "arrow" and len(pts) == 2:
                (ax, ay), (bx, by) = pts
                self.line(ax, ay, bx, by)
                angle = math.atan2(by - ay, bx - ax)
                for turn in (-0.45, 0.45):
                    self.line(bx, by, bx - 3 * math.cos(angle + turn), by - 3 * math.sin(angle + turn))
            elif kind == "circle" and len(pts) == 2:
                r = math.hypot(pts[1][0] - pts[0][0], pts[1][1] - pts[0][1])
                self.circle(pts[0][0], pts[0][1], r, style="D")
            elif kind == "text" and len(pts) == 1:
                self.text(pts[0][0], pts[0][1], latin1(shape.get("text", "")))
            elif kind == "angle" and len(pts) == 3:
                self.line(*pts[1], *pts[0])
                self.line(*pts[1], *pts[2])
                self.text(pts[1][0] + 1.5, pts[1][1] - 1.5, latin1(f"{shape.get('degrees', 0):.1f}°"))
        self.set_y(y0 + h + 2)
        self.set_font("Helvetica", size=8)
        self.set_text_color(100)
        self.multi_cell(0, 4.5, latin1(f"Drawing: {note.drawing_summary}"), new_x="LMARGIN", new_y="NEXT")


def render(data: ReportData) -> bytes:
    return SessionReport(data).build()
