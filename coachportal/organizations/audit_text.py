"""The audit log as sentences: "owner@riverside.example renamed “Sprint 3” to “Sprint 3 - spikes”".

Every event reads as one sentence built with format_html, so names from people and providers are
escaped and isolated for direction (<bdi>); no dict dumps, no raw ids. Features tell the log where an
object lives with `register_link(object_type, resolve)`, where `resolve(org, ids)` answers
{id: url} for the objects that still exist (one query per type and page, whatever the page size).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html
from django.utils.safestring import SafeString

from coachportal.accounts import zones

_LINKS: dict[str, Callable[[object, list[str]], dict[str, str]]] = {}


def register_link(object_type: str, resolve: Callable[[object, list[str]], dict[str, str]]) -> None:
    """Tell the log how to link objects of `object_type` (a model name) that still exist."""
    _LINKS[object_type] = resolve


def links(org, events: Iterable) -> dict[tuple[str, str], str]:
    """{(object_type, object_id): url} for the events' objects that still exist."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for event in events:
        if event.object_type in _LINKS and event.object_id:
            wanted[event.object_type].add(event.object_id)
    found = {}
    for object_type, ids in wanted.items():
        for object_id, url in _LINKS[object_type](org, sorted(ids)).items():
            found[(object_type, str(object_id))] = url
    return found


def _name(value) -> SafeString:
    return format_html("“<bdi>{}</bdi>”", value)


def _moment(value) -> str:
    moment = parse_datetime(value) if isinstance(value, str) else value
    if not isinstance(moment, datetime):
        return str(value or "")
    return zones.moment_text(timezone.localtime(moment))


ROLE_NAMES = {"owner": "owner", "admin": "admin", "coach": "coach"}
KEY_RESULTS = {
    "ok": "working",
    "rejected": "refused",
    "unreachable": "no answer",
    "not_admin": "not an admin key",
}


def _session_updated(d: dict, obj) -> SafeString:
    before, after = d.get("before") or {}, d.get("after") or {}
    parts = []
    if before.get("title") != after.get("title") and "title" in after:
        parts.append(
            format_html("renamed {} to {}", _name(before.get("title") or "(untitled)"), _name(after["title"]))
        )
    if (
        before.get("recorded_at")
        and after.get("recorded_at")
        and before["recorded_at"] != after["recorded_at"]
    ):
        what = "" if parts else format_html(" {}", _name(after.get("title") or obj))
        parts.append(
            format_html(
                "re-dated{} from {} to {}",
                what,
                _moment(before["recorded_at"]),
                _moment(after["recorded_at"]),
            )
        )
    text = (
        format_html(" and ".join(["{}"] * len(parts)), *parts)
        if parts
        else format_html("edited {}", _name(obj))
    )
    if d.get("confirmed_by_read_back"):
        text = format_html("{} (confirmed by reading AiKYNETIX back after its answer was lost)", text)
    return text


