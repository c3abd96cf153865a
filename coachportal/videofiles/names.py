"""File names people choose: judged by their final extension after Unicode normalisation."""

from __future__ import annotations

import unicodedata

VIDEO_EXTENSIONS = ("mp4", "m4v", "mov", "webm", "mkv", "avi")
NOT_A_VIDEO_NAME = (
    "“{name}” does not end in a video extension ({extensions}). Choose the video file itself, "
    "or rename it if it really is a video."
)


def readable_name(filename: str) -> str:
    """The name as people should see it: NFKC-normalised, without invisible format characters.

    Format characters (category Cf) include the bidirectional overrides (U+202E and friends) that make
    "clip\u202emp4.exe" display as "clipexe.4pm"-style tricks.
    """
    normal = unicodedata.normalize("NFKC", filename or "")
    return "".join(ch for ch in normal if unicodedata.category(ch) != "Cf").strip()


def final_extension(filename: str) -> str:
    """The lower-case extension after the last dot of the readable name's last path part, or ""."""
    base = readable_name(filename).replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, extension = base.rpartition(".")
    return extension.strip().lower() if dot and stem else ""


def name_problem(filename: str) -> str | None:
    """A message if the name's final extension is not a video one (`clip.mp4.exe`), else None."""
    if final_extension(filename) in VIDEO_EXTENSIONS:
        return None
    extensions = ", ".join(f".{ext}" for ext in VIDEO_EXTENSIONS)
    return NOT_A_VIDEO_NAME.format(name=readable_name(filename), extensions=extensions)
