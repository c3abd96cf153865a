"""The library's results and rows, written by Jinja2 templates (why: coachportal/jinja_env.py).

`{% library_results %}` writes what the `results` partial of sessions/library.html shows below the
filters (jinja2/sessions/library_results.html, its rows included), from the library view's context;
`{% library_row s %}` writes one row (the `row` partial, which a processing row polls) with the same row
template, jinja2/sessions/library_rows.html, so both read alike.
"""

from django import template
from django.template import engines
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


@register.simple_tag(takes_context=True)
def library_results(context):
    values = {name: context.get(name) for name in RESULTS_CONTEXT}
    values["active"] = context["filters"].active  # how many filters narrow the list
    values["compact"] = bool(values["athlete"])
    html = engines["jinja2"].get_template(RESULTS_TEMPLATE).render(values)
    return SafeString(html)  # the Jinja2 environment autoescapes: every value in it is already escaped


@register.simple_tag(takes_context=True)
def library_row(context, row):
    return render_rows([row], compact=bool(context.get("athlete")))
