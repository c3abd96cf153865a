"""Forwarding: send a stored upload to AiKYNETIX exactly once, however often or wherever the task runs.

One call of `forward` is one attempt: claim the upload with a conditional UPDATE, look the session up
first when an earlier attempt may have reached the provider, stream the file, and record the answer.
Transient failures put the upload back to `stored` with a delay for the task to wait (see tasks.py);
answers that a retry cannot change fail it at once with the provider's message.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.storage import FileSystemStorage

from coachportal.organizations.credentials import Failure, ProviderCallFailed, provider_client
from coachportal.organizations.models import AuditEvent
from coachportal.organizations.provider_messages import (
    FOREIGN_ATHLETE_ID,
    clause,
    names_foreign_user,
    sentence,
)
from coachportal.providers import aikynetix
from coachportal.sessions.models import Session
from coachportal.sessions.schedule import request_sync
from coachportal.storage import direct

from .models import Upload

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6  # automatic tries before the upload fails and waits for a person's Retry
BACKOFF_BASE_SECONDS = 15.0  # 15 s, 30 s, 1 min, 2 min, 4 min between tries
BACKOFF_CAP_SECONDS = 15 * 60.0
LOOKUP_LIMIT = 50
READ_BLOCK = 1024 * 1024

NO_KEY = (
    "This organization has no AiKYNETIX key any more. Add one under Settings → Provider keys, then retry."
)
KEY_UNREADABLE = "The saved AiKYNETIX key cannot be decrypted ({detail}). Paste the key again, then retry."
KEY_REJECTED = (
    "AiKYNETIX refused the organization's API key ({detail}). "
    "Replace the key under Settings → Provider keys, then retry."
)
NOT_PERMITTED = "AiKYNETIX did not allow this upload ({detail}). Uploads for athletes need an admin key."
REFUSED = "AiKYNETIX refused the video: {detail}."
GAVE_UP = "AiKYNETIX could not be reached after {attempts} tries ({error}). Retry when it is back."
FILE_GONE = "The stored video could not be read ({error}). Upload it again."
UNEXPECTED = "Forwarding stopped on an unexpected error ({error}). Retry it; nothing was lost."
# A person must fix the key before any try can work.
KEY_FAILURES = {
    Failure.NO_KEY: NO_KEY,
    Failure.KEY_UNREADABLE: KEY_UNREADABLE,
    Failure.KEY_REJECTED: KEY_REJECTED,
}
FAILURES = {**KEY_FAILURES, Failure.NOT_PERMITTED: NOT_PERMITTED}


@dataclass
class Outcome:
    state: str
    retry_in: float | None = None  # seconds to wait before the next attempt; None: nothing more to do


def backoff(attempt: int) -> float:
    return min(BACKOFF_BASE_SECONDS * 2 ** max(attempt - 1, 0), BACKOFF_CAP_SECONDS)


def upload_timeout() -> tuple[float, float]:
    """(connect, read) seconds; the read part starts once the whole file has been sent."""
    return (10.0, float(getattr(settings, "UPLOAD_FORWARD_READ_TIMEOUT", 300)))


def forward(upload_id: int) -> Outcome:
    """Make one attempt at getting this upload to the provider; safe to call any number of times."""
    upload = Upload.objects.select_related("organization", "athlete").filter(pk=upload_id).first()
    if upload is None:
        return Outcome("gone")
    if upload.state == Upload.State.SENT:
        # The provider answered but the worker stopped before the local session existed.
        link_session(upload)
        return Outcome(upload.state)
    token = secrets.token_hex(8)
    if not upload.claim(token):
        return Outcome(upload.state)  # finished, failed, waiting for a person, or another worker's
    try:
        return _attempt(upload, token)
    except Exception as exc:
        # A bug, not the provider: stop, keep the file, and make the next try look before sending.
        upload.mark_failed(UNEXPECTED.format(error=type(exc).__name__), token=token, needs_lookup=True)
        raise


def _attempt(upload: Upload, token: str) -> Outcome:
    try:
        with provider_client(
            upload.organization, upload.provider, upload_timeout=upload_timeout(), retries=2
        ) as client:
            if not upload.has_local_copy:
                return _fail(upload, token, FILE_GONE.format(error="no stored file"))
            if upload.needs_lookup:
                found = look_up(client, upload)
                if found is not None:
                    log.info("upload %s: found session %s upstream, not sending again", upload.pk, found.id)
                    return _sent(upload, token, found.id, found.title, reconciled=True)
            with open_stored(upload) as video:
                result = client.send_upload(upload_request(upload), video)
                if isinstance(video, HashingReader) and video.complete and not upload.sha256:
                    Upload.objects.filter(pk=upload.pk).update(sha256=video.hexdigest())
    except ProviderCallFailed as failure:
        return _failed(upload, token, failure)
    except OSError as exc:  # the stored file is missing or unreadable
        return _fail(upload, token, FILE_GONE.format(error=clause(exc.strerror or type(exc).__name__)))
    return _sent(upload, token, result.session_id, result.title, reconciled=False)


def upload_request(upload: Upload) -> aikynetix.UploadRequest:
    """What the provider is sent besides the video, from the stored upload."""
    return aikynetix.UploadRequest(
        activity=aikynetix.Activity(upload.activity),
        session_name=upload.title,
        user_id=upload.provider_user_id if upload.target == Upload.Target.ATHLETE else None,
        incline_degree=_plain(upload.incline_degree),
        exercise=upload.exercise or None,
        barbell_mass_kg=_plain(upload.barbell_mass_kg),
        filename=upload.original_filename,
    )


def _plain(value: Decimal | None) -> str | None:
    """A decimal without exponent or trailing zeros: 5.50 -> "5.5", 20.00 -> "20"."""
    return None if value is None else format(value.normalize(), "f")


def _foreign_athlete(upload: Upload, failure: ProviderCallFailed) -> bool:
    """The provider refused the athlete's user id itself (not the video): the athlete needs fixing."""
    return bool(upload.athlete_id and upload.provider_user_id) and names_foreign_user(failure.message)


