"""The Jinja2 environment of the few Jinja2 templates: the library's results, rows and filter form
(jinja2/sessions/library_results.html, library_rows.html, library_filters.html), the profile's trends and
charts (jinja2/sessions/profile_trends.html, profile_charts.html), the compare page's videos and key metrics
(jinja2/sessions/compare_videos.html, compare_table.html) and the notes lists and compare panels
(jinja2/notes/list.html, video_notes.html).

Measured on the library page, Django's template engine spent about half the request writing 25 rows
(~490 escaped values); Jinja2 compiles the same markup to Python and writes it several times faster. Every
other template, the page around the results included (its {% cache %}, partials, i18n), stays a Django
template.

Values are escaped exactly as Django writes them ("&quot;", "&#x27;", numbers localized), so a row reads
byte for byte as the Django partial did. The templates live in the repository and receive plain data
(coachportal.sessions.rows, profile.present); the environment offers them no globals (no range, lipsum,
cycler, ...), and an unknown name is an error rather than an empty string.
"""

from __future__ import annotations

import html

from django.conf import settings
from django.utils.formats import localize
from django.utils.html import conditional_escape, json_script
from jinja2 import Environment, StrictUndefined
from markupsafe import Markup


def _escape_as_django(value):
    """Write {{ value }} as Django does. Text with quotes is escaped here as django.utils.html.escape does
    ("&quot;", "&#x27;", where Jinja2 writes "&#34;", "&#39;"); other text (nearly all) is left to Jinja2's
    autoescape, the same there and fast; numbers are localized, then escaped, as Django writes them."""
    if type(value) is str:
        if '"' in value or "'" in value:
            return Markup(html.escape(value))  # noqa: S704 -- escaped on this line, exactly as Django does
        return value
    if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)  # what localize writes of an int without grouping, without its format lookups
    return conditional_escape(localize(value))


def environment(**options) -> Environment:
    for fixed in ("autoescape", "undefined", "finalize"):  # the backend's defaults give way to these
        options.pop(fixed, None)
    env = Environment(autoescape=True, undefined=StrictUndefined, finalize=_escape_as_django, **options)
    env.globals.clear()
    # Django's json_script: a value as JSON in a <script> element, escaped for it exactly as the Django
    # filter does (the profile's chart data).
    env.filters["json_script"] = json_script
    return env
