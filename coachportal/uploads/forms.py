"""The upload form: who the video is for, what it shows, and the files, checked before anything is stored."""

from __future__ import annotations

from decimal import Decimal
from pathlib import PurePath

from django import forms
from django.apps import apps

from coachportal.organizations.models import Provider, ProviderCredential
from coachportal.storage.direct import Refused
from coachportal.storage.limits import size_problem
from coachportal.videofiles import names, probe, sniff

from .models import KG_PER_LB, Activity, JumpExercise, LiftExercise, MassUnit, Upload

NO_KEY = (
    "This organization has no AiKYNETIX key yet, so nothing can be sent. "
    "An owner or admin can add it under Settings → Provider keys."
)
NO_ATHLETE = "Choose the athlete this video is for."
NO_FILE = "Choose at least one video file."
NOT_VIDEO = probe.NOT_VIDEO
NO_LIFT = "Choose the lift: snatch, clean or clean and jerk."
NO_MASS = "Enter the barbell mass (bar and plates)."
BAD_MASS = "Enter a barbell mass between 1 and 500 kg (2 and 1,100 lb)."
BAD_INCLINE = "Enter an incline between -20 and 30 degrees."
NO_JUMP = "Choose the jump: countermovement jump or drop jump."

INCLINE_RANGE = (Decimal(-20), Decimal(30))
MASS_RANGE_KG = (Decimal(1), Decimal(500))
TITLE_MAX = 200


