"""Background work: record events as notifications, then send the emails that are due."""

from django_tasks import task

from . import delivery, events


@task()
def collect_and_deliver() -> dict:
    created = events.collect()
    return {"created": created, **delivery.deliver_due()}


@task()
def send_digests() -> dict:
    created = events.digests()
    return {"created": created, **delivery.deliver_due()}
