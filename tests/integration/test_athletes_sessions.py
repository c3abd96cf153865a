"""The roster and the library agree: sessions follow athletes' user ids, and counts show on the roster."""

import pytest

from coachportal.athletes.models import Athlete
from coachportal.sessions.models import Session

from .test_athletes_import import confirm, upload

pytestmark = pytest.mark.django_db


def session(org, user_id, external_id, status=Session.Status.READY):
    return Session.objects.create(
        organization=org,
        external_id=external_id,
        provider_user_id=user_id,
        provider_user_name="Ana",
        status=status,
    )


def test_adding_an_athlete_claims_their_sessions_already_in_the_library(client_for, org_a, adam):
    first, second = session(org_a, "uid-ana", "s1"), session(org_a, "uid-ana", "s2")
    client_for(adam).post(
        f"/o/{org_a.slug}/athletes/new/", {"name": "Ana Alves", "aikynetix_user_id": "uid-ana"}
    )
    ana = Athlete.objects.get(aikynetix_user_id="uid-ana")
    assert set(ana.sessions.all()) == {first, second}


def test_changing_an_athletes_user_id_moves_their_sessions(client_for, org_a, adam):
    ana = Athlete.objects.create(organization=org_a, name="Ana", aikynetix_user_id="uid-old")
    old = session(org_a, "uid-old", "s1")
    old.athlete = ana
    old.save()
    new = session(org_a, "uid-new", "s2")
    client_for(adam).post(
        f"/o/{org_a.slug}/athletes/{ana.pk}/edit/", {"name": "Ana", "aikynetix_user_id": "uid-new"}
    )
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.athlete is None
    assert new.athlete == ana


def test_a_csv_import_links_the_sessions_of_the_athletes_it_creates(client_for, org_a, adam):
    s = session(org_a, "uid-csv", "s1")
    client = client_for(adam)
    upload(client, org_a, "name,aikynetix_user_id\nCara Csv,uid-csv\n")
    confirm(client, org_a)
    s.refresh_from_db()
    assert s.athlete.name == "Cara Csv"


def test_the_roster_shows_each_athletes_session_count_linking_to_their_sessions(client_for, org_a, chloe):
    ana = Athlete.objects.create(organization=org_a, name="Ana", aikynetix_user_id="uid-ana")
    for external_id, status in [("s1", "ready"), ("s2", "processing"), ("s3", "deleted")]:
        Session.objects.create(organization=org_a, external_id=external_id, athlete=ana, status=status)
    page = client_for(chloe).get(f"/o/{org_a.slug}/athletes/")
    row = page.text.split(f'id="athlete-{ana.pk}"')[1].split("</tr>")[0]
    assert f'href="/o/{org_a.slug}/sessions/?athlete={ana.pk}">2</a>' in row  # deleted ones don't count


def test_an_athlete_with_sessions_cannot_be_deleted_only_archived(client_for, org_a, adam):
    ana = Athlete.objects.create(organization=org_a, name="Ana", aikynetix_user_id="uid-ana")
    Session.objects.create(organization=org_a, external_id="s1", athlete=ana)
    response = client_for(adam).post(f"/o/{org_a.slug}/athletes/{ana.pk}/delete/", follow=True)
    assert "Ana has analysed sessions, so they cannot be deleted" in response.text
    assert Athlete.objects.filter(pk=ana.pk).exists()


def test_the_dashboard_counts_the_organizations_sessions_only(client_for, org_a, org_b, olivia):
    session(org_a, "u", "s1", status=Session.Status.PROCESSING)
    session(org_a, "u", "s2", status=Session.Status.FAILED)
    session(org_b, "u", "s3", status=Session.Status.PROCESSING)
    response = client_for(olivia).get(f"/o/{org_a.slug}/")  # the counters are the managers'
    assert response.context["library_counts"] == {"this_week": 2, "processing": 1, "failed": 1}
