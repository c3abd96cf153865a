"""`{% library_filters %}`: the library's filter form, written by Jinja2 (coachportal.sessions.filter_form)
from the library view's context: the bound form, the list's URL, the athlete of an athlete's page, and
whether "My athletes only" is offered, and the roster's stamp (which keeps the athletes' names cached)."""

from django import template

from coachportal.sessions.filter_form import filters_html

register = template.Library()


@register.simple_tag(takes_context=True)
def library_filters(context):
    athlete = context.get("athlete")
    return filters_html(
        context["form"],
        list_url=context["list_url"],
        athlete_pk=athlete.pk if athlete else None,
        show_mine=bool(context.get("show_mine")),
        roster_stamp=context.get("roster_stamp"),
    )
