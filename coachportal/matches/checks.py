"""AI on the Ball's video requirements, checked on the stored file before anything is sent.

PyAV opens the container and reads its header (for MP4 the `moov` box): no frame is decoded, so a
two-hour match is checked as fast as a two-second clip.

Reference: https://docs.aiontheball.nl/versions/v1/endpoints/videos/ ("Video Requirements")
"""
# ruff: noqa: RUF001, RUF003 (en dashes and × are the typography people read)

from __future__ import annotations

import io
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
# Ranged reads of a stored object: 1 MiB per request, at most 16 MiB held at once.
READ_BLOCK = 1 << 20
MAX_BLOCKS = 16

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


class RangeReader(io.RawIOBase):
    """A read-only, seekable view of an object in the bucket, fetched by ranged GETs through boto3.

    PyAV reads the container header through it (for MP4 the `moov` box, at the start or the end of
    the file) and skips over the media data, so a match of several gigabytes costs a few small
    requests. boto3 rather than a presigned HTTP URL: it works the same against S3 and moto.
    """

    def __init__(self, client, bucket: str, key: str, size: int, *, block: int = READ_BLOCK):
        super().__init__()
        self.client, self.bucket, self.key, self.size, self.block = client, bucket, key, size, block
        self.position = 0
        self.requests = 0
        self._blocks: dict[int, bytes] = {}

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        self.position = max(0, base + offset)
        return self.position

    def _fetch(self, index: int) -> bytes:
        if index not in self._blocks:
            if len(self._blocks) >= MAX_BLOCKS:
                self._blocks.pop(next(iter(self._blocks)))
            start = index * self.block
            end = min(self.size, start + self.block) - 1
            reply = self.client.get_object(Bucket=self.bucket, Key=self.key, Range=f"bytes={start}-{end}")
            self.requests += 1
            self._blocks[index] = reply["Body"].read()
        return self._blocks[index]

    def read(self, size: int = -1) -> bytes:
        if self.position >= self.size:
            return b""
        if size is None or size < 0:
            size = self.size - self.position
        size = min(size, self.size - self.position)
        parts = []
        while size > 0:
            index, offset = divmod(self.position, self.block)
            data = self._fetch(index)[offset : offset + size]
            if not data:
                break
            parts.append(data)
            self.position += len(data)
            size -= len(data)
        return b"".join(parts)

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def probe_stored(storage, name: str) -> VideoFacts:
    """Probe a stored file: by path on local disk, by ranged reads through boto3 on S3, else by reading it."""
    from django.core.files.storage import FileSystemStorage

    from . import services

    backend = services.real_storage(storage)
    if isinstance(backend, FileSystemStorage):
        return probe(backend.path(name))
    if services.is_s3(backend):
        client, bucket, key = services.s3_object(backend, name)
        size = client.head_object(Bucket=bucket, Key=key)["ContentLength"]
        with RangeReader(client, bucket, key, size) as reader:
            return probe(reader)
    with storage.open(name, "rb") as handle:
        return probe(handle)
