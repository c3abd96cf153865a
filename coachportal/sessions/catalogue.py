"""The one place that knows what a metric means: label, display unit and conversion, decimals, how a
session's values are summarised, and whether higher or lower is better.

The provider sends SI units (metres, seconds, kilograms) as per-segment lists (running strides, jumps) or
scalars (weightlifting). Everything that shows a metric (library rows, the session page, the athlete
profile, compare, the CSV export) asks a `Metric` here for its label and text; nothing else formats one.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from numbers import Real
from typing import Any

from .models import Activity

HIGHER, LOWER, NEUTRAL = "higher", "lower", "neutral"
BEST, MEAN = "best", "mean"
KG, LB = "kg", "lb"
LB_PER_KG = 2.2046226218
MISSING = "\u2013"  # an en dash where a session has no value


@dataclass(frozen=True)
class Summary:
    """A session's values of one metric, in the provider's units: best (by direction), mean and count."""

    best: float | None
    mean: float | None
    n: int


@dataclass(frozen=True)
class Difference:
    """`value` against `base`, in display units; `better` is None when neither is better (or equal)."""

    absolute: float
    percent: float | None
    better: bool | None


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: str = ""  # the display unit
    decimals: int = 2
    summary: str = MEAN  # which of best and mean is the session's headline value
    direction: str = NEUTRAL
    group: str = "Other"
    scale: float = 1.0  # display value = provider value * scale
    is_mass: bool = False  # kilograms, shown in pounds where the organization prefers it

    # Conversion -------------------------------------------------------------------------------------

    def display(self, value: Any, *, mass_unit: str = KG) -> float | None:
        """The provider's value in the display unit, or None for what is not a finite number."""
        number = _number(value)
        if number is None:
            return None
        number *= self.scale
        if self.is_mass and mass_unit == LB:
            number *= LB_PER_KG
        return number

    def unit_for(self, mass_unit: str = KG) -> str:
        return LB if self.is_mass and mass_unit == LB else self.unit

    def number(self, value: Any, *, mass_unit: str = KG) -> str:
        """The display value as text, without its unit ("50.4"); a dash when there is none."""
        shown = self.display(value, mass_unit=mass_unit)
        if shown is None:
            return MISSING
        return _digits(shown, self.decimals)

    def format(self, value: Any, *, mass_unit: str = KG) -> str:
        """The display value with its unit ("50.4 cm", "212 ms", "3.41 m/s")."""
        text = self.number(value, mass_unit=mass_unit)
        unit = self.unit_for(mass_unit)
        if text == MISSING or not unit:
            return text
        return f"{text}{unit}" if unit in ("%", "°") else f"{text} {unit}"

    def column_header(self, *, mass_unit: str = KG) -> str:
        """A CSV column header naming the summary and the unit: "Jump height, best (cm)"."""
        unit = self.unit_for(mass_unit)
        return f"{self.label}, {self.summary_word}" + (f" ({unit})" if unit else "")

    def export_value(self, value: Any, *, mass_unit: str = KG) -> float | None:
        """The display value rounded to the catalogue's decimals, as a number for a spreadsheet."""
        shown = self.display(value, mass_unit=mass_unit)
        return None if shown is None else round(shown, self.decimals)

    # Summaries --------------------------------------------------------------------------------------

    @property
    def summary_word(self) -> str:
        return "best" if self.summary == BEST and self.direction != NEUTRAL else "mean"

    def summary_label(self, n: int) -> str:
        """The label with its summary named: "Jump height (best of 4)", or the bare label for one value."""
        if n <= 1:
            return self.label
        return f"{self.label} ({self.summary_word} of {n})"

    def headline(self, summary: Summary) -> float | None:
        """The session's one number for this metric: its best or its mean, as the catalogue says."""
        return summary.best if self.summary_word == "best" else summary.mean

    def is_better(self, a: float, b: float) -> bool:
        """Whether provider value `a` is better than `b` (never, for a neutral metric)."""
        if self.direction == HIGHER:
            return a > b
        if self.direction == LOWER:
            return a < b
        return False

    # Differences ------------------------------------------------------------------------------------

    def format_difference(self, diff: Difference | None, *, mass_unit: str = KG) -> str:
        """A signed difference with its unit and percentage: "+1.2 cm (+2.4%)"."""
        if diff is None:
            return MISSING
        unit = self.unit_for(mass_unit)
        text = _signed(diff.absolute, self.decimals) + (f" {unit}" if unit else "")
        if diff.percent is not None:
            text += f" ({_signed(diff.percent, 1)}%)"
        return text


