"""Actions on the ticked rows of the library: assign to an athlete, delete, export; each confirmed first,
scoped to the organization in the URL, CSRF-protected and audited."""

import csv
import io

import pytest
from django.test import Client

from coachportal.organizations.models import AuditEvent
from coachportal.sessions import linking, sync
from coachportal.sessions.models import Session
from tests.factories import connect_with_finished_sessions, make_athlete, make_session

pytestmark = pytest.mark.django_db


def selected(org, action, sessions):
    return f"/o/{org.slug}/sessions/selected/{action}/?" + "&".join(f"s={s.pk}" for s in sessions)


def posted(org, action):
    return f"/o/{org.slug}/sessions/selected/{action}/"


def test_an_admin_assigns_sessions_of_a_person_off_the_roster_after_confirming(client_for, adam, org_a):
    anna = make_athlete(org_a, "Anna Jumper")
    loose = [make_session(org_a, provider_user_id="u-9", provider_user_name="Guest 9") for _ in range(2)]
    owned = make_session(org_a, athlete=anna, title="Already Anna's")
    client = client_for(adam)

    confirm = client.get(selected(org_a, "assign", [*loose, owned]))
    html = confirm.content.decode()
    assert confirm.status_code == 200 and "Assign 2 sessions to an athlete?" in html
    assert "stays as it is" in html
    assert Session.objects.filter(athlete=anna).count() == 1  # nothing changes on the confirmation page

    ids = [s.pk for s in [*loose, owned]]
    response = client.post(posted(org_a, "assign"), {"s": ids, "athlete": anna.pk}, follow=True)

    assert (
        "Assigned 2 sessions to Anna Jumper. 1 already had an athlete and kept it."
        in response.content.decode()
    )
    for session in loose:
        session.refresh_from_db()
        assert session.athlete == anna and session.athlete_set_by_hand
    events = AuditEvent.objects.filter(verb="session.assigned", organization=org_a)
    assert sorted(int(e.object_id) for e in events) == sorted(s.pk for s in loose)
    assert {e.actor for e in events} == {adam} and events[0].detail["athlete"] == "Anna Jumper"


def test_a_session_assigned_by_hand_keeps_its_athlete_when_the_roster_links_again(client_for, adam, org_a):
    anna = make_athlete(org_a, "Anna")
    ben = make_athlete(org_a, "Ben")
    session = make_session(org_a, provider="aikynetix", provider_user_id="u-ben-old")
    client_for(adam).post(posted(org_a, "assign"), {"s": [session.pk], "athlete": anna.pk})
    ben.aikynetix_user_id = "u-ben-old"
    ben.save()
    linking.link_sessions_to_athlete(ben)
    linking.link_sessions_to_athlete(anna)
    session.refresh_from_db()
    assert session.athlete == anna


def test_another_organizations_ids_are_left_out_with_a_note_and_alone_are_not_found(
    client_for, adam, org_a, org_b
):
    ours = make_session(org_a, provider_user_id="u-9")
    theirs = make_session(org_b, provider_user_id="u-9", title="Their session")
    theirs_athlete = make_athlete(org_b, "Bruno's athlete")
    anna = make_athlete(org_a, "Anna")
    client = client_for(adam)

    page = client.get(selected(org_a, "assign", [ours, theirs])).content.decode()
    assert "1 selected session is not in this organization" in page and "Their session" not in page
    for action in ("assign", "delete", "export"):
        assert client.get(selected(org_a, action, [theirs])).status_code == 404
        assert client.post(posted(org_a, action), {"s": [theirs.pk], "athlete": anna.pk}).status_code == 404

    refused = client.post(posted(org_a, "assign"), {"s": [ours.pk], "athlete": theirs_athlete.pk})
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    client.post(posted(org_a, "assign"), {"s": [ours.pk, theirs.pk], "athlete": anna.pk})
    theirs.refresh_from_db()
    assert theirs.athlete is None and theirs.status == "ready"
    ours.refresh_from_db()
    assert ours.athlete == anna


def test_a_coach_may_export_the_selection_but_not_assign_or_delete(client_for, chloe, org_a):
    anna = make_athlete(org_a, "Anna")
    session = make_session(org_a, title="Tempo")
    client = client_for(chloe)
    assert client.get(selected(org_a, "assign", [session])).status_code == 403
    assert client.post(posted(org_a, "assign"), {"s": [session.pk], "athlete": anna.pk}).status_code == 403
    assert client.post(posted(org_a, "delete"), {"s": [session.pk]}).status_code == 403
    session.refresh_from_db()
    assert session.athlete is None and session.status == "ready"
    assert "Export 1 session?" in client.get(selected(org_a, "export", [session])).content.decode()


def test_the_export_of_the_selection_holds_exactly_the_ticked_sessions(client_for, chloe, org_a, org_b):
    picked = [make_session(org_a, title=f"Picked {n}") for n in range(3)]
    make_session(org_a, title="Not picked")
    theirs = make_session(org_b, title="Other club")
    response = client_for(chloe).post(posted(org_a, "export"), {"s": [*[s.pk for s in picked], theirs.pk]})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert sorted(r["Title"] for r in rows) == ["Picked 0", "Picked 1", "Picked 2"]


