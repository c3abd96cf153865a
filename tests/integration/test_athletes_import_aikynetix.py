"""A CSV import creates the new athletes in AiKYNETIX, links existing clients by email, and says which."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from coachportal.athletes.models import Athlete
from coachportal.organizations import credentials

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder(org_a, adam, aikynetix_sandbox, settings):
    settings.AIKYNETIX_BASE_URL = aikynetix_sandbox.base_url
    holder = aikynetix_sandbox.create_key_holder(admin=True, users=[])
    credentials.save_key(org_a, "aikynetix", api_key=holder.key, label="", actor=adam)
    return holder


def upload(client, org, text, **extra):
    data = {"file": SimpleUploadedFile("roster.csv", text.encode(), content_type="text/csv"), **extra}
    return client.post(f"/o/{org.slug}/athletes/import/", data)


def row(page, number):
    return page.split(f'id="row-{number}"')[1].split("</tr>")[0]


def test_the_preview_says_per_row_what_happens_in_aikynetix_and_the_import_does_it(
    client_for, org_a, adam, holder, aikynetix_sandbox
):
    tag = uuid.uuid4().hex[:6]
    aikynetix_sandbox.add_user(holder.key, "uid-ben", "Ben in AiKYNETIX", email=f"ben-{tag}@example.com")
    aikynetix_sandbox.add_user(holder.key, "uid-dan", "Dan", email=f"dan-{tag}@example.com")
    csv_text = (
        "name,email,aikynetix_user_id\n"
        f"Ada,ada-{tag}@example.com,\n"  # row 2: created
        f"Ben,BEN-{tag}@example.com,\n"  # row 3: linked by email, whatever the case
        "Cleo,,\n"  # row 4: no email, roster only
        "Dan,,uid-dan\n"  # row 5: a typed id AiKYNETIX knows
        "Eli,,made-up\n"  # row 6: a typed id AiKYNETIX does not know
    )
    client = client_for(adam)
    assert 'name="create_in_aikynetix"' in client.get(f"/o/{org_a.slug}/athletes/import/").text
    upload(client, org_a, csv_text, create_in_aikynetix="on")
    page = client.get(f"/o/{org_a.slug}/athletes/import/preview/").text
    assert "Will be created in AiKYNETIX." in row(page, 2)
    assert "Will be linked to the existing AiKYNETIX client Ben in AiKYNETIX" in row(page, 3)
    assert "Not created in AiKYNETIX: the row has no email." in row(page, 4)
    assert "AiKYNETIX client found." in row(page, 5)
    assert "AiKYNETIX has no client with the id “made-up”" in row(page, 6)

    digest = page.split('name="digest" value="')[1].split('"')[0]
    plan = page.split('name="plan" value="')[1].split('"')[0]
    response = client.post(
        f"/o/{org_a.slug}/athletes/import/confirm/", {"digest": digest, "plan": plan}, follow=True
    )
    assert "In AiKYNETIX: 1 created, 1 linked to existing clients." in response.text
    roster = {a.name: a for a in Athlete.objects.for_org(org_a)}
    assert set(roster) == {"Ada", "Ben", "Cleo", "Dan"}
    assert roster["Ben"].aikynetix_user_id == "uid-ben"
    assert roster["Dan"].aikynetix_state == "verified"
    assert roster["Cleo"].aikynetix_user_id is None
    clients = {u["user_uid"]: u for u in aikynetix_sandbox.users(holder.key)}
    assert len(clients) == 3 and clients[roster["Ada"].aikynetix_user_id]["display_name"] == "Ada"


def test_a_quota_refusal_is_named_per_athlete_and_they_stay_on_the_roster(
    client_for, org_a, adam, holder, aikynetix_sandbox
):
    tag = uuid.uuid4().hex[:6]
    aikynetix_sandbox.set_user_quota(holder.key, 1)
    client = client_for(adam)
    upload(
        client,
        org_a,
        f"name,email\nAda,ada-{tag}@example.com\nBo,bo-{tag}@example.com\n",
        create_in_aikynetix="on",
    )
    page = client.get(f"/o/{org_a.slug}/athletes/import/preview/").text
    digest = page.split('name="digest" value="')[1].split('"')[0]
    plan = page.split('name="plan" value="')[1].split('"')[0]
    response = client.post(
        f"/o/{org_a.slug}/athletes/import/confirm/", {"digest": digest, "plan": plan}, follow=True
    )
    assert "Bo: Your AiKYNETIX plan allows no more clients, so Bo was not created there." in response.text
    assert Athlete.objects.for_org(org_a).count() == 2
    assert len(aikynetix_sandbox.users(holder.key)) == 1


def test_without_the_tick_nothing_is_created_upstream(client_for, org_a, adam, holder, aikynetix_sandbox):
    client = client_for(adam)
    upload(client, org_a, f"name,email\nAda,ada-{uuid.uuid4().hex[:6]}@example.com\n")
    page = client.get(f"/o/{org_a.slug}/athletes/import/preview/").text
    assert "Will be created in AiKYNETIX." not in page
    digest = page.split('name="digest" value="')[1].split('"')[0]
    plan = page.split('name="plan" value="')[1].split('"')[0]
    client.post(f"/o/{org_a.slug}/athletes/import/confirm/", {"digest": digest, "plan": plan})
    assert Athlete.objects.get(organization=org_a).aikynetix_user_id is None
    assert aikynetix_sandbox.users(holder.key) == []
