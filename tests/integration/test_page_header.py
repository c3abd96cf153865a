"""The header every page shares: its links, the organization switcher and the org nav, as a person sees
them, read with as few queries as the page needs (they are reversed once per organization, and the
memberships are read once per request)."""

import pytest
from django.db import connection
from django.urls import reverse

from coachportal.organizations.models import Role
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def _links(html: str, start: str, end: str) -> str:
    return html[html.index(start) : html.index(end, html.index(start))]


def test_a_coach_sees_the_org_nav_the_switcher_and_the_account_links(client_for, org_a, org_b, chloe):
    make_member(org_b, Role.ADMIN, user=chloe)
    html = client_for(chloe).get(f"/o/{org_a.slug}/sessions/").content.decode()

    nav = _links(html, '<nav class="container org-nav"', "</nav>")
    for name in (
        "organizations:dashboard",
        "library:list",
        "matches:list",
        "athletes:list",
        "organizations:members",
    ):
        assert f'href="{reverse(name, args=[org_a.slug])}"' in nav, name
    assert f'<a href="{reverse("library:list", args=[org_a.slug])}" aria-current="page">Sessions</a>' in nav
    for manager_only in ("uploads:list", "organizations:audit", "organizations:settings"):
        assert reverse(manager_only, args=[org_a.slug]) not in nav  # a coach's nav, as before

    switcher = _links(html, '<details class="dropdown org-switcher">', "</details>")
    assert (
        f'<a href="{reverse("organizations:dashboard", args=[org_a.slug])}" aria-current="page">' in switcher
    )
    hilltop = reverse("organizations:dashboard", args=[org_b.slug])
    assert f'<a href="{hilltop}"><bdi>Hilltop Harriers</bdi>' in switcher
    assert f'href="{reverse("create_organization")}"' in switcher
    assert f'href="{reverse("accounts:password_change")}"' in html
    assert f'action="{reverse("accounts:logout")}"' in html
    assert f'class="brand" href="{reverse("home")}"' in html


def test_a_manager_sees_the_manager_links_of_the_organization_in_the_url(client_for, org_a, adam):
    html = client_for(adam).get(f"/o/{org_a.slug}/members/").content.decode()
    nav = _links(html, '<nav class="container org-nav"', "</nav>")
    for name in ("uploads:list", "organizations:audit", "organizations:settings"):
        assert f'href="{reverse(name, args=[org_a.slug])}"' in nav, name
    members = reverse("organizations:members", args=[org_a.slug])
    assert f'<a href="{members}" aria-current="page">Members</a>' in nav


def test_a_visitor_sees_log_in_and_sign_up(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert f'<a href="{reverse("accounts:login")}">Log in</a>' in html
    assert f'<a href="{reverse("accounts:signup")}" role="button">Sign up</a>' in html
    assert "org-switcher" not in html


def test_an_organization_page_reads_the_memberships_once(client_for, org_a, org_b, chloe):
    make_member(org_b, Role.COACH, user=chloe)
    client = client_for(chloe)
    client.get(f"/o/{org_a.slug}/sessions/")
    seen = []  # read as they run: the request_started signal empties Django's own captured list

    def record(execute, sql, *rest):
        seen.append(sql)
        return execute(sql, *rest)

    with connection.execute_wrapper(record):
        response = client.get(f"/o/{org_a.slug}/sessions/")
    assert response.status_code == 200
    assert "Hilltop Harriers" in response.content.decode()  # the switcher still lists every organization
    # The current membership (role check) and the switcher's list come from the same query (the person's).
    assert len([sql for sql in seen if '"organizations_membership"' in sql]) == 1, seen


def _reversals(monkeypatch) -> list[str]:
    """The URL names reversed from here on (every reverse() and {% url %} goes through the resolver)."""
    from django.urls.resolvers import URLResolver

    seen = []
    original = URLResolver._reverse_with_prefix

    def counting(self, lookup_view, *args, **kwargs):
        seen.append(str(lookup_view))
        return original(self, lookup_view, *args, **kwargs)

    monkeypatch.setattr(URLResolver, "_reverse_with_prefix", counting)
    return seen


def test_the_library_page_reverses_no_address_once_the_organizations_are_known(
    client_for, org_a, chloe, monkeypatch
):
    from tests.factories import make_session

    for _ in range(3):
        make_session(org_a, status="processing")  # rows with their links and polling addresses
    client = client_for(chloe)
    assert client.get(f"/o/{org_a.slug}/sessions/").status_code == 200  # first render: reversed, kept
    reversed_names = _reversals(monkeypatch)
    html = client.get(f"/o/{org_a.slug}/sessions/").content.decode()
    assert reversed_names == []
    # The links are the real addresses all the same: the header's bell and the library's actions.
    assert f'href="{reverse("notifications:list", args=[org_a.slug])}" class="bell"' in html
    assert f'hx-get="{reverse("notifications:bell", args=[org_a.slug])}"' in html
    for name in ("library:export", "library:bulk_export", "library:compare"):
        assert f'"{reverse(name, args=[org_a.slug])}' in html, name
    session_page = reverse("library:list", args=[org_a.slug])
    assert f'href="{session_page}' in html and '/row/"' in html
