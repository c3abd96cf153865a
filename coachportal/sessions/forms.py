"""Forms of the library: the filter query string (validated, never trusted) and the edit form."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property, lru_cache
from urllib.parse import urlencode

from django import forms
from django.core.cache import cache
from django.db import connections
from django.forms.models import ModelChoiceIterator
from django.http import QueryDict
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from coachportal.athletes.models import Athlete
from coachportal.prepared import fetch, quoted

from .models import Activity, Session
from .rows import day_text

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


# One way to write a day, for entry and display alike ("10 Mar 2025", as the rows show it); the ISO form
# (what presets and bookmarks carry) and dd/mm/yyyy are read too.
DAY_INPUT_FORMATS = ["%d %b %Y", "%d %B %Y", "%Y-%m-%d", "%d/%m/%Y"]
# The browser checks the typed text against this before the form is sent (htmx validates a form before its
# request), so a half-typed date sends nothing.
DAY_PATTERN = r"\d{1,2} [A-Za-z]{3,9} \d{4}|\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{4}"


class DayInput(forms.DateInput):
    """A day typed as text in the library's one format, "10 Mar 2025"."""

    def __init__(self, attrs=None):
        defaults = {"placeholder": "e.g. 10 Mar 2025", "pattern": DAY_PATTERN, "autocomplete": "off"}
        defaults["title"] = "A day such as 10 Mar 2025"
        super().__init__({**defaults, **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, date):
            return day_text(value)
        return value


class NameChoices(ModelChoiceIterator):
    """(pk, name) pairs of the roster (roster_names), not a model instance per athlete: a large roster's
    instances cost more than the rest of the filter form."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from roster_names(self.field.org_id, self.field.roster_stamp, using=self.queryset.db)


class AthleteChoiceField(forms.ModelChoiceField):
    iterator = NameChoices


class DayField(forms.DateField):
    """A day in any of DAY_INPUT_FORMATS, shown back in the one format however it was typed."""

    widget = DayInput

    def __init__(self, **kwargs):
        super().__init__(input_formats=DAY_INPUT_FORMATS, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, str) and value:
            try:
                return self.to_python(value)
            except forms.ValidationError:
                return value  # shown as typed, next to its error
        return value


class LibraryFilterForm(forms.Form):
    """Filters, sort and page of the library, read from the query string."""

    # Written by sessions/filter_form.py and its Jinja2 template, not by these widgets' templates.
    athlete = AthleteChoiceField(queryset=None, required=False, empty_label="All athletes")
    activity = forms.ChoiceField(required=False, choices=[("", "All activities"), *Activity.choices])
    date_from = DayField(required=False, label="From")
    date_to = DayField(required=False, label="To")
    status = forms.ChoiceField(required=False, choices=STATUS_CHOICES)
    q = forms.CharField(
        required=False, max_length=100, label="Title",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Words in the title…"}),
    )  # fmt: skip
    sort = forms.ChoiceField(required=False, choices=SORT_CHOICES)
    # The athletes assigned to the reader (a coach); offered only to those who have some.
    mine = forms.BooleanField(required=False, label="My athletes only")
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000, widget=forms.HiddenInput)

    LABELS = {
        "athlete": "athlete",
        "activity": "activity",
        "date_from": "start date",
        "date_to": "end date",
        "status": "status",
        "q": "title",
        "sort": "sort",
        "mine": "“My athletes”",
        "page": "page",
    }

    def __init__(self, data, *, org, **kwargs):
        super().__init__(data, **kwargs)
        # Read only when the select is rendered: the results-only htmx response skips the roster query.
        self.fields["athlete"].queryset = _roster(org.pk)
        # Its choices: roster_names (the stamp, when the page gives it, keeps them in the cache).
        self.fields["athlete"].org_id, self.fields["athlete"].roster_stamp = org.pk, None

    def clean_mine(self):
        return True if self.cleaned_data.get("mine") else None  # unticked narrows nothing

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return data


ROSTER_KEPT_SECONDS = 600


@lru_cache(maxsize=4)
def _roster_statement(using: str) -> str:
    connection = connections[using]
    athlete, org, name = (quoted(connection, Athlete, f) for f in (None, "organization", "name"))
    pk = quoted(connection, Athlete, "id")
    return f"SELECT {pk}, {name} FROM {athlete} WHERE {org} = %s ORDER BY {name}, {pk}"  # noqa: S608


def roster_names(org_id: int, stamp: str | None = None, using: str = "default") -> list[tuple[int, str]]:
    """(pk, name) of the organization's athletes in _roster's order, read with a statement composed once
    (only the model's own table and column names in its text): the ORM's values_list spent most of its
    0.6 ms (300 athletes) composing the query. With the roster's `stamp` (page_state: it changes whenever
    an athlete is added, renamed or removed) they are kept in the cache under it, so the library page reads
    them only after a roster change: unlike the rendered filter form's (library.html), their key holds
    nothing that the filters or a search change, so writing the form for a new combination reads no roster
    (issue 18)."""
    key = None
    if stamp is not None:
        digest = hashlib.sha256(f"{using}:{org_id}:{stamp}".encode()).hexdigest()
        key = f"library-roster:{digest}"
        found = cache.get(key)
        if found is not None:
            return found
    names = fetch(using, _roster_statement(using), [org_id])[1]
    if key is not None:
        cache.set(key, names, ROSTER_KEPT_SECONDS)
    return names


@lru_cache(maxsize=512)
def _roster(org_id: int):
    """The organization's athletes by name, as a query built once per organization: the field takes a copy
    (ModelChoiceField's queryset setter), so this one is never evaluated, and building its filter cost
    about a fifth of the form's set-up."""
    return Athlete.objects.filter(organization_id=org_id).order_by("name", "pk")


@dataclass
class Filters:
    form: LibraryFilterForm
    ignored: list[str]  # human notes about query parameters that were not understood
    my_athletes: list[int] = field(default_factory=list)  # the reader's assigned athletes' ids, with 'mine'
    membership: object = None  # the reader's, when known

    @cached_property
    def values(self) -> dict:
        return {k: v for k, v in self.form.cleaned_data.items() if v not in (None, "")}

    def apply(self, sessions):
        values = self.values
        if "athlete" in values:
            sessions = sessions.for_athlete(values["athlete"])
        if "mine" in values:  # a list of ids: the (organization, athlete, -recorded_at) index serves it
            sessions = sessions.filter(athlete_id__in=self.my_athletes)
        if "activity" in values:
            sessions = sessions.of_activity(values["activity"])
        if "status" in values:
            sessions = sessions.filter(status=values["status"])
        sessions = sessions.recorded_between(values.get("date_from"), values.get("date_to"))
        sessions = sessions.title_search(values.get("q", ""))
        return sessions.order_by(*SORTS[values.get("sort") or "-date"])

    @classmethod
    def unfiltered(cls, org, membership=None) -> Filters:
        """The library as it opens, with no query string: nothing to validate, so the form is built only if
        the page renders it (a results-only htmx response does not); the values a form without data would
        give are known."""
        filters = cls(
            SimpleLazyObject(lambda: _validated(LibraryFilterForm({}, org=org))), [], [], membership
        )
        filters.__dict__.update(values={}, _given=dict.fromkeys(LibraryFilterForm.base_fields), form_key="")
        return filters

    @cached_property
    def form_key(self) -> str:
        """Everything the rendered filter form shows besides the roster: the values as given (the page is
        not a visible field), for the cache of the rendered form (library.html)."""
        return urlencode(sorted((k, str(v)) for k, v in self.form.data.items() if k != "page"))

    @property
    def page(self) -> int:
        return self.values.get("page") or 1

    @property
    def active(self) -> int:
        """How many filters narrow the list (sort and page do not)."""
        return len(self.values.keys() - {"sort", "page"})

    def presets(self, today: date) -> list[dict]:
        """The date presets as links that keep the other filters: label, query, whether it is the one on."""
        chosen = (self.values.get("date_from"), self.values.get("date_to"))
        return [
            {
                "label": label,
                "query": self.query(date_from=start.isoformat(), date_to=end.isoformat(), page=None),
                "current": chosen == (start, end),
            }
            for label, start, end in date_presets(today)
        ]

    @cached_property
    def _given(self) -> dict:
        """Each field's value as the query string gives it (a day in its tidy form), in the form's order."""
        given = {}
        cleaned = self.form.cleaned_data
        for name in self.form.fields:
            value = self.form.data.get(name) if name not in self.form.errors else None
            if isinstance(cleaned.get(name), date):
                value = cleaned[name].isoformat()  # the tidy form of whatever way the day was typed
            given[name] = value
        return given

    def query(self, **changes) -> str:
        """The query string of these filters with `changes` applied (None removes a key).

        A page asks for a dozen of these (pages, sorts, presets, export), so the given values are read
        once and only the changes are applied per call.
        """
        given = self._given
        params = {name: changes.get(name, value) for name, value in given.items()}
        pairs = [(name, str(value)) for name, value in params.items() if value not in (None, "")]
        return urlencode([(name, value) for name, value in pairs if not (name == "page" and value == "1")])


# The season runs from 1 August (the football and school year) to the end of July.
SEASON_START_MONTH = 8


def date_presets(today: date) -> list[tuple[str, date, date]]:
    """(label, first day, last day) of the library's date presets, as seen on `today`."""
    first_of_month = today.replace(day=1)
    last_month_end = first_of_month - timedelta(days=1)
    season_year = today.year if today.month >= SEASON_START_MONTH else today.year - 1
    return [
        ("This week", today - timedelta(days=today.weekday()), today),
        ("Last 30 days", today - timedelta(days=29), today),
        ("Last month", last_month_end.replace(day=1), last_month_end),
        ("This season", date(season_year, SEASON_START_MONTH, 1), today),
    ]


def _validated(form: LibraryFilterForm) -> LibraryFilterForm:
    form.is_valid()
    return form


def read_filters(query: QueryDict, *, org, membership=None) -> Filters:
    """Validate the query string; parameters that fail are dropped with a note, never a 500.

    With the reader's `membership`, "My athletes only" keeps the athletes assigned to them; for someone with
    none assigned it is dropped with a note.
    """
    known = {k: v for k, v in query.items() if k in LibraryFilterForm.base_fields}
    if not known:
        return Filters.unfiltered(org, membership)
    # The ids only when asked for: whether to offer the box at all is the library's state (page_state).
    wanted = membership is not None and "mine" in known
    mine = list(Athlete.objects.coached_by(membership).values_list("pk", flat=True)) if wanted else []
    if "mine" in known and not mine:
        del known["mine"]
        notes = ["No athletes are assigned to you yet, so these are the sessions of every athlete."]
    else:
        notes = []
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
    return Filters(form, notes + ignored, my_athletes=mine, membership=membership)


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
