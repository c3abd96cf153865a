"""What a share link's public page shows, by kind: one session, one athlete's range, or one comparison.

`load` finds the object (None when it is gone: the page answers 410); `page` builds the template and its
context once the view was counted. Nothing here links into the portal: the recipient has no account.
"""

from __future__ import annotations

from django.http import QueryDict

from coachportal.athletes.models import Athlete
from coachportal.notes.models import Note
from coachportal.notes.services import noted_sessions, notes_by_session
from coachportal.sessions import compare as comparing
from coachportal.sessions import frame_rates, metrics, profile, summaries
from coachportal.sessions import services as library
from coachportal.sessions.models import Session

from .models import ShareLink

VIDEO_UNAVAILABLE = "The video cannot be loaded right now. Try again in a few minutes."


def load(link: ShareLink):
    """The object a live link shows, scoped to its organization; None when it no longer exists."""
    org = link.organization
    if link.kind == ShareLink.Kind.SESSION:
        sessions = Session.objects.for_org(org).visible().select_related("athlete")
        return sessions.filter(pk=link.object_id).first()
    if link.kind == ShareLink.Kind.ATHLETE:
        return Athlete.objects.filter(organization=org, pk=link.object_id).first()
    if link.kind == ShareLink.Kind.COMPARISON:
        return summaries.compared_sessions(org, link.object_ids)
    return None


def page(link: ShareLink, shown) -> tuple[str, dict]:
    if link.kind == ShareLink.Kind.ATHLETE:
        return "sharing/athlete.html", athlete_context(link, shown)
    if link.kind == ShareLink.Kind.COMPARISON:
        return "sharing/comparison.html", comparison_context(link, shown)
    return "sharing/page.html", session_context(link, shown)


def fresh_video(session: Session) -> str:
    """Renew an expiring provider video URL on the server; the recipient sees a plain message on failure."""
    if session.analyzed_video_needs_refresh():
        try:
            library.refresh_analyzed_video_url(session)
        except library.ProviderActionFailed:
            return VIDEO_UNAVAILABLE  # the organization's provider trouble is not the recipient's
    return ""


def session_context(link: ShareLink, session: Session) -> dict:
    video_error = fresh_video(session)
    notes = list(Note.objects.for_session(session).order_by("at_seconds", "id"))
    return {
        "s": session,
        "video_error": video_error,
        "metric_groups": metrics.metric_groups(session.activity, session.metrics),
        "notes": notes,
        "notes_data": [n.as_data() for n in notes],
    }


def athlete_context(link: ShareLink, athlete: Athlete) -> dict:
    org = link.organization
    date_range = summaries.fixed_range(QueryDict(link.query), profile.today())
    sections = summaries.athlete_summary(org, athlete, date_range)
    noted = noted_sessions(org, summaries.sessions_in_range(org, athlete, date_range))
    return {
        "athlete": athlete,
        "range": date_range,
        "sections": sections,
        "noted": [(s, profile.day_text(s.recorded_at), notes) for s, notes in noted],
    }


def comparison_context(link: ShareLink, sessions: list[Session]) -> dict:
    offsets = comparing.read_selection(QueryDict(link.query)).offsets
    offsets = [*offsets, *[0.0] * len(sessions)][: len(sessions)]
    by_session = notes_by_session(link.organization_id, [s.pk for s in sessions])
    videos = [
        {
            "s": session,
            "offset": offset,
            "fps": frame_rates.known_frame_rate(session),
            "error": fresh_video(session),
            "notes": by_session[session.pk],
        }
        for session, offset in zip(sessions, offsets, strict=True)
    ]
    rows = comparing.metric_rows(sessions[0].activity, sessions, mass_unit=link.organization.mass_unit)
    table = comparing.table_html(sessions, rows) if rows else ""
    return {"videos": videos, "rows": rows, "table_html": table, "speeds": ["0.25", "0.5", "1", "1.5", "2"]}
