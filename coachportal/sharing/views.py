"""Share links: made from a session, an athlete profile or a comparison, listed with their views,
revoked; and the public page they open."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from coachportal.accounts import zones
from coachportal.athletes.models import Athlete
from coachportal.organizations.access import org_view
from coachportal.sessions import compare as comparing
from coachportal.sessions import profile, summaries
from coachportal.sessions.models import Session

from . import public, services
from .forms import ShareLinkForm
from .models import ShareLink

NOT_YOURS = "Only the person who made a link, an owner or an admin can revoke it."
RATE_WINDOW = timedelta(minutes=1)


@org_view()
def link_list(request, org):
    links = list(ShareLink.objects.for_org(org).newest_first()[:200])
    for link in links:
        link.can_revoke = link.is_live and services.may_revoke(link, request.membership)
    return render(request, "sharing/list.html", {"org": org, "links": links})


@dataclass
class Subject:
    """What a new link would show, as the pages that make links describe it."""

    kind: str
    object_id: int
    label: str  # stored with the link, shown on the list
    heading: str  # "Share this session"
    shows: str  # what the recipient sees
    back_url: str
    back_text: str
    extra_ids: list[int] = field(default_factory=list)
    query: str = ""  # the shown page's range or offsets, kept with the link
    action: str = ""  # this page's address, with its query string (the form posts to it)

    @property
    def noun(self) -> str:
        return ShareLink.Kind(self.kind).label.lower()


def _new_link(request, org, subject: Subject, *, refusal: str = ""):
    """The form that makes a link to `subject`, then the one page that ever shows its token."""
    form = ShareLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and not refusal:
        link, token = services.create_link(
            org, actor=request.user, kind=subject.kind, object_id=subject.object_id, label=subject.label,
            days=form.cleaned_data["days"], note=form.cleaned_data["note"], extra_ids=subject.extra_ids,
            query=subject.query,
        )  # fmt: skip
        # The token exists only in this response: it is stored hashed and cannot be shown again.
        url = request.build_absolute_uri(reverse("share:page", args=[token]))
        context = {"org": org, "subject": subject, "link": link, "url": url}
        response = render(request, "sharing/created.html", context)
        response["Cache-Control"] = "no-store"
        response["Referrer-Policy"] = "no-referrer"
        return response
    existing = ShareLink.objects.for_org(org).of(subject.kind, subject.object_id).newest_first()
    if subject.kind != ShareLink.Kind.SESSION:
        existing = existing.filter(extra_ids=subject.extra_ids, query=subject.query)
    links = list(existing[:50])
    for link in links:
        link.can_revoke = link.is_live and services.may_revoke(link, request.membership)
    context = {"org": org, "subject": subject, "form": form, "links": links, "refusal": refusal}
    return render(request, "sharing/new.html", context, status=400 if refusal else 200)


@org_view()
def new_session_link(request, org, session_id):
    session = get_object_or_404(
        Session.objects.for_org(org).visible().select_related("athlete"), pk=session_id
    )
    title = session.title or "Session"
    subject = Subject(
        kind=ShareLink.Kind.SESSION, object_id=session.pk,
        label=" · ".join(part for part in (title, session.athlete_display) if part),
        heading="Share this session",
        shows=f"the analysed video, the metrics and the notes of “{title}”",
        back_url=reverse("library:detail", args=[org.slug, session.pk]), back_text=title,
        action=request.get_full_path(),
    )  # fmt: skip
    return _new_link(request, org, subject)


@org_view()
def new_athlete_link(request, org, athlete_id):
    """A link to an athlete's profile over the range the coach was looking at (fixed to its dates)."""
    athlete = get_object_or_404(Athlete, pk=athlete_id, organization=org)
    date_range = summaries.fixed_range(request.GET, profile.today())
    query = summaries.range_query(date_range)
    subject = Subject(
        kind=ShareLink.Kind.ATHLETE, object_id=athlete.pk, label=f"{athlete.name} · {date_range.text}",
        heading=f"Share {athlete.name}'s progress",
        shows=f"the trend charts and personal bests of {athlete.name}, {date_range.text}, and the notes on "
        "those sessions",
        back_url=reverse("athletes:detail", args=[org.slug, athlete.pk]) + (f"?{query}" if query else ""),
        back_text=athlete.name, query=query, action=request.get_full_path(),
    )  # fmt: skip
    return _new_link(request, org, subject)


@org_view()
def new_comparison_link(request, org):
    """A link to the comparison in the query string (its sessions and their offsets)."""
    sessions, offsets, refusal = summaries.read_comparison(org, request.GET)
    if sessions is None:
        raise Http404("No such session.")  # another organization's id reads as a missing one
    ids = [s.pk for s in sessions]
    query = comparing.compare_query(ids, offsets)
    titles = " vs ".join(s.title or "(untitled)" for s in sessions)
    subject = Subject(
        kind=ShareLink.Kind.COMPARISON, object_id=ids[0], extra_ids=ids[1:],
        label=titles, heading="Share this comparison",
        shows=f"the videos played side by side, the key metrics and the notes of {titles}",
        back_url=reverse("library:compare", args=[org.slug]) + f"?{query}", back_text="Compare sessions",
        query=query, action=request.get_full_path(),
    )  # fmt: skip
    return _new_link(request, org, subject, refusal=refusal)


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
    shown = public.load(link)
    if shown is None:  # the object was deleted
        return _plain(request, "sharing/gone.html", 410)
    if not link.count_view(limit=settings.SHARE_LINK_VIEWS_PER_MINUTE, window=RATE_WINDOW):
        response = _plain(request, "sharing/busy.html", 429)
        response["Retry-After"] = str(int(RATE_WINDOW.total_seconds()))
        return response
    zones.activate_for(request.user, link.organization)  # the organization's zone (a member's own one)
    template, context = public.page(link, shown)
    return _private(render(request, template, {"link": link, **context}))
