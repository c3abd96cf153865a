from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The organization dashboard and the commands spanning every feature (the top layer)."""

    name = "coachportal.dashboard"
    verbose_name = "Organization dashboard"
