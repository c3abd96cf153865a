"""Typed results of the AiKYNETIX client."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class Activity(enum.StrEnum):
    """The upload path segment of each activity."""

    RUNNING = "running"
    JUMPING = "jumping"
    WEIGHTLIFTING = "weightlifting"


# The `activity` string sessions carry and the filter endpoint accepts.
ACTIVITY_LABELS = {
    Activity.RUNNING: "Running",
    Activity.JUMPING: "Vertical Jump",
    Activity.WEIGHTLIFTING: "Weightlifting",
}

JUMP_EXERCISES = ("Countermovement Jump", "Drop Jump")
WEIGHTLIFTING_EXERCISES = ("snatch", "clean", "clean_and_jerk")


class SessionStatus(enum.StrEnum):
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"


@dataclass(frozen=True)
class UploadResult:
    session_id: str
    title: str
    raw: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Session:
    """One session as the list/filter endpoints describe it; `raw` keeps the provider's object whole."""

    id: str
    activity: str
    title: str
    user_id: str | None
    user_name: str | None
    created_at: datetime | None
    video_url: str | None
    analyzed_video_url: str | None
    segments: int | None
    metrics: dict[str, Any]
    report_comments: dict[str, Any]
    exercise: str | None
    status: SessionStatus
    # Keys this client does not model (e.g. `user_status`, `calculated_metrics`), kept as sent.
    extra: dict[str, Any] = field(default_factory=dict, compare=False)
    raw: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class SessionPage:
    """One page of the filter endpoint; `query_count` counts all matches, not this page."""

    sessions: list[Session]
    query_count: int
    first_doc_id: str | None
    last_doc_id: str | None
