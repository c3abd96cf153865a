"""Background work of matches: register a match with AI on the Ball, then follow it to a finished analysis.

The chain of deferred polls is scheduled here too, next to the task it queues.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from coachportal.organizations.models import Organization

from .history import sync_history
from .models import Match
from .sync import poll_match

REQUEST_DEBOUNCE_SECONDS = 5
# Wait between polls: short while the video is fetched, longer while an analysis runs (2 to 6 hours).
VIDEO_BACKOFF = (5, 10, 20, 30, 60)
ANALYSIS_BACKOFF = (30, 60, 120, 300)
OVERDUE = timedelta(minutes=15)


@task()
def register_match(match_id: int) -> str:
    """Send a new match to the provider, then start the chain of deferred polls; return its phase."""
    match = Match.objects.filter(pk=match_id).first()
    if match is None:
        return "gone"
    poll_match(match)
    schedule_follow(match)
    return match.phase


@task()
def follow_match(match_id: int, token: str = "") -> str:
    """Take one polling step; the scheduled chain (its token still current) schedules the next one."""
    match = Match.objects.filter(pk=match_id).first()
    if match is None:
        return "gone"
    poll_match(match)
    if token:
        current = Match.objects.filter(pk=match_id).values_list("poll_token", flat=True).first()
        if current == token:
            schedule_follow(match)
    return match.phase


@task()
def sync_match_history(organization_id: int, full: bool = False) -> str:
    """Mirror an organization's AI on the Ball videos as matches; return the outcome ("done", "busy", ...)."""
    org = Organization.objects.filter(pk=organization_id).first()
    if org is None:
        return "gone"
    return sync_history(org, full=full).outcome


def _debounce_seconds() -> float:
    return float(getattr(settings, "MATCHES_POLL_DEBOUNCE_SECONDS", REQUEST_DEBOUNCE_SECONDS))


# Scheduling -------------------------------------------------------------------------------------------


def next_delay(match: Match) -> int:
    ladder = ANALYSIS_BACKOFF if match.analysis_id else VIDEO_BACKOFF
    return ladder[min(match.polls, len(ladder) - 1)] if match.polls else ladder[0]


def schedule_follow(match: Match, *, delay: int | None = None) -> bool:
    """Start (or continue) the one chain of deferred polls; False when the backend cannot defer."""
    if match.is_finished or not follow_match.get_backend().supports_defer:
        return False
    delay = next_delay(match) if delay is None else delay
    token = uuid.uuid4().hex
    run_after = timezone.now() + timedelta(seconds=delay)
    Match.objects.filter(pk=match.pk).update(poll_token=token, next_poll_at=run_after)
    match.poll_token, match.next_poll_at = token, run_after
    transaction.on_commit(lambda: follow_match.using(run_after=run_after).enqueue(match.pk, token))
    return True


def request_poll(match: Match) -> bool:
    """Ask for one step soon (a page polling, a webhook), at most once per few seconds per match."""
    if match.is_finished:
        return False
    now = timezone.now()
    cutoff = now - timedelta(seconds=_debounce_seconds())
    due = Match.objects.filter(pk=match.pk).exclude(poll_requested_at__gt=cutoff)
    if not due.update(poll_requested_at=now):
        return False
    transaction.on_commit(lambda: follow_match.enqueue(match.pk, ""))
    return True


def follow_due(*, now=None) -> int:
    """Restart the poll chain of unfinished matches whose next poll is long overdue (a lost task)."""
    now = now or timezone.now()
    started = 0
    stale = Match.objects.unfinished().exclude(next_poll_at__gt=now - OVERDUE)
    for match in stale.iterator():
        poll_match(match)
        if schedule_follow(match):
            started += 1
    return started
