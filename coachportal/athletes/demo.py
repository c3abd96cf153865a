"""The demo roster: the AiKYNETIX sandbox's demo athletes, so the demo's sessions have their people."""

from coachportal.sandbox.aikynetix import demo as aikynetix_demo

from .models import Athlete


def load_demo_athletes(org) -> None:
    """Add the sandbox demo athletes to `org`, all but one, so "Import from AiKYNETIX" has someone to find."""
    for user in aikynetix_demo.DEMO_USERS[:-1]:
        Athlete.objects.get_or_create(
            organization=org, aikynetix_user_id=user.user_id, defaults={"name": user.user_name}
        )
