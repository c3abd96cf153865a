"""A brand-new club reaches its first analysed sessions without typing a provider id, in the browser.

The admin signs up, pastes the AiKYNETIX admin key, adds one athlete by hand and two by CSV, uploads a
video for each from the athlete's page, and sees all three analysed; AiKYNETIX (the sandbox) then holds
three new clients and three sessions, each under the right client.
"""

import base64
import re
import uuid

import pytest
from playwright.sync_api import expect

from coachportal.athletes.models import Athlete
from coachportal.organizations import credentials
from coachportal.uploads.models import Upload

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DROP_FILE = """
([name, data]) => {
  const transfer = new DataTransfer();
  const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
  transfer.items.add(new File([bytes], name, { type: "video/mp4" }));
  const zone = document.getElementById("dropzone");
  for (const type of ["dragenter", "dragover", "drop"]) {
    zone.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }
}
"""


def test_a_new_club_reaches_three_analysed_sessions_without_typing_an_id(
    live_server, page, screenshot, aikynetix_sandbox, aikynetix_video, settings, tmp_path, scheduler
):
    settings.AIKYNETIX_BASE_URL = aikynetix_sandbox.base_url
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    # The pages only read: the scheduled jobs (`scheduler`, every second here) bring the analyses in.
    holder = aikynetix_sandbox.create_key_holder(
        role="admin", plan="Pro", activities=["Running"], users=0, processing_seconds=2
    )
    # The sandbox lives for the whole test run and keeps emails unique across its accounts, as AiKYNETIX does.
    tag = uuid.uuid4().hex[:6]
    emails = {
        name: f"{name.split()[0].lower()}-{tag}@dune.example"
        for name in ("Ada Runner", "Ben Jumper", "Cleo Sprint")
    }

    # Sign up.
    page.goto(live_server.url + "/accounts/signup/")
    page.get_by_label("Your name").fill("Dana Dune")
    page.get_by_label("Email").fill(f"dana-{tag}@dune.example")
    page.get_by_label("Organization").fill("Dune Runners")
    page.get_by_label("Password", exact=True).fill("dunes-and-hills-2026")
    page.get_by_label("Password again").fill("dunes-and-hills-2026")
    page.get_by_role("button", name="Create account and organization").click()
    expect(page).to_have_url(re.compile(r"/o/dune-runners/$"))
    base = f"{live_server.url}/o/dune-runners"

    # Paste the key: it is tested at once.
    page.goto(f"{base}/settings/providers/")
    card = page.locator("#provider-aikynetix")
    card.get_by_label("API key").fill(holder.key)
    card.get_by_role("button", name="Save key").click()
    expect(page.locator("#messages")).to_contain_text("Working: admin key, plan Pro, activities Running")
    expect(card.get_by_role("status")).to_have_text("Working")
    screenshot("first-analysis-providers")

    # One athlete by hand: name and email, "Create in AiKYNETIX" is on by default.
    page.goto(f"{base}/athletes/new/")
    page.get_by_label("Name").fill("Ada Runner")
    page.get_by_label("Email (optional)").fill(emails["Ada Runner"])
    expect(page.get_by_label("Create in AiKYNETIX")).to_be_checked()
    page.get_by_role("button", name="Add athlete").click()
    expect(page.get_by_role("heading", name="Ada Runner")).to_be_visible()

    # Two from a CSV file, without creating them upstream yet: the upload does that.
    csv_file = tmp_path / "roster.csv"
    csv_file.write_text(
        "Name,Email\n" + "".join(f"{n},{emails[n]}\n" for n in ("Ben Jumper", "Cleo Sprint")),
        encoding="utf-8",
    )
    page.goto(f"{base}/athletes/import/")
    page.get_by_label("CSV file").set_input_files(str(csv_file))
    page.get_by_label("Create in AiKYNETIX").uncheck()
    page.get_by_role("button", name="Preview import").click()
    expect(page.get_by_role("heading", name="Import preview")).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^Import 2 athletes")).click()
    expect(page.locator("#messages")).to_contain_text("2")
    assert set(
        Athlete.objects.filter(aikynetix_user_id__isnull=False)
        .exclude(aikynetix_user_id="")
        .values_list("name", flat=True)
    ) == {"Ada Runner"}

    # A video for each, from the athlete's page ("Upload video" preselects the athlete).
    video = base64.b64encode(aikynetix_video.read_bytes()).decode()
    for number, name in enumerate(("Ada Runner", "Ben Jumper", "Cleo Sprint"), start=1):
        athlete = Athlete.objects.get(name=name)
        page.goto(f"{base}/athletes/{athlete.pk}/")
        page.get_by_role("button", name="Upload video").click()
        expect(page.get_by_label("Athlete", exact=True)).to_have_value(str(athlete.pk))
        # The drop zone's script runs once the page has loaded; on a busy machine that can come after
        # the form shows, and a file dropped before it would be lost (the plain form then says "choose").
        page.wait_for_load_state("load")
        if number == 2:
            screenshot("first-analysis-upload")
        page.evaluate(DROP_FILE, [f"run_{number}.mp4", video])
        page.get_by_role("button", name="Upload", exact=True).click()
        item = page.locator(".upload-item").first
        expect(item.locator("[data-state=processing], [data-state=done]")).to_be_visible(timeout=30_000)
        expect(item.locator(".upload-item-error")).to_be_hidden()

    page.goto(f"{base}/uploads/")
    expect(page.locator(".upload-badge--done")).to_have_count(3, timeout=60_000)

    # AiKYNETIX now has the three clients, and each session belongs to the right one.
    clients = {c["email"]: c["user_id"] for c in aikynetix_sandbox.users(holder.key)}
    assert set(clients) == set(emails.values())
    ids = {a.name: a.aikynetix_user_id for a in Athlete.objects.all()}
    assert ids == {name: clients[email] for name, email in emails.items()}
    with aikynetix_sandbox.client(holder.key) as client:
        sessions = client.list_sessions()
    assert sorted((s.title, s.user_id) for s in sessions) == sorted(
        (f"run {n}", ids[name]) for n, name in enumerate(("Ada Runner", "Ben Jumper", "Cleo Sprint"), start=1)
    )
    assert sorted(Upload.objects.values_list("state", flat=True)) == ["done", "done", "done"]


