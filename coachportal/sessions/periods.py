"""Keep MetricPeriod in step with SessionMetric: each athlete's key metrics summed up per week and month of
the organization's time zone, for the athlete profile's long ranges (see profile._points).

A period is always recomputed from the SessionMetric rows under it, never adjusted by difference: every
write to those rows (stored_metrics.refresh, follow_athletes, a session's new time or its deletion, and a
sync's batches, once at its end) names the (organization, athlete, time) of the rows it changed, before
and after, and `recompute` rewrites the periods spanning them. A change of the organization's time zone
rebuilds its periods (`rebuild_org`).
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Count, DateTimeField, Max, Min, Sum
from django.db.models.functions import Trunc
from django.utils import timezone

from coachportal.accounts import zones
from coachportal.organizations.models import Organization

from .models import MetricPeriod, SessionMetric, start_of_day

KINDS = ("week", "month")
ATHLETES = 200  # athletes recomputed per statement (the migration's backfill, a time-zone change)
BATCH = 500  # periods inserted per statement


# What a period sums up of the SessionMetric rows under it, as the profile's live buckets sum them up too
# (each adds its first time and its mean its own way): the stored and the live points must agree.
SUMS = {
    "last_at": Max("recorded_at"),
    "sessions": Count("*"),
    "best_hi": Max("best"),
    "best_lo": Min("best"),
    "value_sum": Sum("value"),
    "value_n": Count("value"),
    "value_hi": Max("value"),
    "value_lo": Min("value"),
}


def truncated(kind: str, zone: zoneinfo.ZoneInfo) -> Trunc:
    """In SQL: the start of the day, week or month (in `zone`) a SessionMetric row was recorded in."""
    return Trunc("recorded_at", kind, output_field=DateTimeField(), tzinfo=zone)


def first_day(day: date, kind: str) -> date:
    """The first day of the week (from Monday) or month holding `day`; any other kind is the day itself."""
    if kind == "week":
        return day - timedelta(days=day.weekday())
    if kind == "month":
        return day.replace(day=1)
    return day


def period_start(at: datetime, kind: str) -> datetime:
    """The start (local midnight of the current time zone) of the week (from Monday) or month holding `at`."""
    return start_of_day(first_day(timezone.localtime(at).date(), kind))


def period_end(start: datetime, kind: str) -> datetime:
    """The start of the period after the one starting at `start`."""
    day = timezone.localtime(start).date()
    if kind == "week":
        return start_of_day(day + timedelta(days=7))
    return start_of_day((day.replace(day=28) + timedelta(days=4)).replace(day=1))


def zone_of(org_time_zone: str) -> zoneinfo.ZoneInfo:
    return zones.zone_named(org_time_zone)


def recompute(changed: Iterable[tuple[int, int | None, datetime]], *, rows=None, periods=None, orgs=None):
    """Rewrite the periods holding these (organization id, athlete id, recorded_at) of changed rows.

    Per organization, one span (the first to the last period touched) is deleted and summed up again for
    the athletes named, a statement per kind. `rows`, `periods` and `orgs` are the models (historical ones
    in a migration).
    """
    rows = rows or SessionMetric
    periods = periods or MetricPeriod
    orgs = orgs or Organization
    by_org: dict[int, list[tuple[int, datetime]]] = defaultdict(list)
    for org_id, athlete_id, at in changed:
        if athlete_id is not None:
            by_org[org_id].append((athlete_id, at))
    if not by_org:
        return
    time_zones = dict(orgs.objects.filter(pk__in=list(by_org)).values_list("pk", "time_zone"))
    for org_id, found in by_org.items():
        zone = zone_of(time_zones.get(org_id, ""))
        athletes = sorted({a for a, _ in found})
        first, last = min(at for _, at in found), max(at for _, at in found)
        with timezone.override(zone), transaction.atomic():
            for kind in KINDS:
                start, end = period_start(first, kind), period_end(period_start(last, kind), kind)
                for i in range(0, len(athletes), ATHLETES):
                    _rewrite(org_id, athletes[i : i + ATHLETES], kind, zone, start, end, rows, periods)


def _rewrite(org_id, athletes, kind, zone, start, end, rows, periods) -> None:
    periods.objects.filter(
        organization_id=org_id, athlete_id__in=athletes, kind=kind, start__gte=start, start__lt=end
    ).delete()
    grouped = (
        rows.objects.filter(
            organization_id=org_id, athlete_id__in=athletes, recorded_at__gte=start, recorded_at__lt=end
        )
        .annotate(period=truncated(kind, zone))
        .values("athlete_id", "activity", "key", "period")
        .annotate(first_at=Min("recorded_at"), mean_sum=Sum("mean"), mean_n=Count("mean"), **SUMS)
        .order_by()
    )
    batch = []
    for row in grouped.iterator(chunk_size=BATCH):  # a sync's whole span: never all of it in memory
        batch.append(
            periods(
                organization_id=org_id,
                athlete_id=row.pop("athlete_id"),
                kind=kind,
                start=period_start(row.pop("period"), kind),  # the local midnight, whatever the backend
                zone=zone.key,
                **row,
            )
        )
        if len(batch) == BATCH:
            periods.objects.bulk_create(batch)
            batch = []
    periods.objects.bulk_create(batch)


def rebuild_org(org_id: int, *, rows=None, periods=None, orgs=None) -> None:
    """Every period of the organization again (its time zone changed, or the backfill)."""
    rows = rows or SessionMetric
    periods = periods or MetricPeriod
    periods.objects.filter(organization_id=org_id).delete()
    span = rows.objects.filter(organization_id=org_id, athlete__isnull=False).aggregate(
        first=Min("recorded_at"), last=Max("recorded_at")
    )
    if span["first"] is None:
        return
    athletes = list(
        rows.objects.filter(organization_id=org_id, athlete__isnull=False)
        .values_list("athlete_id", flat=True)
        .distinct()
        .order_by("athlete_id")
    )
    recompute(
        [(org_id, a, at) for a in athletes for at in (span["first"], span["last"])],
        rows=rows,
        periods=periods,
        orgs=orgs,
    )


def changed_rows(queryset) -> list[tuple[int, int | None, datetime]]:
    """The (organization id, athlete id, recorded_at) of a SessionMetric queryset, one per session."""
    return list(queryset.values_list("organization_id", "athlete_id", "recorded_at").distinct())
