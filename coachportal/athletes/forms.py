from django import forms

from .csv_import import MAX_FILE_BYTES, MAX_ROWS
from .models import Athlete, normalize_email, normalize_user_id

USER_ID_TAKEN = "{name} already has this AiKYNETIX user id. Each athlete needs their own."


class AthleteForm(forms.ModelForm):
    """Add or edit an athlete of `instance.organization` (set it on the instance before binding)."""

    class Meta:
        model = Athlete
        fields = ["name", "email", "aikynetix_user_id", "notes"]
        labels = {"email": "Email (optional)", "aikynetix_user_id": "AiKYNETIX user id (optional)"}
        help_texts = {
            "aikynetix_user_id": "The athlete's user id in AiKYNETIX. Uploads on their behalf go to it; "
            "two athletes of this organization cannot share one.",
        }
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Enter the athlete's name.")
        return name

    def clean_email(self):
        return normalize_email(self.cleaned_data.get("email"))

    def clean_aikynetix_user_id(self):
        user_id = normalize_user_id(self.cleaned_data.get("aikynetix_user_id"))
        if user_id:
            # The model's constraint cannot check this: `organization` is not a field of the form.
            other = (
                Athlete.objects.for_org(self.instance.organization)
                .filter(aikynetix_user_id=user_id)
                .exclude(pk=self.instance.pk)
                .first()
            )
            if other is not None:
                raise forms.ValidationError(USER_ID_TAKEN.format(name=other.name))
        return user_id


class RosterFilterForm(forms.Form):
    """The roster's search box and status filter, read from the query string."""

    STATUS_CHOICES = [("active", "Active"), ("archived", "Archived"), ("all", "All")]

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        widget=forms.SearchInput(attrs={"placeholder": "Name, email or user id", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(label="Status", choices=STATUS_CHOICES, required=False)

    @property
    def chosen_status(self) -> str:
        self.is_valid()  # cleaned_data keeps the valid fields even when another one is not
        return self.cleaned_data.get("status") or "active"

    @property
    def search_text(self) -> str:
        self.is_valid()
        return self.cleaned_data.get("q", "")

    def filter(self, athletes):
        """Apply the filters to `athletes`; an invalid value is ignored rather than an error page."""
        if self.chosen_status == "active":
            athletes = athletes.active()
        elif self.chosen_status == "archived":
            athletes = athletes.archived()
        return athletes.search(self.search_text) if self.search_text else athletes


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=f"UTF-8 CSV, at most {MAX_FILE_BYTES // (1024 * 1024)} MB and {MAX_ROWS:,} athletes.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        error_messages={
            "required": "Choose a CSV file to import.",
            "empty": "This file is empty. Export the roster from your spreadsheet as CSV and try again.",
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                f"This file is {upload.size / (1024 * 1024):.1f} MB; the limit is "
                f"{MAX_FILE_BYTES // (1024 * 1024)} MB. Split it into smaller files."
            )
        return upload


class ImportConfirmForm(forms.Form):
    """What the preview page sends back: which stored file and which plan the person saw."""

    digest = forms.CharField(max_length=64)
    plan = forms.CharField(max_length=64)
