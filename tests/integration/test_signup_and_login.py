import re

import pytest
from django.core import mail

from coachportal.accounts.models import User
from coachportal.organizations.models import AuditEvent, Membership, Role

from ..factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

GOOD = {
    "name": "Sam Starter",
    "email": "Sam@Club.example",
    "organization_name": "Valley Velocity",
    "password1": "track-and-field-2026",
    "password2": "track-and-field-2026",
}


def test_signing_up_creates_the_user_their_organization_and_makes_them_owner(client):
    response = client.post("/accounts/signup/", GOOD)
    user = User.objects.get(email="sam@club.example")
    membership = Membership.objects.get(user=user)
    assert membership.role == Role.OWNER
    assert membership.organization.name == "Valley Velocity"
    assert membership.organization.slug == "valley-velocity"
    assert response.status_code == 302
    assert response["Location"] == "/o/valley-velocity/"
    page = client.get(response["Location"])
    assert "Valley Velocity is ready" in page.text
    assert AuditEvent.objects.filter(verb="organization.created", actor=user).exists()


def test_sign_up_refuses_a_weak_password_next_to_the_field_and_keeps_the_other_answers(client):
    response = client.post("/accounts/signup/", {**GOOD, "password1": "123", "password2": "123"})
    assert response.status_code == 200
    assert User.objects.count() == 0
    assert 'id="id_password1_error"' in response.text
    assert "This password is too short" in response.text
    assert 'value="Valley Velocity"' in response.text


def test_sign_up_refuses_an_email_that_already_has_an_account(client):
    make_user("sam@club.example")
    response = client.post("/accounts/signup/", GOOD)
    assert "An account with this email already exists" in response.text
    assert Membership.objects.count() == 0


def test_two_organizations_with_the_same_name_get_different_addresses(client):
    client.post("/accounts/signup/", GOOD)
    client.logout()
    client.post("/accounts/signup/", {**GOOD, "email": "other@club.example"})
    slugs = sorted(Membership.objects.values_list("organization__slug", flat=True))
    assert slugs == ["valley-velocity", "valley-velocity-2"]


def test_a_person_logs_in_with_their_email_in_any_case_and_lands_in_their_organization(client, olivia, org_a):
    response = client.post("/accounts/login/", {"username": "OLIVIA@riverside.example", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").headers["Location"] == f"/o/{org_a.slug}/"


def test_a_wrong_password_is_refused_with_a_message(client, olivia):
    response = client.post("/accounts/login/", {"username": olivia.email, "password": "nope"})
    assert response.status_code == 200
    assert "That email and password don&#x27;t match an account" in response.text


def test_logging_out_takes_a_post_and_ends_the_session(client_for, olivia, org_a):
    client = client_for(olivia)
    assert client.get("/accounts/logout/").status_code == 405  # no state change on GET
    client.post("/accounts/logout/")
    assert client.get(f"/o/{org_a.slug}/").status_code == 302


def test_a_person_changes_their_password(client_for, olivia):
    client = client_for(olivia)
    response = client.post(
        "/accounts/password/change/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-brand-new-secret-99",
            "new_password2": "a-brand-new-secret-99",
        },
    )
    assert response.status_code == 302
    olivia.refresh_from_db()
    assert olivia.check_password("a-brand-new-secret-99")


def test_a_forgotten_password_is_reset_through_an_emailed_one_time_link(client, olivia):
    client.post("/accounts/password/reset/", {"email": olivia.email})
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.text
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "reset-works-2026!", "new_password2": "reset-works-2026!"},
    )
    olivia.refresh_from_db()
    assert olivia.check_password("reset-works-2026!")
    assert "This link no longer works" in client.get(link, follow=True).text


def test_asking_to_reset_an_unknown_address_reveals_nothing(client):
    response = client.post("/accounts/password/reset/", {"email": "nobody@nowhere.example"}, follow=True)
    assert "If an account uses that address" in response.text
    assert mail.outbox == []


def test_someone_without_an_organization_is_asked_to_create_one(client_for):
    client = client_for(make_user())
    assert client.get("/").headers["Location"] == "/orgs/new/"
    response = client.post("/orgs/new/", {"name": "Second Wind"})
    assert response["Location"] == "/o/second-wind/"
