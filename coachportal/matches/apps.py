from django.apps import AppConfig


class MatchesConfig(AppConfig):
    name = "coachportal.matches"
    label = "matches"
    verbose_name = "Matches (AI on the Ball)"
    default_auto_field = "django.db.models.BigAutoField"
