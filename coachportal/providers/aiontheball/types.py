"""Typed results of the AI on the Ball API; each keeps the raw dict and any keys it does not know.

Reference: https://docs.aiontheball.nl/versions/v1/
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, Self

from .errors import UnexpectedResponse

# Video statuses. "created" appears only in the Quick Start's create example; read it as "init".
VIDEO_PENDING = frozenset({"created", "init", "downloading", "locally_available"})
VIDEO_READY = "available"
VIDEO_FAILED = frozenset({"error", "no_match_detected"})

ANALYSIS_PENDING = frozenset({"init", "waiting_for_video", "running", "aggregating"})
ANALYSIS_DONE = "done"
ANALYSIS_FAILED = frozenset({"error"})

TEAM_IDS = ("team_0", "team_1")


def _require_dict(data: Any, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise UnexpectedResponse(f"Expected a JSON object for {what}, got {type(data).__name__}.", body=data)
    return data


def _object(data: dict[str, Any], key: str) -> dict[str, Any]:
    """The JSON object under `key`, or an empty one where it is absent or not an object."""
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _extra(data: dict[str, Any], known: frozenset[str]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key not in known}


@functools.cache
def _own_keys(cls: type) -> frozenset[str]:
    """The wire keys a result reads under its fields' own names (all its fields but extra and raw)."""
    return frozenset(f.name for f in fields(cls)) - {"extra", "raw"}


def _int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return int(value)
    try:
        return int(value)
    except (TypeError, ValueError):
        try:
            return int(float(value))
        except (TypeError, ValueError):
            return None


def _float(value: Any) -> float | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _str(value: Any) -> str:
    return "" if value is None else str(value)


def parse_datetime(value: Any) -> dt.datetime | None:
    """Read an ISO-8601 timestamp ("Z" or an offset); naive values are taken as UTC."""
    if not value or not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def parse_date(value: Any) -> dt.date | None:
    if not value or not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _require_id(data: dict[str, Any], what: str) -> int:
    value = _int(data.get("id"))
    if value is None:
        raise UnexpectedResponse(f"{what} without an id.", body=data)
    return value


class _Status:
    """What a video's or an analysis's status says: one status is success, a set of them failure."""

    status: str
    SUCCEEDED: ClassVar[str]
    FAILED: ClassVar[frozenset[str]]

    @property
    def has_succeeded(self) -> bool:
        return self.status == self.SUCCEEDED

    @property
    def is_failed(self) -> bool:
        return self.status in self.FAILED

    @property
    def is_settled(self) -> bool:
        """Succeeded or failed: nothing more will happen by itself (an unknown status is still pending)."""
        return self.has_succeeded or self.is_failed


@dataclass(frozen=True)
class AnalysisRef:
    """An analysis as embedded in a video: id and status."""

    id: int
    status: str
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Any) -> AnalysisRef:
        data = _require_dict(data, "an embedded analysis")
        return cls(id=_require_id(data, "Analysis"), status=_str(data.get("status")), raw=data)


@dataclass(frozen=True)
class Video(_Status):
    """A registered match video."""

    id: int
    status: str
    game_name: str
    title: str
    created_at: dt.datetime | None
    home_team_name: str
    away_team_name: str
    duration: int | None
    date: dt.date | None
    mp4_source: str
    analyses: list[AnalysisRef]
    extra: dict[str, Any] = field(repr=False)
    raw: dict[str, Any] = field(repr=False, compare=False)

    SUCCEEDED, FAILED = VIDEO_READY, VIDEO_FAILED

    @classmethod
    def from_json(cls, data: Any) -> Video:
        data = _require_dict(data, "a video")
        analyses = data.get("analyses") or []
        return cls(
            id=_require_id(data, "Video"),
            status=_str(data.get("status")),
            game_name=_str(data.get("game_name")),
            title=_str(data.get("title")),
            created_at=parse_datetime(data.get("created_at")),
            home_team_name=_str(data.get("home_team_name")),
            away_team_name=_str(data.get("away_team_name")),
            duration=_int(data.get("duration")),
            date=parse_date(data.get("date")),
            mp4_source=_str(data.get("mp4_source")),
            analyses=[AnalysisRef.from_json(item) for item in analyses if isinstance(item, dict)],
            extra=_extra(data, _own_keys(cls)),
            raw=data,
        )

    is_ready = _Status.has_succeeded

    @property
    def is_pending(self) -> bool:
        """True while the provider is still fetching or preparing the video (unknown statuses count)."""
        return not self.is_settled


