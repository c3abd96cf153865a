"""The athlete profile: per activity, the trend of each key metric over a date range, personal bests, the
organization's median, and what changed since the previous session.

Everything is read from SessionMetric rows through their indexes, in a fixed number of queries whatever
the number of sessions: one for the range's points, two for the all-time bests, one per activity for its
two latest sessions and one for their values, and the organization's medians from a short-lived cache.
"""

from __future__ import annotations

import functools
import operator
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from html import escape

from django import forms
from django.core.cache import cache
from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django.utils.safestring import SafeString

from . import catalogue
from .catalogue import Metric
from .models import Activity, Session, SessionMetric, start_of_day

ROLLING = 5  # sessions in the rolling average
MEDIAN_CACHE_SECONDS = 600
SEASON_START = (8, 1)  # (month, day): a season runs from 1 August
RANGES = [("30d", "30 days"), ("90d", "90 days"), ("season", "This season"), ("all", "All")]
DEFAULT_RANGE = "90d"


def season_start(today: date) -> date:
    month, day = SEASON_START
    start = date(today.year, month, day)
    return start if start <= today else date(today.year - 1, month, day)


class RangeForm(forms.Form):
    """The profile's date range from the query string: a preset, or a custom start and/or end."""

    range = forms.ChoiceField(choices=[*RANGES, ("custom", "Custom")], required=False)
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="From")
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="To")

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "The end date is before the start date.")
        return data


@dataclass(frozen=True)
class DateRange:
    key: str
    start: date | None
    end: date | None

    @property
    def text(self) -> str:
        if self.start and self.end:
            return f"{self.start:%-d %b %Y} to {self.end:%-d %b %Y}"
        if self.start:
            return f"since {self.start:%-d %b %Y}"
        if self.end:
            return f"until {self.end:%-d %b %Y}"
        return "all sessions"


def read_range(query, today: date) -> tuple[DateRange, RangeForm]:
    form = RangeForm(query)
    data = form.cleaned_data if form.is_valid() else {}
    start, end = data.get("start"), data.get("end")
    if start or end:
        return DateRange("custom", start, end), form
    key = data.get("range") or DEFAULT_RANGE
    if key == "30d":
        return DateRange(key, today - timedelta(days=29), None), form
    if key == "90d":
        return DateRange(key, today - timedelta(days=89), None), form
    if key == "season":
        return DateRange(key, season_start(today), None), form
    return DateRange("all", None, None), form


@dataclass
class Point:
    session_id: int
    at: object  # aware datetime
    value: float | None
    best: float | None
    mean: float | None
    n: int
    rolling: float | None = None
    is_pb: bool = False
    day: str = ""  # the date as the page shows it


@dataclass
class Chart:
    metric: Metric
    points: list[Point]
    pb: SessionMetric | None
    median: float | None


@dataclass
class Change:
    metric: Metric
    previous: float | None
    latest: float | None
    difference: catalogue.Difference | None


@dataclass
class ActivityTrend:
    activity: str
    label: str
    count: int
    charts: list[Chart] = field(default_factory=list)
    latest: Session | None = None
    previous: Session | None = None
    changes: list[Change] = field(default_factory=list)

    @property
    def sessions(self) -> list[tuple]:
        """(session id, recorded_at) of every point in the range, oldest first (the table's rows)."""
        seen: dict[int, object] = {}
        for chart in self.charts:
            for p in chart.points:
                seen.setdefault(p.session_id, p.at)
        return sorted(seen.items(), key=lambda item: (item[1], item[0]))


def activity_counts(org, athlete) -> list[tuple[str, int]]:
    """(activity, sessions) of the athlete, most sessions first."""
    rows = (
        Session.objects.for_org(org)
        .visible()
        .for_athlete(athlete)
        .values("activity")
        .annotate(n=Count("pk"))
        .order_by("-n", "activity")
    )
    return [(row["activity"], row["n"]) for row in rows]


