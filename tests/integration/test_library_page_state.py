"""The library's state read with one statement composed once (sessions/page_state.py): its sync state is
the instance the ORM reads, field by field."""

import pytest
from django.utils import timezone

from coachportal.athletes.models import Athlete
from coachportal.organizations.models import Membership, Provider
from coachportal.sessions.models import SyncState
from coachportal.sessions.page_state import library_state

pytestmark = pytest.mark.django_db


def values(instance):
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_the_sync_state_is_the_one_the_orm_reads(org_a, org_b, chloe):
    library_state(org_b)  # another organization's row is never read
    first = library_state(org_a)  # the first visit creates the row
    SyncState.objects.filter(pk=first.sync.pk).update(
        last_success_at=timezone.now(), last_error="timed out", requested_at=timezone.now()
    )
    read = library_state(org_a, Membership.objects.get(user=chloe, organization=org_a))
    orm = SyncState.objects.get(organization=org_a, provider=Provider.AIKYNETIX)
    assert values(read.sync) == values(orm) and read.sync.last_error == "timed out"
    assert timezone.is_aware(read.sync.last_success_at)  # converted as the ORM does, on SQLite too
    assert not read.sync._state.adding and read.sync._state.db == "default"
    assert read.has_key is False and read.assigned is False


def test_assigned_athletes_offer_my_athletes_only(org_a, chloe):
    membership = Membership.objects.get(user=chloe, organization=org_a)
    before = library_state(org_a, membership)
    ana = Athlete.objects.create(organization=org_a, name="Ana", aikynetix_user_id="u-ana")
    ana.coaches.add(membership)
    after = library_state(org_a, membership)
    assert before.assigned is False and after.assigned is True
    assert after.roster_stamp != before.roster_stamp
    assert library_state(org_a).assigned is False  # no reader, nobody's athletes
