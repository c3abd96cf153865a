from django.apps import AppConfig


class UploadsConfig(AppConfig):
    name = "coachportal.uploads"
    verbose_name = "Uploads"

    def ready(self):
        from . import receivers  # noqa: F401 (connects to the library's signals once the models are loaded)
