"""Write AiKYNETIX sessions into the mirror: the only place that turns provider data into library Sessions."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import DateTimeField, Value
from django.utils import timezone

from coachportal.athletes.models import Athlete
from coachportal.organizations.models import Organization, Provider
from coachportal.providers import aikynetix

from . import signals, stored_metrics
from .metrics import key_metrics
from .models import Session
from .provider_urls import safe_url, url_expiry

CHUNK = 500


STORED_FIELDS = [
    "athlete_id", "provider_user_id", "provider_user_name", "activity", "exercise", "title", "recorded_at",
    "video_url", "analyzed_video_url", "analyzed_video_expires_at", "metrics", "key_metrics",
    "report_comments", "segments", "status", "raw", "synced_at",
]  # fmt: skip


# What `store` reads of the sessions it already mirrors: enough to compare, and to write their rows.
READ_FIELDS = [
    "id", "organization_id", "external_id", "raw", "athlete_id", "athlete_set_by_hand", "status",
    "recorded_at",
]  # fmt: skip


class Mirror:
    """Writes provider sessions of one organization into the local table, in batches, and their key-metric
    rows with them (what the rows changed is summed up once, at the end of the sync, by
    stored_metrics.finish)."""

    def __init__(self, org: Organization):
        self.org = org
        self.written = stored_metrics.Written()
        self.athletes = dict(
            Athlete.objects.filter(organization=org, aikynetix_user_id__isnull=False).values_list(
                "aikynetix_user_id", "pk"
            )
        )

    def store(self, sessions: Iterable[aikynetix.Session]) -> tuple[int, int]:
        """Insert new sessions and update changed ones; return (created, updated)."""
        sessions = list({s.id: s for s in sessions}.values())
        if not sessions:
            return 0, 0
        now = timezone.now()
        existing = {
            row.external_id: row
            for row in Session.objects.filter(
                organization=self.org, provider=Provider.AIKYNETIX, external_id__in=[s.id for s in sessions]
            ).only(*READ_FIELDS)
        }
        new, changed = [], []
        for remote in sessions:
            row = existing.get(remote.id)
            athlete_id = self.athletes.get(remote.user_id) if remote.user_id else None
            if row is not None and row.athlete_set_by_hand:
                athlete_id = row.athlete_id  # assigned by a person: the roster mapping does not undo it
            unchanged = row is not None and row.raw == remote.raw and row.athlete_id == athlete_id
            if unchanged and row.status != Session.Status.DELETED:
                continue
            values = self._values(remote, athlete_id, now, fallback_date=row.recorded_at if row else now)
            if row is None:
                new.append(
                    Session(
                        organization=self.org, provider=Provider.AIKYNETIX, external_id=remote.id, **values
                    )
                )
            else:
                for name, value in values.items():
                    setattr(row, name, value)
                changed.append(row)
        with transaction.atomic():
            _insert(new, now)
            Session.objects.bulk_update(changed, STORED_FIELDS, batch_size=CHUNK)
            stored_metrics.write(new, changed, self.written)
        return len(new), len(changed)

    @staticmethod
    def _values(remote: aikynetix.Session, athlete_id, now, *, fallback_date) -> dict:
        activity = aikynetix.activity_code(remote.activity)
        video = safe_url(remote.analyzed_video_url)
        return {
            "athlete_id": athlete_id,
            "provider_user_id": (remote.user_id or "")[:100],
            "provider_user_name": (remote.user_name or "")[:200],
            "activity": activity,
            "exercise": (remote.exercise or "")[:100],
            "title": remote.title[:300],
            "recorded_at": remote.created_at or fallback_date,
            "video_url": safe_url(remote.video_url),
            "analyzed_video_url": video,
            "analyzed_video_expires_at": url_expiry(video),
            "metrics": remote.metrics,
            "key_metrics": key_metrics(activity, remote.metrics),
            "report_comments": remote.report_comments,
            "segments": remote.segments,
            "status": remote.status.value,
            "raw": remote.raw,
            "synced_at": now,
        }

    def mark_deleted(self, external_ids: set[str]) -> int:
        ids = sorted(external_ids)
        count = 0
        for start in range(0, len(ids), CHUNK):
            gone = (
                Session.objects.for_org(self.org)
                .visible()
                .filter(provider=Provider.AIKYNETIX, external_id__in=ids[start : start + CHUNK])
            )
            with transaction.atomic():
                pks = list(gone.values_list("pk", flat=True))
                count += Session.objects.filter(pk__in=pks).update(
                    status=Session.Status.DELETED, synced_at=timezone.now()
                )
                if pks:  # their key metrics and the organization's own data (notes, share links) go with them
                    stored_metrics.drop(pks, self.written)
                    signals.sessions_deleted.send(Session, organization=self.org, session_ids=pks)
        return count


def _insert(sessions: list[Session], now) -> None:
    """INSERT the new sessions a batch at a time, one row of VALUES each.

    On PostgreSQL Django inserts literal values as UNNEST of one array per column, and psycopg escapes
    every double quote of each JSON document in an array in Python: a batch of sessions with their
    metrics and raw JSON took twice the CPU and 1.6 times the time of the same values as separate
    parameters (escaped in C). An expression among the values (the sync time as a Value: the same time)
    keeps the VALUES form.
    """
    synced = Value(now, output_field=DateTimeField())
    for session in sessions:
        session.synced_at = synced
    Session.objects.bulk_create(sessions, batch_size=CHUNK)
    for session in sessions:
        session.synced_at = now
    if any(session.pk is None for session in sessions):  # a backend that returns no ids: read them
        ids = dict(
            Session.objects.filter(
                organization_id=sessions[0].organization_id,
                provider=Provider.AIKYNETIX,
                external_id__in=[s.external_id for s in sessions],
            ).values_list("external_id", "pk")
        )
        for session in sessions:
            session.pk = ids[session.external_id]
