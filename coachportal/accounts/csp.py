"""The Content-Security-Policy's hosts that depend on configuration, computed from settings per request.

The fixed part of the policy lives in settings.CONTENT_SECURITY_POLICY. Videos play straight from the
providers (and, with S3 configured, from the bucket), and the upload page sends files straight to the
bucket, so those origins are added here. Reading them per request means a changed setting (a test's
sandbox URL, for one) is honoured without restarting.
"""

from functools import lru_cache
from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings


def origin(url: str) -> str:
    """Return scheme://host[:port] of `url`, or "" when it has none."""
    parts = urlsplit(url or "")
    if not parts.scheme or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}"


def bucket_origins(bucket: str, endpoint_url: str, region: str) -> list[str]:
    """Return the origins a browser reaches `bucket` at: path-style and virtual-hosted."""
    if not bucket:
        return []
    if endpoint_url:
        parts = urlsplit(endpoint_url)
        found = [origin(endpoint_url)]
        if parts.scheme and parts.netloc:
            found.append(f"{parts.scheme}://{bucket}.{parts.netloc}")
        return [o for o in found if o]
    found = [f"https://{bucket}.s3.amazonaws.com", "https://s3.amazonaws.com"]
    if region:
        found += [f"https://{bucket}.s3.{region}.amazonaws.com", f"https://s3.{region}.amazonaws.com"]
    return found


@lru_cache(maxsize=8)
def _configured_sources(aikynetix: str, aiontheball: str, bucket: str, endpoint: str, region: str, extra):
    storage = bucket_origins(bucket, endpoint, region)
    providers = [o for o in (origin(aikynetix), origin(aiontheball)) if o]
    media = list(dict.fromkeys([*providers, *storage, *extra]))
    return {"media-src": media, "connect-src": storage} if media or storage else {}


def configured_sources() -> dict[str, list[str]]:
    """Return the CSP sources added to the fixed policy for this configuration."""
    return _configured_sources(
        settings.AIKYNETIX_BASE_URL,
        settings.AIONTHEBALL_BASE_URL,
        getattr(settings, "AWS_STORAGE_BUCKET_NAME", "") or "",
        getattr(settings, "AWS_S3_ENDPOINT_URL", "") or "",
        getattr(settings, "AWS_S3_REGION_NAME", "") or "",
        tuple(getattr(settings, "CSP_EXTRA_MEDIA_HOSTS", ())),
    )


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, plus the provider and bucket origins of the current settings."""

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only:
            return parts
        added = configured_sources()
        if added:
            update = dict(parts.update or {})
            for directive, sources in added.items():
                if not sources:
                    continue
                current = update.get(directive) or []
                if isinstance(current, str):
                    current = [current]
                update[directive] = [*current, *sources]
            parts.update = update
        return parts
