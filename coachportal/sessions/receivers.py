"""The library follows the roster (a layer below) through the athletes' signals."""

from django.db.models import Count
from django.db.models.signals import post_save
from django.dispatch import receiver

from coachportal.athletes.signals import roster_user_ids_changed, session_counts_wanted, user_id_changed
from coachportal.organizations.models import Organization, Provider

from . import periods, stored_metrics, thumbnails
from .linking import link_sessions_to_athlete, link_unassigned
from .models import MetricPeriod, Session
from .signals import mirror_updated


@receiver(user_id_changed, dispatch_uid="library.link_sessions_to_athlete")
def relink_athlete(sender, *, athlete, **kwargs):
    """Sessions already in the library follow the athlete's user id."""
    if link_sessions_to_athlete(athlete):
        stored_metrics.follow_athletes(athlete.organization)


@receiver(roster_user_ids_changed, dispatch_uid="library.link_unassigned")
def link_roster(sender, *, organization, **kwargs):
    if link_unassigned(organization):
        stored_metrics.follow_athletes(organization)


@receiver(mirror_updated, dispatch_uid="library.store_key_metrics")
def store_key_metrics(sender, *, organization, written=None, **kwargs):
    """The key-metric rows the sync wrote with its sessions are summed up: weekly and monthly sums,
    athletes linked since, medians (without `written`, the command does it all)."""
    if written is not None:
        stored_metrics.finish(organization, written)


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


@receiver(mirror_updated, dispatch_uid="library.queue_thumbnails")
def make_missing_thumbnails(sender, *, organization, **kwargs):
    """After each sync that wrote the mirror (the scheduled command's too), poster frames are made at once
    for the sessions that have none yet, new analysed videos first (in the worker)."""
    thumbnails.queue_thumbnails(organization.pk)


@receiver(post_save, sender=Organization, dispatch_uid="library.periods_follow_time_zone")
def recut_periods(sender, *, instance, created, **kwargs):
    """The weekly and monthly sums are cut in the organization's time zone: a new zone cuts them again."""
    if created:
        return
    zone = periods.zone_of(instance.time_zone).key
    if MetricPeriod.objects.filter(organization=instance).exclude(zone=zone).exists():
        periods.rebuild_org(instance.pk)
