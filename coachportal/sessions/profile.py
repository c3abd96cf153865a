"""The athlete profile: per activity, the trend of each key metric over a date range, personal bests, the
organization's median, and what changed since the previous session.

Everything is read from SessionMetric rows through their indexes, in two queries whatever the number of
sessions: the facts (the sessions per activity in all and in the range, the newest session, the all-time
bests, the organization's medians as stored_metrics stores them, every activity's two latest sessions with
their values), then the range's points, whose grouping follows the counts.

A small range keeps a point per session. When an activity has more than SESSION_POINTS sessions in the
range, its points are days, weeks or months instead (the smallest that keeps the chart under MAX_BUCKETS
points), summed up in SQL: the best of the sessions' bests, the mean of their means, the number of
sessions. The personal best stays exact (its value, its session) and marks the point that holds it.
"""

from __future__ import annotations

import functools
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dtime
from urllib.parse import urlencode

from django import forms
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst

from . import catalogue, periods
from .catalogue import Metric
from .models import Activity, MetricMedian, MetricPeriod, Session, SessionMetric, start_of_day

ROLLING = 5  # points (sessions, or days, weeks, months) in the rolling average
SESSION_POINTS = 60  # sessions of one activity in a range drawn one point each; beyond, points are buckets
MAX_BUCKETS = 60  # the most points a chart of buckets may have: days, else weeks, else months
BUCKETS = [("day", 1), ("week", 7), ("month", 31)]
BUCKET_WORDS = {None: "session", "day": "day", "week": "week", "month": "month"}
TABLE_ROWS = 10  # the newest points listed under a chart; the library lists every session
SEASON_START = (8, 1)  # (month, day): a season runs from 1 August
RANGES = [("30d", "30 days"), ("90d", "90 days"), ("season", "This season"), ("all", "All")]
DEFAULT_RANGE = "90d"
# What _points reads of each point, from the rows or the stored periods.
COLUMNS = (
    "activity",
    "key",
    "group",
    "at",
    "last_at",
    "best_hi",
    "best_lo",
    "mean_of",
    "sessions",
    "n_sum",
    "value_sum",
    "value_n",
    "value_hi",
    "value_lo",
)


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


@dataclass(slots=True)
class Point:
    """One session, or (when the range is large) one day, week or month of sessions."""

    session_id: int | None  # the session; for a bucket, its personal-best session if it holds it
    at: object  # aware datetime: the session's time, or the start of the bucket
    value: float | None  # the headline (best or mean, as the catalogue says); a bucket's best headline
    best: float | None
    mean: float | None
    n: int  # values in the session; for a bucket, sessions with a value
    rolling: float | None = None
    is_pb: bool = False
    day: str = ""  # the date (or the bucket) as the page shows it
    sessions: int = 1  # sessions in the point
    value_sum: float = 0.0  # of the sessions' headlines, for the rolling average
    value_n: int = 0
    last_at: object = None  # the bucket's last session (None for a session)
    first_day: str = ""  # a bucket's first day, ISO (what the chart's "from" sends)
    url: str = ""  # where a click on the point goes (filled by present)


@dataclass
class Chart:
    metric: Metric
    points: list[Point]
    pb: SessionMetric | None
    median: float | None
    bucket: str | None = None  # None: a point per session; else "day", "week" or "month"
    sessions: int = 0  # sessions in the range with this metric

    @property
    def point_word(self) -> str:
        return BUCKET_WORDS[self.bucket]


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
                if chart.bucket is None:
                    seen.setdefault(p.session_id, p.at)
        return sorted(seen.items(), key=lambda item: (item[1], item[0]))


class ActivityCount(tuple):
    """(activity, sessions) of the athlete, unpacking as a pair; counted for a range, also the sessions in
    it and the first and last of their times (what decides whether its points are sessions or buckets)."""

    def __new__(cls, activity: str, n: int, in_range: int | None = None, first=None, last=None):
        self = super().__new__(cls, (activity, n))
        self.in_range, self.first, self.last = in_range, first, last
        return self


def within(date_range: DateRange) -> Q:
    """The range as a condition on `recorded_at` (whole days of the current time zone, half open)."""
    within = Q()
    if date_range.start:
        within &= Q(recorded_at__gte=start_of_day(date_range.start))
    if date_range.end:
        within &= Q(recorded_at__lt=start_of_day(date_range.end + timedelta(days=1)))
    return within


@dataclass
class Facts:
    """What the profile reads of the athlete besides its charts' points, all in one query (facts): the
    sessions per activity (ActivityCount, most first), the newest session, the personal bests and the
    organization's medians, and each activity's two latest ready sessions with their key metric values."""

    counts: list[ActivityCount]
    latest: Session | None
    bests: dict[tuple[str, str], SessionMetric]
    medians: dict[tuple[str, str], float]
    recent: dict[str, list[Session]]  # per activity, newest first (at most two)
    values: dict[tuple[int, str], float]  # (session id, metric key) of the recent sessions


