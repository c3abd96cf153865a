from django.apps import AppConfig


class SharingConfig(AppConfig):
    """Read-only links to one object (a session today) for people without an account."""

    name = "coachportal.sharing"
    verbose_name = "Share links"

    def ready(self):
        from . import receivers  # noqa: F401 (connects to the library's signals)
