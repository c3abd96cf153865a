"""The providers settings page: one card per provider, with its key, status and actions."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST

from . import credentials
from .access import org_view
from .forms import ProviderKeyForm
from .models import MANAGERS, Provider, ProviderCredential

TEMPLATE = "organizations/providers.html"


def _provider(value: str) -> Provider:
    try:
        return Provider(value)
    except ValueError:
        raise Http404("No such provider.") from None


def _cards(org, forms=None):
    existing = {c.provider: c for c in ProviderCredential.objects.filter(organization=org)}
    forms = forms or {}
    return [
        {
            "provider": p,
            "credential": existing.get(p.value),
            "form": forms.get(p.value) or ProviderKeyForm(prefix=p.value),
        }
        for p in Provider
    ]


@org_view(roles=MANAGERS)
def providers(request, org):
    return render(request, TEMPLATE, {"org": org, "cards": _cards(org)})


@sensitive_post_parameters()
@org_view(roles=MANAGERS)
@require_POST
@sensitive_variables("form")
def save_key(request, org, provider):
    provider = _provider(provider)
    form = ProviderKeyForm(request.POST, prefix=provider.value)
    if not form.is_valid():
        return render(
            request, TEMPLATE, {"org": org, "cards": _cards(org, {provider.value: form})}, status=400
        )
    credential = credentials.save_key(
        org,
        provider.value,
        api_key=form.cleaned_data["api_key"],
        label=form.cleaned_data["label"],
        actor=request.user,
    )
    # Test at once: a person pasting a key wants to know now whether it works, not at the first upload.
    outcome = credentials.test_connection(credential, actor=request.user)
    _report(request, provider, credential, outcome.message, saved=True)
    return redirect("organizations:providers", org_slug=org.slug)


def _report(request, provider, credential, message: str, *, saved: bool = False) -> None:
    """One flash message saying what the key test found, in the colour of the result."""
    text = " ".join(
        part
        for part in (
            f"{provider.label} key saved." if saved else "",
            message or f"{provider.label}: {credential.get_status_display()}.",
        )
        if part
    )
    level = {
        ProviderCredential.Status.OK: messages.SUCCESS,
        ProviderCredential.Status.NOT_ADMIN: messages.WARNING,
    }.get(credential.status, messages.ERROR)
    messages.add_message(request, level, text)


@org_view(roles=MANAGERS)
@require_POST
def test_key(request, org, provider):
    provider = _provider(provider)
    credential = ProviderCredential.objects.for_org(org, provider).first()
    if credential is None:
        raise Http404("No key saved for this provider.")
    outcome = credentials.test_connection(credential, actor=request.user)
    if request.htmx:
        card = {
            "provider": provider,
            "credential": credential,
            "form": ProviderKeyForm(prefix=provider.value),
        }
        return render(request, f"{TEMPLATE}#provider-card", {"org": org, "card": card, "just_tested": True})
    _report(request, provider, credential, outcome.message)
    return redirect("organizations:providers", org_slug=org.slug)


@org_view(roles=MANAGERS)
@require_http_methods(["GET", "POST"])
def remove_key(request, org, provider):
    """GET asks "remove this key?" (a page, so it works without JavaScript); POST removes it."""
    provider = _provider(provider)
    credential = ProviderCredential.objects.for_org(org, provider).first()
    if request.method == "GET":
        if credential is None:
            return redirect("organizations:providers", org_slug=org.slug)
        return render(
            request,
            "organizations/remove_key.html",
            {"org": org, "provider": provider, "credential": credential},
        )
    if credential is not None:
        credentials.remove_key(credential, actor=request.user)
        messages.success(request, f"{provider.label} key removed.")
    return redirect("organizations:providers", org_slug=org.slug)
