"""An admin builds the roster in the browser: one athlete by hand, two from a CSV file, then tidies up."""

import re

import pytest
from playwright.sync_api import expect

from coachportal.athletes.models import Athlete

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CSV = (
    "Name,Email,AiKYNETIX user id,Notes\n"
    "Ben Jumper,ben@example.com,u-2,Long jump\n"
    "Cleo Lifter,CLEO@example.com,u-3,\n"
    ",nobody@example.com,,\n"
)


def test_an_admin_adds_imports_searches_and_archives_athletes(
    live_server, page, screenshot, org_a, adam, tmp_path
):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(adam.email)
    page.get_by_label("Password").fill("a-long-test-password-42")
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("navigation", name=org_a.name).get_by_role("link", name="Athletes").click()
    expect(page.get_by_role("heading", name="Athletes")).to_be_visible()
    expect(page.get_by_text("No athletes yet.")).to_be_visible()
    screenshot("athletes-empty")

    # By hand; a mistake first, which keeps what was typed.
    page.get_by_role("button", name="Add athlete").click()
    page.get_by_label("Name").fill("Ada Runner")
    page.get_by_label("Email (optional)").fill("ada@")
    page.get_by_label("AiKYNETIX user id (optional)").fill("  u-1 ")
    page.get_by_role("button", name="Add athlete").click()
    expect(page.get_by_text("Enter a valid email address.")).to_be_visible()
    expect(page.get_by_label("Name")).to_have_value("Ada Runner")
    screenshot("athlete-form-error")
    page.get_by_label("Email (optional)").fill("ada@example.com")
    page.get_by_label("Notes").fill("800 m; left knee: go easy on drop jumps")
    page.get_by_role("button", name="Add athlete").click()
    expect(page.get_by_text("Ada Runner is on the roster.")).to_be_visible()
    expect(page.get_by_role("heading", name="Ada Runner")).to_be_visible()
    screenshot("athlete-detail")

    # From a CSV file, through the preview.
    csv_file = tmp_path / "roster.csv"
    csv_file.write_text(CSV, encoding="utf-8")
    page.get_by_role("link", name="All athletes").click()
    page.get_by_role("button", name="Import CSV").click()
    screenshot("athletes-import")
    page.get_by_label("CSV file").set_input_files(str(csv_file))
    page.get_by_role("button", name="Preview import").click()
    expect(page.get_by_role("heading", name="Import preview")).to_be_visible()
    expect(page.locator("#row-2")).to_contain_text("Add")
    expect(page.locator("#row-4")).to_contain_text("Name is missing.")
    screenshot("athletes-import-preview")
    page.get_by_role("button", name="Import 2 athletes").click()
    expect(
        page.get_by_text("Imported roster.csv: 2 added, 0 updated. 1 rejected row was skipped.")
    ).to_be_visible()
    expect(page.locator("#results tbody tr")).to_have_count(3)
    screenshot("athletes-list")

    # Search swaps the results in place and puts the filter in the address bar.
    page.evaluate("window.__no_reload_marker = 1")
    page.get_by_label("Search").fill("cleo")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"\?q=cleo"))
    assert page.evaluate("window.__no_reload_marker") == 1
    expect(page.locator("#results")).to_contain_text("cleo@example.com")
    screenshot("athletes-search")

    # Archive Cleo: she leaves the active roster and shows under Archived.
    page.get_by_role("button", name="Archive Cleo Lifter").click()
    expect(page.get_by_text("Cleo Lifter is archived.")).to_be_visible()
    expect(page.get_by_text("No active athletes match “cleo”.")).to_be_visible()
    page.get_by_label("Search").fill("")
    page.get_by_label("Status").select_option("archived")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.locator("#results")).to_contain_text("Cleo Lifter")
    screenshot("athletes-archived")

    assert sorted(Athlete.objects.active().values_list("name", flat=True)) == ["Ada Runner", "Ben Jumper"]
    assert Athlete.objects.get(name="Cleo Lifter").email == "cleo@example.com"
    assert Athlete.objects.get(name="Ada Runner").aikynetix_user_id == "u-1"
