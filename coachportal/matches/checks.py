"""AI on the Ball's video requirements, checked on the stored file before anything is sent.

PyAV opens the container and reads its header (for MP4 the `moov` box): no frame is decoded, so a
two-hour match is checked as fast as a two-second clip.

Reference: https://docs.aiontheball.nl/versions/v1/endpoints/videos/ ("Video Requirements")
"""
# ruff: noqa: RUF001, RUF003 (en dashes and × are the typography people read)

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import IO

import av
from django.conf import settings

from coachportal.uploads import sniff

log = logging.getLogger(__name__)

MIN_SECONDS = 10 * 60
MAX_LONG_SIDE, MAX_SHORT_SIDE = 1920, 1080
REQUIRED_FPS = 25
FPS_TOLERANCE = 0.01

NOT_MP4 = "“{name}” is not an MP4 file. AI on the Ball accepts MP4 only: export or convert the match to MP4."
UNREADABLE = "“{name}” could not be read as a video. Check that the file is a complete MP4."
TOO_SHORT = "The video is {length}; AI on the Ball needs at least {minimum} of match."
TOO_LARGE = "The video is {width}×{height}; AI on the Ball accepts at most 1080p (1920×1080)."
WRONG_FPS = "The video runs at {fps} frames per second; AI on the Ball needs exactly 25 fps."
NO_FPS = "The video's frame rate could not be read; AI on the Ball needs exactly 25 fps."


def min_seconds() -> int:
    # A setting only so tests can use short clips; the provider's minimum is 10 minutes.
    return int(getattr(settings, "MATCHES_MIN_SECONDS", MIN_SECONDS))


@dataclass(frozen=True)
class VideoFacts:
    container: str | None  # "mp4", "mov", ... from the first bytes; None if not a video container
    duration: float | None
    width: int | None
    height: int | None
    fps: float | None


def clock(seconds: float) -> str:
    seconds = round(seconds)
    minutes, secs = divmod(seconds, 60)
    if minutes >= 60:
        return f"{minutes // 60} h {minutes % 60:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s" if secs else f"{minutes} min"
    return f"{secs} s"


def probe(source: str | IO[bytes]) -> VideoFacts:
    """Read the container type, duration, size and frame rate of a path, URL or open binary file."""
    if isinstance(source, str) and not source.startswith(("http://", "https://")):
        with open(source, "rb") as handle:
            head = handle.read(sniff.HEAD_BYTES)
    elif isinstance(source, str):
        head = b""  # a presigned URL: trust the ftyp check PyAV's demuxer makes below
    else:
        head = sniff.read_head(source)
    container = sniff.container_of(head) if head else "mp4"
    try:
        with av.open(source, mode="r", timeout=20) as media:
            if not media.streams.video:
                return VideoFacts(container, None, None, None, None)
            stream = media.streams.video[0]
            duration = None
            if media.duration:
                duration = media.duration / av.time_base
            elif stream.duration and stream.time_base:
                duration = float(stream.duration * stream.time_base)
            rate = stream.average_rate or stream.guessed_rate or stream.base_rate
            return VideoFacts(
                container=container,
                duration=duration,
                width=stream.codec_context.width or None,
                height=stream.codec_context.height or None,
                fps=float(rate) if rate else None,
            )
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        log.info("Could not probe a match video: %s", exc)
        return VideoFacts(container, None, None, None, None)


def problems(facts: VideoFacts, *, name: str) -> list[str]:
    """Every requirement the video fails, as messages for the person who chose the file."""
    if facts.container != "mp4":
        return [NOT_MP4.format(name=name)]
    if facts.duration is None and facts.width is None:
        return [UNREADABLE.format(name=name)]
    found = []
    if facts.duration is None or facts.duration < min_seconds():
        length = clock(facts.duration) if facts.duration else "of unknown length"
        found.append(TOO_SHORT.format(length=length, minimum=clock(min_seconds())))
    if facts.width and facts.height:
        long_side, short_side = max(facts.width, facts.height), min(facts.width, facts.height)
        if long_side > MAX_LONG_SIDE or short_side > MAX_SHORT_SIDE:
            found.append(TOO_LARGE.format(width=facts.width, height=facts.height))
    if facts.fps is None:
        found.append(NO_FPS)
    elif abs(facts.fps - REQUIRED_FPS) > FPS_TOLERANCE:
        found.append(
            WRONG_FPS.format(fps=f"{facts.fps:g}" if facts.fps == int(facts.fps) else f"{facts.fps:.2f}")
        )
    return found


def probe_stored(storage, name: str) -> VideoFacts:
    """Probe a file in storage: by path on local disk, by a short-lived URL on S3, else by reading it."""
    from django.core.files.storage import FileSystemStorage

    from . import services

    backend = services.real_storage(storage)
    if isinstance(backend, FileSystemStorage):
        return probe(backend.path(name))
    if services.is_s3(backend):
        # Only the first bytes and the header boxes are fetched, by range requests.
        head = services.read_stored_head(storage, name)
        facts = probe(services.presigned_url(storage, name, expires=300))
        return VideoFacts(sniff.container_of(head), facts.duration, facts.width, facts.height, facts.fps)
    with storage.open(name, "rb") as handle:
        return probe(handle)
