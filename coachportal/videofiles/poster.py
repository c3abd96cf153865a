"""A small poster frame (JPEG) of a video: one keyframe decoded, scaled, encoded, without Pillow.

PyAV reads a remote video through ranged HTTP reads, so only the index and the frames up to the first
keyframe after `at_seconds` are fetched, whatever the length of the video. Only MP4/MOV over http(s)
is opened: no playlist formats and no other protocols, so a URL from a provider cannot make FFmpeg
read local files or other hosts.
"""

from __future__ import annotations

from fractions import Fraction

WIDTH = 192  # px: twice the size the library shows, for sharp thumbnails on dense screens
READ_TIMEOUT_US = str(20_000_000)  # µs without data before a read gives up


class PosterFailed(Exception):
    """No frame could be read from the video."""


def poster_jpeg(source: str, *, at_seconds: float = 1.0, width: int = WIDTH) -> bytes:
    """Return a JPEG of the first keyframe at or after `at_seconds` (or of the start of a shorter video)."""
    # Imported here: FFmpeg's libraries take some 23 MB, and every process that only queues poster frames
    # (a sync, a web worker) imports this module through the library's receivers.
    import av

    remote = source.startswith(("http://", "https://"))
    # A remote video may only lead to other http(s) reads (no redirect to file:), a local one to nothing.
    options = {
        "protocol_whitelist": "http,https,tcp,tls" if remote else "file",
        "rw_timeout": READ_TIMEOUT_US,
    }
    try:
        with av.open(source, format="mp4", options=options, timeout=(10.0, 20.0)) as container:
            if not container.streams.video:
                raise PosterFailed("The file has no video stream.")
            stream = container.streams.video[0]
            stream.codec_context.skip_frame = "NONKEY"
            frame = _frame_at(container, stream, at_seconds) or _frame_at(container, stream, 0)
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise PosterFailed(f"The video could not be read ({type(exc).__name__}).") from exc
    if frame is None:
        raise PosterFailed("The video has no frame to show.")
    height = max(2, round(frame.height * width / frame.width / 2) * 2)
    small = frame.reformat(width=width, height=height, format="yuvj420p")
    encoder = av.CodecContext.create("mjpeg", "w")
    encoder.width, encoder.height, encoder.pix_fmt = width, height, "yuvj420p"
    encoder.time_base = Fraction(1, 25)
    return b"".join(bytes(packet) for packet in [*encoder.encode(small), *encoder.encode(None)])


def _frame_at(container, stream, seconds: float):
    if seconds and stream.time_base:
        container.seek(int(seconds / stream.time_base), stream=stream, backward=True, any_frame=False)
    elif seconds:
        return None
    for frame in container.decode(stream):
        return frame
    return None
