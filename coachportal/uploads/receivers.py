"""Uploads follow the library (a layer below, which never imports them) through its signals."""

from django.dispatch import receiver

from coachportal.sessions.signals import mirror_updated

from .services import follow_sessions, follow_up_later


@receiver(mirror_updated, dispatch_uid="uploads.follow_sessions")
def move_processing_uploads_on(sender, *, organization, **kwargs):
    """Processing uploads move on to done or failed once the library's mirror knows their session;
    those still processing ask for the next sync."""
    follow_sessions(organization)
    follow_up_later(organization)
