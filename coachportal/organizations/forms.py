from django import forms

from coachportal.accounts.zones import current_or_given, zone_choices

from .models import Invitation, Organization, Role


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name"]


class OrganizationSettingsForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name", "time_zone", "coaches_may_upload", "keep_local_video_days", "mass_unit"]
        labels = {
            "keep_local_video_days": "Keep local copies of videos for (days)",
            "mass_unit": "Show masses in",
            "time_zone": "Time zone",
        }
        widgets = {"time_zone": forms.Select(choices=zone_choices())}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].required = False  # a form without it keeps the zone it has
        self.fields["mass_unit"].required = False  # likewise the unit masses are shown in
        self.initial["time_zone"] = current_or_given(self.instance.time_zone)

    def clean_mass_unit(self):
        return self.cleaned_data.get("mass_unit") or self.instance.mass_unit or "kg"

    def clean_time_zone(self):
        return current_or_given(self.cleaned_data.get("time_zone") or self.instance.time_zone or "UTC")

    def clean_keep_local_video_days(self):
        days = self.cleaned_data["keep_local_video_days"]
        if not 1 <= days <= 3650:
            raise forms.ValidationError("Choose between 1 and 3650 days.")
        return days


class InviteForm(forms.Form):
    email = forms.EmailField(label="Email", max_length=Invitation._meta.get_field("email").max_length)
    role = forms.ChoiceField(
        label="Role", choices=[(Role.COACH, "Coach"), (Role.ADMIN, "Admin")], initial=Role.COACH
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Role.choices)


class ProviderKeyForm(forms.Form):
    label = forms.CharField(
        label="Label",
        max_length=80,
        required=False,
        help_text="Optional, e.g. “Club account” or “Trial key”.",
    )
    api_key = forms.CharField(
        label="API key",
        strip=True,
        max_length=500,
        # Never echoed back: a rejected form shows an empty key field.
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text="Paste the key from the provider's dashboard. It is stored encrypted, never shown again.",
    )

    def clean_api_key(self):
        key = self.cleaned_data["api_key"]
        if len(key) < 8:
            raise forms.ValidationError("That is too short to be an API key. Paste the whole key.")
        if any(ch.isspace() for ch in key):
            raise forms.ValidationError("An API key has no spaces or line breaks. Paste just the key.")
        return key
