"""Turn a match's stored summary and events into rows the detail page shows."""

from __future__ import annotations

from dataclasses import dataclass

from coachportal.providers import aiontheball as aob

EVENT_LABELS = {
    "pass": "Pass",
    "drive": "Drive",
    "shot": "Shot",
    "tackle": "Tackle",
    "block": "Block",
    "team_possession": "Team possession",
    "player_possession": "Player possession",
    "scene": "Scene",
    "match_timeline": "Match period",
    "ball_phase": "Ball phase",
}
# What the timeline shows first: the moments a coach looks for; the rest is one choice away.
VIEWS = {
    "key": ("Key moments", {"shot", "tackle", "block"}),
    "actions": ("All ball actions", {"pass", "drive", "shot", "tackle", "block"}),
    "possession": ("Team possession", {"team_possession"}),
    "phases": ("Ball phases", {"ball_phase"}),
    "all": ("Every event", None),
}
DEFAULT_VIEW = "key"


def clock(seconds: float) -> str:
    whole = int(seconds)
    minutes, secs = divmod(whole, 60)
    return f"{minutes:02d}:{secs:02d}"


@dataclass
class EventRow:
    seconds: float
    clock: str
    kind: str
    kind_label: str
    label: str
    duration: float

    @property
    def at(self) -> str:
        return f"{self.seconds:.2f}"


def event_rows(raw_events: list | None, view: str) -> list[EventRow]:
    kinds = VIEWS.get(view, VIEWS[DEFAULT_VIEW])[1]
    rows = []
    for event in aob.Event.list_from_json(raw_events or []):
        if kinds is not None and event.event_type not in kinds:
            continue
        label = event.label if event.label and event.label != event.event_type else ""
        rows.append(
            EventRow(
                seconds=event.seconds,
                clock=clock(event.seconds),
                kind=event.event_type,
                kind_label=EVENT_LABELS.get(
                    event.event_type, event.event_type.replace("_", " ").capitalize()
                ),
                label=label.replace("_", " "),
                duration=event.duration,
            )
        )
    return rows


def _km(metres: float | None) -> str:
    return "" if metres is None else f"{metres / 1000:.2f}"


def _num(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _jersey_order(player) -> tuple:
    number = player.jersey_number
    return (0, number, "") if isinstance(number, int) else (1, 0, str(number or player.player_id))


def summary_tables(raw: dict | None) -> dict | None:
    """Team and player figures from the provider's summary, formatted for tables."""
    if not raw:
        return None
    summary = aob.Summary.from_json(raw)
    teams = []
    for team in summary.teams:
        teams.append(
            {
                "name": team.name or team.team_id,
                "possession_pct": _num(team.possession_pct),
                "possession_time": clock(team.possession_seconds)
                if team.possession_seconds is not None
                else "",
                "passes": team.passes,
                "drives": team.drives,
                "shots": team.shots,
                "distance_km": _km(team.total_distance_m),
                "players": team.players,
                "player_rows": [
                    {
                        "id": player.player_id,
                        "jersey": player.jersey_number if player.jersey_number is not None else "",
                        "name": player.name or player.player_id,
                        "distance_km": _km(player.total_distance_m),
                        "sprint_m": _num(player.distance_by_speed_bucket.get("sprinting_m"), 0),
                        "avg_speed": _num(player.avg_speed_kmh),
                        "max_speed": _num(player.max_speed_kmh),
                        "passes": "" if player.passes is None else player.passes,
                        "drives": "" if player.drives is None else player.drives,
                        "shots": "" if player.shots is None else player.shots,
                    }
                    for player in sorted(summary.players_of(team.team_id), key=_jersey_order)
                ],
            }
        )
    return {
        "teams": teams,
        "unknown_pct": _num(summary.unknown_possession_pct),
        "version": summary.version,
        "length": clock(summary.video_length_sec) if summary.video_length_sec else "",
    }