def activity_counts(org, athlete, date_range: DateRange) -> list[ActivityCount]:
    """(activity, sessions) of the athlete, most sessions first, each also counting the range: the counts
    of facts, so the profile, its shared page and its PDF count with one rule."""
    return facts(org, athlete, date_range).counts


# Every activity with key metrics, each metric with a direction: the facts' personal bests and changes
# are read for all of them (an activity the athlete has no sessions in reads no row), so the query's SQL
# depends on the range's shape alone, and the counts need not come first.
FACT_ACTIVITIES = tuple(catalogue.KEY_METRICS)
BEST_METRICS = tuple(
    (activity, m.key, m.direction)
    for activity in FACT_ACTIVITIES
    for m in catalogue.key_metrics(activity)
    if m.direction != catalogue.NEUTRAL
)


def facts(org, athlete, date_range: DateRange) -> Facts:
    """The athlete's Facts in one query: the sessions per activity (in all and in the range, with the
    range's first and last of their times), the newest session (a walk of the (organization, athlete, ...,
    recorded_at) index to its newest entry), per metric with a direction the best session (a walk of the
    (organization, athlete, activity, key, value) index to its first row), the stored medians, and per
    activity the first two entries of the (organization, athlete, activity, status, -recorded_at) index
    with their metric rows.

    Written as SQL once per shape of range because the ORM spends longer compiling the subqueries than the
    database runs them; one statement because each round trip costs about as much as the smaller parts.
    """
    start = start_of_day(date_range.start) if date_range.start else None
    end = start_of_day(date_range.end + timedelta(days=1)) if date_range.end else None
    adapt = connection.ops.adapt_datetimefield_value
    bounds = [adapt(b) for b in (start, end) if b is not None]
    deleted, ready = Session.Status.DELETED.value, Session.Status.READY.value
    params = [*bounds * 3, org.pk, deleted, athlete.pk, org.pk, athlete.pk, deleted]
    lateral = connection.vendor == "postgresql"
    if lateral:  # the metrics with each direction, then their owner
        for higher in (True, False):
            params += [x for a, k, d in BEST_METRICS if (d == catalogue.HIGHER) == higher for x in (a, k)]
            params += [org.pk, athlete.pk]
    else:
        for activity, key, _ in BEST_METRICS:
            params += [org.pk, athlete.pk, activity, key]
    params += [org.pk, *FACT_ACTIVITIES]
    if lateral:
        params += [*FACT_ACTIVITIES, org.pk, athlete.pk, ready]
    else:
        for activity in FACT_ACTIVITIES:
            params += [org.pk, athlete.pk, activity, ready]
    counts, latest, bests, medians = [], None, {}, {}
    recent: dict[str, list[Session]] = defaultdict(list)
    seen: dict[int, Session] = {}
    values = {}
    for part, activity, key, n1, n2, value, t1, t2, title in _rows(
        _facts_sql(start is not None, end is not None, lateral), params, (6, 7)
    ):
        if part == "c":
            counts.append(ActivityCount(activity, n1, n2, t1, t2))
        elif part == "n":
            latest = Session(id=n1, activity=activity, recorded_at=t1)
        elif part == "b":
            bests[activity, key] = SessionMetric(
                id=n1, session_id=n2, activity=activity, key=key, value=value, recorded_at=t1
            )
        elif part == "m":
            medians[activity, key] = value
        else:  # "l": one of an activity's latest two sessions, with one of its metric rows (if any)
            if n1 not in seen:
                seen[n1] = Session(id=n1, activity=activity, title=title, recorded_at=t1)
                recent[activity].append(seen[n1])
            if key is not None:
                values[n1, key] = value
    counts.sort(key=lambda c: (-c[1], c[0]))
    for found in recent.values():
        found.sort(key=lambda s: (s.recorded_at, s.pk), reverse=True)
    return Facts(counts, latest, bests, medians, dict(recent), values)


