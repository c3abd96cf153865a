"""Background work of the library: syncing an organization's sessions (and its AI on the Ball matches)."""

from django_tasks import task

from coachportal.athletes.roster_sync import sync_roster
from coachportal.organizations.models import Organization

from . import export_jobs
from .models import SyncState
from .signals import library_synced
from .sync import sync_organization


@task()
def sync_sessions(organization_id: int, full: bool = False) -> str:
    """Sync one organization's sessions with the provider; return the outcome ("done", "busy", ...).

    The roster is reconciled with the AiKYNETIX clients first (typed ids verified, attributes
    refreshed), so sessions link to athletes whose ids were just confirmed. The features built on the library
    are told when the run ends (`library_synced`): the organization's AI on the Ball videos are mirrored
    as matches in the same run, so the library (whichever way its sync was
    asked for: schedule, Refresh, a new demo) shows both.
    """
    org = Organization.objects.filter(pk=organization_id).first()
    if org is None:
        return "gone"
    try:
        sync_roster(org)
        return sync_organization(org, full=full).outcome
    finally:
        # Features built on the library follow it (matches mirror AI on the Ball's history here).
        library_synced.send(sender=SyncState, organization=org, full=full)


@task()
def build_export(export_id: int) -> str:
    """Write a large library export to storage."""
    return export_jobs.run_export(export_id)
