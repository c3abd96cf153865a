"""The main pages run under the Content-Security-Policy with no violation and no JavaScript error."""

import time

import pytest
from playwright.sync_api import expect

from coachportal.athletes.models import Athlete
from coachportal.organizations import credentials
from coachportal.sessions import sync
from coachportal.sessions.models import Session
from tests.factories import make_session

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Runs before any page script and outside the page's CSP, so it sees every violation.
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI || "inline"} ${where}`);
});
"""


@pytest.fixture
def page(browser):
    """A page in a context of its own: whatever other browser tests relax (bypass_csp), this one keeps."""
    context = browser.new_context(bypass_csp=False)
    yield context.new_page()
    context.close()


def wait_until(page, expression: str, timeout: float = 20.0):
    """Poll `expression` from Python (wait_for_function evaluates strings, which the CSP blocks)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        time.sleep(0.1)


def test_the_main_pages_raise_no_csp_violation_and_no_script_error(
    live_server, page, org_a, olivia, aikynetix_sandbox, aikynetix_video, settings
):
    settings.AIKYNETIX_BASE_URL = aikynetix_sandbox.base_url
    holder = aikynetix_sandbox.create_key_holder(
        admin=True, users=[("u-ana", "Ana Runner")], processing_seconds=3600
    )
    with aikynetix_sandbox.client(holder.key) as client:
        upload = client.upload_running(aikynetix_video, user_id="u-ana", session_name="Ana tempo run")
    aikynetix_sandbox.complete_session(upload.session_id)
    credentials.save_key(org_a, "aikynetix", api_key=holder.key, label="", actor=olivia)
    ana = Athlete.objects.create(organization=org_a, name="Ana Runner", aikynetix_user_id="u-ana")
    sync.sync_organization(org_a)
    session = Session.objects.get(organization=org_a)

    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"JS error on {page.url}: {error}"))
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console on {page.url}: {msg.text}")
            if "Content Security Policy" in msg.text
            else None
        ),
    )
    page.add_init_script(LISTEN)

    def visit(path: str):
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        violations = page.evaluate("window.__cspViolations")
        problems.extend(f"CSP violation on {path}: {v}" for v in violations)

    visit("/accounts/login/")
    page.get_by_label("Email").fill(olivia.email)
    page.get_by_label("Password").fill("a-long-test-password-42")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Audit log")).to_be_visible()

    slug = org_a.slug
    for path in [
        f"/o/{slug}/",
        f"/o/{slug}/sessions/",
        f"/o/{slug}/athletes/",
        f"/o/{slug}/athletes/{ana.pk}/",
        f"/o/{slug}/uploads/",
        f"/o/{slug}/uploads/new/",
        f"/o/{slug}/settings/",
        f"/o/{slug}/settings/providers/",
        f"/o/{slug}/members/",
        f"/o/{slug}/audit/",
    ]:
        visit(path)

    # An htmx swap (the library's filter) must not make htmx add its inline indicator style.
    visit(f"/o/{slug}/sessions/")
    page.get_by_label("Athlete").select_option(label="Ana Runner")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    problems.extend(f"CSP violation after a swap: {v}" for v in page.evaluate("window.__cspViolations"))
    assert page.evaluate("document.querySelectorAll('head style').length") == 0

    # The analysed video plays from the provider's host, which the policy allows.
    visit(f"/o/{slug}/sessions/{session.pk}/")
    wait_until(page, "document.querySelector('#video video').readyState >= 1")
    problems.extend(f"CSP violation on the video: {v}" for v in page.evaluate("window.__cspViolations"))

    # The compare page plays two provider videos in sync through its own script.
    video = session.analyzed_video_url
    other = make_session(org_a, athlete=ana, title="Ana easy run", analyzed_video_url=video)
    visit(f"/o/{slug}/compare/?s={session.pk}&s={other.pk}&o=0.2")
    wait_until(page, "Array.from(document.querySelectorAll('video')).every(v => v.readyState >= 1)")
    page.get_by_role("button", name="Play all").click()
    page.get_by_role("button", name="Pause all").click()
    problems.extend(f"CSP violation on compare: {v}" for v in page.evaluate("window.__cspViolations"))

    assert problems == []
