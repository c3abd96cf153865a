"""Make the objects a test does not care about, with sensible defaults."""

import itertools

from coachportal.accounts.models import User
from coachportal.organizations.models import Membership, Organization, Role

PASSWORD = "a-long-test-password-42"
_seq = itertools.count(1)


def make_user(email: str | None = None, *, name: str = "", password: str = PASSWORD) -> User:
    n = next(_seq)
    return User.objects.create_user(email=email or f"person{n}@example.com", password=password, name=name)


def make_org(name: str | None = None) -> Organization:
    name = name or f"Club {next(_seq)}"
    return Organization.objects.create(name=name, slug=Organization.unique_slug_for(name))


def make_member(
    org: Organization, role: str = Role.COACH, user: User | None = None, **user_kwargs
) -> Membership:
    return Membership.objects.create(organization=org, user=user or make_user(**user_kwargs), role=role)
