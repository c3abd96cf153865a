"""Everyday pages at 1280 and 390 px: a compact header on a phone, no sideways scroll, axe-clean, safe text.

The pages are those a new admin and a settled organization open every day: the dashboard (new and
settled), a session, the athletes and the audit log.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from coachportal.organizations import credentials
from coachportal.organizations.models import AuditEvent
from tests.factories import make_athlete, make_member, make_org, make_session

from .looking import log_in, unisolated_bidi_text

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
HEADER_SHARE_MAX = 0.15  # of the first screen on a phone
RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE


@pytest.fixture
def settled(org_a, olivia, chloe):
    """Org A after a few weeks: a key, athletes (one with a right-to-left override in the name), sessions."""
    credentials.save_key(org_a, "aikynetix", api_key="sk-test-0000-settled", label="Club", actor=olivia)
    ana = make_athlete(org_a, "Ana Sprinter", aikynetix_user_id="u-ana")
    tricky = make_athlete(org_a, f"Noor {RLO}evil", aikynetix_user_id="u-noor")
    now = timezone.now()
    sessions = [
        make_session(
            org_a,
            athlete=ana if n % 2 else tricky,
            title=f"Sprint {n}" if n != 2 else f"Sprint {RLO}2",
            recorded_at=now - timedelta(days=3 * n),
        )
        for n in range(6)
    ]
    before, after = {"title": "Sprint 3"}, {"title": "Sprint 3 - spikes"}
    AuditEvent.record(org_a, olivia, "session.updated", sessions[3], before=before, after=after)
    org_a.first_session = sessions[0]
    return org_a


def header_share(page) -> float:
    page.set_viewport_size(PHONE)
    height = page.evaluate("() => document.querySelector('.site-header').getBoundingClientRect().height")
    return height / PHONE["height"]


def test_a_settled_organization_reads_well_on_a_laptop_and_a_phone(
    live_server, page, screenshot, settled, olivia
):
    log_in(page, live_server.url, olivia.email)
    base = f"{live_server.url}/o/{settled.slug}"
    for name, path in (
        ("everyday-dashboard-settled", "/"),
        ("everyday-session", f"/sessions/{settled.first_session.pk}/"),
        ("everyday-athletes", "/athletes/"),
        ("everyday-audit", "/audit/"),
    ):
        page.goto(base + path)
        assert header_share(page) <= HEADER_SHARE_MAX, f"{path}: header takes {header_share(page):.0%}"
        # Noor's name carries a right-to-left override: isolated, it cannot reverse what follows it.
        assert unisolated_bidi_text(page) == [], path
        screenshot(name, overflow=True)


def test_a_new_organization_dashboard_on_a_phone(live_server, page, screenshot, db):
    org = make_org("Valley Jumps")
    owner = make_member(org, "owner", email="owner@valley.example").user
    log_in(page, live_server.url, owner.email)
    page.goto(f"{live_server.url}/o/{org.slug}/")
    assert header_share(page) <= HEADER_SHARE_MAX
    screenshot("everyday-dashboard-new", overflow=True)
