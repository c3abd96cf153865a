"""Asking for a PDF report to be written in the background."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from coachportal.organizations.models import AuditEvent

from . import tasks
from .models import ReportJob


def start_report(
    org, *, actor, kind: str, object_id: int, query: str, title: str, back_url: str
) -> ReportJob:
    """Queue a PDF of an athlete (`query`: its range) or a comparison (`query`: its ids and offsets)."""
    with transaction.atomic():
        job = ReportJob.objects.create(
            organization=org, requested_by=actor, kind=kind, object_id=object_id, query=query,
            title=title[:300], back_url=back_url[:500], rows_total=1,
            expires_at=timezone.now() + timedelta(hours=settings.EXPORT_KEEP_HOURS),
        )  # fmt: skip
        AuditEvent.record(org, actor, "report.requested", job, kind=kind, object_id=object_id, query=query)
        transaction.on_commit(lambda: tasks.build_report.enqueue(job.pk))
    return job
