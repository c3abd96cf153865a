"""Athletes become AiKYNETIX clients: created or linked by email, typed ids checked, attributes kept in step.

Every test talks to the AiKYNETIX sandbox over real HTTP. The sandbox's emails are account-wide, so each
test uses its own.
"""

import io
import re
import socket
import uuid

import pytest
from django.core.management import call_command

from coachportal.athletes import provider_clients
from coachportal.athletes.models import Athlete
from coachportal.athletes.provider_clients import AthleteProviderError, ensure_aikynetix_client
from coachportal.athletes.roster_sync import sync_roster
from coachportal.organizations import credentials
from coachportal.organizations.models import AuditEvent

pytestmark = pytest.mark.django_db

State = Athlete.ProviderState


def email(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}@example.com"


@pytest.fixture
def holder(org_a, adam, aikynetix_sandbox, settings):
    """Org A with an AiKYNETIX admin key whose account has no clients yet."""
    settings.AIKYNETIX_BASE_URL = aikynetix_sandbox.base_url
    holder = aikynetix_sandbox.create_key_holder(admin=True, users=[])
    credentials.save_key(org_a, "aikynetix", api_key=holder.key, label="", actor=adam)
    return holder


@pytest.fixture
def faults(aikynetix_faults):
    return aikynetix_faults


def upstream(sandbox, holder):
    return {u["user_uid"]: u for u in sandbox.users(holder.key)}


def add_form(client, org, **fields):
    data = {"name": "Anna Alves", "email": "", "aikynetix_user_id": "", "notes": "", **fields}
    return client.post(f"/o/{org.slug}/athletes/new/", data, follow=True)


# Adding by hand -------------------------------------------------------------------------------------------


def test_the_add_form_ticks_create_in_aikynetix_when_the_key_is_an_admin_key(client_for, org_a, adam, holder):
    page = client_for(adam).get(f"/o/{org_a.slug}/athletes/new/")
    assert "Create in AiKYNETIX" in page.text
    assert re.search(r'<input[^>]*name="create_in_aikynetix"[^>]*checked', page.text)


def test_without_an_admin_key_create_in_aikynetix_is_offered_but_not_ticked(client_for, org_a, adam):
    page = client_for(adam).get(f"/o/{org_a.slug}/athletes/new/")
    assert re.search(r'<input[^>]*name="create_in_aikynetix"', page.text)
    assert not re.search(r'<input[^>]*name="create_in_aikynetix"[^>]*checked', page.text)


def test_an_admin_adds_an_athlete_who_is_created_in_aikynetix(
    client_for, org_a, adam, holder, aikynetix_sandbox
):
    address = email("anna")
    response = add_form(client_for(adam), org_a, email=address, create_in_aikynetix="on", height="174")
    athlete = Athlete.objects.get(organization=org_a)
    assert athlete.aikynetix_user_id
    assert athlete.aikynetix_state == State.VERIFIED
    remote = upstream(aikynetix_sandbox, holder)[athlete.aikynetix_user_id]
    assert (remote["email"], remote["display_name"], remote["height"]) == (address, "Anna Alves", 174)
    assert "Anna Alves is a client in AiKYNETIX." in response.text
    assert AuditEvent.objects.filter(verb="athlete.aikynetix_created", object_id=str(athlete.pk)).exists()


def test_an_existing_client_with_the_same_email_is_linked_not_duplicated(
    client_for, org_a, adam, holder, aikynetix_sandbox
):
    address = email("ben")
    aikynetix_sandbox.add_user(holder.key, "uid-ben", "Ben B.", email=address, height=181)
    add_form(client_for(adam), org_a, name="Ben Berg", email=address.upper(), create_in_aikynetix="on")
    athlete = Athlete.objects.get(organization=org_a)
    assert athlete.aikynetix_user_id == "uid-ben"
    assert athlete.height == 181  # the client's attributes come along
    assert list(upstream(aikynetix_sandbox, holder)) == ["uid-ben"]
    assert AuditEvent.objects.filter(verb="athlete.aikynetix_linked").exists()


