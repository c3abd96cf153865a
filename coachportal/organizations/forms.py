from django import forms

from .models import Organization, Role


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name"]


class OrganizationSettingsForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name", "coaches_may_upload", "keep_local_video_days"]
        labels = {"keep_local_video_days": "Keep local copies of videos for (days)"}

    def clean_keep_local_video_days(self):
        days = self.cleaned_data["keep_local_video_days"]
        if not 1 <= days <= 3650:
            raise forms.ValidationError("Choose between 1 and 3650 days.")
        return days


class InviteForm(forms.Form):
    email = forms.EmailField(label="Email")
    role = forms.ChoiceField(
        label="Role", choices=[(Role.COACH, "Coach"), (Role.ADMIN, "Admin")], initial=Role.COACH
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Role.choices)
