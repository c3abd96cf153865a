"""Provider keys: an admin pastes a key, sees it verified, and nothing ever shows it again."""

import json
import socket

import pytest
from cryptography.fernet import Fernet
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection

from coachportal.organizations import credentials, crypto
from coachportal.organizations.models import AuditEvent, ProviderCredential

pytestmark = pytest.mark.django_db

KEY = "sk-live-RIVERSIDE-0123456789abcdefWXYZ"


def providers_url(org, *parts):
    return "/".join([f"/o/{org.slug}/settings/providers", *parts]) + "/"


def save(client, org, provider="aikynetix", key=KEY, label="Club account"):
    return client.post(providers_url(org, provider), {f"{provider}-label": label, f"{provider}-api_key": key})


def raw_ciphertexts():
    with connection.cursor() as cursor:
        cursor.execute("SELECT key_ciphertext, last4, label FROM organizations_providercredential")
        return cursor.fetchall()


def closed_port_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


# Encryption -----------------------------------------------------------------------------------------


def test_a_key_round_trips_through_encryption():
    assert crypto.decrypt(crypto.encrypt(KEY)) == KEY
    assert crypto.encrypt(KEY) != crypto.encrypt(KEY)  # fresh IV each time


def test_the_database_column_never_holds_the_plaintext_key(client_for, org_a, adam):
    save(client_for(adam), org_a)
    [(ciphertext, last4, label)] = raw_ciphertexts()
    assert KEY not in ciphertext
    assert KEY[:-4] not in ciphertext
    assert (last4, label) == ("WXYZ", "Club account")
    assert ProviderCredential.objects.get().plaintext_key() == KEY


