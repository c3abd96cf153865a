"""Receiving a video: straight to a temporary file (never whole in memory), hashed on the way in."""

from __future__ import annotations

import hashlib

from django.core.files.uploadhandler import TemporaryFileUploadHandler

from .forms import max_upload_bytes


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
