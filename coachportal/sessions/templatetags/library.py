"""The library's row markup, built in Python (see coachportal.sessions.rows.row_html)."""

from django import template

from coachportal.sessions.rows import row_html

register = template.Library()


@register.filter
def library_row(row, show_athlete):
    """`{{ s|library_row:show_athlete }}`: the row's <tr>, with or without the athlete column."""
    return row_html(row, show_athlete)
