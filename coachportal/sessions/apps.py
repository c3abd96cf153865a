from django.apps import AppConfig


class LibraryConfig(AppConfig):
    """The sessions library. Its label is "library": "sessions" belongs to django.contrib.sessions."""

    name = "coachportal.sessions"
    label = "library"
    verbose_name = "Sessions library"
