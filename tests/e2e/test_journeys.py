"""Two whole journeys through the real UI, against the AiKYNETIX sandbox.

1. A new admin: sign up (the organization comes with it) → paste and test the key → build the roster (by
   hand and by CSV) → upload two clips → watch them finish → filter the library → watch the analysed
   video → rename one session → delete the other.
2. An invited coach: the owner invites through the members page, the coach joins in a browser of their
   own, reads the library and the roster, is kept out of the managers' pages (uploads both ways, following
   the organization's setting) and gets a 404 for another organization's pages.
"""

import re
import shutil
from datetime import timedelta

import pytest
from django.core import mail
from playwright.sync_api import expect

from coachportal.athletes.models import Athlete
from coachportal.organizations import credentials
from coachportal.organizations.models import Organization
from coachportal.sessions import sync
from coachportal.sessions.models import Session
from coachportal.uploads.models import Upload

from .looking import look

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password-42"  # the personas' password (tests/factories.py)


def shoot(page, name: str) -> None:
    """The `screenshot` fixture for a page of another browser context (screenshots and axe-core)."""
    look(page, name)


def use_sandbox_and_disk(settings, sandbox, tmp_path, monkeypatch) -> None:
    settings.AIKYNETIX_BASE_URL = sandbox.base_url
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    # The page's polling may ask for a sync every second instead of every 30 s: keeps the test short.
    monkeypatch.setattr("coachportal.sessions.schedule.REQUEST_DEBOUNCE", timedelta(seconds=1))


def play(page) -> None:
    """Start the analysed video (muted, so autoplay rules allow it) and wait until it really advances."""
    page.wait_for_function("() => document.querySelector('#video video').readyState >= 1", timeout=20_000)
    page.evaluate(
        "() => { const v = document.querySelector('#video video'); v.muted = true; return v.play(); }"
    )
    page.wait_for_function("() => document.querySelector('#video video').currentTime > 0.5", timeout=20_000)


# Journey 1 ----------------------------------------------------------------------------------------------

ROSTER_CSV = "Name,Email,AiKYNETIX user id,Notes\nBen Jumper,ben@valley.example,u-ben,Long jump\n"


