"""Notes follow the library (a layer below, which never imports them) through its signals and hooks."""

from django.dispatch import receiver

from coachportal.sessions import export
from coachportal.sessions.signals import sessions_deleted

from .services import drop_notes_of, export_cells


@receiver(sessions_deleted, dispatch_uid="notes.drop_with_session")
def drop_notes(sender, *, organization, session_ids, **kwargs):
    drop_notes_of(organization, session_ids)


export.register_column("Notes", export_cells)
