"""Notifications: one event tells the right person once, in the portal and by email as they chose; a
one-click link stops a kind of email; a mail server that refuses is tried again until it takes it."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from coachportal.notifications import delivery, events
from coachportal.notifications.models import Notification, Preference
from coachportal.sessions.models import SyncState
from coachportal.sessions.signals import library_synced
from coachportal.sharing import services as sharing
from tests.factories import make_session, make_upload
from tests.fixtures.smtp import smtp_sink

pytestmark = pytest.mark.django_db


def failed_upload(org, user, **fields):
    values = {
        "state": "failed",
        "last_error": "AiKYNETIX refused the file.",
        "attempts": 3,
        "title": "Hill sprints",
    }
    return make_upload(org, uploaded_by=user, **{**values, **fields})


def run_once():
    return events.collect(), delivery.deliver_due()


def test_one_failed_upload_tells_its_uploader_once_in_the_portal_and_by_email(
    client_for, org_a, chloe, adam, olivia
):
    failed_upload(org_a, chloe)
    run_once()
    run_once()  # the scheduler runs again: nothing new
    assert [m.to for m in mail.outbox] == [[chloe.email]]
    assert "Upload failed: Hill sprints" in mail.outbox[0].subject
    assert "AiKYNETIX refused the file." in mail.outbox[0].body
    assert Notification.objects.filter(recipient=chloe).count() == 1
    assert not Notification.objects.exclude(recipient=chloe).exists()
    client = client_for(chloe)
    assert client.get(f"/o/{org_a.slug}/notifications/bell/").content.decode().count(">1<") == 1
    assert "Upload failed: Hill sprints" in client.get(f"/o/{org_a.slug}/notifications/").content.decode()
    assert ">1<" not in client_for(adam).get(f"/o/{org_a.slug}/notifications/bell/").content.decode()


def test_an_analysed_upload_tells_its_uploader_the_session_is_ready(client_for, org_a, chloe):
    session = make_session(org_a)
    make_upload(org_a, uploaded_by=chloe, state="done", session=session, title="Tempo")
    run_once()
    note = Notification.objects.get(recipient=chloe)
    assert (note.kind, note.url) == ("session_ready", f"/o/{org_a.slug}/sessions/{session.pk}/")
    response = client_for(chloe).post(f"/o/{org_a.slug}/notifications/{note.pk}/read/")
    assert response["Location"] == note.url
    note.refresh_from_db()
    assert note.read_at is not None


def test_a_library_sync_queues_the_uploaders_notifications(
    org_a, org_b, chloe, django_capture_on_commit_callbacks
):
    session = make_session(org_a)
    make_upload(org_a, uploaded_by=chloe, state="done", session=session, title="Tempo")
    with django_capture_on_commit_callbacks(execute=True):
        library_synced.send(SyncState, organization=org_b, full=False)  # another organization's sync
    assert not Notification.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        library_synced.send(SyncState, organization=org_a, full=False)
    assert Notification.objects.get().kind == "session_ready"
    assert [m.to for m in mail.outbox] == [[chloe.email]]


def test_the_unsubscribe_link_stops_that_kind_of_email_only(org_a, chloe):
    failed_upload(org_a, chloe)
    run_once()
    message = mail.outbox[0]
    link = re.search(r"http://localhost:8000(/notifications/unsubscribe/\S+/)", message.body).group(1)
    assert message.extra_headers["List-Unsubscribe"] == f"<http://localhost:8000{link}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    browser = Client(enforce_csrf_checks=True)  # no login, no cookie: the signed token is enough
    page = browser.get(link)
    assert page.status_code == 200 and "Stop these emails?" in page.content.decode()
    assert not Preference.objects.exists()  # a mail scanner following the link changes nothing
    assert browser.post(link).status_code == 200
    assert Preference.objects.get(user=chloe, kind="upload_failed").email is False
    assert browser.get(link[:-3] + "xx/").status_code == 404
    failed_upload(org_a, chloe, title="Another one")
    make_upload(org_a, uploaded_by=chloe, state="done", session=make_session(org_a), title="Tempo")
    run_once()
    assert len(mail.outbox) == 2 and "Analysis ready: Tempo" in mail.outbox[1].subject  # other kinds still
    assert Notification.objects.filter(recipient=chloe, kind="upload_failed").count() == 2  # still in-app


def test_a_mail_server_that_refuses_twice_still_delivers_once(org_a, chloe, settings):
    with smtp_sink(refusals=2) as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.server_address[1]
        settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 10
        failed_upload(org_a, chloe)
        assert events.collect() == 1
        now = timezone.now()
        assert delivery.deliver_due(now=now) == {"retry": 1}
        assert delivery.deliver_due(now=now + timedelta(seconds=30)) == {}  # backing off
        assert delivery.deliver_due(now=now + timedelta(minutes=2)) == {"retry": 1}
        assert delivery.deliver_due(now=now + timedelta(minutes=8)) == {"sent": 1}
        assert delivery.deliver_due(now=now + timedelta(hours=9)) == {}
    assert len(server.messages) == 1 and "Hill sprints" in server.messages[0]
    note = Notification.objects.get()
    assert (note.email_state, note.email_attempts) == ("sent", 3)


def test_an_email_that_keeps_failing_is_given_up_after_the_last_retry(org_a, chloe, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens
    failed_upload(org_a, chloe)
    events.collect()
    now = timezone.now()
    for step in range(delivery.MAX_ATTEMPTS):
        delivery.deliver_due(now=now + timedelta(days=step))
    note = Notification.objects.get()
    assert (note.email_state, note.email_attempts) == ("failed", delivery.MAX_ATTEMPTS)
    assert note.in_app  # still in the portal's list


def test_a_share_link_opened_the_first_time_tells_its_creator_once(
    org_a, chloe, django_capture_on_commit_callbacks
):
    session = make_session(org_a, title="Tempo run")
    _, token = sharing.create_link(
        org_a, actor=chloe, kind="session", object_id=session.pk, label="Tempo run", days=3
    )
    with django_capture_on_commit_callbacks(execute=True):
        Client().get(f"/share/{token}/")  # the public page only queues the work
    with django_capture_on_commit_callbacks(execute=True):
        Client().get(f"/share/{token}/")
    run_once()
    assert list(Notification.objects.values_list("recipient", "kind")) == [(chloe.pk, "share_viewed")]
    assert [m.subject for m in mail.outbox] == [f"[{org_a.name}] Your link was opened: Tempo run"]


def test_the_daily_digest_goes_to_coaches_once_a_day(org_a, chloe, olivia, adam):
    make_session(org_a, title="Morning run")
    make_session(org_a, title="Box jumps")
    assert events.digests() == 1
    assert events.digests() == 0
    digest = Notification.objects.get()
    assert digest.recipient == chloe and digest.title == f"2 new sessions in {org_a.name}"
    assert "Morning run" in digest.body and "Box jumps" in digest.body


def test_a_person_chooses_what_they_get(client_for, org_a, chloe):
    client = client_for(chloe)
    page = client.get(f"/o/{org_a.slug}/notifications/choices/").content.decode()
    assert "An upload of mine failed" in page
    data = {f"{k}_{c}": "on" for k in ("session_ready", "share_viewed") for c in ("in_app", "email")}
    data["upload_failed_in_app"] = "on"
    assert client.post(f"/o/{org_a.slug}/notifications/choices/", data).status_code == 302
    failed_upload(org_a, chloe)
    run_once()
    assert Notification.objects.get(recipient=chloe).email_state == "none" and mail.outbox == []


def test_someone_else_s_notification_is_not_found(client_for, org_a, chloe, adam):
    failed_upload(org_a, chloe)
    run_once()
    note = Notification.objects.get()
    assert client_for(adam).post(f"/o/{org_a.slug}/notifications/{note.pk}/read/").status_code == 404
    note.refresh_from_db()
    assert note.read_at is None
