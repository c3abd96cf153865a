"""URL converters: one spelling per object, so /sessions/00000001/ is not a second name for /sessions/1/."""

from django.urls import register_converter


class CanonicalIdConverter:
    """A database id as Django would write it: no leading zeros, no sign, at most 18 digits.

    Django's `int` converter reads "007" as 7, which gives every object endless URLs (caches, audit
    trails and access rules keyed by path then disagree). 18 digits stay inside a 64-bit id column.
    """

    regex = "[1-9][0-9]{0,17}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


def register() -> None:
    register_converter(CanonicalIdConverter, "id")