def test_a_new_admin_goes_from_sign_up_to_a_tidy_library(
    live_server,
    page,
    screenshot,
    aikynetix_sandbox,
    aikynetix_video,
    settings,
    tmp_path,
    monkeypatch,
    scheduler,
):
    use_sandbox_and_disk(settings, aikynetix_sandbox, tmp_path, monkeypatch)
    holder = aikynetix_sandbox.create_key_holder(
        admin=True, users=[("u-ada", "Ada Runner"), ("u-ben", "Ben Jumper")], processing_seconds=3
    )
    # Ben already has a session at the provider: the library filter has something to leave out.
    with aikynetix_sandbox.client(holder.key) as client:
        ben_jump = client.upload_jumping(aikynetix_video, user_id="u-ben", session_name="Ben box jumps")
    aikynetix_sandbox.complete_session(ben_jump.session_id)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"JS error on {page.url}: {error}"))

    # Sign up: the organization is created with the account.
    page.goto(live_server.url + "/accounts/signup/")
    page.get_by_label("Your name").fill("Sam Starter")
    page.get_by_label("Email").fill("sam@valley.example")
    page.get_by_label("Organization").fill("Valley Velocity")
    page.get_by_label("Password", exact=True).fill("track-and-field-2026")
    page.get_by_label("Password again").fill("track-and-field-2026")
    page.get_by_role("button", name="Create account and organization").click()
    expect(page).to_have_url(re.compile(r"/o/valley-velocity/$"))
    expect(page.get_by_role("heading", name="Valley Velocity")).to_be_visible()
    screenshot("journey-admin-dashboard")
    org = Organization.objects.get(slug="valley-velocity")
    nav = page.get_by_role("navigation", name="Valley Velocity")

    # The key: pasted, saved, tested.
    nav.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Provider API keys").click()
    card = page.locator("#provider-aikynetix")
    card.get_by_label("API key").fill(holder.key)
    card.get_by_role("button", name="Save key").click()
    expect(page.get_by_text("AiKYNETIX key saved")).to_be_visible()
    card.get_by_role("button", name="Test connection").click()
    expect(card.get_by_role("status")).to_have_text("Working")
    expect(page.locator("body")).not_to_contain_text(holder.key)
    screenshot("journey-admin-providers")

    # The roster: Ada by hand, Ben from a CSV file through the preview.
    nav.get_by_role("link", name="Athletes").click()
    page.get_by_role("button", name="Add athlete").click()
    page.get_by_label("Name").fill("Ada Runner")
    page.get_by_label("AiKYNETIX user id (optional)").fill("u-ada")
    page.get_by_role("button", name="Add athlete").click()
    expect(page.get_by_text("Ada Runner is on the roster.")).to_be_visible()
    page.get_by_role("link", name="All athletes").click()
    page.get_by_role("button", name="Import CSV").click()
    csv_file = tmp_path / "valley.csv"
    csv_file.write_text(ROSTER_CSV, encoding="utf-8")
    page.get_by_label("CSV file").set_input_files(str(csv_file))
    page.get_by_role("button", name="Preview import").click()
    expect(page.get_by_role("heading", name="Import preview")).to_be_visible()
    expect(page.locator("#row-2")).to_contain_text("Add")
    page.get_by_role("button", name="Import 1 athlete").click()
    expect(page.get_by_text("Imported valley.csv: 1 added")).to_be_visible()
    expect(page.locator("#results tbody tr")).to_have_count(2)
    screenshot("journey-admin-athletes")
    ada = Athlete.objects.get(organization=org, aikynetix_user_id="u-ada")
    assert Athlete.objects.get(organization=org, aikynetix_user_id="u-ben").name == "Ben Jumper"

    # Two clips for Ada, chosen with the file input; the page follows them to the end.
    clips = []
    for name in ("tempo_run.mp4", "hill_sprints.mp4"):
        clips.append(tmp_path / name)
        shutil.copyfile(aikynetix_video, clips[-1])
    nav.get_by_role("link", name="Uploads").click()
    page.get_by_role("button", name="Upload videos").click()
    page.get_by_label("Athlete", exact=True).select_option(label="Ada Runner")
    page.get_by_label("Activity", exact=True).select_option("running")
    page.locator("#upload-form input[type=file]").set_input_files([str(c) for c in clips])
    items = page.locator(".upload-item")
    expect(items).to_have_count(2)
    screenshot("journey-admin-upload-queued")
    page.get_by_role("button", name="Upload", exact=True).click()
    for index in range(2):
        expect(items.nth(index).locator("[data-state=done]")).to_be_visible(timeout=40_000)
    screenshot("journey-admin-upload-done")
    assert sorted(Upload.objects.filter(organization=org).values_list("title", "state")) == [
        ("hill sprints", "done"),
        ("tempo run", "done"),
    ]

    # The library: Ben's older session arrives with a Refresh; the filters narrow it to Ada's runs.
    nav.get_by_role("link", name="Sessions").click()
    rows = page.locator("#results tbody tr")
    page.get_by_role("button", name="Refresh").click()
    expect(rows).to_have_count(3, timeout=20_000)
    expect(page.locator("#results")).to_contain_text("Ben box jumps")
    screenshot("journey-admin-library")
    page.get_by_label("Athlete").select_option(label="Ada Runner")
    expect(page).to_have_url(re.compile(rf"athlete={ada.pk}"))
    expect(rows).to_have_count(2)
    page.get_by_label("Activity").select_option(label="Running")
    expect(page).to_have_url(re.compile(r"activity=running"))
    expect(rows).to_have_count(2)
    expect(page.locator("#results")).not_to_contain_text("Ben box jumps")
    page.get_by_label("Activity").select_option(label="Vertical jump")
    expect(page.get_by_text("No sessions match these filters.")).to_be_visible()
    page.get_by_label("Activity").select_option(label="Running")
    expect(rows).to_have_count(2)
    screenshot("journey-admin-library-filtered")

    # One session: the analysed video plays; rename it.
    page.get_by_role("link", name="tempo run", exact=True).click()
    expect(page.get_by_role("heading", name="tempo run")).to_be_visible()
    play(page)
    screenshot("journey-admin-session")
    page.get_by_role("button", name="Rename or re-date").click()
    page.get_by_label("Title").fill("Tempo run, 6 x 400 m")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Session updated.")).to_be_visible()
    expect(page.get_by_role("heading", name="Tempo run, 6 x 400 m")).to_be_visible()

    # The other: deleted after the confirmation page, and gone from the library.
    nav.get_by_role("link", name="Sessions").click()
    page.get_by_role("link", name="hill sprints", exact=True).click()
    page.get_by_role("button", name="Delete", exact=True).click()
    expect(page.get_by_role("heading", name="Delete this session?")).to_be_visible()
    screenshot("journey-admin-delete-confirm")
    page.get_by_role("button", name="Delete session").click()
    expect(page.get_by_text("Deleted “hill sprints”.")).to_be_visible()
    expect(rows).to_have_count(2)
    expect(page.locator("#results")).to_contain_text("Tempo run, 6 x 400 m")
    expect(page.locator("#results")).not_to_contain_text("hill sprints")
    screenshot("journey-admin-library-after-delete")

    sessions = Session.objects.filter(organization=org)
    assert sorted(sessions.visible().values_list("title", flat=True)) == [
        "Ben box jumps",
        "Tempo run, 6 x 400 m",
    ]
    with aikynetix_sandbox.client(holder.key) as client:
        upstream = {s.title for s in client.list_sessions()}
    assert upstream == {"Ben box jumps", "Tempo run, 6 x 400 m"}
    assert not problems, problems


