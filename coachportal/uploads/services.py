"""Upload actions that cross models: store new uploads, presign and finish direct uploads, retry, discard."""

from __future__ import annotations

import logging

from django.core import signing
from django.core.files.storage import default_storage, storages
from django.db import transaction
from django.utils import timezone

from coachportal.athletes.provider_clients import AthleteProviderError, ensure_aikynetix_client
from coachportal.organizations.models import AuditEvent, Organization
from coachportal.organizations.provider_messages import sentence
from coachportal.sessions.models import Session
from coachportal.sessions.schedule import request_sync
from coachportal.videofiles import probe, sniff

from .forms import NOT_VIDEO, UploadForm, max_upload_bytes
from .models import Upload, storage_key

log = logging.getLogger(__name__)

DIRECT_SALT = "coachportal.uploads.direct"
DIRECT_MAX_AGE = 60 * 60 * 12  # a presigned upload must be finished within this many seconds
PRESIGN_EXPIRES = 60 * 60 * 6

NOT_FOUND_IN_BUCKET = "The file did not arrive in storage. Upload it again."
SIZE_MISMATCH = "The stored file is {actual:,} bytes, not the {expected:,} announced. Upload it again."
NOT_YOURS = "This upload was started by someone else."


def enqueue_forward(upload: Upload) -> None:
    """Queue the forwarding task once the upload row is committed (never before it exists)."""
    from .tasks import forward_upload

    transaction.on_commit(lambda: forward_upload.enqueue(upload.pk))


def _audit_created(upload: Upload, actor) -> None:
    AuditEvent.record(
        upload.organization,
        actor,
        "upload.created",
        upload,
        activity=upload.activity,
        athlete=upload.athlete.name if upload.athlete else "",
        filename=upload.original_filename,
        size=upload.size,
    )


class AthleteNotReady(Exception):
    """The chosen athlete could not be found or created in AiKYNETIX; the message is for people."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def ensure_athlete_in_provider(form: UploadForm, *, actor) -> None:
    """Give the chosen athlete an AiKYNETIX user id (creating the client upstream) before a file is kept.

    Called before anything is stored or presigned, so a problem shows next to the athlete at once and
    never as a failed upload after the file went up.
    """
    athlete = form.cleaned_data.get("athlete")
    if form.cleaned_data.get("target", Upload.Target.ATHLETE) != Upload.Target.ATHLETE or athlete is None:
        return
    if athlete.aikynetix_user_id:
        return
    try:
        athlete.aikynetix_user_id = ensure_aikynetix_client(athlete, actor=actor)
    except AthleteProviderError as exc:
        raise AthleteNotReady(
            sentence(str(exc), fallback=f"{athlete.name} could not be added to AiKYNETIX.")
        ) from exc


def store_uploads(form: UploadForm, *, org: Organization, actor) -> list[Upload]:
    """Save each received file under a server-chosen name, record it, and queue its forwarding."""
    files = form.cleaned_data["videos"]
    uploads: list[Upload] = []
    saved: list[str] = []
    try:
        with transaction.atomic():
            for index, (received, container) in enumerate(zip(files, form.containers, strict=True)):
                name = default_storage.save(storage_key(org, container), received)
                saved.append(name)
                upload = Upload.objects.create(
                    organization=org,
                    uploaded_by=actor,
                    file=name,
                    size=received.size,
                    sha256=getattr(received, "sha256", ""),
                    **form.upload_fields(received.name, index, len(files)),
                )
                _audit_created(upload, actor)
                enqueue_forward(upload)
                uploads.append(upload)
    except Exception:
        for name in saved:  # no orphan files when the rows could not be written
            default_storage.delete(name)
        raise
    return uploads


# Direct uploads to S3 -------------------------------------------------------------------------------


def real_storage(storage=None):
    """The storage backend itself (default_storage and FileField storages are lazy wrappers)."""
    return storages["default"] if storage is None else probe.real_storage(storage)


def direct_uploads_enabled(storage=None) -> bool:
    """Whether the browser should send files straight to the bucket (S3 storage is configured)."""
    try:
        from storages.backends.s3 import S3Storage
    except ImportError:  # pragma: no cover - django-storages is a dependency
        return False
    return isinstance(real_storage(storage), S3Storage)


def _s3(storage=None):
    storage = real_storage(storage)
    return storage.connection.meta.client, storage.bucket_name, storage


def presign(form: UploadForm, *, org: Organization, actor) -> dict:
    """Choose the object key and return a presigned POST for it plus a signed token for `finish`."""
    client, bucket, storage = _s3()
    data = form.cleaned_data
    key = storage_key(org, _extension_hint(data["filename"]))
    content_type = data.get("content_type") or "application/octet-stream"
    post = client.generate_presigned_post(
        Bucket=bucket,
        Key=_object_key(storage, key),
        Fields={"Content-Type": content_type},
        Conditions=[{"Content-Type": content_type}, ["content-length-range", data["size"], data["size"]]],
        ExpiresIn=PRESIGN_EXPIRES,
    )
    token = signing.dumps(
        {
            "org": org.pk,
            "user": actor.pk,
            "key": key,
            "size": data["size"],
            "form": {name: value for name, value in form.data.items() if name != "csrfmiddlewaretoken"},
        },
        salt=DIRECT_SALT,
    )
    return {"url": post["url"], "fields": post["fields"], "token": token}


def _extension_hint(filename: str) -> str:
    """An extension for the object key only (the real check reads the stored bytes at finish)."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return suffix if suffix in {"mp4", "mov", "m4v", "webm", "mkv", "avi"} else "bin"


