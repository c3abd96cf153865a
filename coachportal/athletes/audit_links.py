"""Where the audit log links an athlete it mentions (while the athlete still exists)."""

from coachportal.organizations import audit_text

from .models import Athlete


def athletes(org, ids):
    return audit_text.link_each("athletes:detail", Athlete.objects.filter(organization=org), org, ids)


def register() -> None:
    audit_text.register_link("athlete", athletes)
