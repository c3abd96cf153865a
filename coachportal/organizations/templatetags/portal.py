"""Small template filters shared by the portal's pages."""

from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince

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
