"""Mirror every video of an organization's AI on the Ball token as a match (its AI on the Ball history).

A sync reads the provider's video list one page at a time. A video the portal does not know becomes a
match with source "provider" (no local file); for each mirrored video the latest analysis is followed,
and its summary and events are fetched once it is done. Only what changed costs more requests, so the
incremental sync (the same schedule and claim as the AiKYNETIX library sync) stays cheap. A full sync
(once a day, or on demand) also reconciles deletions: a mirrored video the list no longer has, and
that the provider confirms is gone, disappears; a match registered through the portal is marked gone.

Matches registered through the portal are followed by `sync.poll_match`, never changed here, and the
portal never starts an analysis of a mirrored video. Each video is written on its own, so a provider
error halfway loses nothing already mirrored; deletions happen only after a complete walk.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from coachportal.organizations.credentials import Failure, ProviderCallFailed
from coachportal.organizations.models import Organization, Provider
from coachportal.providers import aiontheball as aob
from coachportal.providers.aiontheball.types import ANALYSIS_DONE, ANALYSIS_FAILED
from coachportal.sessions import claims
from coachportal.sessions.claims import Run, SyncResult
from coachportal.sessions.models import Session

from .library import upsert_session
from .models import Match
from .sync import GONE, _fetch_results

# A registration through the portal may have created its video without us knowing the id yet.
REGISTRATION_GRACE = timedelta(minutes=1)
# What the list tells about a video; a mirrored match is saved only when one of these changed.
MIRRORED_FIELDS = [
    "title", "home_team", "away_team", "played_on", "video_status", "mp4_url", "duration_seconds",
    "analysis_id", "analysis_status", "analysis_progress", "summary", "events", "last_error",
]  # fmt: skip


def sync_history(org: Organization, *, full: bool = False) -> SyncResult:
    """Bring the organization's matches up to date with its AI on the Ball videos (task or command)."""

    def work(sync: Run) -> None:
        started = timezone.now()
        for page in sync.client.iter_video_pages():
            _mirror_page(sync.client, org, page.videos, started, sync.result)
            sync.keep_claim()
        if sync.result.full:
            _reconcile(sync.client, org, started, sync.result)

    return claims.run(org, Provider.AIONTHEBALL, full=full, work=work, describe=_describe, name="match sync")


# The banner's sentence for a history sync the provider stopped.
FAILURES = {
    Failure.KEY_UNREADABLE: "The saved key cannot be decrypted: {message}",
    Failure.KEY_REJECTED: "AI on the Ball refused the organization's key: {detail}.",
}


def _describe(failure: ProviderCallFailed) -> str:
    return failure.explain(FAILURES, otherwise="AI on the Ball could not be read: {detail}.")


# One page -------------------------------------------------------------------------------------------------


def _mirror_page(client, org: Organization, videos: list[aob.Video], started, result: SyncResult) -> None:
    ids = [str(video.id) for video in videos]
    known = Match.objects.filter(organization=org, provider_video_id__in=ids)
    known.update(provider_seen_at=started)
    by_id = {match.provider_video_id: match for match in known}
    # Read after the page: a registration whose video is on it had its match row before the list was read.
    pending = list(
        Match.objects.filter(organization=org, provider_video_id="", phase=Match.Phase.REGISTERING)
        .exclude(video_status="rejected")
        .values_list("title", "home_team", "away_team", "created_at")
    )
    for video in videos:
        match = by_id.get(str(video.id))
        if match is not None and not match.from_history:
            continue  # registered through the portal: sync.poll_match follows it
        if match is not None:
            result.updated += _mirror(client, match, video)
            continue
        if _may_be_registering(video, pending):
            continue  # the registration adopts it; the next sync sees it with its match
        match = _create(org, video, started)
        if match is not None:
            result.created += 1
            _mirror(client, match, video)


def _may_be_registering(video: aob.Video, pending: list[tuple]) -> bool:
    """Same test as the registration's own adoption (sync._find_registered): title, teams, not older."""
    for title, home, away, created_at in pending:
        if (video.title, video.home_team_name, video.away_team_name) == (title, home, away) and (
            video.created_at is None or video.created_at >= created_at - REGISTRATION_GRACE
        ):
            return True
    return False


def _title(video: aob.Video) -> str:
    if video.title:
        return video.title[:200]
    if video.home_team_name or video.away_team_name:
        return f"{video.home_team_name or 'Home'} vs {video.away_team_name or 'Away'}"[:200]
    return (video.game_name or f"Video {video.id}")[:200]


