"""Download PDF reports: a session's, an athlete's over a range, a comparison's; follow the slow ones."""

from __future__ import annotations

import io

from django.core.exceptions import BadRequest
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from coachportal.accounts import zones
from coachportal.athletes.models import Athlete
from coachportal.notes.models import Note
from coachportal.organizations.access import org_view
from coachportal.sessions import compare as comparing
from coachportal.sessions import job_pages, metrics, profile, summaries
from coachportal.sessions import services as library
from coachportal.sessions.models import Session

from . import building, jobs, services, session_pdf
from .frames import frames_at
from .models import ReportJob
from .session_pdf import ReportData


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
    return _pdf(session_pdf.render(data), f"{slugify(session.title) or 'session'}-{session.pk}")


# Athlete and comparison reports: streamed when quick, otherwise written by the worker -----------------------


def _pdf(data: bytes, name: str) -> FileResponse:
    response = FileResponse(
        io.BytesIO(data), as_attachment=True, filename=f"{slugify(name) or 'report'}.pdf",
        content_type="application/pdf",
    )  # fmt: skip
    response["Cache-Control"] = "private, no-store"
    return response


def _stream_or_offer(request, org, report, *, kind: str, object_id: int, query: str, title: str, back: str):
    """Send the PDF now, or (frames to grab, many sessions) offer to have the worker write it."""
    if not building.needs_worker(report):
        return _pdf(jobs.render(report), jobs.file_name(report))
    context = {"org": org, "kind": kind, "object_id": object_id, "query": query, "title": title, "back": back}
    return render(request, "reports/large.html", context)


@org_view()
def athlete_report(request, org, athlete_id):
    """An athlete's PDF over the range the profile shows (fixed to its dates)."""
    athlete = get_object_or_404(Athlete, pk=athlete_id, organization=org)
    date_range = summaries.fixed_range(request.GET, profile.today())
    query = summaries.range_query(date_range)
    back = reverse("athletes:detail", args=[org.slug, athlete.pk]) + f"?{query}"
    report = building.athlete_report(org, athlete, QueryDict(query), link=request.build_absolute_uri(back))
    return _stream_or_offer(
        request, org, report, kind=ReportJob.Kind.ATHLETE, object_id=athlete.pk, query=query,
        title=f"{athlete.name}, {date_range.text}", back=back,
    )  # fmt: skip


def _comparison_or_404(org, query: QueryDict):
    sessions, offsets, refusal = summaries.read_comparison(org, query)
    if sessions is None:
        raise Http404("No such session.")  # another organization's id reads as a missing one
    if refusal:
        raise BadRequest(refusal)
    return sessions, offsets


@org_view()
def comparison_report(request, org):
    """The PDF of the comparison in the query string (the compare page's sessions and offsets)."""
    sessions, offsets = _comparison_or_404(org, request.GET)
    query = comparing.compare_query([s.pk for s in sessions], offsets)
    back = reverse("library:compare", args=[org.slug]) + f"?{query}"
    report = building.comparison_report(org, sessions, offsets, link=request.build_absolute_uri(back))
    title = " vs ".join(s.title or "(untitled)" for s in sessions)
    return _stream_or_offer(
        request, org, report, kind=ReportJob.Kind.COMPARISON, object_id=sessions[0].pk, query=query,
        title=title, back=back,
    )  # fmt: skip


@org_view()
@require_POST
def start_athlete_report(request, org, athlete_id):
    athlete = get_object_or_404(Athlete, pk=athlete_id, organization=org)
    date_range = summaries.fixed_range(request.GET, profile.today())
    query = summaries.range_query(date_range)
    job = services.start_report(
        org, actor=request.user, kind=ReportJob.Kind.ATHLETE, object_id=athlete.pk, query=query,
        title=f"{athlete.name}, {date_range.text}",
        back_url=reverse("athletes:detail", args=[org.slug, athlete.pk]) + f"?{query}",
    )  # fmt: skip
    return redirect("reports:job", org_slug=org.slug, pk=job.pk)


@org_view()
@require_POST
def start_comparison_report(request, org):
    sessions, offsets = _comparison_or_404(org, request.GET)
    query = comparing.compare_query([s.pk for s in sessions], offsets)
    job = services.start_report(
        org, actor=request.user, kind=ReportJob.Kind.COMPARISON, object_id=sessions[0].pk, query=query,
        title=" vs ".join(s.title or "(untitled)" for s in sessions),
        back_url=reverse("library:compare", args=[org.slug]) + f"?{query}",
    )  # fmt: skip
    return redirect("reports:job", org_slug=org.slug, pk=job.pk)


_report_pages = job_pages.JobPages(
    ReportJob, template="reports/job.html", gone_template="reports/gone.html",
    status_url_name="reports:job", content_type="application/pdf",
)  # fmt: skip
job = org_view()(_report_pages.progress)  # a report the worker writes; the HTMX poll only reads
download = org_view()(_report_pages.download)
