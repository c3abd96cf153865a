"""Everyday pages at 1280 and 390 px: a compact header on a phone, no sideways scroll, axe-clean, safe text.

The pages are those a new admin and a settled organization open every day: the dashboard (new and
settled), a session, the athletes and the audit log.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from coachportal.organizations import credentials
from coachportal.organizations.models import AuditEvent
from tests.factories import make_athlete, make_member, make_org, make_session

from .looking import ARTIFACTS, axe_violations, log_in, unisolated_bidi_text

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


def _luminance(rgb: str) -> float:
    channels = [int(float(c)) / 255 for c in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


FOCUS_RING = """() => {
  const el = document.activeElement, style = getComputedStyle(el);
  let bg = 'rgb(255, 255, 255)';
  for (let node = el; node; node = node.parentElement) {
    const c = getComputedStyle(node).backgroundColor;
    if (c && c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') { bg = c; break; }
  }
  return {text: el.textContent.trim().slice(0, 40), style: style.outlineStyle,
          width: parseFloat(style.outlineWidth), color: style.outlineColor, bg};
}"""


def test_the_focus_ring_is_visible_on_the_header_and_its_menus(live_server, page, settled, olivia):
    log_in(page, live_server.url, olivia.email)
    page.goto(f"{live_server.url}/o/{settled.slug}/")
    rings = []
    for selector in (".brand", ".org-switcher summary", ".user-menu summary", ".org-nav a"):
        page.locator(selector).first.focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")  # keyboard focus, so :focus-visible applies
        rings.append(page.evaluate(FOCUS_RING))
        if selector.endswith("summary"):
            page.keyboard.press("Enter")  # open the menu, then walk into it
            page.keyboard.press("Tab")
            rings.append(page.evaluate(FOCUS_RING))
            page.keyboard.press("Escape")
            page.locator(selector).first.evaluate("el => el.parentElement.removeAttribute('open')")
    for ring in rings:
        assert ring["style"] != "none" and ring["width"] >= 2, ring
        assert contrast(ring["color"], ring["bg"]) >= 3, ring


def test_on_a_phone_the_navigation_opens_from_the_menu_button(live_server, page, screenshot, settled, olivia):
    log_in(page, live_server.url, olivia.email)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/o/{settled.slug}/athletes/")
    nav = page.get_by_role("navigation", name=settled.name)
    menu = page.get_by_role("button", name="Menu")
    expect(nav).to_be_hidden()
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="Audit log")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth")
    page.screenshot(path=str(ARTIFACTS / "everyday-phone-menu-open.png"))
    assert axe_violations(page) == []
    nav.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
