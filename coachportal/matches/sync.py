"""Follow matches at AI on the Ball: the only place that turns the provider's videos and analyses into rows.

One step (`poll_match`) asks the provider where a match is and moves it on: register the video, read
its status, start the analysis once the video is available, follow the analysis, and fetch the summary
and events once it is done. The step is safe to run from several places at once (a scheduled task
chain, a webhook, a page that polls): creating things at the provider is claimed with a conditional
UPDATE first, and what the provider already has is adopted instead of created again.
"""
# ruff: noqa: RUF001, RUF003 (en dashes and × are the typography people read)

from __future__ import annotations

import datetime as dt
import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from coachportal.organizations.credentials import client_for, mark_rejected
from coachportal.organizations.models import Provider, ProviderCredential
from coachportal.organizations.provider_messages import join, sentence
from coachportal.providers import aiontheball as aob
from coachportal.sessions.models import Activity, Session

from .models import PROVIDER_HAS_FILE, Match

log = logging.getLogger(__name__)

CLAIM_TIMEOUT = timedelta(minutes=5)
REQUEST_DEBOUNCE_SECONDS = 5
# Wait between polls: short while the video is fetched, longer while an analysis runs (2 to 6 hours).
VIDEO_BACKOFF = (5, 10, 20, 30, 60)
ANALYSIS_BACKOFF = (30, 60, 120, 300)
OVERDUE = timedelta(minutes=15)

NO_KEY = "The organization's AI on the Ball key was removed; add it again to follow this match."
GONE = "AI on the Ball no longer has this video (it was deleted there)."
ANALYSIS_FAILED = "AI on the Ball could not analyse this match."
VIDEO_FAILED = {
    "error": (
        "AI on the Ball could not download or read the video. Check the file or URL and register it again."
    ),
    "no_match_detected": "AI on the Ball found no football match in this video, so it will not be analysed.",
}


def _debounce_seconds() -> float:
    return float(getattr(settings, "MATCHES_POLL_DEBOUNCE_SECONDS", REQUEST_DEBOUNCE_SECONDS))


def _credential(match: Match) -> ProviderCredential | None:
    return ProviderCredential.objects.filter(
        organization_id=match.organization_id, provider=Provider.AIONTHEBALL
    ).first()


def _claim(match: Match, field: str) -> bool:
    """Take the right to create something at the provider; False if someone else holds it."""
    now = timezone.now()
    free = Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lt": now - CLAIM_TIMEOUT})
    won = Match.objects.filter(free, pk=match.pk).update(**{field: now}) == 1
    if won:
        setattr(match, field, now)
    return won


def _save(match: Match, *fields: str) -> None:
    match.phase = match.derive_phase()
    if match.is_finished and match.finished_at is None:
        match.finished_at = timezone.now()
    if match.video_status in PROVIDER_HAS_FILE and match.provider_has_file_at is None:
        match.provider_has_file_at = timezone.now()
    match.save(update_fields=[*fields, "phase", "finished_at", "provider_has_file_at", "updated_at"])
    upsert_session(match)


# Applying what the provider says --------------------------------------------------------------------


def apply_video(match: Match, video: aob.Video) -> None:
    match.provider_video_id = str(video.id)
    match.video_status = video.status or match.video_status or "init"
    if video.mp4_source.startswith(("http://", "https://")):
        match.mp4_url = video.mp4_source[:2000]
    if video.duration:
        match.duration_seconds = video.duration
    if video.is_failed:
        match.last_error = VIDEO_FAILED.get(video.status, "AI on the Ball could not use this video.")
    if not match.analysis_id and video.analyses:
        # An analysis exists already (started by an earlier try whose answer was lost): adopt it.
        newest = max(video.analyses, key=lambda ref: ref.id)
        match.analysis_id, match.analysis_status = str(newest.id), newest.status


def apply_analysis(match: Match, analysis: aob.Analysis) -> None:
    match.analysis_id = str(analysis.id)
    match.analysis_status = analysis.status or match.analysis_status
    if analysis.progress is not None:
        match.analysis_progress = max(0, min(100, int(analysis.progress)))
    if analysis.is_done:
        match.analysis_progress = 100
    if analysis.is_failed:
        match.last_error = ANALYSIS_FAILED


def apply_progress(match: Match, *, status: str, progress: int) -> bool:
    """Apply a webhook's status and completion rate, never going backwards; return whether it changed."""
    order = ["", "init", "waiting_for_video", "running", "aggregating", "done", "error"]
    rank = {name: index for index, name in enumerate(order)}
    if match.analysis_status in ("done", "error"):
        return False
    changed = False
    if rank.get(status, 0) >= rank.get(match.analysis_status, 0) and status != match.analysis_status:
        match.analysis_status = status
        changed = True
    if status != "error" and progress > match.analysis_progress:
        match.analysis_progress = min(100, progress)
        changed = True
    if status == "error":
        match.last_error = ANALYSIS_FAILED
    if changed:
        _save(match, "analysis_status", "analysis_progress", "last_error")
    return changed


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


# Talking to the provider ----------------------------------------------------------------------------


def _fail_transiently(match: Match, error: aob.AiOnTheBallError) -> None:
    match.last_error = sentence(error.message, fallback="AI on the Ball did not answer")[:500]
    Match.objects.filter(pk=match.pk).update(last_error=match.last_error, updated_at=timezone.now())


