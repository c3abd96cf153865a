"""The library's results and rows, written by Jinja2 templates (why: coachportal/jinja_env.py).

`{% library_results %}` writes what the `results` partial of sessions/library.html shows below the
filters (jinja2/sessions/library_results.html, its rows included), from the library view's context;
`{% library_row s %}` writes one row (the `row` partial, which a processing row polls) with the same row
template, jinja2/sessions/library_rows.html, so both read alike.

The results are kept in the cache under a digest of everything the template is given (plain data: the
rows' values, links, labels and flags) and the active language (numbers are localized): the template
reads nothing else, so the same digest means the same HTML, and any change to what a row shows (a title,
a status, a thumbnail, an athlete's name, the reader's time zone or role) is a new digest, never a stale
page. Writing 25 rows was the largest part of a library request left (~1.4 ms of ~8 ms of CPU, issue 18);
the digest costs about a tenth of that. Values that cannot be pickled are written without the cache.
"""

import hashlib
import io
import pickle

from django import template
from django.core.cache import cache
from django.template import engines
from django.utils import translation
from django.utils.safestring import SafeString

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


def _digest(values: dict) -> str | None:
    """A digest of the template's name, the active language and `values` (pickled without pickle's memo, so
    equal values give equal bytes whichever objects they share); None when a value cannot be pickled."""
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True  # no memo: the bytes follow the values, not which objects are shared
    try:
        pickler.dump((RESULTS_TEMPLATE, translation.get_language(), values))
    except (pickle.PicklingError, TypeError, AttributeError, ValueError, RecursionError):
        return None
    return hashlib.sha256(out.getbuffer()).hexdigest()


@register.simple_tag(takes_context=True)
def library_results(context):
    values = {name: context.get(name) for name in RESULTS_CONTEXT}
    values["active"] = context["filters"].active  # how many filters narrow the list
    values["athlete"] = values["compact"] = bool(values["athlete"])  # the template asks only whether
    digest = _digest(values)
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
