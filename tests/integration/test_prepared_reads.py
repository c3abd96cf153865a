"""The person, their memberships, the compared sessions and the notes read by statements composed once
(coachportal.prepared) are the instances the ORM gives: every field's value and type, the related
instances, the order."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.utils import timezone

from coachportal.accounts.backends import EmailBackend
from coachportal.notes import services as notes
from coachportal.notes.models import Note
from coachportal.organizations.access import READ_WITH_THE_PERSON, memberships_for, memberships_of
from coachportal.organizations.models import Membership, Role
from coachportal.sessions import compare
from coachportal.sessions.models import Session
from tests.factories import make_athlete, make_member, make_org, make_session

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


def test_the_compared_sessions_are_the_orms_with_their_athletes(org_a, org_b, django_assert_num_queries):
    ana = make_athlete(org_a, "Ana Jumper", weight=61.5)
    with_athlete = make_session(org_a, athlete=ana, frame_rate=59.94, raw={"end_frames": [3]})
    unlinked = make_session(org_a, athlete=None, provider_user_name="Provider name")
    deleted = make_session(org_a, athlete=ana, status=Session.Status.DELETED)
    theirs = make_session(org_b)
    ids = [unlinked.pk, deleted.pk, with_athlete.pk, theirs.pk, unlinked.pk + 10_000]
    orm = {
        s.pk: s for s in Session.objects.for_org(org_a).visible().select_related("athlete").filter(pk__in=ids)
    }
    with django_assert_num_queries(1):
        read = compare.chosen_sessions(org_a, ids)
        assert read[with_athlete.pk].athlete.name == "Ana Jumper" and read[unlinked.pk].athlete is None
    assert sorted(read) == sorted(orm) == sorted([with_athlete.pk, unlinked.pk])
    assert {pk: values(s) for pk, s in read.items()} == {pk: values(s) for pk, s in orm.items()}
    assert values(read[with_athlete.pk].athlete) == values(orm[with_athlete.pk].athlete)
    assert timezone.is_aware(read[with_athlete.pk].recorded_at)  # parsed, also on SQLite
    assert read[with_athlete.pk].raw == {"end_frames": [3]} and isinstance(read[unlinked.pk].metrics, dict)
    assert [s.athlete_display for s in read.values()] == [s.athlete_display for s in orm.values()]
    assert not read[unlinked.pk]._state.adding and compare.chosen_sessions(org_a, []) == {}


def test_the_notes_of_sessions_are_the_orms_in_time_order_with_their_authors(
    org_a, org_b, chloe, adam, django_assert_num_queries
):
    first, second, other = make_session(org_a), make_session(org_a), make_session(org_a)
    theirs = make_session(org_b)
    arrow = {"type": "arrow", "points": [[0.2, 0.2], [0.4, 0.5]]}
    notes.add_note(first, actor=chloe, at_seconds=2.0, text="late", shapes=[arrow], aspect=1.7)
    notes.add_note(first, actor=adam, at_seconds=0.5, text="early", shapes=[], aspect=1.0)
    notes.add_note(second, actor=adam, at_seconds=1.0, text="gone", shapes=[], aspect=1.0)
    notes.add_note(other, actor=chloe, at_seconds=1.0, text="not asked", shapes=[], aspect=1.0)
    notes.add_note(theirs, actor=chloe, at_seconds=1.0, text="their note", shapes=[], aspect=1.0)
    adam.delete()  # a former member's note stays, without its author
    ids = [first.pk, second.pk, theirs.pk, first.pk]
    with django_assert_num_queries(1):
        read = notes.notes_by_session(org_a.pk, ids)
        assert [n.author.name for n in read[first.pk] if n.author] == ["Chloe Coach"]
    orm = Note.objects.filter(organization_id=org_a.pk, session_id__in=ids).in_time_order()
    assert [values(n) for pk in (first.pk, second.pk) for n in read[pk]] == [
        values(n) for n in sorted(orm, key=lambda n: (n.session_id, n.at_seconds, n.id))
    ]
    assert [n.text for n in read[first.pk]] == ["early", "late"] and read[first.pk][1].shapes == [arrow]
    assert [n.author for n in read[second.pk]] == [None] and read[theirs.pk] == []
    assert values(read[first.pk][1].author) == values(Note.objects.get(text="late").author)
    assert notes.notes_by_session(org_a.pk, []) == {}


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
