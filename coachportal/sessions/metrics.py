"""How a session's metrics are shown: the library row's few numbers, the detail page's grouped tables,
the report comments and the export's columns, all worded and formatted by the catalogue.

Metrics are per-segment arrays (running, jumping) or scalars (weightlifting); keys we do not know are
still shown, under "Other", with a label made from the key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import catalogue
from .catalogue import humanize


def key_metrics(activity: str, metrics: dict[str, Any]) -> dict[str, str]:
    """Return {summary label: formatted value} for the library row; computed once at sync time."""
    shown: dict[str, str] = {}
    for metric in catalogue.key_metrics(activity)[:2]:
        summary = catalogue.summarise(metric, metrics.get(metric.key))
        value = metric.headline(summary)
        if value is not None and not metric.is_mass:  # masses depend on the viewer's unit: not stored
            shown[metric.summary_label(summary.n)] = metric.format(value)
    return shown


@dataclass(frozen=True)
class MetricRow:
    key: str
    label: str  # with its summary named: "Jump height (best of 4)"
    unit: str
    value: str  # the session's headline value (best or mean, as the label says)
    low: str
    high: str
    per_segment: list[str]
    text: str = ""  # for values that are not numbers


@dataclass(frozen=True)
class MetricGroup:
    name: str
    rows: list[MetricRow]


def metric_groups(
    activity: str, metrics: dict[str, Any], *, mass_unit: str = catalogue.KG
) -> list[MetricGroup]:
    """Group the metrics for the detail page, known groups first, unknown keys last under "Other"."""
    groups: dict[str, list[MetricRow]] = {}
    for key, value in metrics.items():
        metric = catalogue.metric(key, activity)
        found = catalogue.numbers(value)
        if found:
            summary = catalogue.summarise(metric, found)
            series = isinstance(value, list) and len(found) > 1
            row = MetricRow(
                key=str(key),
                label=metric.summary_label(summary.n),
                unit=metric.unit_for(mass_unit),
                value=metric.number(metric.headline(summary), mass_unit=mass_unit),
                low=metric.number(min(found), mass_unit=mass_unit) if series else "",
                high=metric.number(max(found), mass_unit=mass_unit) if series else "",
                per_segment=[metric.number(n, mass_unit=mass_unit) for n in found] if series else [],
            )
        else:
            row = MetricRow(str(key), metric.label, metric.unit, "", "", "", [], text=_as_text(value))
        groups.setdefault(metric.group, []).append(row)
    order = catalogue.group_order(activity)
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


def export_columns(activities: list[str]) -> list[tuple[str, catalogue.Metric]]:
    """(key, metric) columns for a CSV of sessions of these activities, in catalogue order."""
    columns: dict[str, catalogue.Metric] = {}
    for activity in activities:
        for metric in catalogue.known_metrics(activity):
            columns.setdefault(metric.key, metric)
    return list(columns.items())
