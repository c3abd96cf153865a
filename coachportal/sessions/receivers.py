"""The library follows the roster (a layer below) through the athletes' signals."""

from django.db.models import Count
from django.dispatch import receiver

from coachportal.athletes.signals import roster_user_ids_changed, session_counts_wanted, user_id_changed
from coachportal.organizations.models import Provider

from .linking import link_sessions_to_athlete, link_unassigned
from .models import Session


@receiver(user_id_changed, dispatch_uid="library.link_sessions_to_athlete")
def relink_athlete(sender, *, athlete, **kwargs):
    """Sessions already in the library follow the athlete's user id."""
    link_sessions_to_athlete(athlete)


@receiver(roster_user_ids_changed, dispatch_uid="library.link_unassigned")
def link_roster(sender, *, organization, **kwargs):
    link_unassigned(organization)


@receiver(session_counts_wanted, dispatch_uid="library.session_counts")
def count_sessions(sender, *, organization, user_ids, **kwargs) -> dict[str, int]:
    """Session counts per AiKYNETIX user id from the mirror: one query, not a provider call per client."""
    return dict(
        Session.objects.for_org(organization)
        .visible()
        .filter(provider=Provider.AIKYNETIX, provider_user_id__in=user_ids)
        .values("provider_user_id")
        .annotate(n=Count("pk"))
        .values_list("provider_user_id", "n")
    )