def title_from_filename(filename: str) -> str:
    """ "Sprint_day-2.mp4" -> "Sprint day 2": a readable default title."""
    stem = PurePath(filename or "").stem.replace("_", " ").replace("-", " ")
    return " ".join(stem.split())[:TITLE_MAX] or "Video"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe); cleans to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True, "accept": "video/*"}))
        kwargs.setdefault("allow_empty_file", True)  # check_file names the empty file in its message
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class UploadFieldsForm(forms.Form):
    """Who the video is for and what it shows: the fields every way of uploading shares."""

    target = forms.ChoiceField(
        label="Upload to",
        choices=Upload.Target.choices,
        initial=Upload.Target.ATHLETE,
        widget=forms.RadioSelect,
    )
    athlete = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="Choose…",
        help_text="An athlete who is not in AiKYNETIX yet is added there when you upload.",
    )
    activity = forms.ChoiceField(choices=Activity.choices, initial=Activity.RUNNING)
    title = forms.CharField(
        max_length=TITLE_MAX,
        required=False,
        help_text="Leave empty to use each file's name.",
    )
    incline_degree = forms.DecimalField(
        label="Incline (degrees)",
        required=False,
        max_digits=5,
        decimal_places=2,
        help_text="Treadmill incline, if any.",
    )
    jump_exercise = forms.ChoiceField(
        label="Jump", choices=JumpExercise.choices, initial=JumpExercise.COUNTERMOVEMENT, required=False
    )
    lift_exercise = forms.ChoiceField(
        label="Lift", choices=[("", "Choose…"), *LiftExercise.choices], required=False
    )
    barbell_mass = forms.DecimalField(
        label="Barbell mass", required=False, max_digits=7, decimal_places=2, help_text="Bar and plates."
    )
    barbell_unit = forms.ChoiceField(
        label="Unit", choices=MassUnit.choices, initial=MassUnit.KG, required=False
    )

    def __init__(self, *args, org, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.org = org
        Athlete = apps.get_model("athletes", "Athlete")
        self.fields["athlete"].queryset = Athlete.objects.filter(organization=org, active=True).order_by(
            "name"
        )
        if not membership.may_manage():
            # The key owner's own account is an admin's business; coaches upload for athletes only.
            del self.fields["target"]

    # Fields -------------------------------------------------------------------------------------------

    def clean_incline_degree(self):
        value = self.cleaned_data["incline_degree"]
        if value is not None and not (INCLINE_RANGE[0] <= value <= INCLINE_RANGE[1]):
            raise forms.ValidationError(BAD_INCLINE)
        return value

    def clean(self):
        data = super().clean()
        if not ProviderCredential.objects.for_org(self.org, Provider.AIKYNETIX).exists():
            raise forms.ValidationError(NO_KEY, code="no_key")
        if data.get("target", Upload.Target.ATHLETE) == Upload.Target.ATHLETE:
            athlete = data.get("athlete")
            if athlete is None and "athlete" not in self.errors:
                self.add_error("athlete", NO_ATHLETE)
        activity = data.get("activity")
        if activity == Activity.JUMPING and not data.get("jump_exercise"):
            self.add_error("jump_exercise", NO_JUMP)
        if activity == Activity.WEIGHTLIFTING:
            if not data.get("lift_exercise"):
                self.add_error("lift_exercise", NO_LIFT)
            mass = data.get("barbell_mass")
            if mass is None and "barbell_mass" not in self.errors:
                self.add_error("barbell_mass", NO_MASS)
            elif mass is not None:
                kg = mass * KG_PER_LB if data.get("barbell_unit") == MassUnit.LB else mass
                if not (MASS_RANGE_KG[0] <= kg <= MASS_RANGE_KG[1]):
                    self.add_error("barbell_mass", BAD_MASS)
        return data

    # Results ------------------------------------------------------------------------------------------

    def upload_fields(self, filename: str, index: int = 0, count: int = 1) -> dict:
        """The Upload attributes the form decides (not the file), for one of `count` files."""
        data = self.cleaned_data
        activity = data["activity"]
        target = data.get("target") or Upload.Target.ATHLETE
        athlete = data.get("athlete") if target == Upload.Target.ATHLETE else None
        title = data.get("title", "").strip()
        if not title:
            title = title_from_filename(filename)
        elif count > 1:
            title = f"{title} ({index + 1} of {count})"[:TITLE_MAX]
        fields = {
            "target": target,
            "athlete": athlete,
            "activity": activity,
            "title": title,
            "original_filename": PurePath(filename).name[:255],
        }
        if activity in (Activity.RUNNING, Activity.JUMPING):
            fields["incline_degree"] = data.get("incline_degree")
        if activity == Activity.JUMPING:
            fields["exercise"] = data.get("jump_exercise") or JumpExercise.COUNTERMOVEMENT
        if activity == Activity.WEIGHTLIFTING:
            fields["exercise"] = data["lift_exercise"]
            fields["barbell_mass"] = data["barbell_mass"]
            fields["barbell_unit"] = data.get("barbell_unit") or MassUnit.KG
        return fields


class UploadForm(UploadFieldsForm):
    """One or more video files posted to the portal with their fields (no S3)."""

    videos = MultipleFileField(
        label="Videos",
        required=False,
        help_text="One or more clips, side-on, whole body in view, at least 1080p (720p for lifts).",
    )

    def clean_videos(self):
        files = self.cleaned_data["videos"]
        if not files:
            raise forms.ValidationError(NO_FILE)
        errors, self.containers = [], []
        for upload in files:
            problem, container = check_file(upload.name, upload.size, sniff.read_head(upload))
            if problem is None:
                # Beyond the first bytes: the container's header and index must describe a whole video.
                problem = probe.probe_received(upload).refusal(upload.name)
            if problem:
                errors.append(problem)
            self.containers.append(container)
        if errors:
            raise forms.ValidationError(errors)
        return files

    def new_videos(self) -> list[dict]:
        """Each received file with its container and the Upload attributes the form decides for it."""
        files = self.cleaned_data["videos"]
        return [
            {"file": received, "container": container, **self.upload_fields(received.name, index, len(files))}
            for index, (received, container) in enumerate(zip(files, self.containers, strict=True))
        ]


class DescribedUploadForm(UploadFieldsForm):
    """The fields plus the file's name and size, before the file goes up (a check, or an S3 presign)."""

    filename = forms.CharField(max_length=255)
    size = forms.IntegerField(min_value=0)
    content_type = forms.CharField(max_length=100, required=False)

    def clean_filename(self):
        filename = self.cleaned_data["filename"]
        problem = names.name_problem(filename)
        if problem:
            raise forms.ValidationError(problem)
        return filename

    def clean_size(self):
        size = self.cleaned_data["size"]
        problem = size_problem(self.data.get("filename", ""), size)
        if problem:
            raise forms.ValidationError(problem)
        return size


def described_upload_fields(data: dict, *, org, membership) -> dict:
    """Validate the fields a direct upload was presigned with again (the roster may have changed)."""
    form = DescribedUploadForm(data, org=org, membership=membership)
    if not form.is_valid():
        raise Refused(*(message for errors in form.errors.values() for message in errors))
    return form.upload_fields(form.cleaned_data["filename"])


def check_file(name: str, size: int, head: bytes) -> tuple[str | None, str | None]:
    """Return (problem, container extension) for a file of `size` bytes starting with `head`."""
    problem = size_problem(name, size) or names.name_problem(name)
    if problem:
        return problem, None
    container = sniff.container_of(head)
    if container is None:
        return NOT_VIDEO.format(name=name), None
    return None, container
