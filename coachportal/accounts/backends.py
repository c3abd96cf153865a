from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    """Authenticate by email address, whatever its case."""

    def authenticate(self, request, username=None, password=None, email=None, **kwargs):
        return super().authenticate(request, username=email or username, password=password, **kwargs)


class LoginThrottleBackend(AxesStandaloneBackend):
    """Refuse logins for an account + client IP that django-axes has locked out.

    Every login over HTTP passes the request. A call without one (the test client's `login()`, a shell)
    has no client to lock out, so it is let through to the next backend instead of raising.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
