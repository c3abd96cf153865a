"""Background work: record events as notifications, then send the emails that are due."""

from django_tasks import task

from coachportal.organizations.models import Organization

from . import delivery, events


@task()
def collect_and_deliver(organization_id: int | None = None) -> dict:
    """Record the events of one organization (or all), then send every email that is due."""
    if organization_id is None:
        created = events.collect()
    else:
        org = Organization.objects.filter(pk=organization_id).first()
        created = events.collect(organization=org) if org else 0
    return {"created": created, **delivery.deliver_due()}


@task()
def send_digests() -> dict:
    created = events.digests()
    return {"created": created, **delivery.deliver_due()}
