"""Adding, changing and removing notes, each with an audit row; who may change which note."""

from __future__ import annotations

from functools import lru_cache

from django.db import connections, router, transaction

from coachportal.organizations.models import AuditEvent
from coachportal.prepared import WithRelated, fetch, quoted
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
    by_session = notes_by_session(organization.pk, [s.pk for s in sessions])
    return [(s, by_session[s.pk]) for s in sessions]


@lru_cache(maxsize=64)
def _notes_statement(using: str, count: int) -> tuple[WithRelated, str]:
    """The notes of `count` sessions of one organization with their authors, in time order: what
    `Note.objects.filter(organization_id=..., session_id__in=...).in_time_order()` reads, composed once
    per number of sessions (coachportal.prepared; the ORM's construction cost more CPU than the query)."""
    connection = connections[using]
    read = WithRelated.of(Note, "author", connection, aliases=("n", "u"))

    def n(field: str) -> str:
        return "n." + quoted(connection, Note, field)

    sql = (
        f"SELECT {read.columns} FROM {read.joined}"  # noqa: S608 (names only)
        f" WHERE {n('organization')} = %s AND {n('session')} IN ({', '.join(['%s'] * count)})"
        f" ORDER BY {n('at_seconds')}, {n('id')}"
    )
    return read, sql


def notes_by_session(organization_id: int, session_ids: list[int]) -> dict[int, list[Note]]:
    """The notes of several sessions of one organization, in time order, by session id (one query), each
    with its author read (None for a former member's)."""
    found: dict[int, list[Note]] = {pk: [] for pk in session_ids}
    if not found:
        return found
    using = router.db_for_read(Note)
    read, sql = _notes_statement(using, len(found))
    connection, rows = fetch(using, sql, [organization_id, *found])
    for row in rows:
        instance = read.instance(row, using=using, connection=connection)
        found[instance.session_id].append(instance)
    return found
