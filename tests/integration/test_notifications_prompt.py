"""Uploads tell their uploader as soon as they fail or their analysis is ready: the state change queues
the notification task, so nobody waits for the periodic `send_notifications`, which only catches up."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from coachportal.notifications.models import Notification
from coachportal.uploads import services as uploads
from coachportal.uploads.models import Upload
from coachportal.uploads.tasks import forward_upload
from tests.factories import make_session, make_upload
from tests.fixtures.smtp import smtp_sink

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder(portal_sandbox):
    return portal_sandbox.create_key_holder(admin=True, users=[("val-01", "Valentina Vega")])


def catch_up() -> str:
    out = StringIO()
    call_command("send_notifications", stdout=out)
    return out.getvalue()


def test_an_upload_that_fails_in_the_forward_task_tells_its_uploader_at_once_and_only_once(
    org_a, adam, chloe, olivia, key, valentina, portal_sandbox, django_capture_on_commit_callbacks
):
    portal_sandbox.set_faults(reject_keys=True)  # the provider refuses the key: the forward fails for good
    upload = make_upload(org_a, valentina, uploaded_by=adam, title="Box jumps")
    with django_capture_on_commit_callbacks() as queued:
        assert forward_upload.call(upload.pk) == "failed"
    assert not Notification.objects.exists() and not mail.outbox  # nothing inside the failing attempt
    assert queued, "the failure queued no task"

    for callback in queued:  # the worker runs what was queued, once
        callback()

    note = Notification.objects.get()
    assert (note.recipient, note.kind, note.title) == (adam, "upload_failed", "Upload failed: Box jumps")
    assert note.in_app and note.email_state == "sent"
    assert [m.to for m in mail.outbox] == [[adam.email]]
    assert "AiKYNETIX refused the organization's API key" in mail.outbox[0].body
    assert not Notification.objects.filter(recipient__in=[chloe, olivia]).exists()

    assert catch_up().startswith("0 new notifications")  # the periodic catch-up finds it told already
    assert len(mail.outbox) == 1 and Notification.objects.count() == 1


def test_an_analysis_that_becomes_ready_tells_its_uploader_at_once(
    org_a, adam, chloe, django_capture_on_commit_callbacks
):
    session = make_session(org_a, status="ready")
    upload = make_upload(org_a, uploaded_by=adam, state="processing", session=session, title="Tempo")
    with django_capture_on_commit_callbacks(execute=True):
        assert uploads.follow_sessions(org_a) == 1  # what the library's sync calls when its mirror moved
    upload.refresh_from_db()
    assert upload.state == Upload.State.DONE
    note = Notification.objects.get()
    assert (note.recipient, note.kind) == (adam, "session_ready")
    assert note.url == f"/o/{org_a.slug}/sessions/{session.pk}/"
    assert [m.to for m in mail.outbox] == [[adam.email]]
    catch_up()
    assert len(mail.outbox) == 1


def test_a_mail_server_refusing_the_prompt_email_delays_it_and_loses_nothing(
    org_a, adam, settings, django_capture_on_commit_callbacks
):
    session = make_session(org_a)
    upload = make_upload(org_a, uploaded_by=adam, state="processing", session=session, title="Tempo")
    with smtp_sink(refusals=1) as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.server_address[1]
        settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 10
        with django_capture_on_commit_callbacks(execute=True):
            upload.mark_failed("AiKYNETIX could not analyse this video.")
        note = Notification.objects.get()
        assert (note.email_state, note.email_attempts, server.messages) == ("pending", 1, [])
        Notification.objects.update(email_next_at=note.email_next_at.replace(year=2000))  # backoff over
        catch_up()
        catch_up()
    assert len(server.messages) == 1 and "Tempo" in server.messages[0]
    note.refresh_from_db()
    assert (note.email_state, note.email_attempts) == ("sent", 2)
