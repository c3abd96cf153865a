"""Turn the provider's JSON into typed results; tolerant where the sources disagree."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from .models import (
    ClientUser,
    OrganizationStatus,
    Session,
    SessionPage,
    SessionStatus,
    UploadResult,
    UserPage,
)

# Keys the Session dataclass models; everything else lands in Session.extra.
KNOWN_SESSION_KEYS = frozenset(
    {
        "created_at",
        "video_url",
        "analyzed_video_url",
        "segments",
        "activity",
        "title",
        "user_id",
        "user_name",
        "report_comments",
        "metrics",
        "exercise",
    }
)

# No processing-state field is documented (DESIGN 9); these are the names the sandbox and the
# reference use or suggest, checked in order.
STATE_KEYS = ("processing_state", "processing_status", "status", "state")
_FAILED_WORDS = ("fail", "error", "abort", "reject")

_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")  # lists say DD/MM/YYYY; the jump detail says YYYY-MM-DD
_TIME_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?\s*$")


class MalformedResponse(ValueError):
    """The body is not the documented JSON shape."""


def parse_created_at(value: Any) -> datetime | None:
    """Parse `{date: DD/MM/YYYY, time: "HH:MM AM/PM"}` (or an ISO-ish string) into an aware UTC datetime."""
    if isinstance(value, Mapping):
        date_text, time_text = value.get("date"), value.get("time") or "12:00 AM"
        if not isinstance(date_text, str) or not isinstance(time_text, str):
            return None
        day = _parse_date(date_text)
        clock = _parse_time(time_text)
        if day is None or clock is None:
            return None
        return day.replace(hour=clock[0], minute=clock[1], second=clock[2], tzinfo=UTC)
    if isinstance(value, str):
        text = value.strip().replace("Z", "+00:00")
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            return None
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    return None


def _parse_date(text: str) -> datetime | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
    return None


def _parse_time(text: str) -> tuple[int, int, int] | None:
    match = _TIME_RE.match(text)
    if not match:
        return None
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    meridiem = (match[4] or "").upper()
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        # 12:xx AM is just after midnight and 12:xx PM just after noon.
        hour = hour % 12 + (12 if meridiem == "PM" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return hour, minute, second


def format_filter_date(value: Any) -> str:
    """Format a date for the filter endpoint (`dd/mm/yyyy`); strings pass through unchanged."""
    return value if isinstance(value, str) else value.strftime("%d/%m/%Y")


def format_update_timestamp(value: Any) -> str:
    """Format a timestamp for the update endpoint (`YYYY-MM-DD HH:MM:SS`, UTC when aware)."""
    if isinstance(value, str):
        return value
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%d %H:%M:%S")


def derive_status(doc: Mapping[str, Any]) -> SessionStatus:
    """Failed if a state field says so, ready once an analysed video or metrics appear (DESIGN 9)."""
    for key in STATE_KEYS:
        value = doc.get(key)
        if isinstance(value, str) and any(word in value.lower() for word in _FAILED_WORDS):
            return SessionStatus.FAILED
    video = doc.get("analyzed_video_url")
    if (isinstance(video, str) and video.strip()) or doc.get("metrics"):
        return SessionStatus.READY
    return SessionStatus.PROCESSING


def parse_session(session_id: str, doc: Any) -> Session:
    """Build a Session from one entry of a `sessions` object."""
    if not isinstance(doc, Mapping):
        raise MalformedResponse(f"session {session_id!r} is not an object")
    segments = doc.get("segments")
    return Session(
        id=str(session_id),
        activity=_text(doc.get("activity")) or "",
        title=_text(doc.get("title")) or "",
        user_id=_text(doc.get("user_id")),
        user_name=_text(doc.get("user_name")),
        created_at=parse_created_at(doc.get("created_at")),
        video_url=_text(doc.get("video_url")) or None,
        analyzed_video_url=_text(doc.get("analyzed_video_url")) or None,
        segments=segments if isinstance(segments, int) and not isinstance(segments, bool) else None,
        metrics=_mapping(doc.get("metrics")),
        report_comments=_mapping(doc.get("report_comments")),
        exercise=_text(doc.get("exercise")),
        status=derive_status(doc),
        extra={k: v for k, v in doc.items() if k not in KNOWN_SESSION_KEYS},
        raw=dict(doc),
    )


def parse_sessions(body: Any) -> list[Session]:
    """Parse `{"sessions": {id: {...}}}` (a list of objects with `session_id`/`id` is accepted too)."""
    if not isinstance(body, Mapping) or "sessions" not in body:
        raise MalformedResponse("expected an object with a 'sessions' key")
    sessions = body["sessions"]
    if isinstance(sessions, Mapping):
        return [parse_session(key, doc) for key, doc in sessions.items()]
    if isinstance(sessions, list):
        result = []
        for doc in sessions:
            key = (doc.get("session_id") or doc.get("id")) if isinstance(doc, Mapping) else None
            if not key:
                raise MalformedResponse("a session in the list has no id")
            result.append(parse_session(key, doc))
        return result
    raise MalformedResponse("'sessions' is neither an object nor a list")


def parse_page(body: Any) -> SessionPage:
    """Parse a filter-endpoint page."""
    sessions = parse_sessions(body)
    count = body.get("query_count")
    return SessionPage(
        sessions=sessions,
        query_count=count if isinstance(count, int) and not isinstance(count, bool) else len(sessions),
        first_doc_id=_text(body.get("first_doc_id")) or None,
        last_doc_id=_text(body.get("last_doc_id")) or None,
    )


def parse_upload(body: Any) -> UploadResult:
    if not isinstance(body, Mapping) or not _text(body.get("session_id")):
        raise MalformedResponse("expected an object with a 'session_id'")
    return UploadResult(
        session_id=str(body["session_id"]), title=_text(body.get("title")) or "", raw=dict(body)
    )


def parse_video_url(body: Any) -> str:
    url = body.get("analyzed_video_url") if isinstance(body, Mapping) else None
    if not isinstance(url, str) or not url:
        raise MalformedResponse("expected an object with an 'analyzed_video_url'")
    return url


def parse_success_message(body: Any) -> str:
    if not isinstance(body, Mapping):
        raise MalformedResponse("expected a JSON object")
    message = body.get("success") or body.get("message")
    return message if isinstance(message, str) else ""


def error_message(body: Any, text: str = "") -> str:
    """The provider's message: `error`, then DRF's `detail`, then `message`, then the raw text."""
    if isinstance(body, Mapping):
        for key in ("error", "detail", "message"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
    snippet = " ".join(text.split())[:200]
    return snippet or "no error message"


# Wire name -> ClientUser attribute, for the fields the user-management endpoints document.
USER_FIELDS = {
    "user_uid": "user_uid",
    "email": "email",
    "display_name": "display_name",
    "phone": "phone",
    "height": "height",
    "weight": "weight",
    "leg_length": "leg_length",
    "ycom": "ycom",
    "gender": "gender",
    "age": "age",
    "shoeSize": "shoe_size",
    "brand": "brand",
    "shoeModel": "shoe_model",
    "created_at": "created_at",
}
_NUMBER_FIELDS = frozenset({"height", "weight", "leg_length", "ycom"})


def parse_user(doc: Any) -> ClientUser:
    """Build a ClientUser; numbers sent as strings and strings sent as numbers are both accepted."""
    if not isinstance(doc, Mapping):
        raise MalformedResponse("a user is not an object")
    uid = _scalar_text(doc.get("user_uid"))
    if not uid:
        raise MalformedResponse("a user has no 'user_uid'")
    values: dict[str, Any] = {}
    for wire, name in USER_FIELDS.items():
        value = doc.get(wire)
        if name == "created_at":
            values[name] = parse_created_at(value)
        elif name in _NUMBER_FIELDS:
            values[name] = _number(value)
        else:
            values[name] = _scalar_text(value) or None
    return ClientUser(
        **values,
        extra={k: v for k, v in doc.items() if k not in USER_FIELDS},
        raw=dict(doc),
    )


def parse_users(body: Any) -> list[ClientUser]:
    """Parse `{"users": [...]}` (an object keyed by uid is accepted too, as sessions come)."""
    if not isinstance(body, Mapping) or "users" not in body:
        raise MalformedResponse("expected an object with a 'users' key")
    users = body["users"]
    if isinstance(users, list):
        return [parse_user(doc) for doc in users]
    if isinstance(users, Mapping):
        return [
            parse_user({"user_uid": key, **doc} if isinstance(doc, Mapping) else doc)
            for key, doc in users.items()
        ]
    if users is None:
        return []
    raise MalformedResponse("'users' is neither a list nor an object")


def parse_user_page(body: Any) -> UserPage:
    users = parse_users(body)
    count = body.get("query_count")
    return UserPage(
        users=users,
        query_count=_integer(count),
        first_uid=_scalar_text(body.get("first_uid")) or None,
        last_uid=_scalar_text(body.get("last_uid")) or None,
    )


def parse_created_user(body: Any) -> ClientUser:
    """Parse the create answer `{"userData": {user_uid, email, display_name, phone}}`."""
    data = body.get("userData") if isinstance(body, Mapping) else None
    if not isinstance(data, Mapping):
        raise MalformedResponse("expected an object with a 'userData' object")
    return parse_user(data)


def parse_organization_status(body: Any) -> OrganizationStatus:
    if not isinstance(body, Mapping):
        raise MalformedResponse("expected a JSON object")
    activities = body.get("activity")
    if isinstance(activities, str):
        activities = [activities]
    return OrganizationStatus(
        uid=_scalar_text(body.get("uid")) or None,
        role=_scalar_text(body.get("role")) or None,
        plan=_scalar_text(body.get("payment_type")) or None,
        activities=[str(a) for a in activities if _scalar_text(a)] if isinstance(activities, list) else [],
        session_number=_integer(body.get("session_number")),
        company_name=_scalar_text(body.get("companyName")) or None,
        name=_scalar_text(body.get("name")) or None,
        raw=dict(body),
    )


def format_number(value: Any) -> float | int:
    """A documented number field for a request body: ints stay ints, numeric strings become numbers."""
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {value!r}")
    if isinstance(value, int):
        return value
    number = float(value if isinstance(value, float) else str(value).strip())  # Decimal, "1.80": ok
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"expected a finite number, got {value!r}")
    return number


def format_text(value: Any) -> str:
    """A documented string field (`age`, `shoeSize`): 30 -> "30", 8.5 -> "8.5", 42.0 -> "42"."""
    if isinstance(value, bool):
        raise ValueError(f"expected text or a number, got {value!r}")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _scalar_text(value: Any) -> str | None:
    """Text of a string or a number (an id or an age sent as a number); None for objects and lists."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return None


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            number = float(value.strip().replace(",", "."))
        except ValueError:
            return None
        return number if number == number and abs(number) != float("inf") else None
    return None


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def _mapping(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}
