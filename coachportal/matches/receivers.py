"""Matches follow the library (a layer below, which never imports them) through its signals and hooks."""

from django.dispatch import receiver

from coachportal.organizations.models import Provider
from coachportal.sessions import followers
from coachportal.sessions.signals import library_synced

from .history import sync_history
from .models import Match
from .sync import request_poll


@receiver(library_synced, dispatch_uid="matches.sync_history")
def mirror_match_history(sender, *, organization, full, **kwargs):
    """Each library sync also mirrors the organization's AI on the Ball videos as matches."""
    sync_history(organization, full=full)


def poll_match_row(session) -> bool:
    """A processing library row of an AI on the Ball video asks its match for the next poll."""
    match = Match.objects.filter(organization_id=session.organization_id, session=session).first()
    if match is None:
        return False
    request_poll(match)
    return True


followers.register(Provider.AIONTHEBALL, poll_match_row)
