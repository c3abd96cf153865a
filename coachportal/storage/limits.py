"""How large a stored video may be, and the messages for a file that is empty or too large."""

from __future__ import annotations

from django.conf import settings

EMPTY_FILE = "“{name}” is empty."
TOO_BIG = "“{name}” is {size_mb:,.0f} MB, larger than the {limit:,} MB limit."


def max_upload_bytes() -> int:
    return settings.MAX_UPLOAD_MB * 1024 * 1024


def max_upload_mb() -> int:
    return max_upload_bytes() // 2**20


def size_problem(name: str, size: int) -> str | None:
    """The message for a file of `size` bytes that cannot be kept, or None."""
    if size == 0:
        return EMPTY_FILE.format(name=name)
    if size > max_upload_bytes():
        return TOO_BIG.format(name=name, size_mb=size / 2**20, limit=settings.MAX_UPLOAD_MB)
    return None
