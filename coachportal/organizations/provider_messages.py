"""Provider messages as sentences for people: no doubled punctuation, no stray spaces, no raw exception text.

Provider errors arrive as whatever the provider (or requests, or urllib3) wrote: "User x not found",
"Invalid key.", or "AiKYNETIX did not answer: HTTPConnectionPool(host=..., port=...): Max retries ...".
Everything that shows such a message to a person passes it through `sentence` (a whole sentence) or
`clause` (a part to put inside one of our sentences).
"""

from __future__ import annotations

import re

GENERIC = "The provider did not answer as expected"

# Where text written for programmers starts: everything from here on is dropped.
_RAW_MARKERS = re.compile(
    r"HTTPS?ConnectionPool\(|Traceback \(most recent call last\)|Max retries exceeded|"
    r"<urllib3\.|<requests\.|urllib3\.exceptions|requests\.exceptions|NewConnectionError|"
    r"\[Errno -?\d+\]|\bFile \"[^\"]+\", line \d+|\b\w+(?:Error|Exception)\(",
)
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,;:!?)])")
_SPACE_AFTER_OPEN = re.compile(r"([(])\s+")
_REPEATED_STOPS = re.compile(r"([.!?])(?:\s*[.!?])+")  # "x.." "x. ." "x.!" -> "x."
_REPEATED_COMMAS = re.compile(r"([,;:])(?:\s*[,;:])+")
_EMPTY_PARENS = re.compile(r"\(\s*\)")
_TRAILING = ".,;:!? -\u2013\u2014("  # also en and em dashes


def _clean(message: object) -> str:
    text = " ".join(str(message or "").split())
    raw = _RAW_MARKERS.search(text)
    if raw:
        text = text[: raw.start()]
    text = text.replace("…", "...")
    text = _EMPTY_PARENS.sub("", text)
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    text = _SPACE_AFTER_OPEN.sub(r"\1", text)
    text = _REPEATED_STOPS.sub(r"\1", text)
    text = _REPEATED_COMMAS.sub(r"\1", text)
    text = " ".join(text.split())
    # An opening bracket whose content was cut off, and the separators left behind by the cut.
    if text.count("(") > text.count(")"):
        text = text[: text.rfind("(")]
    return text.rstrip(_TRAILING).strip()


def clause(message: object, *, fallback: str = GENERIC) -> str:
    """The message as a part of a sentence: cleaned, without its final full stop."""
    return _clean(message) or _clean(fallback)


def sentence(message: object, *, fallback: str = GENERIC) -> str:
    """The message as one sentence (or several): cleaned, capitalised, ending in one full stop."""
    text = clause(message, fallback=fallback)
    if not text:
        return ""
    ending = _ending(str(message or "")) if _clean(message) else "."
    first = text.split(" ", 1)[0]
    if first.isalpha():  # a word, not an email, id or field name ("noah@club.example", "exercise_name")
        text = text[0].upper() + text[1:]
    return text + ending


def _ending(original: str) -> str:
    """Keep a question or exclamation mark the provider ended with; otherwise a full stop."""
    stripped = original.rstrip()
    return stripped[-1] if stripped and stripped[-1] in "!?" and not _RAW_MARKERS.search(stripped) else "."


def join(*parts: object) -> str:
    """Several sentences, each cleaned, one space apart: join("Key refused", msg, "Paste it again.")."""
    return " ".join(s for s in (sentence(p, fallback="") for p in parts) if s)


# AiKYNETIX refuses a management upload for a user id that is not one of the key's clients (403 "You are
# not allowed to create sessions for user X"; older answers: 404 "User X not found", "User is not under
# this admin"). For a person the cause is the athlete's stored id, so the message says what to fix.
FOREIGN_ATHLETE_ID = (
    "This athlete's AiKYNETIX id belongs to another AiKYNETIX organization or was removed: fix the athlete."
)
_FOREIGN_USER = re.compile(
    r"not allowed to create sessions for user|^user \S+ not found|user is not under this admin", re.I
)


def names_foreign_user(message: object) -> bool:
    """Whether a provider's refusal of an upload means the user id is not one of the key's clients."""
    return bool(_FOREIGN_USER.search(" ".join(str(message or "").split())))
