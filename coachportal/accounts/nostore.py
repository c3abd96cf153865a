"""Pages and files for signed-in people are private: no shared cache and no browser cache keeps them."""

from __future__ import annotations

from django.conf import settings

PRIVATE = "private, no-store"


class PrivateNoStoreMiddleware:
    """Send `Cache-Control: private, no-store` with every answer to a signed-in person.

    Pages behind login show athletes, sessions and keys' states; exports hold the same data. A shared
    computer's back button or disk cache, or a proxy, must not keep them after the person logs out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # A view that chose a private cache itself keeps it (a poster frame is cached in the browser only,
        # as immutable, under a URL that changes with the frame).
        chosen = response.get("Cache-Control", "")
        keeps_own = "private" in chosen and "no-store" not in chosen
        if signed_in(request) and not keeps_own:
            response["Cache-Control"] = PRIVATE
            if "Expires" in response:
                del response["Expires"]
        return response


def signed_in(request) -> bool:
    """Whether this answer may be for a signed-in person: the request carries a session cookie, or its
    session changed (signing in and out do; the session cookie is set after this middleware).

    Everyone signed in sends the session cookie, so this never misses one; a visitor whose session holds
    no login is treated as signed in, which only keeps their page out of caches too. Asking the cookie
    rather than `request.user` keeps answers that never needed the person (the health check, redirects)
    from reading their session and user row just for this header.
    """
    session = getattr(request, "session", None)
    return settings.SESSION_COOKIE_NAME in request.COOKIES or bool(session is not None and session.modified)
