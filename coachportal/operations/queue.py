"""The background task queue as an operator sees it, read from django-tasks-db's result table.

Each task is one row of `DBTaskResult`: READY (waiting, or deferred until `run_after`), RUNNING, then
SUCCESSFUL or FAILED. A worker killed mid-task (SIGKILL, a crashed dyno) leaves its row RUNNING for
ever; the work itself is recovered by the scheduler jobs, so a long-running row is only a sign to look.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Min, Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

RECENT = timedelta(hours=24)  # failures (and successes) counted over this window
# Longer than any task should run (a forward waits at most minutes): a RUNNING row this old was most
# likely left by a worker that was killed.
LONG_RUNNING = timedelta(minutes=30)


@dataclass
class TaskCounts:
    name: str
    waiting: int = 0
    deferred: int = 0
    running: int = 0
    failed: int = 0
    succeeded: int = 0


@dataclass
class QueueStatus:
    now: datetime
    waiting: int = 0  # ready to run now: what the workers have not caught up with
    deferred: int = 0  # retries and scheduled tasks waiting for their time
    running: int = 0
    running_long: int = 0  # running for longer than LONG_RUNNING
    failed: int = 0  # in the last RECENT
    succeeded: int = 0  # in the last RECENT
    oldest_waiting_since: datetime | None = None
    oldest_running_since: datetime | None = None
    tasks: list[TaskCounts] = field(default_factory=list)

    @property
    def oldest_waiting_age(self) -> timedelta | None:
        return self.now - self.oldest_waiting_since if self.oldest_waiting_since else None

    @property
    def oldest_running_age(self) -> timedelta | None:
        return self.now - self.oldest_running_since if self.oldest_running_since else None


def queue_status(*, now: datetime | None = None) -> QueueStatus:
    """Count the queue's tasks by state, overall and per task, in two aggregate queries."""
    now = now or timezone.now()
    never = get_date_max()  # django-tasks-db's run_after for "as soon as possible"
    waiting = Q(status="READY") & (Q(run_after=never) | Q(run_after__lte=now))
    deferred = Q(status="READY", run_after__gt=now) & ~Q(run_after=never)
    running = Q(status="RUNNING")
    recent = Q(finished_at__gte=now - RECENT)
    counts = {
        "waiting": Count("pk", filter=waiting),
        "deferred": Count("pk", filter=deferred),
        "running": Count("pk", filter=running),
        "failed": Count("pk", filter=Q(status="FAILED") & recent),
        "succeeded": Count("pk", filter=Q(status="SUCCESSFUL") & recent),
    }
    # Only unfinished or recent rows matter: old finished results (kept until pruned) are skipped.
    relevant = DBTaskResult.objects.filter(Q(status__in=["READY", "RUNNING"]) | recent)
    totals = relevant.aggregate(
        **counts,
        running_long=Count("pk", filter=running & Q(started_at__lt=now - LONG_RUNNING)),
        oldest_enqueued=Min("enqueued_at", filter=waiting & Q(run_after=never)),
        oldest_due=Min("run_after", filter=waiting & ~Q(run_after=never)),
        oldest_running_since=Min("started_at", filter=running),
    )
    # A task waits from when it was queued or, for a deferred one, from the time it was due.
    waiting_since = [t for t in (totals.pop("oldest_enqueued"), totals.pop("oldest_due")) if t]
    rows = relevant.values("task_path").annotate(**counts).order_by("task_path")
    return QueueStatus(
        now=now,
        oldest_waiting_since=min(waiting_since, default=None),
        tasks=[
            TaskCounts(name=row.pop("task_path").rsplit(".", 1)[-1], **row)
            for row in rows
            if any(row[name] for name in counts)
        ],
        **totals,
    )


def short_age(delta: timedelta | None) -> str:
    """A short, human age: 45 s, 12 min, 3 h 5 min, 2 d 4 h."""
    if delta is None:
        return "none"
    seconds = max(int(delta.total_seconds()), 0)
    if seconds < 60:
        return f"{seconds} s"
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if minutes < 60:
        return f"{minutes} min"
    if hours < 24:
        return f"{hours} h {minutes % 60} min"
    return f"{days} d {hours % 24} h"
