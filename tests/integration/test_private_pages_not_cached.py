"""Every page behind login, and every export, tells browsers and proxies not to keep it."""

import pytest

from tests.factories import make_athlete, make_session

from .test_org_access_guard import ROUTE_IDS, ROUTES, fill

pytestmark = pytest.mark.django_db

PRIVATE = "private, no-store"


@pytest.mark.parametrize(("route", "pattern"), ROUTES, ids=ROUTE_IDS)
def test_every_organization_page_is_private_and_not_stored(client_for, org_a, olivia, route, pattern):
    response = client_for(olivia).get(fill(route, org_a.slug))
    assert response["Cache-Control"] == PRIVATE, f"{route} answered {response.status_code}"


def test_a_page_another_organization_cannot_see_is_not_stored_either(client_for, org_a, bruno):
    response = client_for(bruno).get(f"/o/{org_a.slug}/")
    assert response.status_code == 404 and response["Cache-Control"] == PRIVATE


def test_the_sessions_and_athletes_exports_are_private_and_not_stored(client_for, org_a, chloe):
    make_session(org_a, athlete=make_athlete(org_a, "Ana"))
    client = client_for(chloe)
    for url in (f"/o/{org_a.slug}/sessions/export.csv", f"/o/{org_a.slug}/athletes/export.csv"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("text/csv")
        assert response["Cache-Control"] == PRIVATE, url
