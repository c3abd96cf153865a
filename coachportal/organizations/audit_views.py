"""The audit log page: who did what in the organization, newest first, for owners and admins."""

from datetime import datetime, time, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.vary import vary_on_headers

from . import audit_text
from .access import org_view
from .models import AuditEvent

PAGE_SIZE = 50
SYSTEM = "system"  # events with no person behind them (background tasks)
PREFIX_SUFFIX = ".*"


def _readable(verb: str) -> str:
    """ "session.video_generated" -> "Session video generated"."""
    return verb.replace(".", " ").replace("_", " ").capitalize()


class AuditFilterForm(forms.Form):
    """The log's filters, read from the query string; a value that is not valid is ignored."""

    person = forms.ChoiceField(label="Person", required=False)
    action = forms.ChoiceField(label="Action", required=False)
    since = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data, *, org):
        super().__init__(data)
        events = AuditEvent.objects.filter(organization=org)
        people = get_user_model().objects.filter(pk__in=events.values("actor")).order_by("name", "email")
        self.fields["person"].choices = [
            ("", "Everyone"),
            *[(str(user.pk), str(user)) for user in people],
            (SYSTEM, "Portal (automatic)"),
        ]
        verbs = sorted(set(events.values_list("verb", flat=True).distinct()))
        choices = [("", "All actions")]
        for prefix in sorted({verb.split(".", 1)[0] for verb in verbs}):
            group = [(verb, _readable(verb)) for verb in verbs if verb.split(".", 1)[0] == prefix]
            choices.append((prefix, [(prefix + PREFIX_SUFFIX, f"Any {prefix} action"), *group]))
        self.fields["action"].choices = choices

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date is before the start date.")
        return cleaned

    def value(self, name):
        """Return the field's cleaned value, or None when it was left empty or is not valid."""
        self.is_valid()
        if name in self.errors:
            return None
        return self.cleaned_data.get(name) or None

    def filter(self, events):
        person = self.value("person")
        if person == SYSTEM:
            events = events.filter(actor__isnull=True)
        elif person:
            events = events.filter(actor_id=int(person))
        action = self.value("action")
        if action and action.endswith(PREFIX_SUFFIX):
            events = events.filter(verb__startswith=action.removesuffix(PREFIX_SUFFIX) + ".")
        elif action:
            events = events.filter(verb=action)
        tz = timezone.get_current_timezone()
        if since := self.value("since"):
            events = events.filter(at__gte=datetime.combine(since, time.min, tzinfo=tz))
        if until := self.value("until"):
            events = events.filter(at__lt=datetime.combine(until + timedelta(days=1), time.min, tzinfo=tz))
        return events


@org_view(check="may_manage")
@vary_on_headers("HX-Request")
def audit_log(request, org):
    form = AuditFilterForm(request.GET, org=org)
    events = form.filter(AuditEvent.objects.filter(organization=org).select_related("actor"))
    page = Paginator(events.order_by("-at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    filtered = any(form.value(name) for name in form.fields)
    shown = list(page.object_list)
    found = audit_text.links(org, shown)
    rows = [
        {
            "event": event,
            "actor": audit_text.actor(event),
            "what": audit_text.describe(event),
            "url": found.get((event.object_type, event.object_id), ""),
        }
        for event in shown
    ]
    context = {"org": org, "form": form, "page": page, "rows": rows, "filtered": filtered}
    # Swaps get the results only; boosted links and htmx's Back-button history restore need the page.
    if request.htmx and not (request.htmx.boosted or request.htmx.history_restore_request):
        return render(request, "organizations/audit.html#results", context)
    return render(request, "organizations/audit.html", context)