def _apply_listing(match: Match, video: aob.Video) -> None:
    match.title = _title(video)
    match.home_team = video.home_team_name[:100]
    match.away_team = video.away_team_name[:100]
    match.played_on = video.date or (video.created_at.date() if video.created_at else None)
    match.video_status = video.status or match.video_status or "init"
    match.mp4_url = video.mp4_source[:2000] if video.mp4_source.startswith(("http://", "https://")) else ""
    if video.duration:
        match.duration_seconds = video.duration


def _create(org: Organization, video: aob.Video, started) -> Match | None:
    match = Match(organization=org, source=Match.Source.PROVIDER, provider_video_id=str(video.id))
    match.provider_seen_at = started
    _apply_listing(match, video)
    match.phase = match.derive_phase()
    if Match.objects.filter(organization=org, provider_video_id=match.provider_video_id).exists():
        return None  # a registration adopted this video a moment ago (the claim keeps other syncs out)
    match.save()
    if video.created_at is not None:
        # Keep the provider's order on the Matches page (newest registered first), not the sync's.
        Match.objects.filter(pk=match.pk).update(created_at=video.created_at)
        match.created_at = video.created_at
    upsert_session(match)
    return match


def _mirror(client, match: Match, video: aob.Video) -> bool:
    """Copy what the list says about a mirrored video, follow its latest analysis; True if it changed."""
    before = [getattr(match, name) for name in MIRRORED_FIELDS]
    _apply_listing(match, video)
    latest = max(video.analyses, key=lambda ref: ref.id) if video.analyses else None
    if latest is None or str(latest.id) != match.analysis_id:
        # A first analysis, a newer one, or none any more: start over from what the list says.
        match.analysis_id = str(latest.id) if latest else ""
        match.analysis_status = latest.status if latest else ""
        match.analysis_progress, match.summary, match.events = 0, None, None
    elif latest.status != match.analysis_status:
        match.analysis_status = latest.status
    try:
        if match.analysis_id:
            _follow_analysis(client, match)
    except aob.NotFound:
        pass  # deleted since the list was read: the next sync sees the list without it
    finally:
        # Whatever was learnt before an error is kept: the next sync carries on from there.
        changed = [getattr(match, name) for name in MIRRORED_FIELDS] != before
        if changed:
            _save(match)
    return changed


def _follow_analysis(client, match: Match) -> None:
    match.last_error = ""
    if match.analysis_status == ANALYSIS_DONE:
        match.analysis_progress = 100
        if match.summary is None or match.events is None:
            try:
                _fetch_results(client, match)
            except aob.ResultsNotReady:
                match.summary = match.events = None  # served a little later: the next sync fetches them
    elif match.analysis_status in ANALYSIS_FAILED:
        match.last_error = "AI on the Ball could not analyse this match."
    else:
        analysis = client.get_analysis(int(match.analysis_id))
        match.analysis_status = analysis.status or match.analysis_status
        if analysis.progress is not None:
            match.analysis_progress = max(0, min(100, int(analysis.progress)))


def _save(match: Match) -> None:
    match.phase = match.derive_phase()
    if match.is_finished:
        match.finished_at = match.finished_at or timezone.now()
    else:
        match.finished_at = None
    match.save(update_fields=[*MIRRORED_FIELDS, "phase", "finished_at", "updated_at"])
    upsert_session(match)


# Deletions ------------------------------------------------------------------------------------------------


def _reconcile(client, org: Organization, started, result: SyncResult) -> None:
    """After a complete walk: matches whose video the list no longer has, once the provider confirms it."""
    unseen = (
        Match.objects.filter(organization=org, created_at__lt=started)
        .exclude(provider_video_id="")
        .filter(Q(provider_seen_at__isnull=True) | Q(provider_seen_at__lt=started))
        .exclude(Q(last_error=GONE) & ~Q(source=Match.Source.PROVIDER))  # already marked gone
    )
    for match in unseen.iterator():
        try:
            client.get_video(int(match.provider_video_id))
        except aob.NotFound:
            pass
        else:
            continue  # the list left it out, but it is there: keep it
        if match.from_history:
            _forget(match)
            result.deleted += 1
        elif match.last_error != GONE:
            match.video_status, match.last_error = "error", GONE
            match.phase = match.derive_phase()
            match.save(update_fields=["video_status", "last_error", "phase", "updated_at"])
            upsert_session(match)
            result.deleted += 1


def _forget(match: Match) -> None:
    """A mirrored video deleted at the provider: the match goes, its library row is marked deleted."""
    with transaction.atomic():
        session_id = match.session_id
        match.delete()
        if session_id:
            Session.objects.filter(pk=session_id).update(
                status=Session.Status.DELETED, synced_at=timezone.now()
            )
