"""Browser-to-S3 uploads: the portal presigns a POST, the browser sends the file, the portal finishes.

`finish` checks what a feature cannot: the token is ours and unexpired, the same person in the same
organization finishes it, the object exists, its size is the one announced, and its first bytes are a
video container. The feature's `record` callable then applies its own rules (its form, the probe's
facts) and writes its row. Every refusal deletes the object, so nothing refused stays in the bucket.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeVar

from django.core import signing
from django.core.files.storage import default_storage, storages
from django.db.models import QuerySet

from coachportal.videofiles import probe, sniff

from .limits import max_upload_bytes

T = TypeVar("T")

DIRECT_MAX_AGE = 60 * 60 * 12  # a presigned upload must be finished within this many seconds
PRESIGN_EXPIRES = 60 * 60 * 6  # a file of several GB may take hours on a club's connection

EXPIRED = "This upload link has expired or is not valid. Upload the file again."
NOT_FOUND_IN_BUCKET = "The file did not arrive in storage. Upload it again."
SIZE_MISMATCH = "The stored file is {actual:,} bytes, not the {expected:,} announced. Upload it again."
NOT_YOURS = "This upload was started by someone else."
NO_DIRECT = "Direct uploads need S3 storage."


class Refused(Exception):
    """The file cannot be kept; `messages` say why, for people."""

    def __init__(self, *messages: str):
        super().__init__(" ".join(messages))
        self.messages = list(messages)
        self.message = " ".join(messages)


# The backend -----------------------------------------------------------------------------------------


def real_storage(storage=None):
    """The storage backend itself (default_storage and FileField storages are lazy wrappers)."""
    return storages["default"] if storage is None else probe.real_storage(storage)


def enabled(storage=None) -> bool:
    """Whether browsers send files straight to the bucket (S3 storage is configured)."""
    try:
        from storages.backends.s3 import S3Storage
    except ImportError:  # pragma: no cover - django-storages is a dependency
        return False
    return isinstance(real_storage(storage), S3Storage)


def s3_object(storage, name: str) -> tuple:
    """The boto3 client, bucket and object key of the stored file `name`."""
    from storages.utils import clean_name

    storage = real_storage(storage)
    return storage.connection.meta.client, storage.bucket_name, storage._normalize_name(clean_name(name))


def presigned_url(storage, name: str, *, expires: int) -> str:
    """A GET URL for a stored file that stops working after `expires` seconds."""
    client, bucket, key = s3_object(storage, name)
    return client.generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=expires
    )


# The flow ---------------------------------------------------------------------------------------------


@dataclass
class Stored:
    """A file the browser put in the bucket, as far as `finish` checked it."""

    name: str
    size: int
    head: bytes
    fields: dict = field(default_factory=dict)

    @property
    def filename(self) -> str:
        return self.fields.get("filename", "")

    @cached_property
    def facts(self) -> probe.VideoFacts:
        """Header and index, read by ranged GETs (never the whole file)."""
        return probe.probe_stored(default_storage, self.name)


class DirectUpload:
    """One feature's direct uploads: its token salt and the message for a file that is not a video."""

    def __init__(self, *, salt: str, not_video: str = probe.NOT_VIDEO, expired: str = EXPIRED):
        self.salt = salt
        self.not_video = not_video
        self.expired = expired

    def presign(self, *, org, actor, name: str, size: int, content_type: str, fields: dict) -> dict:
        """A presigned POST for exactly `size` bytes at `name`, and the signed token `finish` takes back.

        `fields` (the form the browser will finish with) travel inside the token, signed.
        """
        client, bucket, key = s3_object(None, name)
        post = client.generate_presigned_post(
            Bucket=bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", size, size]],
            ExpiresIn=PRESIGN_EXPIRES,
        )
        claim = {"org": org.pk, "user": actor.pk, "key": name, "size": size, "form": fields}
        return {"url": post["url"], "fields": post["fields"], "token": signing.dumps(claim, salt=self.salt)}

    def finish(self, token: str, *, org, actor, rows: QuerySet, record: Callable[[Stored], T]) -> T:
        """Check the object the browser stored and hand it to `record`, which writes the feature's row.

        `rows` are the feature's rows of `org`: finishing twice returns the one whose `file` is the
        stored name. Raises Refused (after deleting the object) when a check fails; whatever `record`
        raises also deletes the object before it propagates.
        """
        try:
            claim = signing.loads(token, salt=self.salt, max_age=DIRECT_MAX_AGE)
        except signing.BadSignature:
            raise Refused(self.expired) from None
        if claim["org"] != org.pk or claim["user"] != actor.pk:
            raise Refused(NOT_YOURS)
        name = claim["key"]
        found = rows.filter(file=name).first()
        if found is not None:
            return found
        client, bucket, key = s3_object(None, name)
        try:
            size = client.head_object(Bucket=bucket, Key=key)["ContentLength"]
        except client.exceptions.ClientError:
            raise Refused(NOT_FOUND_IN_BUCKET) from None
        try:
            if size != claim["size"] or size > max_upload_bytes():
                raise Refused(SIZE_MISMATCH.format(actual=size, expected=claim["size"]))
            head = client.get_object(Bucket=bucket, Key=key, Range=f"bytes=0-{sniff.HEAD_BYTES - 1}")[
                "Body"
            ].read()
            stored = Stored(name=name, size=size, head=head, fields=claim["form"])
            if sniff.container_of(head) is None:
                raise Refused(self.not_video.format(name=stored.filename))
            return record(stored)
        except Exception:
            client.delete_object(Bucket=bucket, Key=key)  # a refused or unrecorded file does not stay behind
            raise
