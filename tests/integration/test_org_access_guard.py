"""Every page under /o/<org_slug>/ is guarded the same way, including pages added later.

The routes are read from the URL conf, so a new view is covered the moment it is mounted:
anonymous visitors go to the login page, members of another organization get a 404,
and members without the view's role get a 403.
"""

import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from coachportal.organizations.models import Role

ORG_PREFIX = "o/<slug:org_slug>/"


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def org_routes():
    return [(route, p) for route, p in _walk(get_resolver().url_patterns) if route.startswith(ORG_PREFIX)]


def fill(route: str, slug: str) -> str:
    """Turn a route into a URL for `slug`, with placeholder values for the other parameters."""

    def value(match):
        converter, name = match.group(1) or "str", match.group(2)
        if name == "org_slug":
            return slug
        return {"int": "1", "id": "1", "uuid": str(uuid.UUID(int=1)), "path": "x/y"}.get(converter, "x")

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route)


ROUTES = org_routes()
ROUTE_IDS = [route for route, _ in ROUTES]
RESTRICTED = [(r, p) for r, p in ROUTES if set(getattr(p.callback, "org_roles", ())) != set(Role.values)]


def test_the_guard_sees_the_organization_pages_we_know():
    names = {p.name for _, p in ROUTES}
    assert {"dashboard", "members", "invite", "change_role", "remove_member", "settings"} <= names


@pytest.mark.parametrize(("route", "pattern"), ROUTES, ids=ROUTE_IDS)
def test_every_organization_view_is_wrapped_in_the_org_guard(route, pattern):
    assert getattr(pattern.callback, "org_guarded", False), f"{route} is not decorated with @org_view"


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(("route", "pattern"), ROUTES, ids=ROUTE_IDS)
def test_an_anonymous_visitor_is_sent_to_log_in(client, org_a, route, pattern, method):
    url = fill(route, org_a.slug)
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(("route", "pattern"), ROUTES, ids=ROUTE_IDS)
def test_a_member_of_another_organization_gets_not_found(client_for, org_a, bruno, route, pattern, method):
    response = getattr(client_for(bruno), method)(fill(route, org_a.slug))
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(("route", "pattern"), RESTRICTED, ids=[r for r, _ in RESTRICTED])
def test_a_member_without_the_role_is_refused(client_for, org_a, olivia, adam, chloe, route, pattern, method):
    allowed = pattern.callback.org_roles
    refused = [u for u, role in [(chloe, Role.COACH), (adam, Role.ADMIN)] if role not in allowed]
    assert refused
    for user in refused:
        response = getattr(client_for(user), method)(fill(route, org_a.slug))
        assert response.status_code == 403, f"{user} got {response.status_code}"


@pytest.mark.django_db
def test_an_htmx_request_from_a_logged_out_browser_redirects_the_whole_page(client, org_a):
    response = client.get(f"/o/{org_a.slug}/members/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/accounts/login/?next=")


@pytest.mark.django_db
def test_an_unknown_organization_is_not_found_for_everyone(client_for, olivia):
    assert client_for(olivia).get("/o/no-such-club/").status_code == 404
