"""Admins assign coaches to athletes (on the athlete's edit page, and in bulk from the athletes list); a
coach's dashboard, the library's "My athletes only" and the daily digest then follow the coach's athletes."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.http import QueryDict
from django.utils import timezone

from coachportal.athletes.models import Athlete
from coachportal.notifications import events
from coachportal.notifications.models import Notification
from coachportal.organizations.models import AuditEvent, Membership, Role
from coachportal.sessions.forms import read_filters
from coachportal.sessions.models import Session
from tests.factories import make_athlete, make_member, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster(org_a):
    anna = make_athlete(org_a, "Anna", aikynetix_user_id="u-anna")
    ben = make_athlete(org_a, "Ben", aikynetix_user_id="u-ben")
    cleo = make_athlete(org_a, "Cleo", aikynetix_user_id="u-cleo")
    for athlete in (anna, ben, cleo):
        make_session(org_a, athlete=athlete, title=f"{athlete.name}'s tempo run", provider_user_id="")
    return {"anna": anna, "ben": ben, "cleo": cleo}


def membership(user, org) -> Membership:
    return Membership.objects.get(user=user, organization=org)


def coaches_of(athlete) -> set[str]:
    return {m.user.email for m in athlete.coaches.select_related("user")}


def test_an_admin_assigns_a_coach_on_the_athletes_edit_page(client_for, adam, chloe, org_a, roster):
    client = client_for(adam)
    url = f"/o/{org_a.slug}/athletes/{roster['anna'].pk}/edit/"
    form = client.get(url).text
    coach = membership(chloe, org_a)
    assert f'value="{coach.pk}"' in form and "Chloe Coach (chloe@riverside.example)" in form
    assert f'value="{membership(adam, org_a).pk}"' not in form  # admins are not offered as coaches

    response = client.post(url, {"name": "Anna", "aikynetix_user_id": "u-anna", "coaches": [coach.pk]})

    assert response.status_code == 302
    assert coaches_of(roster["anna"]) == {"chloe@riverside.example"}
    assert AuditEvent.objects.get(verb="athlete.updated").detail["fields"] == ["coaches"]


def test_another_organizations_coach_cannot_be_assigned(client_for, adam, org_a, org_b, roster):
    stranger = make_member(org_b, Role.COACH, email="coach@hilltop.example")
    client = client_for(adam)
    url = f"/o/{org_a.slug}/athletes/{roster['anna'].pk}/edit/"
    make_member(org_a, Role.COACH, email="own-coach@riverside.example")  # so the field is offered
    response = client.post(url, {"name": "Anna", "aikynetix_user_id": "u-anna", "coaches": [stranger.pk]})
    assert response.status_code == 400 and not roster["anna"].coaches.exists()

    bulk = {"athletes": [roster["anna"].pk], "coach": stranger.pk, "action": "add"}
    response = client.post(f"/o/{org_a.slug}/athletes/coaches/", bulk, follow=True)
    assert "Choose one of the organization" in response.text
    assert not Athlete.coaches.through.objects.exists()


def test_an_admin_assigns_and_unassigns_a_coach_for_ticked_athletes(client_for, adam, chloe, org_a, roster):
    client = client_for(adam)
    page = client.get(f"/o/{org_a.slug}/athletes/").text
    assert 'form="coach-assign"' in page and 'aria-label="Select Anna"' in page
    coach = membership(chloe, org_a)
    ticked = {"athletes": [roster["anna"].pk, roster["ben"].pk], "coach": coach.pk, "action": "add"}

    response = client.post(f"/o/{org_a.slug}/athletes/coaches/", ticked, follow=True)

    assert "Chloe Coach (chloe@riverside.example) now coaches 2 more athletes." in response.text
    assert coaches_of(roster["anna"]) == coaches_of(roster["ben"]) == {"chloe@riverside.example"}
    assert not roster["cleo"].coaches.exists()
    assert '<td data-label="Coaches"><bdi>Chloe Coach</bdi></td>' in response.text
    audit = client.get(f"/o/{org_a.slug}/audit/").text
    assert "made “<bdi>chloe@riverside.example</bdi>” a coach of" in audit

    again = client.post(f"/o/{org_a.slug}/athletes/coaches/", ticked, follow=True)
    assert "Nothing to change" in again.text

    client.post(f"/o/{org_a.slug}/athletes/coaches/", {**ticked, "action": "remove"})
    assert not Athlete.coaches.through.objects.exists()
    assert AuditEvent.objects.filter(verb="athlete.coach_unassigned").count() == 2


def test_another_organizations_athlete_is_refused_and_coaches_cannot_assign(
    client_for, adam, chloe, bruno, org_a, org_b, roster
):
    theirs = make_athlete(org_b, "Hilltop athlete")
    coach = membership(chloe, org_a)
    bulk = {"athletes": [roster["anna"].pk, theirs.pk], "coach": coach.pk, "action": "add"}
    response = client_for(adam).post(f"/o/{org_a.slug}/athletes/coaches/", bulk, follow=True)
    assert "no longer on the roster" in response.text
    assert not Athlete.coaches.through.objects.exists()  # nothing is half done

    assert client_for(chloe).post(f"/o/{org_a.slug}/athletes/coaches/", bulk).status_code == 403
    assert client_for(bruno).post(f"/o/{org_a.slug}/athletes/coaches/", bulk).status_code == 404
    assert not Athlete.coaches.through.objects.exists()


def test_leaving_the_organization_ends_the_coachs_assignments(org_a, chloe, roster):
    roster["anna"].coaches.add(membership(chloe, org_a))
    membership(chloe, org_a).delete()
    assert not roster["anna"].coaches.exists()


def test_a_coachs_dashboard_shows_the_new_sessions_of_their_athletes(client_for, chloe, org_a, roster):
    roster["anna"].coaches.add(membership(chloe, org_a))
    page = client_for(chloe).get(f"/o/{org_a.slug}/").text
    assert "Your 1 athlete." in page
    assert "Anna&#x27;s tempo run" in page and "Ben&#x27;s tempo run" not in page
    assert f'href="/o/{org_a.slug}/sessions/?mine=1"' in page


def test_a_coach_with_no_athletes_assigned_sees_everyones_and_is_told_why(client_for, chloe, org_a, roster):
    page = client_for(chloe).get(f"/o/{org_a.slug}/").text
    assert "No athletes are assigned to you yet, so this shows every athlete of Riverside Athletics" in page
    assert "Anna&#x27;s tempo run" in page and "Ben&#x27;s tempo run" in page


def test_the_library_offers_a_coach_their_athletes_only(client_for, chloe, org_a, roster):
    roster["anna"].coaches.add(membership(chloe, org_a))
    roster["cleo"].coaches.add(membership(chloe, org_a))
    client = client_for(chloe)
    assert 'name="mine"' in client.get(f"/o/{org_a.slug}/sessions/").text
    page = client.get(f"/o/{org_a.slug}/sessions/?mine=1").text
    assert "Anna&#x27;s tempo run" in page and "Cleo&#x27;s tempo run" in page
    assert "Ben&#x27;s tempo run" not in page
    assert "Filters (1 active)" in page
    export = client.get(f"/o/{org_a.slug}/sessions/export.csv?mine=1")
    csv_text = b"".join(export.streaming_content).decode()
    assert "Anna's tempo run" in csv_text and "Ben's tempo run" not in csv_text


def test_my_athletes_only_means_everyone_for_a_member_with_none_assigned(client_for, adam, org_a, roster):
    client = client_for(adam)
    assert 'name="mine"' not in client.get(f"/o/{org_a.slug}/sessions/").text
    page = client.get(f"/o/{org_a.slug}/sessions/?mine=1").text
    assert "No athletes are assigned to you yet" in page and "Ben&#x27;s tempo run" in page


def test_the_kept_filter_form_offers_my_athletes_only_to_the_coach_with_athletes_and_not_to_others(
    client_for, adam, chloe, org_a, roster
):
    roster["anna"].coaches.add(membership(chloe, org_a))
    library = f"/o/{org_a.slug}/sessions/"
    assert 'name="mine"' in client_for(chloe).get(library).text  # the rendered form is now kept
    assert 'name="mine"' not in client_for(adam).get(library).text
    assert 'name="mine"' in client_for(chloe).get(library).text


def test_my_athletes_only_is_served_by_an_index_of_the_library(org_a, chloe, roster):
    roster["anna"].coaches.add(membership(chloe, org_a))
    filters = read_filters(QueryDict("mine=1"), org=org_a, membership=membership(chloe, org_a))
    query = filters.apply(Session.objects.for_org(org_a).visible())[:26]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # tiny tables: ask whether an index can serve
        plan = query.explain()
    # The athlete ids are a list, so an index ((organization, athlete, -recorded_at) or (organization,
    # -recorded_at) as a rule; the planner may pick another on a loaded test database) serves the page;
    # the sessions table is never read whole.
    assert re.search(
        r"Index (Only )?Scan (Backward )?using library_"
        r"|Bitmap Index Scan on library_|USING (COVERING )?INDEX library_",
        plan,
    ), plan
    assert "Seq Scan on library_session" not in plan and "SCAN library_session" not in plan, plan


def test_a_coachs_daily_digest_lists_their_athletes_sessions_with_the_time_in_their_zone(
    org_a, chloe, adam, roster
):
    org_a.time_zone = "Europe/Amsterdam"
    org_a.save(update_fields=["time_zone"])
    roster["ben"].coaches.add(membership(chloe, org_a))
    Session.objects.filter(athlete=roster["ben"]).update(recorded_at=datetime(2025, 3, 10, 9, 0, tzinfo=UTC))
    other = make_member(org_a, Role.COACH, email="other@riverside.example")
    assert events.digests(timezone.now() + timedelta(minutes=1)) == 2
    mine = Notification.objects.get(recipient=chloe)
    assert mine.title == f"1 new session of your athletes in {org_a.name}"
    assert mine.body == "• Ben's tempo run · 10 Mar 2025, 10:00 CET"
    everyone = Notification.objects.get(recipient=other.user)
    assert everyone.title == f"3 new sessions in {org_a.name}"
