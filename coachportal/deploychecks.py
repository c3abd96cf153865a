"""Checks `manage.py check --deploy` adds for this project's own settings."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

CONSOLE_EMAIL = Warning(
    "Email is printed to the log (EMAIL_CONSOLE_ALLOWED=1 without EMAIL_HOST): password-reset and "
    "invitation links end up in the logs.",
    hint="Set EMAIL_HOST and its credentials, and remove EMAIL_CONSOLE_ALLOWED.",
    id="coachportal.W001",
)
LOCAL_PLAIN_HTTP = Warning(
    "LOCAL_PLAIN_HTTP is on: cookies are sent over plain http and HTTPS is not enforced.",
    hint="It is for checking production settings on this machine only; remove it in production.",
    id="coachportal.W002",
)
LOG_BACKENDS = ("console.EmailBackend", "filebased.EmailBackend")


@register(Tags.security, deploy=True)
def check_secrets_stay_out_of_logs(app_configs, **kwargs):
    found = []
    if not settings.DEBUG and settings.EMAIL_BACKEND.endswith(LOG_BACKENDS):
        found.append(CONSOLE_EMAIL)
    if getattr(settings, "LOCAL_PLAIN_HTTP", False):
        found.append(LOCAL_PLAIN_HTTP)
    return found
