"""Forms of the library: the filter query string (validated, never trusted) and the edit form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django import forms
from django.forms.boundfield import BoundField
from django.http import QueryDict
from django.utils import timezone
from django.utils.choices import BaseChoiceIterator
from django.utils.safestring import SafeString

from coachportal.athletes.models import Athlete

from .models import Activity, Session
from .rows import esc as _esc

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


def _attrs(attrs: dict) -> str:
    """HTML attributes as Django's attrs.html writes them (True: bare name; False or None: left out)."""
    return "".join(
        f" {_esc(str(k))}" if v is True else f' {_esc(str(k))}="{_esc(str(v))}"'
        for k, v in attrs.items()
        if v is not None and v is not False
    )


class OptionsOnDemand(BaseChoiceIterator):
    """A first (value, label) pair, then rows of a values_list queryset, read when the select is rendered:
    the results-only htmx response never renders the filter form, so it skips the roster query, and the
    pairs are not copied and normalized on every form build."""

    def __init__(self, first: tuple, rows):
        self.first = first
        self.rows = rows  # a queryset: evaluated once, then its own cache serves later renders

    def __iter__(self):
        yield self.first
        yield from self.rows


class FastSelect(forms.Select):
    """A <select> rendered in one pass from (value, label) pairs: a roster of hundreds of athletes would
    otherwise cost a sub-template render per option on every library page."""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs or {})
        current = "" if value is None else str(value)
        options = []
        for key, label in self.choices:
            key = str(key)
            selected = SELECTED if key == current else ""
            options.append(f'<option value="{_esc(key)}"{selected}>{_esc(str(label))}</option>')
        options = "".join(options)
        # Every value and label above went through escape, so the assembled markup is safe.
        return SafeString(f'<select name="{_esc(name)}"{_attrs(final)}>{options}</select>')


class FastInputMixin:
    """An <input> rendered in one pass, with the markup of django/forms/widgets/input.html."""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs or {})
        value = self.format_value(value)
        shown = "" if value is None else f' value="{_esc(str(value))}"'
        # The type, the name, the value and every attribute went through escape.
        return SafeString(f'<input type="{_esc(self.input_type)}" name="{_esc(name)}"{shown}{_attrs(final)}>')


class FastDateInput(FastInputMixin, forms.DateInput):
    pass


class FastTextInput(FastInputMixin, forms.TextInput):
    pass


FAST_WIDGETS = (FastSelect, FastInputMixin)


class LeanBoundField(BoundField):
    """A field group with the markup of templates/forms/field.html (label, widget, error, help), built in
    Python: seven filter fields through the form template cost more than the rest of the filter form.
    Anything the lean path does not know (checkboxes, other widgets) goes through the template."""

    def as_field_group(self):
        if not isinstance(self.field.widget, FAST_WIDGETS) or self.widget_type == "checkbox":
            return super().as_field_group()
        auto_id = _esc(str(self.auto_id or ""))
        errors = self.errors
        parts = ['<div class="field field--invalid">' if errors else '<div class="field">']
        if self.label:
            parts.append(f'<label for="{auto_id}">{_esc(str(self.label))}</label>')
        parts.append(str(self))  # the widget, with id, required and aria-invalid / aria-describedby
        if errors:
            text = " ".join(_esc(str(e)) for e in errors)
            parts.append(f'<small class="field-error" id="{auto_id}_error">{text}</small>')
        if self.help_text:
            # Help text is trusted markup, as in field.html ({{ field.help_text|safe }}).
            parts.append(f'<small class="field-help" id="{auto_id}_helptext">{self.help_text}</small>')
        parts.append("</div>")
        return SafeString("".join(parts))


class LibraryFilterForm(forms.Form):
    """Filters, sort and page of the library, read from the query string."""

    bound_field_class = LeanBoundField

    athlete = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="All athletes", widget=FastSelect
    )
    activity = forms.ChoiceField(required=False, widget=FastSelect)
    date_from = forms.DateField(required=False, label="From", widget=FastDateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=FastDateInput(attrs={"type": "date"}))
    status = forms.ChoiceField(required=False, choices=STATUS_CHOICES, widget=FastSelect)
    q = forms.CharField(
        required=False, max_length=100, label="Title",
        widget=FastTextInput(attrs={"type": "search", "placeholder": "Title contains…"}),
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
        athletes = Athlete.objects.filter(organization=org).order_by("name", "pk")
        self.fields["athlete"].queryset = athletes
        self.fields["athlete"].widget.choices = OptionsOnDemand(
            ("", "All athletes"), athletes.values_list("pk", "name")
        )
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
