"""The register-match form: what the match is, and either its file or a URL AI on the Ball can download."""
# ruff: noqa: RUF001, RUF003 (en dashes and × are the typography people read)

from __future__ import annotations

from pathlib import PurePath

from django import forms
from django.core.validators import URLValidator

from coachportal.organizations.models import Provider, ProviderCredential
from coachportal.storage.direct import Refused
from coachportal.storage.limits import size_problem
from coachportal.videofiles import names, sniff

from . import checks
from .models import Match

NO_KEY = (
    "This organization has no AI on the Ball key yet, so no match can be registered. "
    "An owner or admin can add it under Settings → Provider keys."
)
NO_FILE = "Choose the match video (an MP4 file)."
NO_URL = "Paste the address of the match video."
BAD_URL = "Enter a full web address starting with http:// or https://."
NO_TITLE = "Give the match a title, or enter the two teams."
NOT_DIRECT = "Only an uploaded file goes to storage directly; a link is registered with the form."


def _looks_like_mp4(filename: str, content_type: str) -> bool:
    """The browser's word on a file it is about to send (the stored bytes are checked at finish)."""
    return filename.lower().endswith((".mp4", ".m4v")) or content_type.lower() == "video/mp4"


class MatchEditForm(forms.Form):
    """What the match is: its title, teams and date (also the rename form, sent to AI on the Ball first)."""

    title = forms.CharField(max_length=200, required=False, help_text="Leave empty to use “Home – Away”.")
    home_team = forms.CharField(label="Home team", max_length=100, required=False)
    away_team = forms.CharField(label="Away team", max_length=100, required=False)
    played_on = forms.DateField(
        label="Match date", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if not (data.get("title") or "").strip() and not (data.get("home_team") or data.get("away_team")):
            self.add_error("title", NO_TITLE)
        return data

    def match_fields(self) -> dict:
        data = self.cleaned_data
        home, away = data.get("home_team", "").strip(), data.get("away_team", "").strip()
        title = data.get("title", "").strip() or f"{home or 'Home'} – {away or 'Away'}"
        return {"title": title, "home_team": home, "away_team": away, "played_on": data.get("played_on")}


class _RegisterForm(MatchEditForm):
    """Registering: what the match is, and where its video comes from."""

    source = forms.ChoiceField(
        label="Video",
        choices=[(Match.Source.UPLOAD, "Upload a file"), (Match.Source.URL, "Paste a link")],
        initial=Match.Source.UPLOAD,
        widget=forms.RadioSelect,
    )
    video_url = forms.CharField(
        label="Video URL",
        max_length=2000,
        required=False,
        widget=forms.URLInput(attrs={"placeholder": "https://…/match.mp4"}),
        help_text="A direct link to the MP4 file that AI on the Ball can download (http or https).",
    )

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.org = org

    def clean_video_url(self):
        url = self.cleaned_data["video_url"].strip()
        if not url:
            return url
        try:
            URLValidator(schemes=["http", "https"])(url)
        except forms.ValidationError:
            raise forms.ValidationError(BAD_URL) from None
        return url

    def clean(self):
        if not ProviderCredential.objects.for_org(self.org, Provider.AIONTHEBALL).exists():
            raise forms.ValidationError(NO_KEY, code="no_key")
        data = super().clean()
        if (
            data.get("source") == Match.Source.URL
            and not data.get("video_url")
            and "video_url" not in self.errors
        ):
            self.add_error("video_url", NO_URL)
        return data


class MatchForm(_RegisterForm):
    """The register page's form: the match file posted to the portal, or a link."""

    file = forms.FileField(
        label="Match file",
        required=False,
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": "video/mp4,.mp4", "data-match-file": ""}),
        help_text="MP4, at least 10 minutes, at most 1080p, 25 frames per second.",
    )
    field_order = ["title", "home_team", "away_team", "played_on", "source", "file", "video_url"]

    def clean_file(self):
        received = self.cleaned_data.get("file")
        if not received:
            return received
        name = PurePath(received.name).name
        problem = size_problem(name, received.size) or names.name_problem(name)
        if problem:
            raise forms.ValidationError(problem)
        # A quick look at the first bytes; the full requirements are checked on the stored file.
        if sniff.container_of(sniff.read_head(received)) != "mp4":
            raise forms.ValidationError(checks.NOT_MP4.format(name=name))
        return received

    def clean(self):
        data = super().clean()
        if data.get("source") == Match.Source.UPLOAD and not data.get("file") and "file" not in self.errors:
            self.add_error("file", NO_FILE)
        return data


class DirectMatchForm(_RegisterForm):
    """S3: the browser sends the file straight to the bucket; the form carries its name and size."""

    filename = forms.CharField(max_length=255, required=False)
    size = forms.IntegerField(min_value=0, required=False)
    content_type = forms.CharField(max_length=100, required=False)

    def clean_filename(self):
        filename = PurePath(self.cleaned_data["filename"].replace("\\", "/")).name
        problem = names.name_problem(filename) if filename else None
        if problem:
            raise forms.ValidationError(problem)
        return filename

    def clean_size(self):
        size = self.cleaned_data["size"]
        problem = size_problem(self.data.get("filename", ""), size) if size is not None else None
        if problem:
            raise forms.ValidationError(problem)
        return size

    def clean(self):
        data = super().clean()
        if data.get("source") != Match.Source.UPLOAD:
            self.add_error("source", NOT_DIRECT)
        elif not data.get("filename") or (data.get("size") is None and "size" not in self.errors):
            self.add_error("filename", NO_FILE)
        elif not _looks_like_mp4(data["filename"], data.get("content_type", "")):
            self.add_error("filename", checks.NOT_MP4.format(name=data["filename"]))
        return data


def direct_match_fields(data: dict, *, org) -> tuple[str, dict]:
    """Validate a direct upload's presigned fields again; return the file's name and the match's fields."""
    form = DirectMatchForm(data, org=org)
    if not form.is_valid():
        raise Refused(*(message for errors in form.errors.values() for message in errors))
    return form.cleaned_data["filename"], form.match_fields()
