"""Files written in the background (models.BackgroundFile): claim, write to storage with progress, expire.

The library's large CSV exports are written here; the features above the library (PDF reports) run their
own files through `run_job`, `save_file` and `purge_expired`. A CSV is written row by row to a temporary
file and then handed to the storage, so memory stays flat whatever the size; progress is saved every few
thousand rows for the status page.
"""

from __future__ import annotations

import csv
import logging
import tempfile
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.http import QueryDict
from django.utils import timezone

from coachportal.accounts import zones
from coachportal.organizations.models import AuditEvent, Membership, Organization

from .export import activities_in, csv_rows
from .forms import read_filters
from .models import BackgroundFile, Session, SessionExport

log = logging.getLogger(__name__)

PROGRESS_EVERY = 5000  # rows between progress saves


def filtered_sessions(org: Organization, query: str, *, membership=None):
    """The library's sessions under the filters of `query` (as `membership` reads them: "My athletes"), and
    the chosen activity if any."""
    filters = read_filters(QueryDict(query), org=org, membership=membership)
    sessions = filters.apply(Session.objects.for_org(org).visible().select_related("athlete"))
    return sessions, filters.values.get("activity")


def create_export(org: Organization, *, actor, query: str, rows_total: int) -> SessionExport:
    export = SessionExport.objects.create(
        organization=org,
        requested_by=actor,
        query=query,
        rows_total=rows_total,
        expires_at=timezone.now() + timedelta(hours=settings.EXPORT_KEEP_HOURS),
    )
    AuditEvent.record(org, actor, "sessions.exported", export, rows=rows_total, query=query)
    return export


EXPORT_FAILED = "The export could not be written. Try again; if it fails again, narrow the filters."


def run_job(model: type[BackgroundFile], job_id: int, write, *, failed: str) -> BackgroundFile | None:
    """Claim a queued job and `write(job)` its file; on an error mark it failed with the message `failed`.

    Return the job (None when another run claimed it already: a second run of a job does nothing).
    """
    claimed = model.objects.filter(pk=job_id, state=BackgroundFile.State.QUEUED).update(
        state=BackgroundFile.State.RUNNING
    )
    if not claimed:
        return None
    job = model.objects.select_related("organization", "requested_by").get(pk=job_id)
    try:
        write(job)
    except Exception:
        log.exception("%s %s failed", model.__name__, job_id)
        job.state, job.error, job.finished_at = BackgroundFile.State.FAILED, failed, timezone.now()
        job.save(update_fields=["state", "error", "finished_at"])
    return job


def save_file(job: BackgroundFile, name: str, raw) -> None:
    """Store the finished file (an open binary file, read from its start) and mark the job done; the job's
    rows_written and rows_total are saved as the caller set them."""
    raw.seek(0)
    job.file_name = default_storage.save(name, File(raw, name=name))
    job.state = BackgroundFile.State.DONE
    job.finished_at = timezone.now()
    job.save(update_fields=["file_name", "rows_written", "rows_total", "state", "finished_at"])


def show_progress(job: BackgroundFile, done: int) -> None:
    """Save how far the job got, for its status page (one UPDATE)."""
    job.rows_written = done
    type(job).objects.filter(pk=job.pk).update(rows_written=done)


def run_export(export_id: int) -> str:
    """Write the export's file; return its final state. A second run of a finished export does nothing."""
    export = run_job(SessionExport, export_id, _write, failed=EXPORT_FAILED)
    if export is None:
        return "skipped"
    if export.state == SessionExport.State.DONE:
        _tell_requester(export)
    return export.state


def _write(export: SessionExport) -> None:
    with timezone.override(zones.zone_for(export.requested_by, export.organization)):
        _write_file(export)


def _write_file(export: SessionExport) -> None:
    membership = Membership.objects.filter(organization=export.organization, user=export.requested_by).first()
    sessions, activity = filtered_sessions(export.organization, export.query, membership=membership)
    stamp = timezone.localtime(export.created_at).strftime("%Y%m%d-%H%M")
    name = f"exports/{export.organization.slug}/{export.pk}/{export.organization.slug}-sessions-{stamp}.csv"
    written = 0
    with tempfile.TemporaryFile(mode="w+b") as raw:
        text = open(raw.fileno(), "w", encoding="utf-8", newline="", closefd=False)  # noqa: SIM115
        writer = csv.writer(text)
        for number, row in enumerate(
            csv_rows(sessions, activities_in(sessions, activity), mass_unit=export.organization.mass_unit)
        ):
            writer.writerow(row)
            written = number  # the header is row 0
            if number and number % PROGRESS_EVERY == 0:
                show_progress(export, number)
        text.close()
        export.rows_written = written
        export.rows_total = max(export.rows_total, written)
        save_file(export, name, raw)


def _tell_requester(export: SessionExport) -> None:
    user = export.requested_by
    if not (user.email and export.download_url):
        return
    zone = zones.zone_for(user, export.organization)  # the reader's zone, named: "10 Mar, 09:00 CET"
    expires = zones.moment_text(export.expires_at.astimezone(zone))
    send_mail(
        f"Your export of {export.rows_written:,} sessions is ready",
        f"Your Coach Portal export for {export.organization.name} is ready:\n\n"
        f"{export.download_url}\n\nThe link works for you, signed in, until {expires}.\n",
        None,
        [user.email],
        fail_silently=True,  # the status page shows the link too; a mail outage must not fail the export
    )


def purge_expired(now=None) -> int:
    """Delete expired background files (exports, reports) and their files; return how many were removed."""
    now = now or timezone.now()
    count = 0
    for model in apps.get_models():
        if not issubclass(model, BackgroundFile):
            continue
        for job in model.objects.filter(expires_at__lte=now).iterator():
            if job.file_name:
                default_storage.delete(job.file_name)
            job.delete()
            count += 1
    return count
