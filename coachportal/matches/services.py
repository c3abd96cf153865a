"""Match actions a person starts: register by upload or by URL; the expiring URL the provider downloads."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import PurePath

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from coachportal.organizations.credentials import Failure, ProviderCallFailed, provider_client
from coachportal.organizations.models import AuditEvent, Organization, Provider, ProviderCredential
from coachportal.storage import direct
from coachportal.videofiles.probe import probe_stored

from . import checks
from .library import upsert_session
from .models import CLAIM_TIMEOUT, Match, WebhookEndpoint, match_file_key
from .tasks import register_match

log = logging.getLogger(__name__)


class MatchFileRejected(Exception):
    """The stored file fails the provider's requirements; `problems` are messages for the file field."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


def public_base(site_root: str) -> str:
    """Where AI on the Ball reaches this portal: MATCHES_PUBLIC_BASE_URL if set, else `site_root`
    (the scheme and host the registering request came in on)."""
    configured = getattr(settings, "MATCHES_PUBLIC_BASE_URL", "") or ""
    return (configured or site_root).rstrip("/")


def has_key(org: Organization) -> bool:
    return ProviderCredential.objects.for_org(org, Provider.AIONTHEBALL).exists()


# Registering --------------------------------------------------------------------------------------------


def _enqueue_register(match: Match) -> None:
    transaction.on_commit(lambda: register_match.enqueue(match.pk))


def _audit(match: Match, actor, verb: str, **detail) -> None:
    AuditEvent.record(match.organization, actor, verb, match, source=match.source, **detail)


def _record_upload(
    *, org, actor, name: str, size: int, filename: str, details: dict, public_base: str
) -> Match:
    """Check a stored match file against the provider's requirements, then record it and queue sending."""
    facts = probe_stored(default_storage, name)
    found = checks.problems(facts, name=filename)
    if found:
        raise MatchFileRejected(found)
    with transaction.atomic():
        match = Match.objects.create(
            organization=org,
            created_by=actor,
            source=Match.Source.UPLOAD,
            file=name,
            file_size=size,
            original_filename=filename[:255],
            duration_seconds=int(facts.duration) if facts.duration else None,
            public_base=public_base,
            **details,
        )
        _audit(match, actor, "match.registered", filename=match.original_filename, size=size)
        _enqueue_register(match)
    return match


def register_upload(*, org: Organization, actor, file, details: dict, public_base: str) -> Match:
    """Store the received `file`, check it against the provider's requirements, record it, queue sending.

    `details` are the match's title, teams and date.
    """
    filename = PurePath(file.name).name
    name = default_storage.save(match_file_key(org, "mp4"), file)
    try:
        return _record_upload(
            org=org, actor=actor, name=name, size=file.size, filename=filename, details=details,
            public_base=public_base,
        )  # fmt: skip
    except Exception:
        default_storage.delete(name)  # no orphan file when the checks or the row failed
        raise


# Direct uploads to S3: the browser posts the file to the bucket; the portal presigns and finishes ---------

DIRECT = direct.DirectUpload(
    salt="coachportal.matches.direct",
    not_video=checks.NOT_MP4,
    expired="This upload link has expired or is not valid. Choose the file and register the match again.",
)


def presign_upload(*, org: Organization, actor, size: int, fields: dict) -> dict:
    """Choose the object key under the organization's prefix; return a presigned POST and a finish token."""
    return DIRECT.presign(
        org=org, actor=actor, name=match_file_key(org, "mp4"), size=size,
        content_type="video/mp4", fields=fields,
    )  # fmt: skip


def finish_upload(
    *,
    token: str,
    org: Organization,
    actor,
    public_base: str,
    match_fields: Callable[[dict], tuple[str, dict]],
) -> Match:
    """Record a match file the browser put in the bucket, once it is ours, whole, and meets the requirements.

    `match_fields(claimed form data)` validates the presigned fields again and returns the file's name and
    the match's details. Every refusal deletes the object and raises MatchFileRejected with messages for
    the file field. Finishing twice returns the same match.
    """

    def record(stored: direct.Stored) -> Match:
        filename, details = match_fields(stored.fields)
        return _record_upload(
            org=org, actor=actor, name=stored.name, size=stored.size, filename=filename, details=details,
            public_base=public_base,
        )  # fmt: skip

    try:
        return DIRECT.finish(token, org=org, actor=actor, rows=Match.objects.for_org(org), record=record)
    except direct.Refused as refused:
        raise MatchFileRejected(refused.messages) from None


