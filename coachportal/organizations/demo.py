"""The demo organization `make run` loads: its people and their logins (for local use only)."""

from django.contrib.auth import get_user_model
from django.db import transaction

from coachportal.sandbox.aikynetix import demo as aikynetix_demo
from coachportal.sandbox.aiontheball import demo as aiontheball_demo

from . import credentials
from .models import Membership, Organization, Provider, ProviderCredential, Role

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


# The sandboxes started by `make run` seed these obviously fake keys with their demo data.
DEMO_KEYS = {
    Provider.AIKYNETIX: aikynetix_demo.DEMO_API_KEY,
    Provider.AIONTHEBALL: aiontheball_demo.DEMO_TOKEN,
}


def load_demo_keys(org: Organization) -> None:
    """Give the demo organization the sandboxes' demo keys, unless someone replaced them."""
    owner = org.memberships.filter(role=Role.OWNER).select_related("user").first()
    for provider, key in DEMO_KEYS.items():
        if not ProviderCredential.objects.for_org(org, provider).exists():
            credentials.save_key(org, provider, api_key=key, label="Sandbox demo", actor=owner and owner.user)
