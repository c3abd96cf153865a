"""Every page has the security headers, a Content-Security-Policy without inline code, and safe cookies."""

import re
from pathlib import Path

import pytest

from coachportal.accounts.csp import bucket_origins, configured_sources

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in (part.strip() for part in header.split(";")) if d}


def test_the_login_page_has_a_strict_content_security_policy(client):
    csp = policy(client.get("/accounts/login/"))
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert not any("unsafe" in source for sources in csp.values() for source in sources)


def test_videos_may_come_from_the_configured_providers_only(client, settings):
    settings.AIKYNETIX_BASE_URL = "https://api.aikynetix.example/v2"
    settings.AIONTHEBALL_BASE_URL = "http://127.0.0.1:8765/api/v1"
    csp = policy(client.get("/accounts/login/"))
    assert csp["media-src"] == [
        "'self'",
        "blob:",
        "https://api.aikynetix.example",
        "http://127.0.0.1:8765",
    ]
    assert csp["connect-src"] == ["'self'"]


def test_with_a_bucket_the_browser_may_send_files_to_it_and_play_from_it(client, settings):
    settings.AWS_STORAGE_BUCKET_NAME = "club-videos"
    settings.AWS_S3_REGION_NAME = "eu-west-1"
    csp = policy(client.get("/accounts/login/"))
    assert "https://club-videos.s3.eu-west-1.amazonaws.com" in csp["connect-src"]
    assert "https://club-videos.s3.amazonaws.com" in csp["connect-src"]
    assert "https://club-videos.s3.eu-west-1.amazonaws.com" in csp["media-src"]
    assert csp["form-action"] == ["'self'"]  # the upload page posts to the bucket with XHR, not a form


def test_a_custom_s3_endpoint_is_allowed_path_style_and_virtual_hosted():
    assert bucket_origins("vids", "https://minio.example:9000", "") == [
        "https://minio.example:9000",
        "https://vids.minio.example:9000",
    ]
    assert bucket_origins("", "https://minio.example:9000", "") == []


def test_a_base_url_without_a_host_adds_nothing(settings):
    settings.AIKYNETIX_BASE_URL = "not a url"
    settings.AIONTHEBALL_BASE_URL = ""
    assert configured_sources() == {}


def test_pages_have_the_other_security_headers(client_for, olivia, org_a):
    response = client_for(olivia).get(f"/o/{org_a.slug}/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "Content-Security-Policy" in response


def test_cookies_are_http_only_and_sessions_expire(settings):
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_AGE == 60 * 60 * 24 * 14
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is False


def test_production_settings_send_cookies_over_https_only_and_ask_for_hsts(settings):
    # tests.settings runs with DEBUG off, as production does.
    assert settings.DEBUG is False
    assert settings.SESSION_COOKIE_SECURE is True
    assert settings.CSRF_COOKIE_SECURE is True
    assert settings.SECURE_HSTS_SECONDS >= 60 * 60 * 24 * 365
    assert settings.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")


def test_the_login_session_cookie_is_secure_and_http_only(client, olivia):
    from tests.factories import PASSWORD

    response = client.post("/accounts/login/", {"username": olivia.email, "password": PASSWORD})
    cookie = response.cookies["sessionid"]
    assert cookie["secure"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == 60 * 60 * 24 * 14


def test_an_htmx_swap_gets_the_policy_too(client_for, olivia, org_a):
    response = client_for(olivia).get(f"/o/{org_a.slug}/athletes/", headers={"HX-Request": "true"})
    assert "<html" not in response.content.decode()
    assert policy(response)["script-src"] == ["'self'"]


EDITABLE = ["base.html", "403.html", "404.html", "accounts", "athletes", "uploads", "organizations", "forms"]


@pytest.mark.parametrize("where", EDITABLE)
def test_templates_have_no_inline_scripts_styles_or_handlers(where):
    path = ROOT / "templates" / where
    files = [path] if path.is_file() else sorted(path.rglob("*.html"))
    for file in files:
        text = file.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), f"inline <script> in {file}"
        assert "<style" not in text, f"<style> in {file}"
        assert not re.search(r"\sstyle\s*=", text), f"style= attribute in {file}"
        assert not re.search(r"\son[a-z]+\s*=", text), f"on…= handler in {file}"
        assert "javascript:" not in text, f"javascript: URL in {file}"


def test_every_page_turns_off_htmx_s_inline_indicator_style(client):
    html = client.get("/accounts/login/").content.decode()
    assert re.search(r'<script src="[^"]*htmx-2[^"]*" defer></script>\s*<script src="[^"]*htmx-config', html)
    assert "includeIndicatorStyles = false" in (ROOT / "static/js/htmx-config.js").read_text()