def _failed(upload: Upload, token: str, failure: ProviderCallFailed) -> Outcome:
    """Fail the upload with a message saying what to do, or put it back for a later try."""
    if failure.kind not in KEY_FAILURES:
        if failure.retryable:
            # After an unanswered upload the session may exist: the next try looks it up before sending.
            return _retry(upload, token, failure, needs_lookup=failure.outcome_unknown)
        if _foreign_athlete(upload, failure):
            return _fail(upload, token, FOREIGN_ATHLETE_ID)
    # A key to fix, or a refusal (400, 404 quota, 422) that sending again cannot change.
    return _fail(upload, token, failure.explain(FAILURES, otherwise=REFUSED))


def look_up(client, upload: Upload) -> aikynetix.Session | None:
    """Find the session an earlier, unanswered attempt created: same title, same user, not anyone else's."""
    page = client.filter_sessions(
        title=upload.title, user_id=upload.provider_user_id or None, limit=LOOKUP_LIMIT
    )
    candidates = [s for s in page.sessions if s.title == upload.title]
    if not candidates:
        return None
    ids = [s.id for s in candidates]
    claimed = set(
        Upload.objects.filter(
            organization=upload.organization, provider=upload.provider, external_session_id__in=ids
        )
        .exclude(pk=upload.pk)
        .values_list("external_session_id", flat=True)
    )
    # Sessions the library already mirrored before this upload existed cannot be its own.
    older = set(
        Session.objects.filter(
            organization=upload.organization,
            provider=upload.provider,
            external_id__in=ids,
            created_at__lt=upload.created_at,
        ).values_list("external_id", flat=True)
    )
    mine = [s for s in candidates if s.id not in claimed and s.id not in older]
    if len(mine) > 1:
        log.warning("upload %s: %d upstream sessions match; taking the newest", upload.pk, len(mine))
    mine.sort(key=lambda s: (s.created_at is not None, s.created_at), reverse=True)
    return mine[0] if mine else None


