"""The session page's composed-once read gives what the ORM queries it replaces give, in one query."""

from datetime import UTC, datetime

import pytest
from django.db.models import Q

from coachportal.sessions.models import Session
from coachportal.sessions.page_reads import session_and_previous
from tests.factories import make_athlete, make_session

pytestmark = pytest.mark.django_db

T = datetime(2025, 2, 2, 8, 30, tzinfo=UTC)


def visible_session(org_id, pk):
    found = session_and_previous(org_id, pk)
    return found and found[0]


def previous_session(session):
    return session_and_previous(session.organization_id, session.pk)[1]


def orm_session(org, pk):
    return Session.objects.for_org(org).visible().select_related("athlete").filter(pk=pk).first()


def orm_previous_session(session):
    """The rule as the ORM wrote it before the composed statement: the same athlete's (or, unassigned, the
    same provider user's) visible session of the same activity just before it in the library's order."""
    if session.athlete_id:
        same = Q(athlete_id=session.athlete_id)
    elif session.provider_user_id:
        same = Q(athlete__isnull=True, provider_user_id=session.provider_user_id)
    else:
        return None
    earlier = Q(recorded_at__lt=session.recorded_at) | Q(recorded_at=session.recorded_at, id__lt=session.pk)
    return (
        Session.objects.filter(organization_id=session.organization_id, activity=session.activity)
        .visible()
        .filter(same, earlier)
        .order_by("-recorded_at", "-id")
        .only("id", "title", "recorded_at")
        .first()
    )


def fields(instance):
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_the_session_and_its_athlete_are_the_orms(org_a, django_assert_num_queries):
    ada = make_athlete(org_a, "Ada")
    session = make_session(
        org_a, athlete=ada, title='<b>"x"</b>', raw={"segments": 2}, frame_rate=59.94, recorded_at=T
    )
    with django_assert_num_queries(1):
        found = visible_session(org_a.pk, session.pk)
        athlete = found.athlete  # read with it
    expected = orm_session(org_a, session.pk)
    assert fields(found) == fields(expected) and found.recorded_at == T
    assert fields(athlete) == fields(expected.athlete)
    assert found._state.db == expected._state.db and not found._state.adding


def test_an_unassigned_session_has_no_athlete_and_no_query_for_it(org_a, django_assert_num_queries):
    session = make_session(org_a, provider_user_id="u-q")
    with django_assert_num_queries(1):
        found = visible_session(org_a.pk, session.pk)
        assert found.athlete is None
    assert fields(found) == fields(orm_session(org_a, session.pk))


def test_deleted_missing_and_other_organizations_sessions_are_none(org_a, org_b):
    deleted = make_session(org_a, status=Session.Status.DELETED)
    other = make_session(org_b)
    assert visible_session(org_a.pk, deleted.pk) is None
    assert visible_session(org_a.pk, other.pk) is None
    assert visible_session(org_a.pk, other.pk + 1000) is None


def test_the_previous_session_is_the_one_the_orm_rule_finds(org_a, org_b, django_assert_num_queries):
    ada, bea = make_athlete(org_a, "Ada"), make_athlete(org_a, "Bea")
    sessions = [
        make_session(org_a, athlete=ada, recorded_at=T.replace(day=1)),
        make_session(org_a, athlete=ada, recorded_at=T),  # the same moment: the lower id comes first
        make_session(org_a, athlete=ada, recorded_at=T),
        make_session(org_a, athlete=ada, recorded_at=T.replace(day=3), status=Session.Status.DELETED),
        make_session(org_a, athlete=ada, recorded_at=T.replace(day=4), activity="jumping"),
        make_session(org_a, athlete=ada, recorded_at=T.replace(day=5)),
        make_session(org_a, athlete=bea, recorded_at=T.replace(day=6)),
        make_session(org_a, provider_user_id="u-q", recorded_at=T),
        make_session(org_a, provider_user_id="u-q", recorded_at=T.replace(day=7)),
        make_session(org_a, provider_user_id="u-z", recorded_at=T.replace(day=8)),
        make_session(org_a, provider_user_id="", recorded_at=T.replace(day=9)),
        make_session(org_b, provider_user_id="u-q", recorded_at=T.replace(day=10)),
    ]
    shown = sessions[:3] + sessions[4:]  # a deleted session has no page
    found = {s.pk: previous_session(s) for s in shown}
    expected = {s.pk: orm_previous_session(s) for s in shown}
    assert {pk: p and p.pk for pk, p in found.items()} == {pk: p and p.pk for pk, p in expected.items()}
    assert [found[s.pk] and found[s.pk].pk for s in shown] == [
        None, sessions[0].pk, sessions[1].pk, None, sessions[2].pk, None,
        None, sessions[7].pk, None, None, None,
    ]  # fmt: skip
    with django_assert_num_queries(1):
        session, later = session_and_previous(org_a.pk, sessions[5].pk)
        assert later.pk == sessions[2].pk and session.athlete == ada
    assert (later.title, later.recorded_at) == (sessions[2].title, T)
    assert later.get_deferred_fields() == expected[sessions[5].pk].get_deferred_fields()


def test_the_previous_session_is_the_latest_visible_one_whatever_its_status(org_a):
    """The athlete's previous session is looked up per visible status (issue 18): the latest of all of
    them is the one shown, ties in time going to the lower id across statuses too."""
    ada = make_athlete(org_a, "Ada")
    status = Session.Status
    sessions = [
        make_session(org_a, athlete=ada, recorded_at=T.replace(day=1), status=status.READY),
        make_session(org_a, athlete=ada, recorded_at=T.replace(day=2), status=status.FAILED),
        make_session(org_a, athlete=ada, recorded_at=T.replace(day=2), status=status.PROCESSING),
        make_session(org_a, athlete=ada, recorded_at=T.replace(day=2), status=status.READY),
        make_session(org_a, athlete=ada, recorded_at=T.replace(day=3), status=status.DELETED),
        make_session(org_a, athlete=ada, recorded_at=T.replace(day=4), status=status.PROCESSING),
        make_session(org_a, athlete=ada, recorded_at=T.replace(day=5), status=status.READY),
    ]
    shown = [s for s in sessions if s.status != status.DELETED]
    found = [previous_session(s) for s in shown]
    assert [p and p.pk for p in found] == [
        orm_previous_session(s) and orm_previous_session(s).pk for s in shown
    ]
    assert [p and p.pk for p in found] == [
        None, sessions[0].pk, sessions[1].pk, sessions[2].pk, sessions[3].pk, sessions[5].pk,
    ]  # fmt: skip
