"""Notes on a session: add at a moment of the video, change your own, remove (yours, or any as a manager)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from coachportal.organizations.access import org_view
from coachportal.sessions.models import Session

from . import services
from .forms import NoteEditForm, NoteForm
from .models import Note

NOT_YOURS = "Only the author of a note can change it."
NOT_YOURS_TO_DELETE = "Only the author of a note, an owner or an admin can delete it."


def _session_or_404(org, session_id) -> Session:
    return get_object_or_404(Session.objects.for_org(org).visible(), pk=session_id)


def _note_or_404(org, session_id, note_id) -> Note:
    session = _session_or_404(org, session_id)
    return get_object_or_404(Note.objects.for_session(session).select_related("session"), pk=note_id)


def _back_to(org, session_id, note: Note | None = None) -> str:
    url = reverse("library:detail", args=[org.slug, session_id])
    return url + (f"#note-{note.pk}" if note else "#notes")


@org_view()
@require_POST
def add(request, org, session_id):
    session = _session_or_404(org, session_id)
    form = NoteForm(request.POST)
    if not form.is_valid():
        for error in form.non_field_errors():
            messages.error(request, error)
        for name, errors in form.errors.items():
            if name != "__all__":
                messages.error(request, f"{form.fields[name].label or name}: {' '.join(errors)}")
        return redirect(_back_to(org, session.pk))
    data = form.cleaned_data
    note = services.add_note(
        session, actor=request.user, at_seconds=data["at_seconds"], text=data["text"],
        shapes=data["shapes"], aspect=data["aspect"],
    )  # fmt: skip
    messages.success(request, f"Note saved at {note.time_label}.")
    return redirect(_back_to(org, session.pk, note))


@org_view()
def edit(request, org, session_id, note_id):
    note = _note_or_404(org, session_id, note_id)
    if not services.may_edit(note, request.membership):
        raise PermissionDenied(NOT_YOURS)
    initial = {"at_seconds": note.at_seconds, "text": note.text}
    form = NoteEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.change_note(
            note,
            actor=request.user,
            at_seconds=form.cleaned_data["at_seconds"],
            text=form.cleaned_data["text"],
        )
        messages.success(request, "Note updated.")
        return redirect(_back_to(org, session_id, note))
    return render(request, "notes/edit.html", {"org": org, "s": note.session, "note": note, "form": form})


@org_view()
@require_POST
def delete(request, org, session_id, note_id):
    note = _note_or_404(org, session_id, note_id)
    if not services.may_delete(note, request.membership):
        raise PermissionDenied(NOT_YOURS_TO_DELETE)
    services.delete_note(note, actor=request.user)
    messages.success(request, "Note deleted.")
    return redirect(_back_to(org, session_id))
