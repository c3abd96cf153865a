"""The athlete profile's computed part is kept in the cache under its organization's data stamp
(coachportal/sessions/profile_cache.py), which database triggers change on every write to the
organization's sessions, stored metrics, medians and weekly and monthly sums (migration 0014).

Each write path is taken for real (the sync through the AiKYNETIX sandbox, the edit and delete views, the
relink signal, the stored metrics' refresh, another athlete's sessions moving the median), and after it
the page served must be the page computed afresh.

On PostgreSQL the stamp is written when the writing transaction commits (deferred triggers), so the tests
run with real transactions there: each write commits as it does in a request or a sync.
"""

import re
import threading
import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coachportal.athletes.models import Athlete
from coachportal.athletes.signals import user_id_changed
from coachportal.sessions import periods, profile_cache, stored_metrics, sync
from coachportal.sessions.models import MetricMedian, MetricPeriod, Session, SessionMetric
from tests.factories import connect_with_finished_sessions, make_athlete, make_jumps, make_session

pytestmark = pytest.mark.django_db(transaction=connection.vendor == "postgresql")
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL's stamp is written at commit, by deferred triggers; SQLite has one writer",
)

RANGES = ["", "?range=30d", "?range=season", "?range=all", "?range=custom&start=2020-01-01"]
CSRF = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]*')  # a token per request
MESSAGE = re.compile(r'<article class="message [^"]*" role="status">.*?</article>')  # shown once


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    html = MESSAGE.sub("", CSRF.sub(r"\1", response.content.decode()))
    return "\n".join(line for line in html.splitlines() if line.strip())  # without the message's blank lines


def served_and_fresh(client, url) -> tuple[str, str]:
    """The page as served (from the cache when it holds it), then as computed with the cache emptied."""
    served = page(client, url)
    cache.clear()
    return served, page(client, url)


@pytest.fixture
def anna(org_a):
    return make_athlete(org_a, "Anna Jumper", aikynetix_user_id="u-anna")


@pytest.fixture
def cold():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize("query", RANGES)
def test_a_second_view_is_the_same_page_without_reading_the_sessions(
    client_for, chloe, org_a, anna, cold, query
):
    make_jumps(org_a, anna, [(d, [0.3 + d / 1000]) for d in range(1, 400, 5)])
    make_session(org_a, athlete=anna, recorded_at=timezone.now() - timedelta(days=3))
    client = client_for(chloe)
    url = f"/o/{org_a.slug}/athletes/{anna.pk}/{query}"
    page(client, url)  # the first request of a login also notes the member as seen
    cache.clear()

    with CaptureQueriesContext(connection) as computed:
        first = page(client, url)
    with CaptureQueriesContext(connection) as kept:
        second = page(client, url)

    assert second == first
    assert "chart-jumping-jump-height-data" in first
    library_tables = [Session._meta.db_table, SessionMetric._meta.db_table, MetricPeriod._meta.db_table]
    read = [q["sql"] for q in kept.captured_queries if any(t in q["sql"] for t in library_tables)]
    assert read == []
    assert len(kept) == len(computed) - 2  # the facts (counts, newest, bests, medians, changes); points
    stamp_reads = [q["sql"] for q in kept.captured_queries if "library_profilestamp" in q["sql"]]
    assert len(stamp_reads) == 1 and Athlete._meta.db_table in stamp_reads[0]  # read with the athlete


