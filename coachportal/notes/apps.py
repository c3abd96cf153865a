from django.apps import AppConfig


class NotesConfig(AppConfig):
    """Timestamped notes with drawings on a session: the organization's own data, built on the library."""

    name = "coachportal.notes"
    verbose_name = "Session notes"

    def ready(self):
        from . import receivers  # noqa: F401 (connects to the library's signals and export hook)