def test_an_athlete_who_cannot_be_created_is_reported_next_to_the_athlete_before_the_file_goes_up(
    live_server, page, screenshot, org_a, adam, aikynetix_sandbox, aikynetix_video, settings, tmp_path
):
    settings.AIKYNETIX_BASE_URL = aikynetix_sandbox.base_url
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    holder = aikynetix_sandbox.create_key_holder(role="admin", users=0)
    credentials.save_key(org_a, "aikynetix", api_key=holder.key, label="", actor=None)
    mo = Athlete.objects.create(organization=org_a, name="Mo Mail")  # no email: AiKYNETIX needs one

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(adam.email)
    page.get_by_label("Password").fill("a-long-test-password-42")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/o/{org_a.slug}/uploads/new/?athlete={mo.pk}")
    video = base64.b64encode(aikynetix_video.read_bytes()).decode()
    page.evaluate(DROP_FILE, ["mo.mp4", video])
    page.get_by_role("button", name="Upload", exact=True).click()

    athlete_field = page.get_by_label("Athlete", exact=True).locator(
        "xpath=ancestor::*[contains(@class,'field')][1]"
    )
    expect(athlete_field.locator(".field-error")).to_have_text(
        "Add Mo Mail's email to create the athlete in AiKYNETIX."
    )
    item = page.locator(".upload-item").first
    expect(item.locator(".upload-item-percent")).to_have_text("Not sent")
    expect(item.locator("progress")).to_have_attribute("value", "0")  # the file never went up
    expect(item.locator(".upload-badge")).to_have_count(0)
    screenshot("upload-athlete-error")
    assert not Upload.objects.exists()
    assert aikynetix_sandbox.users(holder.key) == []
