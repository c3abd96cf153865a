"""Import from AiKYNETIX: an admin puts the clients of the organization's AiKYNETIX account on the roster."""

import socket

import pytest

from coachportal.athletes.models import Athlete
from coachportal.organizations import credentials
from coachportal.organizations.models import AuditEvent, ProviderCredential
from coachportal.sessions.models import Session

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider_org(org_a, adam, aikynetix_sandbox, settings):
    """Org A's AiKYNETIX clients: Ana (two sessions in the library), Cy (none yet), Ben on the roster."""
    settings.AIKYNETIX_BASE_URL = aikynetix_sandbox.base_url
    holder = aikynetix_sandbox.create_key_holder(admin=True, users=[])
    aikynetix_sandbox.add_user(
        holder.key, "uid-ana", "Ana Alves", email=f"ana-{holder.key[-6:]}@example.com", height=170
    )
    aikynetix_sandbox.add_user(holder.key, "uid-ben", "Ben Berg", email=f"ben-{holder.key[-6:]}@example.com")
    aikynetix_sandbox.add_user(holder.key, "uid-cy", "Cy Chen", email=f"cy-{holder.key[-6:]}@example.com")
    # A provider that lists its admin among the clients must not get the owner onto the roster.
    aikynetix_sandbox.add_user(
        holder.key, holder.owner_user_id, "The Owner", email=f"own-{holder.key[-6:]}@example.com"
    )
    credentials.save_key(org_a, "aikynetix", api_key=holder.key, label="", actor=adam)
    Athlete.objects.create(organization=org_a, name="Ben Berg", aikynetix_user_id="uid-ben")
    for n in range(2):
        Session.objects.create(
            organization=org_a,
            provider="aikynetix",
            external_id=f"s-{n}",
            provider_user_id="uid-ana",
            title="Run",
        )
    org_a.holder = holder
    return org_a


def url(org, *parts):
    return f"/o/{org.slug}/athletes/from-aikynetix/" + "".join(f"{p}/" for p in parts)


def test_the_page_lists_the_clients_not_on_the_roster_with_their_session_counts(
    client_for, provider_org, adam
):
    page = client_for(adam).get(url(provider_org))
    assert page.status_code == 200
    assert "Import from AiKYNETIX" in page.text
    assert "Ana Alves" in page.text and "Cy Chen" in page.text
    assert "uid-ben" not in page.text
    assert provider_org.holder.owner_user_id not in page.text and "The Owner" not in page.text
    ana = page.text.split('id="person-uid-ana"')[1].split("</tr>")[0]
    assert '<td data-label="Sessions">2</td>' in ana
    cy = page.text.split('id="person-uid-cy"')[1].split("</tr>")[0]
    assert '<td data-label="Sessions">0</td>' in cy


def test_the_roster_links_to_the_import(client_for, provider_org, adam):
    assert "Import from AiKYNETIX" in client_for(adam).get(f"/o/{provider_org.slug}/athletes/").text


def test_one_click_adds_the_client_with_id_email_and_attributes_without_a_page_reload(
    client_for, provider_org, adam
):
    response = client_for(adam).post(
        url(provider_org, "add"), {"aikynetix_user_id": "uid-ana"}, headers={"HX-Request": "true"}
    )
    assert "<html" not in response.text
    assert "Added" in response.text
    athlete = Athlete.objects.get(organization=provider_org, aikynetix_user_id="uid-ana")
    assert (athlete.name, athlete.height, athlete.aikynetix_state) == ("Ana Alves", 170, "verified")
    assert athlete.email.startswith("ana-")
    assert athlete.sessions.count() == 2  # the library's sessions follow
    assert AuditEvent.objects.filter(verb="athlete.created", object_id=str(athlete.pk)).exists()
    assert "uid-ana" not in client_for(adam).get(url(provider_org)).text


