"""The demo organization `make run` loads: its people and their logins (for local use only)."""

from django.contrib.auth import get_user_model
from django.db import transaction

from .models import Membership, Organization, Role

DEMO_ORG_NAME = "Riverside Athletics"
DEMO_ORG_SLUG = "riverside"
DEMO_PASSWORD = "riverside-demo-2026"  # noqa: S105 (a published demo login, not a secret)
DEMO_PEOPLE = [
    ("owner@riverside.example", "Olivia Owner", Role.OWNER),
    ("admin@riverside.example", "Adam Admin", Role.ADMIN),
    ("coach@riverside.example", "Chloe Coach", Role.COACH),
]


@transaction.atomic
def load_demo_people() -> Organization:
    """Create (or reset) the demo organization and its three people; running it twice changes nothing."""
    User = get_user_model()
    org, _ = Organization.objects.get_or_create(slug=DEMO_ORG_SLUG, defaults={"name": DEMO_ORG_NAME})
    for email, name, role in DEMO_PEOPLE:
        user, _ = User.objects.get_or_create(email=email, defaults={"name": name})
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        Membership.objects.update_or_create(user=user, organization=org, defaults={"role": role})
    return org
