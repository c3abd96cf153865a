"""Turn what happened (uploads failed or analysed, links opened, new sessions) into notifications.

Events are read from the rows themselves, so nothing is lost when a worker restarts and a re-run finds
the same event again (the notification's event key makes the second time a no-op).
"""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from coachportal.accounts import zones
from coachportal.athletes.models import Athlete
from coachportal.organizations.models import Membership, Role
from coachportal.sessions.models import Session
from coachportal.sharing.models import ShareLink
from coachportal.uploads.models import Upload

from .models import Kind
from .services import notify

LOOK_BACK = timedelta(days=2)
DIGEST_LIST = 10


def _upload_event(upload: Upload) -> dict | None:
    """What a failed or analysed upload tells its uploader (None: nothing to tell yet)."""
    org = upload.organization
    if upload.state == Upload.State.FAILED:
        return {
            "kind": Kind.UPLOAD_FAILED,
            "event_key": f"upload.failed:{upload.pk}:{upload.attempts}",
            "title": f"Upload failed: {upload.title}",
            "body": upload.last_error or "The video could not be analysed.",
            "url": reverse("uploads:list", args=[org.slug]),
        }
    if upload.state == Upload.State.DONE and upload.session_id:
        return {
            "kind": Kind.SESSION_READY,
            "event_key": f"upload.done:{upload.pk}",
            "title": f"Analysis ready: {upload.title}",
            "body": "The analysed video and metrics are in the library.",
            "url": reverse("library:detail", args=[org.slug, upload.session_id]),
        }
    return None


def _settled_uploads():
    return Upload.objects.filter(
        state__in=[Upload.State.FAILED, Upload.State.DONE], uploaded_by__isnull=False
    ).select_related("organization", "uploaded_by")


def _tell_uploaders(uploads) -> list[int]:
    created = []
    for upload in uploads.iterator(chunk_size=500):
        event = _upload_event(upload)
        if event is not None:
            note = notify(recipient=upload.uploaded_by, organization=upload.organization, **event)
            if note is not None:
                created.append(note.pk)
    return created


def upload_events(since, organization=None) -> int:
    """A failed upload tells its uploader once per failed attempt; an analysed one, once."""
    uploads = _settled_uploads().filter(updated_at__gte=since)
    if organization is not None:
        uploads = uploads.filter(organization=organization)
    return len(_tell_uploaders(uploads))


def settled_upload_events(upload_ids: list[int]) -> list[int]:
    """The same events for the uploads that just failed or finished; the new notifications' ids."""
    return _tell_uploaders(_settled_uploads().filter(pk__in=upload_ids))


def share_events(since, organization=None) -> int:
    """A share link opened for the first time tells whoever made it."""
    created = 0
    links = ShareLink.objects.filter(first_viewed_at__gte=since, created_by__isnull=False).select_related(
        "organization", "created_by"
    )
    if organization is not None:
        links = links.filter(organization=organization)
    for link in links.iterator(chunk_size=500):
        created += bool(
            notify(
                recipient=link.created_by,
                organization=link.organization,
                kind=Kind.SHARE_VIEWED,
                event_key=f"share.viewed:{link.pk}",
                title=f"Your link was opened: {link.label}",
                body="The read-only link you shared was opened for the first time.",
                url=reverse("sharing:list", args=[link.organization.slug]),
            )
        )
    return created


def _new_sessions(recent) -> tuple[int, list[tuple[str, object]]]:
    """(how many, the newest DIGEST_LIST as (title, recorded_at)) of a queryset of new sessions."""
    listed = list(recent.newest_first().values_list("title", "recorded_at")[:DIGEST_LIST])
    return (recent.count() if listed else 0), listed


def digests(now=None) -> int:
    """Once a day per person and organization: the sessions that arrived in the last 24 hours.

    A coach with athletes assigned gets their athletes' sessions; everyone else, the organization's. Each
    session's time is written in the reader's zone, named.
    """
    now = now or timezone.now()
    day = timezone.localdate(now).isoformat()
    created = 0
    memberships = Membership.objects.select_related("user", "organization").order_by("organization_id")
    new_by_org: dict[int, tuple[int, list]] = {}
    for membership in memberships.iterator(chunk_size=500):
        org = membership.organization
        recent = Session.objects.for_org(org).visible().filter(created_at__gte=now - timedelta(days=1))
        mine = (
            list(Athlete.objects.coached_by(membership).values_list("pk", flat=True))
            if membership.role == Role.COACH
            else []
        )
        if mine:
            count, listed = _new_sessions(recent.filter(athlete_id__in=mine))
        else:
            if org.pk not in new_by_org:
                new_by_org[org.pk] = _new_sessions(recent)
            count, listed = new_by_org[org.pk]
        if not count:
            continue
        zone = zones.zone_for(membership.user, org)
        more = count - len(listed)
        body = "\n".join(
            f"• {t or '(untitled)'} · {zones.moment_text(at.astimezone(zone))}" for t, at in listed
        ) + (f"\n… and {more} more" if more > 0 else "")
        created += bool(
            notify(
                recipient=membership.user,
                organization=org,
                kind=Kind.DAILY_DIGEST,
                event_key=f"digest:{org.pk}:{day}",
                title=f"{count} new session{'s' if count != 1 else ''}"
                + (" of your athletes" if mine else "")
                + f" in {org.name}",
                body=body,
                url=reverse("library:list", args=[org.slug]),
            )
        )
    return created


def collect(now=None, *, organization=None) -> int:
    """Record the upload and share-link events of the last two days (a re-run adds nothing)."""
    since = (now or timezone.now()) - LOOK_BACK
    return upload_events(since, organization) + share_events(since, organization)
