"""Every state change needs a CSRF token, htmx requests included; no GET changes anything.

The routes are read from the URL conf (the same walk as the org guard test), so new views are covered.
"""

import re

import pytest
import responses
from django.test import Client

from coachportal.organizations.models import AuditEvent, Membership
from tests.integration.test_org_access_guard import ORG_PREFIX, ROUTES
from tests.integration.test_security_sweep import MODEL_FOR, PARAM, snapshot
from tests.objects import one_of_each

pytestmark = pytest.mark.django_db


@pytest.fixture
def org_a_objects(org_a, olivia):
    return one_of_each(org_a, olivia, tag="Riverside")


BOOKKEEPING = {"synced_at", "updated_at", "checked_at", "poll_requested_at", "last_seen_at"}


def url_for(route, slug, objects):
    section = route.removeprefix(ORG_PREFIX).split("/", 1)[0]

    def value(match):
        converter, name = match.group(1) or "str", match.group(2)
        if name == "org_slug":
            return slug
        if name == "provider":
            return "aikynetix"
        if converter in ("int", "id"):
            return str(objects[MODEL_FOR[(section, name)]].pk)
        return "x"

    return "/" + PARAM.sub(value, route)


@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
@pytest.mark.parametrize(("route", "pattern"), ROUTES, ids=[r for r, _ in ROUTES])
def test_a_post_without_a_csrf_token_is_refused_and_changes_nothing(
    org_a, olivia, org_a_objects, route, pattern, htmx
):
    client = Client(enforce_csrf_checks=True)
    client.force_login(olivia)
    url = url_for(route, org_a.slug, org_a_objects)
    before = snapshot(org_a)
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(url, {"name": "changed", "role": "owner"}, headers=headers)
    assert response.status_code == 403, f"POST {url} without a token answered {response.status_code}"
    assert snapshot(org_a) == before


@pytest.mark.parametrize(("route", "pattern"), ROUTES, ids=[r for r, _ in ROUTES])
def test_a_get_changes_nothing(client, org_a, olivia, org_a_objects, route, pattern):
    client.force_login(olivia)
    url = url_for(route, org_a.slug, org_a_objects)
    before = snapshot(org_a)
    audit_count = AuditEvent.objects.count()
    # Any call to a provider fails to connect: a GET must not depend on one.
    with responses.RequestsMock(assert_all_requests_are_fired=False):
        response = client.get(url)
    assert response.status_code < 500, f"GET {url} answered {response.status_code}"
    assert AuditEvent.objects.count() == audit_count, f"GET {url} wrote an audit event"
    after = snapshot(org_a)
    # A page view may note when it last looked or asked for a status poll (bookkeeping that the design
    # wants: opening a stale page follows it up); no other field may change.
    for model in before:
        for old, new in zip(before[model], after[model], strict=True):
            changed = {k for k in old if old[k] != new[k]} - BOOKKEEPING
            assert not changed, f"GET {url} changed {model}.{sorted(changed)}"


def test_the_page_hands_htmx_the_token_in_hx_headers(client_for, olivia, org_a):
    client = client_for(olivia)
    html = client.get(f"/o/{org_a.slug}/athletes/").content.decode()
    token = re.search(r"<body hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'>", html)
    assert token


def test_an_htmx_post_with_the_token_in_its_header_is_accepted(org_a, olivia, org_a_objects):
    client = Client(enforce_csrf_checks=True)
    client.force_login(olivia)
    html = client.get(f"/o/{org_a.slug}/athletes/").content.decode()
    token = re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)
    athlete = org_a_objects["athlete"]
    response = client.post(
        f"/o/{org_a.slug}/athletes/{athlete.pk}/archive/",
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    assert response.status_code in (200, 204, 302)
    athlete.refresh_from_db()
    assert athlete.active is False


def test_log_out_needs_a_post(client_for, olivia):
    client = client_for(olivia)
    assert client.get("/accounts/logout/").status_code == 405
    assert "_auth_user_id" in client.session


def test_the_login_form_needs_a_csrf_token(olivia):
    from tests.factories import PASSWORD

    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": olivia.email, "password": PASSWORD})
    assert response.status_code == 403


def test_every_membership_fixture_is_org_a_s(org_a_objects, org_a):
    # Guards the GET sweep: its ids must all point into org A.
    assert all(o.organization_id == org_a.pk for o in org_a_objects.values())
    assert Membership.objects.filter(organization=org_a).count() >= 2
