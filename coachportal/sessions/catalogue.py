"""PLACEHOLDER for the metric catalogue that branch metrics15 builds (issue 15).

Only the interface the compare and session pages use, so this branch runs and is tested on its own;
the merge of metrics15 replaces this file with the real catalogue.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real
from typing import Any

from .models import Activity


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: str
    decimals: int
    summary: str  # "best" or "mean"
    direction: str  # "higher", "lower" or "neutral"
    scale: float = 1.0

    def display(self, value: float | None) -> float | None:
        return None if value is None else round(value * self.scale, self.decimals)

    def format(self, value: float | None) -> str:
        shown = self.display(value)
        return "-" if shown is None else f"{shown:.{self.decimals}f} {self.unit}".strip()

    def summary_label(self, n: int) -> str:
        return f"{self.label} ({self.summary} of {n})" if n > 1 else self.label


@dataclass(frozen=True)
class Summary:
    best: float | None
    mean: float | None
    n: int


@dataclass(frozen=True)
class Difference:
    absolute: float
    percent: float | None
    better: bool | None


_KEYS = {
    Activity.RUNNING: [
        Metric("speed", "Speed", "m/s", 2, "mean", "higher"),
        Metric("cadence", "Cadence", "spm", 0, "mean", "neutral"),
        Metric("contact_time", "Ground contact time", "ms", 0, "mean", "lower", 1000),
    ],
    Activity.JUMPING: [
        Metric("jump_height", "Jump height", "cm", 1, "best", "higher", 100),
        Metric("rsi", "Reactive strength index", "", 2, "best", "higher"),
        Metric("contact_time", "Contact time", "ms", 0, "mean", "lower", 1000),
    ],
    Activity.WEIGHTLIFTING: [
        Metric("max_bar_speed", "Max bar speed", "m/s", 2, "best", "higher"),
        Metric("max_power", "Max power", "W", 0, "best", "higher"),
    ],
}


def key_metrics(activity: str) -> list[Metric]:
    return list(_KEYS.get(activity, []))


def metric(key: str) -> Metric | None:
    return next((m for ms in _KEYS.values() for m in ms if m.key == key), None)


def summarise(metric: Metric, values: Any) -> Summary:
    if isinstance(values, Real) and not isinstance(values, bool):
        values = [values]
    numbers = [
        float(v)
        for v in (values if isinstance(values, list) else [])
        if isinstance(v, Real) and not isinstance(v, bool) and math.isfinite(v)
    ]
    if not numbers:
        return Summary(None, None, 0)
    best = min(numbers) if metric.direction == "lower" else max(numbers)
    return Summary(best, sum(numbers) / len(numbers), len(numbers))


def difference(metric: Metric, base: float, value: float) -> Difference:
    absolute = value - base
    percent = absolute / abs(base) * 100 if base else None
    better = None
    if metric.direction != "neutral" and absolute:
        better = (absolute > 0) == (metric.direction == "higher")
    return Difference(absolute, percent, better)