def trends(org, athlete, date_range: DateRange, counts: list[tuple[str, int]]) -> list[ActivityTrend]:
    """The athlete's trend of every key metric of every activity they have sessions in (`counts`)."""
    result = [
        ActivityTrend(activity, Activity.label_for(activity), count)
        for activity, count in counts
        if catalogue.KEY_METRICS.get(activity)
    ]
    if not result:
        return []
    rows = SessionMetric.objects.filter(organization=org, athlete=athlete)
    in_range = rows
    if date_range.start:
        in_range = in_range.filter(recorded_at__gte=start_of_day(date_range.start))
    if date_range.end:
        in_range = in_range.filter(recorded_at__lt=start_of_day(date_range.end + timedelta(days=1)))
    points: dict[tuple[str, str], list[Point]] = defaultdict(list)
    days: dict[int, str] = {}  # one date text per session, shared by its metrics
    for activity, key, session_id, at, value, best, mean, n in in_range.order_by(
        "recorded_at", "session_id"
    ).values_list("activity", "key", "session_id", "recorded_at", "value", "best", "mean", "n"):
        day = days.get(session_id) or days.setdefault(session_id, day_text(at))
        points[activity, key].append(Point(session_id, at, value, best, mean, n, day=day))
    medians = org_medians(org, [t.activity for t in result])
    bests = personal_bests(rows, result)
    _changes(org, athlete, result)
    for trend in result:
        for metric in catalogue.key_metrics(trend.activity):
            pb = bests.get((trend.activity, metric.key))
            series = points.get((trend.activity, metric.key), [])
            _rolling(series)
            for p in series:
                p.is_pb = pb is not None and p.session_id == pb.session_id
            trend.charts.append(Chart(metric, series, pb, medians.get((trend.activity, metric.key))))
    return result


def _rolling(points: list[Point]) -> None:
    window: list[float] = []
    for p in points:
        if p.value is not None:
            window = [*window[-(ROLLING - 1) :], p.value]
        p.rolling = statistics.fmean(window) if window else None


def personal_bests(rows, trends: list[ActivityTrend]) -> dict[tuple[str, str], SessionMetric]:
    """The athlete's best session of each key metric with a direction (the first to reach it), in two
    queries: the best values per (activity, key) from the value index, then the rows that hold them."""
    wanted = {
        (t.activity, m.key): m
        for t in trends
        for m in catalogue.key_metrics(t.activity)
        if m.direction != catalogue.NEUTRAL
    }
    if not wanted:
        return {}
    extremes = (
        rows.filter(value__isnull=False).values("activity", "key").annotate(hi=Max("value"), lo=Min("value"))
    )
    targets = {}
    for row in extremes:
        metric = wanted.get((row["activity"], row["key"]))
        if metric is not None:
            targets[row["activity"], row["key"]] = (
                row["hi"] if metric.direction == catalogue.HIGHER else row["lo"]
            )
    if not targets:
        return {}
    holders = (
        rows.filter(
            functools.reduce(operator.or_, (Q(activity=a, key=k, value=v) for (a, k), v in targets.items()))
        )
        .order_by("recorded_at", "session_id")
        .only("session_id", "activity", "key", "value", "recorded_at")
    )
    found: dict[tuple[str, str], SessionMetric] = {}
    for row in holders:
        found.setdefault((row.activity, row.key), row)
    return found


def org_medians(org, activities: list[str]) -> dict[tuple[str, str], float | None]:
    """The organization's median session value of each key metric, cached for a few minutes."""
    keys = {
        (a, m.key): f"library:median:{org.pk}:{a}:{m.key}"
        for a in activities
        for m in catalogue.key_metrics(a)
    }
    cached = cache.get_many(keys.values())
    result: dict[tuple[str, str], float | None] = {}
    for (activity, key), name in keys.items():
        if name in cached:
            result[activity, key] = cached[name]
            continue
        result[activity, key] = median = _median(org, activity, key)
        cache.set(name, median, MEDIAN_CACHE_SECONDS)
    return result


