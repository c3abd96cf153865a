from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from coachportal.accounts import zones

from .services import NewInvitation


def send_invitation(request, new: NewInvitation) -> None:
    """Email the one-time link; the token exists nowhere else after this."""
    invitation = new.invitation
    # The invited person has no zone of their own yet: the organization's, named.
    expires = invitation.expires_at.astimezone(zones.zone_for(None, invitation.organization))
    context = {
        "invitation": invitation,
        "link": request.build_absolute_uri(reverse("invitation", kwargs={"token": new.token})),
        "expiry_days": settings.INVITE_EXPIRY_DAYS,
        "expires": zones.moment_text(expires),
        "inviter": invitation.invited_by,
    }
    send_mail(
        subject=f"You're invited to {invitation.organization.name} on Coach Portal",
        message=render_to_string("organizations/email/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )
