"""An admin gives athletes a coach from the athletes list; the coach's dashboard and the library then follow
their athletes, every time on the way is labelled with the zone, and each page is looked at (screenshots and
axe-core at 1280 and 390 px, no sideways scroll) for a settled and a new organization, as admin and coach."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from coachportal.organizations.models import Role
from coachportal.sessions.models import Session
from tests.e2e.looking import log_in, look
from tests.factories import make_athlete, make_member, make_org, make_session

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# A row's time: "3 Dec, 18:20 CET" this year, with the year before that.
ZONED = re.compile(r"^\d{1,2} [A-Z][a-z]{2}( \d{4})?, \d\d:\d\d CES?T$")


@pytest.fixture
def settled(org_a, adam, chloe):
    """Org A in Amsterdam's zone with three athletes and recent sessions of each, one from last year."""
    org_a.time_zone = "Europe/Amsterdam"
    org_a.save(update_fields=["time_zone"])
    now = timezone.now()
    athletes = {}
    for n, name in enumerate(["Anna Lindqvist", "Ben Okonkwo", "Cleo Sprint"]):
        athletes[name] = athlete = make_athlete(org_a, name, aikynetix_user_id=f"u-{n}")
        for k in range(3):
            make_session(
                org_a, athlete=athlete, title=f"{name.split()[0]} tempo {k}", provider_user_id=f"u-{n}",
                recorded_at=now - timedelta(days=n * 3 + k, hours=2),
                metrics={"speed": [3.0 + k / 10], "cadence": [170 + k]},
            )  # fmt: skip
    make_session(
        org_a, athlete=athletes["Anna Lindqvist"], title="Anna winter test", provider_user_id="u-0",
        recorded_at=datetime(now.year - 1, 12, 1, 9, 0, tzinfo=UTC),
    )  # fmt: skip
    return athletes


def test_an_admin_assigns_a_coach_and_the_coach_sees_their_athletes(
    live_server, page, org_a, adam, chloe, settled
):
    base = live_server.url
    log_in(page, base, adam.email)
    page.goto(f"{base}/o/{org_a.slug}/athletes/")
    for name in ("Anna Lindqvist", "Cleo Sprint"):
        page.get_by_label(f"Select {name}").check()
    page.get_by_label("Coach", exact=True).select_option(label="Chloe Coach (chloe@riverside.example)")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("now coaches 2 more athletes")).to_be_visible()
    expect(page.locator("#athlete-" + str(settled["Anna Lindqvist"].pk))).to_contain_text("Chloe Coach")
    look(page, "polish16-athletes", overflow=True)

    page.goto(f"{base}/o/{org_a.slug}/audit/")
    expect(page.get_by_text("a coach of").first).to_be_visible()
    look(page, "polish16-audit", overflow=True)

    page.goto(f"{base}/o/{org_a.slug}/")
    look(page, "polish16-dashboard-settled-admin", overflow=True)

    page.goto(f"{base}/o/{org_a.slug}/sessions/")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(10)
    # Each row's time names the zone; last year's session shows its year.
    expect(rows.first.locator("time")).to_have_text(ZONED)
    expect(page.get_by_role("row", name="Anna winter test").locator("time")).to_contain_text(
        f"1 Dec {timezone.now().year - 1}, 10:00 CET"
    )
    look(page, "polish16-library-admin", overflow=True)

    session = Session.objects.get(title="Anna winter test")
    page.goto(f"{base}/o/{org_a.slug}/sessions/{session.pk}/")
    expect(page.get_by_text(f"1 December {timezone.now().year - 1}, 10:00 CET")).to_be_visible()
    look(page, "polish16-session", overflow=True)

    page.context.clear_cookies()
    log_in(page, base, chloe.email)
    expect(page.get_by_role("heading", name="Your athletes' newest sessions")).to_be_visible()
    expect(page.get_by_text("Your 2 athletes.")).to_be_visible()
    look(page, "polish16-dashboard-settled-coach", overflow=True)

    page.get_by_role("link", name="Sessions of my athletes").click()
    expect(page.get_by_label("My athletes only")).to_be_checked()
    expect(rows).to_have_count(7)  # Anna's four and Cleo's three; not Ben's
    expect(page.locator("#results")).not_to_contain_text("Ben tempo")
    look(page, "polish16-library-coach-mine", overflow=True)
    page.get_by_label("My athletes only").uncheck()
    expect(rows).to_have_count(10)


def test_a_new_organizations_dashboard_as_admin_and_as_coach(live_server, page):
    org = make_org("Dune Runners")
    owner = make_member(org, Role.OWNER, email="owner@dune.example", name="Olga Owner").user
    coach = make_member(org, Role.COACH, email="coach@dune.example", name="Carl Coach").user
    base = live_server.url
    log_in(page, base, owner.email)
    page.goto(f"{base}/o/{org.slug}/")
    expect(page.get_by_text("Connect your AiKYNETIX key")).to_be_visible()
    look(page, "polish16-dashboard-new-admin", overflow=True)
    page.context.clear_cookies()
    log_in(page, base, coach.email)
    page.goto(f"{base}/o/{org.slug}/")
    expect(page.get_by_text("No athletes are assigned to you yet")).to_be_visible()
    look(page, "polish16-dashboard-new-coach", overflow=True)