@functools.lru_cache(maxsize=8)
def _facts_sql(start: bool, end: bool, lateral: bool = False) -> str:
    """The SQL of facts: a row per fact, as (part, activity, key, two numbers, value, two times, title),
    part being "c" (an activity's count: sessions, in the range, the range's first and last time), "n"
    (the newest session: id, time), "b" (a best: row id, session id, value, time), "m" (a median: value)
    or "l" (a latest session and one of its metric rows: session id, key, value, time, title).

    The parameters: the range's start and end (those there are) three times, the organization, DELETED
    and the athlete for the counts, the organization, the athlete and DELETED for the newest session, the
    organization, athlete, activity and key of each of BEST_METRICS, the organization and FACT_ACTIVITIES
    for the medians, then the organization, athlete, activity and READY of each of FACT_ACTIVITIES.

    `lateral` (PostgreSQL): the bests and the latest sessions as a LATERAL walk per row of a VALUES list
    (the activity and key of each of BEST_METRICS with a direction, then the organization and athlete, for
    higher then lower; FACT_ACTIVITIES, then the organization, athlete and READY), which PostgreSQL plans
    once rather than once per metric: about half the planning time of the statement.
    """
    q = connection.ops.quote_name
    within = " AND ".join([f"{q('recorded_at')} >= %s"] * start + [f"{q('recorded_at')} < %s"] * end)
    only = f" FILTER (WHERE {within})" if within else ""
    sessions, metrics = q(Session._meta.db_table), q(SessionMetric._meta.db_table)
    # Identifiers are ours (quoted); every value is a parameter. The NULLs are in the outermost selects,
    # where they take the types of the other parts' columns (PostgreSQL), but for the first part's value:
    # PostgreSQL types a union two parts at a time, and two NULLs would make it text.
    counts = (
        f"SELECT 'c', {q('activity')}, NULL, COUNT(*), COUNT({q('recorded_at')}){only},"  # noqa: S608
        f" CAST(NULL AS {connection.data_types['FloatField']}), MIN({q('recorded_at')}){only},"
        f" MAX({q('recorded_at')}){only}, NULL FROM {sessions}"
        f" WHERE {q('organization_id')} = %s AND NOT ({q('status')} = %s) AND {q('athlete_id')} = %s"
        f" GROUP BY {q('activity')}"
    )
    newest = (
        f"SELECT {q('activity')}, {q('id')}, {q('recorded_at')}"  # noqa: S608
        f" FROM {sessions} WHERE {q('organization_id')} = %s AND {q('athlete_id')} = %s"
        f" AND NOT ({q('status')} = %s) ORDER BY {q('recorded_at')} DESC, {q('id')} DESC LIMIT 1"
    )
    first = (
        f"{q('id')} = (SELECT {q('id')} FROM {metrics} WHERE {q('organization_id')} = %s"  # noqa: S608
        f" AND {q('athlete_id')} = %s AND {q('activity')} = %s AND {q('key')} = %s"
        f" AND {q('value')} IS NOT NULL"
        f" ORDER BY {q('value')} {{order}}, {q('recorded_at')}, {q('session_id')} LIMIT 1)"
    )
    conditions = " OR ".join(
        first.format(order="DESC" if direction == catalogue.HIGHER else "ASC")
        for _, _, direction in BEST_METRICS
    )
    latest_two = (
        f"SELECT * FROM (SELECT {q('id')}, {q('activity')}, {q('title')}, {q('recorded_at')}"  # noqa: S608
        f" FROM {sessions} WHERE {q('organization_id')} = %s AND {q('athlete_id')} = %s"
        f" AND {q('activity')} = %s AND {q('status')} = %s"
        f" ORDER BY {q('recorded_at')} DESC LIMIT 2) {{alias}}"
    )
    # A union of the index walks, joined to their metric rows (an OR of IN subqueries is a scan of every
    # session to PostgreSQL).
    latest = " UNION ALL ".join(latest_two.format(alias=q(f"latest{i}")) for i in range(len(FACT_ACTIVITIES)))
    columns = ", ".join(q(f) for f in ("id", "session_id", "activity", "key", "value", "recorded_at"))
    best_rows = f"SELECT {columns} FROM {metrics} WHERE {conditions}"  # noqa: S608
    if lateral:
        walks = []
        of_m = ", ".join(f"m.{column}" for column in columns.split(", "))
        for higher in (True, False):
            pairs = sum(1 for _, _, d in BEST_METRICS if (d == catalogue.HIGHER) == higher)
            if not pairs:
                continue
            walks.append(
                f"SELECT b.* FROM (VALUES {', '.join(['(%s, %s)'] * pairs)})"  # noqa: S608
                f" w({q('activity')}, {q('key')}) CROSS JOIN LATERAL (SELECT {of_m}"
                f" FROM {metrics} m WHERE m.{q('organization_id')} = %s"
                f" AND m.{q('athlete_id')} = %s AND m.{q('activity')} = w.{q('activity')}"
                f" AND m.{q('key')} = w.{q('key')} AND m.{q('value')} IS NOT NULL"
                f" ORDER BY m.{q('value')} {'DESC' if higher else 'ASC'}, m.{q('recorded_at')},"
                f" m.{q('session_id')} LIMIT 1) b"
            )
        best_rows = " UNION ALL ".join(walks)
        latest = (
            f"SELECT l.* FROM (VALUES {', '.join(['(%s)'] * len(FACT_ACTIVITIES))}) w({q('activity')})"  # noqa: S608
            f" CROSS JOIN LATERAL (SELECT x.{q('id')}, x.{q('activity')}, x.{q('title')},"
            f" x.{q('recorded_at')} FROM {sessions} x WHERE x.{q('organization_id')} = %s"
            f" AND x.{q('athlete_id')} = %s AND x.{q('activity')} = w.{q('activity')}"
            f" AND x.{q('status')} = %s ORDER BY x.{q('recorded_at')} DESC LIMIT 2) l"
        )
    parts = [
        counts,
        f"SELECT 'n', {q('activity')}, NULL, {q('id')}, NULL, NULL, {q('recorded_at')}, NULL, NULL"  # noqa: S608
        f" FROM ({newest}) {q('newest')}",
        f"SELECT 'b', {q('activity')}, {q('key')}, {q('id')}, {q('session_id')}, {q('value')},"  # noqa: S608
        f" {q('recorded_at')}, NULL, NULL FROM ({best_rows}) {q('best')}",
        f"SELECT 'm', {q('activity')}, {q('key')}, NULL, NULL, {q('value')}, NULL, NULL, NULL"  # noqa: S608
        f" FROM {q(MetricMedian._meta.db_table)} WHERE {q('organization_id')} = %s"
        f" AND {q('activity')} IN ({', '.join(['%s'] * len(FACT_ACTIVITIES))})",
        f"SELECT 'l', s.{q('activity')}, m.{q('key')}, s.{q('id')}, NULL, m.{q('value')},"  # noqa: S608
        f" s.{q('recorded_at')}, NULL, s.{q('title')} FROM ({latest}) s"
        f" LEFT JOIN {metrics} m ON m.{q('session_id')} = s.{q('id')}",
    ]
    return " UNION ALL ".join(parts)


