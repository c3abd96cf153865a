"""Small synthetic videos for the match requirement checks (tests and demos only).

A flat picture compresses to almost nothing and encodes fast, so even a ten-minute 25 fps clip at
320×180 takes a couple of seconds and a few hundred kilobytes.
"""
# ruff: noqa: RUF002, RUF003 (en dashes and × are the typography people read)

from __future__ import annotations

from pathlib import Path

import av
import numpy as np


def make_video(
    path: Path,
    *,
    seconds: float,
    fps: int = 25,
    width: int = 320,
    height: int = 180,
    container: str = "mp4",
    codec: str = "libx264",
    faststart: bool = False,
) -> Path:
    """Write a clip of one flat colour and return its path (`faststart`: the index before the media)."""
    options = {}
    if codec == "libx264":
        frames_total = max(1, int(seconds * fps))
        options = {
            "preset": "ultrafast",
            "crf": "40",
            # One keyframe for the whole clip: almost every frame is an empty "skip" frame.
            "x264-params": f"keyint={frames_total}:min-keyint={frames_total}:scenecut=0",
        }
    container_options = {"movflags": "faststart"} if faststart else {}
    with av.open(str(path), mode="w", format=container, options=container_options) as media:
        stream = media.add_stream(codec, rate=fps, options=options)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        image = np.zeros((height, width, 3), dtype=np.uint8)
        image[:, :] = (34, 120, 50)
        frame = av.VideoFrame.from_ndarray(image, format="rgb24").reformat(format="yuv420p")
        for index in range(max(1, int(seconds * fps))):
            frame.pts = index
            for packet in stream.encode(frame):
                media.mux(packet)
        for packet in stream.encode():
            media.mux(packet)
    return Path(path)
