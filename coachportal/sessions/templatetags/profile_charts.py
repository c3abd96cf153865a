"""The profile's charts of one activity, written by a Jinja2 template: jinja2/sessions/profile_charts.html.

`{% profile_charts t.charts %}` writes the figures (with their data and tables) of profile.present's charts:
measured on the profile of an athlete with thousands of sessions, Django's engine spent about a fifth of the
request writing them (why Jinja2 is faster: coachportal/jinja_env.py).
"""

from django import template
from django.template import engines
from django.utils.safestring import SafeString

register = template.Library()

CHARTS_TEMPLATE = "sessions/profile_charts.html"


def render_charts(charts) -> SafeString:
    html = engines["jinja2"].get_template(CHARTS_TEMPLATE).render({"charts": charts})
    return SafeString(html)  # the Jinja2 environment autoescapes: every value in it is already escaped


@register.simple_tag
def profile_charts(charts):
    return render_charts(charts)
