"""Time zones: each organization has one, each person may override it, and every time is shown in it.

`TimeZoneMiddleware` activates the person's own zone (or UTC) for every request; the organization gate
(`organizations.access.org_view`) then activates the zone for that organization's pages with
`activate_for`, so templates, exports and emails rendered there all read `timezone.localtime()`.

Names come from the IANA time zone database the system (or the `tzdata` package) provides: its country
tables list the current names, and its link lines map the old ones browsers still report (Chrome says
"Asia/Calcutta", "US/Eastern", "Europe/Kiev") to the current ones, which is what gets stored.
"""

from __future__ import annotations

import contextlib
import logging
import zoneinfo
from datetime import datetime, tzinfo
from functools import cache
from importlib import resources
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils import timezone

log = logging.getLogger(__name__)

DEFAULT = "UTC"
TABLES = ("zone1970.tab", "zone.tab")  # the current Area/City names, per country
LINKS = "tzdata.zi"  # the compiled database; its "L <current> <old>" lines are the aliases


def _database_files() -> list:
    """The folders that may hold the database's text files: the zoneinfo search path, then `tzdata`."""
    folders: list = [Path(p) for p in zoneinfo.TZPATH]
    with contextlib.suppress(ModuleNotFoundError):
        folders.append(resources.files("tzdata").joinpath("zoneinfo"))
    return folders


@cache
def _database() -> tuple[frozenset[str], dict[str, str]]:
    """(current names, {old name: current name}) from the first folder holding the tables and links."""
    for folder in _database_files():
        try:
            tables = [folder.joinpath(name).read_text(encoding="utf-8") for name in TABLES]
            links_text = folder.joinpath(LINKS).read_text(encoding="utf-8")
        except OSError:
            continue
        current = {
            line.split("\t")[2].strip()
            for text in tables
            for line in text.splitlines()
            if line.strip() and not line.startswith("#")
        }
        links = {}
        for line in links_text.splitlines():
            if line.startswith("L "):
                _, target, alias = line.split()
                links[alias] = target
        return frozenset(current), links
    log.warning("no time zone tables found; old zone names (Asia/Calcutta) are not mapped to current ones")
    return frozenset(), {}


@cache
def zone_names() -> tuple[str, ...]:
    """IANA zone names a person may pick: the current Area/City names and UTC (no old aliases, no POSIX
    rules). Without the database's tables, every Area/City name the system knows."""
    current, _ = _database()
    names = current & zoneinfo.available_timezones() or {
        n
        for n in zoneinfo.available_timezones()
        if "/" in n and not n.startswith(("Etc/", "posix/", "right/", "SystemV/", "US/"))
    }
    return tuple(sorted(names | {DEFAULT}))


@cache
def _known() -> frozenset[str]:
    return frozenset(zone_names())


def canonical(name: str | None) -> str | None:
    """The current name of a zone, also when given an old one ("Asia/Calcutta" → "Asia/Kolkata");
    None when it names no zone."""
    name = (name or "").strip()
    known = _known()
    if name in known:
        return name
    _, links = _database()
    seen = set()
    while name in links and name not in seen:  # a link may point at another link
        seen.add(name)
        name = links[name]
        if name in known:
            return name
    if name in ("Etc/UTC", "Etc/GMT"):
        return DEFAULT
    return None


def zone_choices(*, blank: str | None = None) -> list[tuple[str, str]]:
    choices = [(name, name.replace("_", " ")) for name in zone_names()]
    return [("", blank), *choices] if blank is not None else choices


def current_or_given(name: str | None) -> str:
    """For forms: the current name of the zone named (an old name mapped), else what was given, which the
    field's validation then refuses; "" stays ""."""
    name = (name or "").strip()
    return canonical(name) or name if name else ""


def validate_zone(name: str) -> None:
    if name and name not in zone_names():
        raise ValidationError("Choose a time zone from the list, such as Europe/Amsterdam.")


def zone_named(name: str | None) -> zoneinfo.ZoneInfo:
    """The zone called `name`, or UTC when it is empty or unknown."""
    name = canonical(name)  # a value stored before old names were mapped still reads as its zone
    try:
        return zoneinfo.ZoneInfo(name or DEFAULT)
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


def moment_text(local: datetime, *, style: str = "", this_year: int | None = None) -> str:
    """A moment already in its zone, as every page, export and email writes it, labelled with the zone;
    the year only outside `this_year` (the current one in that zone unless given).

    "10 Mar, 09:00 CET", "10 Mar 2025, 09:00 CET"; style "long": "Monday 10 March 2025, 09:00 CET".
    """
    if this_year is None:
        this_year = datetime.now(local.tzinfo).year
    year = f" {local.year}" if style == "long" or local.year != this_year else ""
    day = f"{local:%A} {local.day} {local:%B}" if style == "long" else f"{local.day} {local:%b}"
    return f"{day}{year}, {local:%H:%M} {label(local)}"


class PersonZone(tzinfo):
    """The zone of the request's person (their own, or UTC), looked up the first time a time needs it.

    Most requests never show a time (the health check, redirects, static answers, htmx actions); reading
    the person's zone up front loaded their session and their user row for every one of them. This zone
    reads `request.user` only when a time is converted, and each method answers as the person's ZoneInfo
    does. `fromutc` (what `localtime()` and `datetime.now(zone)` call) returns the time in that ZoneInfo,
    so converted times carry the real zone, never this stand-in.
    """

    def __init__(self, request):
        self._request = request
        self._zone: zoneinfo.ZoneInfo | None = None

    def resolved(self) -> zoneinfo.ZoneInfo:
        if self._zone is None:
            self._zone = zone_for(getattr(self._request, "user", None))
        return self._zone

    @property
    def key(self) -> str:
        return self.resolved().key

    def utcoffset(self, dt):
        return self.resolved().utcoffset(dt)  # reads only dt's wall time and fold

    def dst(self, dt):
        return self.resolved().dst(dt)  # reads only dt's wall time and fold

    def tzname(self, dt):
        return self.resolved().tzname(dt)  # reads only dt's wall time and fold

    def fromutc(self, dt):
        zone = self.resolved()
        return zone.fromutc(dt.replace(tzinfo=zone))

    def __str__(self) -> str:
        return str(self.resolved())

    def __repr__(self) -> str:
        return f"PersonZone({self._zone!r})" if self._zone is not None else "PersonZone(not read yet)"

    def __reduce__(self):
        return zoneinfo.ZoneInfo, (self.key,)  # a pickled time keeps the zone, not the request


class TimeZoneMiddleware:
    """Activate the signed-in person's zone for the request (UTC for visitors); reset it afterwards.

    The zone is a `PersonZone`: the person is read only if the request converts a time. Organization pages
    activate their own zone in the organization gate, with the person already read.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timezone.activate(PersonZone(request))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
