"""One sync of an organization's provider data at a time: the claim on its SyncState row, and the run.

A sync claims the row with a conditional UPDATE (a claim held longer than STALE_CLAIM is presumed dead),
gives it back with how the sync went, and turns the provider's failures into the message the library's
banner shows. The AiKYNETIX library sync and the AI on the Ball history sync both run through `run`.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from coachportal.organizations.credentials import ProviderCallFailed, provider_client
from coachportal.organizations.models import Organization, Provider, ProviderCredential

from .models import SyncState

log = logging.getLogger(__name__)

STALE_CLAIM = timedelta(minutes=10)  # a sync that has held the claim this long is presumed dead
FULL_SYNC_EVERY = timedelta(hours=24)  # an incremental sync turns into a full one this often

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


def state_for(org: Organization, provider: str = Provider.AIKYNETIX) -> SyncState:
    state, _ = SyncState.objects.get_or_create(organization=org, provider=provider)
    return state


def claim(state: SyncState, *, now: datetime | None = None) -> str | None:
    """Take the sync claim for this organization; return its token, or None if another sync holds it."""
    now = now or timezone.now()
    token = secrets.token_hex(8)
    free = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - STALE_CLAIM)
    taken = SyncState.objects.filter(pk=state.pk).filter(free).update(claimed_at=now, claim_token=token)
    return token if taken == 1 else None


def keep(state: SyncState, token: str) -> None:
    """Still working: keep the claim fresh, so a long first sync is not taken for a dead one."""
    SyncState.objects.filter(pk=state.pk, claim_token=token).update(claimed_at=timezone.now())


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


@dataclass
class Run:
    """What a claimed sync's work gets: the open client, the result to count into, the claim to keep."""

    client: Any
    result: SyncResult
    state: SyncState
    token: str

    def keep_claim(self) -> None:
        keep(self.state, self.token)


def run(
    org: Organization,
    provider: str,
    *,
    full: bool,
    work: Callable[[Run], None],
    describe: Callable[[ProviderCallFailed], str],
    name: str,
) -> SyncResult:
    """Claim the organization's sync of `provider`, do `work` with its client, give the claim back.

    A run with no key does nothing (NO_KEY), one that finds the claim held does nothing (BUSY). A
    provider failure ends the run with `describe(failure)` recorded for the banner (FAILED); anything
    else is recorded as unexpected and raised for the task runner. Runs turn full once a day.
    """
    if not ProviderCredential.objects.for_org(org, provider).exists():
        return SyncResult(NO_KEY)
    state = state_for(org, provider)
    token = claim(state)
    if token is None:
        return SyncResult(BUSY)
    full = full or state.last_full_at is None or state.last_full_at < timezone.now() - FULL_SYNC_EVERY
    result = SyncResult(DONE, full=full)
    error = ""
    try:
        with provider_client(org, provider) as client:
            work(Run(client, result, state, token))
    except ProviderCallFailed as failure:
        error = describe(failure)
    except Exception as exc:  # record it for the banner, then let the task runner see it too
        release(state, token, error=f"The {name} failed unexpectedly ({type(exc).__name__}).", full=full)
        raise
    release(state, token, error=error, full=full)
    if error:
        log.warning("%s of %s failed: %s", name, org.slug, error)
        result.outcome, result.error = FAILED, error
    return result
