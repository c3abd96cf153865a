"""Adding, editing, archiving, restoring and deleting athletes, and who may do it."""

import pytest
from django.db import IntegrityError

from coachportal.athletes.models import Athlete
from coachportal.organizations.models import AuditEvent
from tests.factories import make_athlete

pytestmark = pytest.mark.django_db


def url(org, suffix=""):
    return f"/o/{org.slug}/athletes/{suffix}"


def test_an_admin_adds_an_athlete(client_for, org_a, adam):
    response = client_for(adam).post(
        url(org_a, "new/"),
        {"name": "Ada Runner", "email": "ada@example.com", "aikynetix_user_id": "u-1", "notes": "800 m"},
        follow=True,
    )
    athlete = Athlete.objects.get(organization=org_a)
    assert (athlete.name, athlete.email, athlete.aikynetix_user_id, athlete.notes, athlete.active) == (
        "Ada Runner",
        "ada@example.com",
        "u-1",
        "800 m",
        True,
    )
    assert "Ada Runner is on the roster." in response.text
    assert response.redirect_chain[-1][0] == url(org_a, f"{athlete.pk}/")
    event = AuditEvent.objects.get(verb="athlete.created")
    assert (event.organization, event.actor, event.object_id) == (org_a, adam, str(athlete.pk))


def test_what_people_type_is_trimmed_and_a_blank_user_id_means_none(client_for, org_a, olivia):
    client_for(olivia).post(
        url(org_a, "new/"),
        {
            "name": "  Ben Jumper ",
            "email": " Ben.Jumper@Example.COM ",
            "aikynetix_user_id": "   ",
            "notes": "",
        },
    )
    athlete = Athlete.objects.get(organization=org_a)
    assert (athlete.name, athlete.email, athlete.aikynetix_user_id) == (
        "Ben Jumper",
        "ben.jumper@example.com",
        None,
    )


def test_a_user_id_is_trimmed_before_it_is_stored(client_for, org_a, olivia):
    client_for(olivia).post(url(org_a, "new/"), {"name": "Ben", "aikynetix_user_id": "  u-77\t"})
    assert Athlete.objects.get(organization=org_a).aikynetix_user_id == "u-77"


def test_the_model_normalizes_too(org_a):
    athlete = make_athlete(org_a, name=" Cy ", email="CY@X.IO", aikynetix_user_id=" ")
    athlete.refresh_from_db()
    assert (athlete.name, athlete.email, athlete.aikynetix_user_id) == ("Cy", "cy@x.io", None)


def test_a_name_is_required_and_what_was_typed_stays(client_for, org_a, olivia):
    response = client_for(olivia).post(
        url(org_a, "new/"), {"name": "   ", "email": "ada@example.com", "aikynetix_user_id": "u-9"}
    )
    assert response.status_code == 400
    assert "Enter the athlete&#x27;s name." in response.text or "This field is required." in response.text
    assert 'value="ada@example.com"' in response.text
    assert 'value="u-9"' in response.text
    assert not Athlete.objects.exists()


def test_an_invalid_email_is_shown_next_to_the_field(client_for, org_a, olivia):
    response = client_for(olivia).post(url(org_a, "new/"), {"name": "Ada", "email": "not-an-email"})
    assert response.status_code == 400
    assert 'id="id_email_error"' in response.text
    assert "Enter a valid email address." in response.text
    assert 'value="not-an-email"' in response.text


def test_two_athletes_of_one_organization_cannot_share_a_user_id(client_for, org_a, olivia):
    make_athlete(org_a, name="Ada Runner", aikynetix_user_id="u-1")
    response = client_for(olivia).post(
        url(org_a, "new/"), {"name": "Ben Jumper", "aikynetix_user_id": " u-1 "}
    )
    assert response.status_code == 400
    assert "Ada Runner already has this AiKYNETIX user id. Each athlete needs their own." in response.text
    assert 'value="Ben Jumper"' in response.text
    assert Athlete.objects.count() == 1


def test_the_database_refuses_a_shared_user_id_too(org_a):
    make_athlete(org_a, aikynetix_user_id="u-1")
    with pytest.raises(IntegrityError):
        make_athlete(org_a, name="Other", aikynetix_user_id="u-1")


def test_many_athletes_may_have_no_user_id(org_a):
    make_athlete(org_a, name="A")
    make_athlete(org_a, name="B", aikynetix_user_id="")
    assert Athlete.objects.filter(aikynetix_user_id__isnull=True).count() == 2