@dataclass(frozen=True)
class VideoPage:
    """One page of GET /videos with whatever paging information the provider sent."""

    videos: list[Video]
    current_page: int | None
    last_page: int | None
    per_page: int | None
    total: int | None
    next_url: str | None
    links: dict[str, Any] = field(repr=False)
    meta: dict[str, Any] = field(repr=False)
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Any) -> VideoPage:
        # A bare array is accepted too: the docs elide the paging keys, so they may be absent.
        if isinstance(data, list):
            data = {"data": data}
        data = _require_dict(data, "a list of videos")
        items = data.get("data")
        if not isinstance(items, list):
            raise UnexpectedResponse("The video list has no 'data' array.", body=data)
        links = _object(data, "links")
        meta = _object(data, "meta")
        next_url = links.get("next")
        return cls(
            videos=[Video.from_json(item) for item in items],
            current_page=_int(meta.get("current_page")),
            last_page=_int(meta.get("last_page")),
            per_page=_int(meta.get("per_page")),
            total=_int(meta.get("total")),
            next_url=next_url if isinstance(next_url, str) and next_url else None,
            links=links,
            meta=meta,
            raw=data,
        )

    @property
    def has_next(self) -> bool:
        if self.next_url:
            return True
        return bool(self.current_page and self.last_page and self.current_page < self.last_page)


@dataclass(frozen=True)
class Analysis(_Status):
    """An analysis of one video and its progress."""

    id: int
    video_id: int | None
    status: str
    algorithm_version: str
    parameters: dict[str, Any]
    created_at: dt.datetime | None
    results_available: bool
    progress: float | None
    video: dict[str, Any]
    extra: dict[str, Any] = field(repr=False)
    raw: dict[str, Any] = field(repr=False, compare=False)

    SUCCEEDED, FAILED = ANALYSIS_DONE, ANALYSIS_FAILED

    @classmethod
    def from_json(cls, data: Any) -> Analysis:
        data = _require_dict(data, "an analysis")
        video = _object(data, "video")
        video_id = _int(data.get("video_id"))
        if video_id is None:
            video_id = _int(video.get("id"))
        parameters = _object(data, "parameters")
        status = _str(data.get("status"))
        results = data.get("results_available")
        return cls(
            id=_require_id(data, "Analysis"),
            video_id=video_id,
            status=status,
            algorithm_version=_str(data.get("algorithm_version")),
            parameters=parameters,
            created_at=parse_datetime(data.get("created_at")),
            # Absent in some examples: fall back to the status.
            results_available=bool(results) if results is not None else status == ANALYSIS_DONE,
            progress=_float(data.get("progress")),
            video=video,
            extra=_extra(data, _own_keys(cls)),
            raw=data,
        )

    is_done = _Status.has_succeeded
    is_finished = _Status.is_settled


@dataclass(frozen=True)
class PlayerFigures:
    """One player's figures from the summary."""

    player_id: str
    team_id: str
    jersey_number: int | str | None
    name: str
    total_distance_m: float | None
    avg_speed_kmh: float | None
    max_speed_kmh: float | None
    tracking_duration_sec: float | None
    distance_by_speed_bucket: dict[str, float]
    passes: int | None
    drives: int | None
    shots: int | None
    stats: dict[str, Any] = field(repr=False)
    extra: dict[str, Any] = field(repr=False)
    raw: dict[str, Any] = field(repr=False, compare=False)

    KNOWN = frozenset({"player_id", "team_id", "jersey_number", "name", "stats"})

    @classmethod
    def from_json(cls, data: Any) -> PlayerFigures:
        data = _require_dict(data, "a summary player")
        stats = _object(data, "stats")
        actions = _object(stats, "ball_actions")
        buckets = stats.get("distance_by_speed_bucket")
        jersey = data.get("jersey_number")
        # Jerseys are numbers, or "GK" for a goalkeeper whose number was unreadable.
        jersey_number = _int(jersey) if _int(jersey) is not None else (str(jersey) if jersey else None)
        return cls(
            player_id=_str(data.get("player_id")),
            team_id=_str(data.get("team_id")),
            jersey_number=jersey_number,
            name=_str(data.get("name")),
            total_distance_m=_float(stats.get("total_distance_m")),
            avg_speed_kmh=_float(stats.get("avg_speed_kmh")),
            max_speed_kmh=_float(stats.get("max_speed_kmh")),
            tracking_duration_sec=_float(stats.get("tracking_duration_sec")),
            distance_by_speed_bucket={
                key: value
                for key, value in ((k, _float(v)) for k, v in (buckets or {}).items())
                if value is not None
            }
            if isinstance(buckets, dict)
            else {},
            passes=_int(actions.get("passes")),
            drives=_int(actions.get("drives")),
            shots=_int(actions.get("shots")),
            stats=stats,
            extra=_extra(data, cls.KNOWN),
            raw=data,
        )


