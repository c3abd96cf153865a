import pytest

from coachportal.organizations.models import Role

from ..factories import make_member

pytestmark = pytest.mark.django_db


def test_a_person_in_two_organizations_sees_both_in_the_switcher(client_for, org_a, org_b, olivia):
    make_member(org_b, Role.COACH, user=olivia)
    page = client_for(olivia).get(f"/o/{org_a.slug}/")
    switcher = page.text.split('class="dropdown org-switcher"')[1].split("</details>")[0]
    assert f'href="/o/{org_a.slug}/" aria-current="page"' in switcher
    assert f'href="/o/{org_b.slug}/"' in switcher


def test_switching_organization_is_remembered_for_the_next_visit(client_for, org_a, org_b, olivia):
    make_member(org_b, Role.COACH, user=olivia)
    client = client_for(olivia)
    client.get(f"/o/{org_b.slug}/")
    assert client.get("/").headers["Location"] == f"/o/{org_b.slug}/"
    client.get(f"/o/{org_a.slug}/members/")
    assert client.get("/").headers["Location"] == f"/o/{org_a.slug}/"


def test_the_role_shown_and_enforced_is_the_one_in_the_current_organization(client_for, org_a, org_b, olivia):
    make_member(org_b, Role.COACH, user=olivia)
    client = client_for(olivia)
    assert client.get(f"/o/{org_a.slug}/settings/").status_code == 200
    assert client.get(f"/o/{org_b.slug}/settings/").status_code == 403


def test_an_owner_changes_the_organization_settings(client_for, org_a, olivia):
    response = client_for(olivia).post(
        f"/o/{org_a.slug}/settings/",
        {
            "name": "Riverside AC",
            "coaches_may_upload": "on",
            "keep_local_video_days": "14",
            "mass_unit": "lb",
        },
    )
    assert response.status_code == 302
    org_a.refresh_from_db()
    assert (org_a.name, org_a.coaches_may_upload, org_a.keep_local_video_days) == ("Riverside AC", True, 14)
    assert org_a.mass_unit == "lb"  # body mass and barbell weight are shown in pounds from now on


def test_a_nonsense_retention_is_refused_next_to_the_field(client_for, org_a, olivia):
    response = client_for(olivia).post(
        f"/o/{org_a.slug}/settings/", {"name": "Riverside", "keep_local_video_days": "0"}
    )
    assert response.status_code == 400
    assert 'id="id_keep_local_video_days_error"' in response.text
