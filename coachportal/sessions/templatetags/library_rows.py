"""The library's results and rows, written by Jinja2 templates (why: coachportal/jinja_env.py).

`{% library_results %}` writes what the `results` partial of sessions/library.html shows below the
filters (jinja2/sessions/library_results.html, its rows included), from the library view's context;
`{% library_row s %}` writes one row (the `row` partial, which a processing row polls) with the same row
template, jinja2/sessions/library_rows.html, so both read alike.

The results are kept in the cache under a digest of everything the template is given (plain data: links,
labels, flags) with, in place of the rows, everything the rows are made of (rows.ShownRows.inputs: the
values read from the database, the zone, the year, the organization's links) and the active language. The
template reads nothing else, so the same digest means the same HTML, and any change to what a row shows (a
title, a status, a thumbnail, an athlete's name, the reader's time zone or role) is a new digest, never a
stale page. Building and writing 25 rows was the largest part of a library request left (~2 ms of ~8 ms of
CPU, issue 18); the digest costs about a tenth of that. Values that cannot be pickled, or rows without
their inputs, are written without the cache.
"""

import hashlib
import pickle
from contextlib import suppress
from functools import cache as cache_once
from pathlib import Path

from django import template
from django.core.cache import cache
from django.template import engines
from django.utils import translation
from django.utils.safestring import SafeString

from coachportal.sessions import rows as rows_module
from coachportal.sessions.rows import ShownRows

register = template.Library()

ROWS_TEMPLATE = "sessions/library_rows.html"
RESULTS_TEMPLATE = "sessions/library_results.html"
# What the results template reads of the library view's context (coachportal.sessions.views._library).
RESULTS_CONTEXT = (
    "notes", "rows", "page", "org_urls", "export_query", "compare_url", "can_manage", "sort_links",
    "current_sort", "athlete", "latest", "widen", "list_url", "prev_query", "has_next", "next_query",
)  # fmt: skip


def render_rows(rows, *, compact: bool) -> SafeString:
    """`compact`: on an athlete's page the rows have no athlete column (and a polling row asks for none)."""
    html = engines["jinja2"].get_template(ROWS_TEMPLATE).render({"rows": rows, "compact": compact})
    return SafeString(html)  # the Jinja2 environment autoescapes: every value in it is already escaped


RESULTS_KEPT_SECONDS = 600


@cache_once
def _code_version() -> str:
    """The results' and rows' templates and the code that makes the rows, as this process runs them: a
    shared cache (Redis, say) never serves a page written by the code of an earlier deploy."""
    env = engines["jinja2"].env
    sources = [env.loader.get_source(env, name)[0] for name in (RESULTS_TEMPLATE, ROWS_TEMPLATE)]
    with suppress(OSError):  # no source beside the byte code: the templates still tell deploys apart
        sources.append(Path(rows_module.__file__).read_text())
    return hashlib.sha256("\0".join(sources).encode()).hexdigest()


def _digest(values: dict) -> str | None:
    """A digest of the code, the active language and `values`; None when a value cannot be pickled.
    Equal bytes are equal values (they unpickle alike); equal values that share objects differently could
    pickle differently (pickle's memo), which costs a miss, never a wrong page."""
    try:
        data = pickle.dumps((_code_version(), translation.get_language(), values), pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError, ValueError, RecursionError):
        return None
    return hashlib.sha256(data).hexdigest()


@register.simple_tag(takes_context=True)
def library_results(context):
    values = {name: context.get(name) for name in RESULTS_CONTEXT}
    values["active"] = context["filters"].active  # how many filters narrow the list
    values["athlete"] = values["compact"] = bool(values["athlete"])  # the template asks only whether
    rows = values["rows"]
    made_of = rows.inputs() if isinstance(rows, ShownRows) else None
    digest = _digest({**values, "rows": made_of}) if made_of is not None else None
    key = f"library-results:{digest}" if digest else None
    html = cache.get(key) if key else None
    if html is None:
        html = engines["jinja2"].get_template(RESULTS_TEMPLATE).render(values)
        if key:
            cache.set(key, html, RESULTS_KEPT_SECONDS)
    return SafeString(html)  # the Jinja2 environment autoescapes: every value in it is already escaped


@register.simple_tag(takes_context=True)
def library_row(context, row):
    return render_rows([row], compact=bool(context.get("athlete")))
