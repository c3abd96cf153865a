"""Keep the SessionMetric table in step with the mirror: one row per session and key metric.

The sync's mirror writes the rows of each batch of sessions it writes, from the values it holds
(`write`, `drop`), and sums up what they changed once at its end (`finish`: the weekly and monthly sums,
the rows of sessions linked to an athlete since, the medians). Editing or deleting a session here
refreshes its rows; `manage.py store_key_metrics` fills the table for sessions synced before it existed.
Rows exist only for ready sessions with a value. After each write, the organization's median of each
metric written is stored again (MetricMedian), so no page walks the values.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
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


@dataclass
class Written:
    """What a sync's batches changed in the key-metric rows, summed up once at its end by `finish`.

    Only the span of each athlete's changed rows is kept (the periods are recomputed from the rows under
    them, whatever changed inside), so it stays a few bytes an athlete at any number of sessions.
    """

    spans: dict[tuple[int, int], tuple[datetime, datetime]] = field(default_factory=dict)
    activities: set[tuple[int, str]] = field(default_factory=set)

    def add(self, changed: Iterable[tuple[int, int | None, datetime]]) -> None:
        for org_id, athlete_id, at in changed:
            if athlete_id is None:
                continue  # no athlete, no periods
            first, last = self.spans.get((org_id, athlete_id), (at, at))
            self.spans[org_id, athlete_id] = (min(first, at), max(last, at))

    def changed(self) -> list[tuple[int, int, datetime]]:
        return [(org, who, at) for (org, who), span in self.spans.items() for at in span]


def write(new: list[Session], rewritten: list[Session], written: Written) -> int:
    """Write the rows of sessions the mirror just inserted (they have none yet) or rewrote, from the
    values it holds (their metrics are not read back); return rows written. Call it in the mirror's
    transaction; `finish` sums up what changed."""
    rows = [row for session in (*new, *rewritten) for row in rows_for(session)]
    if rewritten:
        old = SessionMetric.objects.filter(session__in=[s.pk for s in rewritten])
        written.add(periods.changed_rows(old))
        old.delete()
    SessionMetric.objects.bulk_create(rows, batch_size=BATCH)
    written.add((r.organization_id, r.athlete_id, r.recorded_at) for r in rows)
    written.activities |= touched(new) | touched(rewritten)
    return len(rows)


def drop(session_ids: list[int], written: Written) -> None:
    """Delete the rows of sessions no longer ready (the mirror marked them deleted)."""
    old = SessionMetric.objects.filter(session__in=session_ids)
    found = list(old.values_list("organization_id", "athlete_id", "recorded_at", "activity").distinct())
    if not found:
        return
    written.add(row[:3] for row in found)
    written.activities |= {(org_id, activity) for org_id, _, _, activity in found}
    old.delete()


def finish(org: Organization, written: Written) -> None:
    """After a sync: the periods of what its batches changed, then the rows of sessions linked to an
    athlete since they were written (follow_athletes), then the medians of the activities written."""
    periods.recompute(written.changed())
    follow_athletes(org)
    store_medians(written.activities)


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
