"""The one gate for every organization page: membership and role, checked before the view runs."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django_htmx.http import HttpResponseClientRedirect

from coachportal.accounts import zones

from .models import Membership

ORG_SESSION_KEY = "current_org"


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
            # One query for all of the user's memberships: the page's organization switcher lists them,
            # so the context processor reuses this list instead of asking again.
            # By the user's id: a model instance as the value costs a related-lookup step per request.
            memberships = list(
                Membership.objects.select_related("organization").filter(user_id=request.user.pk)
            )
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
