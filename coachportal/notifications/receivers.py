"""Notifications follow the library's syncs, the uploads' outcomes and the share links' first views
(all layers below, which never import this app)."""

from django.db import transaction
from django.dispatch import receiver

from coachportal.sessions.signals import library_synced
from coachportal.sharing.signals import first_viewed
from coachportal.uploads.signals import uploads_settled

from . import tasks


@receiver(library_synced, dispatch_uid="notifications.after_sync")
def after_sync(sender, *, organization, **kwargs):
    # A sync moves uploads to done or failed (the uploads app follows the mirror): tell their uploaders.
    transaction.on_commit(lambda: tasks.collect_and_deliver.enqueue(organization.pk))


@receiver(first_viewed, dispatch_uid="notifications.first_view")
def after_first_view(sender, *, link, **kwargs):
    # Queued, never sent inside the public page's request.
    transaction.on_commit(lambda: tasks.collect_and_deliver.enqueue(link.organization_id))


@receiver(uploads_settled, dispatch_uid="notifications.uploads_settled")
def after_uploads_settled(sender, *, upload_ids, **kwargs):
    # As soon as an upload fails or its analysis is ready, not at the next periodic run; the task reads
    # the rows after the commit, and the event key keeps a later catch-up from telling anyone twice.
    ids = list(upload_ids)
    transaction.on_commit(lambda: tasks.tell_uploaders.enqueue(ids))
