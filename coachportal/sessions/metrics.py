"""What the provider's metric keys mean: labels, units, groups, and the few numbers a library row shows.

Metrics are per-segment arrays (running, jumping) or scalars (weightlifting); keys we do not know are
still shown, under "Other", with a label made from the key.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real
from typing import Any

from .models import Activity


@dataclass(frozen=True)
class MetricInfo:
    label: str
    unit: str = ""
    group: str = "Other"


_RUNNING = {
    "speed": MetricInfo("Speed", "m/s", "Speed and rhythm"),
    "pace": MetricInfo("Pace", "min/km", "Speed and rhythm"),
    "cadence": MetricInfo("Cadence", "spm", "Speed and rhythm"),
    "stride_length": MetricInfo("Stride length", "m", "Speed and rhythm"),
    "stride_time": MetricInfo("Stride time", "s", "Speed and rhythm"),
    "distance": MetricInfo("Distance", "m", "Speed and rhythm"),
    "contact_time": MetricInfo("Ground contact time", "s", "Ground contact"),
    "flight_time": MetricInfo("Flight time", "s", "Ground contact"),
    "contact_angle": MetricInfo("Contact angle", "°", "Ground contact"),
    "push_angle": MetricInfo("Push angle", "°", "Ground contact"),
    "contact_stability": MetricInfo("Contact stability", "", "Ground contact"),
    "rbalance": MetricInfo("Right/left balance", "%", "Ground contact"),
    "rbalance_stability": MetricInfo("Balance stability", "", "Ground contact"),
    "power": MetricInfo("Power", "W", "Power"),
    "power_for_1kg": MetricInfo("Power per kg", "W/kg", "Power"),
    "technique": MetricInfo("Technique score", "", "Technique"),
    "incline": MetricInfo("Incline", "°", "Setup"),
    "mass": MetricInfo("Body mass", "kg", "Setup"),
}
_JUMPING = {
    "jump_height": MetricInfo("Jump height", "m", "Jump"),
    "flight_time": MetricInfo("Flight time", "s", "Jump"),
    "rsi": MetricInfo("Reactive strength index", "", "Jump"),
    "com_velocity_takeoff": MetricInfo("Take-off velocity", "m/s", "Jump"),
    "contact_time": MetricInfo("Contact time", "s", "Phases"),
    "braking_time": MetricInfo("Braking time", "s", "Phases"),
    "push_off_time": MetricInfo("Push-off time", "s", "Phases"),
    "knee_angle_eccentric": MetricInfo("Knee angle at end of eccentric phase", "°", "Phases"),
    "peak_power": MetricInfo("Peak power", "W", "Force and power"),
    "normalized_power": MetricInfo("Normalized power", "W/kg", "Force and power"),
    "max_grf_takeoff": MetricInfo("Max GRF at take-off", "N", "Force and power"),
    "max_grf_landing": MetricInfo("Max GRF at landing", "N", "Force and power"),
}
_WEIGHTLIFTING = {
    "max_bar_speed": MetricInfo("Max bar speed", "m/s", "Bar"),
    "bar_past_the_knee_speed": MetricInfo("Bar speed past the knee", "m/s", "Bar"),
    "bar_past_the_knee_acceleration": MetricInfo("Bar acceleration past the knee", "m/s²", "Bar"),
    "barbell_weight": MetricInfo("Barbell weight", "kg", "Bar"),
    "max_GRF": MetricInfo("Max ground reaction force", "N", "Force and power"),
    "max_power": MetricInfo("Max power", "W", "Force and power"),
    "start_of_lifting": MetricInfo("Start of lift", "frame", "Phases"),
    "first_pull_end": MetricInfo("End of first pull", "frame", "Phases"),
    "transition": MetricInfo("Transition", "frame", "Phases"),
    "second_pull_end": MetricInfo("End of second pull", "frame", "Phases"),
    "catch_end": MetricInfo("End of catch", "frame", "Phases"),
    "recovery_end": MetricInfo("End of recovery", "frame", "Phases"),
    "total_time": MetricInfo("Total time", "ms", "Timing"),
    "clean_time": MetricInfo("Clean time", "ms", "Timing"),
}
_COMMON = {
    "scale": MetricInfo("Scale", "", "Quality"),
    "mean_markers_validity": MetricInfo("Marker validity", "", "Quality"),
}

CATALOGUE: dict[str, dict[str, MetricInfo]] = {
    Activity.RUNNING: _RUNNING,
    Activity.JUMPING: _JUMPING,
    Activity.WEIGHTLIFTING: _WEIGHTLIFTING,
}

# (key, how to reduce a per-segment series) for the library's "key metrics" column.
KEY_METRICS: dict[str, list[tuple[str, str]]] = {
    Activity.RUNNING: [("speed", "avg"), ("cadence", "avg")],
    Activity.JUMPING: [("jump_height", "max"), ("rsi", "avg")],
    Activity.WEIGHTLIFTING: [("max_bar_speed", "value"), ("max_power", "value")],
}


def info_for(activity: str, key: str) -> MetricInfo:
    info = CATALOGUE.get(activity, {}).get(key) or _COMMON.get(key)
    if info is None:
        # Known to another activity? Reuse its label and unit.
        for table in CATALOGUE.values():
            if key in table:
                return table[key]
        return MetricInfo(humanize(key), "", "Other")
    return info


def humanize(key: str) -> str:
    text = str(key).replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else "?"


def _numbers(value: Any) -> list[float]:
    if isinstance(value, bool):
        return []
    if isinstance(value, Real):
        return [float(value)] if math.isfinite(value) else []
    if isinstance(value, list):
        return [
            float(v) for v in value if isinstance(v, Real) and not isinstance(v, bool) and math.isfinite(v)
        ]
    return []


def reduce(value: Any, how: str) -> float | None:
    numbers = _numbers(value)
    if not numbers:
        return None
    if how == "max":
        return max(numbers)
    if how == "min":
        return min(numbers)
    if how == "value" and not isinstance(value, list):
        return numbers[0]
    return sum(numbers) / len(numbers)


def fmt(value: float | None) -> str:
    """Format a number for people: up to three significant decimals, no trailing zeros."""
    if value is None:
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{value:.3f}".rstrip("0").rstrip(".") if value != int(value) else f"{value:.0f}"


def key_metrics(activity: str, metrics: dict[str, Any]) -> dict[str, str]:
    """Return {label: "value unit"} for the row of the library; computed once at sync time."""
    shown: dict[str, str] = {}
    for key, how in KEY_METRICS.get(activity, []):
        value = reduce(metrics.get(key), how)
        if value is not None:
            info = info_for(activity, key)
            prefix = "best " if how == "max" else ""
            shown[f"{prefix}{info.label}".capitalize()] = f"{fmt(value)} {info.unit}".strip()
    return shown


@dataclass(frozen=True)
class MetricRow:
    key: str
    label: str
    unit: str
    value: str
    low: str
    high: str
    per_segment: list[str]
    text: str = ""  # for values that are not numbers


@dataclass(frozen=True)
class MetricGroup:
    name: str
    rows: list[MetricRow]


def metric_groups(activity: str, metrics: dict[str, Any]) -> list[MetricGroup]:
    """Group the metrics for the detail page, known groups first, unknown keys last under "Other"."""
    groups: dict[str, list[MetricRow]] = {}
    for key, value in metrics.items():
        info = info_for(activity, key)
        numbers = _numbers(value)
        if numbers:
            series = isinstance(value, list)
            row = MetricRow(
                key=str(key),
                label=info.label,
                unit=info.unit,
                value=fmt(sum(numbers) / len(numbers)),
                low=fmt(min(numbers)) if series and len(numbers) > 1 else "",
                high=fmt(max(numbers)) if series and len(numbers) > 1 else "",
                per_segment=[fmt(n) for n in numbers] if series and len(numbers) > 1 else [],
            )
        else:
            row = MetricRow(str(key), info.label, info.unit, "", "", "", [], text=_as_text(value))
        groups.setdefault(info.group, []).append(row)
    order = list(dict.fromkeys(i.group for i in CATALOGUE.get(activity, {}).values()))
    order += ["Quality", "Setup", "Other"]
    return [
        MetricGroup(name, groups[name])
        for name in sorted(groups, key=lambda g: order.index(g) if g in order else len(order))
    ]


@dataclass(frozen=True)
class Comment:
    topic: str
    text: str


def report_comments(comments: dict[str, Any]) -> list[Comment]:
    """Turn `{"text_summary": {"en": ..., "ru": ...}, ...}` into readable (topic, text) pairs."""
    result = []
    for key, value in comments.items():
        topic = humanize(str(key).removeprefix("text_"))
        if isinstance(value, dict):
            text = value.get("en") or next((v for v in value.values() if isinstance(v, str) and v), "")
            text = text if isinstance(text, str) and text else _as_text(value)
        else:
            text = _as_text(value)
        result.append(Comment(topic, text))
    return result


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "; ".join(f"{humanize(k)}: {_as_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_as_text(v) for v in value)
    return str(value)


def export_columns(activities: list[str]) -> list[tuple[str, str]]:
    """(key, header) metric columns for a CSV of sessions of these activities."""
    columns: dict[str, str] = {}
    for activity in activities:
        for key, info in CATALOGUE.get(activity, {}).items():
            header = f"{info.label} ({info.unit})" if info.unit else info.label
            columns.setdefault(key, header)
    return list(columns.items())
