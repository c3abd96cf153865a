import pytest
from django.template.loader import render_to_string


def test_the_500_page_renders_without_any_context_or_inline_style():
    html = render_to_string("500.html")
    assert "Something went wrong on our side" in html
    assert "style=" not in html


@pytest.mark.django_db
def test_an_unknown_page_gets_the_friendly_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.text
