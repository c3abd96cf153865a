from django.apps import AppConfig


class LibraryConfig(AppConfig):
    """The sessions library. Its label is "library": "sessions" belongs to django.contrib.sessions."""

    name = "coachportal.sessions"
    label = "library"
    verbose_name = "Sessions library"

    def ready(self):
        from . import audit_links, receivers  # noqa: F401 (connects to the athletes' signals once the models are loaded)

        audit_links.register()
