"""No member of org A can read or change org B's objects by putting org B's ids in org A's URLs.

Org B gets one real object of every kind. Then every route under /o/<org_slug>/ (read from the URL conf,
so new routes are covered) is requested by each role of org A, with org A's slug and org B's object ids,
by GET and by POST. Nothing may answer 2xx or 3xx, and org B's rows must be exactly as they were.
"""

import re

import pytest
from django.apps import apps

from coachportal.athletes.models import Athlete
from coachportal.organizations.models import AuditEvent, Invitation, Membership, ProviderCredential
from coachportal.sessions.models import Session
from coachportal.uploads.models import Upload
from tests.integration.test_org_access_guard import ORG_PREFIX, ROUTES
from tests.objects import one_of_each

pytestmark = pytest.mark.django_db

# Which model an int parameter names, by the route's first segment and the parameter's name.
MODEL_FOR = {
    ("athletes", "athlete_id"): "athlete",
    ("sessions", "athlete_id"): "athlete",
    ("sessions", "pk"): "session",
    ("sessions", "session_id"): "session",
    ("sessions", "note_id"): "note",
    ("shares", "session_id"): "session",
    ("shares", "athlete_id"): "athlete",
    ("shares", "pk"): "share_link",
    ("notifications", "pk"): "notification",
    ("reports", "session_id"): "session",
    ("reports", "athlete_id"): "athlete",
    ("reports", "pk"): "report_job",
    ("uploads", "pk"): "upload",
    ("matches", "pk"): "match",
    ("members", "member_id"): "membership",
    ("invitations", "invitation_id"): "invitation",
}
# Routes that name their sessions in the query string (a comparison: `s` ids, `o` offsets), by their path
# under /o/<org_slug>/: the sweep asks them for org B's session.
QUERY_OBJECTS = {
    "compare/": "session",
    "shares/comparison/new/": "session",
    "reports/comparison.pdf": "session",
    "reports/comparison/build/": "session",
}
PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


@pytest.fixture
def org_b_objects(org_b, bruno):
    return one_of_each(org_b, bruno, tag="Hilltop")


def snapshot(org):
    """Every row that belongs to `org`, field by field."""
    models = [Athlete, Session, Upload, Invitation, Membership, ProviderCredential, AuditEvent]
    if apps.is_installed("coachportal.matches"):
        models.append(apps.get_model("matches", "Match"))
    for label, name in (
        ("notes", "Note"),
        ("sharing", "ShareLink"),
        ("reports", "ReportJob"),
        ("notifications", "Notification"),
        ("notifications", "Preference"),
    ):
        if apps.is_installed(f"coachportal.{label}"):
            models.append(apps.get_model(label, name))
    rows = {m.__name__: list(m.objects.filter(organization=org).order_by("pk").values()) for m in models}
    rows["Organization"] = list(type(org).objects.filter(pk=org.pk).values())
    # Coach assignments: links between an athlete and a membership, both of `org`.
    rows["AthleteCoaches"] = list(
        Athlete.coaches.through.objects.filter(athlete__organization=org).order_by("pk").values()
    )
    return rows


def url_for(route: str, slug: str, objects) -> str | None:
    """Fill `route` with org A's slug and org B's ids; None when it has no object parameter."""
    section = route.removeprefix(ORG_PREFIX).split("/", 1)[0]
    found_object = False

    def value(match):
        nonlocal found_object
        converter, name = match.group(1) or "str", match.group(2)
        if name == "org_slug":
            return slug
        if name == "provider":
            found_object = True
            return "aikynetix"
        if converter in ("int", "id"):
            key = MODEL_FOR.get((section, name))
            assert key, f"{route}: add its <{name}> to MODEL_FOR so the sweep can try org B's object"
            found_object = True
            return str(objects[key].pk)
        return "x"

    url = "/" + PARAM.sub(value, route)
    in_query = QUERY_OBJECTS.get(route.removeprefix(ORG_PREFIX))
    if in_query:
        return f"{url}?s={objects[in_query].pk}&o=0.5"
    return url if found_object else None


OBJECT_ROUTES = [
    (r, p)
    for r, p in ROUTES
    if PARAM.search(r.removeprefix(ORG_PREFIX)) or r.removeprefix(ORG_PREFIX) in QUERY_OBJECTS
]


def test_the_sweep_covers_the_object_pages():
    names = {p.name for _, p in OBJECT_ROUTES}
    assert {"detail", "edit", "delete", "change_role", "revoke_invitation", "retry"} <= names


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(("route", "pattern"), OBJECT_ROUTES, ids=[r for r, _ in OBJECT_ROUTES])
def test_org_a_members_cannot_reach_org_b_objects(
    client, org_a, org_b, olivia, adam, chloe, org_b_objects, route, pattern, method
):
    url = url_for(route, org_a.slug, org_b_objects)
    if url is None:
        pytest.skip("no object parameter")
    before = snapshot(org_b)
    for user in (olivia, adam, chloe):
        client.force_login(user)
        for headers in ({}, {"HX-Request": "true"}):
            response = getattr(client, method)(url, headers=headers)
            if "<str:provider>" in route:
                # The provider names org A's own key; org B's must stay untouched (checked below).
                assert response.status_code < 500, f"{user} {method.upper()} {url}"
                continue
            assert response.status_code in (403, 404, 405), (
                f"{user} {method.upper()} {url} answered {response.status_code}"
            )
            assert b"Hilltop" not in response.content
    assert snapshot(org_b) == before


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(("route", "pattern"), ROUTES, ids=[r for r, _ in ROUTES])
def test_no_org_a_page_shows_or_changes_org_b_data(
    client, org_a, org_b, olivia, adam, chloe, org_b_objects, route, pattern, method
):
    url = url_for(route, org_a.slug, org_b_objects) or "/" + PARAM.sub(
        lambda m: org_a.slug if m.group(2) == "org_slug" else "x", route
    )
    before = snapshot(org_b)
    for user in (olivia, adam, chloe):
        client.force_login(user)
        response = getattr(client, method)(url)
        assert response.status_code < 500, f"{user} {method.upper()} {url}"
        content = b"".join(response.streaming_content) if response.streaming else response.content
        for secret in (b"Hilltop", b"Hilltop-uid", b"Hilltop-secret-key"):
            assert secret not in content, f"{user} {method.upper()} {url} shows org B's {secret!r}"
    assert snapshot(org_b) == before
