"""The notes panels' data, read by templates/notes/ (the pages that show notes need no new context)."""

from django import template
from django.utils.functional import SimpleLazyObject

from coachportal.notes import services
from coachportal.notes.forms import NoteForm

register = template.Library()

# Where a page's sessions keep the notes read for it, in time order (a list, as Prefetch(to_attr=...) keeps
# prefetched objects), so a panel finds its session's notes already read by an earlier one.
READ = "notes_in_time_order"


@register.simple_tag(takes_context=True)
def session_notes(context, session, among=None):
    """The session's notes in time order, each with what the viewer may do to it.

    `among`: the sessions a page shows together (compare); the first call reads the notes of all of them
    in one query, so a page's query count does not grow with sessions or notes.
    """
    request = context.get("request")
    membership = getattr(request, "membership", None)
    group = [*(s for s in (among or []) if s.organization_id == session.organization_id), session]
    # The first call of a page reads the group's notes; the next ones find them already read.
    unread = [s for s in group if not hasattr(s, READ)]
    if unread:
        found = services.notes_by_session(session.organization_id, [s.pk for s in unread])
        for s in unread:
            setattr(s, READ, found[s.pk])
    notes = getattr(session, READ)
    for note in notes:
        note.can_edit = membership is not None and services.may_edit(note, membership)
        note.can_delete = membership is not None and services.may_delete(note, membership)
    # The form is built only where a panel shows it (the session page's, not compare's).
    return {"notes": notes, "data": [n.as_data() for n in notes], "form": SimpleLazyObject(NoteForm)}
