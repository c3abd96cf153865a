"""How django-axes names the client of a login attempt: the account (an email) and the IP address."""

from django.conf import settings
from django.http import HttpRequest

USERNAME_COLUMN = 255  # django-axes stores the name tried in a 255-character column


def client_username(request: HttpRequest, credentials: dict | None) -> str:
    """Return the email tried, lower-cased, so that changing its case does not reset the count."""
    field = settings.AXES_USERNAME_FORM_FIELD
    value = (credentials or {}).get(field) or request.POST.get(field) or ""
    return str(value).strip().lower()[:USERNAME_COLUMN]


def client_ip(request: HttpRequest) -> str:
    """Return the address of the browser, trusting X-Forwarded-For only as far as our own proxies.

    Each proxy appends the address it received the request from to X-Forwarded-For, so the last
    TRUSTED_PROXY_COUNT entries were written by proxies we run (Heroku's router is one); anything to
    their left came from the client and can be forged. With no trusted proxy (the default) the header
    is ignored and the socket's address is used.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        # Fewer entries than proxies: the request did not come through all of them.
        return remote
    return forwarded[-count]
