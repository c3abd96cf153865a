"""An admin builds the roster from the people already in the organization's AiKYNETIX sessions."""

import socket

import pytest

from coachportal.athletes.models import Athlete
from coachportal.organizations import credentials
from coachportal.organizations.models import AuditEvent, ProviderCredential

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider_org(org_a, adam, aikynetix_sandbox, aikynetix_video, settings):
    """Org A's AiKYNETIX account: Ana has two sessions, Ben one, and Ben is already on the roster."""
    settings.AIKYNETIX_BASE_URL = aikynetix_sandbox.base_url
    holder = aikynetix_sandbox.create_key_holder(
        admin=True, users=[("uid-ana", "Ana Alves"), ("uid-ben", "Ben Berg")]
    )
    client = aikynetix_sandbox.client(holder.key)
    for user_id, title in [("uid-ana", "Tempo"), ("uid-ana", "Hills"), ("uid-ben", "Sprint")]:
        client.upload_running(aikynetix_video, user_id=user_id, session_name=title)
    credentials.save_key(org_a, "aikynetix", api_key=holder.key, label="", actor=adam)
    Athlete.objects.create(organization=org_a, name="Ben Berg", aikynetix_user_id="uid-ben")
    return org_a


def url(org, *parts):
    return f"/o/{org.slug}/athletes/from-aikynetix/" + "".join(f"{p}/" for p in parts)


def test_the_page_offers_only_the_people_not_yet_on_the_roster(client_for, provider_org, adam):
    page = client_for(adam).get(url(provider_org))
    assert page.status_code == 200
    assert "Ana Alves" in page.text and "uid-ana" in page.text
    assert "uid-ben" not in page.text
    row = page.text.split('id="person-uid-ana"')[1].split("</tr>")[0]
    assert "<td>2</td>" in row  # two sessions


def test_one_click_adds_the_person_with_their_user_id_without_a_page_reload(client_for, provider_org, adam):
    response = client_for(adam).post(
        url(provider_org, "add"),
        {"aikynetix_user_id": "uid-ana", "name": "Ana Alves"},
        headers={"HX-Request": "true"},
    )
    assert "<html" not in response.text
    assert "Added" in response.text
    athlete = Athlete.objects.get(organization=provider_org, aikynetix_user_id="uid-ana")
    assert athlete.name == "Ana Alves"
    assert AuditEvent.objects.filter(verb="athlete.created", object_id=str(athlete.pk)).exists()
    assert "uid-ana" not in client_for(adam).get(url(provider_org)).text


def test_adding_someone_already_on_the_roster_says_so_and_adds_nothing(client_for, provider_org, adam):
    response = client_for(adam).post(
        url(provider_org, "add"), {"aikynetix_user_id": "uid-ben", "name": "Ben"}, follow=True
    )
    assert "Ben Berg already has this AiKYNETIX user id" in response.text
    assert Athlete.objects.filter(aikynetix_user_id="uid-ben").count() == 1


def test_without_a_key_the_page_says_where_to_add_one(client_for, org_a, adam):
    page = client_for(adam).get(url(org_a))
    assert "Add the organization&#x27;s AiKYNETIX key first" in page.text


def test_a_rejected_key_is_reported_and_marked(client_for, org_a, adam, aikynetix_sandbox, settings):
    settings.AIKYNETIX_BASE_URL = aikynetix_sandbox.base_url
    credentials.save_key(org_a, "aikynetix", api_key="never-issued-key-1234", label="", actor=adam)
    page = client_for(adam).get(url(org_a))
    assert "AiKYNETIX refused the organization" in page.text
    assert ProviderCredential.objects.get().status == "rejected"


def test_an_unreachable_provider_changes_nothing_and_says_so(client_for, org_a, adam, settings):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        settings.AIKYNETIX_BASE_URL = f"http://127.0.0.1:{s.getsockname()[1]}"
    credentials.save_key(org_a, "aikynetix", api_key="some-key-123456", label="", actor=adam)
    page = client_for(adam).get(url(org_a))
    assert "AiKYNETIX could not be reached" in page.text
    assert Athlete.objects.count() == 0


def test_coaches_cannot_add_from_the_provider(client_for, org_a, chloe):
    response = client_for(chloe).post(url(org_a, "add"), {"aikynetix_user_id": "uid-x", "name": "X"})
    assert response.status_code == 403
    assert Athlete.objects.count() == 0
