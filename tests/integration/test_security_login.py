"""Login throttling: repeated wrong passwords lock an account out from one client for a while."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def attempt(client, email, password, **extra):
    return client.post(LOGIN, {"username": email, "password": password}, **extra)


def fail_five_times(client, email, **extra):
    for _ in range(4):
        response = attempt(client, email, "wrong-password", **extra)
        assert response.status_code == 200
        assert "don&#x27;t match an account" in response.content.decode()
    # The fifth failure reaches the limit: its answer is already the lockout page.
    assert attempt(client, email, "wrong-password", **extra).status_code == 429


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_five_wrong_passwords_lock_out_the_sixth_attempt_even_with_the_right_one(client, olivia):
    fail_five_times(client, olivia.email)
    response = attempt(client, olivia.email, PASSWORD)
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert "paused for 15 minutes" in response.content.decode()
    assert not is_logged_in(client)


def test_changing_the_case_of_the_email_does_not_reset_the_count(client, olivia):
    fail_five_times(client, olivia.email.upper())
    assert attempt(client, olivia.email, PASSWORD).status_code == 429


def test_another_account_from_the_same_client_is_unaffected(client, olivia, adam):
    fail_five_times(client, olivia.email)
    response = attempt(client, adam.email, PASSWORD)
    assert response.status_code == 302
    assert is_logged_in(client)


def test_the_same_account_from_another_address_is_unaffected(client, olivia):
    fail_five_times(client, olivia.email, REMOTE_ADDR="203.0.113.7")
    other = Client(REMOTE_ADDR="198.51.100.9")
    assert attempt(other, olivia.email, PASSWORD).status_code == 302


def test_the_lockout_expires_after_the_cool_off(client, olivia):
    fail_five_times(client, olivia.email)
    assert attempt(client, olivia.email, PASSWORD).status_code == 429
    # Move the failures back in time, past the 15 minutes of cool-off.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = attempt(client, olivia.email, PASSWORD)
    assert response.status_code == 302
    assert is_logged_in(client)


def test_a_successful_login_resets_the_count(client, olivia):
    for _ in range(4):
        attempt(client, olivia.email, "wrong-password")
    assert attempt(client, olivia.email, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        attempt(client, olivia.email, "wrong-password")
    assert attempt(client, olivia.email, PASSWORD).status_code == 302


def test_four_failures_do_not_lock_out(client, olivia):
    for _ in range(4):
        attempt(client, olivia.email, "wrong-password")
    assert attempt(client, olivia.email, PASSWORD).status_code == 302


def test_a_forged_forwarded_for_header_does_not_dodge_the_lockout_by_default(client, olivia):
    for n in range(5):
        attempt(client, olivia.email, "wrong-password", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    response = attempt(client, olivia.email, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.200")
    assert response.status_code == 429


def test_behind_one_trusted_proxy_the_address_the_proxy_saw_is_used(client, olivia, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client forges the left part; the router appends the address it really saw.
    for n in range(5):
        attempt(client, olivia.email, "wrong-password", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.7")
    locked = attempt(client, olivia.email, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.7")
    assert locked.status_code == 429
    elsewhere = attempt(Client(), olivia.email, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert elsewhere.status_code == 302
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"


def test_the_failed_password_is_not_stored(client, olivia):
    attempt(client, olivia.email, "my-secret-guess")
    stored = AccessAttempt.objects.get()
    assert "my-secret-guess" not in stored.post_data
    assert stored.username == olivia.email