def _find_registered(client: aob.AiOnTheBallClient, match: Match) -> aob.Video | None:
    """Find a video an earlier, unanswered registration may have created (same title and teams, newer)."""
    since = match.created_at - timedelta(minutes=1)
    for video in client.iter_videos():
        if (
            video.title == match.title
            and video.home_team_name == match.home_team
            and video.away_team_name == match.away_team
            and (video.created_at is None or video.created_at >= since)
            and not Match.objects.filter(
                organization_id=match.organization_id, provider_video_id=str(video.id)
            )
            .exclude(pk=match.pk)
            .exists()
        ):
            return video
    return None


def _register(client: aob.AiOnTheBallClient, match: Match) -> None:
    from .services import provider_file_url

    # A claim left behind means an earlier try may have reached the provider without us hearing back.
    retried = Match.objects.filter(pk=match.pk, register_claimed_at__isnull=False).exists()
    if not _claim(match, "register_claimed_at"):
        return
    if retried:
        found = _find_registered(client, match)
        if found is not None:
            apply_video(match, found)
            match.last_error = ""
            _save(match, "provider_video_id", "video_status", "mp4_url", "duration_seconds", "last_error",
                  "analysis_id", "analysis_status")  # fmt: skip
            return
    try:
        video = client.create_video(
            provider_file_url(match),
            title=match.title,
            home_team_name=match.home_team or None,
            away_team_name=match.away_team or None,
            date=match.played_on,
        )
    except aob.InvalidRequest as error:
        details = [message for messages in error.errors.values() for message in messages]
        match.video_status = "rejected"
        match.last_error = join(*details) if details else sentence(error.message)
        match.last_error = match.last_error[:500]
        _save(match, "video_status", "last_error")
        return
    apply_video(match, video)
    match.last_error = ""
    _save(match, "provider_video_id", "video_status", "mp4_url", "duration_seconds", "last_error",
          "analysis_id", "analysis_status")  # fmt: skip


def _start_analysis(client: aob.AiOnTheBallClient, match: Match) -> None:
    if not _claim(match, "analysis_claimed_at"):
        return
    video = client.get_video(int(match.provider_video_id))  # adopt one a lost answer left behind
    apply_video(match, video)
    if match.analysis_id:
        return
    try:
        analysis = client.create_analysis(int(match.provider_video_id), fps=25)
    except aob.InvalidRequest as error:
        match.analysis_status = "error"
        details = [message for messages in error.errors.values() for message in messages]
        match.last_error = join(*details) if details else sentence(error.message)
        match.last_error = match.last_error[:500]
        return
    apply_analysis(match, analysis)


def _fetch_results(client: aob.AiOnTheBallClient, match: Match) -> None:
    analysis_id = int(match.analysis_id)
    summary = client.get_summary(analysis_id)
    events = client.get_events(analysis_id)
    match.summary = summary.raw
    match.events = sorted((event.raw for event in events), key=lambda raw: float(raw.get("start") or 0))
    if summary.video_length_sec and not match.duration_seconds:
        match.duration_seconds = int(summary.video_length_sec)


def poll_match(match: Match) -> Match:
    """Take one step: ask the provider where the match is and move it on."""
    if match.is_finished:
        return match
    credential = _credential(match)
    if credential is None:
        match.last_error = NO_KEY
        Match.objects.filter(pk=match.pk).update(last_error=NO_KEY, polled_at=timezone.now())
        return match
    Match.objects.filter(pk=match.pk).update(polled_at=timezone.now(), polls=match.polls + 1)
    match.polls += 1
    try:
        with client_for(credential, read_retries=1) as client:
            if not match.provider_video_id:
                _register(client, match)
                if not match.provider_video_id:
                    return match
            video = client.get_video(int(match.provider_video_id))
            apply_video(match, video)
            # A mirrored video (history) was never registered here: the portal does not start its analysis.
            if video.is_ready and not match.analysis_id and not match.from_history:
                _start_analysis(client, match)
            if match.analysis_id and match.analysis_status not in ("done", "error"):
                apply_analysis(match, client.get_analysis(int(match.analysis_id)))
            if match.analysis_status == "done" and match.summary is None:
                _fetch_results(client, match)
            if not video.is_failed and match.analysis_status != "error":
                match.last_error = ""
    except aob.TokenRejected as error:
        mark_rejected(credential, error.message)
        _fail_transiently(match, error)
        return match
    except aob.NotFound:
        if match.provider_video_id:
            match.video_status, match.last_error = "error", GONE
            _save(match, "video_status", "last_error")
        return match
    except aob.ResultsNotReady:
        pass  # done, but the results are not served yet: the next step fetches them
    except aob.AiOnTheBallError as error:
        _fail_transiently(match, error)
        return match
    _save(match, "provider_video_id", "video_status", "mp4_url", "duration_seconds", "analysis_id",
          "analysis_status", "analysis_progress", "summary", "events", "last_error")  # fmt: skip
    return match


# Scheduling -------------------------------------------------------------------------------------------


def next_delay(match: Match) -> int:
    ladder = ANALYSIS_BACKOFF if match.analysis_id else VIDEO_BACKOFF
    return ladder[min(match.polls, len(ladder) - 1)] if match.polls else ladder[0]


def schedule_follow(match: Match, *, delay: int | None = None) -> bool:
    """Start (or continue) the one chain of deferred polls; False when the backend cannot defer."""
    from .tasks import follow_match

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
    from .tasks import follow_match

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
