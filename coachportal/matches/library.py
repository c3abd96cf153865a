"""A match's row in the sessions library (provider aiontheball, external id = the provider's video id)."""
# ruff: noqa: RUF001 (en dashes are the typography people read)

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from coachportal.organizations.models import Provider
from coachportal.providers import aiontheball as aob
from coachportal.sessions.models import Activity, Session

from .models import Match


def _key_metrics(match: Match) -> dict:
    if not match.summary:
        return {}
    summary = aob.Summary.from_json(match.summary)
    figures = {}
    shares = [team.possession_pct for team in summary.teams]
    if all(share is not None for share in shares):
        figures["Possession"] = " – ".join(f"{share:.0f}%" for share in shares)
    figures["Shots"] = " – ".join(str(team.shots) for team in summary.teams)
    return figures


def upsert_session(match: Match) -> Session | None:
    """Keep the match's row in the sessions library (provider aiontheball, external id = video id)."""
    if not match.provider_video_id:
        return None
    status = {
        Match.Phase.DONE: Session.Status.READY,
        Match.Phase.NOT_ANALYSED: Session.Status.READY,  # nothing more will come: the row must not poll
        Match.Phase.FAILED: Session.Status.FAILED,
    }.get(match.phase, Session.Status.PROCESSING)
    if match.played_on:
        # Noon UTC: the date stays the same in every time zone a club is likely to be in.
        recorded_at = dt.datetime.combine(match.played_on, dt.time(12, 0), tzinfo=dt.UTC)
    else:
        recorded_at = match.created_at or timezone.now()
    values = {
        "activity": Activity.MATCH,
        "title": match.title[:300],
        "recorded_at": recorded_at,
        "video_url": match.mp4_url,
        "analyzed_video_url": match.mp4_url,
        "provider_user_name": match.teams[:200],
        "key_metrics": _key_metrics(match),
        "status": status,
        "raw": {
            "match_id": match.pk,
            "video_status": match.video_status,
            "analysis_id": match.analysis_id,
            "analysis_status": match.analysis_status,
        },
        "synced_at": timezone.now(),
    }
    session, _ = Session.objects.update_or_create(
        organization_id=match.organization_id,
        provider=Provider.AIONTHEBALL,
        external_id=match.provider_video_id,
        defaults=values,
    )
    if match.session_id != session.pk:
        match.session = session
        Match.objects.filter(pk=match.pk).update(session=session)
    return session