def test_the_stamp_changes_with_each_write_to_the_organizations_profile_data_and_only_its_own(
    org_a, org_b, anna
):
    other = make_athlete(org_b, "Other")
    stamps = [profile_cache.stamp(org_a)]

    def changed() -> bool:
        stamps.append(profile_cache.stamp(org_a))
        assert profile_cache.with_stamp(Athlete.objects, org_a).get(pk=anna.pk).profile_stamp == stamps[-1]
        return stamps[-1] != stamps[-2]

    assert stamps[0] == 0  # nothing written yet
    session = make_session(org_a, athlete=anna, store_metrics=False)
    assert changed()  # a session inserted
    stored_metrics.refresh([session])
    assert changed()  # its metric rows, the medians and periods written
    make_session(org_b, athlete=other)
    assert not changed()  # another organization's writes
    Session.objects.filter(pk=session.pk).update(title="Renamed")
    assert changed()
    SessionMetric.objects.filter(session=session).update(value=1.0)
    assert changed()
    MetricMedian.objects.filter(organization=org_a).update(value=2.0)
    assert changed()
    MetricPeriod.objects.filter(organization=org_a).update(sessions=7)
    assert changed()
    Session.objects.filter(pk=session.pk).update(title="Renamed")  # the same title again
    assert not changed()
    Session.objects.filter(pk=session.pk).update(thumbnail="poster.jpg", frame_rate=60.0, raw={"x": 1})
    assert not changed()  # what the profile does not show of a session
    for column, value in [
        ("status", "processing"),
        ("activity", "jumping"),
        ("recorded_at", timezone.now() - timedelta(days=1)),
        ("athlete", None),
        ("organization", org_b),
    ]:
        Session.objects.filter(pk=session.pk).update(**{column: value})
        assert changed(), column
    Session.objects.filter(pk=session.pk).update(organization=org_a)
    assert changed()
    Session.objects.filter(pk=-1).update(title="Nobody")  # no row written
    assert not changed()
    MetricPeriod.objects.filter(organization=org_a).delete()
    assert changed()
    MetricMedian.objects.filter(organization=org_a).delete()
    assert changed()
    SessionMetric.objects.filter(session=session).delete()
    assert changed()
    Session.objects.filter(pk=session.pk).delete()
    assert changed()


def last_stamp_taken() -> int:
    """The stamp sequence's last value: it moves once per write of a stamp row, and only then."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_value FROM library_profilestamp_seq")
        return cursor.fetchone()[0]


def backend(pids: dict, name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '20s'")  # a regression fails the test, it does not hang it
        cursor.execute("SELECT pg_backend_pid()")
        pids[name] = cursor.fetchone()[0]


def waits_for_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return row is not None and row[0] == "Lock"


def until(condition, what: str) -> None:
    deadline = time.monotonic() + 20
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.01)


def in_thread(work, errors: list) -> threading.Thread:
    """work() on its own database connection (a thread has its own), its exception noted in errors."""

    def run():
        try:
            work()
        except Exception as error:  # the test asserts there was none
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@on_postgresql
def test_a_sync_batch_and_an_edit_crossing_on_two_sessions_both_commit(org_a, anna):
    """The sync batch writes session A then B; meanwhile a coach's edit writes B and commits. Were the stamp
    row locked at the end of each statement (and held to commit), the edit would wait for it holding B while
    the batch waits for B holding it: a deadlock. Written at commit, it is each one's last lock."""
    a = make_session(org_a, athlete=anna, title="A")
    b = make_session(org_a, athlete=anna, title="B")
    before, taken = profile_cache.stamp(org_a), last_stamp_taken()
    pids, errors = {}, []
    batch_holds_a, batch_may_write_b, edit_holds_b, edit_may_commit = (threading.Event() for _ in range(4))

    def sync_batch():
        backend(pids, "batch")
        with transaction.atomic():
            Session.objects.filter(pk=a.pk).update(title="A synced")
            batch_holds_a.set()
            assert batch_may_write_b.wait(20)
            Session.objects.filter(pk=b.pk).update(title="B synced")  # waits for the edit's lock on B

    def edit():
        backend(pids, "edit")
        assert batch_holds_a.wait(20)
        with transaction.atomic():
            Session.objects.filter(pk=b.pk).update(title="B edited")
            edit_holds_b.set()
            assert edit_may_commit.wait(20)

    threads = [in_thread(sync_batch, errors), in_thread(edit, errors)]
    until(lambda: "edit" in pids and (edit_holds_b.is_set() or waits_for_a_lock(pids["edit"])), "B is held")
    batch_may_write_b.set()
    until(lambda: waits_for_a_lock(pids["batch"]) or errors, "the batch waits for B")
    edit_may_commit.set()
    for thread in threads:
        thread.join(30)

    assert errors == []
    assert not any(thread.is_alive() for thread in threads)
    assert Session.objects.get(pk=b.pk).title == "B synced"  # the batch wrote B after the edit committed
    assert last_stamp_taken() == taken + 2  # one stamp per transaction
    assert profile_cache.stamp(org_a) not in (before, 0)


