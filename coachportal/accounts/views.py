from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters

from coachportal.organizations.services import signup_with_organization

from .forms import SignupForm, TimeZoneForm


@sensitive_post_parameters("password1", "password2")
def signup(request):
    """Create an account and its first organization, with the new user as owner."""
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user, org = signup_with_organization(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            name=form.cleaned_data["name"],
            organization_name=form.cleaned_data["organization_name"],
            time_zone=form.cleaned_data["time_zone"],
        )
        login(request, user, backend="coachportal.accounts.backends.EmailBackend")
        messages.success(request, f"Welcome! {org.name} is ready. Invite your coaches from the Members page.")
        return redirect("organizations:dashboard", org_slug=org.slug)
    return render(request, "accounts/signup.html", {"form": form})


def locked_out(request, response=None, credentials=None):
    """Answer a login attempt for an account + IP that django-axes has locked out."""
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes}
    return render(request, "accounts/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)


@login_required
def preferences(request):
    """A person's own settings: the time zone every page shows them (over each organization's)."""
    form = TimeZoneForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(
            request,
            "Saved. Times now show in your chosen zone."
            if request.user.time_zone
            else "Saved. Times now show in each organization's zone.",
        )
        return redirect("accounts:preferences")
    return render(request, "accounts/preferences.html", {"form": form})
