"""The one gate for every organization page: membership and role, checked before the view runs."""

from collections.abc import Callable
from functools import cache, wraps

from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import connections, router
from django.http import Http404, HttpRequest, HttpResponse
from django_htmx.http import HttpResponseClientRedirect

from coachportal.accounts import zones
from coachportal.accounts.backends import Companion, read_with_the_person
from coachportal.prepared import Columns, fetch, quoted

from .models import Membership, Organization

ORG_SESSION_KEY = "current_org"


@cache
def _memberships_statement(using: str) -> tuple[Columns, Columns, str]:
    connection = connections[using]
    member, org = Columns.of(Membership, "m", connection), Columns.of(Organization, "o", connection)
    m_table, o_table = quoted(connection, Membership), quoted(connection, Organization)
    m_org, m_user = quoted(connection, Membership, "organization"), quoted(connection, Membership, "user")
    o_id, o_name = quoted(connection, Organization, "id"), quoted(connection, Organization, "name")
    sql = (
        f"SELECT {member.sql}, {org.sql} FROM {m_table} m"  # noqa: S608 (the models' names only)
        f" INNER JOIN {o_table} o ON o.{o_id} = m.{m_org} WHERE m.{m_user} = %s ORDER BY o.{o_name}"
    )
    return member, org, sql


def memberships_of(user_id) -> list[Membership]:
    """The person's memberships with their organizations, by organization name: what
    `Membership.objects.select_related("organization").filter(user_id=...)` gives, read by a statement
    composed once (its construction by the ORM cost more CPU than the rest of the gate; issue 18)."""
    using = router.db_for_read(Membership)
    member, org, sql = _memberships_statement(using)
    connection, rows = fetch(using, sql, [user_id])
    return _memberships(rows, member, org, using, connection)


# The memberships read with the person (accounts.backends.Companion), kept on the request's user instance
# until the gate takes them.
READ_WITH_THE_PERSON = "_memberships_read_with_the_person"


@cache
def _companion_columns(using: str) -> tuple[Columns, Columns]:
    connection = connections[using]
    return Columns.of(Membership, "m", connection), Columns.of(Organization, "o", connection)


def _companion_statement(connection) -> tuple[str, str, str]:
    """The person's memberships and their organizations, joined to the person's row (`u`), by name."""
    member, org = _companion_columns(connection.alias)
    m_table, o_table = quoted(connection, Membership), quoted(connection, Organization)
    m_org, m_user = quoted(connection, Membership, "organization"), quoted(connection, Membership, "user")
    o_id, o_name = quoted(connection, Organization, "id"), quoted(connection, Organization, "name")
    u_id = connection.ops.quote_name(get_user_model()._meta.pk.column)
    join = f"LEFT JOIN ({m_table} m INNER JOIN {o_table} o ON o.{o_id} = m.{m_org}) ON m.{m_user} = u.{u_id}"
    return f"{member.sql}, {org.sql}", join, f"o.{o_name}"


def _attach_memberships(user, extras, *, using: str, connection) -> None:
    member, org = _companion_columns(using)
    setattr(user, READ_WITH_THE_PERSON, _memberships(extras, member, org, using, connection))


def _memberships(rows, member: Columns, org: Columns, using: str, connection) -> list[Membership]:
    found = []
    for row in rows:
        if row[0] is None:  # the person's row with no membership joined to it
            continue
        membership = member.instance(row[: member.width], using=using, connection=connection)
        membership.organization = org.instance(row[member.width :], using=using, connection=connection)
        found.append(membership)
    return found


read_with_the_person(Companion(statement=_companion_statement, attach=_attach_memberships))


def memberships_for(user) -> list[Membership]:
    """The signed-in person's memberships (memberships_of), as read with the person in this request when
    they were (once: a second call reads them again), else read now."""
    kept = getattr(user, READ_WITH_THE_PERSON, None)
    if kept is None:
        return memberships_of(user.pk)
    delattr(user, READ_WITH_THE_PERSON)
    return kept


def org_view(*, check: str = "may_view") -> Callable:
    """Decorate a view under /o/<org_slug>/ so that it receives (request, org, ...).

    Anonymous visitors are sent to the login page, non-members get a 404 (nothing leaks about the
    organization), and members for whom the Membership rule named by `check` (`may_manage`,
    `may_upload`, ...) says no get a 403 with that rule's message.
    """
    rule = getattr(Membership, check, None)
    if not hasattr(rule, "refused"):
        raise ImproperlyConfigured(f"org_view(check={check!r}): Membership has no @rule method of that name.")

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, org_slug: str, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                if getattr(request, "htmx", False):
                    # A swap target cannot show a login page; send the whole window there.
                    return HttpResponseClientRedirect(redirect_to_login(request.get_full_path()).url)
                return redirect_to_login(request.get_full_path())
            # All of the user's memberships, read with the person (no query of their own): the page's
            # organization switcher lists them, so the context processor reuses this list.
            memberships = memberships_for(request.user)
            membership = next((m for m in memberships if m.organization.slug == org_slug), None)
            if membership is None:
                raise Http404("No such organization.")
            if not rule(membership):
                raise PermissionDenied(rule.refused)
            request.org = membership.organization
            request.membership = membership
            request.memberships = memberships
            zones.activate_for(request.user, membership.organization)  # every time on the page in its zone
            if request.session.get(ORG_SESSION_KEY) != org_slug:
                request.session[ORG_SESSION_KEY] = org_slug  # where `/` takes them next time
            return view(request, membership.organization, *args, **kwargs)

        # Read by the URL guard test: every view under /o/<org_slug>/ must carry these.
        wrapped.org_guarded = True
        wrapped.org_check = check
        return wrapped

    return decorator