def test_creating_without_an_email_asks_for_one_next_to_the_field(client_for, org_a, adam, holder):
    response = client_for(adam).post(
        f"/o/{org_a.slug}/athletes/new/", {"name": "Cleo", "create_in_aikynetix": "on"}
    )
    assert response.status_code == 400
    assert "Add an email to create the athlete in AiKYNETIX" in response.text
    assert not Athlete.objects.exists()


def test_a_reached_quota_says_so_and_keeps_the_athlete_on_the_roster(
    client_for, org_a, adam, holder, aikynetix_sandbox
):
    aikynetix_sandbox.set_user_quota(holder.key, 0)
    response = add_form(client_for(adam), org_a, email=email("dora"), create_in_aikynetix="on")
    athlete = Athlete.objects.get(organization=org_a)
    assert athlete.aikynetix_user_id is None
    assert "Your AiKYNETIX plan allows no more clients, so Anna Alves was not created there." in response.text
    assert upstream(aikynetix_sandbox, holder) == {}


def test_a_lost_create_answer_is_reconciled_by_email_and_never_creates_twice(
    client_for, org_a, adam, holder, aikynetix_sandbox, faults
):
    faults.set_faults(drop_after_write=True, match="/user-management/users", methods=["POST"], times=1)
    add_form(client_for(adam), org_a, email=email("eve"), create_in_aikynetix="on")
    assert faults.faults()["drop_after_write"] is False  # the answer to the create was really lost
    athlete = Athlete.objects.get(organization=org_a)
    clients = upstream(aikynetix_sandbox, holder)
    assert list(clients) == [athlete.aikynetix_user_id]


@pytest.mark.slow  # the client's retry backoff (~3 s)
def test_when_aikynetix_is_down_the_athlete_waits_visibly_and_can_be_retried(
    client_for, org_a, adam, holder, aikynetix_sandbox, faults
):
    faults.set_faults(error_rate=1.0, match="/user-management/")
    response = add_form(client_for(adam), org_a, email=email("finn"), create_in_aikynetix="on")
    athlete = Athlete.objects.get(organization=org_a)
    assert (athlete.aikynetix_user_id, athlete.aikynetix_state) == (None, State.PENDING)
    assert "AiKYNETIX could not be reached, so Anna Alves is not in AiKYNETIX yet." in response.text
    assert "Not yet in AiKYNETIX" in client_for(adam).get(f"/o/{org_a.slug}/athletes/").text
    assert "Try again: create in AiKYNETIX" in response.text

    faults.reset_faults()
    response = client_for(adam).post(
        f"/o/{org_a.slug}/athletes/{athlete.pk}/create-in-aikynetix/", follow=True
    )
    athlete.refresh_from_db()
    assert athlete.aikynetix_state == State.VERIFIED
    assert list(upstream(aikynetix_sandbox, holder)) == [athlete.aikynetix_user_id]
    assert "Anna Alves is a client in AiKYNETIX." in response.text


def test_coaches_cannot_create_athletes_in_aikynetix(client_for, org_a, chloe, holder):
    athlete = Athlete.objects.create(organization=org_a, name="Gus", email=email("gus"))
    response = client_for(chloe).post(f"/o/{org_a.slug}/athletes/{athlete.pk}/create-in-aikynetix/")
    assert response.status_code == 403
    athlete.refresh_from_db()
    assert athlete.aikynetix_user_id is None


# Typed ids ------------------------------------------------------------------------------------------------


def test_a_typed_id_that_aikynetix_knows_is_verified(client_for, org_a, adam, holder, aikynetix_sandbox):
    aikynetix_sandbox.add_user(holder.key, "uid-hana", "Hana", email=email("hana"), weight=61)
    add_form(client_for(adam), org_a, aikynetix_user_id="uid-hana")
    athlete = Athlete.objects.get(organization=org_a)
    assert (athlete.aikynetix_state, athlete.weight) == (State.VERIFIED, 61)


def test_an_unknown_typed_id_is_refused_next_to_the_field(client_for, org_a, adam, holder):
    response = client_for(adam).post(
        f"/o/{org_a.slug}/athletes/new/", {"name": "Ivo", "aikynetix_user_id": "made-up-id"}
    )
    assert response.status_code == 400
    assert "AiKYNETIX has no client with the id “made-up-id”" in response.text
    assert not Athlete.objects.exists()


