"""Every time is shown in the organization's zone (or the person's own), labelled, with the year when old."""

import csv
import io
from datetime import UTC, datetime

import pytest
from django.utils import timezone

from coachportal.accounts.zones import label
from coachportal.organizations.models import Organization
from coachportal.organizations.templatetags.portal import day, when
from coachportal.sessions.models import Session
from tests.factories import make_athlete, make_session

pytestmark = pytest.mark.django_db

MARCH_10_0900_UTC = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def amsterdam(org_a):
    org_a.time_zone = "Europe/Amsterdam"
    org_a.save(update_fields=["time_zone"])
    make_session(org_a, athlete=make_athlete(org_a, "Ana"), title="Hill reps", recorded_at=MARCH_10_0900_UTC)
    return org_a


def test_the_dashboard_and_the_session_show_times_in_the_organizations_zone_with_its_name(
    client_for, chloe, amsterdam
):
    client = client_for(chloe)
    assert "10 Mar 2025, 10:00 CET" in client.get(f"/o/{amsterdam.slug}/").text
    session = Session.objects.get(organization=amsterdam)
    assert "Monday 10 March 2025, 10:00 CET" in client.get(f"/o/{amsterdam.slug}/sessions/{session.pk}/").text


def test_a_person_who_chose_their_own_zone_sees_every_organizations_times_in_it(client_for, chloe, amsterdam):
    chloe.time_zone = "America/New_York"
    chloe.save(update_fields=["time_zone"])
    page = client_for(chloe).get(f"/o/{amsterdam.slug}/").text
    assert "10 Mar 2025, 05:00 EDT" in page


def test_the_export_names_its_zone_and_writes_local_times(client_for, chloe, amsterdam):
    response = client_for(chloe).get(f"/o/{amsterdam.slug}/sessions/export.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][0] == "Date (Europe/Amsterdam)"
    assert rows[1][0] == "2025-03-10 10:00"


def test_an_admin_changes_the_organizations_zone_in_settings(client_for, adam, org_a):
    client = client_for(adam)
    form = client.get(f"/o/{org_a.slug}/settings/").text
    assert '<option value="Europe/Amsterdam">Europe/Amsterdam</option>' in form
    data = {"name": org_a.name, "time_zone": "Asia/Kolkata", "keep_local_video_days": 30}
    assert client.post(f"/o/{org_a.slug}/settings/", data).status_code == 302
    assert Organization.objects.get(pk=org_a.pk).time_zone == "Asia/Kolkata"
    refused = client.post(f"/o/{org_a.slug}/settings/", {**data, "time_zone": "Mars/Olympus"})
    assert refused.status_code == 400
    assert Organization.objects.get(pk=org_a.pk).time_zone == "Asia/Kolkata"


def test_a_person_sets_and_clears_their_own_zone(client_for, chloe):
    client = client_for(chloe)
    assert client.post("/accounts/preferences/", {"time_zone": "Europe/London"}).status_code == 302
    chloe.refresh_from_db()
    assert chloe.time_zone == "Europe/London"
    client.post("/accounts/preferences/", {"time_zone": ""})
    chloe.refresh_from_db()
    assert chloe.time_zone == ""


@pytest.mark.parametrize(
    ("posted", "stored"),
    [
        ("Europe/Madrid", "Europe/Madrid"),
        ("Asia/Calcutta", "Asia/Kolkata"),  # what Chrome reports in India
        ("US/Eastern", "America/New_York"),
        ("Not/AZone", "UTC"),
        ("", "UTC"),
    ],
)
def test_sign_up_keeps_the_zone_the_browser_reported_or_utc(client, posted, stored):
    client.post(
        "/accounts/signup/",
        {
            "name": "Sam",
            "email": "sam@club.example",
            "organization_name": "Valley Velocity",
            "password1": "a-long-test-password-42",
            "password2": "a-long-test-password-42",
            "time_zone": posted,
        },
    )
    assert Organization.objects.get().time_zone == stored


def test_settings_and_preferences_take_an_old_zone_name_and_store_the_current_one(client_for, adam, org_a):
    client = client_for(adam)
    data = {"name": org_a.name, "time_zone": "Europe/Kiev", "keep_local_video_days": 30}
    assert client.post(f"/o/{org_a.slug}/settings/", data).status_code == 302
    assert Organization.objects.get(pk=org_a.pk).time_zone == "Europe/Kyiv"
    assert client.post("/accounts/preferences/", {"time_zone": "US/Eastern"}).status_code == 302
    adam.refresh_from_db()
    assert adam.time_zone == "America/New_York"


def test_a_zone_stored_under_an_old_name_shows_as_its_current_name_in_the_forms(client_for, adam, org_a):
    Organization.objects.filter(pk=org_a.pk).update(time_zone="Asia/Calcutta")
    adam.time_zone = "US/Eastern"
    adam.save(update_fields=["time_zone"])
    client = client_for(adam)
    settings_form = client.get(f"/o/{org_a.slug}/settings/").text
    assert '<option value="Asia/Kolkata" selected>' in settings_form
    assert '<option value="America/New_York" selected>' in client.get("/accounts/preferences/").text


def test_the_filters_show_the_year_only_outside_this_year_and_always_the_zone():
    with timezone.override("Europe/Amsterdam"):
        this_year = timezone.now().replace(month=7, day=1, hour=12, minute=0)
        assert when(this_year) == f"1 Jul, {timezone.localtime(this_year):%H:%M} CEST"
        assert when(MARCH_10_0900_UTC) == "10 Mar 2025, 10:00 CET"
        assert day(MARCH_10_0900_UTC) == "10 Mar 2025"
    with timezone.override("Asia/Kolkata"):
        assert label(timezone.localtime(MARCH_10_0900_UTC)) == "IST"
    with timezone.override("America/Sao_Paulo"):
        assert label(timezone.localtime(MARCH_10_0900_UTC)) == "UTC-03"


def test_a_library_row_shows_its_time_in_the_zone_and_names_the_zone(client_for, chloe, amsterdam):
    page = client_for(chloe).get(f"/o/{amsterdam.slug}/sessions/").text
    assert ">10 Mar 2025, 10:00 CET</time>" in page  # the same cell is the date of a phone card


def test_a_notification_and_a_share_link_name_the_zone_of_their_times(client_for, chloe, amsterdam):
    from coachportal.notifications.services import notify
    from coachportal.sharing.services import create_link

    session = Session.objects.get(organization=amsterdam)
    notify(recipient=chloe, organization=amsterdam, kind="session_ready", event_key="e1", title="Ready")
    create_link(amsterdam, actor=chloe, kind="session", object_id=session.pk, label="Hill reps", days=7)
    client = client_for(chloe)
    with timezone.override("Europe/Amsterdam"):
        now = timezone.localtime()
    zone = now.tzname()
    assert f" {zone}</time>" in client.get(f"/o/{amsterdam.slug}/notifications/").text
    links = client.get(f"/o/{amsterdam.slug}/shares/").text
    assert links.count(f" {zone}</time>") >= 2  # made, expires


def test_the_invitation_email_says_when_the_link_expires_in_the_organizations_zone(
    client_for, adam, amsterdam, mailoutbox
):
    invite = {"email": "new@club.example", "role": "coach"}
    client_for(adam).post(f"/o/{amsterdam.slug}/members/invite/", invite)
    body = mailoutbox[-1].body
    with timezone.override("Europe/Amsterdam"):
        expires = timezone.localtime(timezone.now() + timezone.timedelta(days=7))
    assert f"expires in 7 days, on {expires.day} {expires:%b}" in body and f" {expires.tzname()})" in body
