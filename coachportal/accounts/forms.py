from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm

from . import zones

User = get_user_model()
# The email column (and django-axes' username column) hold 254 characters: longer is refused at the field.
EMAIL_MAX = 254


class EmailAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That email and password don't match an account. Check them and try again.",
    }
    username = forms.EmailField(
        label="Email",
        max_length=EMAIL_MAX,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )


class AccountFields(forms.Form):
    """Name, email and a password typed twice, validated by the configured password validators."""

    name = forms.CharField(
        label="Your name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label="Email", max_length=EMAIL_MAX, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this email already exists. Log in instead.")
        return email

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords differ.")
        elif p1:
            probe = User(email=cleaned.get("email") or "", name=cleaned.get("name") or "")
            try:
                password_validation.validate_password(p1, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class SignupForm(AccountFields):
    organization_name = forms.CharField(
        label="Organization",
        max_length=120,
        help_text="Your club, academy or lab. You can invite coaches once it exists.",
    )
    # Filled from the browser's own zone by js/ui.js; editable later under the organization's settings.
    time_zone = forms.CharField(
        required=False, max_length=64, widget=forms.HiddenInput(attrs={"data-guess-zone": ""})
    )

    def clean_time_zone(self):
        # Browsers may report an old name ("Asia/Calcutta"): the current one is stored.
        return zones.canonical(self.cleaned_data.get("time_zone")) or zones.DEFAULT

    field_order = ["name", "email", "organization_name", "password1", "password2"]


class TimeZoneForm(forms.ModelForm):
    """A person's own time zone, over every organization's."""

    class Meta:
        model = User
        fields = ["time_zone"]
        widgets = {
            "time_zone": forms.Select(choices=zones.zone_choices(blank="Each organization's own zone"))
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["time_zone"] = zones.current_or_given(self.instance.time_zone)

    def clean_time_zone(self):
        return zones.current_or_given(self.cleaned_data.get("time_zone"))


class InvitedSignupForm(AccountFields):
    """Sign-up through an invitation: the email is the invited one and cannot be changed."""

    def __init__(self, *args, invited_email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.invited_email = invited_email
        self.fields["email"].initial = invited_email
        self.fields["email"].disabled = True

    def clean_email(self):
        self.cleaned_data["email"] = self.invited_email
        return super().clean_email()