def _number(value: Any) -> float | None:
    if type(value) is float:  # the common case, without the slower checks against the Real ABC
        return value if math.isfinite(value) else None
    if isinstance(value, bool) or not isinstance(value, Real):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def numbers(value: Any) -> list[float]:
    """The finite numbers in a provider value: a scalar gives one, a per-segment list gives each."""
    if isinstance(value, list):
        return [n for n in (_number(v) for v in value) if n is not None]
    number = _number(value)
    return [] if number is None else [number]


def _digits(value: float, decimals: int) -> str:
    text = f"{value:,.{decimals}f}"
    return "0" if text.lstrip("-").strip("0.,") == "" else text  # no "-0.0"


def _signed(value: float, decimals: int) -> str:
    text = _digits(value, decimals)
    return text if text.startswith("-") or text == "0" else f"+{text}"


def summarise(metric: Metric, values: Any) -> Summary:
    """Best (by the metric's direction; none for a neutral one), mean and count of a session's values."""
    found = numbers(values)
    if not found:
        return Summary(None, None, 0)
    if metric.direction == LOWER:
        best: float | None = min(found)
    elif metric.direction == HIGHER:
        best = max(found)
    else:
        best = None
    return Summary(best, statistics.fmean(found), len(found))


def difference(metric: Metric, base: float | None, value: float | None, *, mass_unit: str = KG):
    """`value` against `base` (provider units) in display units; None when either is missing."""
    shown_base = metric.display(base, mass_unit=mass_unit)
    shown = metric.display(value, mass_unit=mass_unit)
    if shown_base is None or shown is None:
        return None
    absolute = shown - shown_base
    if round(absolute, metric.decimals) == 0:
        absolute = 0.0  # below what is shown, there is no change (and no float noise called "better")
    percent = absolute / abs(shown_base) * 100 if shown_base else None
    better = None if absolute == 0 or metric.direction == NEUTRAL else metric.is_better(value, base)
    return Difference(absolute, percent, better)


def humanize(key: str) -> str:
    text = str(key).replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else "?"


# The catalogue -------------------------------------------------------------------------------------------


def _table(text: str) -> list[Metric]:
    """Read a catalogue table: a group's name on its own line, then its metrics one a line.

    A metric's line is `key | label | display unit | decimals | summary | direction | scale`: summary is
    best or mean, direction higher, lower or neutral, and a scale (blank for 1) turns the provider's SI
    value into the display unit (seconds to ms, metres to cm). A kg unit is a mass, shown in pounds where
    the organization prefers. `#` starts a comment.
    """
    metrics, group = [], "Other"
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if "|" not in line:
            group = line or group
            continue
        key, label, unit, decimals, summary, direction, scale = (cell.strip() for cell in line.split("|"))
        if summary not in (BEST, MEAN) or direction not in (HIGHER, LOWER, NEUTRAL):
            raise ValueError(f"catalogue line for {key!r}: summary {summary!r} or direction {direction!r}")
        scaled = float(scale) if scale else 1.0
        metrics.append(Metric(key, label, unit, int(decimals), summary, direction, group, scaled, unit == KG))
    return metrics