def _sent(upload: Upload, token: str, session_id: str, title: str, *, reconciled: bool) -> Outcome:
    if not upload.mark_sent(session_id, title, token=token):
        upload.refresh_from_db()
        return Outcome(upload.state)
    AuditEvent.record(
        upload.organization,
        None,
        "upload.forwarded",
        upload,
        session_id=session_id,
        attempts=upload.attempts,
        reconciled=reconciled,
    )
    link_session(upload)
    return Outcome(upload.state)


def link_session(upload: Upload) -> None:
    """Create the library's record of the new session (processing) and ask the sync to follow it."""
    session, _ = Session.objects.get_or_create(
        organization=upload.organization,
        provider=upload.provider,
        external_id=upload.external_session_id,
        defaults={
            "athlete": upload.athlete,
            "provider_user_id": upload.provider_user_id,
            "activity": upload.activity,
            "exercise": upload.exercise,
            "title": upload.title,
            "status": Session.Status.PROCESSING,
        },
    )
    upload.mark_processing(session)
    request_sync(upload.organization, force=True)


def _fail(upload: Upload, token: str, reason: str) -> Outcome:
    upload.mark_failed(reason, token=token)
    AuditEvent.record(upload.organization, None, "upload.failed", upload, reason=reason[:300])
    return Outcome(Upload.State.FAILED)


def _retry(upload: Upload, token: str, failure: ProviderCallFailed, *, needs_lookup: bool) -> Outcome:
    message = clause(failure.message, fallback="no answer")
    if upload.attempts >= MAX_ATTEMPTS:
        upload.mark_failed(
            GAVE_UP.format(attempts=upload.attempts, error=message), token=token, needs_lookup=needs_lookup
        )
        AuditEvent.record(upload.organization, None, "upload.failed", upload, reason=message[:300])
        return Outcome(Upload.State.FAILED)
    delay = backoff(upload.attempts)
    upload.release_for_retry(
        sentence(f"Try {upload.attempts} failed: {message}"),
        token=token,
        delay=timedelta(seconds=delay),
        needs_lookup=needs_lookup,
    )
    log.info("upload %s: try %d failed (%s); next in %.0f s", upload.pk, upload.attempts, message, delay)
    return Outcome(Upload.State.STORED, retry_in=delay)


# Reading the stored file ------------------------------------------------------------------------------


class HashingReader:
    """A file-like view of a stored object for the multipart encoder: known length, SHA-256 on the way.

    `len` is what is left to read, as requests-toolbelt expects of a part body.
    """

    def __init__(self, stream, size: int, name: str):
        self._stream = stream
        self._size = size
        self._read = 0
        self._hash = hashlib.sha256()
        self.name = name

    @property
    def len(self) -> int:
        return self._size - self._read

    @property
    def complete(self) -> bool:
        return self._read == self._size

    def read(self, amount: int = -1) -> bytes:
        if amount is None or amount < 0:
            amount = self.len
        amount = min(amount, self.len, READ_BLOCK * 8)
        if amount <= 0:
            return b""
        data = self._stream.read(amount)
        if not data:
            raise OSError(f"the stored file ended after {self._read} of {self._size} bytes")
        self._read += len(data)
        self._hash.update(data)
        return data

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


@contextmanager
def open_stored(upload: Upload) -> Iterator[str | HashingReader]:
    """Yield a local path when the storage has one (fastest), otherwise a streaming reader."""
    storage, name = direct.real_storage(upload.file.storage), upload.file.name
    # Only a real local file system gives a path worth handing to the client (it then reads the file
    # with its own file object; InMemoryStorage has a path() that points nowhere).
    path = storage.path(name) if isinstance(storage, FileSystemStorage) else None
    if path is not None:
        if not os.path.exists(path):
            raise FileNotFoundError(2, "the stored file is missing", path)
        yield path
        return
    if direct.enabled(storage):
        client, bucket, key = direct.s3_object(storage, name)
        stream = client.get_object(Bucket=bucket, Key=key)["Body"]
    else:
        stream = storage.open(name, "rb")
    try:
        yield HashingReader(stream, upload.size, upload.original_filename)
    finally:
        stream.close()
