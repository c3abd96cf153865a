"""Tell a video container from anything else by its first bytes, never by the file name."""

from __future__ import annotations

# Top-level ISO-BMFF / QuickTime boxes a movie file may start with ("wide", "moov", "mdat" and "free"
# begin older QuickTime .mov files that have no "ftyp").
_ISO_BOXES = {b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}
# ftyp major brands that are still images, not movies (HEIC/AVIF photos share the container).
_IMAGE_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis", b"jpeg", b"avci"}

HEAD_BYTES = 64


def container_of(head: bytes) -> str | None:
    """Return the file extension of the video container these first bytes start, or None."""
    if len(head) >= 12 and head[4:8] in _ISO_BOXES:
        if head[4:8] == b"ftyp":
            brand = head[8:12]
            if brand in _IMAGE_BRANDS:
                return None
            return "mov" if brand == b"qt  " else "mp4"
        return "mov"
    if head.startswith(b"\x1a\x45\xdf\xa3"):  # EBML: Matroska or WebM
        return "webm" if b"webm" in head[:64] else "mkv"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "avi"
    return None


def read_head(fileobj) -> bytes:
    """Read the first bytes of an uploaded file and rewind it."""
    fileobj.seek(0)
    head = fileobj.read(HEAD_BYTES)
    fileobj.seek(0)
    return head
