"""An admin drops two videos on the upload page and follows them to a finished analysis, in the browser."""

import base64

import pytest
from playwright.sync_api import expect

from coachportal.athletes.models import Athlete
from coachportal.organizations import credentials
from coachportal.uploads.models import Upload

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DROP_FILES = """
([files]) => {
  const transfer = new DataTransfer();
  for (const f of files) {
    const bytes = Uint8Array.from(atob(f.data), c => c.charCodeAt(0));
    transfer.items.add(new File([bytes], f.name, { type: "video/mp4" }));
  }
  const zone = document.getElementById("dropzone");
  for (const type of ["dragenter", "dragover", "drop"]) {
    zone.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }
}
"""


def test_an_admin_drops_two_videos_and_sees_them_analysed(
    live_server,
    page,
    screenshot,
    org_a,
    adam,
    aikynetix_sandbox,
    aikynetix_video,
    settings,
    tmp_path,
    scheduler,
):
    settings.AIKYNETIX_BASE_URL = aikynetix_sandbox.base_url
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.MEDIA_ROOT = tmp_path
    # The pages only read: the scheduled jobs (`scheduler`, every second here) bring the analyses in.
    holder = aikynetix_sandbox.create_key_holder(
        admin=True, users=[("val-01", "Valentina")], processing_seconds=3
    )
    credentials.save_key(org_a, "aikynetix", api_key=holder.key, label="", actor=None)
    Athlete.objects.create(organization=org_a, name="Valentina Vega", aikynetix_user_id="val-01")
    Athlete.objects.create(organization=org_a, name="Noah No-Id")

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(adam.email)
    page.get_by_label("Password").fill("a-long-test-password-42")
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{live_server.url}/o/{org_a.slug}/uploads/new/")
    page.get_by_label("Athlete", exact=True).select_option(label="Valentina Vega")
    expect(page.locator("option", has_text="Noah No-Id")).to_be_enabled()  # created upstream on upload
    page.get_by_label("Activity", exact=True).select_option("jumping")
    expect(page.get_by_label("Jump", exact=True)).to_be_visible()
    expect(page.get_by_label("Lift", exact=True)).to_be_hidden()

    data = base64.b64encode(aikynetix_video.read_bytes()).decode()
    # A real drop: a DataTransfer built in the page, dispatched on the drop zone.
    page.evaluate(
        DROP_FILES, [[{"name": "first_jump.mp4", "data": data}, {"name": "second_jump.mp4", "data": data}]]
    )
    items = page.locator(".upload-item")
    expect(items).to_have_count(2)
    expect(items.first.locator(".upload-item-warning")).to_contain_text("below the 1080p")
    screenshot("uploads-queued")

    page.get_by_role("button", name="Upload", exact=True).click()
    for index in range(2):
        item = items.nth(index)
        expect(item.locator("progress")).to_have_attribute("value", "100", timeout=20_000)
        expect(item.locator("[data-state=processing], [data-state=done]")).to_be_visible(timeout=20_000)
    screenshot("uploads-processing")
    for index in range(2):
        expect(items.nth(index).locator("[data-state=done]")).to_be_visible(timeout=30_000)
    screenshot("uploads-done")

    assert sorted(Upload.objects.values_list("title", "state")) == [
        ("first jump", "done"),
        ("second jump", "done"),
    ]
    page.goto(f"{live_server.url}/o/{org_a.slug}/uploads/")
    expect(page.locator(".upload-badge--done")).to_have_count(2)
    screenshot("uploads-list")


def test_with_s3_storage_a_missing_athlete_is_said_before_the_file_goes_up(
    live_server, page, screenshot, org_a, adam, s3, aikynetix_video
):
    credentials.save_key(org_a, "aikynetix", api_key="aik-test-key", label="", actor=None)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(adam.email)
    page.get_by_label("Password").fill("a-long-test-password-42")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/o/{org_a.slug}/uploads/new/")
    expect(page.locator("#upload-form")).to_have_attribute("data-direct", "true")
    page.get_by_label("Videos").set_input_files(str(aikynetix_video))
    page.get_by_role("button", name="Upload", exact=True).click()  # no athlete chosen: presign says no
    athlete = page.get_by_label("Athlete", exact=True).locator(
        "xpath=ancestor::div[contains(@class,'field')][1]"
    )
    expect(athlete.locator(".field-error")).to_have_text("Choose the athlete this video is for.")
    item = page.locator(".upload-item").first
    expect(item.get_by_role("status")).to_have_text("Not sent")
    expect(item.locator(".upload-item-error")).to_have_text(
        "Check the highlighted fields, then upload again."
    )
    assert not Upload.objects.exists()
    screenshot("uploads-direct-error")
