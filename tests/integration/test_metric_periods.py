"""The weekly and monthly sums the athlete profile draws long ranges from (MetricPeriod) always equal a
recomputation from the stored key metrics, cut in the organization's time zone: after a sync, a session
deleted upstream, sessions linked to an athlete later or moved to another, a session's new time, and a
change of the organization's time zone."""

import statistics
import zoneinfo
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest

from coachportal.athletes.models import Athlete
from coachportal.organizations import credentials
from coachportal.sessions import catalogue, periods, stored_metrics, sync
from coachportal.sessions.models import MetricMedian, MetricPeriod, Session, SessionMetric
from tests.factories import make_athlete, make_session

pytestmark = pytest.mark.django_db

AUCKLAND = "Pacific/Auckland"  # 13 hours ahead of UTC in December: a UTC Sunday evening is a local Monday


def recomputed(org) -> dict:
    """Every period of `org` summed up in Python from its SessionMetric rows, in its time zone."""
    zone = zoneinfo.ZoneInfo(org.time_zone or "UTC")
    found = defaultdict(list)
    for row in SessionMetric.objects.filter(organization=org, athlete__isnull=False):
        day = row.recorded_at.astimezone(zone).date()
        for kind, first in (("week", day - timedelta(days=day.weekday())), ("month", day.replace(day=1))):
            start = datetime.combine(first, datetime.min.time(), tzinfo=zone)
            found[row.athlete_id, row.activity, row.key, kind, start].append(row)
    summed = {}
    for key, rows in found.items():
        means = [r.mean for r in rows if r.mean is not None]
        values = [r.value for r in rows if r.value is not None]
        bests = [r.best for r in rows if r.best is not None]
        summed[key] = (
            min(r.recorded_at for r in rows),
            max(r.recorded_at for r in rows),
            len(rows),
            max(bests, default=None),
            min(bests, default=None),
            pytest.approx(sum(means)) if means else None,
            len(means),
            pytest.approx(sum(values)) if values else None,
            len(values),
            max(values, default=None),
            min(values, default=None),
        )
    return summed


def stored(org) -> dict:
    return {
        (p.athlete_id, p.activity, p.key, p.kind, p.start): (
            p.first_at,
            p.last_at,
            p.sessions,
            p.best_hi,
            p.best_lo,
            p.mean_sum,
            p.mean_n,
            p.value_sum,
            p.value_n,
            p.value_hi,
            p.value_lo,
        )
        for p in MetricPeriod.objects.filter(organization=org)
    }


def assert_in_step(org):
    org.refresh_from_db()
    expected = recomputed(org)
    assert expected  # the test has something to compare
    assert stored(org) == expected
    assert set(MetricPeriod.objects.filter(organization=org).values_list("zone", flat=True)) == {
        periods.zone_of(org.time_zone).key
    }


def jump(org, athlete, at, heights, **options):
    return make_session(
        org,
        athlete=athlete,
        activity="jumping",
        recorded_at=at,
        metrics={"jump_height": heights, "rsi": [0.5] * len(heights), "contact_time": [0.25] * len(heights)},
        **options,
    )


@pytest.fixture
def auckland(org_a):
    org_a.time_zone = AUCKLAND
    org_a.save(update_fields=["time_zone"])
    return org_a


def test_sessions_written_sum_up_per_week_and_month_of_the_organizations_time_zone(auckland):
    anna = make_athlete(auckland, "Anna")
    # Sunday 30 November 2025, 12:00 UTC: Monday 1 December 01:00 in Auckland (a new week and month).
    sunday_utc = datetime(2025, 11, 30, 12, 0, tzinfo=UTC)
    jump(auckland, anna, sunday_utc, [0.40, 0.50])
    jump(auckland, anna, sunday_utc - timedelta(hours=12), [0.45])  # Sunday 30 Nov, 13:00 local
    jump(auckland, anna, sunday_utc + timedelta(days=3), [0.30])

    assert_in_step(auckland)
    zone = zoneinfo.ZoneInfo(AUCKLAND)
    weeks = {
        p.start.astimezone(zone).date(): p.sessions
        for p in MetricPeriod.objects.filter(kind="week", key="jump_height")
    }
    months = {
        p.start.astimezone(zone).date(): p.sessions
        for p in MetricPeriod.objects.filter(kind="month", key="jump_height")
    }
    assert weeks == {datetime(2025, 11, 24).date(): 1, datetime(2025, 12, 1).date(): 2}
    assert months == {datetime(2025, 11, 1).date(): 1, datetime(2025, 12, 1).date(): 2}