@on_postgresql
def test_a_bulk_statement_writes_the_stamp_row_once_per_transaction(org_a, anna):
    taken = last_stamp_taken()
    Session.objects.bulk_create(
        [
            Session(organization=org_a, athlete=anna, external_id=f"bulk-{i}", status="ready")
            for i in range(2000)
        ]
    )
    assert last_stamp_taken() == taken + 1
    assert profile_cache.stamp(org_a) == taken + 1

    with transaction.atomic():  # statements of many rows, in three tables, in one transaction
        Session.objects.filter(organization=org_a).update(title="Renamed")
        SessionMetric.objects.bulk_create(
            [
                SessionMetric(
                    organization=org_a,
                    athlete=anna,
                    session=session,
                    activity="running",
                    key="speed",
                    value=3.0,
                    recorded_at=timezone.now(),
                )
                for session in Session.objects.filter(organization=org_a)[:500]
            ]
        )
        SessionMetric.objects.filter(organization=org_a).delete()
    assert last_stamp_taken() == taken + 2
    assert profile_cache.stamp(org_a) == taken + 2


@on_postgresql
def test_the_stamp_changes_when_the_data_commits_and_not_after_a_rollback(org_a, anna):
    session = make_session(org_a, athlete=anna)
    before, taken = profile_cache.stamp(org_a), last_stamp_taken()
    seen, errors = {}, []

    def read_elsewhere(name):
        thread = in_thread(lambda: seen.__setitem__(name, profile_cache.stamp(org_a)), errors)
        thread.join(20)

    with transaction.atomic():
        Session.objects.filter(pk=session.pk).update(title="Renamed")
        read_elsewhere("before the commit")
    read_elsewhere("after the commit")
    assert errors == []
    assert seen == {"before the commit": before, "after the commit": taken + 1}

    with pytest.raises(RuntimeError), transaction.atomic():
        Session.objects.filter(pk=session.pk).update(title="Renamed again")
        raise RuntimeError("rolled back")
    assert last_stamp_taken() == taken + 1  # the rolled-back transaction wrote no stamp
    assert profile_cache.stamp(org_a) == taken + 1
    assert Session.objects.get(pk=session.pk).title == "Renamed"


def _write_another_session(org, anna, others):
    make_jumps(org, anna, [(1, [0.58])])


def _refresh_changed_metrics(org, anna, others):
    latest = Session.objects.filter(athlete=anna).order_by("-recorded_at").first()
    latest.metrics = {**latest.metrics, "jump_height": [0.99]}
    latest.save(update_fields=["metrics"])
    stored_metrics.refresh([latest])


def _move_the_median(org, anna, others):
    make_jumps(org, others, [(40, [0.9]), (41, [0.95]), (42, [0.97])])


def _relink_an_athlete(org, anna, others):
    make_session(
        org,
        athlete=None,
        provider_user_id="u-new",
        activity="jumping",
        recorded_at=timezone.now() - timedelta(days=4),
        metrics={"jump_height": [0.7], "rsi": [0.6], "contact_time": [0.2]},
    )
    anna.aikynetix_user_id = "u-new"
    anna.save(update_fields=["aikynetix_user_id"])
    user_id_changed.send(sender=Athlete, athlete=anna)


def _recut_the_periods(org, anna, others):
    Session.objects.filter(athlete=anna).update(recorded_at=timezone.now() - timedelta(days=2))
    SessionMetric.objects.filter(athlete=anna).update(recorded_at=timezone.now() - timedelta(days=2))
    periods.rebuild_org(org.pk)


