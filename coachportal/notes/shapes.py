"""Drawings on a paused frame, stored as vector data in normalised video coordinates (0..1 on each axis).

A shape is {"type": ..., "points": [[x, y], ...]} (plus "text" for a label). Points are fractions of the
frame's width and height, so a drawing scales with the player. An angle's degrees are computed here from
its three points and the frame's aspect ratio (width / height), so they are those of the picture.
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_SHAPES = 30
MAX_LINE_POINTS = 400
MAX_LABEL = 80
POINTS = {"arrow": (2, 2), "circle": (2, 2), "text": (1, 1), "angle": (3, 3), "line": (2, MAX_LINE_POINTS)}
NAMES = {"line": "line", "arrow": "arrow", "circle": "circle", "text": "label", "angle": "angle"}


class InvalidShapes(ValueError):
    """The drawing data cannot be stored; the message is for people."""


def _point(value: Any) -> list[float]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise InvalidShapes("A drawing point is not a pair of numbers.")
    try:
        x, y = (float(v) for v in value)
    except (TypeError, ValueError):
        raise InvalidShapes("A drawing point is not a pair of numbers.") from None
    if not (math.isfinite(x) and math.isfinite(y)):
        raise InvalidShapes("A drawing point is not a pair of numbers.")
    return [round(min(max(x, 0.0), 1.0), 4), round(min(max(y, 0.0), 1.0), 4)]


def angle_degrees(points: list[list[float]], aspect: float) -> float:
    """The angle at the middle point, in degrees, measured on a frame `aspect` times wider than high."""
    (ax, ay), (bx, by), (cx, cy) = points
    ux, uy = (ax - bx) * aspect, ay - by
    vx, vy = (cx - bx) * aspect, cy - by
    lengths = math.hypot(ux, uy) * math.hypot(vx, vy)
    if lengths == 0:
        return 0.0
    cosine = max(-1.0, min(1.0, (ux * vx + uy * vy) / lengths))
    return round(math.degrees(math.acos(cosine)), 1)


def clean(raw: str | list | None, *, aspect: float) -> list[dict]:
    """Validate drawing data (JSON text or a list) and return it normalised; raise InvalidShapes."""
    if raw in (None, "", []):
        return []
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise InvalidShapes("The drawing could not be read. Clear it and draw again.") from None
    if not isinstance(raw, list):
        raise InvalidShapes("The drawing could not be read. Clear it and draw again.")
    if len(raw) > MAX_SHAPES:
        raise InvalidShapes(f"A note holds at most {MAX_SHAPES} shapes.")
    shapes = []
    for item in raw:
        if not isinstance(item, dict) or item.get("type") not in POINTS:
            raise InvalidShapes("The drawing holds a shape this page does not know.")
        kind = item["type"]
        low, high = POINTS[kind]
        points = item.get("points")
        if not isinstance(points, list) or not low <= len(points) <= high:
            article = "An" if NAMES[kind][0] in "aeiou" else "A"
            raise InvalidShapes(
                f"{article} {NAMES[kind]} needs {low} points." if low == high else "A line is too long."
            )
        shape: dict[str, Any] = {"type": kind, "points": [_point(p) for p in points]}
        if kind == "text":
            text = str(item.get("text") or "").strip()
            if not text:
                raise InvalidShapes("A label needs some text.")
            if len(text) > MAX_LABEL:
                raise InvalidShapes(f"A label holds at most {MAX_LABEL} characters.")
            shape["text"] = text
        if kind == "angle":
            shape["degrees"] = angle_degrees(shape["points"], aspect)
        shapes.append(shape)
    return shapes


def summary(shapes: list[dict]) -> str:
    """A short description of a drawing for lists and exports: "arrow, angle 142.0°"."""
    parts = []
    for shape in shapes:
        if shape.get("type") == "angle":
            parts.append(f"angle {shape.get('degrees', 0):.1f}°")
        elif shape.get("type") == "text":
            parts.append(f"label “{shape.get('text', '')}”")
        else:
            parts.append(NAMES.get(shape.get("type"), "shape"))
    return ", ".join(parts)
