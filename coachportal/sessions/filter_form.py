"""The library's filter form as plain data, for its Jinja2 template (jinja2/sessions/library_filters.html).

LibraryFilterForm (forms.py) still validates the query string; only its rendering moved. Django wrote each
field with as_field_group (forms/field.html around the widget's template): with the roster's hundreds of
athletes in the select, that cost as much CPU as the rest of the page. The rendered form is kept in the cache
under the values it shows (library.html), which serves the usual full page (the unfiltered library) but misses
on each new combination of filters, search or date preset and after a roster change (issue 18): such a miss
now costs about half what it did. The template writes the same bytes from what is read here with Django's own
field and widget code (the bound value, the attributes build_widget_attrs adds: required, aria-invalid,
aria-describedby; the widget's format_value and build_attrs), without a template per field, widget and option.
"""

from __future__ import annotations

from django import forms
from django.template import engines
from django.utils.safestring import SafeString

TEMPLATE = "sessions/library_filters.html"
# The fields the form shows, in the order the template writes them ("mine" only when offered).
SHOWN = ("athlete", "activity", "status", "date_from", "date_to", "q", "sort", "mine")


def _attrs(attrs: dict) -> list[tuple[str, str | None]]:
    """(name, text) per attribute as django/forms/widgets/attrs.html writes them: False leaves it out, True
    writes the bare name (text None), any other value its str()."""
    return [
        (name, None if value is True else str(value)) for name, value in attrs.items() if value is not False
    ]


def field_data(bound: forms.BoundField) -> dict:
    """What forms/field.html and the field's widget template show of `bound`, as text."""
    widget = bound.field.widget
    attrs = bound.build_widget_attrs({}, widget)
    if bound.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bound.auto_id)
    value = bound.value()
    if isinstance(widget, forms.Select):
        chosen = set(widget.format_value(value))
        data = {
            "type": "select",
            "options": [(str(key), str(label), str(key) in chosen) for key, label in widget.choices],
        }
        shown = widget.build_attrs(widget.attrs, attrs)
    else:
        context = widget.get_context(bound.html_name, value, attrs)["widget"]
        shown = context["attrs"]
        data = {"type": context["type"], "value": None if context["value"] is None else str(context["value"])}
    data.update(
        name=bound.html_name,
        attrs=_attrs(shown),
        auto_id=bound.auto_id,
        label=str(bound.label) if bound.label else "",
        errors=[str(error) for error in bound.errors],
        help_text=str(bound.help_text) if bound.help_text else "",
        checkbox=bound.widget_type == "checkbox",
    )
    return data


def filters_html(
    form, *, list_url: str, athlete_pk: int | None, show_mine: bool, roster_stamp: str | None = None
) -> SafeString:
    """The filter form of the library at `list_url`; on an athlete's page (`athlete_pk`) the athlete is a
    hidden input rather than the roster's select, and "My athletes only" only with `show_mine`. With the
    roster's stamp, the select's names are read from the cache (forms.roster_names)."""
    form.fields["athlete"].roster_stamp = roster_stamp
    names = [n for n in SHOWN if not (n == "athlete" and athlete_pk) and not (n == "mine" and not show_mine)]
    context = {
        "list_url": list_url,
        "athlete": athlete_pk,
        "show_mine": show_mine,
        "fields": {name: field_data(form[name]) for name in names},
    }
    html = engines["jinja2"].get_template(TEMPLATE).render(context)
    return SafeString(html)  # the Jinja2 environment autoescapes: every value in it is already escaped