def trends(org, athlete, date_range: DateRange, found: Facts) -> list[ActivityTrend]:
    """The athlete's trend of every key metric of every activity they have sessions in (`found.counts`),
    from `found` (facts of the same range) and one query for the points."""
    counts = found.counts
    result = [
        ActivityTrend(activity, Activity.label_for(activity), count)
        for activity, count in counts
        if catalogue.KEY_METRICS.get(activity)
    ]
    if not result:
        return []
    buckets = _buckets(counts, date_range)
    stored = _stored_spans(org, buckets, date_range)
    points = _points(
        org, athlete, date_range, buckets, stored=stored, activities=[t.activity for t in result]
    )
    bests, medians = found.bests, found.medians
    _changes(result, found)
    for trend in result:
        bucket = buckets.get(trend.activity)
        for metric in catalogue.key_metrics(trend.activity):
            pb = bests.get((trend.activity, metric.key))
            series = points.get((trend.activity, metric.key), [])
            _rolling(series)
            _mark(series, pb, bucket)
            trend.charts.append(
                Chart(
                    metric,
                    series,
                    pb,
                    medians.get((trend.activity, metric.key)),
                    bucket if series else None,
                    sum(p.sessions for p in series),
                )
            )
    return result


def _buckets(counts: list[ActivityCount], date_range: DateRange) -> dict[str, str]:
    """The bucket of each activity with more than SESSION_POINTS sessions in the range: the smallest of
    day, week and month that keeps its chart under MAX_BUCKETS points."""
    buckets = {}
    for count in counts:
        if not count.in_range or count.in_range <= SESSION_POINTS:
            continue
        start = start_of_day(date_range.start) if date_range.start else count.first
        end = start_of_day(date_range.end + timedelta(days=1)) if date_range.end else count.last
        days = max((end - start).days, (count.last - count.first).days) + 1
        buckets[count[0]] = next((kind for kind, size in BUCKETS if days / size <= MAX_BUCKETS), "month")
    return buckets


def _stored_spans(org, buckets: dict[str, str], date_range: DateRange) -> dict[str, tuple]:
    """For each activity drawn a week or a month at a time, the span (first, end) of whole periods of the
    range that MetricPeriod holds summed up: only in the organization's own time zone, which they are cut
    in. The range's partial periods at either end are left to the rows (first and end are None for an
    open side)."""
    zone = timezone.get_current_timezone()
    if getattr(zone, "key", None) != periods.zone_of(org.time_zone).key:
        return {}
    start = start_of_day(date_range.start) if date_range.start else None
    end = start_of_day(date_range.end + timedelta(days=1)) if date_range.end else None
    spans = {}
    for activity, kind in buckets.items():
        if kind not in periods.KINDS:
            continue
        first = start
        if start is not None and periods.period_start(start, kind) != start:
            first = periods.period_end(periods.period_start(start, kind), kind)
        last = periods.period_start(end, kind) if end is not None else None
        if first is not None and last is not None and first >= last:
            continue  # no whole period in the range
        spans[activity] = (kind, first, last, zone.key)
    return spans


