"""Athlete and comparison PDFs written by the worker when they take long (video frames to grab, many
sessions), through the library's background-file jobs (sessions/export_jobs.py): the same claim, progress,
storage, expiry and purge as a large CSV export."""

from __future__ import annotations

import tempfile

from django.conf import settings
from django.http import QueryDict
from django.utils import timezone
from django.utils.text import slugify

from coachportal.accounts import zones
from coachportal.athletes.models import Athlete
from coachportal.sessions import export_jobs, summaries

from . import athlete_pdf, building, comparison_pdf
from .models import ReportJob

FAILED = "The report could not be made. Try again; if it fails again, choose a shorter range."


def report_for(job: ReportJob):
    """The report's contents, read again now (None when its athlete or sessions are gone)."""
    org, query = job.organization, QueryDict(job.query)
    link = settings.SITE_URL.rstrip("/") + job.back_url
    if job.kind == ReportJob.Kind.ATHLETE:
        athlete = Athlete.objects.filter(organization=org, pk=job.object_id).first()
        return athlete and building.athlete_report(org, athlete, query, link=link)
    sessions, offsets, refusal = summaries.read_comparison(org, query)
    if sessions is None or refusal:
        return None
    return building.comparison_report(org, sessions, offsets, link=link)


def render(report) -> bytes:
    if isinstance(report, building.AthleteReport):
        return athlete_pdf.render(report)
    return comparison_pdf.render(report)


def file_name(report) -> str:
    if isinstance(report, building.AthleteReport):
        return report.athlete
    return "comparison"


def run_report(job_id: int) -> str:
    """Write the job's PDF; return its final state. A second run of a finished job does nothing."""
    job = export_jobs.run_job(ReportJob, job_id, _write, failed=FAILED)
    return "skipped" if job is None else job.state


def _write(job: ReportJob) -> None:
    with timezone.override(zones.zone_for(job.requested_by, job.organization)):
        report = report_for(job)
        if report is None:
            raise LookupError("the report's athlete or sessions are gone")
        job.rows_total = len(report.noted) + 1  # each session's frames, then the PDF
        ReportJob.objects.filter(pk=job.pk).update(rows_total=job.rows_total)
        building.grab_frames(report, progress=lambda done: export_jobs.show_progress(job, done))
        pdf = render(report)
    name = f"reports/{job.organization.slug}/{job.pk}/{slugify(file_name(report)) or 'report'}.pdf"
    with tempfile.TemporaryFile() as raw:
        raw.write(pdf)
        job.rows_written = job.rows_total
        export_jobs.save_file(job, name, raw)
