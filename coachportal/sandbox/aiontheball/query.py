"""The query engine behind POST /analyses/{id}/query-intervals, over the generated match.

Filters that need tracking (ball_location, player_ball_proximity, frame_state) run over the
synthetic signals in matchdata, sampled once per second.
"""

from __future__ import annotations

from typing import Any

from . import matchdata
from .matchdata import Match

TEAMS = ("team_0", "team_1")
PERIODS = ("first_half", "second_half", "full_game")
BALL_ACTIONS = ("pass", "drive", "shot")
Interval = tuple[float, float, str, str]  # start, end, label, type


class QueryError(ValueError):
    """The query is invalid; `field` names the offending request field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def _list_of_str(
    spec: dict[str, Any], key: str, where: str, *, allowed=None, required=False
) -> list[str] | None:
    value = spec.get(key)
    if value is None:
        if required:
            raise QueryError(f"{where}.{key}", f"The {key} field is required.")
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise QueryError(f"{where}.{key}", f"The {key} field must be an array of strings.")
    if allowed is not None:
        wrong = [item for item in value if item not in allowed]
        if wrong:
            raise QueryError(f"{where}.{key}", f"Unknown {key}: {', '.join(wrong)}.")
    return value


def _number(spec: dict[str, Any], key: str, where: str, default: float | None, low: float, high: float):
    value = spec.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise QueryError(f"{where}.{key}", f"The {key} field must be a number from {low} to {high}.")
    return float(value)


def _signal_intervals(
    total: float, predicate, label: str, kind: str, min_seconds: float = 1.0
) -> list[Interval]:
    found, start = [], None
    second = 0.0
    while second <= total:
        if predicate(second):
            start = second if start is None else start
        elif start is not None:
            if second - start >= min_seconds:
                found.append((start, second, label, kind))
            start = None
        second += 1.0
    if start is not None and total - start >= min_seconds:
        found.append((start, total, label, kind))
    return found


def _matches_property(value: Any, constraint: dict[str, Any]) -> bool:
    if "eq" in constraint and value != constraint["eq"]:
        return False
    if "in_" in constraint and value not in constraint["in_"]:
        return False
    if "gte" in constraint and (value is None or value < constraint["gte"]):
        return False
    return not ("lte" in constraint and (value is None or value > constraint["lte"]))


def run_filter(
    spec: Any, where: str, match: Match, *, video_id: int, data_version: int, algorithm: str
) -> list[Interval]:
    if not isinstance(spec, dict) or not isinstance(spec.get("type"), str):
        raise QueryError(where, "Every filter must be an object with a type.")
    kind = spec["type"]
    pairs = list(zip(match.events, match.hidden, strict=True))

    def of_type(event_type: str):
        return [(event, hidden) for event, hidden in pairs if event["event_type"] == event_type]

    if kind == "team_possession":
        teams = _list_of_str(spec, "teams", where, allowed=TEAMS) or list(TEAMS)
        return [
            (e["start"], e["end"], e["label"], kind)
            for e, h in of_type("team_possession")
            if h["team"] in teams
        ]
    if kind == "player_possession":
        players = _list_of_str(spec, "players", where, required=True)
        return [
            (e["start"], e["end"], e["label"], kind)
            for e, h in of_type("player_possession")
            if h["player"] in players
        ]
    if kind == "match_timeline":
        periods = _list_of_str(spec, "periods", where, allowed=PERIODS, required=True)
        # The engine emits only full_game today, so a half matches nothing.
        return [
            (e["start"], e["end"], e["label"], kind)
            for e, _ in of_type("match_timeline")
            if e["label"] in periods
        ]
    if kind == "scene":
        wanted = spec.get("is_analysable", True)
        if not isinstance(wanted, bool):
            raise QueryError(f"{where}.is_analysable", "The is_analysable field must be true or false.")
        return [
            (e["start"], e["end"], e["label"], kind)
            for e, h in of_type("scene")
            if h["properties"]["is_analysable"] is wanted
        ]
    if kind == "ball_location":
        x_min = _number(spec, "x_min", where, 0, -5, 110)
        x_max = _number(spec, "x_max", where, 105, -5, 110)
        y_min = _number(spec, "y_min", where, 0, -5, 75)
        y_max = _number(spec, "y_max", where, 68, -5, 75)
        perspective = spec.get("team_side_perspective")
        if perspective not in (None, *TEAMS):
            raise QueryError(f"{where}.team_side_perspective", "Use null, team_0 or team_1.")
        half = match.duration / 2

        def inside(at: float) -> bool:
            x, y = matchdata.ball_position(video_id, at)
            # team_0 attacks right in the first half; flip for the other team or the other half.
            if (perspective == "team_1") != (perspective is not None and at >= half):
                x, y = 105 - x, 68 - y
            return x_min <= x <= x_max and y_min <= y <= y_max

        return _signal_intervals(match.duration, inside, "ball_location", kind)
    if kind == "player_ball_proximity":
        players = _list_of_str(spec, "players", where, required=True)
        _number(spec, "threshold", where, None, 0, 105)
        # Near the ball ≈ on the ball for the synthetic data.
        return [
            (e["start"], e["end"], e["label"], kind)
            for e, h in of_type("player_possession")
            if h["player"] in players
        ]
    if kind == "ball_action":
        if _version_tuple(algorithm) < (0, 5, 10):
            raise QueryError(where, "The ball_action filter needs algorithm version 0.5.10 or newer.")
        actions = _list_of_str(spec, "actions", where, allowed=BALL_ACTIONS) or list(BALL_ACTIONS)
        players = _list_of_str(spec, "players", where)
        teams = _list_of_str(spec, "teams", where, allowed=TEAMS)
        return [
            (e["start"], e["end"], e["label"], kind)
            for e, h in pairs
            if e["event_type"] in actions
            and (players is None or h.get("player") in players)
            and (teams is None or h.get("team") in teams)
        ]
    if kind == "event_property":
        if data_version < 3:
            raise QueryError(where, "The event_property filter needs data version 3 or higher.")
        event_type = spec.get("event_type")
        if event_type not in matchdata.EVENT_TYPES_V3:
            raise QueryError(f"{where}.event_type", "The event_type field must name a documented event type.")
        constraints = spec.get("properties")
        if not isinstance(constraints, list):
            raise QueryError(
                f"{where}.properties", "The properties field is required (an array, may be empty)."
            )
        known = {prop["name"] for prop in matchdata.EVENT_TYPES_V3[event_type]["properties"]}
        for index, constraint in enumerate(constraints):
            ops = {"eq", "in_", "gte", "lte"}
            if (
                not isinstance(constraint, dict)
                or constraint.get("field") not in known
                or not ops & set(constraint)
            ):
                raise QueryError(
                    f"{where}.properties.{index}",
                    f"Each property needs a field of {event_type} and one of eq, in_, gte, lte.",
                )
        players = _list_of_str(spec, "players", where)
        teams = _list_of_str(spec, "teams", where, allowed=TEAMS)
        return [
            (e["start"], e["end"], e["label"], kind)
            for e, h in of_type(event_type)
            if all(_matches_property(h["properties"].get(c["field"]), c) for c in constraints)
            and (players is None or h.get("player") in players)
            and (teams is None or h.get("team") in teams)
        ]
    if kind == "frame_state":
        if data_version < 3:
            raise QueryError(where, "The frame_state filter needs data version 3 or higher.")
        players = _list_of_str(spec, "players", where, required=True)
        column = spec.get("column")
        if column not in ("speed_mps", "nearest_opp_dist_m"):
            raise QueryError(f"{where}.column", "The column field must be speed_mps or nearest_opp_dist_m.")
        gte = _number(spec, "gte", where, None, -1e9, 1e9)
        lte = _number(spec, "lte", where, None, -1e9, 1e9)
        min_ms = spec.get("min_duration_ms", 500)
        if isinstance(min_ms, bool) or not isinstance(min_ms, int) or min_ms < 0:
            raise QueryError(
                f"{where}.min_duration_ms", "The min_duration_ms field must be a whole number ≥ 0."
            )
        signal = matchdata.player_speed if column == "speed_mps" else matchdata.nearest_opponent_distance
        found: list[Interval] = []
        for player in players:

            def holds(at: float, player: str = player) -> bool:
                value = signal(player, at)
                return (gte is None or value >= gte) and (lte is None or value <= lte)

            found += _signal_intervals(match.duration, holds, player, kind, max(1.0, min_ms / 1000))
        return found
    raise QueryError(f"{where}.type", f"Unknown filter type {kind!r}.")


def _union(intervals: list[Interval]) -> list[Interval]:
    result: list[Interval] = []
    for start, end, label, kind in sorted(intervals):
        if result and start <= result[-1][1]:
            last = result[-1]
            result[-1] = (last[0], max(last[1], end), last[2], last[3])
        else:
            result.append((start, end, label, kind))
    return result


def _intersect(left: list[Interval], right: list[Interval]) -> list[Interval]:
    result = []
    for start, end, label, kind in left:
        for other_start, other_end, _, _ in right:
            low, high = max(start, other_start), min(end, other_end)
            # Point events (start == end) survive when they fall inside the other interval.
            if low < high or (low == high and start <= low <= end and other_start <= low <= other_end):
                result.append((low, high, label, kind))
    return sorted(result)


def run_query(
    body: Any, match: Match, *, video_id: int, data_version: int, algorithm: str
) -> list[dict[str, Any]]:
    """Answer a query body with a bare array of {start, end, label, type}; raise QueryError if invalid."""
    if not isinstance(body, dict):
        raise QueryError("body", "The request body must be a JSON object.")
    operator = body.get("operator", "AND")
    if operator not in ("AND", "OR"):
        raise QueryError("operator", "The operator must be AND or OR.")
    filters = body.get("filters", [])
    if not isinstance(filters, list):
        raise QueryError("filters", "The filters field must be an array.")
    pad = _number(body, "pad_sec", "body", 5, 0, 600)
    gap_fill = _number(body, "gap_fill_sec", "body", 5, 0, 600)
    merge = body.get("merge_results", True)
    if not isinstance(merge, bool):
        raise QueryError("merge_results", "The merge_results field must be true or false.")
    if not isinstance(body.get("include_pixel_coords", False), bool):
        raise QueryError("include_pixel_coords", "The include_pixel_coords field must be true or false.")
    windows = body.get("existing_filters", [])
    if not isinstance(windows, list):
        raise QueryError("existing_filters", "The existing_filters field must be an array.")
    existing: list[Interval] = []
    for index, window in enumerate(windows):
        ok = isinstance(window, dict) and all(
            isinstance(window.get(key), int | float) for key in ("start", "end")
        )
        if not ok or window["end"] < window["start"]:
            raise QueryError(f"existing_filters.{index}", "Each existing filter needs start ≤ end (seconds).")
        existing.append(
            (float(window["start"]), float(window["end"]), str(window.get("name", "")), "existing")
        )

    per_filter = [
        run_filter(
            spec, f"filters.{index}", match, video_id=video_id, data_version=data_version, algorithm=algorithm
        )
        for index, spec in enumerate(filters)
    ]
    if not per_filter:
        combined: list[Interval] = []
    elif operator == "OR":
        combined = sorted(interval for found in per_filter for interval in found)
    else:
        combined = sorted(per_filter[0])
        for found in per_filter[1:]:
            combined = _intersect(combined, _union(found))
    if existing:
        combined = _intersect(combined, _union(existing))

    total = match.duration
    padded = [(max(0.0, s - pad), min(total, e + pad), label, kind) for s, e, label, kind in combined]
    if merge:
        merged: list[Interval] = []
        for start, end, label, kind in sorted(padded):
            if merged and start - merged[-1][1] <= gap_fill:
                last = merged[-1]
                merged[-1] = (last[0], max(last[1], end), last[2], last[3])
            else:
                merged.append((start, end, label, kind))
        padded = merged
    return [
        {"start": round(start, 2), "end": round(end, 2), "label": label, "type": kind}
        for start, end, label, kind in padded
    ]
