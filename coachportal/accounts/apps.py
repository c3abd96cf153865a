from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "coachportal.accounts"
    label = "accounts"
    verbose_name = "Accounts"
