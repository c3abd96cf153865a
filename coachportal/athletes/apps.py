from django.apps import AppConfig


class AthletesConfig(AppConfig):
    name = "coachportal.athletes"
    verbose_name = "Athletes"

    def ready(self):
        from . import audit_links  # the models are loaded only now

        audit_links.register()
