"""Exports too large for one web request are written in the background and downloaded complete."""

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from coachportal.sessions import export_jobs
from coachportal.sessions.models import SessionExport
from tests.factories import make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_stream_limit(settings):
    settings.EXPORT_STREAM_MAX_ROWS = 5
    return settings


def exports_url(org, path=""):
    return f"/o/{org.slug}/sessions/{path}"


def test_a_small_export_still_streams_at_once(client_for, org_a, chloe, small_stream_limit):
    for _ in range(5):
        make_session(org_a)
    response = client_for(chloe).get(exports_url(org_a, "export.csv"))
    assert response.streaming
    assert len(b"".join(response.streaming_content).decode().splitlines()) == 6


def test_a_coach_exports_more_rows_than_a_request_can_stream_and_gets_every_row(
    client_for, org_a, org_b, chloe, small_stream_limit, django_capture_on_commit_callbacks
):
    for n in range(12):
        make_session(org_a, title=f"Run {n:02}")
    make_session(org_a, title="A jump", activity="jumping", metrics={"jump_height": [0.4]})
    make_session(org_b, title="Other club")
    client = client_for(chloe)

    offer = client.get(exports_url(org_a, "export.csv?activity=running"))
    assert not offer.streaming
    page = offer.content.decode()
    assert "Export 12 sessions" in page and "in the background" in page

    # The tests' task backend runs the task at once, as the worker would a moment later.
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(exports_url(org_a, "exports/"), {"query": "activity=running"})
    job = SessionExport.objects.get(organization=org_a)
    assert started["Location"] == exports_url(org_a, f"exports/{job.pk}/")
    assert job.state == SessionExport.State.DONE and job.rows_written == 12

    status = client.get(started["Location"]).content.decode()
    assert "Ready:" in status and "12 sessions written" in status

    download = client.get(exports_url(org_a, f"exports/{job.pk}/download/"))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    rows = list(csv.DictReader(io.StringIO(b"".join(download.streaming_content).decode())))
    assert sorted(r["Title"] for r in rows) == [f"Run {n:02}" for n in range(12)]

    assert len(mail.outbox) == 1 and mail.outbox[0].to == [chloe.email]
    assert f"/o/{org_a.slug}/sessions/exports/{job.pk}/download/" in mail.outbox[0].body


def test_the_status_poll_only_reads_and_stops_when_done(client_for, org_a, chloe):
    job = export_jobs.create_export(org_a, actor=chloe, query="", rows_total=10)
    client = client_for(chloe)

    running = client.get(exports_url(org_a, f"exports/{job.pk}/"), headers={"HX-Request": "true"})
    assert running.status_code == 200 and 'hx-trigger="every 2s"' in running.content.decode()
    job.refresh_from_db()
    assert job.state == SessionExport.State.QUEUED  # polling never starts or changes work

    export_jobs.run_export(job.pk)
    done = client.get(exports_url(org_a, f"exports/{job.pk}/"), headers={"HX-Request": "true"})
    assert done.status_code == 286  # htmx: stop polling


def test_an_export_belongs_to_its_requester_and_organization(client_for, org_a, chloe, adam, bruno):
    job = export_jobs.create_export(org_a, actor=chloe, query="", rows_total=0)
    export_jobs.run_export(job.pk)
    for user in (adam, bruno):
        client = client_for(user)
        assert client.get(exports_url(org_a, f"exports/{job.pk}/")).status_code == 404
        assert client.get(exports_url(org_a, f"exports/{job.pk}/download/")).status_code == 404


def test_an_expired_export_answers_410_and_the_purge_removes_its_file(client_for, org_a, chloe):
    from django.core.files.storage import default_storage

    make_session(org_a)
    job = export_jobs.create_export(org_a, actor=chloe, query="", rows_total=1)
    export_jobs.run_export(job.pk)
    job.refresh_from_db()
    assert default_storage.exists(job.file_name)
    SessionExport.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    gone = client_for(chloe).get(exports_url(org_a, f"exports/{job.pk}/download/"))
    assert gone.status_code == 410 and "has expired" in gone.content.decode()

    assert export_jobs.purge_expired() == 1
    assert not default_storage.exists(job.file_name)
    assert not SessionExport.objects.filter(pk=job.pk).exists()


def test_a_failed_export_says_so_and_can_be_asked_again(client_for, org_a, chloe, monkeypatch):
    job = export_jobs.create_export(org_a, actor=chloe, query="", rows_total=3)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(export_jobs, "csv_rows", broken)
    assert export_jobs.run_export(job.pk) == SessionExport.State.FAILED
    page = client_for(chloe).get(exports_url(org_a, f"exports/{job.pk}/")).content.decode()
    assert "could not be written" in page and "disk full" not in page


def test_the_daily_purge_command_reports_what_it_removed(org_a, chloe):
    from django.core.management import call_command

    job = export_jobs.create_export(org_a, actor=chloe, query="", rows_total=0)
    SessionExport.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    out = io.StringIO()
    call_command("purge_exports", stdout=out)
    assert out.getvalue().strip() == "Removed 1 expired export."
