from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "coachportal.accounts"
    verbose_name = "Accounts"