def test_rotation_re_encrypts_every_key_with_the_newest_encryption_key(client_for, org_a, adam, settings):
    save(client_for(adam), org_a)
    old_keys = list(settings.FIELD_ENCRYPTION_KEYS)
    new_key = Fernet.generate_key().decode()
    [(before, _, _)] = raw_ciphertexts()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, *old_keys]
    call_command("rotate_encryption_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115
    [(after, _, _)] = raw_ciphertexts()
    assert after != before
    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key can now be dropped
    assert ProviderCredential.objects.get().plaintext_key() == KEY


def test_rotation_reports_keys_it_cannot_read_and_leaves_them_alone(client_for, org_a, adam, settings):
    save(client_for(adam), org_a)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # the old key was lost
    with pytest.raises(CommandError, match="could not be decrypted"):
        call_command("rotate_encryption_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115


# The settings page ------------------------------------------------------------------------------------


def test_after_saving_only_the_last_four_characters_are_shown(client_for, org_a, adam):
    client = client_for(adam)
    response = save(client, org_a)
    assert response.status_code == 302
    page = client.get(providers_url(org_a))
    assert "•••• WXYZ" in page.text
    assert KEY not in page.text
    assert KEY[:12] not in page.text


def test_replacing_a_key_keeps_one_key_per_provider(client_for, org_a, adam):
    client = client_for(adam)
    save(client, org_a)
    save(client, org_a, key="second-key-abcdefgh-7777", label="New")
    credential = ProviderCredential.objects.get()
    assert (credential.last4, credential.label, credential.plaintext_key()) == (
        "7777",
        "New",
        "second-key-abcdefgh-7777",
    )
    # Each save tests the key at once (here against a closed port: the test settings' provider URL).
    assert list(AuditEvent.objects.filter(verb__startswith="credential").values_list("verb", flat=True)) == [
        "credential.tested",
        "credential.replaced",
        "credential.tested",
        "credential.added",
    ]


def test_a_bad_key_is_refused_next_to_the_field_and_never_echoed(client_for, org_a, adam):
    response = save(client_for(adam), org_a, key="has spaces in it 123")
    assert response.status_code == 400
    assert "An API key has no spaces" in response.text
    assert "has spaces in it" not in response.text
    assert 'value="Club account"' in response.text  # the label is kept
    assert ProviderCredential.objects.count() == 0


def test_removing_a_key_deletes_it(client_for, org_a, adam):
    client = client_for(adam)
    save(client, org_a)
    client.post(providers_url(org_a, "aikynetix", "remove"))
    assert ProviderCredential.objects.count() == 0
    assert AuditEvent.objects.filter(verb="credential.removed").exists()


def test_an_unknown_provider_is_not_found(client_for, org_a, adam):
    assert save(client_for(adam), org_a, provider="acme").status_code == 404


def test_coaches_cannot_see_or_change_keys(client_for, org_a, chloe):
    client = client_for(chloe)
    assert client.get(providers_url(org_a)).status_code == 403
    assert save(client, org_a).status_code == 403
    assert ProviderCredential.objects.count() == 0


def test_another_organizations_key_is_out_of_reach(client_for, org_a, org_b, adam, bruno):
    save(client_for(bruno), org_b)
    client = client_for(adam)
    client.post(providers_url(org_a, "aikynetix", "remove"))
    assert ProviderCredential.objects.filter(organization=org_b).count() == 1
    assert client.post(providers_url(org_b, "aikynetix", "remove")).status_code == 404


def test_audit_events_never_contain_the_key(client_for, org_a, adam, aikynetix_sandbox, settings):
    settings.AIKYNETIX_BASE_URL = aikynetix_sandbox.base_url
    client = client_for(adam)
    save(client, org_a)
    client.post(providers_url(org_a, "aikynetix", "test"))
    save(client, org_a, key="another-secret-key-0000")
    client.post(providers_url(org_a, "aikynetix", "remove"))
    events = list(AuditEvent.objects.values("verb", "object_repr", "detail"))
    assert {e["verb"] for e in events} >= {"credential.added", "credential.tested", "credential.replaced"}
    dumped = json.dumps(events)
    assert KEY not in dumped and "another-secret-key" not in dumped


def test_error_reports_mask_the_posted_key(client_for, org_a, adam, settings, monkeypatch):
    settings.ADMINS = [("Ops", "ops@example.com")]

    def explode(*args, **kwargs):
        raise RuntimeError("storage failed")

    monkeypatch.setattr(credentials, "save_key", explode)
    client = client_for(adam)
    client.raise_request_exception = False
    assert save(client, org_a).status_code == 500
    [report] = mail.outbox
    text = report.body + "".join(str(alt[0]) for alt in getattr(report, "alternatives", []))
    assert "storage failed" in text
    assert KEY not in text


# Test connection ------------------------------------------------------------------------------------


@pytest.fixture
def aikynetix_key(aikynetix_sandbox, settings):
    settings.AIKYNETIX_BASE_URL = aikynetix_sandbox.base_url
    return aikynetix_sandbox.create_key_holder(admin=True, users=1).key


def test_a_working_key_is_shown_as_working_without_a_page_reload(client_for, org_a, adam, aikynetix_key):
    client = client_for(adam)
    save(client, org_a, key=aikynetix_key)
    response = client.post(providers_url(org_a, "aikynetix", "test"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="provider-aikynetix"' in response.text
    assert "Working" in response.text
    credential = ProviderCredential.objects.get()
    assert credential.status == "ok" and credential.checked_at is not None


def test_a_key_the_provider_refuses_is_shown_as_rejected_with_its_message(
    client_for, org_a, adam, aikynetix_sandbox, settings
):
    settings.AIKYNETIX_BASE_URL = aikynetix_sandbox.base_url
    client = client_for(adam)
    save(client, org_a, key="made-up-key-that-the-provider-never-issued")
    response = client.post(providers_url(org_a, "aikynetix", "test"), headers={"HX-Request": "true"})
    credential = ProviderCredential.objects.get()
    assert credential.status == "rejected"
    assert credential.status_message
    assert "Rejected by the provider" in response.text
    assert credential.status_message[:30] in response.text


def test_an_unreachable_provider_is_reported_as_such(client_for, org_a, adam, settings):
    settings.AIKYNETIX_BASE_URL = closed_port_url()
    client = client_for(adam)
    save(client, org_a)
    response = client.post(providers_url(org_a, "aikynetix", "test"), follow=True)
    assert ProviderCredential.objects.get().status == "unreachable"
    assert "Provider unreachable" in response.text


def test_a_provider_answering_500_is_reported_unreachable(
    client_for, org_a, adam, aikynetix_key, aikynetix_faults
):
    aikynetix_faults.set_faults(error_rate=1.0)
    client = client_for(adam)
    save(client, org_a, key=aikynetix_key)
    client.post(providers_url(org_a, "aikynetix", "test"))
    assert ProviderCredential.objects.get().status == "unreachable"


def test_an_ai_on_the_ball_token_is_tested_too(
    client_for, org_a, adam, aiontheball_sandbox, aiontheball_token, settings
):
    settings.AIONTHEBALL_BASE_URL = aiontheball_sandbox.base_url
    client = client_for(adam)
    save(client, org_a, provider="aiontheball", key=aiontheball_token)
    client.post(providers_url(org_a, "aiontheball", "test"))
    assert ProviderCredential.objects.get().status == "ok"
    save(client, org_a, provider="aiontheball", key="not-a-token-they-issued")
    client.post(providers_url(org_a, "aiontheball", "test"))
    assert ProviderCredential.objects.get().status == "rejected"


# The rejected-key banner ----------------------------------------------------------------------------


def test_a_key_rejected_during_work_shows_a_banner_to_owners_and_admins_only(client_for, org_a, adam, chloe):
    client = client_for(adam)
    save(client, org_a)
    credentials.mark_rejected(ProviderCredential.objects.get(), "API key revoked")
    page = client.get(f"/o/{org_a.slug}/")
    assert "AiKYNETIX refused the organization" in page.text
    assert "API key revoked" in page.text
    client.logout()
    assert "refused the organization" not in client_for(chloe).get(f"/o/{org_a.slug}/").text


def test_testing_the_connection_clears_the_stale_saved_message(client_for, org_a, adam, aikynetix_key):
    client = client_for(adam)
    save(client, org_a, key=aikynetix_key)
    response = client.post(providers_url(org_a, "aikynetix", "test"), headers={"HX-Request": "true"})
    assert '<div id="messages" class="messages" aria-live="polite" hx-swap-oob="true"></div>' in response.text


# Key status: saving tests at once, and says what the key may do ----------------------------------------


def test_saving_an_admin_key_tests_it_at_once_and_names_plan_and_activities(
    client_for, org_a, adam, aikynetix_sandbox, settings
):
    settings.AIKYNETIX_BASE_URL = aikynetix_sandbox.base_url
    holder = aikynetix_sandbox.create_key_holder(
        role="admin", plan="Pro", activities=["Running", "VerticalJump"], users=0
    )
    response = save(client_for(adam), org_a, key=holder.key)
    page = client_for(adam).get(response.url).text
    expected = "Working: admin key, plan Pro, activities Running, Vertical Jump."
    assert f"AiKYNETIX key saved. {expected}" in page
    credential = ProviderCredential.objects.get()
    assert (credential.status, credential.status_message) == ("ok", expected)
    assert credential.checked_at is not None


@pytest.mark.parametrize("role", ["user", "sub_admin"])
def test_a_key_that_is_not_an_admin_key_works_but_says_what_it_cannot_do(
    client_for, org_a, adam, aikynetix_sandbox, settings, role
):
    settings.AIKYNETIX_BASE_URL = aikynetix_sandbox.base_url
    holder = aikynetix_sandbox.create_key_holder(role=role, users=0)
    client = client_for(adam)
    save(client, org_a, key=holder.key)
    credential = ProviderCredential.objects.get()
    assert credential.status == "not_admin"
    assert credential.status_message == credentials.NOT_ADMIN_KEY
    response = client.post(providers_url(org_a, "aikynetix", "test"), headers={"HX-Request": "true"})
    assert "Working, but not an admin key" in response.text
    assert "uploads for athletes and the sessions library need an admin key" in response.text
    assert "Rejected" not in response.text
    # Not a refused key: no red banner across the portal.
    assert "refused the organization" not in client.get(f"/o/{org_a.slug}/").text


def test_an_unreachable_provider_is_described_without_raw_exception_text(client_for, org_a, adam, settings):
    settings.AIKYNETIX_BASE_URL = closed_port_url()
    client = client_for(adam)
    page = client.get(save(client, org_a).url).text
    credential = ProviderCredential.objects.get()
    assert credential.status == "unreachable"
    for raw in ("ConnectionPool", "Errno", "Max retries", "(HTTP"):
        assert raw not in credential.status_message and raw not in page
    assert credential.status_message.endswith(".") and ".." not in credential.status_message


def test_removing_a_key_asks_first_and_works_without_javascript(client_for, org_a, adam):
    client = client_for(adam)
    save(client, org_a)
    page = client.get(providers_url(org_a)).text
    remove_url = providers_url(org_a, "aikynetix", "remove")
    assert f'<a href="{remove_url}" role="button"' in page  # a link to the question, not a POST button
    confirm = client.get(remove_url)
    assert confirm.status_code == 200
    assert "Remove the AiKYNETIX key?" in confirm.text
    assert f'<form method="post" action="{remove_url}"' in confirm.text
    assert "<script" not in confirm.text.split("<main", 1)[1]  # the CSP forbids inline scripts anyway
    assert ProviderCredential.objects.exists()  # asking removed nothing
    response = client.post(remove_url)
    assert response.status_code == 302
    assert not ProviderCredential.objects.exists()
    assert "credential.removed" in AuditEvent.objects.values_list("verb", flat=True)


def test_a_key_test_whose_answer_is_lost_asks_again_and_reports_what_it_found(
    client_for, org_a, adam, aikynetix_key, aikynetix_faults
):
    client = client_for(adam)
    save(client, org_a, key=aikynetix_key)
    aikynetix_faults.set_faults(drop_connection=True, match="organization-status", times=1)
    page = client.post(providers_url(org_a, "aikynetix", "test"), follow=True).text
    credential = ProviderCredential.objects.get()
    assert aikynetix_faults.faults()["drop_connection"] is False  # the first answer was really lost
    assert credential.status == "ok"
    assert credential.status_message.startswith(
        "The first test got no answer, so the portal asked again. Working"
    )
    assert "asked again" in page


def test_a_key_test_that_never_gets_an_answer_says_it_could_not_confirm(
    client_for, org_a, adam, aikynetix_key, aikynetix_faults
):
    client = client_for(adam)
    save(client, org_a, key=aikynetix_key)
    aikynetix_faults.set_faults(drop_connection=True, match="organization-status")
    page = client.post(providers_url(org_a, "aikynetix", "test"), follow=True).text
    credential = ProviderCredential.objects.get()
    assert credential.status == "unreachable"
    assert "could not confirm whether the key works" in credential.status_message
    for raw in ("ConnectionPool", "Errno", "Max retries", "(HTTP", "RemoteDisconnected"):
        assert raw not in credential.status_message and raw not in page
