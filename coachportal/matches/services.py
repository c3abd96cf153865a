"""Match actions a person starts: register by upload or by URL; the expiring URL the provider downloads."""

from __future__ import annotations

import logging
from pathlib import PurePath

from django.conf import settings
from django.core import signing
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse

from coachportal.organizations.models import AuditEvent, Organization, Provider, ProviderCredential
from coachportal.uploads.services import _object_key, direct_uploads_enabled, real_storage

from . import checks
from .models import Match, WebhookEndpoint, match_file_key

log = logging.getLogger(__name__)

NO_KEY = (
    "This organization has no AI on the Ball key yet, so no match can be registered. "
    "An owner or admin can add it under Settings → Provider keys."
)
FILE_SALT = "coachportal.matches.file"
# The provider may queue the download for a while; after this the link stops working.
FILE_URL_MAX_AGE = 60 * 60 * 24


class MatchFileRejected(Exception):
    """The stored file fails the provider's requirements; `problems` are messages for the file field."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


def public_base(request) -> str:
    """Where AI on the Ball reaches this portal: MATCHES_PUBLIC_BASE_URL if set, else this request's host."""
    configured = getattr(settings, "MATCHES_PUBLIC_BASE_URL", "") or ""
    return (configured or request.build_absolute_uri("/")).rstrip("/")


def has_key(org: Organization) -> bool:
    return ProviderCredential.objects.filter(organization=org, provider=Provider.AIONTHEBALL).exists()


# Storage ----------------------------------------------------------------------------------------------


def is_s3(storage=None) -> bool:
    return direct_uploads_enabled(storage)


def file_url_max_age() -> int:
    return int(getattr(settings, "MATCHES_FILE_URL_MAX_AGE", FILE_URL_MAX_AGE))


def presigned_url(storage, name: str, *, expires: int | None = None) -> str:
    """A GET URL for a file in the S3 bucket that stops working after `expires` seconds."""
    expires = file_url_max_age() if expires is None else expires
    storage = real_storage(storage)
    client = storage.connection.meta.client
    return client.generate_presigned_url(
        "get_object",
        Params={"Bucket": storage.bucket_name, "Key": _object_key(storage, name)},
        ExpiresIn=expires,
    )


def read_stored_head(storage, name: str) -> bytes:
    """The first bytes of a file in the bucket, by a range request (never the whole object)."""
    from coachportal.uploads import sniff

    storage = real_storage(storage)
    client = storage.connection.meta.client
    reply = client.get_object(
        Bucket=storage.bucket_name, Key=_object_key(storage, name), Range=f"bytes=0-{sniff.HEAD_BYTES - 1}"
    )
    return reply["Body"].read()


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


# Registering --------------------------------------------------------------------------------------------


def _enqueue_register(match: Match) -> None:
    from .tasks import register_match

    transaction.on_commit(lambda: register_match.enqueue(match.pk))


def _audit(match: Match, actor, verb: str, **detail) -> None:
    AuditEvent.record(match.organization, actor, verb, match, source=match.source, **detail)


def register_upload(form, *, org: Organization, actor, public_base: str) -> Match:
    """Store the received file, check it against the provider's requirements, record it, queue sending."""
    received = form.cleaned_data["file"]
    name = default_storage.save(match_file_key(org, "mp4"), received)
    try:
        facts = checks.probe_stored(default_storage, name)
        found = checks.problems(facts, name=PurePath(received.name).name)
        if found:
            raise MatchFileRejected(found)
        with transaction.atomic():
            match = Match.objects.create(
                organization=org,
                created_by=actor,
                source=Match.Source.UPLOAD,
                file=name,
                file_size=received.size,
                original_filename=PurePath(received.name).name[:255],
                duration_seconds=int(facts.duration) if facts.duration else None,
                public_base=public_base,
                **form.match_fields(),
            )
            _audit(match, actor, "match.registered", filename=match.original_filename, size=received.size)
            _enqueue_register(match)
    except Exception:
        default_storage.delete(name)  # no orphan file when the checks or the row failed
        raise
    return match


def register_url(form, *, org: Organization, actor) -> Match:
    """Record a match whose video the provider downloads from a pasted URL, and queue sending."""
    with transaction.atomic():
        match = Match.objects.create(
            organization=org,
            created_by=actor,
            source=Match.Source.URL,
            video_url=form.cleaned_data["video_url"],
            **form.match_fields(),
        )
        _audit(match, actor, "match.registered", url=match.video_url[:200])
        _enqueue_register(match)
    return match


def retry_registration(match: Match, *, actor) -> bool:
    """Send a match the provider refused or never got once more; return whether it was queued."""
    if match.provider_video_id:
        return False
    with transaction.atomic():
        changed = Match.objects.filter(pk=match.pk, provider_video_id="").update(
            video_status="", phase=Match.Phase.REGISTERING, last_error="", register_claimed_at=None
        )
        if not changed:
            return False
        _audit(match, actor, "match.retried")
        _enqueue_register(match)
    return True


def webhook_url(request, org: Organization) -> str:
    endpoint = WebhookEndpoint.for_org(org)
    return request.build_absolute_uri(reverse("matches_public:webhook", args=[org.slug, endpoint.secret]))


def rotate_webhook_secret(org: Organization, *, actor) -> None:
    endpoint = WebhookEndpoint.for_org(org)
    endpoint.secret = WebhookEndpoint.new_secret()
    endpoint.save(update_fields=["secret"])
    AuditEvent.record(org, actor, "match.webhook_rotated", endpoint)
