"""Every text field a person types into has a limit no longer than the column it is stored in.

The forms are found by walking the portal's modules, so a form added tomorrow is covered the day it
is added: a text field this test cannot place in a column fails it until it is named below.
"""

import importlib
import inspect
import pkgutil

import pytest
from axes.models import AccessAttempt
from django import forms
from django.contrib.auth import get_user_model

import coachportal
from coachportal.matches.models import Match
from coachportal.notes.models import Note
from coachportal.organizations.models import Invitation, Membership, Organization, ProviderCredential
from coachportal.sessions.models import Session
from coachportal.sharing.models import ShareLink
from coachportal.uploads.models import Upload

pytestmark = pytest.mark.django_db
User = get_user_model()


def column(model, name):
    return model._meta.get_field(name)


# Where the text fields of plain (non-model) forms are stored, by the form (or a form it inherits from).
COLUMNS = {
    ("AccountFields", "name"): column(User, "name"),
    ("AccountFields", "email"): column(User, "email"),
    ("SignupForm", "organization_name"): column(Organization, "name"),
    ("SignupForm", "time_zone"): column(Organization, "time_zone"),
    ("EmailAuthenticationForm", "username"): column(AccessAttempt, "username"),  # failed logins
    ("UserCreationAdminForm", "email"): column(User, "email"),
    ("InviteForm", "email"): column(Invitation, "email"),
    ("ProviderKeyForm", "label"): column(ProviderCredential, "label"),
    ("MatchForm", "title"): column(Match, "title"),
    ("MatchForm", "home_team"): column(Match, "home_team"),
    ("MatchForm", "away_team"): column(Match, "away_team"),
    ("_RegisterForm", "video_url"): column(Match, "video_url"),
    ("DirectMatchForm", "filename"): column(Match, "original_filename"),
    ("MatchEditForm", "title"): column(Match, "title"),
    ("MatchEditForm", "home_team"): column(Match, "home_team"),
    ("MatchEditForm", "away_team"): column(Match, "away_team"),
    ("UploadFieldsForm", "title"): column(Upload, "title"),
    ("DescribedUploadForm", "filename"): column(Upload, "original_filename"),
    ("SessionEditForm", "title"): column(Session, "title"),
    ("NoteForm", "text"): column(Note, "text"),
    ("NoteEditForm", "text"): column(Note, "text"),
    ("ShareLinkForm", "note"): column(ShareLink, "note"),
}
# Text that is never stored as typed: hashed, encrypted, or only used to filter or to check a plan.
NOT_STORED = {
    ("AccountFields", "password1"),
    ("AccountFields", "password2"),
    ("UserCreationAdminForm", "password1"),
    ("UserCreationAdminForm", "password2"),
    ("EmailAuthenticationForm", "password"),
    ("ProviderKeyForm", "api_key"),  # encrypted into a text column; its own limit keeps it sane
    ("RosterFilterForm", "q"),
    ("LibraryFilterForm", "q"),
    ("ImportConfirmForm", "digest"),
    ("ImportConfirmForm", "plan"),
    ("NoteForm", "shapes"),  # JSON read into a validated list of shapes (notes.shapes.clean)
    ("DirectMatchForm", "content_type"),  # checked, then fixed to video/mp4 for the bucket
    ("DescribedUploadForm", "content_type"),  # only the bucket's Content-Type condition
}


def portal_forms():
    found = set()
    for info in pkgutil.walk_packages(coachportal.__path__, "coachportal."):
        if ".sandbox" in info.name or ".migrations" in info.name or ".management" in info.name:
            continue
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__.startswith("coachportal"):
                found.add(cls)
    return sorted(found, key=lambda cls: (cls.__module__, cls.__name__))


