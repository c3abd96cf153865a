"""A note's drawing as a still SVG picture (for pages without the video player: shared profiles and
comparisons). The same shapes the player draws over the video, on a dark panel of the frame's shape; every
value goes through format_html, and SVG presentation attributes are not styles, so the CSP allows them."""

from __future__ import annotations

import math

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()

HEIGHT = 100.0
INK = "#ebbe00"


def _n(*numbers: float) -> list[str]:
    return [f"{n:.1f}" for n in numbers]


def _label(x: float, y: float, text: str) -> SafeString:
    return format_html('<text x="{}" y="{}" fill="{}" stroke="none">{}</text>', *_n(x, y), INK, text)


def _shape(shape: dict, width: float) -> SafeString:
    pts = [(p[0] * width, p[1] * HEIGHT) for p in shape.get("points", [])]
    kind = shape.get("type")
    if kind == "line" and len(pts) > 1:
        return format_html('<polyline points="{}"/>', " ".join(f"{x:.1f},{y:.1f}" for x, y in pts))
    if kind == "arrow" and len(pts) == 2:
        (ax, ay), (bx, by) = pts
        angle = math.atan2(by - ay, bx - ax)
        heads = [(bx - 4 * math.cos(angle + t), by - 4 * math.sin(angle + t)) for t in (-0.45, 0.45)]
        path = f"M{ax:.1f},{ay:.1f}L{bx:.1f},{by:.1f}" + "".join(
            f"M{bx:.1f},{by:.1f}L{hx:.1f},{hy:.1f}" for hx, hy in heads
        )
        return format_html('<path d="{}"/>', path)
    if kind == "circle" and len(pts) == 2:
        r = math.hypot(pts[1][0] - pts[0][0], pts[1][1] - pts[0][1])
        return format_html('<circle cx="{}" cy="{}" r="{}"/>', *_n(pts[0][0], pts[0][1], r))
    if kind == "text" and len(pts) == 1:
        return _label(*pts[0], shape.get("text", ""))
    if kind == "angle" and len(pts) == 3:
        (ax, ay), (bx, by), (cx, cy) = pts
        path = format_html('<path d="M{},{}L{},{}L{},{}"/>', *_n(ax, ay, bx, by, cx, cy))
        return format_html("{}{}", path, _label(bx + 2, by - 2, f"{float(shape.get('degrees', 0)):.1f}°"))
    return SafeString("")


@register.simple_tag
def note_drawing(note) -> SafeString:
    """An <svg> of the note's shapes, labelled with the drawing's summary; "" for a note without one."""
    if not note.shapes:
        return SafeString("")
    aspect = note.frame_aspect if 0.2 <= note.frame_aspect <= 5 else 16 / 9
    width = HEIGHT * aspect
    shapes = format_html_join("", "{}", ((_shape(s, width),) for s in note.shapes))
    return format_html(
        '<svg class="note-picture" viewBox="0 0 {} 100" role="img" aria-label="Drawing: {}">'
        '<rect width="100%" height="100%" fill="#141828"/>'
        '<g fill="none" stroke="{}" stroke-width="1" stroke-linecap="round" font-size="6">{}</g></svg>',
        f"{width:.1f}", note.drawing_summary, INK, shapes,
    )  # fmt: skip
