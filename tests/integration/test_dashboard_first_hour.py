"""A new organization's dashboard leads through the first hour; a coach sees what is new since last time."""

from datetime import timedelta

import pytest
from django.utils import timezone

from coachportal.organizations import credentials
from coachportal.organizations.models import Invitation, Membership, ProviderCredential, Role
from coachportal.sessions.models import Session
from tests.factories import make_athlete, make_session, make_upload

pytestmark = pytest.mark.django_db


def states(response):
    return [(step.title, step.state) for step in response.context["setup_steps"]]


def test_a_new_organization_sees_the_checklist_in_order_above_the_counters(client_for, olivia, org_a):
    response = client_for(olivia).get(f"/o/{org_a.slug}/")
    assert states(response) == [
        ("Connect your AiKYNETIX key", "next"),
        ("Add your athletes", "later"),
        ("Upload a first video", "later"),
        ("Invite a coach", "later"),
    ]
    html = response.content.decode()
    assert html.index("Get started") < html.index('id="library-dashboard-h"')
    assert 'aria-current="step"' in html


def test_each_step_turns_done_and_the_checklist_goes_once_all_are(client_for, olivia, org_a):
    client = client_for(olivia)
    credential = credentials.save_key(org_a, "aikynetix", api_key="sk-test-123456789", label="", actor=olivia)
    assert states(client.get(f"/o/{org_a.slug}/"))[0] == (
        "Connect your AiKYNETIX key",
        "next",
    )  # not tested yet
    credential.record_check(ProviderCredential.Status.OK, "Working.")
    athlete = make_athlete(org_a, "Ana", aikynetix_user_id="u-ana")
    assert states(client.get(f"/o/{org_a.slug}/"))[:3] == [
        ("Connect your AiKYNETIX key", "done"),
        ("Add your athletes", "done"),
        ("Upload a first video", "next"),
    ]
    make_upload(org_a, athlete)
    Invitation.objects.create(
        organization=org_a, email="cy@riverside.example", role=Role.COACH, invited_by=olivia, token_hash="h1"
    )
    response = client.get(f"/o/{org_a.slug}/")
    assert response.context["setup_steps"] == []
    assert "Get started" not in response.content.decode()


def test_a_coach_sees_new_sessions_since_the_last_visit_not_the_admin_counters(client_for, org_a, chloe):
    client = client_for(chloe)
    make_session(org_a, title="Seen before")
    first = client.get(f"/o/{org_a.slug}/")
    assert "library_counts" not in first.context and "setup_steps" not in first.context
    assert "Your athletes' newest sessions" in first.content.decode()
    Session.objects.update(created_at=timezone.now() - timedelta(hours=1))
    Membership.objects.filter(user=chloe).update(last_seen_at=timezone.now() - timedelta(minutes=30))
    make_session(org_a, title="Fresh hill reps")
    page = client.get(f"/o/{org_a.slug}/").content.decode()
    assert "New sessions of your athletes since your last visit" in page
    assert "Fresh hill reps" in page and "Seen before" not in page
    assert "in processing" not in page and "failed uploads" not in page
    again = client.get(f"/o/{org_a.slug}/").content.decode()
    assert "Fresh hill reps" not in again and "Nothing new since then" in again
