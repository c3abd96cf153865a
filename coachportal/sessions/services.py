"""Changes to one session: written to the provider first, then to the mirror, with an audit row."""

from __future__ import annotations

import contextlib
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from coachportal.organizations.credentials import Failure, ProviderCallFailed, provider_client
from coachportal.organizations.models import AuditEvent, Provider
from coachportal.organizations.provider_messages import sentence
from coachportal.providers import aikynetix

from . import export_jobs, tasks
from .models import Activity, Session, SessionExport
from .provider_urls import safe_url, url_expiry

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


def update_session(session: Session, *, title: str, recorded_at: datetime, actor) -> Session:
    """Rename and/or re-date a session at the provider, then in the mirror."""
    changes: dict = {}
    if title != session.title:
        changes["title"] = title
    if recorded_at != session.recorded_at:
        changes["created_at"] = recorded_at
    if not changes:
        return session
    _call(session, lambda client: client.update_session(session.external_id, **changes))
    before = {"title": session.title, "recorded_at": session.recorded_at.isoformat()}
    session.title = title
    session.recorded_at = recorded_at
    session.synced_at = timezone.now()
    with transaction.atomic():
        session.save(update_fields=["title", "recorded_at", "synced_at"])
        AuditEvent.record(
            session.organization, actor, "session.updated", session,
            before=before, after={"title": title, "recorded_at": recorded_at.isoformat()},
        )  # fmt: skip
    return session


def delete_session(session: Session, *, actor) -> None:
    """Delete a session at the provider, then mark it deleted here (kept for the audit trail)."""

    def delete(client):
        # Already gone upstream is the outcome the person asked for.
        with contextlib.suppress(aikynetix.NotFound):
            client.delete_session(session.external_id)

    _call(session, delete)
    with transaction.atomic():
        session.status = Session.Status.DELETED
        session.synced_at = timezone.now()
        session.save(update_fields=["status", "synced_at"])
        AuditEvent.record(
            session.organization, actor, "session.deleted", session, external_id=session.external_id
        )


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


def start_export(org, *, actor, query: str, rows_total: int, download_url_for) -> SessionExport:
    """Queue a background export of the library under `query`; `download_url_for(export)` is absolute."""
    with transaction.atomic():
        export = export_jobs.create_export(org, actor=actor, query=query, rows_total=rows_total)
        export.download_url = download_url_for(export)
        export.save(update_fields=["download_url"])
        transaction.on_commit(lambda: tasks.build_export.enqueue(export.pk))
    return export
