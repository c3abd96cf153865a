"""Share links: made from a session, listed with their views, revoked; and the public page they open."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from coachportal.accounts import zones
from coachportal.notes.models import Note
from coachportal.organizations.access import org_view
from coachportal.sessions import metrics
from coachportal.sessions import services as library
from coachportal.sessions.models import Session

from . import services
from .forms import ShareLinkForm
from .models import ShareLink

NOT_YOURS = "Only the person who made a link, an owner or an admin can revoke it."
RATE_WINDOW = timedelta(minutes=1)
VIDEO_UNAVAILABLE = "The video cannot be loaded right now. Try again in a few minutes."


@org_view()
def link_list(request, org):
    links = list(ShareLink.objects.for_org(org).newest_first()[:200])
    for link in links:
        link.can_revoke = link.is_live and services.may_revoke(link, request.membership)
    return render(request, "sharing/list.html", {"org": org, "links": links})


@org_view()
def new_session_link(request, org, session_id):
    session = get_object_or_404(
        Session.objects.for_org(org).visible().select_related("athlete"), pk=session_id
    )
    form = ShareLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        label = " · ".join(part for part in (session.title or "Session", session.athlete_display) if part)
        link, token = services.create_link(
            org, actor=request.user, kind=ShareLink.Kind.SESSION, object_id=session.pk, label=label,
            days=form.cleaned_data["days"], note=form.cleaned_data["note"],
        )  # fmt: skip
        # The token exists only in this response: it is stored hashed and cannot be shown again.
        url = request.build_absolute_uri(reverse("share:page", args=[token]))
        response = render(
            request, "sharing/created.html", {"org": org, "s": session, "link": link, "url": url}
        )
        response["Cache-Control"] = "no-store"
        response["Referrer-Policy"] = "no-referrer"
        return response
    existing = list(ShareLink.objects.for_org(org).of(ShareLink.Kind.SESSION, session.pk).newest_first()[:50])
    for link in existing:
        link.can_revoke = link.is_live and services.may_revoke(link, request.membership)
    return render(request, "sharing/new.html", {"org": org, "s": session, "form": form, "links": existing})


@org_view()
@require_POST
def revoke(request, org, pk):
    link = get_object_or_404(ShareLink.objects.for_org(org), pk=pk)
    if not services.may_revoke(link, request.membership):
        raise PermissionDenied(NOT_YOURS)
    if services.revoke(link, actor=request.user):
        messages.success(request, "Link revoked: it now answers “no longer available”.")
    return redirect("sharing:list", org_slug=org.slug)


# The public page -------------------------------------------------------------------------------------


def _private(response):
    """Headers for every answer at a share URL: not indexed, not cached, the URL never sent onwards."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response


def _plain(request, template: str, status: int):
    return _private(render(request, template, status=status))


@require_http_methods(["GET", "HEAD"])
def page(request, token):
    link = services.find(token)
    if link is None:
        return _plain(request, "sharing/missing.html", 404)
    if not link.is_live:
        return _plain(request, "sharing/gone.html", 410)
    session = (
        Session.objects.for_org(link.organization)
        .visible()
        .select_related("athlete")
        .filter(pk=link.object_id)
        .first()
        if link.kind == ShareLink.Kind.SESSION
        else None
    )
    if session is None:  # the object was deleted, or a kind this page does not show yet
        return _plain(request, "sharing/gone.html", 410)
    if not link.count_view(limit=settings.SHARE_LINK_VIEWS_PER_MINUTE, window=RATE_WINDOW):
        response = _plain(request, "sharing/busy.html", 429)
        response["Retry-After"] = str(int(RATE_WINDOW.total_seconds()))
        return response
    video_error = ""
    if session.analyzed_video_needs_refresh():
        try:
            library.refresh_analyzed_video_url(session)
        except library.ProviderActionFailed:
            video_error = VIDEO_UNAVAILABLE  # the organization's provider trouble is not the recipient's
    notes = list(Note.objects.for_session(session).order_by("at_seconds", "id"))
    zones.activate_for(request.user, link.organization)  # the organization's zone (a member's own one)
    context = {
        "link": link,
        "s": session,
        "video_error": video_error,
        "metric_groups": metrics.metric_groups(session.activity, session.metrics),
        "notes": notes,
        "notes_data": [n.as_data() for n in notes],
    }
    return _private(render(request, "sharing/page.html", context))