def test_another_organization_may_use_the_same_user_id(client_for, org_a, org_b, olivia):
    make_athlete(org_b, name="Hilltop Hana", aikynetix_user_id="u-1")
    response = client_for(olivia).post(
        url(org_a, "new/"), {"name": "Riverside Rita", "aikynetix_user_id": "u-1"}
    )
    assert response.status_code == 302
    assert Athlete.objects.filter(aikynetix_user_id="u-1").count() == 2


def test_an_admin_edits_an_athlete(client_for, org_a, adam):
    athlete = make_athlete(org_a, aikynetix_user_id="u-1")
    client_for(adam).post(
        url(org_a, f"{athlete.pk}/edit/"), {"name": "Ada R. Runner", "email": "", "aikynetix_user_id": "u-1"}
    )
    athlete.refresh_from_db()
    assert athlete.name == "Ada R. Runner"
    event = AuditEvent.objects.get(verb="athlete.updated")
    assert event.detail == {"fields": ["name"]}


def test_an_athlete_keeps_their_own_user_id_when_edited(client_for, org_a, olivia):
    athlete = make_athlete(org_a, aikynetix_user_id="u-1")
    response = client_for(olivia).post(
        url(org_a, f"{athlete.pk}/edit/"), {"name": "Ada", "aikynetix_user_id": "u-1"}
    )
    assert response.status_code == 302


def test_an_edit_to_a_taken_user_id_is_refused_and_the_heading_keeps_the_saved_name(
    client_for, org_a, olivia
):
    make_athlete(org_a, name="Ada Runner", aikynetix_user_id="u-1")
    ben = make_athlete(org_a, name="Ben Jumper", aikynetix_user_id="u-2")
    response = client_for(olivia).post(
        url(org_a, f"{ben.pk}/edit/"), {"name": "Benjamin", "aikynetix_user_id": "u-1"}
    )
    assert response.status_code == 400
    assert "<h1>Edit <bdi>Ben Jumper</bdi></h1>" in response.text
    assert 'value="Benjamin"' in response.text
    ben.refresh_from_db()
    assert (ben.name, ben.aikynetix_user_id) == ("Ben Jumper", "u-2")


def test_archiving_hides_the_athlete_and_keeps_the_row(client_for, org_a, adam):
    athlete = make_athlete(org_a)
    client = client_for(adam)
    response = client.post(url(org_a, f"{athlete.pk}/archive/"), follow=True)
    assert "Ada Runner is archived. Their sessions stay; restore them any time." in response.text
    athlete.refresh_from_db()
    assert athlete.active is False
    assert "Ada Runner" not in client.get(url(org_a)).text
    assert "Ada Runner" in client.get(url(org_a) + "?status=archived").text
    assert AuditEvent.objects.filter(verb="athlete.archived", object_id=str(athlete.pk)).count() == 1


def test_archiving_twice_changes_nothing_the_second_time(client_for, org_a, adam):
    athlete = make_athlete(org_a, active=False)
    response = client_for(adam).post(url(org_a, f"{athlete.pk}/archive/"), follow=True)
    assert "Ada Runner was already archived." in response.text
    assert not AuditEvent.objects.filter(verb="athlete.archived").exists()


def test_restoring_brings_an_athlete_back(client_for, org_a, adam):
    athlete = make_athlete(org_a, active=False)
    response = client_for(adam).post(url(org_a, f"{athlete.pk}/restore/"), follow=True)
    assert "Ada Runner is back on the roster." in response.text
    athlete.refresh_from_db()
    assert athlete.active is True
    assert AuditEvent.objects.filter(verb="athlete.restored").count() == 1


def test_restoring_an_athlete_on_the_roster_changes_nothing(client_for, org_a, adam):
    athlete = make_athlete(org_a)
    response = client_for(adam).post(url(org_a, f"{athlete.pk}/restore/"), follow=True)
    assert "Ada Runner was already on the roster." in response.text
    athlete.refresh_from_db()
    assert athlete.active is True
    assert not AuditEvent.objects.filter(verb="athlete.restored").exists()


def test_an_archived_athlete_still_holds_their_user_id(client_for, org_a, olivia):
    make_athlete(org_a, name="Ada Runner", aikynetix_user_id="u-1", active=False)
    response = client_for(olivia).post(url(org_a, "new/"), {"name": "Ben", "aikynetix_user_id": "u-1"})
    assert response.status_code == 400


def test_archive_returns_to_the_filtered_list_it_came_from(client_for, org_a, adam):
    athlete = make_athlete(org_a)
    back = url(org_a) + "?q=ada&status=active"
    response = client_for(adam).post(url(org_a, f"{athlete.pk}/archive/"), {"next": back})
    assert response["Location"] == back


def test_archive_does_not_redirect_to_another_site(client_for, org_a, adam):
    athlete = make_athlete(org_a)
    response = client_for(adam).post(url(org_a, f"{athlete.pk}/archive/"), {"next": "https://evil.example/"})
    assert response["Location"] == url(org_a, f"{athlete.pk}/")


