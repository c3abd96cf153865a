"""Background work of the library: syncing an organization's sessions (and its AI on the Ball matches)."""

from django_tasks import task

from coachportal.athletes.roster_sync import sync_roster
from coachportal.organizations.models import Organization

from . import export_jobs


@task()
def sync_sessions(organization_id: int, full: bool = False) -> str:
    """Sync one organization's sessions with the provider; return the outcome ("done", "busy", ...).

    The roster is reconciled with the AiKYNETIX clients first (typed ids verified, attributes
    refreshed), so sessions link to athletes whose ids were just confirmed. The organization's AI on the
    Ball videos are mirrored as matches in the same run, so the library (whichever way its sync was
    asked for: schedule, Refresh, a new demo) shows both.
    """
    from coachportal.matches.history import sync_history  # matches build on the library, not the reverse

    from .sync import sync_organization

    org = Organization.objects.filter(pk=organization_id).first()
    if org is None:
        return "gone"
    try:
        sync_roster(org)
        return sync_organization(org, full=full).outcome
    finally:
        sync_history(org, full=full)


@task()
def build_export(export_id: int) -> str:
    """Write a large library export to storage."""
    return export_jobs.run_export(export_id)
