"""Owners and admins read the organization's audit log, newest first, filtered by person, action and date."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coachportal.organizations.models import AuditEvent

pytestmark = pytest.mark.django_db


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


def event(org, actor, verb, when, **detail):
    e = AuditEvent.record(org, actor, verb, **detail)
    e.at = when
    e.save(update_fields=["at"])
    return e


def url(org, query=""):
    return f"/o/{org.slug}/audit/{query}"


@pytest.fixture
def log(org_a, org_b, olivia, adam, bruno):
    return {
        "created": event(org_a, olivia, "athlete.created", at(1), name="Ana"),
        "archived": event(org_a, adam, "athlete.archived", at(2)),
        "key": event(org_a, olivia, "credential.saved", at(3), provider="aikynetix"),
        "failed": event(org_a, None, "upload.failed", at(4), reason="upstream said no"),
        "other_org": event(org_b, bruno, "athlete.created", at(2), name="Secret Hilltop athlete"),
    }


def rows(response) -> list[str]:
    return [e.verb for e in response.context["page"].object_list]


def test_an_owner_sees_the_organization_s_events_newest_first(client_for, olivia, org_a, log):
    response = client_for(olivia).get(url(org_a))
    assert response.status_code == 200
    assert rows(response) == ["upload.failed", "credential.saved", "athlete.archived", "athlete.created"]
    html = response.content.decode()
    assert "Secret Hilltop athlete" not in html
    assert "upstream said no" in html
    assert "4 events" in html


def test_an_admin_may_read_it_and_a_coach_may_not(client_for, adam, chloe, org_a, log):
    assert client_for(adam).get(url(org_a)).status_code == 200
    assert client_for(chloe).get(url(org_a)).status_code == 403


def test_managers_see_the_link_and_coaches_do_not(client_for, olivia, chloe, org_a):
    assert "Audit log" in client_for(olivia).get(f"/o/{org_a.slug}/").content.decode()
    assert "Audit log" not in client_for(chloe).get(f"/o/{org_a.slug}/").content.decode()


def test_it_filters_by_person(client_for, olivia, adam, org_a, log):
    assert rows(client_for(olivia).get(url(org_a, f"?person={adam.pk}"))) == ["athlete.archived"]


def test_it_filters_the_events_with_no_person(client_for, olivia, org_a, log):
    assert rows(client_for(olivia).get(url(org_a, "?person=system"))) == ["upload.failed"]


def test_it_filters_by_exact_action(client_for, olivia, org_a, log):
    assert rows(client_for(olivia).get(url(org_a, "?action=athlete.created"))) == ["athlete.created"]


def test_it_filters_by_action_prefix(client_for, olivia, org_a, log):
    response = client_for(olivia).get(url(org_a, "?action=athlete.*"))
    assert rows(response) == ["athlete.archived", "athlete.created"]


def test_it_filters_by_date_range_inclusive(client_for, olivia, org_a, log):
    response = client_for(olivia).get(url(org_a, "?since=2026-03-02&until=2026-03-03"))
    assert rows(response) == ["credential.saved", "athlete.archived"]


def test_the_filters_offer_only_this_organization_s_people_and_actions(client_for, olivia, bruno, org_a, log):
    form = client_for(olivia).get(url(org_a)).context["form"]
    people = dict(form.fields["person"].choices)
    assert str(bruno.pk) not in people
    assert "Olivia Owner" in people.values()


def test_another_organization_s_person_as_filter_is_ignored_not_leaked(client_for, olivia, bruno, org_a, log):
    response = client_for(olivia).get(url(org_a, f"?person={bruno.pk}"))
    assert response.status_code == 200
    assert len(rows(response)) == 4  # an unknown choice is ignored


def test_bad_filter_values_never_break_the_page(client_for, olivia, org_a, log):
    query = "?person=abc&action=%00&since=yesterday&until=2026-13-45&page=-3"
    response = client_for(olivia).get(url(org_a, query))
    assert response.status_code == 200
    assert len(rows(response)) == 4


def test_an_end_date_before_the_start_is_explained(client_for, olivia, org_a, log):
    response = client_for(olivia).get(url(org_a, "?since=2026-03-03&until=2026-03-01"))
    assert "The end date is before the start date." in response.content.decode()


def test_an_htmx_request_gets_only_the_table(client_for, olivia, org_a, log):
    response = client_for(olivia).get(url(org_a, "?action=athlete.*"), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="results"' in html
    assert "archived the athlete" in html
    assert "saved the credential" not in html


def test_it_is_paginated_fifty_to_a_page(client_for, olivia, org_a):
    for n in range(55):
        event(org_a, olivia, "athlete.created", at(1) + timedelta(minutes=n))
    first = client_for(olivia).get(url(org_a))
    assert len(rows(first)) == 50
    assert "Page 1 of 2" in first.content.decode()
    assert len(rows(client_for(olivia).get(url(org_a, "?page=2")))) == 5


def test_the_query_count_does_not_grow_with_the_rows(client_for, olivia, adam, org_a):
    client = client_for(olivia)
    event(org_a, olivia, "athlete.created", at(1))
    client.get(url(org_a))
    with CaptureQueriesContext(connection) as few:
        client.get(url(org_a))
    for n in range(30):
        event(org_a, adam if n % 2 else olivia, f"thing{n % 5}.done", at(1) + timedelta(minutes=n))
    with CaptureQueriesContext(connection) as many:
        client.get(url(org_a))
    assert len(many) == len(few)


def test_a_rename_reads_as_a_sentence_and_links_to_the_session_while_it_exists(client_for, olivia, org_a):
    from coachportal.sessions.models import Session
    from tests.factories import make_session

    session = make_session(org_a, title="Sprint 3 - spikes")
    AuditEvent.record(
        org_a, olivia, "session.updated", session,
        before={"title": "Sprint 3", "recorded_at": "2026-03-01T09:00:00+00:00"},
        after={"title": "Sprint 3 - spikes", "recorded_at": "2026-03-01T09:00:00+00:00"},
    )  # fmt: skip
    html = client_for(olivia).get(url(org_a), headers={"HX-Request": "true"}).content.decode()
    link = f'<a href="/o/{org_a.slug}/sessions/{session.pk}/">'
    sentence = "renamed “<bdi>Sprint 3</bdi>” to “<bdi>Sprint 3 - spikes</bdi>”"
    assert f'<bdi class="audit-actor">olivia@riverside.example</bdi> {link}{sentence}</a>' in html
    for dump in ("{'", "before", "recorded_at", "session.updated", "<code>"):
        assert dump not in html

    Session.objects.filter(pk=session.pk).update(status="deleted")
    html = client_for(olivia).get(url(org_a)).content.decode()
    assert link not in html and sentence in html  # the object is gone: the sentence stays, the link goes


def test_linked_objects_cost_one_query_per_kind_whatever_the_page_holds(client_for, olivia, org_a):
    from tests.factories import make_athlete, make_session

    client = client_for(olivia)

    def add(n):
        for i in range(n):
            AuditEvent.record(org_a, olivia, "session.video_generated", make_session(org_a))
            AuditEvent.record(org_a, olivia, "athlete.created", make_athlete(org_a, f"Athlete {i}"))

    add(1)
    client.get(url(org_a))
    with CaptureQueriesContext(connection) as few:
        client.get(url(org_a))
    add(10)
    with CaptureQueriesContext(connection) as many:
        client.get(url(org_a))
    assert len(many) == len(few)
