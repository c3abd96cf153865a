from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """In-app and email notifications about uploads, sessions and share links, sent by background tasks."""

    name = "coachportal.notifications"
    verbose_name = "Notifications"

    def ready(self):
        from . import receivers  # noqa: F401 (follows the library's sync and the share links' first views)