def stored_in(form_class, name):
    """The model field a form field is saved to, or None if it is never stored as typed."""
    meta = getattr(form_class, "_meta", None)
    model = getattr(meta, "model", None)
    if model is not None and name in {f.name for f in model._meta.get_fields()}:
        return column(model, name)
    for cls in form_class.__mro__:  # the form or the class it inherits the field from
        if (cls.__name__, name) in NOT_STORED:
            return None
        if (cls.__name__, name) in COLUMNS:
            return COLUMNS[(cls.__name__, name)]
    pytest.fail(f"{form_class.__name__}.{name}: name the column it is stored in (or add it to NOT_STORED)")


FORMS = portal_forms()


def test_the_walk_finds_the_portal_s_forms():
    names = {cls.__name__ for cls in FORMS}
    assert {"InviteForm", "SignupForm", "UploadForm", "MatchForm", "AthleteForm"} <= names


@pytest.mark.parametrize("form_class", FORMS, ids=lambda cls: cls.__name__)
def test_every_text_field_is_limited_to_its_column(form_class):
    for name, field in form_class.base_fields.items():
        if not isinstance(field, forms.CharField):
            continue
        target = stored_in(form_class, name)
        if target is None or target.max_length is None:
            continue
        assert field.max_length is not None, f"{form_class.__name__}.{name} has no limit"
        assert field.max_length <= target.max_length, (
            f"{form_class.__name__}.{name} takes {field.max_length} characters, "
            f"its column {target.model.__name__}.{target.name} holds {target.max_length}"
        )


def over_long(field) -> str:
    size = (field.max_length or 5000) + 1
    if isinstance(field, forms.EmailField):
        return "a" * (size - len("@example.com")) + "@example.com"
    if isinstance(field, forms.URLField) or "url" in field.__class__.__name__.lower():
        return "https://example.com/" + "a" * size
    return "a" * size


def build(form_class, data, org, membership):
    """Bind `data` to any portal form, passing the keyword arguments its constructor asks for."""
    offered = {"org": org, "membership": membership, "invited_email": "nina@riverside.example"}
    wanted = inspect.signature(form_class.__init__).parameters
    kwargs = {name: value for name, value in offered.items() if name in wanted}
    if "request" in wanted:
        return form_class(None, data=data, **kwargs)
    return form_class(data, **kwargs)


@pytest.mark.parametrize("form_class", FORMS, ids=lambda cls: cls.__name__)
def test_over_long_values_are_refused_next_to_their_field(form_class, org_a, olivia):
    membership = Membership.objects.get(user=olivia, organization=org_a)
    probe = build(form_class, None, org_a, membership)
    texts = {name: f for name, f in probe.fields.items() if isinstance(f, forms.CharField) and not f.disabled}
    if not texts:
        pytest.skip(f"{form_class.__name__} has no text fields")
    data = {name: over_long(field) for name, field in texts.items()}
    form = build(form_class, data, org_a, membership)
    assert not form.is_valid()
    for name, field in texts.items():
        if field.max_length is None:
            continue
        assert name in form.errors, f"{form_class.__name__}.{name} took {len(data[name])} characters"
        assert any("at most" in message for message in form.errors[name]), form.errors[name]


def test_a_262_character_email_on_the_invite_form_is_refused_next_to_the_field(client_for, org_a, adam):
    email = "n" * 250 + "@example.com"
    response = client_for(adam).post(f"/o/{org_a.slug}/members/invite/", {"email": email, "role": "coach"})
    assert response.status_code == 400
    assert response.context["invite_form"].errors["email"] == [
        "Ensure this value has at most 254 characters (it has 262)."
    ]
    assert not Invitation.objects.exists()


def test_an_over_long_email_at_sign_up_is_refused_next_to_the_field(client):
    email = "n" * 250 + "@example.com"
    response = client.post(
        "/accounts/signup/",
        {
            "name": "Nina",
            "email": email,
            "organization_name": "Club",
            "password1": "sprint-coach-2026",
            "password2": "sprint-coach-2026",
        },
    )
    assert response.status_code in (200, 400)
    assert "at most 254 characters" in response.text
    assert not User.objects.filter(email=email).exists()
