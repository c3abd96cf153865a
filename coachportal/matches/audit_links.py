"""Where the audit log links a match it mentions (while it still exists)."""

from coachportal.organizations import audit_text

from .models import Match


def matches(org, ids):
    return audit_text.link_each("matches:detail", Match.objects.filter(organization=org), org, ids)


def register() -> None:
    audit_text.register_link("match", matches)
