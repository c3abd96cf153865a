"""When the library syncs: queue a background sync on request (debounced) or when a library is stale."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from coachportal.organizations.models import Organization, Provider, ProviderCredential

from .claims import state_for
from .models import SyncState
from .tasks import sync_sessions

LIBRARY_STALE_AFTER = timedelta(minutes=5)  # opening a library older than this asks for a sync
REQUEST_DEBOUNCE = timedelta(seconds=30)  # ignore repeated sync requests within this time


def request_sync(
    org: Organization, *, full: bool = False, force: bool = False, state: SyncState | None = None
) -> bool:
    """Queue a background sync of `org` once the current transaction commits.

    Repeated requests within a few seconds are dropped (a busy library page must not flood the queue);
    `force` (the Refresh button, an upload) always queues. `state`: the organization's AiKYNETIX sync
    state when the caller has read it already. Return whether a task was queued.
    """
    state = state or state_for(org)
    now = timezone.now()
    queued = SyncState.objects.filter(pk=state.pk)
    if not force:
        queued = queued.filter(Q(requested_at__isnull=True) | Q(requested_at__lt=now - REQUEST_DEBOUNCE))
    if not queued.update(requested_at=now):
        return False
    transaction.on_commit(lambda: sync_sessions.enqueue(org.pk, full))
    return True


def sync_if_stale(org: Organization, state: SyncState | None = None, *, has_key: bool | None = None) -> bool:
    """Ask for a sync when the library was last synced more than a few minutes ago.

    The library page passes the sync state and whether there is a key, read with the rest of the page
    (sessions/page_state.py), so a stale library costs one UPDATE here rather than three queries.
    """
    state = state or state_for(org)
    if state.claimed_at is not None or not state.is_stale(LIBRARY_STALE_AFTER):
        return False
    if has_key is None:
        has_key = ProviderCredential.objects.for_org(org, Provider.AIKYNETIX).exists()
    if not has_key:
        return False
    return request_sync(org, state=state)


def request_sync_later(org: Organization, *, delay: timedelta) -> bool:
    """Queue one sync of `org` to run after `delay`; return whether it was queued.

    Features waiting on processing sessions (uploads) follow them this way instead of a page asking.
    Only one deferred request waits at a time: it moves `requested_at` to when it runs, and requests
    before then are dropped. A backend that cannot defer queues nothing: the scheduled `sync_sessions`
    follows up instead.
    """
    if not sync_sessions.get_backend().supports_defer:
        return False
    now = timezone.now()
    run_after = now + delay
    state = state_for(org)
    waiting = SyncState.objects.filter(pk=state.pk).filter(
        Q(requested_at__isnull=True) | Q(requested_at__lte=now)
    )
    if not waiting.update(requested_at=run_after):
        return False
    transaction.on_commit(lambda: sync_sessions.using(run_after=run_after).enqueue(org.pk, False))
    return True
