"""A session's PDF report: its text holds the athlete, each key metric's value with its unit and the notes;
it renders in a PDF reader (pdftoppm, every page) and draws each note's shapes."""

import re
import shutil
import subprocess

import pytest

from coachportal.athletes.models import Athlete
from coachportal.notes.models import Note
from coachportal.reports.session_pdf import latin1
from coachportal.sessions import metrics
from tests.factories import make_session

pytestmark = pytest.mark.django_db

POPPLER = shutil.which("pdftotext") and shutil.which("pdftoppm")
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils is not installed (`make pdftools`)")


@pytest.fixture
def session(org_a, chloe):
    athlete = Athlete.objects.create(organization=org_a, name="Zoë Ávila", aikynetix_user_id="u-zoe")
    session = make_session(
        org_a, athlete=athlete, title="Tempo run \u2013 6 \u00d7 400 m",
        metrics={"speed": [3.0, 3.2], "contact_time": [0.21, 0.23], "cadence": [170, 172]},
    )  # fmt: skip
    for n in range(12):  # enough notes for a second page
        Note.objects.create(
            organization=org_a, session=session, author=chloe, at_seconds=1.2 + n, text=f"Knee note {n}",
            shapes=[
                {"type": "arrow", "points": [[0.2, 0.2], [0.4, 0.5]]},
                {"type": "angle", "points": [[0.5, 0.34], [0.5, 0.5], [0.59, 0.5]], "degrees": 90.0},
                {"type": "text", "points": [[0.1, 0.9]], "text": "knee “in”"},
                {"type": "circle", "points": [[0.7, 0.3], [0.75, 0.3]]},
                {"type": "line", "points": [[0.1, 0.1], [0.2, 0.15], [0.3, 0.1]]},
            ],
            frame_aspect=16 / 9,
        )  # fmt: skip
    return session


def download(client, session, name="tempo-run-6-400-m-"):
    response = client.get(f"/o/{session.organization.slug}/reports/session/{session.pk}.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith(f'attachment; filename="{name}')
    return b"".join(response.streaming_content)


@needs_poppler
def test_the_report_holds_the_athlete_metrics_with_units_and_notes(client_for, chloe, session, tmp_path):
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(download(client_for(chloe), session))
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Zoë Ávila" in text and "Riverside Athletics" in text and "Tempo run - 6 \u00d7 400 m" in text
    for group in metrics.metric_groups(session.activity, session.metrics):
        for row in group.rows:
            line = next(
                line for line in text.splitlines() if re.match(rf"\s*{re.escape(row.label)}\s\s", line)
            )
            assert str(row.value) in line and row.unit in line, line
    for n in range(12):
        assert f"Knee note {n}" in text
    assert "angle 90.0°" in text and 'label "knee "in""' in text
    assert f"/o/{session.organization.slug}/sessions/{session.pk}/" in text
    pages = subprocess.run(
        ["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")], capture_output=True
    )
    assert pages.returncode == 0, pages.stderr
    rendered = sorted(tmp_path.glob("page-*.png"))
    assert len(rendered) >= 2 and all(p.stat().st_size > 1000 for p in rendered)


def test_another_organization_gets_404(client_for, bruno, org_b, session):
    client = client_for(bruno)
    assert client.get(f"/o/{org_b.slug}/reports/session/{session.pk}.pdf").status_code == 404


def test_text_outside_the_pdf_fonts_is_simplified_not_lost():
    assert latin1("Łukasz \u2013 “fast” → 3 m/s … Zoë") == 'Lukasz - "fast" -> 3 m/s ... Zoë'
    assert latin1("跑步") == "??"


@needs_poppler
def test_drawings_are_drawn_on_the_video_frame_at_the_note_s_time(client_for, chloe, mirrored, tmp_path):
    Note.objects.create(
        organization=mirrored.organization, session=mirrored, author=chloe, at_seconds=1.2, text="Knee in",
        shapes=[{"type": "arrow", "points": [[0.2, 0.2], [0.4, 0.5]]}],
    )  # fmt: skip
    data = download(client_for(chloe), mirrored, name="tempo-")
    assert b"/Subtype /Image" in data  # the frame, fetched from the provider's analysed video
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(data)
    extracted = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True)
    sizes = [line.split()[3:5] for line in extracted.stdout.splitlines()[2:]]
    assert sizes and all(int(w) > 100 and int(h) > 50 for w, h in sizes)
    assert subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "p")]).returncode == 0
