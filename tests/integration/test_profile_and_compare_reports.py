"""PDF reports of an athlete's progress (the profile's range) and of a comparison: the organization, the
athlete, the dates, each key metric's value with its unit and its change, the trend charts, the notes with
their drawings, and a link back. Quick ones are streamed; one that must grab video frames (or covers many
sessions) is written by the worker, with progress, and downloaded by the member who asked for it only."""

import re
import shutil
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone

from coachportal.notes.models import Note
from coachportal.organizations.models import Role
from coachportal.reports import building
from coachportal.reports.models import ReportJob
from coachportal.sessions import export_jobs
from tests.factories import make_athlete, make_member, make_session

pytestmark = pytest.mark.django_db

POPPLER = shutil.which("pdftotext") and shutil.which("pdftoppm")
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils is not installed (`make pdftools`)")


@pytest.fixture
def zoe(org_a, chloe):
    """Zoë with six jump sessions over two months and notes (with drawings) on two of them."""
    athlete = make_athlete(org_a, "Zoë Ávila", aikynetix_user_id="u-zoe")
    now = timezone.now()
    heights = [[0.40, 0.42], [0.44], [0.43, 0.47], [0.45], [0.50, 0.49], [0.48]]
    sessions = [
        make_session(
            org_a,
            athlete=athlete,
            activity="jumping",
            title=f"Jumps {n + 1}",
            recorded_at=now - timedelta(days=50 - n * 9),
            metrics={
                "jump_height": h,
                "contact_time": [0.26 - n * 0.01] * len(h),
                "rsi": [1.1 + n / 10] * len(h),
            },
        )
        for n, h in enumerate(heights)
    ]
    for n, session in enumerate(sessions[-2:]):
        Note.objects.create(
            organization=org_a, session=session, author=chloe, at_seconds=1.2 + n, text=f"Knee drive {n}",
            shapes=[
                {"type": "arrow", "points": [[0.2, 0.2], [0.4, 0.5]]},
                {"type": "angle", "points": [[0.5, 0.34], [0.5, 0.5], [0.59, 0.5]], "degrees": 90.0},
            ],
        )  # fmt: skip
    athlete.jumps = sessions
    return athlete


def pdf_text(data: bytes, tmp_path) -> str:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def render_pages(data: bytes, tmp_path) -> list:
    pdf = tmp_path / "pages.pdf"
    pdf.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    count = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    done = subprocess.run(
        ["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")], capture_output=True
    )
    assert done.returncode == 0, done.stderr
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == count and all(p.stat().st_size > 1000 for p in pages)
    return pages


def download(response) -> bytes:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf" and "no-store" in response["Cache-Control"]
    return b"".join(response.streaming_content)


@needs_poppler
def test_an_athlete_report_holds_the_name_each_key_metric_with_its_unit_and_the_notes(
    client_for, chloe, org_a, zoe, tmp_path
):
    response = client_for(chloe).get(f"/o/{org_a.slug}/reports/athlete/{zoe.pk}.pdf?range=90d")
    assert response["Content-Disposition"] == 'attachment; filename="zoe-avila.pdf"'
    data = download(response)
    text = pdf_text(data, tmp_path)
    assert "Zoë Ávila" in text and "Riverside Athletics" in text and "Vertical jump - 6 sessions" in text
    today = timezone.localdate()
    assert f"Progress report, {today - timedelta(days=89):%-d %b %Y} to {today:%-d %b %Y}" in text
    rows = {
        "Jump height": ("42.0 cm", "48.0 cm", "+6.0 cm (+14.3%) better", "50.0 cm"),
        "Contact time": ("260 ms", "210 ms", "-50 ms (-19.2%) better", "210 ms"),
        "Reactive strength index": ("1.10", "1.60", "+0.50 (+45.5%) better", "1.60"),
    }
    for label, values in rows.items():
        line = next(line for line in text.splitlines() if re.match(rf"\s*{label}\s\s", line))
        assert re.search(r"\s6\s", line) and all(value in line for value in values), line
    assert "Trends" in text and "5-session average" in text  # the charts' legend
    for n in range(2):
        assert f"Knee drive {n}" in text
    assert "angle 90.0°" in text
    assert f"/o/{org_a.slug}/athletes/{zoe.pk}/?start=" in text
    render_pages(data, tmp_path)


@needs_poppler
def test_a_comparison_report_holds_each_session_and_the_changes_against_the_base(
    client_for, chloe, org_a, zoe, tmp_path
):
    first, last = zoe.jumps[0], zoe.jumps[-1]
    url = f"/o/{org_a.slug}/reports/comparison.pdf?s={first.pk}&s={last.pk}&o=0&o=0.25"
    data = download(client_for(chloe).get(url))
    text = pdf_text(data, tmp_path)
    assert "Comparison of 2 sessions" in text and "Base: Jumps 1 - Zoë Ávila" in text
    assert "2: Jumps 6 - Zoë Ávila" in text and "offset 0.25 s" in text
    # Each session's value with its unit in its column, and the change against the base under it.
    table = text[text.index("Jump height") : text.index("Notes")]
    for value in ("42.0 cm", "48.0 cm", "+6.0 cm (+14.3%) better", "1.10", "1.60", "260 ms", "210 ms"):
        assert value in table
    assert "(higher is better)" in table and "(lower is better)" in table and "Knee drive 1" in text
    assert f"/o/{org_a.slug}/compare/?s={first.pk}&s={last.pk}&o=0&o=0.25" in text
    render_pages(data, tmp_path)