@pytest.mark.parametrize("action", ["assign", "delete", "export"])
def test_every_selection_post_needs_a_csrf_token(olivia, org_a, action):
    anna = make_athlete(org_a, "Anna")
    session = make_session(org_a, provider_user_id="u-9")
    client = Client(enforce_csrf_checks=True)
    client.force_login(olivia)
    for headers in ({}, {"HX-Request": "true"}):
        response = client.post(
            posted(org_a, action), {"s": [session.pk], "athlete": anna.pk}, headers=headers
        )
        assert response.status_code == 403
    session.refresh_from_db()
    assert session.athlete is None and session.status == "ready"
    assert not AuditEvent.objects.filter(organization=org_a).exists()


@pytest.fixture
def three_upstream(org_a, aikynetix_sandbox, aikynetix_video, settings):
    """Org A connected to a sandbox account with three finished sessions, synced."""
    settings.AIKYNETIX_BASE_URL = aikynetix_sandbox.base_url
    holder = connect_with_finished_sessions(
        org_a, aikynetix_sandbox, aikynetix_video, ["One", "Two", "Three"]
    )
    sync.sync_organization(org_a)
    return holder


def test_bulk_delete_confirms_then_deletes_each_upstream_and_reports_each(
    client_for, olivia, org_a, three_upstream, aikynetix_sandbox
):
    sessions = list(Session.objects.filter(organization=org_a).order_by("title"))
    client = client_for(olivia)
    confirm = client.get(selected(org_a, "delete", sessions[:2])).content.decode()
    assert "Delete 2 sessions?" in confirm and "cannot be undone" in confirm
    assert Session.objects.filter(organization=org_a, status="deleted").count() == 0

    response = client.post(posted(org_a, "delete"), {"s": [s.pk for s in sessions[:2]]})

    html = response.content.decode()
    assert "Deleted 2 sessions" in html and html.count(": deleted.") == 2
    with aikynetix_sandbox.client(three_upstream.key) as upstream:
        left = {s.title for s in upstream.list_sessions()}
    assert left == {sessions[2].title}
    assert Session.objects.filter(organization=org_a, status="deleted").count() == 2
    assert AuditEvent.objects.filter(verb="session.deleted", actor=olivia).count() == 2


def test_bulk_delete_says_which_sessions_the_provider_refused(
    client_for, olivia, org_a, three_upstream, aikynetix_faults
):
    sessions = list(Session.objects.filter(organization=org_a))
    aikynetix_faults.set_faults(error_rate=1.0, methods=["DELETE"])
    html = client_for(olivia).post(posted(org_a, "delete"), {"s": [s.pk for s in sessions]}).content.decode()
    assert "Deleted 0 of 3 sessions" in html
    # No answer to the DELETE: each session was read back and found still there.
    assert html.count("the portal read the session back: it was not deleted.") == 3
    assert Session.objects.filter(organization=org_a, status="deleted").count() == 0
    assert not AuditEvent.objects.filter(verb="session.deleted").exists()


def test_the_selection_is_a_get_form_whose_compare_button_sends_only_the_ticked_ids(client_for, chloe, org_a):
    sessions = [make_session(org_a) for _ in range(2)]
    html = client_for(chloe).get(f"/o/{org_a.slug}/sessions/").content.decode()
    form = html[
        html.index('<form id="selection"') : html.index("</form>", html.index('<form id="selection"'))
    ]
    assert 'method="get"' in form and f'formaction="/o/{org_a.slug}/compare/"' in form
    assert "<input" not in form  # no other field rides along: the comparison gets s=<id>&s=<id> only
    for s in sessions:
        assert f'<input type="checkbox" name="s" value="{s.pk}" form="selection"' in html
    assert "Assign to athlete…" not in html and "Delete…" not in html  # a coach sees no manager actions


def test_an_empty_result_has_no_export_or_selection_and_counts_the_active_filters(client_for, chloe, org_a):
    make_session(org_a, title="Tempo")
    client = client_for(chloe)
    empty = client.get(f"/o/{org_a.slug}/sessions/?q=nothing-like-this&status=failed").content.decode()
    assert "No sessions match these filters." in empty
    assert "Export CSV" not in empty and 'id="selection"' not in empty
    assert "Filters (2 active)" in empty and "any status" in empty and "any title" in empty
    swapped = client.get(
        f"/o/{org_a.slug}/sessions/?q=Tempo", headers={"HX-Request": "true", "HX-Target": "results"}
    ).content.decode()
    assert "<html" not in swapped and "Export CSV" in swapped
    assert '<span id="filter-count" hx-swap-oob="true">Filters (1 active)</span>' in swapped
    assert 'id="date-presets"' in swapped and "q=Tempo" in swapped  # the presets keep the other filters


@pytest.mark.parametrize("action", ["assign", "delete", "export"])
def test_nothing_ticked_leads_back_to_the_list_with_a_hint(client_for, olivia, org_a, action):
    response = client_for(olivia).get(posted(org_a, action), follow=True)
    assert response.redirect_chain[-1][0] == f"/o/{org_a.slug}/sessions/"
    assert "Tick one or more sessions in the list first." in response.content.decode()
