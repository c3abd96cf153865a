"""Exports written in the background: create, write to storage with progress, expire.

The file is written row by row to a temporary file and then handed to the storage, so memory stays
flat whatever the size; progress is saved every few thousand rows for the status page.
"""

from __future__ import annotations

import csv
import logging
import tempfile
from datetime import timedelta

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
from .models import Session, SessionExport

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


def run_export(export_id: int) -> str:
    """Write the export's file; return its final state. A second run of a finished export does nothing."""
    claimed = SessionExport.objects.filter(pk=export_id, state=SessionExport.State.QUEUED).update(
        state=SessionExport.State.RUNNING
    )
    if not claimed:
        return "skipped"
    export = SessionExport.objects.select_related("organization", "requested_by").get(pk=export_id)
    try:
        _write(export)
    except Exception:
        log.exception("export %s failed", export_id)
        export.state = SessionExport.State.FAILED
        export.error = "The export could not be written. Try again; if it fails again, narrow the filters."
        export.finished_at = timezone.now()
        export.save(update_fields=["state", "error", "finished_at"])
        return export.state
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
                SessionExport.objects.filter(pk=export.pk).update(rows_written=number)
        text.close()
        raw.seek(0)
        export.file_name = default_storage.save(name, File(raw, name=name))
    export.rows_written = written
    export.rows_total = max(export.rows_total, written)
    export.state = SessionExport.State.DONE
    export.finished_at = timezone.now()
    export.save(update_fields=["file_name", "rows_written", "rows_total", "state", "finished_at"])


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
    """Delete expired exports and their files; return how many were removed."""
    now = now or timezone.now()
    expired = SessionExport.objects.filter(expires_at__lte=now)
    count = 0
    for export in expired.iterator():
        if export.file_name:
            default_storage.delete(export.file_name)
        export.delete()
        count += 1
    return count