def test_archive_and_restore_need_a_post(client_for, org_a, adam):
    athlete = make_athlete(org_a)
    assert client_for(adam).get(url(org_a, f"{athlete.pk}/archive/")).status_code == 405
    athlete.refresh_from_db()
    assert athlete.active is True


def test_deleting_asks_first_then_deletes_an_athlete_without_sessions(client_for, org_a, olivia):
    athlete = make_athlete(org_a)
    client = client_for(olivia)
    page = client.get(url(org_a, f"{athlete.pk}/delete/"))
    assert "This removes <bdi>Ada Runner</bdi> from <bdi>Riverside Athletics</bdi> for good." in page.text
    assert Athlete.objects.filter(pk=athlete.pk).exists()
    response = client.post(url(org_a, f"{athlete.pk}/delete/"), follow=True)
    assert "Ada Runner was deleted." in response.text
    assert not Athlete.objects.filter(pk=athlete.pk).exists()
    event = AuditEvent.objects.get(verb="athlete.deleted")
    assert (event.object_id, event.object_repr) == (str(athlete.pk), "Ada Runner")


def test_an_athlete_with_sessions_is_not_deleted_and_the_page_says_why(
    client_for, org_a, olivia, monkeypatch
):
    monkeypatch.setattr(Athlete, "has_sessions", lambda self: True)
    athlete = make_athlete(org_a)
    client = client_for(olivia)
    page = client.get(url(org_a, f"{athlete.pk}/delete/"))
    assert "has analysed sessions, so they cannot be deleted" in page.text
    assert "Archive <bdi>Ada Runner</bdi>" in page.text
    response = client.post(url(org_a, f"{athlete.pk}/delete/"), follow=True)
    assert (
        "Ada Runner has analysed sessions, so they cannot be deleted. "
        "Archive them instead: they leave the roster and their sessions stay."
    ) in response.text
    assert Athlete.objects.filter(pk=athlete.pk).exists()
    assert not AuditEvent.objects.filter(verb="athlete.deleted").exists()


def test_a_coach_sees_an_athlete_but_no_buttons_to_change_them(client_for, org_a, chloe):
    athlete = make_athlete(org_a, notes="Left knee: go easy on drop jumps")
    page = client_for(chloe).get(url(org_a, f"{athlete.pk}/"))
    assert page.status_code == 200
    assert "Left knee: go easy on drop jumps" in page.text
    assert "Edit" not in page.text
    assert "Archive" not in page.text


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("get", "new/"),
        ("post", "new/"),
        ("get", "{pk}/edit/"),
        ("post", "{pk}/edit/"),
        ("post", "{pk}/archive/"),
        ("post", "{pk}/restore/"),
        ("get", "{pk}/delete/"),
        ("post", "{pk}/delete/"),
        ("get", "import/"),
        ("post", "import/confirm/"),
    ],
)
def test_a_coach_cannot_change_the_roster(client_for, org_a, chloe, method, suffix):
    athlete = make_athlete(org_a)
    response = getattr(client_for(chloe), method)(
        url(org_a, suffix.format(pk=athlete.pk)), {"name": "Changed"}
    )
    assert response.status_code == 403
    athlete.refresh_from_db()
    assert (athlete.name, athlete.active) == ("Ada Runner", True)
    assert Athlete.objects.count() == 1


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("get", "{pk}/"),
        ("get", "{pk}/edit/"),
        ("post", "{pk}/edit/"),
        ("post", "{pk}/archive/"),
        ("post", "{pk}/restore/"),
        ("get", "{pk}/delete/"),
        ("post", "{pk}/delete/"),
    ],
)
def test_another_organizations_athlete_is_not_found(client_for, org_a, org_b, olivia, method, suffix):
    theirs = make_athlete(org_b, name="Hilltop Hana")
    response = getattr(client_for(olivia), method)(
        url(org_a, suffix.format(pk=theirs.pk)), {"name": "Changed"}
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert (theirs.name, theirs.active) == ("Hilltop Hana", True)


def test_org_b_people_cannot_reach_org_a_athletes_through_their_own_organization(client_for, org_a, bruno):
    ours = make_athlete(org_a)
    org_b_slug = bruno.memberships.get().organization.slug
    client = client_for(bruno)
    assert client.get(f"/o/{org_b_slug}/athletes/{ours.pk}/").status_code == 404
    assert client.post(f"/o/{org_b_slug}/athletes/{ours.pk}/archive/").status_code == 404
    assert client.get(url(org_a, f"{ours.pk}/")).status_code == 404
    ours.refresh_from_db()
    assert ours.active is True
