"""The organization dashboard's figures: `dashboard_context(org)` for templates/organizations/dashboard.html
(its library panel is templates/sessions/_dashboard.html), `setup_steps(org)` for a new organization's
checklist and `since_last_visit(org, membership)` for a coach's "new since your last visit"."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from coachportal.athletes.models import Athlete
from coachportal.organizations.models import Invitation, Membership, ProviderCredential, Role
from coachportal.sessions.models import Session
from coachportal.uploads.models import Upload

RECENT = 5
NEW_SHOWN = 10


def dashboard_context(org) -> dict:
    """Counts for this week, processing and failed, plus the most recent sessions (four queries)."""
    now = timezone.now()
    week_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    week_start -= timedelta(days=week_start.weekday())  # Monday
    visible = Session.objects.for_org(org).visible()
    counts = visible.aggregate(
        this_week=Count("pk", filter=Q(recorded_at__gte=week_start)),
        processing=Count("pk", filter=Q(status=Session.Status.PROCESSING)),
        failed=Count("pk", filter=Q(status=Session.Status.FAILED)),
    )
    return {
        "library_counts": counts,
        "failed_uploads": Upload.objects.for_org(org).failed().count(),
        "library_recent": list(visible.for_list().newest_first()[:RECENT]),
        "library_week_start": week_start,
    }


@dataclass(frozen=True)
class Step:
    title: str
    done: bool
    detail: str
    url: str
    action: str
    state: str = ""  # "done", "next" (the first one not done) or "later"


def setup_steps(org) -> list[Step]:
    """The first hour, in the order it goes: connect a key, add athletes, first upload, invite a coach."""
    keys = list(ProviderCredential.objects.filter(organization=org).values_list("status", flat=True))
    working = [s for s in keys if s in (ProviderCredential.Status.OK, ProviderCredential.Status.NOT_ADMIN)]
    athletes = Athlete.objects.filter(organization=org).count()
    uploaded = Upload.objects.for_org(org).exists() or Session.objects.for_org(org).visible().exists()
    coaches = Membership.objects.filter(organization=org, role=Role.COACH).exists()
    invited = Invitation.objects.filter(organization=org, role=Role.COACH).exists()
    slug = org.slug
    steps = [
        Step(
            "Connect your AiKYNETIX key",
            bool(working),
            "Key saved and working."
            if working
            else (
                "A key is saved but not working yet: test it again."
                if keys
                else "Paste the key from your AiKYNETIX dashboard."
            ),
            reverse("organizations:providers", args=[slug]),
            "Add a key" if not keys else "Check the key",
        ),
        Step(
            "Add your athletes",
            athletes > 0,
            f"{athletes} athlete{'s' if athletes != 1 else ''} on the roster."
            if athletes
            else "By hand, from a CSV file, or from your AiKYNETIX clients.",
            reverse("athletes:list", args=[slug]),
            "Add athletes",
        ),
        Step(
            "Upload a first video",
            uploaded,
            "Your first session is in."
            if uploaded
            else "Upload a clip for an athlete; AiKYNETIX analyses it.",
            reverse("uploads:new", args=[slug]),
            "Upload a video",
        ),
        Step(
            "Invite a coach",
            coaches or invited,
            "A coach has joined."
            if coaches
            else (
                "Invitation sent; waiting for the coach to join."
                if invited
                else "Coaches see the sessions; they need no key."
            ),
            reverse("organizations:members", args=[slug]),
            "Invite a coach",
        ),
    ]
    first_open = next((i for i, step in enumerate(steps) if not step.done), None)
    return [
        Step(**{**step.__dict__, "state": "done" if step.done else ("next" if i == first_open else "later")})
        for i, step in enumerate(steps)
    ]


def since_last_visit(org, membership) -> dict:
    """Sessions of the person's athletes (those assigned to them; every athlete when none are) that reached
    the library since they last opened the dashboard; then note this visit."""
    previous = membership.last_seen_at
    now = timezone.now()
    new = Session.objects.for_org(org).visible()
    mine = list(Athlete.objects.coached_by(membership).values_list("pk", flat=True))
    if mine:
        new = new.filter(athlete_id__in=mine)
    if previous is not None:
        new = new.filter(created_at__gt=previous)
    shown = list(new.for_list().order_by("-created_at")[: NEW_SHOWN + 1])
    Membership.objects.filter(pk=membership.pk).update(last_seen_at=now)
    return {
        "last_visit": previous,
        "new_sessions": shown[:NEW_SHOWN],
        "more_new": len(shown) > NEW_SHOWN,
        "my_athletes": len(mine),  # 0: nobody is assigned to them, so every athlete's sessions are shown
    }
