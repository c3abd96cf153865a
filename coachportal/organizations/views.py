from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from coachportal.accounts.forms import InvitedSignupForm
from coachportal.accounts.models import User

from . import services
from .access import ORG_SESSION_KEY, org_view
from .emails import send_invitation
from .forms import InviteForm, OrganizationForm, OrganizationSettingsForm, RoleForm
from .models import Invitation, Membership, Role


def home(request):
    """Send people where they work: their last organization, their only one, or a way to make one."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    memberships = Membership.objects.filter(user=request.user).select_related("organization")
    slugs = [m.organization.slug for m in memberships]
    if not slugs:
        return redirect("create_organization")
    last = request.session.get(ORG_SESSION_KEY)
    return redirect("organizations:dashboard", org_slug=last if last in slugs else slugs[0])


@login_required
def create(request):
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        org = services.create_organization(name=form.cleaned_data["name"], owner=request.user)
        messages.success(request, f"{org.name} is ready.")
        return redirect("organizations:dashboard", org_slug=org.slug)
    return render(request, "organizations/create.html", {"form": form})


@org_view()
def members(request, org):
    return _members_page(request, org, InviteForm())


def _members_page(request, org, invite_form, *, status=200):
    """The members page: everyone with access, and for managers the invite form and pending invitations."""
    may_manage = request.membership.may_manage()
    return render(
        request,
        "organizations/members.html",
        {
            "org": org,
            "memberships": org.memberships.select_related("user").order_by("role", "user__email"),
            "invitations": (
                Invitation.objects.pending().filter(organization=org).select_related("invited_by")
                if may_manage
                else []
            ),
            "invite_form": invite_form,
            "roles": Role.choices,
            "invite_expiry_days": settings.INVITE_EXPIRY_DAYS,
        },
        status=status,
    )


@org_view(check="may_manage")
@require_POST
def invite(request, org):
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            new = services.invite(
                org,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                actor_membership=request.membership,
            )
        except services.MembershipError as error:
            form.add_error("email", str(error))
        else:
            send_invitation(request, new)
            messages.success(request, f"Invitation sent to {new.invitation.email}.")
            return redirect("organizations:members", org_slug=org.slug)
    return _members_page(request, org, form, status=400)


@org_view(check="may_manage")
@require_POST
def change_role(request, org, member_id):
    target = get_object_or_404(
        Membership.objects.select_related("user", "organization"), pk=member_id, organization=org
    )
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of owner, admin or coach.")
    else:
        try:
            services.change_role(target, form.cleaned_data["role"], actor_membership=request.membership)
        except services.MembershipError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{target.user} is now {target.get_role_display().lower()}.")
    return redirect("organizations:members", org_slug=org.slug)


@org_view(check="may_manage")
@require_POST
def remove_member(request, org, member_id):
    target = get_object_or_404(
        Membership.objects.select_related("user", "organization"), pk=member_id, organization=org
    )
    try:
        services.remove_member(target, actor_membership=request.membership)
    except services.MembershipError as error:
        messages.error(request, str(error))
        return redirect("organizations:members", org_slug=org.slug)
    messages.success(request, f"{target.user} no longer has access to {org.name}.")
    if target.user_id == request.user.pk:
        return redirect("home")
    return redirect("organizations:members", org_slug=org.slug)


@org_view(check="may_manage")
@require_POST
def revoke_invitation(request, org, invitation_id):
    invitation = get_object_or_404(Invitation, pk=invitation_id, organization=org)
    services.revoke_invitation(invitation, actor_membership=request.membership)
    messages.success(request, f"The invitation to {invitation.email} was withdrawn.")
    return redirect("organizations:members", org_slug=org.slug)


@org_view(check="may_manage")
def org_settings(request, org):
    form = OrganizationSettingsForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        form.save()
        services.AuditEvent.record(
            org, request.user, "organization.settings_changed", org, fields=sorted(form.changed_data)
        )
        messages.success(request, "Settings saved.")
        return redirect("organizations:settings", org_slug=org.slug)
    return render(
        request, "organizations/settings.html", {"org": org, "form": form}, status=400 if form.errors else 200
    )


@sensitive_post_parameters("password1", "password2")
def invitation(request, token):
    """Show an invitation and let its holder join: signed in, by one click; otherwise, by signing up."""
    try:
        invitation = services.find_invitation(token)
    except services.MembershipError as error:
        return render(request, "organizations/invitation_invalid.html", {"reason": str(error)}, status=410)

    form = None
    if request.user.is_authenticated:
        if not services.is_invited_address(invitation, request.user):
            return render(request, "organizations/invitation.html", {"invitation": invitation}, status=403)
        if request.method == "POST":
            return _accept(request, token, request.user)
    else:
        if User.objects.filter(email__iexact=invitation.email).exists():
            form = None  # they have an account: the page asks them to log in first
        else:
            form = InvitedSignupForm(request.POST or None, invited_email=invitation.email)
            if request.method == "POST" and form.is_valid():
                user = User.objects.create_user(
                    email=invitation.email,
                    password=form.cleaned_data["password1"],
                    name=form.cleaned_data["name"],
                )
                login(request, user, backend="coachportal.accounts.backends.EmailBackend")
                return _accept(request, token, user)
    return render(
        request,
        "organizations/invitation.html",
        {"invitation": invitation, "form": form},
        status=400 if form is not None and form.errors else 200,
    )


def _accept(request, token, user):
    try:
        membership = services.accept_invitation(token, user=user)
    except services.MembershipError as error:
        return render(request, "organizations/invitation_invalid.html", {"reason": str(error)}, status=410)
    messages.success(request, f"Welcome to {membership.organization.name}.")
    return redirect("organizations:dashboard", org_slug=membership.organization.slug)
