from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "coachportal.organizations"
    verbose_name = "Organizations"

    def ready(self):
        # Before any URLconf is read: every route names its ids with <id:...> (canonical ints only).
        from coachportal import converters, deploychecks  # noqa: F401 (deploychecks registers its checks)

        # The gate's memberships are read with the signed-in person (accounts.backends.Companion).
        from . import access  # noqa: F401 (registers them)

        converters.register()
