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
def tell_uploaders(upload_ids: list[int]) -> dict:
    """Uploads just failed or finished: record their uploaders' notifications and email them now."""
    pks = events.settled_upload_events(upload_ids)
    return {"created": len(pks), **send_emails.call(pks)}


@task()
def send_emails(notification_ids: list[int]) -> dict:
    """Send these emails; one the mail server refused is tried again when its backoff ends.

    The periodic `send_notifications` catches up whatever a backend that cannot defer leaves waiting.
    """
    outcome = delivery.deliver(notification_ids)
    retry_at = delivery.next_retry(notification_ids)
    if retry_at is not None and send_emails.get_backend().supports_defer:
        send_emails.using(run_after=retry_at).enqueue(notification_ids)
    return outcome


@task()
def send_digests() -> dict:
    created = events.digests()
    return {"created": created, **delivery.deliver_due()}
