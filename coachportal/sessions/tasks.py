"""Background work of the library: syncing an organization's sessions."""

from django_tasks import task

from coachportal.organizations.models import Organization

from . import export_jobs


@task()
def sync_sessions(organization_id: int, full: bool = False) -> str:
    """Sync one organization's sessions with the provider; return the outcome ("done", "busy", ...)."""
    from .sync import sync_organization

    org = Organization.objects.filter(pk=organization_id).first()
    if org is None:
        return "gone"
    return sync_organization(org, full=full).outcome


@task()
def build_export(export_id: int) -> str:
    """Write a large library export to storage."""
    return export_jobs.run_export(export_id)