def _median(org, activity: str, key: str) -> float | None:
    """The middle value, read by walking the (organization, activity, key, value) index to it."""
    values = SessionMetric.objects.filter(organization=org, activity=activity, key=key, value__isnull=False)
    n = values.count()
    if not n:
        return None
    middle = list(values.order_by("value").values_list("value", flat=True)[(n - 1) // 2 : n // 2 + 1])
    return statistics.fmean(middle)


def _changes(org, athlete, trends: list[ActivityTrend]) -> None:
    """Each activity's latest session against the one before it, metric by metric."""
    sessions = Session.objects.for_org(org).ready().for_athlete(athlete).only("id", "title", "recorded_at")
    for trend in trends:
        # The (organization, athlete, -recorded_at) index, read from its start until two match.
        latest_two = list(sessions.of_activity(trend.activity).order_by("-recorded_at")[:2])
        trend.latest = latest_two[0] if latest_two else None
        trend.previous = latest_two[1] if len(latest_two) > 1 else None
    pairs = [t for t in trends if t.previous is not None]
    if not pairs:
        return
    values = {
        (row.session_id, row.key): row.value
        for row in SessionMetric.objects.filter(
            session__in=[s.pk for t in pairs for s in (t.latest, t.previous)]
        ).only("session_id", "key", "value")
    }
    for trend in pairs:
        for metric in catalogue.key_metrics(trend.activity):
            before = values.get((trend.previous.pk, metric.key))
            after = values.get((trend.latest.pk, metric.key))
            if before is None and after is None:
                continue
            trend.changes.append(Change(metric, before, after, catalogue.difference(metric, before, after)))


def last_session(org, athlete) -> Session | None:
    return (
        Session.objects.for_org(org)
        .visible()
        .for_athlete(athlete)
        .newest_first()
        .only("id", "title", "recorded_at", "activity")
        .first()
    )


def today() -> date:
    return timezone.localdate()


# Presentation: strings for the template and numbers for the charts, all through the catalogue ------------


def day_text(at) -> str:
    local = timezone.localtime(at)
    return f"{local.day} {local:%b %Y}"


def chart_data(chart: Chart, *, mass_unit: str, session_url) -> dict:
    """What static/js/profile-charts.js draws: display values, one entry per session in the range."""
    metric = chart.metric
    shown = functools.partial(metric.display, mass_unit=mass_unit)
    return {
        "label": metric.label,
        "unit": metric.unit_for(mass_unit),
        "decimals": metric.decimals,
        "headline": metric.summary_word,
        "t": [int(p.at.timestamp()) for p in chart.points],
        "dates": [p.day for p in chart.points],
        "best": [shown(p.best) for p in chart.points],
        "mean": [shown(p.mean) for p in chart.points],
        "avg": [shown(p.rolling) for p in chart.points],
        "pb": [i for i, p in enumerate(chart.points) if p.is_pb],
        "median": shown(chart.median),
        "urls": [session_url(p.session_id) for p in chart.points],
    }


def table_rows(chart: Chart, *, mass_unit: str, session_url) -> SafeString:
    """The chart's numbers as table rows, newest first.

    Built here rather than by a template loop: a 90-day range of a busy athlete is a thousand rows, which
    a template (or format_html_join, through its lazy-string checks) renders in many times the rest of
    the page. Every value is escaped as it goes in; none is a provider or user string (dates and numbers
    we format, URLs made of ids), and the escaping keeps it that way if one ever is.
    """
    metric = chart.metric
    number = metric.number
    rows = [
        f'<tr><th scope="row"><a href="{escape(session_url(p.session_id))}">{escape(p.day)}</a></th>'
        f'<td data-label="Best">{escape(number(p.best, mass_unit=mass_unit))}'
        f"{' (personal best)' if p.is_pb else ''}</td>"
        f'<td data-label="Mean">{escape(number(p.mean, mass_unit=mass_unit))}</td>'
        f'<td data-label="{ROLLING}-session average">'
        f"{escape(number(p.rolling, mass_unit=mass_unit))}</td></tr>"
        for p in reversed(chart.points)
    ]
    return SafeString("\n".join(rows))


def present(trend: ActivityTrend, *, mass_unit: str, session_url) -> dict:
    """Everything the profile template shows of one activity, formatted by the catalogue."""
    charts = []
    for chart in trend.charts:
        metric = chart.metric
        pb = chart.pb
        dom_id = f"chart-{trend.activity}-{metric.key}".replace("_", "-").lower()
        charts.append(
            {
                "id": dom_id,
                "data_id": f"{dom_id}-data",
                "title": metric.label,
                "headline": metric.summary_word,
                "unit": metric.unit_for(mass_unit),
                "count": len(chart.points),
                "data": chart_data(chart, mass_unit=mass_unit, session_url=session_url),
                "rows": table_rows(chart, mass_unit=mass_unit, session_url=session_url),
                "median": metric.format(chart.median, mass_unit=mass_unit)
                if chart.median is not None
                else "",
                "pb": {
                    "value": metric.format(pb.value, mass_unit=mass_unit),
                    "date": day_text(pb.recorded_at),
                    "url": session_url(pb.session_id),
                    "in_range": any(p.is_pb for p in chart.points),
                }
                if pb is not None
                else None,
                "direction": metric.direction,
            }
        )
    changes = [
        {
            "label": change.metric.label,
            "previous": change.metric.format(change.previous, mass_unit=mass_unit),
            "latest": change.metric.format(change.latest, mass_unit=mass_unit),
            "difference": change.metric.format_difference(change.difference, mass_unit=mass_unit),
            "verdict": _verdict(change.difference),
        }
        for change in trend.changes
    ]
    return {
        "activity": trend.activity,
        "label": trend.label,
        "count": trend.count,
        "charts": charts,
        "pbs": [c for c in charts if c["pb"]],
        "latest": trend.latest,
        "latest_date": day_text(trend.latest.recorded_at) if trend.latest else "",
        "previous": trend.previous,
        "previous_date": day_text(trend.previous.recorded_at) if trend.previous else "",
        "changes": changes,
    }


def _verdict(diff: catalogue.Difference | None) -> str:
    if diff is None or diff.better is None:
        return "same" if diff is not None and diff.absolute == 0 else "neutral"
    return "better" if diff.better else "worse"
