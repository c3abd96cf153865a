"""Personas shared by the whole suite.

Org A ("Riverside") has an owner (olivia), an admin (adam) and a coach (chloe); org B ("Hilltop") has
its own owner (bruno). Every organization-scoped view is tried by each of them.
"""

import pytest
from django.core.cache import cache

from coachportal.organizations.models import Role

from .factories import make_member, make_org

pytest_plugins: list[str] = [
    "tests.fixtures.aiontheball_sandbox",
    "tests.fixtures.aikynetix_sandbox",
    "tests.fixtures.s3",
    "tests.fixtures.video_server",
    "tests.fixtures.scheduler",
]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache: pages keep computed parts there (the athlete profile under
    its organization's data stamp, the library's filter form), and ids repeat from test to test."""
    cache.clear()


@pytest.fixture
def org_a(db):
    return make_org("Riverside Athletics")


@pytest.fixture
def org_b(db):
    return make_org("Hilltop Harriers")


@pytest.fixture
def olivia(org_a):
    """Owner of org A."""
    return make_member(org_a, Role.OWNER, email="olivia@riverside.example", name="Olivia Owner").user


@pytest.fixture
def adam(org_a):
    """Admin of org A."""
    return make_member(org_a, Role.ADMIN, email="adam@riverside.example", name="Adam Admin").user


@pytest.fixture
def chloe(org_a):
    """Coach in org A."""
    return make_member(org_a, Role.COACH, email="chloe@riverside.example", name="Chloe Coach").user


@pytest.fixture
def bruno(org_b):
    """Owner of org B: a stranger to org A."""
    return make_member(org_b, Role.OWNER, email="bruno@hilltop.example", name="Bruno Outsider").user


@pytest.fixture
def client_for(client):
    """Return a test client logged in as the given user."""

    def login(user):
        client.force_login(user)
        return client

    return login
