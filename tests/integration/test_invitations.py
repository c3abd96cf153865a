import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from coachportal.organizations import services
from coachportal.organizations.models import AuditEvent, Invitation, Membership, Role

from ..factories import make_user

pytestmark = pytest.mark.django_db

NEW_ACCOUNT = {"name": "Nina New", "password1": "sprint-coach-2026", "password2": "sprint-coach-2026"}


def send_invite(client, org, email="nina@riverside.example", role=Role.COACH):
    response = client.post(f"/o/{org.slug}/members/invite/", {"email": email, "role": role})
    assert response.status_code == 302, response.content
    return re.search(r"http://testserver(/invitations/\S+/)", mail.outbox[-1].body).group(1)


def test_an_admin_invites_a_coach_by_email_with_a_one_time_link(client_for, org_a, adam):
    link = send_invite(client_for(adam), org_a)
    assert mail.outbox[-1].to == ["nina@riverside.example"]
    assert "Riverside Athletics" in mail.outbox[-1].subject
    invitation = Invitation.objects.get()
    token = link.split("/")[2]
    assert token not in invitation.token_hash  # only the hash is stored
    assert AuditEvent.objects.filter(verb="invitation.sent", actor=adam).exists()


def test_a_new_person_accepts_by_creating_an_account_and_joins_with_the_invited_role(
    client_for, client, org_a, adam
):
    link = send_invite(client_for(adam), org_a, role=Role.ADMIN)
    client.logout()
    page = client.get(link)
    assert "Join Riverside Athletics" in page.text
    response = client.post(link, NEW_ACCOUNT)
    assert response["Location"] == f"/o/{org_a.slug}/"
    membership = Membership.objects.get(user__email="nina@riverside.example")
    assert membership.role == Role.ADMIN
    assert Invitation.objects.get().accepted_by == membership.user


def test_someone_already_signed_in_accepts_with_one_click(client_for, client, org_a, org_b, adam, bruno):
    link = send_invite(client_for(adam), org_a, email=bruno.email)
    client = client_for(bruno)
    assert "Accept and join" in client.get(link).text
    client.post(link)
    assert Membership.objects.get(user=bruno, organization=org_a).role == Role.COACH


def test_an_existing_account_holder_who_is_signed_out_is_asked_to_log_in(client_for, client, org_a, adam):
    make_user("known@riverside.example")
    link = send_invite(client_for(adam), org_a, email="known@riverside.example")
    client.logout()
    page = client.get(link)
    assert "Log in to accept" in page.text
    assert client.post(link, NEW_ACCOUNT).status_code == 200  # no account is created over theirs
    assert not Membership.objects.filter(user__email="known@riverside.example").exists()


def test_an_invitation_link_works_only_once(client_for, client, org_a, adam):
    link = send_invite(client_for(adam), org_a)
    client.logout()
    client.post(link, NEW_ACCOUNT)
    client.logout()
    again = client.get(link)
    assert again.status_code == 410
    assert "already been used" in again.text


def test_an_expired_invitation_is_refused_and_says_who_to_ask(client_for, client, org_a, adam):
    link = send_invite(client_for(adam), org_a)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    client.logout()
    response = client.post(link, NEW_ACCOUNT)
    assert response.status_code == 410
    assert "expired" in response.text
    assert "Adam Admin" in response.text
    assert not Membership.objects.filter(user__email="nina@riverside.example").exists()


def test_a_withdrawn_invitation_no_longer_works(client_for, client, org_a, adam):
    link = send_invite(client_for(adam), org_a)
    client_for(adam).post(f"/o/{org_a.slug}/invitations/{Invitation.objects.get().pk}/revoke/")
    client.logout()
    assert client.get(link).status_code == 410


def test_a_second_invitation_to_the_same_address_replaces_the_first(client_for, org_a, adam):
    client = client_for(adam)
    first = send_invite(client, org_a)
    second = send_invite(client, org_a)
    client.logout()
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200


