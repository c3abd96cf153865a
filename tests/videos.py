"""Real little videos for upload tests, made once per test run with PyAV, and broken copies of them."""

import functools
import tempfile
from pathlib import Path

import pytest

from coachportal.matches.testvideos import make_video
from coachportal.videofiles import probe

_DIR = Path(tempfile.mkdtemp(prefix="coachportal-test-videos-"))


@functools.cache
def tiny_mp4(*, faststart: bool = False) -> bytes:
    """A whole 0.4 s, 25 fps, 320x180 H.264 MP4 (a few kilobytes)."""
    name = "tiny-faststart.mp4" if faststart else "tiny.mp4"
    return make_video(_DIR / name, seconds=0.4, faststart=faststart).read_bytes()


def top_level_boxes(data: bytes) -> list[tuple[bytes, int, int]]:
    """(type, offset, size) of each top-level box of an MP4."""
    boxes, offset = [], 0
    while offset < len(data):
        size = int.from_bytes(data[offset : offset + 4], "big")
        boxes.append((data[offset + 4 : offset + 8], offset, size))
        offset += size
    return boxes


def cut_in_half(data: bytes) -> bytes:
    return data[: len(data) // 2]


def without_moov(data: bytes) -> bytes:
    """The same MP4 with its index (the `moov` box) taken out."""
    return b"".join(data[o : o + s] for kind, o, s in top_level_boxes(data) if kind != b"moov")


def ftyp_html_polyglot() -> bytes:
    """An `ftyp` box (so the first bytes say MP4) followed by a web page."""
    ftyp = tiny_mp4()[: top_level_boxes(tiny_mp4())[0][2]]
    return ftyp + b"<html><body><script>alert(document.cookie)</script></body></html>" * 20


def _polyglot(_: bytes) -> bytes:
    return ftyp_html_polyglot()


# Files that start like an MP4 but are broken, each with the probe's reason: (make from a good MP4, message).
broken_mp4s = pytest.mark.parametrize(
    ("make", "message"),
    [(cut_in_half, probe.CUT_OFF), (without_moov, probe.NO_INDEX), (_polyglot, probe.UNREADABLE)],
    ids=["cut-in-half", "no-moov", "ftyp-html-polyglot"],
)
