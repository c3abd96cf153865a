"""Background work of the roster: reconciling it with the organization's AiKYNETIX clients."""

from django_tasks import task

from coachportal.organizations.models import Organization

from .roster_sync import sync_roster


@task()
def sync_roster_task(organization_id: int) -> str:
    """Sync one organization's roster with its AiKYNETIX clients; return the outcome."""
    org = Organization.objects.filter(pk=organization_id).first()
    if org is None:
        return "gone"
    return sync_roster(org).outcome
