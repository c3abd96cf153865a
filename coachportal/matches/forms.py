"""The register-match form: what the match is, and either its file or a URL AI on the Ball can download."""
# ruff: noqa: RUF001, RUF003 (en dashes and × are the typography people read)

from __future__ import annotations

from pathlib import PurePath

from django import forms
from django.conf import settings
from django.core.validators import URLValidator

from coachportal.organizations.models import Provider, ProviderCredential
from coachportal.uploads.forms import max_upload_bytes
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
EMPTY_FILE = "“{name}” is empty."
TOO_BIG = "“{name}” is {size_mb:,.0f} MB, larger than the {limit:,} MB limit."
NO_TITLE = "Give the match a title, or enter the two teams."
NOT_DIRECT = "Only an uploaded file goes to storage directly; a link is registered with the form."


def _looks_like_mp4(filename: str, content_type: str) -> bool:
    """The browser's word on a file it is about to send (the stored bytes are checked at finish)."""
    return filename.lower().endswith((".mp4", ".m4v")) or content_type.lower() == "video/mp4"


class MatchNamesForm(forms.Form):
    """What a match is called: its title, teams and date, the same when it is registered and renamed."""

    title = forms.CharField(max_length=200, required=False, help_text="Leave empty to use “Home – Away”.")
    home_team = forms.CharField(label="Home team", max_length=100, required=False)
    away_team = forms.CharField(label="Away team", max_length=100, required=False)
    played_on = forms.DateField(
        label="Match date", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def require_a_name(self, data: dict) -> None:
        if not (data.get("title") or "").strip() and not (data.get("home_team") or data.get("away_team")):
            self.add_error("title", NO_TITLE)

    def match_fields(self) -> dict:
        data = self.cleaned_data
        home, away = data.get("home_team", "").strip(), data.get("away_team", "").strip()
        title = data.get("title", "").strip() or f"{home or 'Home'} – {away or 'Away'}"
        return {"title": title, "home_team": home, "away_team": away, "played_on": data.get("played_on")}


class MatchForm(MatchNamesForm):
    source = forms.ChoiceField(
        label="Video",
        choices=[(Match.Source.UPLOAD, "Upload a file"), (Match.Source.URL, "Paste a link")],
        initial=Match.Source.UPLOAD,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label="Match file",
        required=False,
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": "video/mp4,.mp4", "data-match-file": ""}),
        help_text="MP4, at least 10 minutes, at most 1080p, 25 frames per second.",
    )
    video_url = forms.CharField(
        label="Video URL",
        max_length=2000,
        required=False,
        widget=forms.URLInput(attrs={"placeholder": "https://…/match.mp4"}),
        help_text="A direct link to the MP4 file that AI on the Ball can download (http or https).",
    )

    def __init__(self, *args, org, direct: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.org = org
        self.direct = direct
        if direct:
            # S3: the browser sends the file straight to the bucket; the form carries its name and size.
            del self.fields["file"]
            self.fields["filename"] = forms.CharField(max_length=255, required=False)
            self.fields["size"] = forms.IntegerField(min_value=0, required=False)
            self.fields["content_type"] = forms.CharField(max_length=100, required=False)

    def clean_filename(self):
        filename = PurePath(self.cleaned_data["filename"].replace("\\", "/")).name
        problem = names.name_problem(filename) if filename else None
        if problem:
            raise forms.ValidationError(problem)
        return filename

    def clean_size(self):
        size = self.cleaned_data["size"]
        name = self.data.get("filename", "")
        if size is None:
            return size
        if size == 0:
            raise forms.ValidationError(EMPTY_FILE.format(name=name))
        if size > max_upload_bytes():
            raise forms.ValidationError(
                TOO_BIG.format(name=name, size_mb=size / 2**20, limit=settings.MAX_UPLOAD_MB)
            )
        return size

    def clean_video_url(self):
        url = self.cleaned_data["video_url"].strip()
        if not url:
            return url
        try:
            URLValidator(schemes=["http", "https"])(url)
        except forms.ValidationError:
            raise forms.ValidationError(BAD_URL) from None
        return url

    def clean_file(self):
        received = self.cleaned_data.get("file")
        if not received:
            return received
        name = PurePath(received.name).name
        if received.size == 0:
            raise forms.ValidationError(EMPTY_FILE.format(name=name))
        if received.size > max_upload_bytes():
            raise forms.ValidationError(
                TOO_BIG.format(name=name, size_mb=received.size / 2**20, limit=settings.MAX_UPLOAD_MB)
            )
        problem = names.name_problem(name)
        if problem:
            raise forms.ValidationError(problem)
        # A quick look at the first bytes; the full requirements are checked on the stored file.
        if sniff.container_of(sniff.read_head(received)) != "mp4":
            raise forms.ValidationError(checks.NOT_MP4.format(name=name))
        return received

    def clean(self):
        data = super().clean()
        if not ProviderCredential.objects.for_org(self.org, Provider.AIONTHEBALL).exists():
            raise forms.ValidationError(NO_KEY, code="no_key")
        source = data.get("source")
        if self.direct:
            if source != Match.Source.UPLOAD:
                self.add_error("source", NOT_DIRECT)
            elif not data.get("filename") or (data.get("size") is None and "size" not in self.errors):
                self.add_error("filename", NO_FILE)
            elif not _looks_like_mp4(data["filename"], data.get("content_type", "")):
                self.add_error("filename", checks.NOT_MP4.format(name=data["filename"]))
        elif source == Match.Source.UPLOAD and not data.get("file") and "file" not in self.errors:
            self.add_error("file", NO_FILE)
        if source == Match.Source.URL and not data.get("video_url") and "video_url" not in self.errors:
            self.add_error("video_url", NO_URL)
        self.require_a_name(data)
        return data


class MatchEditForm(MatchNamesForm):
    """Rename a match: its title, teams and date (sent to AI on the Ball first)."""

    def clean(self):
        data = super().clean()
        self.require_a_name(data)
        return data
