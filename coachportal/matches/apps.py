from django.apps import AppConfig


class MatchesConfig(AppConfig):
    name = "coachportal.matches"
    verbose_name = "Matches (AI on the Ball)"

    def ready(self):
        from . import audit_links, receivers  # noqa: F401 (connects to the library's signals once the models are loaded)

        audit_links.register()
