"""Where AI on the Ball downloads a registered match file: the pasted URL, a presigned S3 URL, or an
expiring signed link to the portal's own copy (S3 through storage.direct)."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from coachportal.storage import direct

from .models import Match

FILE_SALT = "coachportal.matches.file"
# The provider may queue the download for a while; after this the link stops working.
FILE_URL_MAX_AGE = 60 * 60 * 24


def file_url_max_age() -> int:
    return int(getattr(settings, "MATCHES_FILE_URL_MAX_AGE", FILE_URL_MAX_AGE))


def file_token(match: Match) -> str:
    return signing.dumps({"m": match.pk, "f": match.file.name}, salt=FILE_SALT)


def read_file_token(token: str) -> dict:
    """Return the claim of a file link; raise signing.BadSignature if forged or expired."""
    return signing.loads(token, salt=FILE_SALT, max_age=file_url_max_age())


def provider_file_url(match: Match) -> str:
    """The URL AI on the Ball downloads the match from: the pasted URL, or an expiring link to the file."""
    if match.source == Match.Source.URL:
        return match.video_url
    if direct.enabled(match.file.storage):
        return direct.presigned_url(match.file.storage, match.file.name, expires=file_url_max_age())
    path = reverse("matches_public:file", args=[file_token(match)])
    return f"{match.public_base.rstrip('/')}{path}"
