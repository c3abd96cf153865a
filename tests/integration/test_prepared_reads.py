"""The person and their memberships read by statements composed once (coachportal.prepared) are the
instances the ORM gives: every field's value and type, the organizations, the order."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.utils import timezone

from coachportal.accounts.backends import EmailBackend
from coachportal.organizations.access import READ_WITH_THE_PERSON, memberships_for, memberships_of
from coachportal.organizations.models import Membership, Role
from tests.factories import make_member, make_org

pytestmark = pytest.mark.django_db


def values(instance):
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_the_backend_reads_the_person_the_orm_reads(chloe):
    chloe.time_zone, chloe.last_login = "Europe/Amsterdam", timezone.now()
    chloe.save(update_fields=["time_zone", "last_login"])
    chloe.refresh_from_db()
    read = EmailBackend().get_user(chloe.pk)
    assert read is not None and values(read) == values(chloe) == values(ModelBackend().get_user(chloe.pk))
    assert timezone.is_aware(read.last_login) and timezone.is_aware(
        read.date_joined
    )  # parsed, also on SQLite
    assert read.is_active is True and read.is_staff is False  # booleans, also where SQLite stores 0/1
    assert not read._state.adding and read._state.db == "default"  # a saved row, as from the ORM
    assert EmailBackend().get_user(str(chloe.pk)) == chloe  # the session keeps the id as text


def test_the_backend_reads_no_one_for_an_inactive_missing_or_malformed_id(chloe):
    backend = EmailBackend()
    assert backend.get_user(chloe.pk + 1000) is None and backend.get_user("not-a-number") is None
    chloe.is_active = False
    chloe.save(update_fields=["is_active"])
    assert backend.get_user(chloe.pk) is None


def test_the_memberships_are_the_orms_with_their_organizations_by_name(chloe, org_a):
    zulu, alpha = make_org("Zulu Club"), make_org("Alpha Academy")
    make_member(zulu, Role.ADMIN, user=chloe)
    make_member(alpha, Role.OWNER, user=chloe)
    orm = list(Membership.objects.select_related("organization").filter(user_id=chloe.pk))
    read = memberships_of(chloe.pk)
    assert [m.organization.name for m in read] == ["Alpha Academy", "Riverside Athletics", "Zulu Club"]
    assert [values(m) for m in read] == [values(m) for m in orm]
    assert [values(m.organization) for m in read] == [values(m.organization) for m in orm]
    assert [m.may_manage() for m in read] == [m.may_manage() for m in orm] == [True, False, True]
    assert memberships_of(chloe.pk + 1000) == []


def test_a_signed_in_page_reads_the_person_once(client_for, chloe, org_a, django_assert_num_queries):
    client = client_for(chloe)
    client.get(f"/o/{org_a.slug}/sessions/")
    with django_assert_num_queries(4):  # session, person with their memberships, rows, the library's state
        page = client.get(f"/o/{org_a.slug}/sessions/")
    assert page.status_code == 200 and page.context["user"] == chloe


def test_the_person_is_read_with_their_memberships_as_the_gate_reads_them(chloe, org_a):
    zulu, alpha = make_org("Zulu Club"), make_org("Alpha Academy")
    make_member(zulu, Role.ADMIN, user=chloe)
    make_member(alpha, Role.OWNER, user=chloe)
    read = EmailBackend().get_user(chloe.pk)
    kept = getattr(read, READ_WITH_THE_PERSON)
    assert [values(m) for m in kept] == [values(m) for m in memberships_of(chloe.pk)]
    assert [values(m.organization) for m in kept] == [
        values(m.organization) for m in memberships_of(chloe.pk)
    ]
    assert [m.organization.name for m in kept] == ["Alpha Academy", "Riverside Athletics", "Zulu Club"]
    assert values(read) == values(chloe)  # one row per membership, the same person in each


def test_a_person_without_memberships_is_read_with_none(django_user_model):
    loner = django_user_model.objects.create_user(email="loner@example.com", password="x" * 12)
    read = EmailBackend().get_user(loner.pk)
    assert values(read) == values(loner) and getattr(read, READ_WITH_THE_PERSON) == []


def test_the_memberships_read_with_the_person_are_taken_once(chloe, org_a, django_assert_num_queries):
    read = EmailBackend().get_user(chloe.pk)
    with django_assert_num_queries(0):
        assert [m.organization for m in memberships_for(read)] == [org_a]
    Membership.objects.filter(user=chloe).delete()
    with django_assert_num_queries(1):  # a second call in the same request asks the database again
        assert memberships_for(read) == []


def test_a_removed_membership_closes_the_organization_at_the_next_request(client_for, chloe, org_a):
    client = client_for(chloe)
    assert client.get(f"/o/{org_a.slug}/sessions/").status_code == 200
    Membership.objects.filter(user=chloe, organization=org_a).delete()
    assert client.get(f"/o/{org_a.slug}/sessions/").status_code == 404


def test_a_changed_role_applies_at_the_next_request(client_for, chloe, org_a):
    client = client_for(chloe)
    assert client.get(f"/o/{org_a.slug}/settings/").status_code == 403
    Membership.objects.filter(user=chloe, organization=org_a).update(role=Role.ADMIN)
    assert client.get(f"/o/{org_a.slug}/settings/").status_code == 200


def test_a_password_change_elsewhere_signs_the_session_out(client_for, chloe, org_a):
    client = client_for(chloe)
    assert client.get(f"/o/{org_a.slug}/sessions/").status_code == 200
    chloe.set_password("a-new-password-123")
    chloe.save()
    page = client.get(f"/o/{org_a.slug}/sessions/")
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]
