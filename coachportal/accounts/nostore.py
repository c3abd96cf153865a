"""Pages and files for signed-in people are private: no shared cache and no browser cache keeps them."""

from __future__ import annotations

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
        user = getattr(request, "user", None)
        # A view that chose a private cache itself keeps it (a poster frame is cached in the browser only,
        # as immutable, under a URL that changes with the frame).
        chosen = response.get("Cache-Control", "")
        keeps_own = "private" in chosen and "no-store" not in chosen
        if user is not None and user.is_authenticated and not keeps_own:
            response["Cache-Control"] = PRIVATE
            if "Expires" in response:
                del response["Expires"]
        return response
