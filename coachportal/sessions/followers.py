"""Who follows a processing library row of a provider the library does not sync itself.

A feature built on the library (matches, for AI on the Ball) registers a follower for its provider in
its AppConfig.ready(); the follower asks for the next step and returns whether it took the row. Rows
nobody takes are followed by the library's own (debounced) sync.
"""

from collections.abc import Callable

_followers: dict[str, Callable] = {}


def register(provider: str, follow: Callable) -> None:
    """Let `follow(session) -> bool` follow the processing rows of `provider`."""
    _followers[provider] = follow


def follow(session) -> bool:
    """Hand a processing row to its provider's follower; False when there is none or it declined."""
    follower = _followers.get(session.provider)
    return follower is not None and bool(follower(session))