_RUNNING = _table(
    """
    Speed and rhythm
    speed                          | Speed                                | m/s    | 2 | mean | higher  |
    pace                           | Pace                                 | min/km | 2 | mean | lower   |
    cadence                        | Cadence                              | spm    | 0 | mean | neutral |
    stride_length                  | Stride length                        | m      | 2 | mean | neutral |
    stride_time                    | Stride time                          | ms     | 0 | mean | neutral | 1000
    distance                       | Distance                             | m      | 1 | mean | neutral |
    Ground contact
    contact_time                   | Ground contact time                  | ms     | 0 | mean | lower   | 1000
    flight_time                    | Flight time                          | ms     | 0 | mean | neutral | 1000
    contact_angle                  | Contact angle                        | °      | 1 | mean | neutral |
    push_angle                     | Push angle                           | °      | 1 | mean | neutral |
    contact_stability              | Contact stability                    |        | 2 | mean | higher  |
    rbalance                       | Right/left balance                   | %      | 1 | mean | neutral |
    rbalance_stability             | Balance stability                    |        | 2 | mean | higher  |
    Power
    power                          | Power                                | W      | 0 | mean | higher  |
    power_for_1kg                  | Power per kg                         | W/kg   | 2 | mean | higher  |
    Technique
    technique                      | Technique score                      |        | 1 | mean | higher  |
    Setup
    incline                        | Incline                              | °      | 1 | mean | neutral |
    mass                           | Body mass                            | kg     | 1 | mean | neutral |
    """
)
_JUMPING = _table(
    """
    Jump
    jump_height                    | Jump height                          | cm     | 1 | best | higher  | 100
    flight_time                    | Flight time                          | ms     | 0 | best | higher  | 1000
    rsi                            | Reactive strength index              |        | 2 | best | higher  |
    com_velocity_takeoff           | Take-off velocity                    | m/s    | 2 | best | higher  |
    Phases
    contact_time                   | Contact time                         | ms     | 0 | mean | lower   | 1000
    braking_time                   | Braking time                         | ms     | 0 | mean | neutral | 1000
    push_off_time                  | Push-off time                        | ms     | 0 | mean | neutral | 1000
    knee_angle_eccentric           | Knee angle at end of eccentric phase | °      | 1 | mean | neutral |
    Force and power
    peak_power                     | Peak power                           | W      | 0 | best | higher  |
    normalized_power               | Normalized power                     | W/kg   | 1 | best | higher  |
    max_grf_takeoff                | Max GRF at take-off                  | N      | 0 | best | higher  |
    max_grf_landing                | Max GRF at landing                   | N      | 0 | mean | lower   |
    """
)
_WEIGHTLIFTING = _table(
    """
    Bar
    max_bar_speed                  | Max bar speed                        | m/s    | 2 | best | higher  |
    bar_past_the_knee_speed        | Bar speed past the knee              | m/s    | 2 | best | higher  |
    bar_past_the_knee_acceleration | Bar acceleration past the knee       | m/s²   | 2 | mean | neutral |
    barbell_weight                 | Barbell weight                       | kg     | 1 | best | higher  |
    Force and power
    max_GRF                        | Max ground reaction force            | N      | 0 | best | higher  |
    max_power                      | Max power                            | W      | 0 | best | higher  |
    Phases
    start_of_lifting               | Start of lift                        | frame  | 0 | mean | neutral |
    first_pull_end                 | End of first pull                    | frame  | 0 | mean | neutral |
    transition                     | Transition                           | frame  | 0 | mean | neutral |
    second_pull_end                | End of second pull                   | frame  | 0 | mean | neutral |
    catch_end                      | End of catch                         | frame  | 0 | mean | neutral |
    recovery_end                   | End of recovery                      | frame  | 0 | mean | neutral |
    Timing
    # total_time comes in milliseconds already
    total_time                     | Total time                           | ms     | 0 | mean | neutral |
    clean_time                     | Clean time                           | ms     | 0 | mean | lower   |
    """
)
_COMMON = _table(
    """
    Quality
    scale                          | Scale                                |        | 3 | mean | neutral |
    mean_markers_validity          | Marker validity                      |        | 2 | mean | higher  |
    """
)

CATALOGUE: dict[str, dict[str, Metric]] = {
    Activity.RUNNING: {m.key: m for m in _RUNNING},
    Activity.JUMPING: {m.key: m for m in _JUMPING},
    Activity.WEIGHTLIFTING: {m.key: m for m in _WEIGHTLIFTING},
}
COMMON: dict[str, Metric] = {m.key: m for m in _COMMON}

# The few metrics an activity is judged by: the library row, the profile's charts, compare, the session
# page's key numbers. Stored per session as SessionMetric rows by the sync.
KEY_METRICS: dict[str, list[str]] = {
    Activity.RUNNING: ["speed", "cadence", "contact_time", "power"],
    Activity.JUMPING: ["jump_height", "rsi", "contact_time", "peak_power"],
    Activity.WEIGHTLIFTING: ["max_bar_speed", "max_power", "barbell_weight"],
}


def metric(key: str, activity: str | None = None) -> Metric:
    """The catalogue's entry for `key` (of `activity` where labels differ); unknown keys get a plain one."""
    if activity is not None and key in CATALOGUE.get(activity, {}):
        return CATALOGUE[activity][key]
    if key in COMMON:
        return COMMON[key]
    for table in CATALOGUE.values():  # known to another activity: reuse its meaning
        if key in table:
            return table[key]
    return Metric(str(key), humanize(key), "", 3)


def key_metrics(activity: str) -> list[Metric]:
    return [metric(key, activity) for key in KEY_METRICS.get(activity, [])]


def known_metrics(activity: str) -> list[Metric]:
    return list(CATALOGUE.get(activity, {}).values())


def group_order(activity: str) -> list[str]:
    order = list(dict.fromkeys(m.group for m in CATALOGUE.get(activity, {}).values()))
    return [*order, "Quality", "Setup", "Other"]
