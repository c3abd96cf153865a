"""Mirror the provider's sessions into the library: the only place that turns provider data into Sessions.

An incremental sync walks the unfiltered filter endpoint from the newest session with its cursors and
stops at the first page that brings nothing new, then re-checks the sessions still processing. A full
sync (on demand, or once a day) reads the whole list and marks sessions gone upstream as deleted.
A per-organization SyncState row, claimed with a conditional UPDATE, keeps two syncs from running at once.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from coachportal.organizations import credentials
from coachportal.organizations.crypto import KeyUnreadable
from coachportal.organizations.models import Organization, Provider, ProviderCredential
from coachportal.organizations.provider_messages import clause, sentence
from coachportal.providers import aikynetix

from . import signals
from .metrics import key_metrics
from .models import Activity, Session, SyncState
from .signals import mirror_updated

log = logging.getLogger(__name__)

STALE_CLAIM = timedelta(minutes=10)  # a sync that has held the claim this long is presumed dead
LIBRARY_STALE_AFTER = timedelta(minutes=5)  # opening a library older than this asks for a sync
FULL_SYNC_EVERY = timedelta(hours=24)  # an incremental sync turns into a full one this often
RECHECK_WINDOW = timedelta(days=7)  # processing sessions older than this wait for the full sync
REQUEST_DEBOUNCE = timedelta(seconds=30)  # ignore repeated sync requests within this time
CHUNK = 500

BUSY = "busy"
DONE = "done"
NO_KEY = "no-key"
FAILED = "failed"


@dataclass
class SyncResult:
    outcome: str
    full: bool = False
    created: int = 0
    updated: int = 0
    deleted: int = 0
    error: str = ""


# Claiming -----------------------------------------------------------------------------------------------


def state_for(org: Organization, provider: str = Provider.AIKYNETIX) -> SyncState:
    state, _ = SyncState.objects.get_or_create(organization=org, provider=provider)
    return state


def state_and_key(org: Organization) -> tuple[SyncState, bool]:
    """The organization's AiKYNETIX sync state and whether it has an AiKYNETIX key, in one query (the
    library page asks for both on every view)."""
    key = ProviderCredential.objects.filter(provider=Provider.AIKYNETIX)
    found = SyncState.objects.filter(organization=org, provider=Provider.AIKYNETIX)
    state = found.annotate(has_key=Exists(key.filter(organization=OuterRef("organization")))).first()
    if state is None:  # the first visit: create the row, then ask for the key on its own
        state = state_for(org)
        state.has_key = key.filter(organization=org).exists()
    return state, state.has_key


def claim(state: SyncState, *, now: datetime | None = None) -> str | None:
    """Take the sync claim for this organization; return its token, or None if another sync holds it."""
    now = now or timezone.now()
    token = secrets.token_hex(8)
    free = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - STALE_CLAIM)
    taken = SyncState.objects.filter(pk=state.pk).filter(free).update(claimed_at=now, claim_token=token)
    return token if taken == 1 else None


def release(state: SyncState, token: str, *, error: str = "", full: bool = False) -> None:
    """Give the claim back and record how the sync went (only if the claim is still ours)."""
    now = timezone.now()
    changes: dict = {"claimed_at": None, "claim_token": "", "last_attempt_at": now}
    if error:
        changes.update(last_error=error[:500], last_error_at=now)
    else:
        changes.update(last_success_at=now, last_error="", last_error_at=None)
        if full:
            changes["last_full_at"] = now
    SyncState.objects.filter(pk=state.pk, claim_token=token).update(**changes)


# Public entry points ------------------------------------------------------------------------------------


def request_sync(org: Organization, *, full: bool = False, force: bool = False) -> bool:
    """Queue a background sync of `org` once the current transaction commits.

    Repeated requests within a few seconds are dropped (a busy library page must not flood the queue);
    `force` (the Refresh button, an upload) always queues. Return whether a task was queued.
    """
    from .tasks import sync_sessions

    state = state_for(org)
    now = timezone.now()
    queued = SyncState.objects.filter(pk=state.pk)
    if not force:
        queued = queued.filter(Q(requested_at__isnull=True) | Q(requested_at__lt=now - REQUEST_DEBOUNCE))
    if not queued.update(requested_at=now):
        return False
    transaction.on_commit(lambda: sync_sessions.enqueue(org.pk, full))
    return True


def sync_if_stale(org: Organization, state: SyncState | None = None) -> bool:
    """Ask for a sync when the library was last synced more than a few minutes ago."""
    state = state or state_for(org)
    if state.claimed_at is not None or not state.is_stale(LIBRARY_STALE_AFTER):
        return False
    if not ProviderCredential.objects.filter(organization=org, provider=Provider.AIKYNETIX).exists():
        return False
    return request_sync(org)


def sync_organization(org: Organization, *, full: bool = False) -> SyncResult:
    """Bring the organization's mirror up to date with AiKYNETIX (run from a task or the command)."""
    credential = ProviderCredential.objects.filter(organization=org, provider=Provider.AIKYNETIX).first()
    if credential is None:
        return SyncResult(NO_KEY)
    state = state_for(org)
    token = claim(state)
    if token is None:
        return SyncResult(BUSY)
    full = full or state.last_full_at is None or state.last_full_at < timezone.now() - FULL_SYNC_EVERY
    result = SyncResult(DONE, full=full)
    error = ""
    try:
        with credentials.client_for(credential) as client:
            mirror = Mirror(org)
            if full:
                _reconcile(client, mirror, result)
            else:
                _walk_newest(client, mirror, result)
                _recheck_processing(client, mirror, result)
        link_unassigned(org)
        mirror_updated.send(sender=SyncState, organization=org)  # uploads move on (they build on us)
    except KeyUnreadable as exc:
        error = sentence(f"The saved key cannot be decrypted: {clause(exc)}")
    except aikynetix.KeyRejected as exc:
        error = sentence(f"AiKYNETIX refused the organization's key: {clause(exc.message)}")
        credentials.mark_rejected(credential, exc.message)
    except aikynetix.NotPermitted as exc:
        error = sentence(f"AiKYNETIX refused access: {clause(exc.message)}")
    except aikynetix.AikynetixError as exc:
        error = sentence(f"AiKYNETIX could not be reached: {clause(exc.message)}")
    except Exception as exc:  # record it for the banner, then let the task runner see it too
        release(state, token, error=f"The sync failed unexpectedly ({type(exc).__name__}).", full=full)
        raise
    release(state, token, error=error, full=full)
    if error:
        log.warning("session sync of %s failed: %s", org.slug, error)
        result.outcome, result.error = FAILED, error
    return result


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


