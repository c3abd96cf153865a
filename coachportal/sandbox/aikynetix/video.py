"""Render the analysed video: the upload's frames with a drawn overlay, or a synthetic clip.

Output is a small, playable MP4 (H.264, yuv420p, moov atom first so browsers can start and seek).
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np

log = logging.getLogger(__name__)

MAX_SECONDS = 6.0
MAX_WIDTH = 640
MAX_FPS = 30
SYNTHETIC_SIZE = (480, 270)
SYNTHETIC_FPS = 25

Point = tuple[float, float]
BONES = [
    ("head", "neck"),
    ("neck", "hip"),
    ("neck", "l_elbow"),
    ("l_elbow", "l_hand"),
    ("neck", "r_elbow"),
    ("r_elbow", "r_hand"),
    ("hip", "l_knee"),
    ("l_knee", "l_foot"),
    ("hip", "r_knee"),
    ("r_knee", "r_foot"),
]


def render_analyzed(source: Path | None, target: Path, *, activity: str, seed: int) -> None:
    """Write the analysed clip to `target` atomically; draw a synthetic clip if `source` will not decode."""
    partial = target.with_name(target.name + ".partial")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        if source is None or not _overlay_upload(source, partial, activity, seed):
            _write(partial, _synthetic_frames(activity, seed, overlay=True), SYNTHETIC_FPS)
    except (av.FFmpegError, OSError, ValueError) as exc:
        log.info("analysed video from %s failed (%s); drawing a synthetic clip", source, exc)
        _write(partial, _synthetic_frames(activity, seed, overlay=True), SYNTHETIC_FPS)
    os.replace(partial, target)


def render_placeholder(target: Path, *, activity: str, seed: int) -> None:
    """Write a synthetic 'original' clip (no overlay) for sessions that have no uploaded file (the demo)."""
    partial = target.with_name(target.name + ".partial")
    target.parent.mkdir(parents=True, exist_ok=True)
    _write(partial, _synthetic_frames(activity, seed, overlay=False), SYNTHETIC_FPS)
    os.replace(partial, target)


def _overlay_upload(source: Path, target: Path, activity: str, seed: int) -> bool:
    with av.open(str(source)) as container:
        stream = next((s for s in container.streams if s.type == "video"), None)
        if stream is None or not stream.width or not stream.height:
            return False
        stream.thread_type = "AUTO"
        in_fps = float(stream.average_rate or SYNTHETIC_FPS) or SYNTHETIC_FPS
        step = max(1, round(in_fps / MAX_FPS))  # keep real-time speed while capping the frame rate
        fps = max(1, round(in_fps / step))
        scale = min(1.0, MAX_WIDTH / stream.width)
        width, height = _even(stream.width * scale), _even(stream.height * scale)

        def frames() -> Iterator[np.ndarray]:
            kept = 0
            for index, frame in enumerate(container.decode(stream)):
                if index % step:
                    continue
                if kept >= MAX_SECONDS * fps:
                    return
                image = frame.to_ndarray(width=width, height=height, format="rgb24").copy()
                _draw_analysis(image, kept / fps, activity, seed)
                kept += 1
                yield image

        return _write(target, frames(), fps) > 0


def _write(target: Path, frames: Iterator[np.ndarray], fps: int) -> int:
    """Encode RGB frames to H.264 MP4 with faststart; return the number of frames written."""
    count = 0
    output = None
    try:
        for image in frames:
            if output is None:
                output = av.open(str(target), mode="w", format="mp4", options={"movflags": "+faststart"})
                stream = output.add_stream("libx264", rate=fps)
                stream.height, stream.width = image.shape[:2]
                stream.pix_fmt = "yuv420p"
                stream.options = {"preset": "veryfast", "crf": "28"}
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                output.mux(packet)
            count += 1
        if output is not None:
            for packet in stream.encode():
                output.mux(packet)
    finally:
        if output is not None:
            output.close()
    return count


def _even(value: float) -> int:
    return max(2, int(value) // 2 * 2)


# Synthetic clips -------------------------------------------------------------------------------------


def _synthetic_frames(activity: str, seed: int, *, overlay: bool) -> Iterator[np.ndarray]:
    width, height = SYNTHETIC_SIZE
    rows = np.linspace(0, 1, height, dtype=np.float32)[:, None]
    tint = np.array([(seed >> 3) % 60, (seed >> 7) % 60, 90 + seed % 60], dtype=np.float32)
    sky = (rows * tint + (1 - rows) * 25)[:, None, :]  # a vertical gradient, (height, 1, 3)
    background = np.broadcast_to(sky, (height, width, 3)).astype(np.uint8)
    background[int(height * 0.86) :, :] = (60, 70, 60)
    for index in range(int(4 * SYNTHETIC_FPS)):
        image = background.copy()
        t = index / SYNTHETIC_FPS
        if activity == "Running":  # the track moves under the runner
            for x in range(int(-t * 160) % 60, width, 60):
                image[int(height * 0.9) : int(height * 0.92), x : x + 30] = (200, 200, 200)
        joints = _pose(activity, t, width, height, seed)
        for a, b in BONES:
            _line(image, joints[a], joints[b], (235, 235, 235), 7)
        _disc(image, joints["head"], height * 0.045, (235, 235, 235))
        if overlay:
            _draw_analysis(image, t, activity, seed, joints)
        yield image


def _pose(activity: str, t: float, width: int, height: int, seed: int) -> dict[str, Point]:
    """A stick figure in pixels for time t: a runner's stride, a jump's arc or a lift's pull."""
    unit = height * 0.16
    hip_x, hip_y = width * 0.5, height * 0.55
    swing = math.sin(2 * math.pi * 1.4 * t)
    arms_up = 0.0
    bend = 0.0
    if activity == "Vertical Jump":
        phase = (t % 1.6) / 1.6
        hip_y -= max(0.0, math.sin(math.pi * (phase - 0.3) / 0.5)) * unit * 1.2 if 0.3 < phase < 0.8 else 0
        bend = max(0.0, math.sin(math.pi * phase / 0.3)) if phase < 0.3 else 0.0
        hip_y += bend * unit * 0.5
        arms_up = 1.0 if 0.3 < phase < 0.8 else -bend
        swing = 0.0
    elif activity == "Weightlifting":
        phase = (t % 2.0) / 2.0
        arms_up = min(1.0, phase * 2)
        bend = max(0.0, 1 - phase * 3)
        hip_y += bend * unit * 0.6
        swing = 0.0
    neck = (hip_x, hip_y - unit * 1.4)
    arm_angle = math.pi / 2 + swing * 0.8 - arms_up * math.pi * 0.95
    elbow = (neck[0] + math.cos(arm_angle) * unit * 0.7, neck[1] + math.sin(arm_angle) * unit * 0.7)
    other_arm = math.pi / 2 - swing * 0.8 - arms_up * math.pi * 0.95
    elbow_r = (neck[0] + math.cos(other_arm) * unit * 0.7, neck[1] + math.sin(other_arm) * unit * 0.7)

    def leg(direction: float) -> tuple[Point, Point]:
        knee = (hip_x + direction * swing * unit * 0.5 + bend * unit * 0.4, hip_y + unit * (0.9 - bend * 0.3))
        foot = (knee[0] - abs(swing) * unit * 0.3 * direction, min(height * 0.86, knee[1] + unit * 0.9))
        return knee, foot

    l_knee, l_foot = leg(1.0)
    r_knee, r_foot = leg(-1.0)
    return {
        "head": (neck[0], neck[1] - unit * 0.45),
        "neck": neck,
        "hip": (hip_x, hip_y),
        "l_elbow": elbow,
        "l_hand": (elbow[0] + (elbow[0] - neck[0]) * 0.9, elbow[1] + (elbow[1] - neck[1]) * 0.9),
        "r_elbow": elbow_r,
        "r_hand": (elbow_r[0] + (elbow_r[0] - neck[0]) * 0.9, elbow_r[1] + (elbow_r[1] - neck[1]) * 0.9),
        "l_knee": l_knee,
        "l_foot": l_foot,
        "r_knee": r_knee,
        "r_foot": r_foot,
    }


