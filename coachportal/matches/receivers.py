"""Matches follow the library (a layer below, which never imports them) through its signals and hooks."""

from django.dispatch import receiver
from django.urls import reverse

from coachportal.organizations.models import Provider
from coachportal.sessions import followers, row_pages
from coachportal.sessions.signals import library_synced

from .history import sync_history
from .models import Match


@receiver(library_synced, dispatch_uid="matches.sync_history")
def mirror_match_history(sender, *, organization, full, **kwargs):
    """Each library sync also mirrors the organization's AI on the Ball videos as matches."""
    sync_history(organization, full=full)


def follow_match_row(session) -> bool:
    """A processing library row of an AI on the Ball video is followed by its match (the poll chain, the
    webhooks, the scheduled sync_matches), so its polling row asks for nothing: it only reads."""
    return Match.objects.filter(organization_id=session.organization_id, session=session).exists()


def match_page(org, session) -> str | None:
    """A library row of an AI on the Ball video leads to its match's page."""
    match = Match.objects.filter(organization_id=session.organization_id, session=session).first()
    return reverse("matches:detail", args=[org.slug, match.pk]) if match is not None else None


followers.register(Provider.AIONTHEBALL, follow_match_row)
row_pages.register(Provider.AIONTHEBALL, match_page)
