"""Time zones: each organization has one, each person may override it, and every time is shown in it.

`TimeZoneMiddleware` activates the person's own zone (or UTC) for every request; the organization gate
(`organizations.access.org_view`) then activates the zone for that organization's pages with
`activate_for`, so templates, exports and emails rendered there all read `timezone.localtime()`.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from functools import cache

from django.core.exceptions import ValidationError
from django.utils import timezone

DEFAULT = "UTC"


@cache
def zone_names() -> tuple[str, ...]:
    """IANA zone names a person may pick (Area/City and UTC; no legacy aliases or POSIX rules)."""
    names = {
        n
        for n in zoneinfo.available_timezones()
        if "/" in n and not n.startswith(("Etc/", "posix/", "right/", "SystemV/", "US/"))
    }
    return tuple(sorted(names | {DEFAULT}))


def zone_choices(*, blank: str | None = None) -> list[tuple[str, str]]:
    choices = [(name, name.replace("_", " ")) for name in zone_names()]
    return [("", blank), *choices] if blank is not None else choices


def validate_zone(name: str) -> None:
    if name and name not in zone_names():
        raise ValidationError("Choose a time zone from the list, such as Europe/Amsterdam.")


def zone_named(name: str | None) -> zoneinfo.ZoneInfo:
    """The zone called `name`, or UTC when it is empty or unknown."""
    try:
        return zoneinfo.ZoneInfo(name) if name and name in zone_names() else zoneinfo.ZoneInfo(DEFAULT)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(DEFAULT)


def zone_for(user, org=None) -> zoneinfo.ZoneInfo:
    """The person's own zone if they chose one, else the organization's, else UTC."""
    own = getattr(user, "time_zone", "") if getattr(user, "is_authenticated", False) else ""
    return zone_named(own or getattr(org, "time_zone", "") or DEFAULT)


def activate_for(user, org=None) -> None:
    timezone.activate(zone_for(user, org))


def label(moment: datetime) -> str:
    """The zone's short name at that moment: "CET", "BST", "UTC", or "UTC+03" where it has none."""
    name = moment.tzname() or DEFAULT
    if name[:1] in "+-":
        hours, minutes = name[1:3], name[3:5]
        return f"UTC{name[0]}{hours}" + (f":{minutes}" if minutes and minutes != "00" else "")
    return name


class TimeZoneMiddleware:
    """Activate the signed-in person's zone for the request (UTC for visitors); reset it afterwards."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        activate_for(getattr(request, "user", None))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
