from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "coachportal.sandbox"
    verbose_name = "Provider sandboxes"
