"""Static files' storage: whitenoise's compressed manifest storage, each file's URL worked out once.

A page writes about eight `{% static %}` URLs (base.html's styles, scripts and icons, the page's own
script). With the manifest storage each one cleans and splits the name, looks it up in the manifest and
joins it to STATIC_URL: about 60 us a tag, half a millisecond of every page (measured for issue 18's
throughput work). The manifest is read once, when the storage is made, and does not change while the
process runs, so neither do the URLs: they are kept here by name. `collectstatic` rewrites the manifest
(post_process) and forgets them; a name the manifest lacks still raises every time (nothing is kept); with
DEBUG on, URLs are the unhashed ones Django writes and are not kept.
"""

from __future__ import annotations

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage

# Templates name a few dozen files; the bound only guards against a caller passing names from data.
MAX_KEPT = 1000


class StaticStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._kept_urls: dict[str, str] = {}

    def url(self, name, force=False):
        if force or settings.DEBUG:
            return super().url(name, force)
        try:
            return self._kept_urls[name]
        except (KeyError, TypeError):  # not seen yet (or not a name that can be kept)
            pass
        url = super().url(name)
        if isinstance(name, str) and len(self._kept_urls) < MAX_KEPT:
            self._kept_urls[name] = url
        return url

    def post_process(self, *args, **kwargs):
        self._kept_urls = {}
        yield from super().post_process(*args, **kwargs)
        self._kept_urls = {}