@dataclass(frozen=True)
class TeamFigures:
    """One team's figures: possession from the summary, totals added up from its players."""

    team_id: str
    name: str
    possession_seconds: float | None
    possession_pct: float | None
    players: int
    passes: int
    drives: int
    shots: int
    total_distance_m: float


@dataclass(frozen=True)
class Summary:
    """The aggregated match summary of an analysis."""

    game_id: str
    game_date: dt.date | None
    version: str
    generated_at: dt.datetime | None
    video_length_sec: float | None
    teams: list[TeamFigures]
    players: list[PlayerFigures]
    unknown_possession_seconds: float | None
    unknown_possession_pct: float | None
    possession_per_minute: list[dict[str, Any]]
    match_stats: dict[str, Any] = field(repr=False)
    metadata: dict[str, Any] = field(repr=False)
    extra: dict[str, Any] = field(repr=False)
    raw: dict[str, Any] = field(repr=False, compare=False)

    KNOWN = frozenset({"metadata", "teams", "match_stats", "possession", "players", "possession_per_minute"})

    @classmethod
    def from_json(cls, data: Any) -> Summary:
        # The summary is documented without a {"data": ...} wrapper; accept one anyway.
        if isinstance(data, dict) and set(data) == {"data"} and isinstance(data["data"], dict):
            data = data["data"]
        data = _require_dict(data, "a summary")
        metadata = _object(data, "metadata")
        team_names = _object(data, "teams")
        possession = _object(data, "possession")
        shares = _object(possession, "summary")
        # The Possession concept page calls it "possession_per_minute"; the summary example nests it.
        per_minute = possession.get("per_minute", data.get("possession_per_minute")) or []
        players = [
            PlayerFigures.from_json(item) for item in data.get("players") or [] if isinstance(item, dict)
        ]
        teams = []
        for team_id in TEAM_IDS:
            share = _object(shares, team_id)
            own = [player for player in players if player.team_id == team_id]
            teams.append(
                TeamFigures(
                    team_id=team_id,
                    name=_str(team_names.get(f"{team_id}_name")),
                    possession_seconds=_float(share.get("seconds")),
                    possession_pct=_float(share.get("pct")),
                    players=len(own),
                    passes=sum(player.passes or 0 for player in own),
                    drives=sum(player.drives or 0 for player in own),
                    shots=sum(player.shots or 0 for player in own),
                    total_distance_m=round(sum(player.total_distance_m or 0.0 for player in own), 1),
                )
            )
        unknown = _object(shares, "unknown")
        return cls(
            game_id=_str(metadata.get("game_id")),
            game_date=parse_date(metadata.get("game_date")),
            version=_str(metadata.get("version")),
            generated_at=parse_datetime(metadata.get("generated_at")),
            video_length_sec=_float(metadata.get("video_length_sec")),
            teams=teams,
            players=players,
            unknown_possession_seconds=_float(unknown.get("seconds")),
            unknown_possession_pct=_float(unknown.get("pct")),
            possession_per_minute=[item for item in per_minute if isinstance(item, dict)],
            match_stats=_object(data, "match_stats"),
            metadata=metadata,
            extra=_extra(data, cls.KNOWN),
            raw=data,
        )

    def team(self, team_id: str) -> TeamFigures | None:
        return next((team for team in self.teams if team.team_id == team_id), None)

    def players_of(self, team_id: str) -> list[PlayerFigures]:
        return [player for player in self.players if player.team_id == team_id]


