"""The library page: filters, sort, paging, HTMX, bad query strings, isolation, polling, export."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coachportal.athletes.models import Athlete
from coachportal.dashboard.context import dashboard_context
from coachportal.sessions.models import Session
from tests.factories import SESSIONS_BEFORE, make_athlete, make_session

pytestmark = pytest.mark.django_db

BASE = SESSIONS_BEFORE


def url(org, query=""):
    return f"/o/{org.slug}/sessions/" + (f"?{query}" if query else "")


def titles(response):
    return [s.title for s in response.context["rows"]]


@pytest.fixture
def ana(org_a):
    return Athlete.objects.create(organization=org_a, name="Ana Runner", aikynetix_user_id="u-ana")


def test_a_coach_sees_the_organizations_sessions_newest_first(client_for, org_a, org_b, chloe, ana):
    make_session(org_a, title="Older", recorded_at=BASE - timedelta(days=3), athlete=ana)
    make_session(org_a, title="Newer", recorded_at=BASE, provider_user_name="Zed <script>")
    make_session(org_b, title="Other club")
    make_session(org_a, title="Removed", status="deleted")

    response = client_for(chloe).get(url(org_a))

    assert response.status_code == 200
    assert titles(response) == ["Newer", "Older"]
    html = response.content.decode()
    assert "Zed &lt;script&gt;" in html and "(unassigned athlete)" in html
    assert "Ana Runner" in html and "Other club" not in html


def test_filters_combine_and_an_htmx_request_gets_only_the_table(client_for, org_a, chloe, ana):
    make_session(org_a, title="Ana run", athlete=ana)
    make_session(org_a, title="Ana jump", athlete=ana, activity="jumping", metrics={"jump_height": [0.4]})
    make_session(org_a, title="Someone else's run")

    query = f"athlete={ana.pk}&activity=running"
    response = client_for(chloe).get(
        url(org_a, query), headers={"HX-Request": "true", "HX-Target": "results"}
    )

    html = response.content.decode()
    assert "<html" not in html and 'id="results"' in html
    assert "Ana run" in html and "Ana jump" not in html and "Someone else" not in html
    # The reload trigger and the export link carry the same filters, so a bookmark and the CSV match.
    assert f"athlete={ana.pk}&amp;activity=running" in html


def test_without_htmx_the_same_query_renders_the_whole_page_with_the_form_filled(
    client_for, org_a, chloe, ana
):
    make_session(org_a, title="Ana run", athlete=ana)
    response = client_for(chloe).get(url(org_a, f"athlete={ana.pk}&q=ana&status=ready"))
    html = response.content.decode()
    assert "<html" in html
    assert f'<option value="{ana.pk}" selected>' in html
    assert 'value="ana"' in html
    assert '<option value="ready" selected>' in html


def test_a_history_restore_request_gets_the_whole_page(client_for, org_a, chloe):
    make_session(org_a)
    headers = {"HX-Request": "true", "HX-Target": "results", "HX-History-Restore-Request": "true"}
    assert "<html" in client_for(chloe).get(url(org_a, "status=ready"), headers=headers).content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=processing", ["Processing"]),
        ("status=failed", ["Failed"]),
        ("q=TEMPO", ["Tempo ready"]),
        ("date_from=2025-03-01&date_to=2025-03-05", ["Processing", "Failed"]),
        ("sort=title", ["Failed", "Processing", "Tempo ready"]),
        ("sort=-title", ["Tempo ready", "Processing", "Failed"]),
        ("sort=date", ["Failed", "Processing", "Tempo ready"]),
    ],
)
def test_each_filter_and_sort(client_for, org_a, chloe, query, expected):
    make_session(org_a, title="Tempo ready", recorded_at=datetime(2025, 3, 9, tzinfo=UTC))
    make_session(
        org_a, title="Processing", status="processing", recorded_at=datetime(2025, 3, 5, 23, tzinfo=UTC)
    )
    make_session(org_a, title="Failed", status="failed", recorded_at=datetime(2025, 3, 1, tzinfo=UTC))
    assert titles(client_for(chloe).get(url(org_a, query))) == expected


def test_pages_of_25_with_a_next_link_that_keeps_the_filters(client_for, org_a, chloe):
    for n in range(30):
        make_session(org_a, title=f"Run {n:02}", recorded_at=BASE - timedelta(hours=n))
    client = client_for(chloe)

    first = client.get(url(org_a, "activity=running"))
    assert len(first.context["rows"]) == 25 and first.context["has_next"]
    assert first.context["next_query"] == "activity=running&page=2"
    second = client.get(url(org_a, first.context["next_query"]))
    assert titles(second) == [f"Run {n:02}" for n in range(25, 30)]
    assert not second.context["has_next"] and second.context["prev_query"] == "activity=running"


@pytest.mark.parametrize(
    ("query", "note"),
    [
        ("date_from=31/02/2025", "Ignored the start date “31/02/2025”"),
        ("activity=curling", "Ignored the activity “curling”"),
        ("page=-3", "Ignored the page “-3”"),
        ("page=abc", "Ignored the page “abc”"),
        ("athlete=999999", "Ignored the athlete “999999”"),
        ("sort=drop%20table", "Ignored the sort"),
        ("date_from=2025-03-09&date_to=2025-03-01", "The end date is before the start date."),
        ("page=40", "There is no page 40 for these filters."),
    ],
)
def test_a_bad_query_string_is_ignored_with_a_visible_note(client_for, org_a, chloe, query, note):
    make_session(org_a, title="Still listed", recorded_at=datetime(2025, 3, 10, tzinfo=UTC))
    response = client_for(chloe).get(url(org_a, query))
    assert response.status_code == 200
    assert note in response.content.decode()
    if "page=40" not in query:
        assert titles(response) == ["Still listed"]


def test_another_organizations_athlete_is_not_a_valid_filter(client_for, org_a, org_b, chloe):
    theirs = Athlete.objects.create(organization=org_b, name="Theirs")
    make_session(org_a, title="Ours")
    response = client_for(chloe).get(url(org_a, f"athlete={theirs.pk}"))
    assert titles(response) == ["Ours"] and "Ignored the athlete" in response.content.decode()


def test_the_athlete_filter_lists_only_that_athletes_sessions(client_for, org_a, org_b, chloe, bruno, ana):
    make_session(org_a, title="Ana run", athlete=ana)
    make_session(org_a, title="Other")
    assert titles(client_for(chloe).get(url(org_a, f"athlete={ana.pk}"))) == ["Ana run"]
    # The old per-athlete library is now the athlete's profile.
    old = client_for(chloe).get(f"/o/{org_a.slug}/sessions/athlete/{ana.pk}/")
    assert old.status_code == 301 and old["Location"] == f"/o/{org_a.slug}/athletes/{ana.pk}/"
    assert client_for(bruno).get(f"/o/{org_b.slug}/sessions/athlete/{ana.pk}/").status_code == 404


def test_the_query_count_does_not_grow_with_the_rows_shown(client_for, chloe):
    from tests.factories import make_member, make_org

    client = client_for(chloe)

    def count(rows):
        org = make_org()
        make_member(org, "coach", user=chloe)
        athletes = [
            Athlete.objects.create(organization=org, name=f"A{n}", aikynetix_user_id=f"u{n}")
            for n in range(5)
        ]
        for n in range(rows):
            make_session(
                org, athlete=athletes[n % 5] if n % 2 else None, status="processing" if n % 3 else "ready"
            )
        client.get(url(org))  # warm the session and the sync state
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url(org))
        assert len(response.context["rows"]) == min(rows, 25)
        return len(queries)

    assert count(5) == count(50)


def test_opening_a_stale_library_asks_for_one_sync_with_one_statement_more(client_for, chloe, org_a):
    from django.utils import timezone

    from coachportal.organizations.models import Provider, ProviderCredential
    from coachportal.sessions.claims import state_for

    credential = ProviderCredential(organization=org_a, provider=Provider.AIKYNETIX)
    credential.set_key("library-key-1234")
    credential.save()
    state = state_for(org_a)
    state.last_attempt_at = state.last_success_at = timezone.now()
    state.save()
    client = client_for(chloe)
    client.get(url(org_a))  # fresh: no sync asked for; the login session now remembers the organization
    state.last_attempt_at = state.last_success_at = timezone.now() - timedelta(hours=1)
    state.save()
    with CaptureQueriesContext(connection) as stale:
        html = client.get(url(org_a)).content.decode()
    state.refresh_from_db()
    assert state.requested_at is not None and "Syncing with AiKYNETIX" in html
    with CaptureQueriesContext(connection) as waiting:  # the same page while the sync waits in the queue
        html = client.get(url(org_a)).content.decode()
    assert "Syncing with AiKYNETIX" in html
    # The page read the state and the key already: asking for the sync is the one UPDATE.
    assert len(stale) == len(waiting) + 1
    assert stale.captured_queries[-1]["sql"].startswith("UPDATE")


def test_a_processing_row_keeps_polling_and_a_finished_one_stops(client_for, org_a, chloe):
    session = make_session(org_a, status="processing", title="Busy")
    client = client_for(chloe)
    row_url = f"/o/{org_a.slug}/sessions/{session.pk}/row/"

    still = client.get(row_url, headers={"HX-Request": "true"})
    assert still.status_code == 200 and 'hx-trigger="every 5s"' in still.content.decode()

    Session.objects.filter(pk=session.pk).update(status="ready")
    done = client.get(row_url, headers={"HX-Request": "true"})
    assert done.status_code == 286
    assert "every 5s" not in done.content.decode() and "Ready" in done.content.decode()


def test_only_processing_rows_poll_in_the_list(client_for, org_a, chloe):
    busy = make_session(org_a, status="processing")
    make_session(org_a, status="ready")
    html = client_for(chloe).get(url(org_a)).content.decode()
    assert html.count('hx-trigger="every 5s"') == 1
    assert f"/sessions/{busy.pk}/row/" in html


def test_the_csv_export_streams_the_filtered_sessions_with_metric_columns(client_for, org_a, chloe, ana):
    make_session(
        org_a, title='=HYPERLINK("http://evil")', athlete=ana, metrics={"speed": [3, 4], "odd_key": 1}
    )
    make_session(org_a, title="Jump", activity="jumping", metrics={"jump_height": [0.3, 0.5]})

    response = client_for(chloe).get(f"/o/{org_a.slug}/sessions/export.csv?activity=running")

    assert response.streaming and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 1
    assert rows[0]["Title"].startswith("'=HYPERLINK")
    assert rows[0]["Speed, mean (m/s)"] == "3.5" and rows[0]["Athlete"] == "Ana Runner"
    assert '"odd_key":1' in rows[0]["Other metrics"]
    assert "Jump height (m)" not in rows[0]


def test_the_dashboard_context_counts_this_week_processing_and_failed(org_a, org_b):
    from django.utils import timezone

    make_session(org_a, recorded_at=timezone.now())
    make_session(org_a, status="processing", recorded_at=timezone.now())
    make_session(org_a, status="failed")
    make_session(org_a, status="deleted", recorded_at=timezone.now())
    make_session(org_b, recorded_at=timezone.now())

    context = dashboard_context(org_a)

    assert context["library_counts"] == {"this_week": 2, "processing": 1, "failed": 1}
    assert len(context["library_recent"]) == 3


def test_the_dashboard_fragment_renders(org_a, rf):
    from django.template.loader import render_to_string

    make_session(org_a, title="Fresh <i>run</i>")
    html = render_to_string("sessions/_dashboard.html", {"org": org_a, **dashboard_context(org_a)})
    assert "Fresh &lt;i&gt;run&lt;/i&gt;" in html


def test_the_library_page_reads_the_session_the_person_with_their_memberships_the_rows_and_its_state(
    client_for, chloe, org_a
):
    """Four statements for a signed-in coach's library page (the memberships are read with the person);
    "My athletes only" adds the ids it keeps."""
    athlete = make_athlete(org_a, "Ana")
    athlete.coaches.add(chloe.memberships.get(organization=org_a))
    make_session(org_a, athlete=athlete, title="Hill reps")
    client = client_for(chloe)
    client.get(url(org_a))  # the login session now remembers the organization
    with CaptureQueriesContext(connection) as plain:
        page = client.get(url(org_a))
    assert page.context["show_mine"] is True and "Hill reps" in page.text
    assert len(plain) == 4, "\n".join(q["sql"][:120] for q in plain.captured_queries)
    client.get(url(org_a, "mine=on"))  # warm: the same results are kept
    with CaptureQueriesContext(connection) as mine:
        page = client.get(url(org_a, "mine=on"))
    assert len(mine) == 5 and "Hill reps" in page.text
