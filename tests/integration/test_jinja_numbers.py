"""The Jinja2 environment writes numbers as Django's templates do (coachportal/jinja_env.py), its shortcut
for whole numbers included: with and without the thousand separator, in English and German."""

import pytest
from django.template import Context, Template, engines
from django.test import override_settings
from django.utils import translation

VALUES = [0, 7, -12, 1234, 1234567, 10**20, True, False, 1234.5, 0.1, -0.0]


@pytest.mark.parametrize("grouping", [False, True])
@pytest.mark.parametrize("language", ["en", "de"])
def test_numbers_are_written_as_django_writes_them(grouping, language):
    source = "{% for v in values %}[{{ v }}]{% endfor %}"
    with override_settings(USE_THOUSAND_SEPARATOR=grouping), translation.override(language):
        django_written = Template(source).render(Context({"values": VALUES}))
        jinja_written = engines["jinja2"].from_string(source).render({"values": VALUES})

    assert jinja_written == django_written
    assert ("1,234,567" in jinja_written or "1.234.567" in jinja_written) == grouping
