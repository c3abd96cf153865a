"""One URL per object: ids in paths are written one way only (no leading zeros, no sign)."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.converters import IntConverter
from django.urls.exceptions import Resolver404

from coachportal.converters import CanonicalIdConverter
from coachportal.sessions.models import Session

pytestmark = pytest.mark.django_db


def walk(resolver=None, prefix=""):
    """Yield (route, pattern) for every portal URL pattern (the admin is Django's own)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith("admin/"):
                continue
            yield from walk(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry


def converters_of(resolver=None):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver) and str(entry.pattern).startswith("admin/"):
            continue
        yield from ((str(entry.pattern), c) for c in entry.pattern.converters.values())
        if isinstance(entry, URLResolver):
            yield from converters_of(entry)


def test_no_portal_url_reads_ids_with_django_s_lenient_int_converter():
    found = list(converters_of())
    assert any(isinstance(c, CanonicalIdConverter) for _, c in found)
    lenient = [route for route, c in found if isinstance(c, IntConverter)]
    assert lenient == [], f"use <id:...> instead of <int:...> in {lenient}"


def id_routes():
    return [route for route, _ in walk() if "<id:" in route]


def fill(route: str, value: str) -> str:
    path = route
    while "<" in path:
        start, end = path.index("<"), path.index(">")
        kind = path[start + 1 : end].split(":")[0]
        path = path[:start] + (value if kind == "id" else "riverside") + path[end + 1 :]
    return "/" + path


@pytest.mark.parametrize("route", id_routes())
@pytest.mark.parametrize("spelling", ["01", "00000001", "+1", "0", "1" * 19])
def test_an_id_written_another_way_is_not_a_url(route, spelling):
    assert resolve(fill(route, "1")).kwargs  # the canonical spelling resolves
    with pytest.raises(Resolver404):
        resolve(fill(route, spelling))


def test_a_session_is_reached_by_one_url_only(client_for, org_a, chloe):
    session = Session.objects.create(organization=org_a, external_id="s1", title="Run")
    client = client_for(chloe)
    assert client.get(f"/o/{org_a.slug}/sessions/{session.pk}/").status_code == 200
    assert client.get(f"/o/{org_a.slug}/sessions/{session.pk:08d}/").status_code == 404
