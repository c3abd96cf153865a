"""Bring an organization's library up to date with AiKYNETIX (run from a task or the command).

An incremental sync walks the unfiltered filter endpoint from the newest session with its cursors and
stops at the first page that brings nothing new, then re-checks the sessions still processing. A full
sync (on demand, or once a day) reads the whole list and marks sessions gone upstream as deleted.
Claiming (one sync per organization at a time) is in claims.py, writing rows in mirror.py, linking
sessions to athletes in linking.py; when to sync is in schedule.py.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from coachportal.organizations.credentials import Failure, ProviderCallFailed
from coachportal.organizations.models import Organization, Provider
from coachportal.organizations.provider_messages import sentence
from coachportal.providers import aikynetix

from . import stored_metrics
from .claims import Run, SyncResult, run
from .linking import link_unassigned
from .mirror import CHUNK, Mirror
from .models import Session, SyncState
from .signals import mirror_updated

RECHECK_WINDOW = timedelta(days=7)  # processing sessions older than this wait for the full sync


def sync_organization(org: Organization, *, full: bool = False) -> SyncResult:
    """Bring the organization's mirror up to date with AiKYNETIX (run from a task or the command)."""

    def work(sync: Run) -> None:
        started = timezone.now()
        mirror = Mirror(org)
        try:
            if sync.result.full:
                _reconcile(sync.client, mirror, sync.result)
            else:
                _walk_newest(sync.client, mirror, sync.result)
                _recheck_processing(sync.client, mirror, sync.result)
        except Exception:
            # The batches written before the provider stopped answering (or anything else stopped the
            # sync) have their key-metric rows: sum them up all the same, as the next sync skips them.
            stored_metrics.finish(org, mirror.written)
            raise
        link_unassigned(org)
        # Uploads move on and the key metrics written are summed up (they build on the library).
        mirror_updated.send(sender=SyncState, organization=org, since=started, written=mirror.written)

    return run(org, Provider.AIKYNETIX, full=full, work=work, describe=_describe, name="sync")


# The banner's sentence for a sync the provider stopped.
FAILURES = {
    Failure.KEY_UNREADABLE: "The saved key cannot be decrypted: {detail}",
    Failure.KEY_REJECTED: "AiKYNETIX refused the organization's key: {detail}",
    Failure.NOT_PERMITTED: "AiKYNETIX refused access: {detail}",
}


def _describe(failure: ProviderCallFailed) -> str:
    return sentence(failure.explain(FAILURES, otherwise="AiKYNETIX could not be reached: {detail}"))


# Walking the provider -----------------------------------------------------------------------------------


def _walk_newest(client, mirror: Mirror, result: SyncResult) -> None:
    """Page through the newest sessions until a page brings nothing we do not already mirror."""
    cursor = None
    while True:
        page = client.filter_sessions(limit=settings.SYNC_PAGE_SIZE, start_after_id=cursor)
        created, updated = mirror.store(page.sessions)
        result.created += created
        result.updated += updated
        if len(page.sessions) < settings.SYNC_PAGE_SIZE or not page.last_doc_id or not (created or updated):
            return
        cursor = page.last_doc_id


def _recheck_processing(client, mirror: Mirror, result: SyncResult) -> None:
    """Ask again about recent sessions still processing; those that no longer exist are marked deleted."""
    since = timezone.now() - RECHECK_WINDOW
    ids = list(
        Session.objects.for_org(mirror.org)
        .processing()
        .filter(provider=Provider.AIKYNETIX, recorded_at__gte=since)
        .values_list("external_id", flat=True)[:CHUNK]
    )
    for start in range(0, len(ids), 100):
        wanted = ids[start : start + 100]
        found = client.fetch_sessions(wanted)
        _, updated = mirror.store(found)
        result.updated += updated
        gone = set(wanted) - {s.id for s in found}
        result.deleted += mirror.mark_deleted(gone)


def _reconcile(client, mirror: Mirror, result: SyncResult) -> None:
    """Walk every session upstream page by page, store each batch, then mark what is gone as deleted.

    Memory holds one batch of sessions and the set of ids seen, never the whole list (about 20 KB a
    session): a 100k-session account fits a small dyno.
    """
    seen: set[str] = set()
    batch: list[aikynetix.Session] = []
    for remote in client.iter_sessions(page_size=settings.SYNC_PAGE_SIZE):
        seen.add(remote.id)
        batch.append(remote)
        if len(batch) >= CHUNK:
            _store(mirror, batch, result)
            batch = []
    _store(mirror, batch, result)
    # Nothing at all upstream would delete the whole mirror: make sure the provider really has nothing.
    if not seen and Session.objects.for_org(mirror.org).visible().exists() and client.list_sessions():
        raise aikynetix.ProviderUnavailable("the session pages came back empty but sessions exist")
    local = (
        Session.objects.for_org(mirror.org)
        .visible()
        .filter(provider=Provider.AIKYNETIX)
        .values_list("external_id", flat=True)
    )
    result.deleted += mirror.mark_deleted({ext for ext in local.iterator(chunk_size=2000) if ext not in seen})


def _store(mirror: Mirror, sessions: list[aikynetix.Session], result: SyncResult) -> None:
    created, updated = mirror.store(sessions)
    result.created += created
    result.updated += updated
