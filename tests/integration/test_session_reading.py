"""A signed-in person's session, read on every request: the cookie of a live session lets them in, and
an expired, logged-out or replaced session's cookie does not, in a second browser too (a copied cookie).
The read is one statement for the session's data alone (coachportal.accounts.sessionstore)."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _logged_in(client, person):
    response = client.post("/accounts/login/", {"username": person.email, "password": PASSWORD})
    assert response.status_code == 302
    return client.cookies["sessionid"].value


def _with_cookie(key: str) -> Client:
    other = Client()
    other.cookies["sessionid"] = key
    return other


def test_a_live_session_lets_its_cookie_in_from_another_browser(client, olivia, org_a):
    key = _logged_in(client, olivia)
    assert _with_cookie(key).get(f"/o/{org_a.slug}/sessions/").status_code == 200


def test_an_expired_session_sends_the_person_to_log_in(client, olivia, org_a):
    key = _logged_in(client, olivia)
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(f"/o/{org_a.slug}/sessions/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_after_logging_out_the_old_cookie_lets_nobody_in(client, olivia, org_a):
    key = _logged_in(client, olivia)
    client.post("/accounts/logout/")
    response = _with_cookie(key).get(f"/o/{org_a.slug}/sessions/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_password_change_ends_the_other_browsers_sessions(client, olivia, org_a):
    other_key = _logged_in(Client(), olivia)
    _logged_in(client, olivia)
    new = "a-brand-new-secret-99"
    client.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert client.get(f"/o/{org_a.slug}/sessions/").status_code == 200  # this browser stays signed in
    response = _with_cookie(other_key).get(f"/o/{org_a.slug}/sessions/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_unknown_cookie_is_a_visitor_with_a_new_session_once_one_is_needed(client, org_a):
    response = _with_cookie("x" * 32).get(f"/o/{org_a.slug}/sessions/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Session.objects.filter(session_key="x" * 32).exists()


def test_the_session_is_read_with_one_statement_for_its_data_alone(client, olivia, org_a):
    _logged_in(client, olivia)
    client.get(f"/o/{org_a.slug}/sessions/")
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/o/{org_a.slug}/sessions/")
    reads = [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"]]
    assert len(reads) == 1, reads  # no write either: nothing in the session changed
    assert reads[0].startswith('SELECT "session_data" FROM "django_session" WHERE'), reads[0]


def test_a_member_removed_from_the_organization_loses_it_on_the_next_request(client_for, adam, org_a):
    from coachportal.organizations.models import Membership, Role

    client = client_for(adam)
    assert client.get(f"/o/{org_a.slug}/settings/").status_code == 200  # an admin's page
    Membership.objects.filter(user=adam, organization=org_a).update(role=Role.COACH)
    assert client.get(f"/o/{org_a.slug}/settings/").status_code == 403  # the new role, at once
    Membership.objects.filter(user=adam, organization=org_a).delete()
    assert client.get(f"/o/{org_a.slug}/sessions/").status_code == 404


def test_a_session_text_is_checked_and_decoded_once_and_each_request_gets_its_own_copy(monkeypatch):
    from django.core import signing

    from coachportal.accounts import sessionstore

    monkeypatch.setattr(sessionstore, "_DECODED", {})
    store = sessionstore.SessionStore()
    text = store.encode({"_auth_user_id": "7", "current_org": "riverside"})
    checked = []
    original = signing.loads
    monkeypatch.setattr(signing, "loads", lambda *a, **k: checked.append(1) or original(*a, **k))
    first = sessionstore.SessionStore().decode(text)
    first["current_org"] = "changed by this request"
    second = sessionstore.SessionStore().decode(text)
    assert second == {"_auth_user_id": "7", "current_org": "riverside"} and len(checked) == 1
    tampered = text[:-2] + ("A" if text[-2] != "A" else "B") + text[-1]
    assert sessionstore.SessionStore().decode(tampered) == {}
    assert sessionstore.SessionStore().decode(tampered) == {} and len(checked) == 3  # never kept


def test_a_changed_session_is_read_anew(client, olivia, org_a):
    from django.contrib.sessions.backends.db import SessionStore as DjangoStore

    key = _logged_in(client, olivia)
    assert client.get(f"/o/{org_a.slug}/sessions/").status_code == 200
    stored = DjangoStore(session_key=key)
    stored["_auth_user_id"] = str(olivia.pk + 1000)  # another person's id: the hash no longer matches
    stored.save()
    response = client.get(f"/o/{org_a.slug}/sessions/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
