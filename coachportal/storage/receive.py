"""Receiving a video: straight to a temporary file (never whole in memory), hashed on the way in."""

from __future__ import annotations

import hashlib
from functools import wraps

from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from coachportal.bodylimit import allows_body

from .limits import max_upload_bytes

# The form's other fields and the multipart framing around one file.
FORM_ALLOWANCE = 1 << 20


def max_body_bytes() -> int:
    """The largest body a video form takes: one file at the limit plus its form (the page sends one each)."""
    return max_upload_bytes() + FORM_ALLOWANCE


class HashingUploadHandler(TemporaryFileUploadHandler):
    """Write every uploaded file to a temporary file and compute its SHA-256 while it arrives.

    Past MAX_UPLOAD_MB the rest of the file is counted but not written, so an oversized upload cannot
    fill the disk; the form then reports it as too large.
    """

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.hasher = hashlib.sha256()
        self.received = 0
        self.limit = max_upload_bytes()

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            return None
        self.hasher.update(raw_data)
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size):
        file = super().file_complete(file_size)
        file.size = self.received  # the real size, even when the tail was dropped
        file.sha256 = self.hasher.hexdigest()
        return file


def receive_to_disk(view):
    """Take a video form's body: refuse it from Content-Length if too large, else hash it to a temp file.

    CSRF is checked inside (csrf_protect): the middleware would read the body with the default handlers.
    """

    @allows_body(max_body_bytes)
    @wraps(view)
    @csrf_exempt
    def wrapped(request, *args, **kwargs):
        request.upload_handlers = [HashingUploadHandler(request)]
        return csrf_protect(view)(request, *args, **kwargs)

    return wrapped
