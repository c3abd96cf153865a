"""Changes to one session: written to the provider first, then to the mirror, with an audit row."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from coachportal.organizations.credentials import Failure, ProviderCallFailed, provider_client
from coachportal.organizations.models import AuditEvent, Provider
from coachportal.organizations.provider_messages import sentence
from coachportal.providers import aikynetix

from . import export_jobs, frame_rates, periods, signals, tasks
from .models import Activity, Session, SessionExport, SessionMetric
from .provider_urls import safe_url, url_expiry
from .schedule import request_sync

NO_KEY = "This organization has no AiKYNETIX key. An owner or admin can add one under Settings → Providers."


class ProviderActionFailed(Exception):
    """The provider did not do what was asked; nothing changed locally. The message is for people."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _call(session: Session, action):
    """Run `action(client)`, turning provider errors into a ProviderActionFailed with a readable reason."""
    try:
        with provider_client(session.organization_id, Provider.AIKYNETIX, retries=1) as client:
            return action(client)
    except ProviderCallFailed as failure:
        raise ProviderActionFailed(_reason(failure)) from failure


# What a person reads when the provider did not do what they asked (nothing changed here).
REASONS = {
    Failure.NO_KEY: NO_KEY,
    Failure.KEY_UNREADABLE: "The saved key cannot be decrypted: {detail}",
    Failure.KEY_REJECTED: "AiKYNETIX refused the organization's key: {detail}",
    Failure.NOT_PERMITTED: "AiKYNETIX did not allow this: {detail}",
    Failure.UNAVAILABLE: "AiKYNETIX could not be reached, nothing was changed: {detail}",
}


def _reason(failure: ProviderCallFailed) -> str:
    return sentence(failure.explain(REASONS, otherwise="AiKYNETIX refused: {detail}"))


# A write that got no usable answer (timeout, dropped connection, 5xx) may still have been applied: the
# portal says so, reads the session back, and tells what it found. One message per outcome.
UPDATED = "Session updated."
UPDATE_APPLIED_LATE = (
    "AiKYNETIX did not confirm the change, so the portal read the session back: the change was applied."
)
UPDATE_NOT_APPLIED = (
    "AiKYNETIX did not confirm the change, so the portal read the session back: "
    "the change was not applied. Nothing was changed; try again."
)
DELETE_APPLIED_LATE = (
    "AiKYNETIX did not confirm the deletion, so the portal read the session back: it was deleted."
)
DELETE_NOT_APPLIED = (
    "AiKYNETIX did not confirm the deletion, so the portal read the session back: "
    "it was not deleted. Nothing was changed; try again."
)
UNCONFIRMED = (
    "AiKYNETIX did not confirm the change and could not be read back, so the portal cannot tell yet "
    "whether it was applied. The library shows AiKYNETIX's version after the next sync; check again "
    "in a minute."
)


class OutcomeUnknown(ProviderActionFailed):
    """The provider did not answer and could not be read back: the change may or may not have happened."""


@dataclass(frozen=True)
class Outcome:
    """What a write did, in words for the person who asked for it."""

    message: str
    confirmed_by_read_back: bool = False


def _write(session: Session, action, read_back: Callable[[list], bool | None]) -> bool:
    """Send a write; without a usable answer, read the session back and judge it with `read_back`.

    Return False when the provider confirmed the write, True when only the read-back showed it applied.
    Raise ProviderActionFailed when it was refused or not applied, OutcomeUnknown when nobody can tell.
    `read_back(found)` gets the provider's sessions with this id ([] when gone) and answers True
    (applied), False (not applied) or None (cannot tell).
    """
    try:
        with provider_client(session.organization_id, Provider.AIKYNETIX) as client:
            try:
                action(client)
                return False
            except aikynetix.ProviderUnavailable:
                pass  # no usable answer: the provider may have applied the write
            try:
                applied = read_back(client.fetch_sessions([session.external_id]))
            except aikynetix.AikynetixError as exc:
                request_sync(session.organization)
                raise OutcomeUnknown(UNCONFIRMED) from exc
    except ProviderCallFailed as failure:  # refused (the key marked when it was the key)
        raise ProviderActionFailed(_reason(failure)) from failure
    if applied is None:
        request_sync(session.organization)
        raise OutcomeUnknown(UNCONFIRMED)
    return applied


def _same_minute(a: datetime | None, b: datetime) -> bool:
    # The provider shows times to the minute (DD/MM/YYYY HH:MM AM/PM).
    return a is not None and abs((a - b).total_seconds()) < 60


def update_session(session: Session, *, title: str, recorded_at: datetime, actor) -> Outcome:
    """Rename and/or re-date a session at the provider, then in the mirror."""
    changes: dict = {}
    if title != session.title:
        changes["title"] = title
    if recorded_at != session.recorded_at:
        changes["created_at"] = recorded_at
    if not changes:
        return Outcome(UPDATED)

    def read_back(found: list) -> bool | None:
        if not found:
            return None  # gone upstream: the next sync will tell the library
        remote = found[0]
        applied = remote.title == title and _same_minute(remote.created_at, recorded_at)
        if not applied:
            raise ProviderActionFailed(UPDATE_NOT_APPLIED)
        return True

    late = _write(session, lambda client: client.update_session(session.external_id, **changes), read_back)
    before = {"title": session.title, "recorded_at": session.recorded_at.isoformat()}
    session.title = title
    session.recorded_at = recorded_at
    session.synced_at = timezone.now()
    with transaction.atomic():
        session.save(update_fields=["title", "recorded_at", "synced_at"])
        rows = SessionMetric.objects.filter(session=session)
        left = periods.changed_rows(rows)
        rows.update(recorded_at=recorded_at)
        periods.recompute([*left, *periods.changed_rows(rows)])  # the weeks and months it left and joined
        AuditEvent.record(
            session.organization, actor, "session.updated", session,
            before=before, after={"title": title, "recorded_at": recorded_at.isoformat()},
            **({"confirmed_by_read_back": True} if late else {}),
        )  # fmt: skip
    return Outcome(UPDATE_APPLIED_LATE if late else UPDATED, confirmed_by_read_back=late)


