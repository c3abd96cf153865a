"""The analysed video's real frame rate: the provider's where it states one, else probed once and stored."""

from __future__ import annotations

import logging

import requests
from django.utils import timezone

from coachportal.videofiles import probe

from .models import Session
from .timing import MAX_FPS, MIN_FPS, provider_frame_rate

log = logging.getLogger(__name__)


def known_frame_rate(session: Session) -> float | None:
    """The frame rate we know now: stated by the provider, or probed earlier."""
    return provider_frame_rate(session.raw, session.metrics) or session.frame_rate


def needs_probe(session: Session) -> bool:
    return (
        known_frame_rate(session) is None
        and session.frame_rate_checked_at is None
        and session.status == Session.Status.READY
        and bool(session.analyzed_video_url)
    )


def claim_probe(session: Session) -> bool:
    """Mark the session as being probed; True for the one caller that gets to queue the probe."""
    if not needs_probe(session):
        return False
    now = timezone.now()
    claimed = Session.objects.filter(pk=session.pk, frame_rate_checked_at__isnull=True).update(
        frame_rate_checked_at=now
    )
    if claimed:
        session.frame_rate_checked_at = now
    return bool(claimed)


def probe_and_store(session_id: int) -> str:
    """Read the analysed video's header over HTTP and store its frame rate; return the outcome."""
    session = Session.objects.filter(pk=session_id).only("id", "analyzed_video_url", "frame_rate").first()
    if session is None or not session.analyzed_video_url:
        return "gone"
    try:
        facts = probe.probe_url(session.analyzed_video_url)
    except requests.RequestException as exc:
        # Unreachable or refused (an expired link, a provider hiccup): let the next page view try again.
        log.info("Could not probe the analysed video of session %s: %s", session_id, exc)
        Session.objects.filter(pk=session_id).update(frame_rate_checked_at=None)
        return "unreachable"
    if facts.fps is None or not MIN_FPS <= facts.fps <= MAX_FPS:
        return "unreadable"  # checked: a file that is not a usable video is not read again
    Session.objects.filter(pk=session_id).update(frame_rate=facts.fps, frame_rate_checked_at=timezone.now())
    return "stored"