def test_a_session_rewritten_moved_in_time_or_no_longer_ready_leaves_its_periods(auckland):
    anna = make_athlete(auckland, "Anna")
    start = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
    sessions = [jump(auckland, anna, start + timedelta(days=5 * i), [0.3 + i / 100]) for i in range(12)]
    assert_in_step(auckland)

    moved = sessions[3]
    moved.recorded_at = start + timedelta(days=200)
    moved.metrics = {"jump_height": [0.61]}
    moved.save()
    stored_metrics.refresh([moved])
    assert_in_step(auckland)

    gone = sessions[5]
    gone.status = Session.Status.DELETED
    gone.save()
    stored_metrics.refresh([gone])
    assert_in_step(auckland)
    assert not SessionMetric.objects.filter(session=gone).exists()


def test_sessions_moved_to_another_athlete_move_their_sums(auckland):
    anna, bea = make_athlete(auckland, "Anna"), make_athlete(auckland, "Bea")
    start = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    sessions = [jump(auckland, anna, start + timedelta(days=3 * i), [0.4]) for i in range(10)]
    Session.objects.filter(pk__in=[s.pk for s in sessions[::2]]).update(athlete=bea)
    Session.objects.filter(pk=sessions[1].pk).update(athlete=None)

    assert stored_metrics.follow_athletes(auckland) == 3 * 6  # three key metrics per jump
    assert_in_step(auckland)
    assert MetricPeriod.objects.filter(athlete=bea).exists()


def test_a_new_time_zone_cuts_the_periods_again(auckland):
    anna = make_athlete(auckland, "Anna")
    jump(auckland, anna, datetime(2025, 11, 30, 12, 0, tzinfo=UTC), [0.4])
    assert_in_step(auckland)

    auckland.time_zone = "America/Los_Angeles"
    auckland.save(update_fields=["time_zone"])

    assert_in_step(auckland)


@pytest.fixture
def holder(aikynetix_sandbox, settings):
    settings.AIKYNETIX_BASE_URL = aikynetix_sandbox.base_url
    return aikynetix_sandbox.create_key_holder(
        admin=True, users=[("u-ana", "Ana Jumper")], processing_seconds=3600
    )


def test_the_sync_keeps_the_sums_through_deletion_and_a_later_athlete_link(
    auckland, holder, aikynetix_sandbox, aikynetix_video
):
    credentials.save_key(auckland, "aikynetix", api_key=holder.key, label="", actor=None)
    with aikynetix_sandbox.client(holder.key) as client:
        ids = [client.upload("jumping", aikynetix_video, user_id="u-ana").session_id for _ in range(3)]
    for session_id in ids:
        aikynetix_sandbox.complete_session(session_id)
    sync.sync_organization(auckland)
    assert not MetricPeriod.objects.exists()  # no athlete yet: nothing to draw

    ana = Athlete.objects.create(organization=auckland, name="Ana", aikynetix_user_id="u-ana")
    sync.sync_organization(auckland)
    assert_in_step(auckland)
    assert MetricPeriod.objects.filter(athlete=ana, kind="week", key="jump_height").get().sessions == 3

    with aikynetix_sandbox.client(holder.key) as client:
        client.delete_session(ids[0])
    sync.sync_organization(auckland, full=True)

    assert_in_step(auckland)
    assert MetricPeriod.objects.filter(athlete=ana, kind="week", key="jump_height").get().sessions == 2


