"""The profile's trends, written by Jinja2 templates: jinja2/sessions/profile_trends.html (a section per
activity) and the charts it includes, jinja2/sessions/profile_charts.html.

`{% profile_trends sections %}` writes profile.present's sections. Measured on the profile of an athlete with
thousands of sessions, Django's engine spent a good part of the request writing the charts' figures and
tables (why Jinja2 is faster: coachportal/jinja_env.py).
"""

from django import template
from django.template import engines
from django.utils.safestring import SafeString

register = template.Library()

TRENDS_TEMPLATE = "sessions/profile_trends.html"
CHARTS_TEMPLATE = "sessions/profile_charts.html"


def render_trends(sections, *, org_slug: str, session_url_prefix: str) -> SafeString:
    html = (
        engines["jinja2"]
        .get_template(TRENDS_TEMPLATE)
        .render({"sections": sections, "org_slug": org_slug, "session_url_prefix": session_url_prefix})
    )
    return SafeString(html)  # the Jinja2 environment autoescapes: every value in it is already escaped


@register.simple_tag(takes_context=True)
def profile_trends(context, sections):
    return render_trends(
        sections, org_slug=context["org"].slug, session_url_prefix=context["session_url_prefix"]
    )
