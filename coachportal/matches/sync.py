"""Follow matches at AI on the Ball: the only place that turns the provider's videos and analyses into rows.

One step (`poll_match`) asks the provider where a match is and moves it on: register the video, read
its status, start the analysis once the video is available, follow the analysis, and fetch the summary
and events once it is done. The step is safe to run from several places at once (a scheduled task
chain, a webhook, a page that polls): creating things at the provider is claimed with a conditional
UPDATE first, and what the provider already has is adopted instead of created again.
"""
# ruff: noqa: RUF003 (en dashes and × are the typography people read)

from __future__ import annotations

import logging
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from coachportal.organizations.credentials import Failure, ProviderCallFailed, provider_client
from coachportal.organizations.models import Provider
from coachportal.organizations.provider_messages import join, sentence
from coachportal.providers import aiontheball as aob

from .files import provider_file_url
from .library import upsert_session
from .models import CLAIM_TIMEOUT, PROVIDER_HAS_FILE, Match

log = logging.getLogger(__name__)


NO_KEY = "The organization's AI on the Ball key was removed; add it again to follow this match."
GONE = "AI on the Ball no longer has this video (it was deleted there)."
ANALYSIS_FAILED = "AI on the Ball could not analyse this match."
VIDEO_FAILED = {
    "error": (
        "AI on the Ball could not download or read the video. Check the file or URL and register it again."
    ),
    "no_match_detected": "AI on the Ball found no football match in this video, so it will not be analysed.",
}


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


# Talking to the provider ----------------------------------------------------------------------------


def _fail_transiently(match: Match, failure: ProviderCallFailed) -> None:
    match.last_error = sentence(failure.message, fallback="AI on the Ball did not answer")[:500]
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
    try:
        with provider_client(match.organization_id, Provider.AIONTHEBALL, read_retries=1) as client:
            Match.objects.filter(pk=match.pk).update(polled_at=timezone.now(), polls=match.polls + 1)
            match.polls += 1
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
    except ProviderCallFailed as failure:
        if failure.kind is Failure.NO_KEY:
            match.last_error = NO_KEY
            Match.objects.filter(pk=match.pk).update(last_error=NO_KEY, polled_at=timezone.now())
            return match
        if failure.kind is Failure.NOT_FOUND:
            if match.provider_video_id:
                match.video_status, match.last_error = "error", GONE
                _save(match, "video_status", "last_error")
            return match
        if failure.kind is not Failure.NOT_READY:  # done, but the results are not served yet: saved below
            _fail_transiently(match, failure)  # the next step tries again (a refused key is marked)
            return match
    _save(match, "provider_video_id", "video_status", "mp4_url", "duration_seconds", "analysis_id",
          "analysis_status", "analysis_progress", "summary", "events", "last_error")  # fmt: skip
    return match
