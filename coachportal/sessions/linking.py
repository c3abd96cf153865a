"""Link library sessions to the roster's athletes by their AiKYNETIX user id."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery

from coachportal.athletes.models import Athlete
from coachportal.organizations.models import Organization, Provider

from .models import Session


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