@pytest.mark.slow  # the client's retry backoff (~3 s)
def test_a_typed_id_is_saved_as_not_yet_verified_when_aikynetix_is_down_and_the_sync_verifies_it(
    client_for, org_a, adam, holder, aikynetix_sandbox, faults
):
    aikynetix_sandbox.add_user(holder.key, "uid-jo", "Jo", email=email("jo"))
    faults.set_faults(error_rate=1.0, match="/user-management/")
    response = add_form(client_for(adam), org_a, aikynetix_user_id="uid-jo")
    athlete = Athlete.objects.get(organization=org_a)
    assert athlete.aikynetix_state == State.UNVERIFIED
    assert "saved as not yet verified" in response.text
    assert "Not yet verified" in client_for(adam).get(f"/o/{org_a.slug}/athletes/").text
    assert "Not yet verified" in client_for(adam).get(f"/o/{org_a.slug}/athletes/{athlete.pk}/").text

    faults.reset_faults()
    assert sync_roster(org_a).verified == 1
    athlete.refresh_from_db()
    assert athlete.aikynetix_state == State.VERIFIED
    assert "Not yet verified" not in client_for(adam).get(f"/o/{org_a.slug}/athletes/").text


def test_the_sync_marks_an_id_that_is_gone_upstream(org_a, holder):
    athlete = Athlete.objects.create(organization=org_a, name="Kai", aikynetix_user_id="uid-gone")
    assert sync_roster(org_a).missing == 1
    athlete.refresh_from_db()
    assert athlete.aikynetix_state == State.MISSING


# Attributes -----------------------------------------------------------------------------------------------


def test_edited_attributes_are_written_to_aikynetix(client_for, org_a, adam, holder, aikynetix_sandbox):
    aikynetix_sandbox.add_user(holder.key, "uid-lea", "Lea", email=email("lea"))
    athlete = Athlete.objects.create(organization=org_a, name="Lea", aikynetix_user_id="uid-lea")
    client_for(adam).post(
        f"/o/{org_a.slug}/athletes/{athlete.pk}/edit/",
        {
            "name": "Lea",
            "aikynetix_user_id": "uid-lea",
            "height": "168.5",
            "weight": "59",
            "leg_length": "0.88",
            "gender": "Female",
            "age": "24",
        },
    )
    remote = upstream(aikynetix_sandbox, holder)["uid-lea"]
    assert (remote["height"], remote["weight"], remote["leg_length"], remote["gender"], remote["age"]) == (
        168.5,
        59,
        0.88,
        "Female",
        "24",
    )
    athlete.refresh_from_db()
    assert athlete.attributes_written_at is not None and not athlete.attributes_unsent


def test_attributes_changed_upstream_later_win_at_the_next_sync(org_a, holder, aikynetix_sandbox):
    aikynetix_sandbox.add_user(holder.key, "uid-max", "Max", email=email("max"), height=180, weight=75)
    athlete = Athlete.objects.create(organization=org_a, name="Max", aikynetix_user_id="uid-max")
    sync_roster(org_a)
    athlete.refresh_from_db()
    assert (athlete.height, athlete.weight) == (180, 75)

    # A coach changes the weight here (written through); someone changes the height in AiKYNETIX later.
    athlete.weight = 77
    athlete.save()
    assert provider_clients.write_attributes_for(athlete)
    aikynetix_sandbox.client(holder.key).update_user("uid-max", height=182)
    result = sync_roster(org_a)
    athlete.refresh_from_db()
    assert (athlete.height, athlete.weight) == (182, 77)
    assert result.refreshed == 1


def test_attributes_that_could_not_be_sent_go_up_with_the_next_sync(
    client_for, org_a, adam, holder, aikynetix_sandbox, faults
):
    aikynetix_sandbox.add_user(holder.key, "uid-nia", "Nia", email=email("nia"))
    athlete = Athlete.objects.create(
        organization=org_a, name="Nia", aikynetix_user_id="uid-nia", aikynetix_state=State.VERIFIED
    )
    faults.set_faults(error_rate=1.0, match="/user-management/", methods=["PUT"])
    response = client_for(adam).post(
        f"/o/{org_a.slug}/athletes/{athlete.pk}/edit/",
        {"name": "Nia", "aikynetix_user_id": "uid-nia", "age": "19"},
        follow=True,
    )
    assert "the new attributes are not there yet" in response.text
    assert "Not yet sent to AiKYNETIX" in response.text
    faults.reset_faults()
    assert sync_roster(org_a).written == 1
    assert upstream(aikynetix_sandbox, holder)["uid-nia"]["age"] == "19"


