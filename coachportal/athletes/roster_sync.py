"""Bring the roster's AiKYNETIX links up to date: verify typed ids, link waiting athletes, sync attributes.

It reads the admin's clients page by page, once. For each linked athlete, an attribute the provider
changed since our last write or read (it differs from `provider_attributes`) takes the provider's value;
one only the portal changed is written to the provider.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.utils import timezone

from coachportal.organizations.models import Organization

from . import provider_clients
from .models import ATTRIBUTES, Athlete
from .provider_clients import AthleteProviderError, ClientDirectory

log = logging.getLogger(__name__)
State = Athlete.ProviderState

DONE, NO_KEY, FAILED = "done", "no-key", "failed"


@dataclass
class RosterSyncResult:
    outcome: str
    verified: int = 0
    missing: int = 0
    linked: int = 0
    refreshed: int = 0
    written: int = 0
    error: str = ""


def sync_roster(org: Organization) -> RosterSyncResult:
    """Compare the roster with the organization's AiKYNETIX clients and reconcile them."""
    if not provider_clients.has_key(org):
        return RosterSyncResult(NO_KEY)
    result = RosterSyncResult(DONE)
    try:
        with provider_clients.aikynetix_client(org, timeout=30) as client:
            directory = provider_clients.read_directory(client)
            for athlete in Athlete.objects.for_org(org).select_related("organization"):
                _sync_athlete(client, directory, athlete, result)
    except AthleteProviderError as error:
        result.outcome, result.error = FAILED, error.message
        log.warning("roster sync of %s failed: %s", org.slug, error.message)
    return result


def _sync_athlete(client, directory: ClientDirectory, athlete: Athlete, result: RosterSyncResult) -> None:
    now = timezone.now()
    if not athlete.aikynetix_user_id:
        if athlete.aikynetix_state == State.PENDING and athlete.email in directory.by_email:
            # Its create may have gone through after all, or someone created it upstream meanwhile.
            try:
                provider_clients.create_or_link(client, directory, athlete, actor=None)
            except provider_clients.ProviderDown:
                raise
            except AthleteProviderError as error:
                log.info("athlete %s stays unlinked: %s", athlete.pk, error.message)
            else:
                result.linked += 1
        return
    user = directory.by_uid.get(athlete.aikynetix_user_id)
    if user is None or user.user_uid == directory.owner_uid:
        if athlete.aikynetix_state != State.MISSING:
            result.missing += 1
        Athlete.objects.filter(pk=athlete.pk).update(aikynetix_state=State.MISSING, aikynetix_checked_at=now)
        return
    if athlete.aikynetix_state != State.VERIFIED:
        result.verified += 1
    athlete.aikynetix_state = State.VERIFIED
    athlete.aikynetix_checked_at = now

    upstream = provider_clients.provider_values(user)
    snapshot = athlete.provider_attributes or {}
    changed_upstream = [name for name in ATTRIBUTES if upstream[name] != snapshot.get(name)]
    for name in changed_upstream:
        value = upstream[name]
        setattr(athlete, name, "" if value is None and name == "gender" else value)
    if changed_upstream:
        result.refreshed += 1
    athlete.provider_attributes = {k: v for k, v in upstream.items() if v is not None}
    athlete.attributes_refreshed_at = now
    Athlete.objects.filter(pk=athlete.pk).update(
        aikynetix_state=athlete.aikynetix_state,
        aikynetix_checked_at=now,
        provider_attributes=athlete.provider_attributes,
        attributes_refreshed_at=now,
        **{name: getattr(athlete, name) for name in changed_upstream},
    )
    # What only the portal changed (a write that failed earlier) goes up now.
    if provider_clients.unsent_attributes(athlete) and provider_clients.write_attributes(client, athlete):
        result.written += 1
