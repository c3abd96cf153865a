from functools import cache

from axes.backends import AxesStandaloneBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connections, router

from coachportal.prepared import Columns, fetch, quoted


@cache
def _user_statement(using: str) -> tuple[Columns, str]:
    user_model = get_user_model()
    connection = connections[using]
    columns = Columns.of(user_model, "u", connection)
    table, pk = quoted(connection, user_model), connection.ops.quote_name(user_model._meta.pk.column)
    return columns, f"SELECT {columns.sql} FROM {table} u WHERE u.{pk} = %s"  # noqa: S608 (names only)


class EmailBackend(ModelBackend):
    """Authenticate by email address, whatever its case."""

    def authenticate(self, request, username=None, password=None, email=None, **kwargs):
        return super().authenticate(request, username=email or username, password=password, **kwargs)

    def get_user(self, user_id):
        """The signed-in person of every request, as ModelBackend reads them (an active user by id), with
        a statement composed once (coachportal.prepared) rather than built by the ORM each time."""
        user_model = get_user_model()
        try:
            pk = user_model._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        using = router.db_for_read(user_model)
        columns, sql = _user_statement(using)
        connection, rows = fetch(using, sql, [pk])
        if not rows:
            return None
        user = columns.instance(rows[0], using=using, connection=connection)
        return user if self.user_can_authenticate(user) else None


class LoginThrottleBackend(AxesStandaloneBackend):
    """Refuse logins for an account + client IP that django-axes has locked out.

    Every login over HTTP passes the request. A call without one (the test client's `login()`, a shell)
    has no client to lock out, so it is let through to the next backend instead of raising.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
