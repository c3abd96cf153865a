"""What every PDF report shares (fpdf2, pure Python): Latin-1 text, a footer with the organization and page
numbers, headings, a link back, and a note's drawing on the video frame at its time.

The built-in PDF fonts cover Latin-1 only; other characters are written as their closest ASCII (or "?")
so a name never breaks the report. Drawings are vector shapes in normalised coordinates (notes.shapes),
drawn on the video's frame at the note's time (frames.py), or on a plain panel of the note's aspect ratio
when the video cannot be read.
"""

from __future__ import annotations

import math
import unicodedata

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


class Report(FPDF):
    """An A4 report of `organization`, its title in the PDF's properties."""

    def __init__(self, *, title: str, organization: str):
        super().__init__(format="A4")
        self.organization = organization
        self.set_title(latin1(f"{title} - {organization}"))
        self.set_creator("Coach Portal")
        self.set_auto_page_break(auto=True, margin=15)
        self.alias_nb_pages()

    def footer(self):
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.set_text_color(110)
        self.cell(0, 6, latin1(f"{self.organization} - page {self.page_no()}/{{nb}}"), align="C")

    def text_line(self, text: str, *, size=10, style="", height=5.5, colour=30):
        self.set_font("Helvetica", style=style, size=size)
        self.set_text_color(colour)
        self.multi_cell(0, height, latin1(text), new_x="LMARGIN", new_y="NEXT")

    def heading(self, text: str, *, size=13):
        self.text_line(text, size=size, style="B", height=8 if size >= 13 else 7)

    def link_back(self, url: str, *, text: str = "Open in Coach Portal"):
        self.ln(4)
        self.set_font("Helvetica", size=9)
        self.set_text_color(20, 90, 160)
        self.cell(0, 6, latin1(f"{text}: {url}"), link=url, new_x="LMARGIN", new_y="NEXT")

    def note(self, note: Note, picture=None, *, author: bool = True):
        """A note: its time (and author), its text, and its drawing on the frame (`picture`) or a panel."""
        name = note.author.get_short_name() if author and note.author_id else ""
        self.text_line(f"{note.time_label}" + (f" - {name}" if name else ""), size=10, style="B")
        if note.text:
            self.text_line(note.text)
        if note.shapes:
            self.frame(note, picture)
        self.ln(2)

    def session_notes(self, noted) -> None:
        """The notes of several sessions (building.NotedSession), each under its session's date and title."""
        self.ln(2)
        self.heading("Notes")
        if not noted:
            self.text_line("No notes on these sessions.", colour=100)
            return
        for session in noted:
            self.heading(session.heading, size=11)
            for note in session.notes:
                self.note(note, session.frames.get(note.at_seconds))

    def frame(self, note: Note, picture=None):
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
