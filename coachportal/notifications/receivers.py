"""Notifications follow the library's syncs and the share links' first views (both layers below)."""

from django.db import transaction
from django.dispatch import receiver

from coachportal.sessions.signals import library_synced
from coachportal.sharing.signals import first_viewed

from . import tasks


@receiver(library_synced, dispatch_uid="notifications.after_sync")
def after_sync(sender, *, organization, **kwargs):
    # A sync moves uploads to done or failed (the uploads app follows the mirror): tell their uploaders.
    transaction.on_commit(lambda: tasks.collect_and_deliver.enqueue(organization.pk))


@receiver(first_viewed, dispatch_uid="notifications.first_view")
def after_first_view(sender, *, link, **kwargs):
    # Queued, never sent inside the public page's request.
    transaction.on_commit(lambda: tasks.collect_and_deliver.enqueue(link.organization_id))