@pytest.mark.parametrize(
    "start, end",
    [
        (None, None),  # all: every month stored
        (datetime(2024, 3, 17).date(), None),  # a custom start mid-month: a partial first month
        (datetime(2023, 9, 13).date(), datetime(2024, 9, 4).date()),  # weeks, both ends partial
    ],
)
def test_the_profile_draws_the_same_points_from_the_sums_as_from_the_rows(auckland, start, end):
    from django.utils import timezone

    from coachportal.sessions import profile

    anna = make_athlete(auckland, "Anna")
    first = datetime(2023, 6, 1, 11, 0, tzinfo=UTC)
    sessions = []
    for i in range(150):
        at = first + timedelta(days=5 * i, hours=7 * (i % 4))
        sessions.append(jump(auckland, anna, at, [0.3 + (i % 17) / 100, 0.35], store_metrics=False))
        sessions.append(
            make_session(
                auckland,
                athlete=anna,
                recorded_at=at,
                metrics={"speed": [3.0 + i % 5 / 10]},
                store_metrics=False,
            )
        )
    # The rows and their weekly and monthly sums written in one go (the tests above write them one session
    # at a time): what is compared below is the profile's reading of them.
    stored_metrics.refresh(sessions)
    assert_in_step(auckland)
    date_range = profile.DateRange("custom", start, end)

    with timezone.override(zoneinfo.ZoneInfo(AUCKLAND)):
        counts = profile.activity_counts(auckland, anna, date_range)
        buckets = profile._buckets(counts, date_range)
        assert buckets  # the range is drawn in days, weeks or months
        spans = profile._stored_spans(auckland, buckets, date_range)
        assert spans  # some whole weeks or months come from MetricPeriod
        live = profile._points(auckland, anna, date_range, buckets)
        summed = profile._points(
            auckland, anna, date_range, buckets, stored=spans, activities=["jumping", "running"]
        )

    def shown(points):
        return {
            series: [
                (p.at, p.last_at, p.day, p.sessions, p.best, p.value, p.value_n, round(p.mean, 9))
                for p in found
            ]
            for series, found in points.items()
        }

    assert shown(summed) == shown(live)
    assert sum(len(found) for found in live.values()) > 0


def test_a_session_redated_then_deleted_by_an_admin_moves_then_leaves_its_sums(
    client_for, olivia, mirrored, aikynetix_sandbox
):
    org = mirrored.organization
    ana = Athlete.objects.create(organization=org, name="Ana", aikynetix_user_id="u-ana")
    sync.sync_organization(org)  # the session follows its athlete
    make_session(org, athlete=ana, recorded_at=datetime(2025, 1, 20, 9, 0, tzinfo=UTC))
    assert_in_step(org)
    url = f"/o/{org.slug}/sessions/{mirrored.pk}/"
    client = client_for(olivia)

    redated = client.post(url + "edit/", {"title": "Tempo", "recorded_at": "2025-02-06T14:30"})

    assert redated.status_code == 302
    assert_in_step(org)
    february = datetime(2025, 2, 1, tzinfo=UTC)
    assert MetricPeriod.objects.filter(athlete=ana, kind="month", start=february).exists()

    assert client.post(url + "delete/").status_code == 302

    assert_in_step(org)
    assert not MetricPeriod.objects.filter(athlete=ana, kind="month", start=february).exists()


def assert_rows_and_medians_in_step(org):
    """The key-metric rows equal those recomputed from each session's stored metrics, and each stored
    median is the median of its rows' values."""
    expected = {
        tuple(values.values())
        for session in Session.objects.filter(organization=org)
        for values in (stored_metrics.row_values(session) if session.status == Session.Status.READY else [])
    }
    fields = ["session_id", "organization_id", "athlete_id", "activity", "key", "value", "best", "mean", "n"]
    written = set(SessionMetric.objects.filter(organization=org).values_list(*fields, "recorded_at"))
    assert expected and written == expected
    medians = {
        (m.activity, m.key): (m.value, m.sessions) for m in MetricMedian.objects.filter(organization=org)
    }
    for activity in {activity for _, _, _, activity, *_ in written}:
        for key in catalogue.KEY_METRICS[activity]:
            values = [v for a, k, v in SessionMetric.objects.values_list("activity", "key", "value") if
                      (a, k) == (activity, key) and v is not None]  # fmt: skip
            assert medians[activity, key] == (
                pytest.approx(statistics.median(values)) if values else None,
                len(values),
            )


