"""Real, playable MP4s for the sandbox's `mp4_source`: a drawn pitch with a match clock.

One frame per second keeps a 90-minute file small and quick to encode, and the clock shows that
seeking to an event's time lands on the right moment.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import av
import numpy as np

from . import matchdata

WIDTH, HEIGHT = 320, 180
_lock = threading.Lock()

# 3x5 bitmap digits and a colon, enough for "MM:SS".
_GLYPHS = {
    "0": ("111", "101", "101", "101", "111"),
    "1": ("010", "110", "010", "010", "111"),
    "2": ("111", "001", "111", "100", "111"),
    "3": ("111", "001", "111", "001", "111"),
    "4": ("101", "101", "111", "001", "001"),
    "5": ("111", "100", "111", "001", "111"),
    "6": ("111", "100", "111", "101", "111"),
    "7": ("111", "001", "010", "010", "010"),
    "8": ("111", "101", "111", "101", "111"),
    "9": ("111", "101", "111", "001", "111"),
    ":": ("000", "010", "000", "010", "000"),
}


def _pitch() -> np.ndarray:
    image = np.zeros((HEIGHT, WIDTH, 3), dtype=np.uint8)
    image[:, :] = (34, 120, 50)
    white = (235, 235, 235)
    image[10, 10:310] = white
    image[170, 10:310] = white
    image[10:171, 10] = white
    image[10:171, 309] = white
    image[10:171, 160] = white
    for box_x in (10, 270):
        image[55:126, box_x + 39 if box_x == 10 else box_x] = white
        image[55, box_x : box_x + 40] = white
        image[125, box_x : box_x + 40] = white
    return image


def _draw_text(image: np.ndarray, text: str, x: int, y: int, scale: int = 4) -> None:
    for char in text:
        for row, bits in enumerate(_GLYPHS[char]):
            for col, bit in enumerate(bits):
                if bit == "1":
                    top, left = y + row * scale, x + col * scale
                    image[top : top + scale, left : left + scale] = (255, 255, 255)
        x += 4 * scale


def placeholder_path(media_dir: Path, duration: int) -> Path:
    return Path(media_dir) / f"placeholder-{int(duration)}s.mp4"


def ensure_placeholder(media_dir: Path, duration: int, *, seed: int = 0) -> Path:
    """Write (once) a playable H.264 MP4 of `duration` seconds and return its path."""
    path = placeholder_path(media_dir, duration)
    with _lock:
        if path.exists():
            return path
        tmp = path.with_suffix(".part")
        base = _pitch()
        with av.open(str(tmp), mode="w", format="mp4", options={"movflags": "+faststart"}) as container:
            stream = container.add_stream("libx264", rate=1, options={"preset": "ultrafast", "crf": "32"})
            stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
            # A keyframe every 10 s keeps seeking quick in a browser.
            stream.codec_context.gop_size = 10
            for second in range(max(1, int(duration))):
                image = base.copy()
                bx, by = matchdata.ball_position(seed, float(second))
                px, py = 10 + int(bx / 105 * 299), 170 - int(by / 68 * 160)
                image[max(0, py - 2) : py + 3, max(0, px - 2) : px + 3] = (250, 220, 40)
                _draw_text(image, f"{second // 60:02d}:{second % 60:02d}", 108, 150 - 20 - 2, scale=4)
                frame = av.VideoFrame.from_ndarray(image, format="rgb24")
                for packet in stream.encode(frame):
                    container.mux(packet)
            for packet in stream.encode():
                container.mux(packet)
        os.replace(tmp, path)
        return path


def probe_duration(path: Path) -> float | None:
    """Seconds of video in a file, or None if it is not a readable video."""
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                return None
            if container.duration:
                return container.duration / 1_000_000
            stream = container.streams.video[0]
            if stream.duration and stream.time_base:
                return float(stream.duration * stream.time_base)
    except (av.error.FFmpegError, OSError, ValueError):
        return None
    return None