def _object_key(storage, name: str) -> str:
    """The bucket key django-storages uses for `name` (it may add a location prefix)."""
    from storages.utils import clean_name

    return storage._normalize_name(clean_name(name))


class DirectUploadRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def finish(token: str, *, org: Organization, actor, membership) -> Upload:
    """Record a file the browser put in the bucket: check it is ours, it exists, its size and type."""
    try:
        claim = signing.loads(token, salt=DIRECT_SALT, max_age=DIRECT_MAX_AGE)
    except signing.BadSignature as exc:
        raise DirectUploadRefused(
            "This upload link has expired or is not valid. Upload the file again."
        ) from exc
    if claim["org"] != org.pk or claim["user"] != actor.pk:
        raise DirectUploadRefused(NOT_YOURS)
    existing = Upload.objects.filter(organization=org, file=claim["key"]).first()
    if existing is not None:  # finish is idempotent: a repeated call returns the same upload
        return existing
    client, bucket, storage = _s3()
    object_key = _object_key(storage, claim["key"])
    try:
        head = client.head_object(Bucket=bucket, Key=object_key)
    except client.exceptions.ClientError as exc:
        raise DirectUploadRefused(NOT_FOUND_IN_BUCKET) from exc
    if head["ContentLength"] != claim["size"] or claim["size"] > max_upload_bytes():
        client.delete_object(Bucket=bucket, Key=object_key)
        raise DirectUploadRefused(SIZE_MISMATCH.format(actual=head["ContentLength"], expected=claim["size"]))
    first = client.get_object(Bucket=bucket, Key=object_key, Range=f"bytes=0-{sniff.HEAD_BYTES - 1}")[
        "Body"
    ].read()
    form = UploadForm(claim["form"], org=org, membership=membership, direct=True)
    if sniff.container_of(first) is None or not form.is_valid():
        client.delete_object(Bucket=bucket, Key=object_key)
        if not form.is_valid():
            raise DirectUploadRefused(" ".join(m for errors in form.errors.values() for m in errors))
        raise DirectUploadRefused(NOT_VIDEO.format(name=form.cleaned_data["filename"]))
    refusal = probe.probe_stored(default_storage, claim["key"]).refusal(form.cleaned_data["filename"])
    if refusal:  # header and index read by ranged GETs: a cut-off or index-less file stops here
        client.delete_object(Bucket=bucket, Key=object_key)
        raise DirectUploadRefused(refusal)
    try:
        ensure_athlete_in_provider(form, actor=actor)  # presign did this; only a roster change undoes it
    except AthleteNotReady as exc:
        client.delete_object(Bucket=bucket, Key=object_key)
        raise DirectUploadRefused(exc.message) from exc
    with transaction.atomic():
        upload = Upload.objects.create(
            organization=org,
            uploaded_by=actor,
            file=claim["key"],
            size=claim["size"],
            **form.upload_fields(form.cleaned_data["filename"]),
        )
        _audit_created(upload, actor)
        enqueue_forward(upload)
    return upload


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
    done = processing.filter(session__status__in=[Session.Status.READY, Session.Status.DELETED]).update(
        state=Upload.State.DONE, updated_at=now
    )
    failed = processing.filter(session__status=Session.Status.FAILED).update(
        state=Upload.State.FAILED, last_error=ANALYSIS_FAILED, updated_at=now
    )
    return done + failed


def request_follow_up(org: Organization) -> None:
    """Ask the sessions sync to look again while uploads of `org` are still processing."""
    if Upload.objects.for_org(org).filter(state=Upload.State.PROCESSING).exists():
        request_sync(org)