def test_add_all_puts_every_waiting_client_on_the_roster_but_never_the_owner(client_for, provider_org, adam):
    response = client_for(adam).post(url(provider_org, "add"), {"all": "1"}, follow=True)
    assert "Added 2 athletes from AiKYNETIX." in response.text
    ids = set(Athlete.objects.for_org(provider_org).values_list("aikynetix_user_id", flat=True))
    assert ids == {"uid-ana", "uid-ben", "uid-cy"}
    assert AuditEvent.objects.filter(verb="athlete.created").count() == 2


def test_a_client_with_the_email_of_an_athlete_without_an_id_links_that_athlete(
    client_for, provider_org, adam
):
    holder = provider_org.holder
    cy = Athlete.objects.create(
        organization=provider_org, name="Cy", email=f"cy-{holder.key[-6:]}@example.com"
    )
    page = client_for(adam).get(url(provider_org))
    assert "Link to <bdi>Cy" in page.text
    client_for(adam).post(url(provider_org, "add"), {"aikynetix_user_id": "uid-cy"})
    cy.refresh_from_db()
    assert cy.aikynetix_user_id == "uid-cy"
    assert Athlete.objects.for_org(provider_org).count() == 2


def test_adding_someone_already_on_the_roster_says_so_and_adds_nothing(client_for, provider_org, adam):
    response = client_for(adam).post(url(provider_org, "add"), {"aikynetix_user_id": "uid-ben"}, follow=True)
    assert "Ben Berg already has this AiKYNETIX user id" in response.text
    assert Athlete.objects.filter(aikynetix_user_id="uid-ben").count() == 1


def test_the_owner_cannot_be_added_by_posting_their_id(client_for, provider_org, adam):
    client_for(adam).post(url(provider_org, "add"), {"aikynetix_user_id": provider_org.holder.owner_user_id})
    assert Athlete.objects.for_org(provider_org).count() == 1


def test_without_a_key_the_page_says_where_to_add_one(client_for, org_a, adam):
    page = client_for(adam).get(url(org_a))
    assert "Add the organization&#x27;s AiKYNETIX key first" in page.text


def test_a_key_that_is_not_an_admin_key_is_explained(client_for, org_a, adam, aikynetix_sandbox, settings):
    settings.AIKYNETIX_BASE_URL = aikynetix_sandbox.base_url
    holder = aikynetix_sandbox.create_key_holder(role="sub_admin", users=[])
    credentials.save_key(org_a, "aikynetix", api_key=holder.key, label="", actor=adam)
    page = client_for(adam).get(url(org_a))
    assert "is not an admin key" in page.text


def test_a_rejected_key_is_reported_and_marked(client_for, org_a, adam, aikynetix_sandbox, settings):
    settings.AIKYNETIX_BASE_URL = aikynetix_sandbox.base_url
    credentials.save_key(org_a, "aikynetix", api_key="never-issued-key-1234", label="", actor=adam)
    page = client_for(adam).get(url(org_a))
    assert "AiKYNETIX refused the organization" in page.text
    assert ProviderCredential.objects.get().status == "rejected"


@pytest.mark.slow
def test_an_unreachable_provider_changes_nothing_and_says_so(client_for, org_a, adam, settings):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        settings.AIKYNETIX_BASE_URL = f"http://127.0.0.1:{s.getsockname()[1]}"
    credentials.save_key(org_a, "aikynetix", api_key="some-key-123456", label="", actor=adam)
    page = client_for(adam).get(url(org_a))
    assert "AiKYNETIX could not be reached" in page.text
    assert client_for(adam).post(url(org_a, "add"), {"all": "1"}).status_code == 302
    assert Athlete.objects.count() == 0


def test_coaches_cannot_add_from_the_provider(client_for, org_a, chloe):
    response = client_for(chloe).post(url(org_a, "add"), {"aikynetix_user_id": "uid-x"})
    assert response.status_code == 403
    assert Athlete.objects.count() == 0
