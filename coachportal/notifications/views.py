"""The in-app list (with the header's unread count), marking read, choices, and one-click unsubscribe."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from coachportal.organizations.access import org_view
from coachportal.organizations.models import Organization

from . import services
from .forms import PreferencesForm
from .models import Kind, Notification

PAGE = 100


@org_view()
def inbox(request, org):
    items = list(Notification.objects.shown_to(request.user, org).order_by("-created_at", "-id")[:PAGE])
    return render(request, "notifications/list.html", {"org": org, "items": items})


@org_view()
def bell(request, org):
    """The header's unread count, fetched after the page loads so no page pays for it."""
    unread = Notification.objects.shown_to(request.user, org).unread().count()
    return render(request, "notifications/list.html#bell", {"org": org, "unread": unread})


@org_view()
@require_POST
def read(request, org, pk):
    item = get_object_or_404(Notification.objects.shown_to(request.user, org), pk=pk)
    services.mark_read(request.user, org, pk=item.pk)
    if item.url and url_has_allowed_host_and_scheme(item.url, allowed_hosts=None):
        return redirect(item.url)
    return redirect("notifications:list", org_slug=org.slug)


@org_view()
@require_POST
def read_all(request, org):
    services.mark_read(request.user, org)
    return redirect("notifications:list", org_slug=org.slug)


@org_view()
def preferences(request, org):
    form = PreferencesForm(request.POST or None, choices=services.choices_for(request.user, org))
    if request.method == "POST" and form.is_valid():
        services.save_choices(request.user, org, form.chosen())
        messages.success(request, "Notification choices saved.")
        return redirect("notifications:preferences", org_slug=org.slug)
    return render(request, "notifications/preferences.html", {"org": org, "form": form})


@csrf_exempt  # the signed token is the proof; mail clients post here without a session (RFC 8058)
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET asks for the one click (mail scanners follow links); POST stops that kind of email."""
    claim = services.read_unsubscribe_token(token)
    user = claim and get_user_model().objects.filter(pk=claim["u"]).first()
    org = claim and Organization.objects.filter(pk=claim["o"]).first()
    if not (claim and user and org):
        response = render(request, "notifications/unsubscribe.html", {"invalid": True}, status=404)
    else:
        done = request.method == "POST"
        if done:
            services.unsubscribe(user_id=user.pk, organization_id=org.pk, kind=claim["k"])
        context = {"org": org, "kind": Kind(claim["k"]).label, "done": done}
        response = render(request, "notifications/unsubscribe.html", context)
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "no-store"
    return response
