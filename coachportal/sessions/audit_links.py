"""Where the audit log links a session it mentions (while it still exists and is not deleted)."""

from coachportal.organizations import audit_text

from .models import Session


def sessions(org, ids):
    return audit_text.link_each("library:detail", Session.objects.for_org(org).visible(), org, ids)


def register() -> None:
    audit_text.register_link("session", sessions)
