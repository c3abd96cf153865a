"""Pictures of the analysed video at the notes' moments, for the PDF (PyAV, which bundles FFmpeg).

Best effort: a video that cannot be read in time gives no picture, and the report draws on a plain panel.
"""

from __future__ import annotations

import logging

import av

log = logging.getLogger(__name__)

OPEN_TIMEOUT = 10  # seconds to connect, and to wait for each read
MAX_FRAMES = 30  # pictures one report fetches at most; later notes are drawn on a plain panel
WIDTH = 640  # pixels: plenty for an 80 mm picture, and a small PDF


def frames_at(url: str, seconds: list[float]):
    """{time: PIL image} of the frame shown at each time (the first frame at or after it)."""
    wanted = sorted(set(seconds))[:MAX_FRAMES]
    if not url or not wanted:
        return {}
    found = {}
    try:
        with av.open(url, timeout=(OPEN_TIMEOUT, OPEN_TIMEOUT)) as container:
            stream = container.streams.video[0]
            rate = float(stream.average_rate or 30)
            for at in wanted:
                container.seek(int(max(at - 1, 0) / stream.time_base), stream=stream, backward=True)
                for frame in container.decode(stream):
                    if frame.time is not None and frame.time + 0.5 / rate >= at:
                        image = frame.to_image()
                        if image.width > WIDTH:
                            image = image.resize((WIDTH, round(image.height * WIDTH / image.width)))
                        found[at] = image
                        break
    except (av.FFmpegError, OSError, IndexError, ValueError) as exc:
        log.info("No video frames for the report: %s", type(exc).__name__)
    return found