def test_a_report_of_another_organization_s_athlete_or_sessions_is_missing(client_for, bruno, org_b, zoe):
    client = client_for(bruno)
    a, b = zoe.jumps[0], zoe.jumps[1]
    assert client.get(f"/o/{org_b.slug}/reports/athlete/{zoe.pk}.pdf").status_code == 404
    assert client.get(f"/o/{org_b.slug}/reports/comparison.pdf?s={a.pk}&s={b.pk}").status_code == 404
    assert client.post(f"/o/{org_b.slug}/reports/athlete/{zoe.pk}/build/").status_code == 404
    assert client.post(f"/o/{org_b.slug}/reports/comparison/build/?s={a.pk}&s={b.pk}").status_code == 404
    assert not ReportJob.objects.exists()


def test_a_comparison_of_different_activities_has_no_report(client_for, chloe, org_a, zoe):
    run = make_session(org_a, athlete=zoe, title="A run")
    url = f"/o/{org_a.slug}/reports/comparison.pdf?s={zoe.jumps[0].pk}&s={run.pk}"
    assert client_for(chloe).get(url).status_code == 400


@needs_poppler
def test_a_report_that_needs_video_frames_is_written_by_the_worker_and_downloaded_by_its_requester(
    client_for, chloe, olivia, org_a, mirrored, tmp_path, django_capture_on_commit_callbacks
):
    other = make_session(org_a, athlete=mirrored.athlete, title="Earlier tempo")
    Note.objects.create(
        organization=org_a, session=mirrored, author=chloe, at_seconds=1.2, text="Arms cross the body",
        shapes=[{"type": "arrow", "points": [[0.2, 0.2], [0.4, 0.5]]}],
    )  # fmt: skip
    client = client_for(chloe)
    query = f"s={other.pk}&s={mirrored.pk}"
    offer = client.get(f"/o/{org_a.slug}/reports/comparison.pdf?{query}")
    assert offer.status_code == 200 and not offer.streaming
    page = offer.content.decode()
    assert "makes it in the background" in page
    assert f'action="/o/{org_a.slug}/reports/comparison/build/?{query.replace("&", "&amp;")}"' in page

    # The tests' task backend runs the task at once, as the worker would a moment later.
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(f"/o/{org_a.slug}/reports/comparison/build/?{query}")
    job = ReportJob.objects.get()
    assert started["Location"] == f"/o/{org_a.slug}/reports/jobs/{job.pk}/"
    assert (job.state, job.rows_written, job.rows_total, job.requested_by) == ("done", 2, 2, chloe)
    assert job.kind == "comparison" and job.query == query

    status = client.get(started["Location"]).content.decode()
    assert "Ready." in status and f"/o/{org_a.slug}/reports/jobs/{job.pk}/download/" in status
    polled = client.get(started["Location"], headers={"HX-Request": "true"})
    assert polled.status_code == 286 and "<html" not in polled.content.decode()  # htmx: stop polling

    data = download(client.get(f"/o/{org_a.slug}/reports/jobs/{job.pk}/download/"))
    assert b"/Subtype /Image" in data  # the frame under the drawing, grabbed from the analysed video
    assert "Arms cross the body" in pdf_text(data, tmp_path)
    render_pages(data, tmp_path)

    # Another member of the organization (an owner too) cannot read it; after it expires it is gone.
    assert client_for(olivia).get(f"/o/{org_a.slug}/reports/jobs/{job.pk}/download/").status_code == 404
    ReportJob.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client_for(chloe).get(f"/o/{org_a.slug}/reports/jobs/{job.pk}/download/").status_code == 410
    assert export_jobs.purge_expired() == 1 and not ReportJob.objects.exists()


def test_a_profile_with_many_sessions_goes_to_the_worker(client_for, chloe, org_a, zoe, monkeypatch):
    monkeypatch.setattr(building, "STREAM_MAX_SESSIONS", 5)
    response = client_for(chloe).get(f"/o/{org_a.slug}/reports/athlete/{zoe.pk}.pdf?range=90d")
    assert not response.streaming and "makes it in the background" in response.content.decode()


def test_a_report_that_fails_says_so_on_its_page(
    client_for, chloe, org_a, zoe, django_capture_on_commit_callbacks
):
    client = client_for(chloe)
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(f"/o/{org_a.slug}/reports/athlete/{zoe.pk}/build/?range=30d")
        job = ReportJob.objects.get()
        zoe.delete()  # gone before the worker reads it
    job.refresh_from_db()
    assert job.state == "failed"
    status = client.get(started["Location"]).content.decode()
    assert "The report could not be made." in status
    coach = make_member(org_a, Role.COACH, email="carl@riverside.example").user
    assert client_for(coach).get(started["Location"]).status_code == 404
