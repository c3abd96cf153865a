"""Match actions a person starts: register by upload or by URL; the expiring URL the provider downloads."""

from __future__ import annotations

import logging
from pathlib import PurePath

from django.conf import settings
from django.core import signing
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from coachportal.organizations.credentials import Failure, ProviderCallFailed, provider_client
from coachportal.organizations.models import AuditEvent, Organization, Provider, ProviderCredential
from coachportal.uploads.services import (
    NOT_FOUND_IN_BUCKET,
    NOT_YOURS,
    SIZE_MISMATCH,
)
from coachportal.videofiles.probe import probe_stored

from . import checks
from .files import s3_object
from .forms import MatchForm
from .library import upsert_session
from .models import CLAIM_TIMEOUT, Match, WebhookEndpoint, match_file_key
from .tasks import register_match

log = logging.getLogger(__name__)


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
    return ProviderCredential.objects.for_org(org, Provider.AIONTHEBALL).exists()


# Registering --------------------------------------------------------------------------------------------


def _enqueue_register(match: Match) -> None:
    transaction.on_commit(lambda: register_match.enqueue(match.pk))


def _audit(match: Match, actor, verb: str, **detail) -> None:
    AuditEvent.record(match.organization, actor, verb, match, source=match.source, **detail)


def _record_upload(
    form, *, org, actor, name: str, size: int, filename: str, facts, public_base: str
) -> Match:
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
            **form.match_fields(),
        )
        _audit(match, actor, "match.registered", filename=match.original_filename, size=size)
        _enqueue_register(match)
    return match


def register_upload(form, *, org: Organization, actor, public_base: str) -> Match:
    """Store the received file, check it against the provider's requirements, record it, queue sending."""
    received = form.cleaned_data["file"]
    filename = PurePath(received.name).name
    name = default_storage.save(match_file_key(org, "mp4"), received)
    try:
        facts = probe_stored(default_storage, name)
        found = checks.problems(facts, name=filename)
        if found:
            raise MatchFileRejected(found)
        return _record_upload(
            form, org=org, actor=actor, name=name, size=received.size, filename=filename, facts=facts,
            public_base=public_base,
        )  # fmt: skip
    except Exception:
        default_storage.delete(name)  # no orphan file when the checks or the row failed
        raise


# Direct uploads to S3: the browser posts the file to the bucket; the portal presigns and finishes ---------

DIRECT_SALT = "coachportal.matches.direct"
DIRECT_MAX_AGE = 60 * 60 * 12  # a presigned upload must be finished within this many seconds
PRESIGN_EXPIRES = 60 * 60 * 6  # a match file of several GB may take hours on a club's connection
DIRECT_EXPIRED = "This upload link has expired or is not valid. Choose the file and register the match again."


def presign_upload(form, *, org: Organization, actor) -> dict:
    """Choose the object key under the organization's prefix; return a presigned POST and a finish token."""
    data = form.cleaned_data
    name = match_file_key(org, "mp4")
    client, bucket, key = s3_object(default_storage, name)
    content_type = "video/mp4"
    post = client.generate_presigned_post(
        Bucket=bucket,
        Key=key,
        Fields={"Content-Type": content_type},
        Conditions=[{"Content-Type": content_type}, ["content-length-range", data["size"], data["size"]]],
        ExpiresIn=PRESIGN_EXPIRES,
    )
    fields = {field: value for field, value in form.data.items() if field != "csrfmiddlewaretoken"}
    claim = {"org": org.pk, "user": actor.pk, "name": name, "size": data["size"], "form": fields}
    return {"url": post["url"], "fields": post["fields"], "token": signing.dumps(claim, salt=DIRECT_SALT)}


def finish_upload(token: str, *, org: Organization, actor, public_base: str) -> Match:
    """Record a match file the browser put in the bucket, once it is ours, whole, and meets the requirements.

    Every refusal deletes the object (nothing rejected stays in the bucket) and raises MatchFileRejected
    with messages for the file field. Finishing twice returns the same match.
    """
    try:
        claim = signing.loads(token, salt=DIRECT_SALT, max_age=DIRECT_MAX_AGE)
    except signing.BadSignature:
        raise MatchFileRejected([DIRECT_EXPIRED]) from None
    if claim["org"] != org.pk or claim["user"] != actor.pk:
        raise MatchFileRejected([NOT_YOURS])
    existing = Match.objects.filter(organization=org, file=claim["name"]).first()
    if existing is not None:
        return existing
    client, bucket, key = s3_object(default_storage, claim["name"])
    try:
        size = client.head_object(Bucket=bucket, Key=key)["ContentLength"]
    except client.exceptions.ClientError:
        raise MatchFileRejected([NOT_FOUND_IN_BUCKET]) from None
    try:
        if size != claim["size"]:
            raise MatchFileRejected([SIZE_MISMATCH.format(actual=size, expected=claim["size"])])
        form = MatchForm(claim["form"], org=org, direct=True)
        if not form.is_valid():
            raise MatchFileRejected([message for errors in form.errors.values() for message in errors])
        filename = form.cleaned_data["filename"]
        facts = probe_stored(default_storage, claim["name"])
        found = checks.problems(facts, name=filename)
        if found:
            raise MatchFileRejected(found)
        return _record_upload(
            form, org=org, actor=actor, name=claim["name"], size=size, filename=filename, facts=facts,
            public_base=public_base,
        )  # fmt: skip
    except Exception:
        client.delete_object(Bucket=bucket, Key=key)  # a refused or unrecorded file does not stay behind
        raise


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


def webhook_url(request, org: Organization, secret: str) -> str:
    """The full webhook address for `secret` (known only just after it was made)."""
    return request.build_absolute_uri(reverse("matches_public:webhook", args=[org.slug, secret]))


def webhook_hint(request, org: Organization) -> str:
    """The organization's webhook address with the secret masked but for its last four, or ""."""
    endpoint = WebhookEndpoint.objects.filter(organization=org).first()
    if endpoint is None:
        return ""
    address = webhook_url(request, org, "-")  # "-" stands for the secret, which is not kept
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