SENTENCES: dict[str, Callable[[dict, object], SafeString | str]] = {
    "organization.created": lambda d, o: "created the organization",
    "organization.settings_changed": lambda d, o: "changed the organization's settings",
    "credential.added": lambda d, o: format_html("added the {} key", _provider(d)),
    "credential.replaced": lambda d, o: format_html("replaced the {} key", _provider(d)),
    "credential.removed": lambda d, o: format_html("removed the {} key", _provider(d)),
    "credential.tested": lambda d, o: format_html(
        "tested the {} key: {}", _provider(d), KEY_RESULTS.get(d.get("result"), "result unknown")
    ),
    "invitation.sent": lambda d, o: format_html(
        "invited {} as {}", _name(d.get("email") or o), ROLE_NAMES.get(d.get("role"), "member")
    ),
    "invitation.accepted": lambda d, o: "accepted an invitation and joined",
    "invitation.revoked": lambda d, o: format_html("revoked the invitation for {}", _name(o)),
    "member.role_changed": lambda d, o: format_html(
        "changed {}'s role from {} to {}", _name(o), d.get("old", "?"), d.get("new", "?")
    ),
    "member.removed": lambda d, o: format_html("removed {} from the organization", _name(o)),
    "athlete.created": lambda d, o: format_html("added the athlete {}", _name(o)),
    "athlete.updated": lambda d, o: format_html(
        "edited the athlete {}{}",
        _name(o),
        f" ({', '.join(f.replace('_', ' ') for f in d['fields'])})" if d.get("fields") else "",
    ),
    "athlete.archived": lambda d, o: format_html("archived the athlete {}", _name(o)),
    "athlete.restored": lambda d, o: format_html("restored the athlete {}", _name(o)),
    "athlete.deleted": lambda d, o: format_html("deleted the athlete {}", _name(o)),
    "athlete.imported": lambda d, o: format_html(
        "imported athletes from {}", _name(d.get("filename") or "a CSV file")
    ),
    "athlete.aikynetix_created": lambda d, o: format_html("created {} as a client at AiKYNETIX", _name(o)),
    "athlete.aikynetix_linked": lambda d, o: format_html("linked {} to their AiKYNETIX client", _name(o)),
    "athlete.coach_assigned": lambda d, o: format_html(
        "made {} a coach of {}", _name(d.get("coach", "?")), _name(o)
    ),
    "athlete.coach_unassigned": lambda d, o: format_html(
        "took {} off as a coach of {}", _name(d.get("coach", "?")), _name(o)
    ),
    "session.updated": _session_updated,
    "session.deleted": lambda d, o: format_html("deleted the session {}", _name(o)),
    "session.video_generated": lambda d, o: format_html("generated the analysed video of {}", _name(o)),
    "sessions.exported": lambda d, o: format_html("exported {} sessions", d.get("rows", "")),
    "upload.created": lambda d, o: format_html("uploaded {}", _name(o)),
    "upload.forwarded": lambda d, o: format_html("sent {} to AiKYNETIX", _name(o)),
    "upload.failed": lambda d, o: format_html(
        "could not send {}: {}", _name(o), d.get("reason") or "no reason given"
    ),
    "upload.retried": lambda d, o: format_html("retried {}", _name(o)),
    "upload.discarded": lambda d, o: format_html("discarded {}", _name(o)),
    "match.webhook_rotated": lambda d, o: "made a new AI on the Ball webhook address",
}


def _provider(d: dict) -> str:
    return {"aikynetix": "AiKYNETIX", "aiontheball": "AI on the Ball"}.get(d.get("provider"), "provider")


def _fallback(event) -> SafeString:
    # A verb without its own sentence: "match.deleted" -> "deleted the match “Derby day”".
    noun, _, action = event.verb.partition(".")
    action = action.replace("_", " ") or "changed"
    if event.object_repr:
        return format_html("{} the {} {}", action, noun.replace("_", " "), _name(event.object_repr))
    return format_html("{} a {}", action, noun.replace("_", " "))


def describe(event) -> SafeString:
    """What happened, as a sentence without its subject: "renamed “A” to “B”"."""
    sentence = SENTENCES.get(event.verb)
    obj = event.object_repr or "(unnamed)"
    try:
        text = sentence(event.detail or {}, obj) if sentence else _fallback(event)
    except (KeyError, TypeError, ValueError, AttributeError):
        text = _fallback(event)
    return format_html("{}", text)


def actor(event) -> str:
    """Who did it: the person's email, or "The portal" for background work."""
    return event.actor.email if event.actor else "The portal"


def ids_of(ids: list[str]) -> list[int]:
    """The object ids that are numbers (the log stores them as text)."""
    return [int(i) for i in ids if str(i).isdigit()]


def link_each(url_name: str, queryset, org, ids: list[str]) -> dict[str, str]:
    """{id: url of `url_name`} for the rows of `queryset` (already scoped to `org`) among `ids`."""
    found = queryset.filter(pk__in=ids_of(ids)).values_list("pk", flat=True)
    return {str(pk): reverse(url_name, args=[org.slug, pk]) for pk in found}
