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


@pytest.mark.django_db
def test_a_refusal_says_why(client_for, org_a, chloe):
    client = client_for(chloe)
    page = client.get(f"/o/{org_a.slug}/uploads/new/")
    assert page.status_code == 403
    assert "Coaches in this organization may not upload videos" in page.text
    role = client.get(f"/o/{org_a.slug}/settings/")
    assert "Your role in this organization doesn&#x27;t allow this page or action" in role.text