def test_a_made_up_link_is_refused(client):
    assert client.get("/invitations/not-a-real-token/").status_code == 410


def test_inviting_an_existing_member_says_so_next_to_the_email(client_for, org_a, adam, chloe):
    response = client_for(adam).post(
        f"/o/{org_a.slug}/members/invite/", {"email": chloe.email, "role": "coach"}
    )
    assert response.status_code == 400
    assert "is already a member of Riverside Athletics" in response.text
    assert Invitation.objects.count() == 0


def test_nobody_is_invited_straight_in_as_owner(client_for, org_a, olivia):
    response = client_for(olivia).post(
        f"/o/{org_a.slug}/members/invite/", {"email": "x@y.example", "role": "owner"}
    )
    assert response.status_code == 400
    assert Invitation.objects.count() == 0


def test_a_coach_cannot_invite(client_for, org_a, chloe):
    response = client_for(chloe).post(
        f"/o/{org_a.slug}/members/invite/", {"email": "x@y.example", "role": "coach"}
    )
    assert response.status_code == 403
    assert Invitation.objects.count() == 0


def test_the_invited_persons_password_is_checked_like_at_sign_up(client_for, client, org_a, adam):
    link = send_invite(client_for(adam), org_a)
    client.logout()
    response = client.post(link, {**NEW_ACCOUNT, "password1": "short", "password2": "short"})
    assert response.status_code == 400
    assert "too short" in response.text
    assert Invitation.objects.get().accepted_at is None


# An invitation is bound to the address it was sent to ------------------------------------------------


@pytest.mark.parametrize("inviter", ["adam", "olivia"], ids=["sent-by-an-admin", "sent-by-the-owner"])
def test_another_organizations_owner_cannot_take_an_admin_invitation_meant_for_someone_else(
    request, client_for, org_a, org_b, bruno, inviter
):
    link = send_invite(client_for(request.getfixturevalue(inviter)), org_a, role=Role.ADMIN)
    client = client_for(bruno)  # signed in, with the leaked or forwarded link
    page = client.get(link)
    assert page.status_code == 403
    assert (
        "This invitation is for <bdi>nina@riverside.example</bdi>, "
        "and you are signed in as <bdi>bruno@hilltop.example</bdi>" in (page.text)
    )
    assert "Sign out and accept as <bdi>nina@riverside.example</bdi>" in page.text
    assert "for a new invitation to <bdi>bruno@hilltop.example</bdi>" in page.text
    assert "Accept and join" not in page.text
    refused = client.post(link)
    assert refused.status_code == 403
    assert not Membership.objects.filter(user=bruno, organization=org_a).exists()
    invitation = Invitation.objects.get()
    assert invitation.accepted_at is None  # still usable by the person it was meant for


def test_signing_out_from_the_invitation_leads_back_to_it_for_the_invited_person(
    client_for, org_a, adam, bruno
):
    nina = make_user("Nina@Riverside.example")
    link = send_invite(client_for(adam), org_a, role=Role.ADMIN)
    client = client_for(bruno)
    signed_out = client.post("/accounts/logout/", {"next": link})
    assert signed_out["Location"] == link
    assert "Log in to accept" in client.get(link).text
    client.force_login(nina)  # the address matches whatever its case
    assert client.post(link)["Location"] == f"/o/{org_a.slug}/"
    assert Membership.objects.get(user=nina, organization=org_a).role == Role.ADMIN


def test_the_service_refuses_an_account_with_another_address_too(client_for, org_a, adam, bruno):
    link = send_invite(client_for(adam), org_a, role=Role.ADMIN)
    with pytest.raises(
        services.MembershipError, match=re.escape("This invitation is for nina@riverside.example")
    ):
        services.accept_invitation(link.split("/")[2], user=bruno)
    assert not Membership.objects.filter(user=bruno, organization=org_a).exists()
