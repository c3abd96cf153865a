"""Adding, changing and removing notes, each with an audit row; who may change which note."""

from __future__ import annotations

from django.db import transaction

from coachportal.organizations.models import AuditEvent
from coachportal.sessions.models import Session

from .models import Note


def may_edit(note: Note, membership) -> bool:
    """Only the author changes a note's words."""
    return note.author_id is not None and note.author_id == membership.user_id


def may_delete(note: Note, membership) -> bool:
    """The author, or an owner or admin of the organization, removes a note."""
    return may_edit(note, membership) or membership.may_manage()


def add_note(session, *, actor, at_seconds: float, text: str, shapes: list[dict], aspect: float) -> Note:
    with transaction.atomic():
        note = Note.objects.create(
            organization_id=session.organization_id, session=session, author=actor,
            at_seconds=round(at_seconds, 3), text=text.strip(), shapes=shapes, frame_aspect=aspect,
        )  # fmt: skip
        AuditEvent.record(
            session.organization, actor, "note.added", note,
            session=session.pk, at_seconds=note.at_seconds, shapes=len(shapes),
        )  # fmt: skip
    return note


def change_note(note: Note, *, actor, at_seconds: float, text: str) -> Note:
    before = {"at_seconds": note.at_seconds, "text": note.text}
    note.at_seconds = round(at_seconds, 3)
    note.text = text.strip()
    with transaction.atomic():
        note.save(update_fields=["at_seconds", "text", "updated_at"])
        AuditEvent.record(
            note.organization, actor, "note.changed", note,
            session=note.session_id, before=before, after={"at_seconds": note.at_seconds, "text": note.text},
        )  # fmt: skip
    return note


def delete_note(note: Note, *, actor) -> None:
    with transaction.atomic():
        AuditEvent.record(
            note.organization, actor, "note.deleted", note,
            session=note.session_id, author=note.author_id, text=note.text[:200],
        )  # fmt: skip
        note.delete()


def drop_notes_of(organization, session_ids: list[int]) -> int:
    """Remove the notes of sessions that were deleted (the library tells us by signal)."""
    deleted, _ = Note.objects.filter(organization=organization, session_id__in=session_ids).delete()
    return deleted


def export_cells(session_ids: list[int]) -> dict[int, str]:
    """One CSV cell per session: its notes in time order, one per line (one query per chunk of rows)."""
    cells: dict[int, list[str]] = {}
    for note in Note.objects.filter(session_id__in=session_ids).order_by("session_id", "at_seconds", "id"):
        cells.setdefault(note.session_id, []).append(note.export_text())
    return {pk: "\n".join(lines) for pk, lines in cells.items()}


def noted_sessions(organization, session_ids, *, limit: int = 20) -> list[tuple[Session, list]]:
    """The newest `limit` of these sessions (ids, or a subquery of them) that have notes, each with its notes
    in time order."""
    sessions = list(
        Session.objects.for_org(organization)
        .visible()
        .filter(pk__in=session_ids, notes__isnull=False)
        .distinct()
        .newest_first()[:limit]
    )
    by_session = notes_by_session(organization, [s.pk for s in sessions])
    return [(s, by_session[s.pk]) for s in sessions]


def notes_by_session(organization, session_ids: list[int]) -> dict[int, list[Note]]:
    """The notes of several sessions of one organization, in time order, by session id (one query)."""
    found: dict[int, list[Note]] = {pk: [] for pk in session_ids}
    for note in Note.objects.filter(organization=organization, session__in=session_ids).in_time_order():
        found[note.session_id].append(note)
    return found
