"""Which page shows a library row that a feature built on the library owns.

A feature (matches, for AI on the Ball) registers `page(org, session) -> url or None` for its provider in
its AppConfig.ready(); the library's row, detail and video views send such rows there.
"""

from collections.abc import Callable

_pages: dict[str, Callable] = {}


def register(provider: str, page: Callable) -> None:
    """Let `page(org, session)` name the page of `provider`'s rows (None: the library's own)."""
    _pages[provider] = page


def page_for(org, session) -> str | None:
    page = _pages.get(session.provider)
    return page(org, session) if page is not None else None
