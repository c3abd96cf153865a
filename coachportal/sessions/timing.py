"""Where things happen in a session's analysed video: its frame rate and the provider's timing markers.

The provider's documents name a frame rate nowhere except a running metric `FPS`; where it is absent
the analysed video is probed once in the background (`probe_frame_rate`). Markers come from the
timing the provider does give: frames where each jump ends (`end_frames`), the weightlifting phase
frames (`start_of_lifting`, `first_pull_end`, ...), and running's segment timestamps in seconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real
from typing import Any

from . import catalogue
from .models import Activity

# Where the provider may state the frame rate: a top-level field or the running metric "FPS".
FPS_KEYS = ("fps", "FPS", "frame_rate")
MIN_FPS, MAX_FPS = 1.0, 1000.0

# Weightlifting phase frames in the order a lift goes through them (named by the catalogue).
LIFT_PHASES = [
    "start_of_lifting",
    "first_pull_end",
    "transition",
    "second_pull_end",
    "catch_end",
    "recovery_end",
]


def _number(value: Any) -> float | None:
    if isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def _plausible_fps(value: Any) -> float | None:
    if isinstance(value, list):  # a per-segment metric: one rate for the whole video
        numbers = {n for n in map(_number, value) if n is not None}
        value = numbers.pop() if len(numbers) == 1 else None
    number = _number(value)
    return number if number is not None and MIN_FPS <= number <= MAX_FPS else None


def provider_frame_rate(raw: dict[str, Any], metrics: dict[str, Any]) -> float | None:
    """The frame rate the provider states for the session, or None when it states none we can trust."""
    for source in (raw or {}, metrics or {}):
        if not isinstance(source, dict):
            continue
        for key in FPS_KEYS:
            if (fps := _plausible_fps(source.get(key))) is not None:
                return fps
    return None


@dataclass(frozen=True)
class Marker:
    label: str
    seconds: float


def markers(activity: str, raw: dict[str, Any], metrics: dict[str, Any], fps: float | None) -> list[Marker]:
    """The moments the provider names, in seconds into the analysed video, in time order."""
    raw = raw if isinstance(raw, dict) else {}
    metrics = metrics if isinstance(metrics, dict) else {}
    found: list[Marker] = []
    if activity == Activity.JUMPING and fps:
        frames = [f for f in map(_number, raw.get("end_frames") or []) if f is not None and f >= 0]
        found = [Marker(f"Jump {i} ends", frame / fps) for i, frame in enumerate(sorted(frames), start=1)]
    elif activity == Activity.WEIGHTLIFTING and fps:
        for key in LIFT_PHASES:
            frame = _number(metrics.get(key))
            if frame is not None and frame >= 0:
                found.append(Marker(catalogue.metric(key, Activity.WEIGHTLIFTING).label, frame / fps))
    elif activity == Activity.RUNNING:
        stamps = raw.get("all_timestamps")
        segments = raw.get("segments")
        # Running's timestamps are seconds, one per segment (reference 8.1); other lengths are samples.
        if isinstance(stamps, list) and isinstance(segments, int) and len(stamps) == segments:
            found = [
                Marker(f"Segment {i}", s)
                for i, s in enumerate((s for s in map(_number, stamps) if s is not None and s >= 0), start=1)
            ]
    return sorted(found, key=lambda m: m.seconds)