# Writing the mirror -------------------------------------------------------------------------------------


STORED_FIELDS = [
    "athlete_id", "provider_user_id", "provider_user_name", "activity", "exercise", "title", "recorded_at",
    "video_url", "analyzed_video_url", "analyzed_video_expires_at", "metrics", "key_metrics",
    "report_comments", "segments", "status", "raw", "synced_at",
]  # fmt: skip


class Mirror:
    """Writes provider sessions of one organization into the local table, in batches."""

    def __init__(self, org: Organization):
        self.org = org
        Athlete = apps.get_model("athletes", "Athlete")
        self.athletes = dict(
            Athlete.objects.filter(organization=org, aikynetix_user_id__isnull=False).values_list(
                "aikynetix_user_id", "pk"
            )
        )

    def store(self, sessions: Iterable[aikynetix.Session]) -> tuple[int, int]:
        """Insert new sessions and update changed ones; return (created, updated)."""
        sessions = list({s.id: s for s in sessions}.values())
        if not sessions:
            return 0, 0
        now = timezone.now()
        existing = {
            row.external_id: row
            for row in Session.objects.filter(
                organization=self.org, provider=Provider.AIKYNETIX, external_id__in=[s.id for s in sessions]
            ).only("id", "external_id", "raw", "athlete_id", "status", "recorded_at")
        }
        new, changed = [], []
        for remote in sessions:
            row = existing.get(remote.id)
            athlete_id = self.athletes.get(remote.user_id) if remote.user_id else None
            unchanged = row is not None and row.raw == remote.raw and row.athlete_id == athlete_id
            if unchanged and row.status != Session.Status.DELETED:
                continue
            values = self._values(remote, athlete_id, now, fallback_date=row.recorded_at if row else now)
            if row is None:
                new.append(
                    Session(
                        organization=self.org, provider=Provider.AIKYNETIX, external_id=remote.id, **values
                    )
                )
            else:
                for name, value in values.items():
                    setattr(row, name, value)
                changed.append(row)
        with transaction.atomic():
            Session.objects.bulk_create(new, batch_size=CHUNK)
            Session.objects.bulk_update(changed, STORED_FIELDS, batch_size=CHUNK)
        return len(new), len(changed)

    @staticmethod
    def _values(remote: aikynetix.Session, athlete_id, now, *, fallback_date) -> dict:
        activity = Activity.from_provider(remote.activity)
        video = safe_url(remote.analyzed_video_url)
        return {
            "athlete_id": athlete_id,
            "provider_user_id": (remote.user_id or "")[:100],
            "provider_user_name": (remote.user_name or "")[:200],
            "activity": activity,
            "exercise": (remote.exercise or "")[:100],
            "title": remote.title[:300],
            "recorded_at": remote.created_at or fallback_date,
            "video_url": safe_url(remote.video_url),
            "analyzed_video_url": video,
            "analyzed_video_expires_at": url_expiry(video),
            "metrics": remote.metrics,
            "key_metrics": key_metrics(activity, remote.metrics),
            "report_comments": remote.report_comments,
            "segments": remote.segments,
            "status": remote.status.value,
            "raw": remote.raw,
            "synced_at": now,
        }

    def mark_deleted(self, external_ids: set[str]) -> int:
        ids = sorted(external_ids)
        count = 0
        for start in range(0, len(ids), CHUNK):
            gone = (
                Session.objects.for_org(self.org)
                .visible()
                .filter(provider=Provider.AIKYNETIX, external_id__in=ids[start : start + CHUNK])
            )
            with transaction.atomic():
                pks = list(gone.values_list("pk", flat=True))
                count += Session.objects.filter(pk__in=pks).update(
                    status=Session.Status.DELETED, synced_at=timezone.now()
                )
                if pks:
                    signals.sessions_deleted.send(Session, organization=self.org, session_ids=pks)
        return count