def _points(
    org, athlete, date_range: DateRange, buckets: dict[str, str], stored=None, activities=()
) -> dict[tuple[str, str], list[Point]]:
    """The points of every series of the athlete in the range, oldest first, in one query.

    Activities in `buckets` are grouped by their day, week or month (of the current time zone), the others
    by session; each group gives its first and last time, best and worst best, mean of means, sessions,
    and the sum, count and extremes of the headline values. The whole weeks or months of `stored` (from
    _stored_spans) are read from MetricPeriod, which holds the same numbers summed up on write; then only
    `activities` are read.
    """
    zone = timezone.get_current_timezone()
    stored = stored or {}
    start = start_of_day(date_range.start) if date_range.start else None
    end = start_of_day(date_range.end + timedelta(days=1)) if date_range.end else None
    others = tuple(a for a in activities if a not in stored) if stored else None
    sql, slots = _points_sql(
        connection.vendor,
        zone.tzname(None) or str(zone),
        tuple(buckets.items()),
        tuple((a, kind, first is not None, last is not None) for a, (kind, first, last, _) in stored.items()),
        others,
        start is not None,
        end is not None,
    )
    adapt = connection.ops.adapt_datetimefield_value
    values = {"org": org.pk, "athlete": athlete.pk, "start": adapt(start), "end": adapt(end)}
    for activity, (_, first, last, span_zone) in stored.items():
        values["first", activity], values["last", activity] = adapt(first), adapt(last)
        values["zone", activity] = span_zone
    params = [slot[1] if slot[0] == "=" else values[slot] for slot in slots]
    rows = _rows(sql, params, (3, 4))
    points: dict[tuple[str, str], list[Point]] = defaultdict(list)
    local = functools.partial(datetime.astimezone, tz=zone)
    days: dict[int, str] = {}  # one date text per session, shared by its metrics
    starts: dict[datetime, tuple[datetime, str]] = {}  # a bucket's start and first day, by its first time
    texts: dict[tuple, str] = {}  # a bucket's text, shared by its metrics
    lower = {
        (a, m.key)
        for a in catalogue.KEY_METRICS
        for m in catalogue.key_metrics(a)
        if m.direction == catalogue.LOWER
    }
    for activity, key, session_id, at, last_at, hi, lo, mean, sessions, n, vsum, vn, vhi, vlo in rows:
        low = (activity, key) in lower
        if session_id is not None:
            day = days.get(session_id)
            if day is None:
                day = days[session_id] = _day_text(local(at))
            value = vhi  # one session: its headline
            points[activity, key].append(
                Point(session_id, at, value, hi, mean, n, day=day, value_sum=vsum or 0.0, value_n=vn)
            )
            continue
        bucket = buckets[activity]
        if at not in starts:
            day = periods.first_day(local(at).date(), bucket)  # in the zone at hand
            starts[at] = datetime.combine(day, dtime.min, tzinfo=zone), day.isoformat()
        begins, first_day = starts[at]
        text = texts.get((begins, bucket, sessions))
        if text is None:
            text = texts[begins, bucket, sessions] = _bucket_text(begins, bucket, sessions)
        points[activity, key].append(
            Point(
                None,
                begins,
                vlo if low else vhi,
                lo if low else hi,
                mean,
                vn,
                day=text,
                sessions=sessions,
                value_sum=vsum or 0.0,
                value_n=vn,
                last_at=last_at,
                first_day=first_day,
            )
        )
    return points


