from django import forms

from .csv_import import MAX_FILE_BYTES, MAX_ROWS
from .models import GENDER_MAX, Athlete, assignable_coaches, normalize_email, normalize_user_id

USER_ID_TAKEN = "{name} already has this AiKYNETIX user id. Each athlete needs their own."
CREATE_NEEDS_EMAIL = "Add an email to create the athlete in AiKYNETIX, or untick “Create in AiKYNETIX”."
CREATE_LABEL = "Create in AiKYNETIX"
CREATE_HELP = (
    "Creates the athlete as a client of the organization's AiKYNETIX account (an existing client with "
    "this email is linked instead), so uploads for them work at once. Needs an email."
)
GENDER_CHOICES = [("", "—"), ("Female", "Female"), ("Male", "Male"), ("Other", "Other")]
COACHES_HELP = "Their dashboard, the library's “My athletes” and their daily digest follow this athlete."


def coach_label(membership) -> str:
    user = membership.user
    return f"{user.name} ({user.email})" if user.name else user.email


class CoachChoiceField(forms.ModelMultipleChoiceField):
    """Coaches of the organization (memberships), named as people read them."""

    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, membership):
        return coach_label(membership)


class OneCoachField(forms.ModelChoiceField):
    def label_from_instance(self, membership):
        return coach_label(membership)


class AthleteForm(forms.ModelForm):
    """Add or edit an athlete of `instance.organization` (set it on the instance before binding)."""

    create_in_aikynetix = forms.BooleanField(label=CREATE_LABEL, required=False, help_text=CREATE_HELP)
    gender = forms.ChoiceField(label="Gender", choices=GENDER_CHOICES, required=False)

    class Meta:
        model = Athlete
        fields = [
            "name",
            "email",
            "aikynetix_user_id",
            "height",
            "weight",
            "leg_length",
            "gender",
            "age",
            "notes",
            "coaches",
        ]
        field_classes = {"coaches": CoachChoiceField}
        labels = {
            "email": "Email (optional)",
            "aikynetix_user_id": "AiKYNETIX user id (optional)",
            "height": "Height (cm)",
            "weight": "Weight (kg)",
            "leg_length": "Leg length (m)",
            "age": "Age (years)",
        }
        help_texts = {
            "aikynetix_user_id": "The athlete's user id in AiKYNETIX. Uploads on their behalf go to it; "
            "two athletes of this organization cannot share one. A typed id is checked with AiKYNETIX.",
            "leg_length": "In metres, for example 0.91. AiKYNETIX uses these values in its analysis.",
        }
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "height": forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
            "weight": forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
            "leg_length": forms.NumberInput(attrs={"step": "0.001", "inputmode": "decimal"}),
        }

    def __init__(self, *args, offer_create: bool = False, create_by_default: bool = False, **kwargs):
        """`offer_create`: show "Create in AiKYNETIX" (the athlete has no id yet); ticked by default
        when the organization's key is an admin key."""
        super().__init__(*args, **kwargs)
        if offer_create:
            self.fields["create_in_aikynetix"].initial = create_by_default
        else:
            del self.fields["create_in_aikynetix"]
        current = self.instance.gender
        if current and current not in dict(GENDER_CHOICES):
            # Keep a value AiKYNETIX holds that the list does not name.
            self.fields["gender"].choices = [*GENDER_CHOICES, (current, current)]
        self.fields["gender"].max_length = GENDER_MAX
        # Only this organization's coaches can be chosen: another's (or an admin) is not a valid choice.
        coaches = assignable_coaches(self.instance.organization_id)
        if self.instance.organization_id and coaches.exists():
            self.fields["coaches"].queryset = coaches
            self.fields["coaches"].help_text = COACHES_HELP
        else:
            del self.fields["coaches"]
        self.order_fields(["name", "email", "create_in_aikynetix", "aikynetix_user_id"])

    @property
    def wants_create(self) -> bool:
        return bool(self.cleaned_data.get("create_in_aikynetix")) and not self.cleaned_data.get(
            "aikynetix_user_id"
        )

    def clean_gender(self):
        return (self.cleaned_data.get("gender") or "")[:GENDER_MAX]

    def clean(self):
        cleaned = super().clean()
        if self.wants_create and not cleaned.get("email") and "email" not in self.errors:
            self.add_error("email", CREATE_NEEDS_EMAIL)
        return cleaned

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


class CoachAssignForm(forms.Form):
    """The athletes list's bulk action: give the ticked athletes a coach, or take one away."""

    ADD, REMOVE = "add", "remove"

    athletes = forms.ModelMultipleChoiceField(
        queryset=Athlete.objects.none(),
        error_messages={
            "required": "Tick the athletes first.",
            "invalid_choice": "Some of the ticked athletes are no longer on the roster. Reload the page.",
        },
    )
    coach = OneCoachField(
        label="Coach",
        queryset=Athlete.objects.none(),
        empty_label="Choose a coach",
        error_messages={"invalid_choice": "Choose one of the organization's coaches."},
    )
    action = forms.ChoiceField(choices=[(ADD, "Assign"), (REMOVE, "Unassign")], initial=ADD)

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        # Another organization's athlete or coach is not a valid choice.
        self.fields["athletes"].queryset = Athlete.objects.for_org(org)
        self.fields["coach"].queryset = assignable_coaches(org)


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

    create_in_aikynetix = forms.BooleanField(
        label=CREATE_LABEL,
        required=False,
        help_text="Each new athlete with an email becomes a client of the organization's AiKYNETIX "
        "account (an existing client with the same email is linked instead). The preview says which.",
    )

    def __init__(self, *args, offer_create: bool = False, create_by_default: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if offer_create:
            self.fields["create_in_aikynetix"].initial = create_by_default
        else:
            del self.fields["create_in_aikynetix"]

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
