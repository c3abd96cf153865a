"""The addresses base.html links to on every page, reversed once per organization rather than per render.

A dozen `{% url %}` tags in the header cost about a third of the base template's render time. What they
return depends only on the organization's slug, the URLconf and the script prefix, so those are the key.
"""

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

# Name in the template -> URL name; each takes the organization's slug.
ORG_PAGES = {
    "dashboard": "organizations:dashboard",
    "sessions": "library:list",
    "matches": "matches:list",
    "athletes": "athletes:list",
    "uploads": "uploads:list",
    "members": "organizations:members",
    "audit": "organizations:audit",
    "settings": "organizations:settings",
    "providers": "organizations:providers",
    "notifications": "notifications:list",
    "bell": "notifications:bell",
    # The library page's actions (sessions/library.html), on every render of the busiest page.
    "compare": "library:compare",
    "export": "library:export",
    "bulk_export": "library:bulk_export",
    "bulk_assign": "library:bulk_assign",
    "bulk_delete": "library:bulk_delete",
    "refresh": "library:refresh",
    "sync_status": "library:sync_status",
}
SITE_PAGES = {
    "home": "home",
    "create_organization": "create_organization",
    "password_change": "accounts:password_change",
    "logout": "accounts:logout",
    "login": "accounts:login",
    "signup": "accounts:signup",
    "preferences": "accounts:preferences",
}


def _where() -> tuple[str, str]:
    return get_script_prefix(), str(get_urlconf() or settings.ROOT_URLCONF)


@lru_cache(maxsize=1024)
def _org_urls(where: tuple[str, str], slug: str) -> dict[str, str]:
    return {name: reverse(url_name, args=[slug]) for name, url_name in ORG_PAGES.items()}


@lru_cache(maxsize=16)
def _site_urls(where: tuple[str, str]) -> dict[str, str]:
    return {name: reverse(url_name) for name, url_name in SITE_PAGES.items()}


def org_urls(slug: str) -> dict[str, str]:
    """The organization's pages linked from the header (a shared dict: read it, never change it)."""
    return _org_urls(_where(), slug)


def site_urls() -> dict[str, str]:
    """The pages outside any organization linked from the header (a shared dict: read, never change)."""
    return _site_urls(_where())
