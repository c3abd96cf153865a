"""The static files' storage keeps each hashed URL once worked out (coachportal.static_storage)."""

import json

import pytest
from whitenoise.storage import CompressedManifestStaticFilesStorage

from coachportal.static_storage import StaticStorage


@pytest.fixture
def storage(tmp_path):
    (tmp_path / "staticfiles.json").write_text(
        json.dumps({"paths": {"css/app.css": "css/app.0123abcd.css"}, "version": "1.1", "hash": "x"})
    )
    return StaticStorage(location=str(tmp_path), base_url="/static/")


def test_the_url_is_the_manifest_storage_url_and_is_worked_out_once(storage, monkeypatch):
    plain = CompressedManifestStaticFilesStorage(location=storage.location, base_url="/static/")
    assert storage.url("css/app.css") == plain.url("css/app.css") == "/static/css/app.0123abcd.css"
    looked_up = []
    original = StaticStorage.stored_name
    monkeypatch.setattr(
        StaticStorage, "stored_name", lambda self, name: looked_up.append(name) or original(self, name)
    )
    assert storage.url("css/app.css") == "/static/css/app.0123abcd.css"
    assert storage.url("css/app.css") == "/static/css/app.0123abcd.css"
    assert looked_up == []  # kept from the first call


def test_a_name_missing_from_the_manifest_raises_every_time(storage):
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("css/missing.css")
    assert "css/missing.css" not in storage._kept_urls


def test_with_debug_the_unhashed_url_is_written_and_not_kept(storage, settings):
    settings.DEBUG = True
    assert storage.url("css/app.css") == "/static/css/app.css"
    settings.DEBUG = False
    assert storage.url("css/app.css") == "/static/css/app.0123abcd.css"


def test_collectstatic_forgets_the_kept_urls(storage):
    storage.url("css/app.css")
    assert storage._kept_urls
    list(storage.post_process({}, dry_run=True))
    assert storage._kept_urls == {}