def delete_session(session: Session, *, actor) -> Outcome:
    """Delete a session at the provider, then mark it deleted here (kept for the audit trail)."""

    def delete(client):
        # Already gone upstream is the outcome the person asked for.
        with contextlib.suppress(aikynetix.NotFound):
            client.delete_session(session.external_id)

    def read_back(found: list) -> bool:
        if found:
            raise ProviderActionFailed(DELETE_NOT_APPLIED)
        return True

    late = _write(session, delete, read_back)
    with transaction.atomic():
        session.status = Session.Status.DELETED
        session.synced_at = timezone.now()
        session.save(update_fields=["status", "synced_at"])
        rows = SessionMetric.objects.filter(session=session)
        changed = periods.changed_rows(rows)
        rows.delete()
        periods.recompute(changed)
        AuditEvent.record(
            session.organization, actor, "session.deleted", session, external_id=session.external_id,
            **({"confirmed_by_read_back": True} if late else {}),
        )  # fmt: skip
        signals.sessions_deleted.send(Session, organization=session.organization, session_ids=[session.pk])
    name = session.title or session.external_id
    return Outcome(DELETE_APPLIED_LATE if late else f"Deleted “{name}”.", confirmed_by_read_back=late)


def _flags(session: Session) -> dict[str, bool]:
    return {
        "is_jump": session.activity == Activity.JUMPING,
        "is_weight": session.activity == Activity.WEIGHTLIFTING,
    }


def generate_analyzed_video(session: Session, *, actor) -> Session:
    """Ask the provider to make the analysed video; store its URL."""

    def generate(client):
        try:
            return client.generate_analyzed_video(session.external_id, **_flags(session))
        except aikynetix.InvalidRequest as exc:
            if "already" not in exc.message.lower():
                raise
            return client.get_analyzed_video_url(session.external_id, **_flags(session))

    url = safe_url(_call(session, generate))
    _store_video_url(session, url)
    AuditEvent.record(session.organization, actor, "session.video_generated", session)
    return session


def refresh_analyzed_video_url(session: Session) -> Session:
    """Fetch a fresh analysed-video URL when the cached one has expired (or is about to)."""
    if not session.analyzed_video_needs_refresh():
        return session
    url = safe_url(_call(session, lambda c: c.get_analyzed_video_url(session.external_id, **_flags(session))))
    _store_video_url(session, url)
    return session


def download_url(session: Session) -> str:
    """A signed download link for the analysed video; fetched on demand and never stored."""
    return safe_url(
        _call(
            session, lambda c: c.get_analyzed_video_url(session.external_id, download=True, **_flags(session))
        )
    )


def _store_video_url(session: Session, url: str) -> None:
    session.analyzed_video_url = url
    session.analyzed_video_expires_at = url_expiry(url)
    session.save(update_fields=["analyzed_video_url", "analyzed_video_expires_at"])


def frame_rate_for(session: Session) -> float | None:
    """The analysed video's frame rate if known; otherwise queue its probe once and return None."""
    fps = frame_rates.known_frame_rate(session)
    if fps is None and frame_rates.claim_probe(session):
        transaction.on_commit(lambda: tasks.probe_frame_rate.enqueue(session.pk))
    return fps


def start_export(org, *, actor, query: str, rows_total: int, download_url_for) -> SessionExport:
    """Queue a background export of the library under `query`; `download_url_for(export)` is absolute."""
    with transaction.atomic():
        export = export_jobs.create_export(org, actor=actor, query=query, rows_total=rows_total)
        export.download_url = download_url_for(export)
        export.save(update_fields=["download_url"])
        transaction.on_commit(lambda: tasks.build_export.enqueue(export.pk))
    return export


def assign_sessions(sessions, *, athlete, actor) -> list[Session]:
    """Give sessions of people not on the roster to `athlete`, by hand (the sync keeps it); audit each.

    `sessions` is already scoped to the athlete's organization; sessions that have an athlete are left alone.
    Return the sessions assigned.
    """
    with transaction.atomic():
        chosen = list(
            sessions.select_related(None).unassigned().select_for_update().order_by("-recorded_at", "-id")
        )
        Session.objects.filter(pk__in=[s.pk for s in chosen]).update(
            athlete=athlete, athlete_set_by_hand=True
        )
        for session in chosen:
            AuditEvent.record(
                athlete.organization, actor, "session.assigned", session,
                athlete=athlete.name, athlete_id=athlete.pk,
                provider_user=session.provider_user_name or session.provider_user_id,
            )  # fmt: skip
    return chosen
