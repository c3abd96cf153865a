"""Find the people behind the organization's AiKYNETIX sessions who are not on the roster yet."""

from dataclasses import dataclass
from datetime import datetime

from coachportal.organizations import credentials
from coachportal.organizations.crypto import KeyUnreadable
from coachportal.organizations.models import Provider, ProviderCredential
from coachportal.providers import aikynetix

from .models import Athlete

# Enough to find everyone in any club's history without letting one click walk forever.
MAX_SESSIONS_READ = 5000

NO_KEY = "Add the organization's AiKYNETIX key first, under Settings → Provider keys."
KEY_REJECTED = (
    "AiKYNETIX refused the organization's key ({message}). Check it under Settings → Provider keys."
)
KEY_UNREADABLE = (
    "The stored AiKYNETIX key can't be read any more. Paste it again under Settings → Provider keys."
)
UNREACHABLE = "AiKYNETIX could not be reached ({message}). Nothing was changed; try again in a moment."


class DiscoveryError(Exception):
    """The provider could not be asked; the message says why, for the person who asked."""


@dataclass
class ProviderAthlete:
    user_id: str
    user_name: str
    sessions: int = 0
    last_session_at: datetime | None = None


def athletes_from_aikynetix(org) -> tuple[list[ProviderAthlete], bool]:
    """Return the provider users not on the roster, and whether reading stopped at the cap."""
    credential = ProviderCredential.objects.filter(organization=org, provider=Provider.AIKYNETIX).first()
    if credential is None:
        raise DiscoveryError(NO_KEY)
    found: dict[str, ProviderAthlete] = {}
    truncated = False
    try:
        with credentials.client_for(credential) as client:
            for count, session in enumerate(client.iter_sessions(page_size=100), start=1):
                if count > MAX_SESSIONS_READ:
                    truncated = True
                    break
                if not session.user_id:
                    continue
                person = found.setdefault(
                    session.user_id, ProviderAthlete(session.user_id, session.user_name or "")
                )
                person.user_name = person.user_name or session.user_name or ""
                person.sessions += 1
                if session.created_at and (
                    person.last_session_at is None or session.created_at > person.last_session_at
                ):
                    person.last_session_at = session.created_at
    except KeyUnreadable:
        raise DiscoveryError(KEY_UNREADABLE) from None
    except (aikynetix.KeyRejected, aikynetix.NotPermitted) as error:
        credentials.mark_rejected(credential, error.message)
        raise DiscoveryError(KEY_REJECTED.format(message=error.message)) from None
    except aikynetix.AikynetixError as error:
        raise DiscoveryError(UNREACHABLE.format(message=error.message)) from None

    on_roster = set(
        Athlete.objects.for_org(org)
        .exclude(aikynetix_user_id=None)
        .values_list("aikynetix_user_id", flat=True)
    )
    new = [p for p in found.values() if p.user_id not in on_roster]
    return sorted(new, key=lambda p: (p.user_name.lower() or "~", p.user_id)), truncated
