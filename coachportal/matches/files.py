"""Where AI on the Ball downloads a registered match file: the pasted URL, a presigned S3 URL, or an
expiring signed link to the portal's own copy."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from coachportal.uploads.services import _object_key, direct_uploads_enabled, real_storage

from .models import Match

FILE_SALT = "coachportal.matches.file"
# The provider may queue the download for a while; after this the link stops working.
FILE_URL_MAX_AGE = 60 * 60 * 24


def is_s3(storage=None) -> bool:
    return direct_uploads_enabled(storage)


def file_url_max_age() -> int:
    return int(getattr(settings, "MATCHES_FILE_URL_MAX_AGE", FILE_URL_MAX_AGE))


def s3_object(storage, name: str) -> tuple:
    """The boto3 client, bucket and object key of a stored file on S3."""
    storage = real_storage(storage)
    return storage.connection.meta.client, storage.bucket_name, _object_key(storage, name)


def presigned_url(storage, name: str, *, expires: int | None = None) -> str:
    """A GET URL for a file in the S3 bucket that stops working after `expires` seconds."""
    expires = file_url_max_age() if expires is None else expires
    client, bucket, key = s3_object(storage, name)
    return client.generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=expires
    )


def file_token(match: Match) -> str:
    return signing.dumps({"m": match.pk, "f": match.file.name}, salt=FILE_SALT)


def read_file_token(token: str) -> dict:
    """Return the claim of a file link; raise signing.BadSignature if forged or expired."""
    return signing.loads(token, salt=FILE_SALT, max_age=file_url_max_age())


def provider_file_url(match: Match) -> str:
    """The URL AI on the Ball downloads the match from: the pasted URL, or an expiring link to the file."""
    if match.source == Match.Source.URL:
        return match.video_url
    if is_s3(match.file.storage):
        return presigned_url(match.file.storage, match.file.name)
    path = reverse("matches_public:file", args=[file_token(match)])
    return f"{match.public_base.rstrip('/')}{path}"
