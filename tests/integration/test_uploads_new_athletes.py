"""Uploading for an athlete who is not in AiKYNETIX yet: the portal creates the client first, or says why not
next to the athlete, before any file is accepted (over real HTTP against the sandbox)."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from coachportal.athletes.models import Athlete
from coachportal.organizations.models import Membership
from coachportal.uploads.models import Upload
from tests.fixtures.s3 import S3_TEST_BUCKET

from ..videos import tiny_mp4

pytestmark = pytest.mark.django_db

MP4 = tiny_mp4()  # a real little video: the upload form probes its header and index


@pytest.fixture(autouse=True)
def no_forwarding(monkeypatch):
    """These tests stop at storage: forwarding has its own tests."""
    monkeypatch.setattr("coachportal.uploads.services.enqueue_forward", lambda upload: None)


@pytest.fixture
def sandbox(aikynetix_faults, settings):
    settings.AIKYNETIX_BASE_URL = aikynetix_faults.base_url
    return aikynetix_faults


@pytest.fixture
def holder(sandbox):
    return sandbox.create_key_holder(role="admin", users=0)


@pytest.fixture
def noah(org_a):
    # The sandbox outlives one test and, like AiKYNETIX, keeps emails unique across all its accounts.
    email = f"noah-{uuid.uuid4().hex[:8]}@riverside.example"
    return Athlete.objects.create(organization=org_a, name="Noah New", email=email)


def fields(athlete, **extra):
    return {"target": "athlete", "athlete": athlete.pk, "activity": "running", "title": "", **extra}


def upload(client, org, athlete):
    video = SimpleUploadedFile("Hill reps.mp4", MP4, content_type="video/mp4")
    return client.post(
        f"/o/{org.slug}/uploads/new/",
        {**fields(athlete), "videos": [video]},
        HTTP_ACCEPT="application/json",
    )


def check(client, org, athlete, path="check"):
    return client.post(
        f"/o/{org.slug}/uploads/new/{path}/",
        fields(athlete, filename="Hill reps.mp4", size=len(MP4), content_type="video/mp4"),
    )


def test_an_athlete_without_an_id_is_created_in_aikynetix_when_the_upload_is_stored(
    client_for, org_a, adam, key, noah, sandbox, holder
):
    response = upload(client_for(adam), org_a, noah)
    assert response.status_code == 201, response.content
    noah.refresh_from_db()
    [client] = sandbox.users(holder.key)
    assert client["email"] == noah.email
    assert noah.aikynetix_user_id == client["user_id"]
    assert Upload.objects.get().provider_user_id == client["user_id"]


def test_the_check_before_sending_creates_the_athlete_and_stores_nothing(
    client_for, org_a, adam, key, noah, sandbox, holder
):
    response = check(client_for(adam), org_a, noah)
    assert response.status_code == 200 and response.json() == {"ok": True}
    noah.refresh_from_db()
    assert noah.aikynetix_user_id == sandbox.users(holder.key)[0]["user_id"]
    assert not Upload.objects.exists()


def test_an_athlete_without_an_email_is_refused_next_to_the_athlete_before_the_file_goes_up(
    client_for, org_a, adam, key, sandbox, holder
):
    nameless = Athlete.objects.create(organization=org_a, name="Mo Mail")
    response = check(client_for(adam), org_a, nameless)
    assert response.status_code == 400
    assert response.json()["errors"]["athlete"] == ["Add Mo Mail's email to create the athlete in AiKYNETIX."]
    response = upload(client_for(adam), org_a, nameless)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["athlete"]
    assert not Upload.objects.exists()
    assert sandbox.users(holder.key) == []


def test_a_full_plan_is_a_sentence_next_to_the_athlete_and_nothing_is_stored(
    client_for, org_a, adam, key, noah, sandbox, holder
):
    sandbox.set_user_quota(holder.key, 0)
    response = upload(client_for(adam), org_a, noah)
    assert response.status_code == 400
    [message] = response.json()["errors"]["athlete"]
    assert message.startswith(
        "Your AiKYNETIX plan allows no more clients, so Noah New was not created there."
    )
    assert ".." not in message and "  " not in message
    assert not Upload.objects.exists()


def test_the_plain_form_shows_the_problem_next_to_the_athlete_without_javascript(
    client_for, org_a, adam, key, sandbox, holder
):
    nameless = Athlete.objects.create(organization=org_a, name="Mo Mail")
    video = SimpleUploadedFile("Hill reps.mp4", MP4, content_type="video/mp4")
    response = client_for(adam).post(f"/o/{org_a.slug}/uploads/new/", {**fields(nameless), "videos": [video]})
    assert response.status_code == 400
    assert response.context["form"].errors["athlete"] == [
        "Add Mo Mail's email to create the athlete in AiKYNETIX."
    ]
    assert "Add Mo Mail&#x27;s email" in response.text


def test_with_s3_the_athlete_is_created_at_presign_time_before_the_browser_sends_the_file(
    client_for, org_a, adam, key, noah, sandbox, holder, s3
):
    response = check(client_for(adam), org_a, noah, path="presign")
    assert response.status_code == 200
    assert set(response.json()) == {"url", "fields", "token"}
    noah.refresh_from_db()
    assert noah.aikynetix_user_id == sandbox.users(holder.key)[0]["user_id"]


def test_with_s3_a_refusal_comes_from_presign_and_no_upload_link_is_handed_out(
    client_for, org_a, adam, key, sandbox, holder, s3
):
    nameless = Athlete.objects.create(organization=org_a, name="Mo Mail")
    response = check(client_for(adam), org_a, nameless, path="presign")
    assert response.status_code == 400
    body = response.json()
    assert "token" not in body and "url" not in body
    assert body["errors"]["athlete"] == ["Add Mo Mail's email to create the athlete in AiKYNETIX."]
    assert s3.list_objects_v2(Bucket=S3_TEST_BUCKET).get("KeyCount") == 0


# The way in: "Upload video" buttons -------------------------------------------------------------------


def test_the_athlete_page_and_the_dashboard_link_to_the_upload_page(client_for, org_a, adam, key, noah):
    client = client_for(adam)
    upload_url = f"/o/{org_a.slug}/uploads/new/"
    athlete_page = client.get(f"/o/{org_a.slug}/athletes/{noah.pk}/").text
    assert f'<a role="button" href="{upload_url}?athlete={noah.pk}">Upload video</a>' in athlete_page
    assert f'<a role="button" href="{upload_url}">Upload video</a>' in client.get(f"/o/{org_a.slug}/").text
    form = client.get(f"{upload_url}?athlete={noah.pk}").text
    assert f'<option value="{noah.pk}" selected>Noah New</option>' in form


def test_a_prefill_for_another_organizations_athlete_selects_nothing(client_for, org_a, org_b, adam, key):
    stranger = Athlete.objects.create(organization=org_b, name="Bea Elsewhere")
    response = client_for(adam).get(f"/o/{org_a.slug}/uploads/new/?athlete={stranger.pk}")
    assert response.status_code == 200
    athlete_select = response.text.split('name="athlete"')[1].split("</select>")[0]
    assert "Bea Elsewhere" not in response.text and " selected>" not in athlete_select


def test_coaches_see_the_button_only_when_the_organization_lets_them_upload(
    client_for, org_a, chloe, key, noah
):
    assert Membership.objects.get(user=chloe, organization=org_a).role == "coach"
    client = client_for(chloe)
    assert "Upload video" not in client.get(f"/o/{org_a.slug}/athletes/{noah.pk}/").text
    assert "Upload video" not in client.get(f"/o/{org_a.slug}/").text
    org_a.coaches_may_upload = True
    org_a.save(update_fields=["coaches_may_upload"])
    assert "Upload video" in client.get(f"/o/{org_a.slug}/athletes/{noah.pk}/").text
    assert "Upload video" in client.get(f"/o/{org_a.slug}/").text
