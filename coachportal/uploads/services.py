"""Upload actions that cross models: store new uploads, presign and finish direct uploads, retry, discard.

They take plain keyword data (the forms validate it first) and return what they made.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from coachportal.athletes.provider_clients import AthleteProviderError, ensure_aikynetix_client
from coachportal.organizations.models import AuditEvent, Organization
from coachportal.organizations.provider_messages import sentence
from coachportal.sessions.models import Session
from coachportal.sessions.schedule import request_sync_later
from coachportal.storage import direct

from . import tasks
from .models import Upload, storage_key
from .signals import uploads_settled

log = logging.getLogger(__name__)

DIRECT = direct.DirectUpload(salt="coachportal.uploads.direct")
VIDEO_EXTENSIONS = {"mp4", "mov", "m4v", "webm", "mkv", "avi"}
# While uploads are processing the library syncs this often (the scheduled sync_sessions is the backstop).
FOLLOW_UP_AFTER = timedelta(seconds=20)


def enqueue_forward(upload: Upload) -> None:
    """Queue the forwarding task once the upload row is committed (never before it exists)."""
    transaction.on_commit(lambda: tasks.forward_upload.enqueue(upload.pk))


def _create(*, org: Organization, actor, **fields) -> Upload:
    """Record one stored file (inside the caller's transaction) and queue its forwarding."""
    athlete = fields.get("athlete")
    upload = Upload.objects.create(
        organization=org,
        uploaded_by=actor,
        provider_user_id=athlete.aikynetix_user_id if athlete else "",
        **fields,
    )
    AuditEvent.record(
        org,
        actor,
        "upload.created",
        upload,
        activity=upload.activity,
        athlete=athlete.name if athlete else "",
        filename=upload.original_filename,
        size=upload.size,
    )
    enqueue_forward(upload)
    return upload


class AthleteNotReady(Exception):
    """The chosen athlete could not be found or created in AiKYNETIX; the message is for people."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def ensure_athlete_in_provider(athlete, *, actor) -> None:
    """Give `athlete` (None for the key owner's own account) an AiKYNETIX user id before a file is kept.

    Called before anything is stored or presigned, so a problem shows next to the athlete at once and
    never as a failed upload after the file went up.
    """
    if athlete is None or athlete.aikynetix_user_id:
        return
    try:
        athlete.aikynetix_user_id = ensure_aikynetix_client(athlete, actor=actor)
    except AthleteProviderError as exc:
        raise AthleteNotReady(
            sentence(str(exc), fallback=f"{athlete.name} could not be added to AiKYNETIX.")
        ) from exc


def store_uploads(*, org: Organization, actor, videos: list[dict]) -> list[Upload]:
    """Save each received file under a server-chosen name, record it, and queue its forwarding.

    Each of `videos` holds the received `file`, its `container` extension and the Upload attributes.
    """
    uploads: list[Upload] = []
    saved: list[str] = []
    try:
        with transaction.atomic():
            for video in videos:
                received, container = video["file"], video["container"]
                fields = {key: value for key, value in video.items() if key not in ("file", "container")}
                name = default_storage.save(storage_key(org, container), received)
                saved.append(name)
                uploads.append(
                    _create(
                        org=org,
                        actor=actor,
                        file=name,
                        size=received.size,
                        sha256=getattr(received, "sha256", ""),
                        **fields,
                    )
                )
    except Exception:
        for name in saved:  # no orphan files when the rows could not be written
            default_storage.delete(name)
        raise
    return uploads


# Direct uploads to S3 -------------------------------------------------------------------------------


def presign(*, org: Organization, actor, filename: str, size: int, content_type: str, fields: dict) -> dict:
    """Choose the object key and return a presigned POST for it plus a signed token for `finish`."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    # The extension is a hint for the key only: finish reads the stored bytes.
    extension = suffix if suffix in VIDEO_EXTENSIONS else "bin"
    return DIRECT.presign(
        org=org, actor=actor, name=storage_key(org, extension), size=size,
        content_type=content_type or "application/octet-stream", fields=fields,
    )  # fmt: skip


def finish(*, token: str, org: Organization, actor, upload_fields: Callable[[dict], dict]) -> Upload:
    """Record a file the browser put in the bucket once it is ours, whole and a video; raise direct.Refused.

    `upload_fields(claimed form data)` validates the presigned fields again and returns the Upload
    attributes (or raises direct.Refused).
    """

    def record(stored: direct.Stored) -> Upload:
        fields = upload_fields(stored.fields)
        refusal = stored.facts.refusal(stored.filename)
        if refusal:  # a cut-off or index-less file stops here
            raise direct.Refused(refusal)
        try:  # presign did this; only a roster change undoes it
            ensure_athlete_in_provider(fields.get("athlete"), actor=actor)
        except AthleteNotReady as exc:
            raise direct.Refused(exc.message) from exc
        with transaction.atomic():
            return _create(org=org, actor=actor, file=stored.name, size=stored.size, **fields)

    return DIRECT.finish(token, org=org, actor=actor, rows=Upload.objects.for_org(org), record=record)


# A person acts on an upload -------------------------------------------------------------------------


def retry_upload(upload: Upload, *, actor) -> bool:
    """Send a failed (or stuck) upload again; return whether it was queued."""
    with transaction.atomic():
        if not upload.mark_for_retry():
            return False
        AuditEvent.record(
            upload.organization, actor, "upload.retried", upload, last_error=upload.last_error[:300]
        )
        enqueue_forward(upload)
    return True


def discard_upload(upload: Upload, *, actor) -> bool:
    """Delete a failed upload and its stored file; return whether it was discarded."""
    with transaction.atomic():
        locked = Upload.objects.select_for_update().filter(pk=upload.pk, state=Upload.State.FAILED).first()
        if locked is None:
            return False
        AuditEvent.record(
            upload.organization,
            actor,
            "upload.discarded",
            upload,
            filename=upload.original_filename,
            last_error=upload.last_error[:300],
        )
        name = locked.file.name if locked.file else ""
        locked.delete()
        if name:
            transaction.on_commit(lambda: locked.file.storage.delete(name))
    return True


# Following the provider's analysis ------------------------------------------------------------------

ANALYSIS_FAILED = "AiKYNETIX could not analyse this video. Check the recording guidance and upload it again."


def follow_sessions(org: Organization) -> int:
    """Move processing uploads on once the library mirror says their session is ready or failed."""
    now = timezone.now()
    processing = Upload.objects.for_org(org).filter(state=Upload.State.PROCESSING)
    finished = processing.filter(session__status__in=[Session.Status.READY, Session.Status.DELETED])
    analysis_failed = processing.filter(session__status=Session.Status.FAILED)
    done_ids = list(finished.values_list("pk", flat=True))
    failed_ids = list(analysis_failed.values_list("pk", flat=True))
    # Each update re-checks the state, so an upload another worker moved meanwhile is not moved twice.
    done = processing.filter(pk__in=done_ids).update(state=Upload.State.DONE, updated_at=now)
    failed = processing.filter(pk__in=failed_ids).update(
        state=Upload.State.FAILED, last_error=ANALYSIS_FAILED, updated_at=now
    )
    if done or failed:
        uploads_settled.send(Upload, organization_id=org.pk, upload_ids=done_ids + failed_ids)
    return done + failed


def follow_up_later(org: Organization) -> bool:
    """While uploads of `org` are processing, have the library sync again in a little while.

    Called each time the mirror was updated, so the chain runs until the last upload is done or failed
    (a lost link is picked up by the scheduled `sync_sessions`); nobody needs to keep a page open.
    """
    if not Upload.objects.for_org(org).filter(state=Upload.State.PROCESSING).exists():
        return False
    return request_sync_later(org, delay=FOLLOW_UP_AFTER)