def _reassign_by_hand(org, anna, others):
    Session.objects.filter(athlete=anna, activity="running").update(athlete=others)
    stored_metrics.follow_athletes(org)


@pytest.mark.parametrize(
    "write",
    [
        _write_another_session,
        _refresh_changed_metrics,
        _move_the_median,
        _relink_an_athlete,
        _recut_the_periods,
        _reassign_by_hand,
    ],
)
@pytest.mark.parametrize("query", ["", "?range=all"])
def test_after_each_write_path_the_page_served_is_the_page_computed_afresh(
    client_for, chloe, org_a, anna, cold, write, query
):
    others = make_athlete(org_a, "Bo Other")
    make_jumps(org_a, others, [(5, [0.30]), (4, [0.50])])
    make_jumps(org_a, anna, [(d, [0.3 + d / 1000]) for d in range(2, 300, 3)])
    make_session(org_a, athlete=anna, recorded_at=timezone.now() - timedelta(days=6))
    client = client_for(chloe)
    url = f"/o/{org_a.slug}/athletes/{anna.pk}/{query}"
    before = page(client, url)
    assert page(client, url) == before  # kept

    write(org_a, anna, others)
    served, fresh = served_and_fresh(client, url)

    assert served == fresh
    assert served != before


def test_what_the_organization_shows_is_in_the_key(client_for, chloe, org_a, anna, cold):
    make_jumps(org_a, anna, [(3, [0.4])])
    make_session(
        org_a,
        athlete=anna,
        activity="weightlifting",
        recorded_at=timezone.now() - timedelta(days=2),
        metrics={"max_bar_speed": 1.8, "max_power": 2000.0, "barbell_weight": 100.0},
    )
    client = client_for(chloe)
    url = f"/o/{org_a.slug}/athletes/{anna.pk}/"
    assert "Personal best 100.0 kg" in page(client, url)

    org_a.mass_unit = "lb"
    org_a.save(update_fields=["mass_unit"])

    assert "Personal best 220.5 lb" in page(client, url)


def test_the_sync_an_edit_and_a_deletion_each_show_at_once(
    client_for, olivia, org_a, aikynetix_sandbox, aikynetix_video, settings, cold
):
    settings.AIKYNETIX_BASE_URL = aikynetix_sandbox.base_url
    holder = connect_with_finished_sessions(org_a, aikynetix_sandbox, aikynetix_video, ["Tempo", "Hills"])
    ana = Athlete.objects.create(organization=org_a, name="Ana", aikynetix_user_id="u-ana")
    sync.sync_organization(org_a)
    client = client_for(olivia)
    url = f"/o/{org_a.slug}/athletes/{ana.pk}/?range=all"
    before = page(client, url)
    assert 'Running <small class="muted">2 sessions' in before

    # The sync stores a new session (the mirror's bulk statements).
    with aikynetix_sandbox.client(holder.key) as provider:
        new_id = provider.upload_running(
            aikynetix_video, user_id="u-ana", session_name="Intervals"
        ).session_id
    aikynetix_sandbox.complete_session(new_id)
    sync.sync_organization(org_a)
    synced, fresh = served_and_fresh(client, url)
    assert synced == fresh and 'Running <small class="muted">3 sessions' in synced

    # An admin re-dates a session (the edit view).
    session = Session.objects.get(external_id=new_id)
    edited = client.post(
        f"/o/{org_a.slug}/sessions/{session.pk}/edit/",
        {"title": "Intervals", "recorded_at": "2021-03-04T10:00"},
    )
    assert edited.status_code == 302
    redated, fresh = served_and_fresh(client, url)
    assert redated == fresh and redated != synced

    # An admin deletes it (the delete view).
    assert client.post(f"/o/{org_a.slug}/sessions/{session.pk}/delete/").status_code == 302
    deleted, fresh = served_and_fresh(client, url)
    assert deleted == fresh and 'Running <small class="muted">2 sessions' in deleted
