"""Download a session's PDF report."""

from __future__ import annotations

import io

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from coachportal.accounts import zones
from coachportal.notes.models import Note
from coachportal.organizations.access import org_view
from coachportal.sessions import metrics
from coachportal.sessions import services as library
from coachportal.sessions.models import Session

from .frames import frames_at
from .session_pdf import ReportData, render


@org_view()
def session_report(request, org, session_id):
    session = get_object_or_404(
        Session.objects.for_org(org).visible().select_related("athlete"), pk=session_id
    )
    notes = list(Note.objects.for_session(session).in_time_order())
    pictures = {}
    drawn = [n.at_seconds for n in notes if n.shapes]
    if drawn and session.analyzed_video_url:
        try:
            library.refresh_analyzed_video_url(session)
        except library.ProviderActionFailed:
            pass  # the report still comes, with its drawings on plain panels
        else:
            pictures = frames_at(session.analyzed_video_url, drawn)
    data = ReportData(
        organization=org.name,
        title=session.title or "Session",
        athlete=session.athlete_display,
        recorded=zones.moment_text(timezone.localtime(session.recorded_at), style="long"),
        activity=session.activity_label + (f" ({session.exercise_label})" if session.exercise else ""),
        metric_groups=metrics.metric_groups(session.activity, session.metrics),
        notes=notes,
        link=request.build_absolute_uri(reverse("library:detail", args=[org.slug, session.pk])),
        frames=pictures,
    )
    name = f"{slugify(session.title) or 'session'}-{session.pk}.pdf"
    response = FileResponse(
        io.BytesIO(render(data)), as_attachment=True, filename=name, content_type="application/pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response
