from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from axes.backends import AxesStandaloneBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connections, router

from coachportal.prepared import Columns, fetch, quoted


@dataclass(frozen=True)
class Companion:
    """What a layer above reads of the signed-in person in the same statement as the person: the
    organization gate's memberships, which every organization page reads next (one round trip, not two).

    `statement(connection)` gives (select list, LEFT JOIN clause on the person `u`, ORDER BY list): only the
    models' own table and column names, no values. `attach(user, extras, using, connection)` receives the
    rest of each row (all None where the join found nothing) and keeps what it read on the user instance,
    which lives for one request (Django's authentication reads the person again on every request)."""

    statement: Callable[[object], tuple[str, str, str]]
    attach: Callable[..., None]


_companion: list[Companion] = []  # at most one: a second join would multiply the first one's rows


def read_with_the_person(companion: Companion) -> None:
    """Register `companion` (organizations.apps registers the memberships when the apps are ready)."""
    if _companion and _companion[0] != companion:
        raise ImproperlyConfigured("Only one companion is read with the person.")
    _companion[:] = [companion]
    _user_statement.cache_clear()


@cache
def _user_statement(using: str) -> tuple[Columns, str]:
    user_model = get_user_model()
    connection = connections[using]
    columns = Columns.of(user_model, "u", connection)
    table, pk = quoted(connection, user_model), connection.ops.quote_name(user_model._meta.pk.column)
    if not _companion:
        return columns, f"SELECT {columns.sql} FROM {table} u WHERE u.{pk} = %s"  # noqa: S608 (names only)
    more, join, order = _companion[0].statement(connection)
    sql = f"SELECT {columns.sql}, {more} FROM {table} u {join} WHERE u.{pk} = %s ORDER BY {order}"  # noqa: S608
    return columns, sql


class EmailBackend(ModelBackend):
    """Authenticate by email address, whatever its case."""

    def authenticate(self, request, username=None, password=None, email=None, **kwargs):
        return super().authenticate(request, username=email or username, password=password, **kwargs)

    def get_user(self, user_id):
        """The signed-in person of every request, as ModelBackend reads them (an active user by id), with
        a statement composed once (coachportal.prepared) rather than built by the ORM each time, which
        also reads the registered companions (Companion: the person's memberships)."""
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
        user = columns.instance(rows[0][: columns.width], using=using, connection=connection)
        if not self.user_can_authenticate(user):
            return None
        if _companion:
            extras = [row[columns.width :] for row in rows]
            _companion[0].attach(user, extras, using=using, connection=connection)
        return user


class LoginThrottleBackend(AxesStandaloneBackend):
    """Refuse logins for an account + client IP that django-axes has locked out.

    Every login over HTTP passes the request. A call without one (the test client's `login()`, a shell)
    has no client to lock out, so it is let through to the next backend instead of raising.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
