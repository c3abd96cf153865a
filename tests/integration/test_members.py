import pytest

from coachportal.organizations.models import AuditEvent, Membership, Role

from ..factories import make_member

pytestmark = pytest.mark.django_db


def membership(user, org):
    return Membership.objects.get(user=user, organization=org)


def test_everyone_in_the_organization_sees_who_has_access(client_for, org_a, olivia, adam, chloe):
    page = client_for(chloe).get(f"/o/{org_a.slug}/members/")
    assert page.status_code == 200
    for person in (olivia, adam, chloe):
        assert person.email in page.text
    assert "Change role" not in page.text  # coaches read, they don't manage
    assert "Invite someone" not in page.text


def test_an_admin_makes_a_coach_an_admin(client_for, org_a, adam, chloe):
    client_for(adam).post(f"/o/{org_a.slug}/members/{membership(chloe, org_a).pk}/role/", {"role": "admin"})
    assert membership(chloe, org_a).role == Role.ADMIN
    event = AuditEvent.objects.get(verb="member.role_changed")
    assert (event.actor, event.detail) == (adam, {"old": "coach", "new": "admin"})


def test_an_admin_cannot_make_anyone_an_owner(client_for, org_a, adam, chloe):
    response = client_for(adam).post(
        f"/o/{org_a.slug}/members/{membership(chloe, org_a).pk}/role/", {"role": "owner"}, follow=True
    )
    assert membership(chloe, org_a).role == Role.COACH
    assert "Only an owner can" in response.text


def test_an_admin_cannot_demote_or_remove_an_owner(client_for, org_a, olivia, adam):
    client = client_for(adam)
    client.post(f"/o/{org_a.slug}/members/{membership(olivia, org_a).pk}/role/", {"role": "coach"})
    client.post(f"/o/{org_a.slug}/members/{membership(olivia, org_a).pk}/remove/")
    assert membership(olivia, org_a).role == Role.OWNER


def test_the_last_owner_can_be_neither_demoted_nor_removed(client_for, org_a, olivia):
    client = client_for(olivia)
    mine = membership(olivia, org_a)
    response = client.post(f"/o/{org_a.slug}/members/{mine.pk}/role/", {"role": "admin"}, follow=True)
    assert "needs at least one owner" in response.text
    response = client.post(f"/o/{org_a.slug}/members/{mine.pk}/remove/", follow=True)
    assert "needs at least one owner" in response.text
    assert membership(olivia, org_a).role == Role.OWNER


def test_with_a_second_owner_the_first_may_step_down(client_for, org_a, olivia):
    make_member(org_a, Role.OWNER)
    client_for(olivia).post(
        f"/o/{org_a.slug}/members/{membership(olivia, org_a).pk}/role/", {"role": "admin"}
    )
    assert membership(olivia, org_a).role == Role.ADMIN


def test_an_owner_removes_a_member_who_then_loses_access(client_for, client, org_a, olivia, chloe):
    client_for(olivia).post(f"/o/{org_a.slug}/members/{membership(chloe, org_a).pk}/remove/")
    assert not Membership.objects.filter(user=chloe, organization=org_a).exists()
    assert AuditEvent.objects.filter(verb="member.removed", actor=olivia).exists()
    client.logout()
    assert client_for(chloe).get(f"/o/{org_a.slug}/").status_code == 404


def test_a_member_of_another_organization_cannot_be_changed_through_this_one(
    client_for, org_a, org_b, olivia, bruno
):
    other = membership(bruno, org_b)
    response = client_for(olivia).post(f"/o/{org_a.slug}/members/{other.pk}/role/", {"role": "coach"})
    assert response.status_code == 404
    assert membership(bruno, org_b).role == Role.OWNER


def test_an_unknown_role_is_refused(client_for, org_a, olivia, chloe):
    response = client_for(olivia).post(
        f"/o/{org_a.slug}/members/{membership(chloe, org_a).pk}/role/", {"role": "superuser"}, follow=True
    )
    assert "Choose one of owner, admin or coach" in response.text
    assert membership(chloe, org_a).role == Role.COACH


def test_changing_a_role_needs_a_post(client_for, org_a, olivia, chloe):
    response = client_for(olivia).get(
        f"/o/{org_a.slug}/members/{membership(chloe, org_a).pk}/role/?role=admin"
    )
    assert response.status_code == 405
    assert membership(chloe, org_a).role == Role.COACH


def test_the_invite_form_says_how_long_the_link_works(client_for, org_a, adam, settings):
    settings.INVITE_EXPIRY_DAYS = 3
    page = client_for(adam).get(f"/o/{org_a.slug}/members/")
    assert "expires after 3 days" in page.text
