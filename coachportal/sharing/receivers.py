"""Share links follow the library (a layer below, which never imports them) through its signals."""

from django.dispatch import receiver

from coachportal.sessions.signals import sessions_deleted

from .models import ShareLink
from .services import revoke_links_to


@receiver(sessions_deleted, dispatch_uid="sharing.revoke_with_session")
def revoke_session_links(sender, *, organization, session_ids, **kwargs):
    revoke_links_to(organization, kind=ShareLink.Kind.SESSION, object_ids=session_ids)
