"""Who may do what is written once, as methods of Membership; views, forms and templates ask them."""

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured

from coachportal.organizations.access import org_view
from coachportal.organizations.models import UPLOAD_REFUSED, Membership, Organization, Role

ROOT = Path(__file__).resolve().parents[2]


def member(role, *, coaches_may_upload=False, user_id=1):
    org = Organization(coaches_may_upload=coaches_may_upload)
    return Membership(role=role, user_id=user_id, organization=org)


@pytest.mark.parametrize("role", Role.values)
def test_every_member_may_view(role):
    assert member(role).may_view()


def test_owners_and_admins_manage_and_coaches_do_not():
    assert [member(r).may_manage() for r in (Role.OWNER, Role.ADMIN, Role.COACH)] == [True, True, False]


def test_coaches_upload_only_when_the_organization_allows_it():
    assert not member(Role.COACH).may_upload()
    assert member(Role.COACH, coaches_may_upload=True).may_upload()
    assert member(Role.ADMIN).may_upload() and member(Role.OWNER).may_upload()


def test_refusing_an_upload_says_how_to_get_it():
    assert Membership.may_upload.refused == UPLOAD_REFUSED


def test_only_owners_touch_owners():
    owners = [member(r).may_manage_owners() for r in (Role.OWNER, Role.ADMIN, Role.COACH)]
    assert owners == [True, False, False]


def test_an_upload_is_changed_by_managers_and_by_whoever_uploaded_it():
    upload = SimpleNamespace(uploaded_by_id=7)
    assert member(Role.COACH, user_id=7).may_change_upload(upload)
    assert not member(Role.COACH, user_id=8).may_change_upload(upload)
    assert member(Role.ADMIN, user_id=8).may_change_upload(upload)


def test_a_view_naming_no_rule_fails_at_import_time():
    with pytest.raises(ImproperlyConfigured):
        org_view(check="may_fly")
    with pytest.raises(ImproperlyConfigured):
        org_view(check="save")  # a Membership method, but not a rule


# Templates and code ask the rules; nothing re-derives them from the role or the organization's settings.
HAND_CHECKS = re.compile(
    r"is_manager|coaches_may_upload|current_membership\.role\s*[!=]=|role (not )?in MANAGERS"
)


def test_no_template_decides_permissions_by_hand():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "templates").rglob("*.html")
        if HAND_CHECKS.search(path.read_text())
    ]
    assert offenders == [], "ask current_membership.may_... instead"


def test_no_code_outside_the_rules_decides_permissions_by_hand():
    allowed = {"coachportal/organizations/models.py", "coachportal/organizations/forms.py"}
    offenders = []
    for path in (ROOT / "coachportal").rglob("*.py"):
        name = str(path.relative_to(ROOT))
        if name in allowed or "/migrations/" in name:
            continue
        text = re.sub(r"coaches_may_upload\s*=", "", path.read_text())  # writing the setting is fine
        if HAND_CHECKS.search(text):
            offenders.append(name)
    assert offenders == [], "ask request.membership.may_... instead"
