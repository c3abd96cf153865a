"""Every page under /o/<org_slug>/ is guarded the same way, including pages added later.

The routes are read from the URL conf, so a new view is covered the moment it is mounted:
anonymous visitors go to the login page, members of another organization get a 404, and members for
whom the view's declared check (`@org_view(check="may_...")`, a Membership rule) says no get a 403.
Which roles those are is asked of the rule itself, for every role and both settings of the
organization's "coaches may upload", so no table here has to be kept in step with the views.
"""

import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from coachportal.organizations.models import Membership, Role

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


def declared_check(pattern) -> str:
    """The Membership rule the view names in `@org_view(check=...)`."""
    return pattern.callback.org_check


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


def test_every_organization_view_declares_a_rule_of_membership():
    for route, pattern in ROUTES:
        check = declared_check(pattern)
        assert hasattr(getattr(Membership, check, None), "refused"), f"{route}: {check!r} is not a rule"


def test_the_rules_refuse_someone_somewhere():
    """The sweep below would pass vacuously if every view let every member in."""
    checks = {declared_check(p) for _, p in ROUTES}
    assert {"may_view", "may_manage", "may_upload"} <= checks


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(("route", "pattern"), ROUTES, ids=ROUTE_IDS)
def test_the_views_declared_check_decides_who_is_refused(
    client, org_a, olivia, adam, chloe, route, pattern, method
):
    """Members the rule refuses get its 403; the least senior member it lets in is not refused."""
    rule = getattr(Membership, declared_check(pattern))
    for coaches_may_upload in (False, True):
        org_a.coaches_may_upload = coaches_may_upload
        org_a.save(update_fields=["coaches_may_upload"])
        memberships = Membership.objects.select_related("organization", "user").filter(organization=org_a)
        by_seniority = sorted(memberships, key=lambda m: [Role.COACH, Role.ADMIN, Role.OWNER].index(m.role))
        refused = [m for m in by_seniority if not rule(m)]
        first_allowed = next((m for m in by_seniority if rule(m)), None)
        assert first_allowed is not None, f"{route}: no role at all may use it"
        for membership in [*refused, first_allowed]:
            client.force_login(membership.user)
            response = getattr(client, method)(fill(route, org_a.slug))
            where = f"{membership.role}, coaches_may_upload={coaches_may_upload}"
            if membership is first_allowed:
                assert response.status_code != 403, f"{where}: refused although {rule.__name__} allows it"
            else:
                assert response.status_code == 403, f"{where}: got {response.status_code}"
                assert rule.refused in response.content.decode().replace("&#x27;", "'")


@pytest.mark.django_db
def test_an_htmx_request_from_a_logged_out_browser_redirects_the_whole_page(client, org_a):
    response = client.get(f"/o/{org_a.slug}/members/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/accounts/login/?next=")


@pytest.mark.django_db
def test_an_unknown_organization_is_not_found_for_everyone(client_for, olivia):
    assert client_for(olivia).get("/o/no-such-club/").status_code == 404
