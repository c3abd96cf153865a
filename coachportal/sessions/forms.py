"""Forms of the library: the filter query string (validated, never trusted) and the edit form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django import forms
from django.apps import apps
from django.http import QueryDict
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .models import Activity, Session

PAGE_SIZE = 25

SORTS = {
    "-date": ("-recorded_at", "-id"),
    "date": ("recorded_at", "id"),
    "title": ("title", "id"),
    "-title": ("-title", "-id"),
}
SORT_CHOICES = [
    ("-date", "Newest first"),
    ("date", "Oldest first"),
    ("title", "Title A to Z"),
    ("-title", "Title Z to A"),
]
STATUS_CHOICES = [
    ("", "Any status"),
    (Session.Status.PROCESSING, "Processing"),
    (Session.Status.READY, "Ready"),
    (Session.Status.FAILED, "Failed"),
]


SELECTED = " selected"


class FastSelect(forms.Select):
    """A <select> rendered in one pass from (value, label) pairs: a roster of hundreds of athletes would
    otherwise cost a sub-template render per option on every library page."""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs or {})
        current = "" if value is None else str(value)
        options = "".join(
            f'<option value="{escape(key)}"{SELECTED if str(key) == current else ""}>{escape(label)}</option>'
            for key, label in self.choices
        )
        attributes = "".join(
            f' {escape(k)}="{escape(v)}"' for k, v in final.items() if v not in (None, False)
        )
        # Every value and label above went through escape(), so the assembled markup is safe.
        return mark_safe(f'<select name="{escape(name)}"{attributes}>{options}</select>')  # noqa: S308


class LibraryFilterForm(forms.Form):
    """Filters, sort and page of the library, read from the query string."""

    athlete = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="All athletes", widget=FastSelect
    )
    activity = forms.ChoiceField(required=False, widget=FastSelect)
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.ChoiceField(required=False, choices=STATUS_CHOICES, widget=FastSelect)
    q = forms.CharField(
        required=False, max_length=100, label="Title",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Title contains…"}),
    )  # fmt: skip
    sort = forms.ChoiceField(required=False, choices=SORT_CHOICES, widget=FastSelect)
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000, widget=forms.HiddenInput)

    LABELS = {
        "athlete": "athlete",
        "activity": "activity",
        "date_from": "start date",
        "date_to": "end date",
        "status": "status",
        "q": "title",
        "sort": "sort",
        "page": "page",
    }

    def __init__(self, data, *, org, **kwargs):
        super().__init__(data, **kwargs)
        Athlete = apps.get_model("athletes", "Athlete")
        athletes = Athlete.objects.filter(organization=org).order_by("name", "pk")
        self.fields["athlete"].queryset = athletes
        self.fields["athlete"].widget.choices = [("", "All athletes"), *athletes.values_list("pk", "name")]
        self.fields["activity"].choices = [("", "All activities"), *Activity.choices]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return data


@dataclass
class Filters:
    form: LibraryFilterForm
    ignored: list[str]  # human notes about query parameters that were not understood

    @property
    def values(self) -> dict:
        return {k: v for k, v in self.form.cleaned_data.items() if v not in (None, "")}

    def apply(self, sessions):
        values = self.values
        if "athlete" in values:
            sessions = sessions.for_athlete(values["athlete"])
        if "activity" in values:
            sessions = sessions.of_activity(values["activity"])
        if "status" in values:
            sessions = sessions.filter(status=values["status"])
        sessions = sessions.recorded_between(values.get("date_from"), values.get("date_to"))
        sessions = sessions.title_contains(values.get("q", ""))
        return sessions.order_by(*SORTS[values.get("sort") or "-date"])

    @property
    def page(self) -> int:
        return self.values.get("page") or 1

    def query(self, **changes) -> str:
        """The query string of these filters with `changes` applied (None removes a key)."""
        params = QueryDict(mutable=True)
        for name in self.form.fields:
            value = self.form.data.get(name) if name not in self.form.errors else None
            if name in changes:
                value = changes[name]
            if value not in (None, ""):
                params[name] = str(value)
        if params.get("page") == "1":
            del params["page"]
        return params.urlencode()


def read_filters(query: QueryDict, *, org) -> Filters:
    """Validate the query string; parameters that fail are dropped with a note, never a 500."""
    known = {k: v for k, v in query.items() if k in LibraryFilterForm.base_fields}
    form = LibraryFilterForm(known, org=org)
    ignored: list[str] = []
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = LibraryFilterForm.LABELS.get(name, name)
            value = known.get(name, "")
            ignored.append(f"Ignored the {label} “{value[:40]}”: {' '.join(errors)}")
        clean = {k: v for k, v in known.items() if k not in form.errors}
        form = LibraryFilterForm(clean, org=org)
        form.is_valid()
    return Filters(form, ignored)


class SessionEditForm(forms.Form):
    title = forms.CharField(max_length=300, strip=True)
    recorded_at = forms.DateTimeField(
        label="Date and time",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )

    def clean_recorded_at(self):
        value = self.cleaned_data["recorded_at"]
        if value > timezone.now() + timedelta(days=1):
            raise forms.ValidationError("The date is in the future.")
        return value.replace(microsecond=0)