def test_the_form_names_the_units(client_for, org_a, adam):
    page = client_for(adam).get(f"/o/{org_a.slug}/athletes/new/").text
    assert "Height (cm)" in page and "Weight (kg)" in page and "Leg length (m)" in page


# The service for other features ---------------------------------------------------------------------------


def test_ensure_returns_the_existing_id_without_asking_aikynetix(org_a, adam):
    athlete = Athlete.objects.create(organization=org_a, name="Otto", aikynetix_user_id="uid-otto")
    assert ensure_aikynetix_client(athlete, actor=adam) == "uid-otto"


def test_ensure_creates_the_client_and_stores_the_id(org_a, adam, holder, aikynetix_sandbox):
    athlete = Athlete.objects.create(organization=org_a, name="Pia", email=email("pia"))
    user_id = ensure_aikynetix_client(athlete, actor=adam)
    athlete.refresh_from_db()
    assert athlete.aikynetix_user_id == user_id
    assert user_id in upstream(aikynetix_sandbox, holder)


def test_ensure_asks_for_an_email(org_a, adam, holder):
    athlete = Athlete.objects.create(organization=org_a, name="Anna")
    with pytest.raises(AthleteProviderError) as error:
        ensure_aikynetix_client(athlete, actor=adam)
    assert error.value.message == "Add Anna's email to create the athlete in AiKYNETIX."


def test_ensure_without_a_key_says_where_to_add_one(org_a, adam):
    athlete = Athlete.objects.create(organization=org_a, name="Rua", email="rua@example.com")
    with pytest.raises(AthleteProviderError, match="Add the organization's AiKYNETIX key"):
        ensure_aikynetix_client(athlete, actor=adam)


def test_ensure_with_a_key_that_is_not_an_admin_key_says_so(org_a, adam, aikynetix_sandbox, settings):
    settings.AIKYNETIX_BASE_URL = aikynetix_sandbox.base_url
    holder = aikynetix_sandbox.create_key_holder(role="user", users=[])
    credentials.save_key(org_a, "aikynetix", api_key=holder.key, label="", actor=adam)
    athlete = Athlete.objects.create(organization=org_a, name="Sol", email=email("sol"))
    with pytest.raises(AthleteProviderError, match="not an admin key"):
        ensure_aikynetix_client(athlete, actor=adam)


@pytest.mark.slow  # the client's retry backoff (~3 s)
def test_ensure_when_aikynetix_is_unreachable_marks_the_athlete_pending(org_a, adam, settings):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        settings.AIKYNETIX_BASE_URL = f"http://127.0.0.1:{s.getsockname()[1]}"
    credentials.save_key(org_a, "aikynetix", api_key="some-key-123456", label="", actor=adam)
    athlete = Athlete.objects.create(organization=org_a, name="Tom", email="tom@example.com")
    with pytest.raises(AthleteProviderError, match="could not be reached"):
        ensure_aikynetix_client(athlete, actor=adam)
    athlete.refresh_from_db()
    assert athlete.aikynetix_state == State.PENDING


def test_the_sync_roster_command_verifies_every_organization(org_a, holder, aikynetix_sandbox):
    aikynetix_sandbox.add_user(holder.key, "uid-uma", "Uma", email=email("uma"))
    athlete = Athlete.objects.create(
        organization=org_a, name="Uma", aikynetix_user_id="uid-uma", aikynetix_state=State.UNVERIFIED
    )
    out = io.StringIO()
    call_command("sync_roster", stdout=out)
    assert f"{org_a.slug}: done (verified 1" in out.getvalue()
    athlete.refresh_from_db()
    assert athlete.aikynetix_state == State.VERIFIED
