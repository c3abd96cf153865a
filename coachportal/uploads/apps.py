from django.apps import AppConfig


class UploadsConfig(AppConfig):
    name = "coachportal.uploads"
    label = "uploads"
    verbose_name = "Uploads"