def register_url(*, org: Organization, actor, video_url: str, details: dict) -> Match:
    """Record a match whose video the provider downloads from a pasted URL, and queue sending."""
    with transaction.atomic():
        match = Match.objects.create(
            organization=org, created_by=actor, source=Match.Source.URL, video_url=video_url, **details
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


def webhook_url(site_root: str, org: Organization, secret: str) -> str:
    """The full webhook address for `secret` (known only just after it was made) on `site_root`."""
    return site_root.rstrip("/") + reverse("matches_public:webhook", args=[org.slug, secret])


def webhook_hint(site_root: str, org: Organization) -> str:
    """The organization's webhook address with the secret masked but for its last four, or ""."""
    endpoint = WebhookEndpoint.objects.filter(organization=org).first()
    if endpoint is None:
        return ""
    address = webhook_url(site_root, org, "-")  # "-" stands for the secret, which is not kept
    return address.removesuffix("-/") + "…" + endpoint.secret_last4 + "/"


def rotate_webhook_secret(org: Organization, *, actor) -> str:
    """Make a new webhook secret for `org` (the old address stops working) and return it, to show once."""
    with transaction.atomic():
        secret = WebhookEndpoint.rotate(org)
        AuditEvent.record(org, actor, "match.webhook_rotated", WebhookEndpoint.objects.get(organization=org))
    return secret


# Editing and deleting: the provider first, then the portal -----------------------------------------------

BUSY = "This match is being sent to AI on the Ball right now. Try again in a minute."


class MatchActionFailed(Exception):
    """The provider did not do what was asked; nothing changed here. The message is for people."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _registration_in_flight(match: Match) -> bool:
    """A registration task may be creating the video at the provider this very moment."""
    return (
        not match.provider_video_id
        and match.register_claimed_at is not None
        and match.register_claimed_at > timezone.now() - CLAIM_TIMEOUT
        and match.phase == Match.Phase.REGISTERING
    )


def _at_provider(match: Match, action, *, gone_is_fine: bool = False) -> None:
    """Run `action(client, video_id)` if the provider knows the match; its errors become MatchActionFailed."""
    if _registration_in_flight(match):
        raise MatchActionFailed(BUSY)
    if not match.provider_video_id:
        return  # the provider never got this match: only the portal has something to change
    try:
        with provider_client(match.organization_id, Provider.AIONTHEBALL, read_retries=1) as client:
            action(client, int(match.provider_video_id))
    except ProviderCallFailed as failure:
        if failure.kind is Failure.NOT_FOUND and gone_is_fine:
            return
        raise MatchActionFailed(_reason(failure)) from failure


def _reason(failure: ProviderCallFailed) -> str:
    return failure.explain(REASONS, otherwise="AI on the Ball refused: {detail}.")


NO_KEY_TO_CHANGE = (
    "This organization has no AI on the Ball key any more, so the match cannot be changed there. "
    "An owner or admin can add it under Settings → Provider keys."
)
# What a person reads when the provider did not do what they asked (nothing changed here).
REASONS = {
    Failure.NO_KEY: NO_KEY_TO_CHANGE,
    Failure.KEY_UNREADABLE: "The saved key cannot be decrypted: {message}",
    Failure.KEY_REJECTED: "AI on the Ball refused the organization's key: {detail}.",
    Failure.NOT_PERMITTED: "AI on the Ball did not allow this: {detail}.",
    Failure.NOT_FOUND: "AI on the Ball no longer has this video, so it cannot be changed there.",
    Failure.UNAVAILABLE: "AI on the Ball could not be reached, nothing was changed: {detail}.",
}


def edit_match(match: Match, *, actor, title: str, home_team: str, away_team: str, played_on) -> Match:
    """Rename (title, teams, date) at the provider first, then here and in the library."""
    after = {"title": title, "home_team": home_team, "away_team": away_team, "played_on": played_on}
    before = {field: getattr(match, field) for field in after}
    if before == after:
        return match
    _at_provider(
        match,
        lambda client, video_id: client.update_video(
            video_id, title=title, home_team_name=home_team or None, away_team_name=away_team or None,
            date=played_on,
        ),
    )  # fmt: skip
    with transaction.atomic():
        for field, value in after.items():
            setattr(match, field, value)
        match.save(update_fields=[*after, "updated_at"])
        upsert_session(match)
        shown = {key: (str(value) if value is not None else "") for key, value in after.items()}
        was = {key: (str(value) if value is not None else "") for key, value in before.items()}
        _audit(match, actor, "match.updated", before=was, after=shown)
    return match


def delete_match(match: Match, *, actor) -> None:
    """Delete the video (and its analyses) at the provider first, then the match, its library row and file."""
    _at_provider(match, lambda client, video_id: client.delete_video(video_id), gone_is_fine=True)
    with transaction.atomic():
        _audit(match, actor, "match.deleted", title=match.title, provider_video_id=match.provider_video_id)
        name, storage = (match.file.name, match.file.storage) if match.file else ("", None)
        session = match.session
        match.delete()
        if session is not None:
            session.delete()
        if name:
            transaction.on_commit(lambda: storage.delete(name))
