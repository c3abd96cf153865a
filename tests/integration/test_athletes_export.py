"""Exporting the roster as CSV: the filter on the page, and cells a spreadsheet will not run."""

import csv
import io

import pytest

from coachportal.athletes.models import Athlete
from tests.factories import make_athlete

pytestmark = pytest.mark.django_db


def export(client, org, query=""):
    response = client.get(f"/o/{org.slug}/athletes/export.csv{query}")
    assert response.status_code == 200
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return response, list(csv.reader(io.StringIO(text[1:])))


def test_a_coach_exports_the_roster(client_for, org_a, chloe):
    make_athlete(org_a, name="Ada Runner", email="ada@example.com", aikynetix_user_id="u-1", notes="800 m")
    response, rows = export(client_for(chloe), org_a)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(f'attachment; filename="{org_a.slug}-athletes-')
    assert rows[0] == ["name", "email", "aikynetix_user_id", "notes", "status", "created_at"]
    assert rows[1][:5] == ["Ada Runner", "ada@example.com", "u-1", "800 m", "active"]


def test_the_export_follows_the_filter(client_for, org_a, olivia):
    make_athlete(org_a, name="Ada Runner")
    make_athlete(org_a, name="Ben Jumper", active=False)
    make_athlete(org_a, name="Cleo Lifter", active=False)
    _, rows = export(client_for(olivia), org_a, "?status=archived&q=ben")
    assert [r[0] for r in rows[1:]] == ["Ben Jumper"]
    _, rows = export(client_for(olivia), org_a, "?status=all")
    assert [r[0] for r in rows[1:]] == ["Ada Runner", "Ben Jumper", "Cleo Lifter"]


def test_the_roster_page_links_to_the_export_with_its_filter(client_for, org_a, olivia):
    make_athlete(org_a)
    page = client_for(olivia).get(f"/o/{org_a.slug}/athletes/?q=ada&status=all&page=1")
    assert f'href="/o/{org_a.slug}/athletes/export.csv?q=ada&amp;status=all"' in page.text


def test_cells_that_could_be_formulas_are_exported_as_text(client_for, org_a, olivia):
    make_athlete(org_a, name="=cmd|' /C calc'!A0", email="", notes="+1 555 0100")
    make_athlete(org_a, name="@SUM(A1:A9)", notes="-2 kg\nsince May")
    make_athlete(org_a, name="Hyper", notes='=HYPERLINK("http://evil.example","click")')
    _, rows = export(client_for(olivia), org_a, "?status=all")
    cells = {r[0]: r[3] for r in rows[1:]}
    assert cells == {
        "'=cmd|' /C calc'!A0": "'+1 555 0100",
        "'@SUM(A1:A9)": "'-2 kg\nsince May",
        "Hyper": '\'=HYPERLINK("http://evil.example","click")',
    }


def test_the_export_holds_only_this_organizations_athletes(client_for, org_a, org_b, olivia, bruno):
    make_athlete(org_a, name="Riverside Rita")
    make_athlete(org_b, name="Hilltop Hana")
    _, rows = export(client_for(olivia), org_a, "?status=all")
    assert [r[0] for r in rows[1:]] == ["Riverside Rita"]


def test_another_organization_cannot_export_this_roster(client_for, org_a, bruno):
    make_athlete(org_a)
    assert client_for(bruno).get(f"/o/{org_a.slug}/athletes/export.csv").status_code == 404


def test_an_exported_file_imports_back_unchanged(client_for, org_a, org_b, olivia, bruno):
    from django.core.files.uploadedfile import SimpleUploadedFile

    make_athlete(org_a, name="=Risky Name", email="risky@example.com", aikynetix_user_id="u-1", notes="-3 kg")
    response, _ = export(client_for(olivia), org_a)
    owner_b = client_for(bruno)
    owner_b.post(
        f"/o/{org_b.slug}/athletes/import/", {"file": SimpleUploadedFile("back.csv", response.content)}
    )
    seen = owner_b.get(f"/o/{org_b.slug}/athletes/import/preview/").context["confirm"].initial
    owner_b.post(f"/o/{org_b.slug}/athletes/import/confirm/", seen)
    copy = Athlete.objects.get(organization=org_b)
    assert (copy.name, copy.email, copy.aikynetix_user_id, copy.notes) == (
        "=Risky Name",
        "risky@example.com",
        "u-1",
        "-3 kg",
    )
