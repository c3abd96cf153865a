"""Plausible, deterministic match data (events, summary, schema, tracking) seeded from the video id.

Every event also carries hidden attribution (team, player, documented properties) that /events does
not show, so the summary's player figures and the query engine agree with the event list.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

FRAME = 0.04  # 25 fps: every time is a whole frame
HALF_TIME_GAP = 30.0  # seconds either side of the half-way mark shown as non-analysable

EVENT_TYPE_ORDER = (
    "match_timeline",
    "scene",
    "ball_phase",
    "team_possession",
    "player_possession",
    "pass",
    "drive",
    "shot",
    "tackle",
)


def frame(seconds: float) -> float:
    return round(round(seconds / FRAME) * FRAME, 2)


@dataclass(frozen=True)
class Player:
    player_id: str
    team_id: str
    jersey: int | str
    is_goalkeeper: bool
    on_at: float
    off_at: float


@dataclass
class Match:
    duration: float
    team_names: tuple[str, str]
    players: list[Player]
    events: list[dict[str, Any]] = field(default_factory=list)
    # Parallel to events: {"team": ..., "player": ..., "properties": {...}}
    hidden: list[dict[str, Any]] = field(default_factory=list)

    def add(self, start: float, end: float, label: str, event_type: str, **hidden: Any) -> None:
        self.events.append(
            {"start": frame(start), "end": frame(end), "label": label, "event_type": event_type}
        )
        hidden.setdefault("properties", {})
        self.hidden.append(hidden)

    def on_field(self, team_id: str, at: float) -> list[Player]:
        return [p for p in self.players if p.team_id == team_id and p.on_at <= at < p.off_at]

    def team_name(self, team_id: str) -> str:
        return self.team_names[0 if team_id == "team_0" else 1]


def _players(rng: random.Random, video_id: int, duration: float) -> list[Player]:
    players = []
    for team_index in (0, 1):
        team_id = f"team_{team_index}"
        jerseys = rng.sample(range(2, 31), 13)
        # Now and then the keeper's number is unreadable, as the Player IDs page describes.
        keeper: int | str = "GK" if (video_id + team_index) % 3 == 0 else 1
        players.append(Player(f"{team_index}-{keeper}", team_id, keeper, True, 0.0, duration))
        starters, subs = jerseys[:10], jerseys[10:]
        off_times = {}
        for sub, replaced in zip(subs, rng.sample(starters, 3), strict=True):
            at = frame(rng.uniform(0.55, 0.85) * duration)
            off_times[replaced] = at
            players.append(Player(f"{team_index}-{sub}", team_id, sub, False, at, duration))
        for jersey in starters:
            players.append(
                Player(f"{team_index}-{jersey}", team_id, jersey, False, 0.0, off_times.get(jersey, duration))
            )
    return sorted(players, key=lambda p: (p.team_id, p.on_at, str(p.jersey)))


def _confidences(rng: random.Random) -> dict[str, Any]:
    return {
        "confidence_detection": round(rng.uniform(0.6, 0.99), 3),
        "confidence_event": round(rng.uniform(0.55, 0.98), 3),
        "confidence_identity": round(rng.uniform(0.5, 0.99), 3) if rng.random() < 0.9 else None,
    }


def _target(rng: random.Random) -> dict[str, int]:
    return {"x_target": rng.randint(200, 10300), "y_target": rng.randint(200, 6600)}


@lru_cache(maxsize=16)
def generate(video_id: int, duration: int, team_0: str, team_1: str, data_version: int) -> Match:
    """Build one match: the same inputs always give the same events."""
    rng = random.Random(f"aiontheball-sandbox:{video_id}")
    total = float(duration)
    match = Match(total, (team_0, team_1), _players(rng, video_id, total))
    half = total / 2
    has_break = total >= 1200
    break_start, break_end = (half - HALF_TIME_GAP, half + HALF_TIME_GAP) if has_break else (total, total)
    kickoff_end = min(3.0, total)

    match.add(0, total, "full_game", "match_timeline", properties={"period": "full_game"})
    scenes = [(0.0, kickoff_end, False), (kickoff_end + FRAME, break_start, True)]
    if has_break:
        scenes += [(break_start, break_end, False), (break_end, total, True)]
    for start, end, analysable in scenes:
        if end > start:
            label = "analysable" if analysable else "not analysable"
            match.add(start, end, label, "scene", properties={"is_analysable": analysable})

    phases: list[tuple[float, float, str]] = [(0.0, kickoff_end, "half_kickoff")]
    if has_break:
        phases.append((break_start, break_end, "half_kickoff"))

    t = kickoff_end + FRAME
    team_index = 0
    set_piece = "kick_off"
    while t < total - 5:
        if has_break and break_start - 5 <= t < break_end:
            t, team_index, set_piece = break_end + FRAME, 1, "kick_off"
            continue
        team_id = f"team_{team_index}"
        length = min(rng.uniform(4, 40), (break_start if t < break_start else total) - t - 0.5)
        if length < 2:
            t += length + 1
            continue
        end = t + length
        side = (
            ("left" if team_index == 0 else "right") if t < half else ("right" if team_index == 0 else "left")
        )
        match.add(
            t,
            end,
            match.team_name(team_id),
            "team_possession",
            team=team_id,
            properties={"team_label": team_index, "team_side": side, "unknown_reason": None},
        )
        squad = match.on_field(team_id, t)
        touches = max(1, int(length / rng.uniform(3, 8)))
        bounds = sorted(rng.uniform(t, end) for _ in range(touches - 1))
        edges = [t, *bounds, end]
        previous = None
        for index in range(touches):
            start_touch, end_touch = edges[index], edges[index + 1]
            candidates = [p for p in squad if p != previous and not p.is_goalkeeper] or squad
            player = rng.choice(candidates)
            match.add(
                start_touch,
                end_touch,
                player.player_id,
                "player_possession",
                team=team_id,
                player=player.player_id,
                properties={
                    "confidence_identity": round(rng.uniform(0.5, 0.99), 3),
                    "model_source": rng.choice(("short", "long", "mix")),
                },
            )
            if data_version >= 2 and previous is not None:
                match.add(
                    start_touch,
                    start_touch,
                    "pass",
                    "pass",
                    team=team_id,
                    player=previous.player_id,
                    properties={
                        "body_part": "head" if rng.random() < 0.08 else "unknown",
                        **_confidences(rng),
                        "length_cm": rng.randint(400, 4500),
                        "pass_type": "cross" if rng.random() < 0.05 else None,
                        "set_piece": set_piece if index == 1 else "open_play",
                        **_target(rng),
                    },
                )
            if data_version >= 2 and end_touch - start_touch > 3 and rng.random() < 0.35:
                at = start_touch + (end_touch - start_touch) / 2
                match.add(
                    at,
                    at,
                    "drive",
                    "drive",
                    team=team_id,
                    player=player.player_id,
                    properties={
                        "body_part": "unknown",
                        **_confidences(rng),
                        "length_cm": rng.randint(300, 2500),
                        **_target(rng),
                    },
                )
            previous = player
        ending = rng.random()
        gap = rng.uniform(0.5, 4)
        opponent = f"team_{1 - team_index}"
        if data_version >= 2 and ending < 0.09 and previous is not None:
            body = "head" if rng.random() < 0.2 else "unknown"
            props = {"body_part": body, **_confidences(rng)}
            match.add(end, end, "shot", "shot", team=team_id, player=previous.player_id, properties=props)
            phases.append((end, end + gap, "out_of_bounds"))
            set_piece = "goal_kick"
        elif ending < 0.25:
            phases.append((end, end + gap, "out_of_bounds"))
            set_piece = rng.choice(("throw_in", "throw_in", "corner_kick", "goal_kick", "free_kick"))
        else:
            set_piece = "open_play"
            if data_version >= 3 and ending < 0.5:
                tackler = rng.choice([p for p in match.on_field(opponent, end) if not p.is_goalkeeper])
                props = {"body_part": "unknown", **_confidences(rng)}
                match.add(
                    end, end, "tackle", "tackle", team=opponent, player=tackler.player_id, properties=props
                )
        t = end + gap
        # Possession mostly changes hands; sometimes the same team wins the ball back.
        team_index = 1 - team_index if rng.random() < 0.8 else team_index

    if data_version >= 3:
        for start, end, phase in _fill_phases(phases, total):
            match.add(start, end, phase, "ball_phase", properties={"phase": phase})

    order = {name: index for index, name in enumerate(EVENT_TYPE_ORDER)}
    paired = sorted(
        zip(match.events, match.hidden, strict=True),
        key=lambda pair: (pair[0]["start"], order.get(pair[0]["event_type"], 99)),
    )
    match.events = [event for event, _ in paired]
    match.hidden = [hidden for _, hidden in paired]
    return match


def _fill_phases(stoppages: list[tuple[float, float, str]], total: float) -> list[tuple[float, float, str]]:
    """Cover the whole match: the stoppages as given, in_play in between."""
    result, cursor = [], 0.0
    for start, end, phase in sorted(stoppages):
        start, end = max(start, cursor), min(end, total)
        if end <= start:
            continue
        if start - cursor > FRAME:
            result.append((cursor, start, "in_play"))
        result.append((start, end, phase))
        cursor = end
    if total - cursor > FRAME:
        result.append((cursor, total, "in_play"))
    return result


def public_events(match: Match) -> list[dict[str, Any]]:
    return [dict(event) for event in match.events]


# -- summary -----------------------------------------------------------------------------------------


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def summary(
    match: Match,
    *,
    video_id: int,
    analysis_id: int,
    game_date: dt.date,
    version: str,
    generated_at: dt.datetime,
) -> dict[str, Any]:
    """The /summary object for one match, in the documented shape."""
    rng = random.Random(f"aiontheball-sandbox:{video_id}:players")
    total = match.duration
    counts: dict[str, int] = {}
    durations: dict[str, float] = {}
    for event in match.events:
        kind = event["event_type"]
        counts[kind] = counts.get(kind, 0) + 1
        durations[kind] = durations.get(kind, 0.0) + (event["end"] - event["start"])
    analysable = sum(
        e["end"] - e["start"]
        for e in match.events
        if e["event_type"] == "scene" and e["label"] == "analysable"
    )

    possessions = [
        (e["start"], e["end"], h["team"])
        for e, h in zip(match.events, match.hidden, strict=True)
        if e["event_type"] == "team_possession"
    ]
    seconds = {team: sum(e - s for s, e, t in possessions if t == team) for team in ("team_0", "team_1")}
    unknown = max(0.0, total - seconds["team_0"] - seconds["team_1"])

    def pct(value: float, whole: float) -> float:
        return round(value / whole * 100, 2) if whole else 0.0

    per_minute = []
    for minute in range(math.ceil(total / 60)):
        w0, w1 = minute * 60.0, min(total, minute * 60.0 + 60)
        share = {
            team: sum(_overlap(s, e, w0, w1) for s, e, t in possessions if t == team)
            for team in ("team_0", "team_1")
        }
        width = w1 - w0
        team_0_pct, team_1_pct = pct(share["team_0"], width), pct(share["team_1"], width)
        per_minute.append(
            {
                "minute": minute,
                "team_0_pct": team_0_pct,
                "team_1_pct": team_1_pct,
                "unknown_pct": round(max(0.0, 100 - team_0_pct - team_1_pct), 2),
            }
        )

    actions: dict[str, dict[str, int]] = {}
    for event, hidden in zip(match.events, match.hidden, strict=True):
        if event["event_type"] in ("pass", "drive", "shot") and hidden.get("player"):
            tally = actions.setdefault(hidden["player"], {"passes": 0, "drives": 0, "shots": 0})
            tally[event["event_type"] + ("es" if event["event_type"] == "pass" else "s")] += 1

    players = []
    for player in match.players:
        on_pitch = max(0.0, min(player.off_at, total) - player.on_at) * (analysable / total if total else 0)
        rate = rng.uniform(45, 60) if player.is_goalkeeper else rng.uniform(100, 125)  # metres per minute
        distance = round(rate * on_pitch / 60, 1)
        shares = [
            rng.uniform(0.25, 0.35),
            rng.uniform(0.38, 0.46),
            rng.uniform(0.15, 0.22),
            rng.uniform(0.05, 0.1),
        ]
        if player.is_goalkeeper:
            shares = [rng.uniform(0.6, 0.7), rng.uniform(0.22, 0.3), rng.uniform(0.03, 0.06), 0.01]
        walking, jogging, running = (round(distance * share / sum(shares), 1) for share in shares[:3])
        tracked = round(on_pitch * rng.uniform(0.95, 0.995), 1)
        players.append(
            {
                "player_id": player.player_id,
                "team_id": player.team_id,
                "jersey_number": player.jersey,
                "name": f"{match.team_name(player.team_id)} #{player.jersey}",
                "stats": {
                    "total_distance_m": distance,
                    "distance_by_speed_bucket": {
                        "walking_m": walking,
                        "jogging_m": jogging,
                        "running_m": running,
                        "sprinting_m": round(max(0.0, distance - walking - jogging - running), 1),
                    },
                    "avg_speed_kmh": round(distance / tracked * 3.6, 1) if tracked else 0.0,
                    "max_speed_kmh": round(
                        rng.uniform(18, 25) if player.is_goalkeeper else rng.uniform(26, 34), 1
                    ),
                    "tracking_duration_sec": tracked,
                    "ball_actions": actions.get(player.player_id, {"passes": 0, "drives": 0, "shots": 0}),
                },
            }
        )

    return {
        "metadata": {
            "game_id": f"{game_date.isoformat()}_hub-{analysis_id}",
            "game_date": game_date.isoformat(),
            "version": version,
            "generated_at": generated_at.astimezone(dt.UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "video_length_sec": round(total, 1),
        },
        "teams": {"team_0_name": match.team_names[0], "team_1_name": match.team_names[1]},
        "match_stats": {
            "event_counts": counts,
            "total_durations_sec": {key: round(value, 1) for key, value in durations.items()},
            "analysable_duration_sec": round(analysable, 1),
            "non_analysable_duration_sec": round(total - analysable, 1),
        },
        "possession": {
            "summary": {
                "team_0": {
                    "seconds": round(seconds["team_0"], 1),
                    "pct": round(pct(seconds["team_0"], total), 1),
                },
                "team_1": {
                    "seconds": round(seconds["team_1"], 1),
                    "pct": round(pct(seconds["team_1"], total), 1),
                },
                "unknown": {"seconds": round(unknown, 1), "pct": round(pct(unknown, total), 1)},
            },
            "per_minute": per_minute,
        },
        "players": players,
    }


# -- schema ------------------------------------------------------------------------------------------

_CONFIDENCE = [
    {"name": "confidence_detection", "type": "float32"},
    {"name": "confidence_event", "type": "float32"},
    {"name": "confidence_identity", "type": "float32"},
]
_BODY_PART = {"name": "body_part", "type": "str", "enum": ["head", "both_hands", "unknown"]}
_TARGET = [{"name": "x_target", "type": "int16"}, {"name": "y_target", "type": "int16"}]
SET_PIECES = ["open_play", "throw_in", "kick_off", "corner_kick", "free_kick", "goal_kick"]
PHASES = ["in_play", "out_of_bounds", "in_bounds_stoppage", "half_kickoff"]

EVENT_TYPES_V3: dict[str, Any] = {
    "pass": {
        "summary": "A deliberate attempt to deliver the ball to a teammate.",
        "properties": [
            _BODY_PART,
            *_CONFIDENCE,
            {"name": "length_cm", "type": "int32"},
            {"name": "pass_type", "type": "str", "enum": ["cross"]},
            {"name": "set_piece", "type": "str", "enum": SET_PIECES},
            *_TARGET,
        ],
    },
    "drive": {
        "summary": "A player carries the ball forward under control.",
        "properties": [_BODY_PART, *_CONFIDENCE, {"name": "length_cm", "type": "int32"}, *_TARGET],
    },
    "shot": {"summary": "An attempt to score a goal.", "properties": [_BODY_PART, *_CONFIDENCE]},
    "tackle": {
        "summary": "A defender wins the ball from an opponent.",
        "properties": [_BODY_PART, *_CONFIDENCE],
    },
    "team_possession": {
        "summary": "Which team has the ball.",
        "properties": [
            {"name": "team_label", "type": "int8"},
            {"name": "team_side", "type": "str", "enum": ["left", "right", "unknown"]},
            {"name": "unknown_reason", "type": "str", "enum": ["unclear"]},
        ],
    },
    "player_possession": {
        "summary": "Which player has the ball.",
        "properties": [
            {"name": "confidence_identity", "type": "float32"},
            {"name": "model_source", "type": "str", "enum": ["short", "long", "mix"]},
        ],
    },
    "scene": {
        "summary": "Whether the main tactical camera is on.",
        "properties": [{"name": "is_analysable", "type": "bool"}],
    },
    "match_timeline": {
        "summary": "Match periods.",
        "properties": [{"name": "period", "type": "str", "enum": ["full_game"]}],
    },
    "ball_phase": {
        "summary": "Whether the ball is in play.",
        "properties": [{"name": "phase", "type": "str", "enum": PHASES}],
    },
}

FILTERS_V3 = [
    ("team_possession", "Intervals where the given teams have the ball."),
    ("player_possession", "Intervals where the given players have the ball."),
    ("match_timeline", "Match periods."),
    ("scene", "Analysable (main camera) or not analysable footage."),
    ("ball_location", "Intervals where the ball is inside a pitch rectangle (metres)."),
    ("player_ball_proximity", "Intervals where the given players are near the ball."),
    ("ball_action", "Passes, drives and shots (legacy; prefer event_property)."),
    ("event_property", "Events of one type whose properties match constraints."),
    ("frame_state", "Intervals where a per-frame player metric stays within bounds."),
]

FRAME_STATE_COLUMNS = [
    {"name": "timestamp", "type": "int32", "description": "Milliseconds from the video start."},
    {"name": "player_id", "type": "str", "description": "Player id, e.g. 0-10."},
    {"name": "speed_mps", "type": "float32", "description": "Smoothed speed in metres per second."},
    {"name": "nearest_opp_id", "type": "str", "description": "Nearest opponent's player id, or null."},
    {"name": "nearest_opp_dist_m", "type": "float32", "description": "Distance to the nearest opponent (m)."},
]


def schema(data_version: int) -> dict[str, Any]:
    """The /schema object: minimal for data versions 1-2, detailed from 3 on (as documented)."""
    if data_version < 3:
        return {"data_version": data_version, "engine_version": "latest"}
    return {
        "data_version": data_version,
        "engine_version": "latest",
        "event_types": EVENT_TYPES_V3,
        "filters": [{"type": name, "description": text} for name, text in FILTERS_V3],
        "frame_state": {"available": True, "columns": FRAME_STATE_COLUMNS},
    }


# -- synthetic signals (ball position, player speed) ------------------------------------------------


def ball_position(video_id: int, at: float) -> tuple[float, float]:
    """A smooth, deterministic ball path in metres (0-105 x 0-68)."""
    phase = (video_id % 97) / 97 * 2 * math.pi
    x = 52.5 + 48 * math.sin(2 * math.pi * at / 97 + phase) * math.cos(2 * math.pi * at / 1310)
    y = 34 + 30 * math.sin(2 * math.pi * at / 61 + phase / 2)
    return round(x, 2), round(y, 2)


def player_speed(player_id: str, at: float) -> float:
    """A deterministic speed signal in m/s with occasional sprints above 7 m/s."""
    seed = sum(ord(char) for char in player_id)
    base = 2.2 + 1.5 * math.sin(at / (9 + seed % 5))
    burst = max(0.0, math.sin(at / (23 + seed % 7) + seed)) ** 8 * 6.5
    return round(max(0.0, base + burst), 2)


def nearest_opponent_distance(player_id: str, at: float) -> float:
    seed = sum(ord(char) for char in player_id) * 3
    return round(abs(6 * math.sin(at / (13 + seed % 11) + seed)) + 0.4, 2)


def tracking_rows(match: Match, video_id: int, seconds: float = 20.0):
    """Yield tracking rows (25 fps) for the first seconds of the match; positions in centimetres."""
    frames = int(min(seconds, match.duration) / FRAME)
    rng = random.Random(f"aiontheball-sandbox:{video_id}:tracking")
    homes = {p.player_id: (rng.randint(500, 10000), rng.randint(400, 6400)) for p in match.players}
    for index in range(frames):
        at = index * FRAME
        ms = round(at * 1000)
        bx, by = ball_position(video_id, at)
        yield {
            "timestamp": ms,
            "role": "ball",
            "player_id": None,
            "player_id_conf": None,
            "x": int(bx * 100),
            "y": int(by * 100),
            "bbox_x": int(bx / 105 * 1920),
            "bbox_y": int(1080 - by / 68 * 1080),
        }
        for player in match.players:
            if not player.on_at <= at < player.off_at:
                continue
            hx, hy = homes[player.player_id]
            x = max(0, min(10500, int(hx + 300 * math.sin(at / 3 + hx))))
            y = max(0, min(6800, int(hy + 200 * math.cos(at / 4 + hy))))
            yield {
                "timestamp": ms,
                "role": "goal_keeper" if player.is_goalkeeper else "player",
                "player_id": player.player_id,
                "player_id_conf": 0.9,
                "x": x,
                "y": y,
                "bbox_x": int(x / 10500 * 1920),
                "bbox_y": int(1080 - y / 6800 * 1080),
            }
