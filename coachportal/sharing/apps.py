from django.apps import AppConfig


class SharingConfig(AppConfig):
    """Read-only links to one object (a session today) for people without an account."""

    name = "coachportal.sharing"
    label = "sharing"
    verbose_name = "Share links"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import receivers  # noqa: F401 (connects to the library's signals)
