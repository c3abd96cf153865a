from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "coachportal.sandbox"
    label = "sandbox"
    verbose_name = "Provider sandboxes"
