from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """PDF reports of a session: metrics with units, notes and their drawings, made on the server."""

    name = "coachportal.reports"
    verbose_name = "PDF reports"
