from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """Operator-wide views of the running service (the task queue); no models, no organization."""

    name = "coachportal.operations"
    verbose_name = "Operations"
