"""The notes panel's data, read by templates/notes/_panel.html (the session page needs no new context)."""

from django import template

from coachportal.notes import services
from coachportal.notes.forms import NoteForm
from coachportal.notes.models import Note

register = template.Library()


@register.simple_tag(takes_context=True)
def session_notes(context, session):
    """The session's notes in time order (one query), each with what the viewer may do to it."""
    request = context.get("request")
    membership = getattr(request, "membership", None)
    notes = list(Note.objects.for_session(session).in_time_order())
    for note in notes:
        note.can_edit = membership is not None and services.may_edit(note, membership)
        note.can_delete = membership is not None and services.may_delete(note, membership)
    return {"notes": notes, "data": [n.as_data() for n in notes], "form": NoteForm()}
