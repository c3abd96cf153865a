"""Keep the SessionMetric table in step with the mirror: one row per session and key metric.

The sync tells us through `mirror_updated` which sessions it wrote (those synced since it started);
editing or deleting a session here refreshes its rows; `manage.py store_key_metrics` fills the table for
sessions synced before it existed. Rows exist only for ready sessions with a value. After each write, the
organization's median of each metric written is stored again (MetricMedian), so no page walks the values.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery

from coachportal.organizations.models import Organization

from . import catalogue, metrics, periods
from .models import MetricMedian, Session, SessionMetric

BATCH = 500


def summaries(activity: str, metrics: Any) -> list[tuple[catalogue.Metric, catalogue.Summary]]:
    """The activity's key metrics found in a session's metrics, each with its summary."""
    if not isinstance(metrics, dict):
        return []
    found = []
    for metric in catalogue.key_metrics(activity):
        summary = catalogue.summarise(metric, metrics.get(metric.key))
        if summary.n:
            found.append((metric, summary))
    return found


def row_values(session) -> list[dict]:
    """The SessionMetric fields of a session's key metrics (also used by the data migration)."""
    return [
        {
            "session_id": session.pk,
            "organization_id": session.organization_id,
            "athlete_id": session.athlete_id,
            "activity": session.activity,
            "key": metric.key,
            "value": metric.headline(summary),
            "best": summary.best,
            "mean": summary.mean,
            "n": summary.n,
            "recorded_at": session.recorded_at,
        }
        for metric, summary in summaries(session.activity, session.metrics)
    ]


def rows_for(session: Session) -> list[SessionMetric]:
    if session.status != Session.Status.READY:
        return []
    return [SessionMetric(**values) for values in row_values(session)]


def refresh(sessions: Iterable[Session], *, medians: bool = True) -> int:
    """Rewrite the key-metric rows of these sessions (loaded with their metrics); return rows written.

    Then store the medians of their organizations' activities again (unless the caller does it once for
    many batches, as refresh_query does).
    """
    sessions = list(sessions)
    if not sessions:
        return 0
    rows = [row for session in sessions for row in rows_for(session)]
    with transaction.atomic():
        old = SessionMetric.objects.filter(session__in=[s.pk for s in sessions])
        changed = periods.changed_rows(old)
        old.delete()
        SessionMetric.objects.bulk_create(rows, batch_size=BATCH)
        # The weekly and monthly sums of the athletes whose rows went or came.
        changed += {(r.organization_id, r.athlete_id, r.recorded_at) for r in rows}
        periods.recompute(changed)
    if medians:
        store_medians(touched(sessions))
    return len(rows)


def touched(sessions: Iterable[Session]) -> set[tuple[int, str]]:
    return {(s.organization_id, s.activity) for s in sessions}


def median(values) -> tuple[float | None, int]:
    """The median of a queryset's `value` column and how many values it is of: a count, then an ordered
    walk of the (organization, activity, key, value) index to the middle (on the write path, not a page)."""
    values = values.filter(value__isnull=False)
    n = values.count()
    if not n:
        return None, 0
    middle = list(values.order_by("value").values_list("value", flat=True)[(n - 1) // 2 : n // 2 + 1])
    return statistics.fmean(middle), n


def store_medians(activities: Iterable[tuple[int, str]], *, rows=None, medians=None) -> None:
    """Store the median of each key metric of these (organization id, activity) pairs.

    `rows` and `medians` are the SessionMetric and MetricMedian models (historical ones in a migration).
    """
    rows = rows or SessionMetric
    medians = medians or MetricMedian
    found = []
    for org_id, activity in sorted(activities):
        for key in catalogue.KEY_METRICS.get(activity, []):
            value, n = median(rows.objects.filter(organization_id=org_id, activity=activity, key=key))
            found.append(medians(organization_id=org_id, activity=activity, key=key, value=value, sessions=n))
    if found:
        medians.objects.bulk_create(
            found,
            update_conflicts=True,
            unique_fields=["organization", "activity", "key"],
            update_fields=["value", "sessions", "updated_at"],
        )


def refresh_query(sessions, *, library_rows: bool = False) -> int:
    """Refresh every session of a queryset, a batch at a time (constant memory at any size).

    With `library_rows`, also rewrite the numbers each library row shows (Session.key_metrics), for
    sessions synced before the catalogue last changed how they read.
    """
    fields = ["id", "organization_id", "athlete_id", "activity", "status", "metrics", "recorded_at"]
    if library_rows:
        fields.append("key_metrics")
    written, batch, activities = 0, [], set()
    for session in sessions.only(*fields).order_by("pk").iterator(chunk_size=BATCH):
        batch.append(session)
        if len(batch) == BATCH:
            activities |= touched(batch)
            written += _refresh_batch(batch, library_rows)
            batch = []
    activities |= touched(batch)
    written += _refresh_batch(batch, library_rows)
    store_medians(activities)
    return written


def _refresh_batch(batch: list[Session], library_rows: bool) -> int:
    if library_rows:
        changed = []
        for session in batch:
            if session.activity not in catalogue.CATALOGUE:
                continue  # not ours to word (a match's numbers come from coachportal.matches)
            shown = metrics.key_metrics(session.activity, session.metrics or {})
            if shown != session.key_metrics:
                session.key_metrics = shown
                changed.append(session)
        Session.objects.bulk_update(changed, ["key_metrics"], batch_size=BATCH)
    return refresh(batch, medians=False)


def refresh_synced_since(org: Organization, since: datetime) -> int:
    """Refresh the sessions the sync wrote (or marked deleted) since `since`, then follow athlete links."""
    written = refresh_query(Session.objects.for_org(org).filter(synced_at__gte=since))
    follow_athletes(org)
    return written


def follow_athletes(org: Organization) -> int:
    """Copy each session's athlete onto its rows where a roster change moved it; return rows changed."""
    current = Subquery(Session.objects.filter(pk=OuterRef("session_id")).values("athlete_id")[:1])
    moved = (
        SessionMetric.objects.filter(organization=org)
        .annotate(now=current)
        .filter(
            Q(athlete__isnull=True, now__isnull=False)
            | Q(athlete__isnull=False, now__isnull=True)
            | (Q(athlete__isnull=False, now__isnull=False) & ~Q(athlete_id=F("now")))
        )
    )
    with transaction.atomic():
        # The periods of both athletes: the one the rows leave and the one they join.
        found = list(moved.values_list("pk", "organization_id", "athlete_id", "now", "recorded_at"))
        if not found:
            return 0
        changed = SessionMetric.objects.filter(pk__in=[row[0] for row in found]).update(athlete_id=current)
        periods.recompute([(org_id, who, at) for _, org_id, was, now, at in found for who in (was, now)])
    return changed
