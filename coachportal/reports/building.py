"""What the athlete and comparison PDFs hold, read from the library's builders (sessions/summaries.py), and
whether one is quick enough to stream or goes to the worker (many sessions, or video frames to grab)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from coachportal.notes.models import Note
from coachportal.notes.services import noted_sessions, notes_by_session
from coachportal.sessions import compare as comparing
from coachportal.sessions import profile, summaries
from coachportal.sessions import services as library
from coachportal.sessions.models import Session

from .frames import frames_at

# A report of more sessions than this (their charts and tables) is written by the worker.
STREAM_MAX_SESSIONS = 400


@dataclass
class NotedSession:
    session: Session
    heading: str  # "12 Mar 2026 - Tempo run"
    notes: list[Note]
    frames: dict = field(default_factory=dict)  # {note time: PIL image}

    @property
    def drawn(self) -> list[float]:
        return [n.at_seconds for n in self.notes if n.shapes]


@dataclass
class AthleteReport:
    organization: str
    athlete: str
    range_text: str
    made: str
    sections: list[summaries.ActivitySummary]
    noted: list[NotedSession]
    link: str

    @property
    def steps(self) -> int:
        return sum(s.count for s in self.sections)


@dataclass
class ComparisonReport:
    organization: str
    sessions: list[dict]  # title, athlete, date, offset
    rows: list[comparing.Row]
    noted: list[NotedSession]
    made: str
    link: str

    @property
    def steps(self) -> int:
        return len(self.sessions)


def _made() -> str:
    return timezone.localtime().strftime("%d %b %Y %H:%M")


def _noted(pairs) -> list[NotedSession]:
    return [
        NotedSession(s, f"{profile.day_text(s.recorded_at)} - {s.title or 'Session'}", n) for s, n in pairs
    ]


def athlete_report(org, athlete, query, *, link: str) -> AthleteReport:
    """The athlete's key metrics, charts and notes over the range in `query` (fixed to its dates)."""
    date_range = summaries.fixed_range(query, profile.today())
    sections = summaries.athlete_summary(org, athlete, date_range)
    noted = noted_sessions(org, summaries.sessions_in_range(org, athlete, date_range))
    return AthleteReport(
        organization=org.name, athlete=athlete.name, range_text=date_range.text, made=_made(),
        sections=sections, noted=_noted(noted), link=link,
    )  # fmt: skip


def comparison_report(org, sessions: list[Session], offsets: list[float], *, link: str) -> ComparisonReport:
    """The compared sessions, their key metrics with differences against the first, and their notes."""
    rows = comparing.metric_rows(sessions[0].activity, sessions, mass_unit=org.mass_unit)
    shown = [
        {
            "title": s.title or "(untitled)",
            "athlete": s.athlete_display,
            "date": profile.day_text(s.recorded_at),
            "activity": s.activity_label,
            "offset": offset,
        }
        for s, offset in zip(sessions, offsets, strict=True)
    ]
    by_session = notes_by_session(org.pk, [s.pk for s in sessions])
    noted = _noted((s, by_session[s.pk]) for s in sessions if by_session[s.pk])
    return ComparisonReport(
        organization=org.name, sessions=shown, rows=rows, noted=noted, made=_made(), link=link
    )


def needs_worker(report: AthleteReport | ComparisonReport) -> bool:
    """Too slow for a request: frames to grab for drawings, or more sessions than STREAM_MAX_SESSIONS."""
    frames = any(n.drawn and n.session.analyzed_video_url for n in report.noted)
    return frames or report.steps > STREAM_MAX_SESSIONS


def grab_frames(report: AthleteReport | ComparisonReport, progress=None) -> None:
    """Fetch the video frames the drawings are made on (a fresh provider URL first); best effort."""
    for number, noted in enumerate(report.noted, start=1):
        if noted.drawn and noted.session.analyzed_video_url:
            try:
                library.refresh_analyzed_video_url(noted.session)
            except library.ProviderActionFailed:
                continue  # the drawings come on plain panels
            noted.frames = frames_at(noted.session.analyzed_video_url, noted.drawn)
        if progress:
            progress(number)
