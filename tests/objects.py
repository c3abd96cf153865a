"""One of each object an organization owns, for the tests that sweep every page with real ids."""

from datetime import timedelta

from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from coachportal.athletes.models import Athlete
from coachportal.organizations.models import Invitation, ProviderCredential, Role
from coachportal.sessions.models import Session
from coachportal.uploads.models import Upload

from .factories import make_member


def one_of_each(org, owner, *, tag: str) -> dict:
    """Create an athlete, session, upload, invitation, coach membership, provider key, note, share link,
    report job (and match) in `org`."""
    athlete = Athlete.objects.create(organization=org, name=f"{tag} athlete", aikynetix_user_id=f"{tag}-uid")
    session = Session.objects.create(
        organization=org, external_id=f"{tag}-session", athlete=athlete, title=f"{tag} session"
    )
    name = default_storage.save(f"uploads/{org.pk}/{tag}.mp4", ContentFile(b"\x00\x00\x00\x18ftypmp42"))
    upload = Upload.objects.create(
        organization=org,
        athlete=athlete,
        file=name,
        activity="running",
        title=f"{tag} upload",
        original_filename=f"{tag}.mp4",
        size=12,
        state="failed",
    )
    invitation = Invitation.objects.create(
        organization=org, email=f"new-{tag}@example.com", token_hash=tag[:1] * 64, invited_by=owner
    )
    coach = make_member(org, Role.COACH, email=f"coach-{tag}@example.com")
    athlete.coaches.add(coach)  # the coach is assigned to the athlete
    credential = ProviderCredential(organization=org, provider="aikynetix", created_by=owner)
    credential.set_key(f"{tag}-secret-key-1234")
    credential.save()
    objects = {
        "athlete": athlete,
        "session": session,
        "upload": upload,
        "invitation": invitation,
        "membership": coach,
        "credential": credential,
    }
    if apps.is_installed("coachportal.matches"):
        match_model = apps.get_model("matches", "Match")
        objects["match"] = match_model.objects.create(
            organization=org, title=f"{tag} derby", source=match_model.Source.choices[0][0]
        )
    if apps.is_installed("coachportal.notes"):
        objects["note"] = apps.get_model("notes", "Note").objects.create(
            organization=org, session=session, author=owner, at_seconds=1.2, text=f"{tag} note",
            shapes=[{"type": "arrow", "points": [[0.1, 0.1], [0.5, 0.5]]}],
        )  # fmt: skip
    if apps.is_installed("coachportal.sharing"):
        objects["share_link"] = apps.get_model("sharing", "ShareLink").objects.create(
            organization=org, kind="session", object_id=session.pk, label=f"{tag} session",
            token_hash=(tag[:1] * 64), created_by=owner, expires_at=timezone.now() + timedelta(days=7),
        )  # fmt: skip
    if apps.is_installed("coachportal.reports"):
        objects["report_job"] = apps.get_model("reports", "ReportJob").objects.create(
            organization=org, requested_by=owner, kind="athlete", object_id=athlete.pk,
            title=f"{tag} athlete",
            back_url=f"/o/{org.slug}/athletes/{athlete.pk}/", expires_at=timezone.now() + timedelta(days=1),
        )  # fmt: skip
    if apps.is_installed("coachportal.notifications"):
        objects["notification"] = apps.get_model("notifications", "Notification").objects.create(
            recipient=owner, organization=org, kind="upload_failed", event_key=f"{tag}-event",
            title=f"{tag} upload failed", url=f"/o/{org.slug}/uploads/",
        )  # fmt: skip
    return objects
