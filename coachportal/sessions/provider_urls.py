"""The provider's video URLs as the library keeps them: http(s) only, with their expiry read from the URL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from django.utils import timezone


def safe_url(value: str | None) -> str:
    """Keep only http(s) URLs from the provider, so nothing else ends up in an href or a src."""
    value = (value or "").strip()
    return value if value.lower().startswith(("https://", "http://")) and len(value) <= 2000 else ""


def url_expiry(url: str) -> datetime | None:
    """Read when a signed storage URL expires (GCS V2 `Expires`, V4 `X-Goog-Date` + `X-Goog-Expires`)."""
    if not url:
        return None
    query = {k.lower(): v[0] for k, v in parse_qs(urlsplit(url).query).items() if v}
    try:
        if "expires" in query:
            return datetime.fromtimestamp(int(query["expires"]), tz=UTC)
        if "x-goog-expires" in query:
            seconds = int(query["x-goog-expires"])
            if "x-goog-date" in query:
                signed = datetime.strptime(query["x-goog-date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
                return signed + timedelta(seconds=seconds)
            # Without a signing date, a large number is an epoch (the sandbox), a small one a duration.
            if seconds > 10**9:
                return datetime.fromtimestamp(seconds, tz=UTC)
            return timezone.now() + timedelta(seconds=seconds)
        if "x-amz-expires" in query and "x-amz-date" in query:
            signed = datetime.strptime(query["x-amz-date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            return signed + timedelta(seconds=int(query["x-amz-expires"]))
    except (ValueError, OverflowError, OSError):
        return None
    return None
