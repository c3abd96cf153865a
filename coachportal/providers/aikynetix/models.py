"""Typed results of the AiKYNETIX client."""

from __future__ import annotations

import enum
import re
import unicodedata
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
# Sessions of the newer "Mobility Assessment" activity (reference section 2) carry this code; the portal
# uploads no such video (its upload path is not documented).
MOBILITY = "mobility"
# Every way a session's `activity` string names an activity (the docs and the sandbox differ in spaces).
_ACTIVITY_CODES = {
    "running": Activity.RUNNING.value,
    "vertical jump": Activity.JUMPING.value,
    "verticaljump": Activity.JUMPING.value,
    "jumping": Activity.JUMPING.value,
    "weightlifting": Activity.WEIGHTLIFTING.value,
    "mobility assessment": MOBILITY,
    "mobility": MOBILITY,
}


def activity_code(label: str | None) -> str:
    """A session's activity as a short code: "Vertical Jump" -> "jumping".

    An activity this client does not know yet is kept as a slug of its label ("Sprint Drills" ->
    "sprint-drills", at most 30 characters) rather than dropped; "other" when there is no label.
    """
    text = (label or "").strip().lower()
    if text in _ACTIVITY_CODES:
        return _ACTIVITY_CODES[text]
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[-\s]+", "-", re.sub(r"[^\w\s-]", "", ascii_text)).strip("-_")
    return slug[:30] or "other"


JUMP_EXERCISES = ("Countermovement Jump", "Drop Jump")
WEIGHTLIFTING_EXERCISES = ("snatch", "clean", "clean_and_jerk")


@dataclass(frozen=True)
class UploadRequest:
    """One video upload: the activity and the fields its upload endpoint documents (reference 5.1-5.3).

    `user_id` sends it to that client of the key's admin (the management endpoint); None uploads to the
    key owner's own account. Numbers are sent as typed, so they are strings here ("2.5", "99.8").
    """

    activity: Activity
    session_name: str
    user_id: str | None = None
    incline_degree: str | None = None  # running and jumping
    exercise: str | None = None  # jumping: JUMP_EXERCISES; weightlifting: WEIGHTLIFTING_EXERCISES
    barbell_mass_kg: str | None = None  # weightlifting
    filename: str | None = None

    def fields(self) -> dict[str, str]:
        """The multipart fields besides the video, named as the upload endpoints name them."""
        fields = {"session_name": self.session_name}
        if self.user_id is not None:
            fields["user_id"] = self.user_id
        if self.activity in (Activity.RUNNING, Activity.JUMPING) and self.incline_degree is not None:
            fields["incline_degree"] = self.incline_degree
        if self.activity == Activity.JUMPING:
            fields["exercise"] = self.exercise or JUMP_EXERCISES[0]
        if self.activity == Activity.WEIGHTLIFTING:
            fields["exercise_name"] = self.exercise or ""
            if self.barbell_mass_kg is not None:
                fields["barbell_mass"] = self.barbell_mass_kg
        return fields


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


@dataclass(frozen=True)
class ClientUser:
    """One client (athlete) of the key's admin, from the user-management endpoints (reference 12.1).

    `age` and `shoe_size` stay strings, as the provider sends them; the body measures are floats.
    """

    user_uid: str
    email: str | None = None
    display_name: str | None = None
    phone: str | None = None
    height: float | None = None
    weight: float | None = None
    leg_length: float | None = None
    ycom: float | None = None
    gender: str | None = None
    age: str | None = None
    shoe_size: str | None = None  # wire: shoeSize
    brand: str | None = None
    shoe_model: str | None = None  # wire: shoeModel
    created_at: datetime | None = None  # aware UTC
    # Keys this client does not model (e.g. the live docs' `notes`), kept as sent.
    extra: dict[str, Any] = field(default_factory=dict, compare=False)
    raw: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass
class UserPage:
    """One page of GET /user-management/users/filter/; `query_count` counts all the admin's clients."""

    users: list[ClientUser]
    query_count: int | None
    first_uid: str | None
    last_uid: str | None


@dataclass
class OrganizationStatus:
    """GET /user-management/organization-status/: who the key belongs to and what the plan covers."""

    uid: str | None  # the key owner's own uid: never one of its clients
    role: str | None  # "admin" | "sub_admin"
    plan: str | None  # wire: payment_type
    activities: list[str]  # wire: activity, e.g. ["Running", "Weightlifting", "VerticalJump"]
    session_number: int | None
    company_name: str | None  # wire: companyName
    name: str | None
    raw: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def is_admin(self) -> bool:
        return (self.role or "").strip().lower() == "admin"
