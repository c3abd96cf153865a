"""An admin pastes the club's AiKYNETIX key and checks it, in the browser."""

import pytest
from playwright.sync_api import expect

from coachportal.organizations.models import ProviderCredential

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_admin_saves_a_key_and_sees_it_verified_without_a_reload(
    live_server, page, screenshot, org_a, adam, aikynetix_sandbox, settings
):
    settings.AIKYNETIX_BASE_URL = aikynetix_sandbox.base_url
    key = aikynetix_sandbox.create_key_holder(admin=True, users=1).key
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(adam.email)
    page.get_by_label("Password").fill("a-long-test-password-42")
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{live_server.url}/o/{org_a.slug}/settings/providers/")
    card = page.locator("#provider-aikynetix")
    card.get_by_label("Label").fill("Club account")
    card.get_by_label("API key").fill(key)
    card.get_by_role("button", name="Save key").click()
    expect(page.get_by_text("AiKYNETIX key saved")).to_be_visible()
    expect(card.get_by_text(f"•••• {key[-4:]}")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text(key)

    page.evaluate("window.__no_reload_marker = 1")
    card.get_by_role("button", name="Test connection").click()
    expect(card.get_by_role("status")).to_have_text("Working")
    assert page.evaluate("window.__no_reload_marker") == 1  # swapped in place, no page load
    assert ProviderCredential.objects.get().status == "ok"
    screenshot("provider-keys")
