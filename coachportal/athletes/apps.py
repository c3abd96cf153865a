from django.apps import AppConfig


class AthletesConfig(AppConfig):
    name = "coachportal.athletes"
    label = "athletes"
    verbose_name = "Athletes"
