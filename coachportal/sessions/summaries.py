"""The athlete profile and a comparison as shown outside the organization's pages: a share link's page and a
PDF report. Built from the profile's and the compare page's own builders (profile.py, compare.py), with
what a recipient must not see left out: the range is fixed when the link or report is made, personal bests
are the range's own (not the all-time ones), and there are no organization medians and no links into the
portal. Every number is formatted by the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.http import QueryDict

from . import catalogue, profile
from . import compare as comparing
from .catalogue import Metric
from .models import Session


def fixed_range(query, today: date) -> profile.DateRange:
    """The profile's range read from `query`, with a preset turned into dates: "the last 30 days" on the day
    a link was made stays those 30 days, so a recipient never sees sessions recorded after it was sent."""
    date_range, _ = profile.read_range(query, today)
    return profile.DateRange("custom", date_range.start, date_range.end or today)


def range_query(date_range: profile.DateRange) -> str:
    """The query string of a fixed range (read back by `fixed_range`)."""
    query = QueryDict(mutable=True)
    if date_range.start:
        query["start"] = date_range.start.isoformat()
    if date_range.end:
        query["end"] = date_range.end.isoformat()
    return query.urlencode()


@dataclass
class ChartSummary:
    """One key metric of one activity over the range, as display text and chart numbers."""

    metric: Metric
    unit: str
    count: int  # sessions in the range with this metric (a point may be a day, week or month of them)
    data: dict  # what static/js/profile-charts.js draws (no links, no median)
    values: list[float | None]  # the session's headline values in display units, oldest first
    days: list[str]
    rows: list[dict]  # the table: newest first
    first: str = ""
    latest: str = ""
    change: str = ""
    verdict: str = "neutral"
    best: str = ""
    best_day: str = ""

    id: str = ""  # the chart's element id on a page

    @property
    def title(self) -> str:
        return self.metric.label

    @property
    def data_id(self) -> str:
        return f"{self.id}-data"


@dataclass
class ActivitySummary:
    activity: str
    label: str
    count: int  # the athlete's sessions of this activity in the range
    charts: list[ChartSummary] = field(default_factory=list)

    @property
    def bests(self) -> list[ChartSummary]:
        return [c for c in self.charts if c.best]


def _no_link(_pk) -> str:
    return ""


def _range_best(metric: Metric, points: list[profile.Point]) -> profile.Point | None:
    """The range's best session of a metric with a direction (the first to reach it)."""
    best = None
    for p in points:
        if p.value is not None and (best is None or metric.is_better(p.value, best.value)):
            best = p
    return best if metric.direction != catalogue.NEUTRAL else None


def _chart(chart: profile.Chart, *, activity: str, mass_unit: str) -> ChartSummary:
    metric, points = chart.metric, chart.points
    best = _range_best(metric, points)
    for p in points:
        p.is_pb = p is best  # a point may be a week of sessions (no one session id), so the point itself
    chart.median = None  # the organization's other athletes are not the recipient's business
    chart.pb = None  # nor the athlete's sessions outside the shared range: its own best is ringed instead
    number = metric.number
    valued = [p for p in points if p.value is not None]
    summary = ChartSummary(
        metric=metric,
        id=f"chart-{activity}-{metric.key}".replace("_", "-").lower(),
        unit=metric.unit_for(mass_unit),
        count=chart.sessions,
        data=profile.chart_data(chart, mass_unit=mass_unit, session_url=_no_link),
        values=[metric.display(p.value, mass_unit=mass_unit) for p in points],
        days=[p.day for p in points],
        rows=[
            {
                "day": p.day,
                "best": number(p.best, mass_unit=mass_unit),
                "mean": number(p.mean, mass_unit=mass_unit),
                "average": number(p.rolling, mass_unit=mass_unit),
                "pb": p.is_pb,
            }
            for p in reversed(points)
        ],
    )
    if valued:
        first, last = valued[0], valued[-1]
        summary.first = metric.format(first.value, mass_unit=mass_unit)
        summary.latest = metric.format(last.value, mass_unit=mass_unit)
        if len(valued) > 1:
            diff = catalogue.difference(metric, first.value, last.value, mass_unit=mass_unit)
            summary.change = metric.format_difference(diff, mass_unit=mass_unit)
            if diff is not None and diff.better is not None:
                summary.verdict = "better" if diff.better else "worse"
    if best is not None:
        summary.best, summary.best_day = metric.format(best.value, mass_unit=mass_unit), best.day
    return summary


def athlete_summary(org, athlete, date_range: profile.DateRange) -> list[ActivitySummary]:
    """Per activity, the athlete's key metrics over `date_range`: chart, table, first, latest, best."""
    found = profile.facts(org, athlete, date_range)
    in_range = {count[0]: count.in_range for count in found.counts}
    result = []
    for trend in profile.trends(org, athlete, date_range, found):
        charts = [
            _chart(chart, activity=trend.activity, mass_unit=org.mass_unit)
            for chart in trend.charts
            if chart.points
        ]
        if charts:
            result.append(ActivitySummary(trend.activity, trend.label, in_range[trend.activity], charts))
    return result


def sessions_in_range(org, athlete, date_range: profile.DateRange):
    """The athlete's sessions in the range, as a subquery of ids (a range may hold thousands)."""
    sessions = Session.objects.for_org(org).visible().for_athlete(athlete).filter(profile.within(date_range))
    return sessions.values("pk")


def compared_sessions(org, ids: list[int]) -> list[Session] | None:
    """The sessions of a comparison in its order, or None when any of them is not `org`'s or is gone."""
    sessions = Session.objects.for_org(org).visible().select_related("athlete").filter(pk__in=ids)
    found = {s.pk: s for s in sessions}
    if len(found) != len(set(ids)):
        return None
    return [found[pk] for pk in ids]


def read_comparison(org, query: QueryDict):
    """(sessions, offsets, refusal) of a compare query; sessions is None when one is not `org`'s."""
    selection = comparing.read_selection(query)
    sessions = compared_sessions(org, selection.ids) if selection.ids else None
    if sessions is None:
        return None, [], ""
    refusal = comparing.mixed_activities(sessions) or ("" if selection.enough else comparing.TOO_FEW)
    return sessions, selection.offsets, refusal
