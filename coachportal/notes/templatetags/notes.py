"""The notes panels' data, read by templates/notes/ (the pages that show notes need no new context), and the
notes lists and the compare page's panels written by Jinja2 (jinja2/notes/; why: coachportal/jinja_env.py)."""

from functools import lru_cache

from django import template
from django.template import engines
from django.template.defaulttags import CsrfTokenNode
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.text import normalize_newlines
from django.utils.translation import get_language

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
    return {"notes": notes, "data": [n.as_data() for n in notes]}


BLANK_FIELDS_TEMPLATE = "notes/_blank_fields.html"


@register.simple_tag
def blank_note_fields() -> SafeString:
    """The session page's "add a note" fields: a blank NoteForm, the same on every session page (its
    errors are shown by notes.js from the JSON answer, never by a re-rendered form). Django's widget
    rendering cost about a fifth of the page's CPU (~0.9 ms), so they are written once per language."""
    return _blank_note_fields(get_language())


@lru_cache(maxsize=16)
def _blank_note_fields(language: str) -> SafeString:
    # strip(): the template's own comment line and final newline are not part of the fields.
    return SafeString(render_to_string(BLANK_FIELDS_TEMPLATE, {"form": NoteForm()}).strip())


LIST_TEMPLATE = "notes/list.html"
VIDEO_TEMPLATE = "notes/video_notes.html"


def listed(notes, *, editable: bool, org_slug: str = "", session_pk=None) -> list[dict]:
    """The notes (with can_edit and can_delete, from session_notes) as the list template's plain data,
    formatted as the Django template of the list did (stringformat, linebreaksbr, default)."""
    found = []
    for n in notes:
        edit = editable and n.can_edit
        delete = editable and n.can_delete
        # The author is read only where it is shown (a shared page's notes come without their authors).
        author = ((n.author.get_short_name() if n.author else "") or "Former member") if editable else ""
        found.append(
            {
                "pk": n.pk,
                "at": f"{n.at_seconds:.3f}",
                "time_label": n.time_label,
                "author": author,
                "lines": normalize_newlines(n.text).split("\n") if n.text else [],
                "drawn": bool(n.shapes),
                "drawing": n.drawing_summary if n.shapes else "",
                "edit_url": reverse("notes:edit", args=[org_slug, session_pk, n.pk]) if edit else "",
                "delete_url": reverse("notes:delete", args=[org_slug, session_pk, n.pk]) if delete else "",
            }
        )
    return found


def _written(name: str, data: dict) -> SafeString:
    # The Jinja2 environment autoescapes: every value in the template is escaped there.
    return SafeString(engines["jinja2"].get_template(name).render(data))


@register.simple_tag(takes_context=True)
def notes_list(context, notes, editable=False):
    """`{% notes_list review.notes editable=True %}`: the notes list; an editable one links each note's edit
    and delete to the page's `org` and session `s`."""
    org, session = context.get("org"), context.get("s")
    notes = listed(
        notes,
        editable=editable,
        org_slug=org.slug if editable else "",
        session_pk=session.pk if editable else None,
    )
    # The token is asked for only where a delete form shows it, as {% csrf_token %} in the form was.
    csrf_input = CsrfTokenNode().render(context) if any(n["delete_url"] for n in notes) else ""
    return _written(LIST_TEMPLATE, {"notes": notes, "editable": editable, "csrf_input": csrf_input})


@register.simple_tag(takes_context=True)
def video_notes(context, session, among=None, video_id=""):
    """`{% video_notes s among=sessions video_id=... %}`: one compared video's notes, read only, with a link
    to add one on the session's page."""
    review = session_notes(context, session, among=among)
    return _written(
        VIDEO_TEMPLATE,
        {
            "video_id": video_id,
            "title": session.title,
            "notes": listed(review["notes"], editable=False),
            "editable": False,
            "csrf_input": "",
            "data": review["data"],
            "add_url": reverse("library:detail", args=[context["org"].slug, session.pk]),
        },
    )
