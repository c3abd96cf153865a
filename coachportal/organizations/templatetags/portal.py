"""Small template filters shared by the portal's pages."""

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince

from coachportal.accounts import zones
from coachportal.organizations.nav import org_urls

register = template.Library()


@register.filter
def ago(value):
    """“just now” for the last minute, otherwise “5 minutes ago”, “2 days ago”."""
    if not value:
        return ""
    if timezone.now() - value < timedelta(minutes=1):
        return "just now"
    return f"{timesince(value)} ago"


@register.filter
def org_page(org, page):
    """`{{ org|org_page:"dashboard" }}`: the address of one of the organization's pages (nav.ORG_PAGES)."""
    return org_urls(org.slug)[page]


@register.filter
def bdi(value):
    """`{{ athlete.name|bdi }}`: the text escaped and isolated for direction, so a right-to-left override
    in a name from a person or a provider cannot reverse the text around it."""
    if value is None or value == "":
        return ""
    return format_html("<bdi>{}</bdi>", value)


@register.filter
def when(value, style=""):
    """A moment in the page's time zone, labelled with the zone; the year only outside the current year.

    `{{ s.recorded_at|when }}` → "10 Mar, 09:00 CET" (or "10 Mar 2025, 09:00 CET");
    `{{ s.recorded_at|when:"long" }}` → "Monday 10 March 2025, 09:00 CET".
    """
    if not value:
        return ""
    return zones.moment_text(timezone.localtime(value), style=style)


@register.filter
def day(value):
    """A date (or the date of a moment, in the page's zone): "10 Mar", with the year outside this year."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    year = f" {value.year}" if value.year != timezone.localdate().year else ""
    return f"{value.day} {value:%b}{year}"