@functools.lru_cache(maxsize=256)
def _points_sql(
    vendor: str,
    zone: str,
    buckets: tuple[tuple[str, str], ...],
    spans: tuple[tuple[str, str, bool, bool], ...],
    others: tuple[str, ...] | None,
    start: bool,
    end: bool,
) -> tuple[str, tuple]:
    """The SQL of _points for one shape of request (written once per shape, not per request through the
    ORM, which spent longer building it than the database runs it), and the slot of each parameter: a
    name of _points' values, or ("=", value) for a constant of the shape.

    `spans` are (activity, kind, has first, has last) of the periods read from MetricPeriod; `others`
    the activities read from the rows besides the spans' partial periods (None: every activity, no span).
    """
    q = connection.ops.quote_name
    slots: list = []

    def param(slot) -> str:
        slots.append(slot)
        return "%s"

    def constant(value) -> str:
        return param(("=", value))

    def owner() -> str:
        return f"{q('organization_id')} = {param('org')} AND {q('athlete_id')} = {param('athlete')}"

    # Each piece is written in the order it comes in the SQL, so that its parameters do.
    selects = []
    if others is None or others or any(first or last for _, _, first, last in spans):  # rows to read
        group, period = q("session_id"), "NULL"
        if buckets:
            bucketed = ", ".join(constant(a) for a, _ in buckets)
            group = f"CASE WHEN {q('activity')} IN ({bucketed}) THEN NULL ELSE {q('session_id')} END"
            whens = []
            for activity, kind in buckets:
                condition = f"{q('activity')} = {constant(activity)}"
                trunc, trunc_params = connection.ops.datetime_trunc_sql(kind, q("recorded_at"), (), zone)
                slots.extend(("=", value) for value in trunc_params)
                whens.append(f"WHEN {condition} THEN {trunc}")
            period = f"CASE {' '.join(whens)} ELSE NULL END"
        where = [owner()]
        if start:
            where.append(f"{q('recorded_at')} >= {param('start')}")
        if end:
            where.append(f"{q('recorded_at')} < {param('end')}")
        if others is not None:  # the rows the stored periods do not hold: other activities, partial periods
            rest = []
            if others:
                rest.append(f"{q('activity')} IN ({', '.join(constant(a) for a in others)})")
            for activity, _, first, last in spans:
                for edge, name, has in (("<", "first", first), (">=", "last", last)):
                    if has:
                        rest.append(
                            f"({q('activity')} = {constant(activity)}"
                            f" AND {q('recorded_at')} {edge} {param((name, activity))})"
                        )
            where.append(f"({' OR '.join(rest)})")
        rows = (
            f"SELECT {q('activity')}, {q('key')}, {group} AS {q('grp')}, {period} AS {q('period')},"  # noqa: S608
            f" {q('recorded_at')}, {q('best')}, {q('mean')}, {q('n')}, {q('value')}"
            f" FROM {q(SessionMetric._meta.db_table)} WHERE {' AND '.join(where)}"
        )
        selects.append(
            f"SELECT {q('activity')}, {q('key')}, {q('grp')}, MIN({q('recorded_at')}),"  # noqa: S608
            f" MAX({q('recorded_at')}), MAX({q('best')}), MIN({q('best')}), AVG({q('mean')}), COUNT(*),"
            f" SUM({q('n')}), SUM({q('value')}), COUNT({q('value')}), MAX({q('value')}), MIN({q('value')})"
            f" FROM ({rows}) {q('m')} GROUP BY {q('activity')}, {q('key')}, {q('grp')}, {q('period')}"
        )
    if spans:
        owner_of_periods = owner()
        # The kinds and activities again outside the OR (which implies them), for the index on (organization,
        # athlete, kind, activity, ...): without them SQLite walks every period of the athlete.
        kinds = ", ".join(constant(kind) for kind in sorted({kind for _, kind, _, _ in spans}))
        activities = ", ".join(constant(activity) for activity, _, _, _ in spans)
        wanted = []
        for activity, kind, first, last in spans:
            condition = [
                f"{q('activity')} = {constant(activity)}",
                f"{q('kind')} = {constant(kind)}",
                f"{q('zone')} = {param(('zone', activity))}",
            ]
            if first:
                condition.append(f"{q('start')} >= {param(('first', activity))}")
            if last:
                condition.append(f"{q('start')} < {param(('last', activity))}")
            wanted.append(f"({' AND '.join(condition)})")
        # SQLite: the times as their stored text (a unary plus), which _rows parses faster than the
        # driver's converter for the column's declared type.
        plus = "+" if vendor == "sqlite" else ""
        selects.append(
            f"SELECT {q('activity')}, {q('key')}, NULL, {plus}{q('first_at')}, {plus}{q('last_at')},"  # noqa: S608
            f" {q('best_hi')}, {q('best_lo')}, {q('mean_sum')} / NULLIF({q('mean_n')}, 0), {q('sessions')},"
            f" {q('value_n')}, {q('value_sum')}, {q('value_n')}, {q('value_hi')}, {q('value_lo')}"
            f" FROM {q(MetricPeriod._meta.db_table)} WHERE {owner_of_periods} AND {q('kind')} IN ({kinds})"
            f" AND {q('activity')} IN ({activities}) AND ({' OR '.join(wanted)})"
        )
    # activity, key, time, group (a session's id; a bucket's NULL)
    return f"{' UNION ALL '.join(selects)} ORDER BY 1, 2, 4, 3", tuple(slots)


