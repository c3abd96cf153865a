"""Actions on the sessions ticked in the library: assign to an athlete, delete, export.

Each opens with a GET confirmation page listing what will happen (the library's selection form is a plain
GET form, `s=<id>` per ticked row), and acts on the POST from that page. Ids of another organization, or
of sessions that no longer show, are left out with a note; a selection with nothing left is a 404.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from coachportal.athletes.models import Athlete
from coachportal.organizations.access import org_view
from coachportal.organizations.models import Provider

from . import export, services
from .models import Session

MAX_SELECTED = 200  # a library page shows 25; this bounds a hand-made URL, not a person's choice
NOTHING_TICKED = "Tick one or more sessions in the list first."


class Selection:
    """The org's visible sessions among the ids in `s`, newest first, and how many ids were left out."""

    def __init__(self, org, data):
        ids = {int(v) for v in data.getlist("s")[:MAX_SELECTED] if v.isdigit() and 0 < len(v) < 19}
        self.sessions = (
            Session.objects.for_org(org).visible().filter(pk__in=ids).select_related("athlete")
        ).order_by("-recorded_at", "-id")
        self.rows = list(self.sessions)
        self.left_out = len(ids) - len(self.rows)
        if not self.rows:
            raise Http404("None of the selected sessions is in this organization's library.")

    @property
    def ids(self) -> list[int]:
        return [s.pk for s in self.rows]

    def note(self) -> str:
        n = self.left_out
        if not n:
            return ""
        if n == 1:
            return "1 selected session is not in this organization's library (or no longer shows): left out."
        return f"{n} selected sessions are not in this organization's library (or no longer show): left out."


class AssignForm(forms.Form):
    athlete = forms.ModelChoiceField(queryset=None, empty_label="Choose an athlete")

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["athlete"].queryset = Athlete.objects.filter(organization=org).order_by("name", "pk")


def _read(request, org) -> Selection | None:
    """The selection sent with the request, or None (with a message) when nothing was ticked."""
    data = request.POST if request.method == "POST" else request.GET
    if not data.getlist("s"):
        messages.info(request, NOTHING_TICKED)
        return None
    return Selection(org, data)


def _page(request, org, selection, action, **context):
    note = selection.note()
    return render(
        request,
        "sessions/selected.html",
        {
            "org": org,
            "action": action,
            "sessions": selection.rows,
            "ids": selection.ids,
            "note": note,
            **context,
        },
    )


@org_view(check="may_manage")
def assign(request, org):
    """Assign the ticked sessions of people not on the roster to one athlete."""
    if (selection := _read(request, org)) is None:
        return redirect("library:list", org_slug=org.slug)
    form = AssignForm(request.POST or None, org=org)
    assignable = [s for s in selection.rows if s.athlete_id is None and s.activity != "match"]
    if request.method == "POST" and form.is_valid():
        athlete = form.cleaned_data["athlete"]
        done = services.assign_sessions(selection.sessions, athlete=athlete, actor=request.user)
        skipped = len(selection.rows) - len(done)
        text = f"Assigned {len(done)} session{'s' if len(done) != 1 else ''} to {athlete.name}."
        if skipped:
            text += f" {skipped} already had an athlete and kept it."
        messages.success(request, text)
        if selection.note():
            messages.warning(request, selection.note())
        return redirect("library:list", org_slug=org.slug)
    return _page(request, org, selection, "assign", form=form, assignable=assignable)


@org_view(check="may_manage")
def delete(request, org):
    """Delete the ticked sessions at the provider, one by one, and say what happened to each."""
    if (selection := _read(request, org)) is None:
        return redirect("library:list", org_slug=org.slug)
    deletable = [s for s in selection.rows if s.provider == Provider.AIKYNETIX]
    if request.method != "POST":
        return _page(request, org, selection, "delete", deletable=deletable)
    outcomes = []
    for session in deletable:
        try:
            services.delete_session(session, actor=request.user)
        except services.ProviderActionFailed as exc:
            outcomes.append({"session": session, "deleted": False, "message": exc.message})
        else:
            outcomes.append({"session": session, "deleted": True, "message": "Deleted."})
    deleted = sum(o["deleted"] for o in outcomes)
    context = {
        "outcomes": outcomes,
        "deleted": deleted,
        "failed": len(outcomes) - deleted,
        "matches": len(selection.rows) - len(deletable),
    }
    return _page(request, org, selection, "deleted", **context)


@org_view()
def export_selected(request, org):
    """Export the ticked sessions as CSV, with the library's export columns."""
    if (selection := _read(request, org)) is None:
        return redirect("library:list", org_slug=org.slug)
    if request.method != "POST":
        return _page(request, org, selection, "export")
    sessions = selection.sessions.select_related(None)
    lines = export.csv_lines(export.csv_rows(sessions, export.activities_in(sessions, None)))
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{org.slug}-selected-sessions-{stamp}.csv"'
    return response
