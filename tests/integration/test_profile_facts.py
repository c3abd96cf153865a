"""profile.facts: what the athlete profile reads besides its points (sessions per activity in all and in
the range, the newest session, personal bests, the organization's medians, each activity's two latest
ready sessions with their values) in one statement, checked against the same facts read one at a time
through the ORM. And profile._rows' reading of times on PostgreSQL, which bypasses Django's loader."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.models import Count, Max, Min
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coachportal.sessions import catalogue, profile
from coachportal.sessions.models import MetricMedian, Session, SessionMetric
from tests.factories import make_athlete, make_jumps, make_session

pytestmark = pytest.mark.django_db
NOW = datetime.now(UTC)
RANGES = [
    profile.DateRange("all", None, None),
    profile.DateRange("30d", timezone.localdate() - timedelta(days=29), None),
    profile.DateRange(
        "custom", timezone.localdate() - timedelta(days=300), timezone.localdate() - timedelta(days=20)
    ),
    profile.DateRange("custom", None, timezone.localdate() - timedelta(days=50)),
]


@pytest.fixture
def anna(org_a):
    anna = make_athlete(org_a, "Anna Jumper", aikynetix_user_id="u-anna")
    # Ties for the best (the earlier session holds it), a deleted and a processing session, a session
    # without values, another activity, and another athlete's sessions (which count only for the medians).
    make_jumps(org_a, anna, [(d, [0.3 + (d % 7) / 100, 0.31]) for d in range(2, 400, 9)])
    make_jumps(org_a, anna, [(1, [0.36]), (3, [0.36])])
    make_session(
        org_a, athlete=anna, activity="jumping", recorded_at=NOW - timedelta(hours=5), status="deleted"
    )
    make_session(
        org_a, athlete=anna, activity="jumping", recorded_at=NOW - timedelta(hours=3), status="processing"
    )
    make_session(org_a, athlete=anna, recorded_at=NOW - timedelta(days=40), metrics={})
    for days in (12, 60, 61, 200):
        make_session(org_a, athlete=anna, recorded_at=NOW - timedelta(days=days, hours=days % 5))
    make_jumps(org_a, make_athlete(org_a, "Bo"), [(d, [0.5 + d / 1000]) for d in range(1, 30, 3)])
    return anna


def by_orm(org, athlete, date_range):
    """The facts of `athlete`, a query per fact."""
    mine = Session.objects.filter(organization=org, athlete=athlete).exclude(status="deleted")
    in_range = mine.filter(profile.within(date_range))
    counts = []
    for row in mine.values("activity").annotate(n=Count("id")).order_by():
        found = in_range.filter(activity=row["activity"]).aggregate(
            n=Count("id"), first=Min("recorded_at"), last=Max("recorded_at")
        )
        counts.append((row["activity"], row["n"], found["n"], found["first"], found["last"]))
    counts.sort(key=lambda c: (-c[1], c[0]))
    newest = mine.order_by("-recorded_at", "-id").first()
    bests = {}
    for activity in catalogue.KEY_METRICS:
        for metric in catalogue.key_metrics(activity):
            if metric.direction == catalogue.NEUTRAL:
                continue
            value = "-value" if metric.direction == catalogue.HIGHER else "value"
            best = (
                SessionMetric.objects.filter(
                    organization=org, athlete=athlete, activity=activity, key=metric.key, value__isnull=False
                )
                .order_by(value, "recorded_at", "session_id")
                .first()
            )
            if best is not None:
                bests[activity, metric.key] = (best.pk, best.session_id, best.value, best.recorded_at)
    medians = {(m.activity, m.key): m.value for m in MetricMedian.objects.filter(organization=org)}
    recent, values = {}, {}
    for activity in catalogue.KEY_METRICS:
        two = list(
            Session.objects.filter(
                organization=org, athlete=athlete, activity=activity, status="ready"
            ).order_by("-recorded_at")[:2]
        )
        if two:
            recent[activity] = [(s.pk, s.title, s.recorded_at) for s in two]
        for s in two:
            values.update({(s.pk, m.key): m.value for m in SessionMetric.objects.filter(session=s)})
    return counts, (newest.pk, newest.activity, newest.recorded_at), bests, medians, recent, values


def read(found):
    return (
        [(c[0], c[1], c.in_range, c.first, c.last) for c in found.counts],
        (found.latest.pk, found.latest.activity, found.latest.recorded_at),
        {k: (b.pk, b.session_id, b.value, b.recorded_at) for k, b in found.bests.items()},
        found.medians,
        {a: [(s.pk, s.title, s.recorded_at) for s in two] for a, two in found.recent.items()},
        found.values,
    )


@pytest.mark.parametrize("date_range", RANGES, ids=lambda r: f"{r.key}-{r.start}-{r.end}")
def test_the_facts_read_in_one_statement_are_those_read_one_at_a_time(org_a, anna, date_range):
    with CaptureQueriesContext(connection) as queries:
        found = profile.facts(org_a, anna, date_range)

    assert len(queries) == 1
    assert read(found) == by_orm(org_a, anna, date_range)
    assert found.counts[0].in_range is not None and found.bests and found.medians and found.values
    # the ties: the earlier of the two sessions with the best jump holds it
    best = found.bests["jumping", "jump_height"]
    assert best.value == 0.36 and best.recorded_at < NOW - timedelta(days=2)


def test_an_athlete_without_sessions_has_no_facts(org_a):
    found = profile.facts(org_a, make_athlete(org_a, "Nobody"), RANGES[0])

    assert (found.counts, found.latest, found.bests, found.recent, found.values) == ([], None, {}, {}, {})


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's times are parsed by _rows itself")
def test_times_are_read_as_djangos_loader_reads_them():
    times = [
        datetime(2026, 3, 29, 0, 59, 59, 999999, tzinfo=UTC),
        datetime(1969, 12, 31, 23, 0, tzinfo=UTC),
        datetime(2024, 2, 29, 12, 30, 1, 5, tzinfo=UTC) + timedelta(microseconds=10),
    ]
    sql = "SELECT " + ", ".join(["%s::timestamptz"] * len(times)) + ", NULL::timestamptz"
    with connection.cursor() as cursor:
        cursor.execute(sql, times)
        djangos = cursor.fetchone()

    [ours] = profile._rows(sql, times, ())

    assert tuple(ours) == djangos == (*times, None)
    assert [t.tzinfo for t in ours[:-1]] == [t.tzinfo for t in djangos[:-1]] == [connection.timezone] * 3
    # the plain cursors of the connection keep Django's loader
    with connection.cursor() as cursor:
        loader = cursor.cursor.adapters.get_loader(cursor.cursor.adapters.types["timestamptz"].oid, 0)
    assert "fromisoformat" not in (loader.load.__doc__ or "") and loader.__name__ != "Times"