def test_a_sync_in_many_batches_stores_rows_sums_and_medians_as_recomputed_from_the_metrics(
    auckland, aikynetix_sandbox, aikynetix_video, settings, monkeypatch
):
    """The mirror writes each batch's rows from the values it holds and the sync sums them up once at its
    end: through new, rewritten, moved, deleted and later-linked sessions, all equal a recomputation."""
    settings.AIKYNETIX_BASE_URL = aikynetix_sandbox.base_url
    settings.SYNC_PAGE_SIZE = 2
    monkeypatch.setattr(sync, "CHUNK", 2)  # batches of two sessions
    holder = aikynetix_sandbox.create_key_holder(
        admin=True, users=[("u-ana", "Ana"), ("u-bea", "Bea")], processing_seconds=3600
    )
    credentials.save_key(auckland, "aikynetix", api_key=holder.key, label="", actor=None)
    ana = Athlete.objects.create(organization=auckland, name="Ana", aikynetix_user_id="u-ana")
    uploads = [
        ("jumping", "u-ana", {}),
        ("running", "u-ana", {}),
        ("jumping", "u-bea", {}),
        ("weightlifting", "u-ana", {"exercise_name": "snatch", "barbell_mass": 70}),
        ("jumping", "u-ana", {}),
        ("running", "u-bea", {}),
        ("jumping", "u-ana", {}),
    ]
    with aikynetix_sandbox.client(holder.key) as client:
        ids = [
            client.upload(a, aikynetix_video, user_id=who, **fields).session_id for a, who, fields in uploads
        ]
    for session_id in ids[:-1]:  # the last one is still being analysed
        aikynetix_sandbox.complete_session(session_id)

    assert sync.sync_organization(auckland, full=True).created == len(ids)
    assert_in_step(auckland)
    assert_rows_and_medians_in_step(auckland)
    assert not SessionMetric.objects.filter(session__external_id=ids[-1]).exists()

    # Upstream: one finished, one moved to another month, one deleted; Bea joins the roster.
    aikynetix_sandbox.complete_session(ids[-1])
    with aikynetix_sandbox.client(holder.key) as client:
        client.update_session(ids[0], created_at=datetime(2025, 2, 6, 14, 30, tzinfo=UTC))
        client.delete_session(ids[4])
    Athlete.objects.create(organization=auckland, name="Bea", aikynetix_user_id="u-bea")

    result = sync.sync_organization(auckland, full=True)

    assert (result.updated, result.deleted) == (4, 1)  # Bea's two sessions are hers now
    assert_in_step(auckland)
    assert_rows_and_medians_in_step(auckland)
    assert SessionMetric.objects.filter(session__external_id=ids[-1], athlete=ana).exists()
    assert not SessionMetric.objects.filter(session__external_id=ids[4]).exists()
    assert MetricPeriod.objects.filter(athlete__name="Bea").exists()
    february = datetime(2025, 2, 1, tzinfo=zoneinfo.ZoneInfo(AUCKLAND))
    assert MetricPeriod.objects.filter(athlete=ana, kind="month", start=february).exists()


def test_a_sync_the_provider_stops_half_way_sums_up_what_it_wrote(
    auckland, aikynetix_faults, aikynetix_video, settings, monkeypatch
):
    """The sessions written before the provider stopped answering are not written again by the next sync
    (they are unchanged): their sums and medians are stored by the sync that wrote them."""
    settings.AIKYNETIX_BASE_URL = aikynetix_faults.base_url
    settings.SYNC_PAGE_SIZE = 2
    monkeypatch.setattr(sync, "CHUNK", 2)
    holder = aikynetix_faults.create_key_holder(admin=True, users=[("u-ana", "Ana")], processing_seconds=3600)
    credentials.save_key(auckland, "aikynetix", api_key=holder.key, label="", actor=None)
    Athlete.objects.create(organization=auckland, name="Ana", aikynetix_user_id="u-ana")
    with aikynetix_faults.client(holder.key) as client:
        ids = [client.upload("jumping", aikynetix_video, user_id="u-ana").session_id for _ in range(5)]
    for session_id in ids:
        aikynetix_faults.complete_session(session_id)
    real_store = sync._store

    def store_then_outage(*args):
        real_store(*args)
        aikynetix_faults.set_faults(error_rate=1.0, match="/session-management/")

    monkeypatch.setattr(sync, "_store", store_then_outage)

    assert sync.sync_organization(auckland, full=True).outcome == "failed"

    assert Session.objects.filter(organization=auckland).count() == 2  # the first page
    assert_in_step(auckland)
    assert_rows_and_medians_in_step(auckland)
