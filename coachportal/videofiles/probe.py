"""Probe a video file's container: reading only its header and index, never decoding a frame.

A file passes when its boxes (MP4/MOV) or RIFF chunk (AVI) fit in the file, its index is there, PyAV
opens it and finds a video stream with a duration, a picture size and a frame rate. A two-hour match
is probed as fast as a two-second clip; on S3 through a few ranged reads.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass
from typing import IO

import requests
from django.core.files.storage import FileSystemStorage
from django.utils.functional import empty

from . import sniff

log = logging.getLogger(__name__)

# Ranged reads of a stored object: 1 MiB per request, at most 16 MiB held at once.
READ_BLOCK = 1 << 20
MAX_BLOCKS = 16
HTTP_BLOCK = 256 << 10  # a provider's video over HTTP: smaller reads, most of the file is never needed
HTTP_TIMEOUT = (5.0, 30.0)  # connect, read
MAX_BOXES = 100_000  # no real file has this many top-level boxes; a crafted one must not loop for long

NOT_VIDEO = "“{name}” is not a video. Upload an MP4, MOV, WebM, MKV or AVI file."
CUT_OFF = "“{name}” is cut off: the file ends before the video does. Copy or export the whole file again."
NO_INDEX = (
    "“{name}” has no index (its moov box is missing), so it cannot be played. "
    "Export it again from the camera or editor."
)
UNREADABLE = "“{name}” could not be read as a video. Check that the file is a complete video."
NO_VIDEO_STREAM = "“{name}” has no picture in it, only sound or data. Choose the video file."
INCOMPLETE_FACTS = (
    "“{name}” does not say how long it is, how large its picture is or its frame rate, "
    "so it cannot be analysed. Export it again as MP4."
)
_BOX_TYPE = re.compile(rb"[A-Za-z0-9 \xa9_-]{4}")


@dataclass(frozen=True)
class VideoFacts:
    container: str | None  # "mp4", "mov", ... from the first bytes; None if not a video container
    duration: float | None
    width: int | None
    height: int | None
    fps: float | None
    problem: str | None = None  # why the file is not a usable video: a message with a {name} field

    def refusal(self, name: str) -> str | None:
        """The problem as a message naming the file, or None when the file is a usable video."""
        return self.problem.format(name=name) if self.problem else None


def _iso_problem(handle: IO[bytes], size: int) -> str | None:
    """Walk the top-level boxes of an MP4/MOV file: each must fit in the file and a `moov` must be there."""
    offset, kinds = 0, set()
    for _ in range(MAX_BOXES):
        if offset >= size:
            break
        handle.seek(offset)
        header = handle.read(16)
        if len(header) < 8:
            return CUT_OFF
        box_size, kind = int.from_bytes(header[:4], "big"), header[4:8]
        if not _BOX_TYPE.fullmatch(kind):
            return UNREADABLE  # not a box: text or markup after an ftyp (a polyglot), or garbage
        if box_size == 1:  # a 64-bit size follows the type
            if len(header) < 16:
                return CUT_OFF
            box_size = int.from_bytes(header[8:16], "big")
        elif box_size == 0:  # the box runs to the end of the file
            box_size = size - offset
        if box_size < 8:
            return UNREADABLE
        if offset + box_size > size:
            return CUT_OFF
        kinds.add(kind)
        offset += box_size
    else:
        return UNREADABLE
    return None if b"moov" in kinds else NO_INDEX


def _riff_problem(head: bytes, size: int) -> str | None:
    """An AVI file says its own length in its first chunk: a shorter file was cut off."""
    declared = int.from_bytes(head[4:8], "little") + 8
    return CUT_OFF if declared > size else None


def _size_of(handle: IO[bytes]) -> int:
    handle.seek(0, io.SEEK_END)
    size = handle.tell()
    handle.seek(0)
    return size


def _structure_problem(handle: IO[bytes], container: str, head: bytes) -> str | None:
    size = _size_of(handle)
    if container in ("mp4", "mov"):
        return _iso_problem(handle, size)
    if container == "avi":
        return _riff_problem(head, size)
    return None  # Matroska/WebM: PyAV's reading of the header below is the check


def probe(source: str | IO[bytes]) -> VideoFacts:
    """Read the container type, duration, size and frame rate of a local path or an open binary file."""
    if isinstance(source, str):
        with open(source, "rb") as handle:
            return _probe_open(handle)
    try:
        return _probe_open(source)
    finally:
        source.seek(0)


def _probe_open(handle: IO[bytes]) -> VideoFacts:
    import av  # here: FFmpeg's libraries take some 23 MB, in every process that imports the library

    head = sniff.read_head(handle)
    container = sniff.container_of(head)
    if container is None:
        return VideoFacts(None, None, None, None, None, NOT_VIDEO)
    problem = _structure_problem(handle, container, head)
    if problem:
        return VideoFacts(container, None, None, None, None, problem)
    handle.seek(0)
    try:
        with av.open(handle, mode="r") as media:
            if not media.streams.video:
                return VideoFacts(container, None, None, None, None, NO_VIDEO_STREAM)
            stream = media.streams.video[0]
            duration = None
            if media.duration:
                duration = media.duration / av.time_base
            elif stream.duration and stream.time_base:
                duration = float(stream.duration * stream.time_base)
            rate = stream.average_rate or stream.guessed_rate or stream.base_rate
            facts = VideoFacts(
                container=container,
                duration=duration,
                width=stream.codec_context.width or None,
                height=stream.codec_context.height or None,
                fps=float(rate) if rate else None,
            )
    except (av.error.FFmpegError, OSError, ValueError, OverflowError) as exc:
        log.info("Could not probe a video: %s", exc)
        return VideoFacts(container, None, None, None, None, UNREADABLE)
    if not (facts.duration and facts.width and facts.height and facts.fps):
        return VideoFacts(
            facts.container, facts.duration, facts.width, facts.height, facts.fps, INCOMPLETE_FACTS
        )
    return facts


class RangeReader(io.RawIOBase):
    """A read-only, seekable view of an object in the bucket, fetched by ranged GETs through boto3.

    PyAV reads the container header through it (for MP4 the `moov` box, at the start or the end of
    the file) and skips over the media data, so a file of several gigabytes costs a few small
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
            self.requests += 1
            self._blocks[index] = self._read_range(start, end)
        return self._blocks[index]

    def _read_range(self, start: int, end: int) -> bytes:
        reply = self.client.get_object(Bucket=self.bucket, Key=self.key, Range=f"bytes={start}-{end}")
        return reply["Body"].read()

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