# The overlay -----------------------------------------------------------------------------------------


def _draw_analysis(
    image: np.ndarray, t: float, activity: str, seed: int, joints: dict[str, Point] | None = None
) -> None:
    """Draw the 'analysis': skeleton, joints, a bounding box, the bar (lifts) and a metric gauge."""
    height, width = image.shape[:2]
    if joints is None:
        joints = _pose(activity, t, width, height, seed)
    for a, b in BONES:
        _line(image, joints[a], joints[b], (40, 255, 120), max(2, height // 120))
    for point in joints.values():
        _disc(image, point, max(3, height // 70), (255, 60, 60))
    xs = [p[0] for p in joints.values()]
    ys = [p[1] for p in joints.values()]
    pad = height * 0.04
    _rect(image, min(xs) - pad, min(ys) - pad * 2, max(xs) + pad, max(ys) + pad, (255, 220, 0), 2)
    if activity == "Weightlifting":
        hands = (
            (joints["l_hand"][0] + joints["r_hand"][0]) / 2,
            (joints["l_hand"][1] + joints["r_hand"][1]) / 2,
        )
        half = width * 0.16
        _line(image, (hands[0] - half, hands[1]), (hands[0] + half, hands[1]), (200, 200, 255), 4)
        for end in (-1, 1):
            _disc(image, (hands[0] + end * half, hands[1]), height * 0.06, (30, 30, 200))
        _line(image, (hands[0], hands[1]), (hands[0], height * 0.8), (0, 200, 255), 2)  # bar path
    # A gauge along the bottom: how far through the clip, and a pulsing metric bar.
    gauge = int(width * (0.5 + 0.45 * math.sin(2 * math.pi * 0.7 * t + seed % 7)))
    image[height - 14 : height - 8, 8 : max(9, gauge)] = (255, 120, 0)
    image[height - 5 : height - 2, 8 : 8 + int((width - 16) * min(1.0, t / MAX_SECONDS))] = (255, 255, 255)


def _line(image: np.ndarray, p0: Point, p1: Point, color: tuple[int, int, int], thickness: int) -> None:
    height, width = image.shape[:2]
    steps = int(max(abs(p1[0] - p0[0]), abs(p1[1] - p0[1]))) + 1
    xs = np.linspace(p0[0], p1[0], steps).round().astype(int)
    ys = np.linspace(p0[1], p1[1], steps).round().astype(int)
    radius = thickness // 2
    for dy in range(-radius, radius + 1):
        for dx in range(-radius, radius + 1):
            image[np.clip(ys + dy, 0, height - 1), np.clip(xs + dx, 0, width - 1)] = color


def _disc(image: np.ndarray, centre: Point, radius: float, color: tuple[int, int, int]) -> None:
    height, width = image.shape[:2]
    x0, x1 = max(0, int(centre[0] - radius)), min(width, int(centre[0] + radius) + 1)
    y0, y1 = max(0, int(centre[1] - radius)), min(height, int(centre[1] + radius) + 1)
    if x0 >= x1 or y0 >= y1:
        return
    yy, xx = np.ogrid[y0:y1, x0:x1]
    mask = (xx - centre[0]) ** 2 + (yy - centre[1]) ** 2 <= radius * radius
    image[y0:y1, x0:x1][mask] = color


def _rect(image: np.ndarray, x0: float, y0: float, x1: float, y1: float, color, thickness: int) -> None:
    for a, b in (((x0, y0), (x1, y0)), ((x1, y0), (x1, y1)), ((x1, y1), (x0, y1)), ((x0, y1), (x0, y0))):
        _line(image, a, b, color, thickness)