def _rows(sql: str, params, times: tuple[int, ...]) -> list[tuple]:
    """The rows of `sql`, its columns at `times` aware datetimes, without the ORM's per-value converters
    (which parse and check every time one call at a time: most of the cost of reading hundreds of points).
    SQLite gives the times in the connection's time zone, as text (aggregates, and the stored text of
    _points' periods) or naive datetimes (columns); PostgreSQL gives aware datetimes already."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _fast_times(cursor.cursor)
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if connection.features.supports_timezones or not rows:
        return rows
    utc = connection.timezone
    parse = datetime.fromisoformat
    result = []
    for row in rows:
        row = list(row)
        for i in times:
            value = row[i]
            if value is None:
                continue
            if type(value) is str:  # an aggregate's text; a plain column comes parsed (naive)
                value = parse(value)
            if value.tzinfo is None:
                row[i] = value.replace(tzinfo=utc)
        result.append(row)
    return result


def _fast_times(cursor) -> None:
    """PostgreSQL: this cursor reads a timestamptz with datetime.fromisoformat (C), not with the loader
    Django registers (psycopg's Python parser, then a new tzinfo): the same aware datetime, in the
    connection's time zone, at a sixth of the cost; psycopg's own parser for what fromisoformat refuses."""
    oid = cursor.adapters.types["timestamptz"].oid
    cursor.adapters.register_loader(
        oid, _times_loader(connection.timezone, cursor.adapters.get_loader(oid, 0))
    )


@functools.lru_cache(maxsize=8)
def _times_loader(zone, fallback: type) -> type:
    from psycopg.adapt import Loader

    parse = datetime.fromisoformat

    class Times(Loader):
        def load(self, data):
            try:
                value = parse(bytes(data).decode())
            except ValueError:  # a year beyond 9999, BC, infinity
                return fallback(self.oid, self._tx).load(data)
            return value if value.tzinfo is zone else value.replace(tzinfo=zone)

    return Times


def _mark(points: list[Point], pb: SessionMetric | None, bucket: str | None) -> None:
    """Ring the point holding the personal best: its session, or the bucket whose sessions include it."""
    if pb is None:
        return
    for p in points:
        if bucket is None:
            p.is_pb = p.session_id == pb.session_id
        elif p.at <= pb.recorded_at <= p.last_at:
            p.is_pb = True
            p.session_id = pb.session_id


def _rolling(points: list[Point]) -> None:
    """The mean headline of the last ROLLING points with one (sessions, or all sessions of the buckets)."""
    sums: list[float] = []  # the window's value_sum and value_n, oldest first
    counts: list[int] = []
    rolling = None  # of an empty window
    for p in points:
        if p.value_n:
            if len(sums) == ROLLING:
                del sums[0], counts[0]
            sums.append(p.value_sum)
            counts.append(p.value_n)
            total = sum(counts)
            rolling = sum(sums) / total if total else None
        p.rolling = rolling


def _changes(trends: list[ActivityTrend], found: Facts) -> None:
    """Each activity's latest session against the one before it, metric by metric (from the facts)."""
    values = found.values
    for trend in trends:
        recent = found.recent.get(trend.activity, [])
        trend.latest = recent[0] if recent else None
        trend.previous = recent[1] if len(recent) > 1 else None
    for trend in trends:
        if trend.previous is None:
            continue
        for metric in catalogue.key_metrics(trend.activity):
            before = values.get((trend.previous.pk, metric.key))
            after = values.get((trend.latest.pk, metric.key))
            if before is None and after is None:
                continue
            trend.changes.append(Change(metric, before, after, catalogue.difference(metric, before, after)))


def today() -> date:
    return timezone.localdate()


# Presentation: strings for the template and numbers for the charts, all through the catalogue ------------


def day_text(at) -> str:
    return _day_text(timezone.localtime(at))


def _day_text(local: datetime) -> str:
    return f"{local.day} {local:%b %Y}"


def _last_day(day: date, bucket: str) -> date:
    if bucket == "week":
        return day + timedelta(days=6)
    if bucket == "month":
        following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        return following - timedelta(days=1)
    return day


def _bucket_text(local: datetime, bucket: str, sessions: int) -> str:
    count = f"{sessions} session{'s' if sessions != 1 else ''}"
    if bucket == "week":
        return f"Week of {local.day} {local:%b %Y} · {count}"
    if bucket == "month":
        return f"{local:%b %Y} · {count}"
    return f"{local.day} {local:%b %Y} · {count}"


def _library_query(library_url: str, **params) -> str:
    query = urlencode({k: v for k, v in params.items() if v})
    if not query:
        return library_url
    return f"{library_url}{'&' if '?' in library_url else '?'}{query}"


def _link_points(chart: Chart, *, session_url) -> None:
    """Where a click on a point goes: its session (for a bucket, only the one holding the personal best;
    the script sends a click on any other bucket to the library, filtered to the bucket's days)."""
    for p in chart.points:
        if chart.bucket is None or p.is_pb:
            p.url = session_url(p.session_id) if p.session_id is not None else ""


def rolling_label(chart: Chart) -> str:
    return f"{ROLLING}-{chart.point_word} average"


def chart_data(chart: Chart, *, mass_unit: str, session_url) -> dict:
    """What static/js/profile-charts.js draws: display values, one entry per point (a session, or a day,
    week or month of sessions) in the range."""
    metric = chart.metric
    display = functools.partial(metric.display, mass_unit=mass_unit)
    places = metric.decimals + 1  # one more than the page shows, and no float noise in the JSON

    def shown(value):
        number = display(value)
        return None if number is None else round(number, places)

    scale, pounds = metric.scale, metric.is_mass and mass_unit == catalogue.LB

    def shown_all(values):
        """shown() of each value; a finite float (nearly all) converted inline, in display's steps."""
        result = []
        for value in values:
            if type(value) is float and math.isfinite(value):
                number = value * scale
                if pounds:
                    number *= catalogue.LB_PER_KG
                result.append(round(number, places))
            else:
                result.append(shown(value))
        return result

    points = chart.points
    return {
        "label": metric.label,
        "unit": metric.unit_for(mass_unit),
        "decimals": metric.decimals,
        "headline": metric.summary_word,
        "bucket": chart.bucket,
        "point": chart.point_word,
        "rolling": rolling_label(chart),
        "t": [int(p.at.timestamp()) for p in points],
        "dates": [p.day for p in points],
        "best": shown_all([p.best for p in points]),
        "mean": shown_all([p.mean for p in points]),
        "avg": shown_all([p.rolling for p in points]),
        "pb": [i for i, p in enumerate(points) if p.is_pb],
        "pb_value": shown(chart.pb.value) if chart.pb is not None else None,
        "median": shown(chart.median),
        "urls": [p.url or (session_url(p.session_id) if p.session_id is not None else "") for p in points],
        # A bucket's first day; with "library" (the library on the athlete and activity), the script opens
        # the library on the bucket's days when a bucket point is clicked.
        "from": [p.first_day or timezone.localtime(p.at).date().isoformat() for p in points]
        if chart.bucket
        else [],
        "library": "",
    }


def table_rows(
    chart: Chart, *, mass_unit: str, session_url, limit: int | None = TABLE_ROWS, library_url: str = ""
) -> list[dict]:
    """The chart's numbers as table rows, newest first: the newest `limit` points (all with None). Plain
    text for jinja2/sessions/profile_charts.html, which writes (and escapes) them."""
    number = chart.metric.number
    newest = chart.points[::-1][:limit] if limit is not None else chart.points[::-1]
    rows = []
    for p in newest:
        url = p.url or (session_url(p.session_id) if chart.bucket is None else "")
        if not url and library_url:
            first = date.fromisoformat(p.first_day) if p.first_day else timezone.localtime(p.at).date()
            # the library on the bucket's days (ISO dates need no quoting)
            url = f"{library_url}{'&' if '?' in library_url else '?'}date_from={first.isoformat()}"
            url += f"&date_to={_last_day(first, chart.bucket).isoformat()}"
        best = number(p.best, mass_unit=mass_unit)
        if p.is_pb and chart.bucket is None:
            best += " (personal best)"
        elif p.is_pb:
            pb_text = f"{number(chart.pb.value, mass_unit=mass_unit)} on {day_text(chart.pb.recorded_at)}"
            best += f" (personal best {pb_text})"
        rows.append(
            {
                "url": url,
                "day": p.day,
                "best": best,
                "mean": number(p.mean, mass_unit=mass_unit),
                "rolling": number(p.rolling, mass_unit=mass_unit),
            }
        )
    return rows


def present(
    trend: ActivityTrend,
    *,
    mass_unit: str,
    session_url,
    library_url: str | None = None,
    date_range: DateRange | None = None,
) -> dict:
    """Everything the profile template shows of one activity, formatted by the catalogue.

    `library_url` (the library filtered to the athlete) links a bucket to its sessions and each table to
    all the range's sessions; without it (a page outside the organization) buckets do not link.
    """
    charts = []
    all_url = activity_url = ""
    if library_url is not None:
        activity_url = _library_query(library_url, activity=trend.activity)
        all_url = _library_query(
            activity_url,
            date_from=date_range.start.isoformat() if date_range and date_range.start else "",
            date_to=date_range.end.isoformat() if date_range and date_range.end else "",
        )
    for chart in trend.charts:
        metric = chart.metric
        pb = chart.pb
        _link_points(chart, session_url=session_url)
        data = chart_data(chart, mass_unit=mass_unit, session_url=session_url)
        if chart.bucket:
            data["library"] = activity_url
        dom_id = f"chart-{trend.activity}-{metric.key}".replace("_", "-").lower()
        word = chart.point_word
        rolling = rolling_label(chart)
        charts.append(
            {
                "id": dom_id,
                "data_id": f"{dom_id}-data",
                "title": metric.label,
                "headline": metric.summary_word,
                "unit": metric.unit_for(mass_unit),
                "count": len(chart.points),
                "sessions": chart.sessions,
                "bucket": chart.bucket,
                "point_word": word,
                "point_title": word.capitalize(),
                "rolling_label": rolling,
                "rolling_title": capfirst(rolling),
                "shown": min(len(chart.points), TABLE_ROWS),
                "all_url": all_url,
                "data": data,
                "rows": table_rows(
                    chart, mass_unit=mass_unit, session_url=session_url, library_url=activity_url
                ),
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
        "latest_pk": trend.latest.pk if trend.latest else None,
        "latest_date": day_text(trend.latest.recorded_at) if trend.latest else "",
        "previous": trend.previous,
        "previous_pk": trend.previous.pk if trend.previous else None,
        "previous_date": day_text(trend.previous.recorded_at) if trend.previous else "",
        "changes": changes,
    }


def _verdict(diff: catalogue.Difference | None) -> str:
    if diff is None or diff.better is None:
        return "same" if diff is not None and diff.absolute == 0 else "neutral"
    return "better" if diff.better else "worse"
