"""The library's rows, written by a Jinja2 template: jinja2/sessions/library_rows.html (why: jinja_env.py).

`{% library_rows rows %}` writes a page of rows, `{% library_row s %}` one (the `row` partial of
sessions/library.html, which a processing row polls): the same template, so both read alike.
"""

from django import template
from django.template import engines
from django.utils.safestring import SafeString

register = template.Library()

ROWS_TEMPLATE = "sessions/library_rows.html"


def render_rows(rows, *, compact: bool) -> SafeString:
    """`compact`: on an athlete's page the rows have no athlete column (and a polling row asks for none)."""
    html = engines["jinja2"].get_template(ROWS_TEMPLATE).render({"rows": rows, "compact": compact})
    return SafeString(html)  # the Jinja2 environment autoescapes: every value in it is already escaped


@register.simple_tag(takes_context=True)
def library_rows(context, rows):
    return render_rows(rows, compact=bool(context.get("athlete")))


@register.simple_tag(takes_context=True)
def library_row(context, row):
    return render_rows([row], compact=bool(context.get("athlete")))
