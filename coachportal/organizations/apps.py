from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "coachportal.organizations"
    label = "organizations"
    verbose_name = "Organizations"