class HttpRangeReader(RangeReader):
    """The same view of a video behind an HTTP(S) URL that answers Range requests (a provider's video)."""

    def __init__(self, session: requests.Session, url: str, size: int, *, block: int = HTTP_BLOCK):
        super().__init__(None, None, None, size, block=block)
        self.session, self.url = session, url

    def _read_range(self, start: int, end: int) -> bytes:
        reply = self.session.get(self.url, headers={"Range": f"bytes={start}-{end}"}, timeout=HTTP_TIMEOUT)
        reply.raise_for_status()
        if reply.status_code == 206:
            return reply.content
        if self.size > self.block:  # a whole large file for every block is not "reading only the header"
            raise OSError("the server does not answer ranged requests")
        return reply.content[start : end + 1]


def probe_url(url: str) -> VideoFacts:
    """Probe a video behind a URL by ranged GETs (its header and index, never the media).

    Raises requests.RequestException when the server cannot be reached or refuses: the caller may try
    again later, unlike a file that was read and is not a usable video.
    """
    with requests.Session() as session:
        head = session.head(url, timeout=HTTP_TIMEOUT, allow_redirects=True)
        head.raise_for_status()
        size = int(head.headers.get("Content-Length") or 0)
        if size <= 0:
            return VideoFacts(None, None, None, None, None, UNREADABLE)
        with HttpRangeReader(session, head.url, size) as reader:
            return probe(reader)


def real_storage(storage):
    """The storage backend itself (default_storage and FileField storages are lazy wrappers)."""
    wrapped = getattr(storage, "_wrapped", storage)
    if wrapped is empty:
        storage._setup()
        wrapped = storage._wrapped
    return wrapped


def _s3_location(backend, name: str) -> tuple | None:
    """(client, bucket, key) when `backend` is django-storages' S3 storage, else None."""
    try:
        from storages.backends.s3 import S3Storage
        from storages.utils import clean_name
    except ImportError:  # pragma: no cover - django-storages is a dependency
        return None
    if not isinstance(backend, S3Storage):
        return None
    key = backend._normalize_name(clean_name(name))
    return backend.connection.meta.client, backend.bucket_name, key


def probe_stored(storage, name: str) -> VideoFacts:
    """Probe a stored file: by path on local disk, by ranged reads through boto3 on S3, else by reading it."""
    backend = real_storage(storage)
    if isinstance(backend, FileSystemStorage):
        return probe(backend.path(name))
    location = _s3_location(backend, name)
    if location is not None:
        client, bucket, key = location
        size = client.head_object(Bucket=bucket, Key=key)["ContentLength"]
        with RangeReader(client, bucket, key, size) as reader:
            return probe(reader)
    with storage.open(name, "rb") as handle:
        return probe(handle)


def probe_received(received) -> VideoFacts:
    """Probe an uploaded file before it is stored: from its temporary file, or in memory."""
    path = getattr(received, "temporary_file_path", None)
    if path is not None:
        return probe(path())
    return probe(received.file if hasattr(received, "file") else received)