# Journey 2 ----------------------------------------------------------------------------------------------


def login(page, base_url: str, email: str) -> None:
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def test_an_invited_coach_reads_the_library_and_stays_out_of_the_managers_pages(
    live_server,
    page,
    browser,
    screenshot,
    org_a,
    olivia,
    org_b,
    bruno,
    aikynetix_sandbox,
    aikynetix_video,
    settings,
    tmp_path,
    monkeypatch,
):
    use_sandbox_and_disk(settings, aikynetix_sandbox, tmp_path, monkeypatch)
    holder = aikynetix_sandbox.create_key_holder(admin=True, users=[("u-ana", "Ana Runner")])
    with aikynetix_sandbox.client(holder.key) as client:
        ready = client.upload_running(aikynetix_video, user_id="u-ana", session_name="Ana tempo run")
    aikynetix_sandbox.complete_session(ready.session_id)
    credentials.save_key(org_a, "aikynetix", api_key=holder.key, label="", actor=olivia)
    Athlete.objects.create(organization=org_a, name="Ana Runner", aikynetix_user_id="u-ana")
    sync.sync_organization(org_a)
    # Org B's own session and athlete: the coach must not reach them.
    other = Session.objects.create(
        organization=org_b,
        provider="aikynetix",
        external_id="hilltop-1",
        title="Hilltop secret",
        status="ready",
    )
    hilltop_athlete = Athlete.objects.create(organization=org_b, name="Hilltop Hannah")

    # The owner invites a coach from the members page.
    login(page, live_server.url, olivia.email)
    page.get_by_role("navigation", name=org_a.name).get_by_role("link", name="Members").click()
    page.get_by_label("Email").fill("casey@riverside.example")
    page.get_by_label("Role", exact=True).select_option("coach")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to casey@riverside.example")).to_be_visible()
    screenshot("journey-coach-members")
    link = re.search(r"https?://\S+/invitations/\S+/", mail.outbox[-1].body).group(0)

    # The coach joins in a browser of their own.
    context = browser.new_context()
    coach = context.new_page()
    problems: list[str] = []
    coach.on("pageerror", lambda error: problems.append(f"JS error on {coach.url}: {error}"))
    coach.goto(link)
    expect(coach.get_by_role("heading", name=f"Join {org_a.name}")).to_be_visible()
    coach.get_by_label("Your name").fill("Casey Coach")
    coach.get_by_label("Password", exact=True).fill("sprint-coach-2026")
    coach.get_by_label("Password again").fill("sprint-coach-2026")
    coach.get_by_role("button", name="Create account and join").click()
    expect(coach).to_have_url(re.compile(rf"/o/{org_a.slug}/$"))
    expect(coach.get_by_text("You are coach")).to_be_visible()
    shoot(coach, "journey-coach-dashboard")

    nav = coach.get_by_role("navigation", name=org_a.name)
    for hidden in ("Settings", "Audit log", "Uploads"):
        expect(nav.get_by_role("link", name=hidden)).to_have_count(0)

    # The library and the roster are theirs to read.
    nav.get_by_role("link", name="Sessions").click()
    expect(coach.locator("#results tbody tr")).to_have_count(1)
    coach.get_by_role("link", name="Ana tempo run").click()
    expect(coach.get_by_role("heading", name="Ana tempo run")).to_be_visible()
    expect(coach.get_by_role("button", name="Rename or re-date")).to_have_count(0)
    expect(coach.get_by_role("button", name="Delete", exact=True)).to_have_count(0)
    play(coach)
    shoot(coach, "journey-coach-session")
    nav.get_by_role("link", name="Athletes").click()
    expect(coach.locator("#results")).to_contain_text("Ana Runner")
    expect(coach.get_by_role("button", name="Add athlete")).to_have_count(0)
    shoot(coach, "journey-coach-athletes")

    # The managers' pages refuse them, with a page saying so.
    base = f"{live_server.url}/o/{org_a.slug}"
    for path in (
        "/settings/",
        "/settings/providers/",
        "/audit/",
        "/uploads/",
        "/uploads/new/",
        "/athletes/new/",
    ):
        response = coach.goto(base + path)
        assert response.status == 403, path
        expect(coach.get_by_role("heading", name="You can't do that here")).to_be_visible()
    coach.goto(base + "/uploads/new/")
    expect(coach.get_by_text("Ask an owner or admin")).to_be_visible()
    shoot(coach, "journey-coach-forbidden")

    # Once the owner lets coaches upload, the upload pages open for them (and only those).
    page.get_by_role("navigation", name=org_a.name).get_by_role("link", name="Settings").click()
    page.get_by_label("Coaches may upload").check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#messages")).not_to_be_empty()
    org_a.refresh_from_db()
    assert org_a.coaches_may_upload
    coach.goto(base + "/")
    expect(nav.get_by_role("link", name="Uploads")).to_be_visible()
    assert coach.goto(base + "/uploads/new/").status == 200
    expect(coach.get_by_role("heading", name="Upload videos")).to_be_visible()
    assert coach.goto(base + "/uploads/").status == 200
    for path in ("/settings/", "/settings/providers/", "/audit/"):
        assert coach.goto(base + path).status == 403, path
    # ...and close again when the owner changes their mind.
    page.get_by_label("Coaches may upload").uncheck()
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#messages")).not_to_be_empty()
    assert coach.goto(base + "/uploads/new/").status == 403

    # Another organization's pages, and its objects under this organization's address, are not found.
    for url in (
        f"{live_server.url}/o/{org_b.slug}/",
        f"{live_server.url}/o/{org_b.slug}/sessions/",
        f"{live_server.url}/o/{org_b.slug}/sessions/{other.pk}/",
        f"{live_server.url}/o/{org_b.slug}/athletes/",
        f"{base}/sessions/{other.pk}/",
        f"{base}/athletes/{hilltop_athlete.pk}/",
    ):
        response = coach.goto(url)
        assert response.status == 404, url
        expect(coach.get_by_role("heading", name="Page not found")).to_be_visible()
        expect(coach.locator("body")).not_to_contain_text("Hilltop")
    shoot(coach, "journey-coach-not-found")
    context.close()
    assert not problems, problems