def _bare_list(data: Any, what: str) -> list[Any]:
    # Results are documented as bare arrays; accept a {"data": [...]} wrapper as well.
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        data = data["data"]
    if not isinstance(data, list):
        raise UnexpectedResponse(f"Expected a JSON array of {what}.", body=data)
    return data


@dataclass(frozen=True)
class _Span:
    """A stretch of the video in float seconds from its start, as /events and /query-intervals list them.

    The two endpoints name the span's kind differently (`event_type`, `type`; reference section 6): each
    subclass declares its own field for it, named as its endpoint names it, and reads the other name too.
    """

    start: float
    end: float
    label: str
    extra: dict[str, Any] = field(repr=False)
    raw: dict[str, Any] = field(repr=False, compare=False)

    KIND_KEYS: ClassVar[tuple[str, str]]  # this endpoint's key for the kind (the field's name), the other's
    NO_END_IS_INSTANT: ClassVar[bool]  # whether a span without an end is an instant (else malformed)

    @classmethod
    def from_json(cls, data: Any) -> Self:
        data = _require_dict(data, f"an {cls.__name__.lower()}")
        start, end = _float(data.get("start")), _float(data.get("end"))
        if end is None and cls.NO_END_IS_INSTANT:
            end = start
        if start is None or end is None:
            missing = "a start time" if cls.NO_END_IS_INSTANT else "start or end"
            raise UnexpectedResponse(f"{cls.__name__} without {missing}.", body=data)
        own, other = cls.KIND_KEYS
        known = frozenset({"start", "end", "label", own, other})
        kind = {own: _str(data.get(own, data.get(other)))}
        return cls(
            start=start, end=end, label=_str(data.get("label")), extra=_extra(data, known), raw=data, **kind
        )

    @classmethod
    def list_from_json(cls, data: Any) -> list[Self]:
        return [cls.from_json(item) for item in _bare_list(data, f"{cls.__name__.lower()}s")]

    @property
    def seconds(self) -> float:
        """The moment to seek the video to."""
        return self.start

    @property
    def duration(self) -> float:
        return max(0.0, self.end - self.start)


@dataclass(frozen=True)
class Event(_Span):
    """One detected event; `start` is seconds from the start of the video, ready for seeking."""

    event_type: str

    KIND_KEYS = ("event_type", "type")
    NO_END_IS_INSTANT = True

    @property
    def is_instant(self) -> bool:
        return self.end == self.start


@dataclass(frozen=True)
class Interval(_Span):
    """One interval answered by the query engine (seconds from the start of the video)."""

    type: str

    KIND_KEYS = ("type", "event_type")
    NO_END_IS_INSTANT = False


@dataclass(frozen=True)
class Schema:
    """What one analysis supports: data version, event types with properties, filters, frame state."""

    data_version: int | None
    engine_version: str
    event_types: dict[str, Any]
    filters: list[dict[str, Any]]
    frame_state: dict[str, Any]
    extra: dict[str, Any] = field(repr=False)
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Any) -> Schema:
        if isinstance(data, dict) and set(data) == {"data"} and isinstance(data["data"], dict):
            data = data["data"]
        data = _require_dict(data, "a schema")
        filters = data.get("filters") if isinstance(data.get("filters"), list) else []
        return cls(
            data_version=_int(data.get("data_version")),
            engine_version=_str(data.get("engine_version")),
            event_types=_object(data, "event_types"),
            filters=[item for item in filters if isinstance(item, dict)],
            frame_state=_object(data, "frame_state"),
            extra=_extra(data, _own_keys(cls)),
            raw=data,
        )

    @property
    def filter_types(self) -> list[str]:
        return [_str(item.get("type")) for item in self.filters]

    def supports_filter(self, filter_type: str) -> bool:
        return filter_type in self.filter_types

    @property
    def has_frame_state(self) -> bool:
        return bool(self.frame_state.get("available"))


@dataclass(frozen=True)
class WebhookEvent:
    """A webhook notification: analysis progress or completion."""

    event: str
    analysis_id: str
    status: str
    completion_rate: int
    raw: dict[str, Any] = field(repr=False, compare=False)

    @property
    def analysis_number(self) -> int | None:
        """The analysis id as the REST API's integer, when it is one (the docs also show UUIDs)."""
        return int(self.analysis_id) if self.analysis_id.isdigit() else None

    @property
    def is_final(self) -> bool:
        return self.event == "analysis_done"