# Athletes -----------------------------------------------------------------------------------------------


def link_sessions_to_athlete(athlete) -> int:
    """Attach the sessions whose provider user id is this athlete's; detach those that no longer match.

    Call it after an athlete is created or their AiKYNETIX user id changes. Return how many rows changed.
    """
    org_sessions = Session.objects.filter(organization_id=athlete.organization_id)
    detached = org_sessions.filter(athlete=athlete)
    if athlete.aikynetix_user_id:
        detached = detached.exclude(provider=Provider.AIKYNETIX, provider_user_id=athlete.aikynetix_user_id)
    changed = detached.update(athlete=None)
    if athlete.aikynetix_user_id:
        changed += (
            org_sessions.filter(provider=Provider.AIKYNETIX, provider_user_id=athlete.aikynetix_user_id)
            .exclude(athlete=athlete)
            .update(athlete=athlete)
        )
    return changed


def link_unassigned(org: Organization) -> int:
    """Attach every unassigned session whose provider user id now belongs to an athlete."""
    Athlete = apps.get_model("athletes", "Athlete")
    owner = Athlete.objects.filter(organization=org, aikynetix_user_id=OuterRef("provider_user_id")).values(
        "pk"
    )[:1]
    unassigned = Session.objects.filter(
        organization=org, provider=Provider.AIKYNETIX, athlete__isnull=True
    ).exclude(provider_user_id="")
    candidates = unassigned.filter(
        provider_user_id__in=Athlete.objects.filter(organization=org, aikynetix_user_id__isnull=False).values(
            "aikynetix_user_id"
        )
    )
    return candidates.update(athlete=Subquery(owner))


# Provider URLs ------------------------------------------------------------------------------------------


def safe_url(value: str | None) -> str:
    """Keep only http(s) URLs from the provider, so nothing else ends up in an href or a src."""
    value = (value or "").strip()
    return value if value.lower().startswith(("https://", "http://")) and len(value) <= 2000 else ""


def url_expiry(url: str) -> datetime | None:
    """Read when a signed storage URL expires (GCS V2 `Expires`, V4 `X-Goog-Date` + `X-Goog-Expires`)."""
    if not url:
        return None
    query = {k.lower(): v[0] for k, v in parse_qs(urlsplit(url).query).items() if v}
    try:
        if "expires" in query:
            return datetime.fromtimestamp(int(query["expires"]), tz=UTC)
        if "x-goog-expires" in query:
            seconds = int(query["x-goog-expires"])
            if "x-goog-date" in query:
                signed = datetime.strptime(query["x-goog-date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
                return signed + timedelta(seconds=seconds)
            # Without a signing date, a large number is an epoch (the sandbox), a small one a duration.
            if seconds > 10**9:
                return datetime.fromtimestamp(seconds, tz=UTC)
            return timezone.now() + timedelta(seconds=seconds)
        if "x-amz-expires" in query and "x-amz-date" in query:
            signed = datetime.strptime(query["x-amz-date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            return signed + timedelta(seconds=int(query["x-amz-expires"]))
    except (ValueError, OverflowError, OSError):
        return None
    return None
