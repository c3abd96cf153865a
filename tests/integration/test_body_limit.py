"""An over-size body is refused from its Content-Length alone: 413 at once, nothing of it read."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from coachportal.organizations import credentials
from coachportal.uploads.models import Upload

pytestmark = pytest.mark.django_db

HUGE = str(50 * 1024**3)  # 50 GB announced


class UnreadableBody:
    """A request body that fails the test if anything reads it."""

    read_count = 0

    def read(self, *args):
        UnreadableBody.read_count += 1
        raise AssertionError("the body was read")

    readline = read


def post_announcing(client, url, length=HUGE, accept="text/html"):
    UnreadableBody.read_count = 0
    return client.generic(
        "POST",
        url,
        b"",
        content_type="multipart/form-data; boundary=x",
        headers={"Accept": accept},
        CONTENT_LENGTH=length,
        **{"wsgi.input": UnreadableBody()},
    )


def test_a_huge_upload_is_refused_with_a_page_before_its_body_is_read(client_for, org_a, adam, settings):
    settings.MAX_UPLOAD_MB = 100
    response = post_announcing(client_for(adam), f"/o/{org_a.slug}/uploads/new/")
    assert response.status_code == 413
    assert UnreadableBody.read_count == 0
    assert "That was too large to receive" in response.text
    assert "This request is 51,200 MB, larger than the 101 MB this page accepts." in response.text
    assert not Upload.objects.exists()


def test_the_upload_page_s_script_gets_the_reason_as_json(client_for, org_a, adam, settings):
    settings.MAX_UPLOAD_MB = 100
    response = post_announcing(client_for(adam), f"/o/{org_a.slug}/uploads/new/", accept="application/json")
    assert response.status_code == 413
    assert response.json()["non_field_errors"][0].startswith("This request is 51,200 MB")


def test_a_huge_match_file_is_refused_before_its_body_is_read(client_for, org_a, adam):
    response = post_announcing(client_for(adam), f"/o/{org_a.slug}/matches/new/")
    assert response.status_code == 413
    assert UnreadableBody.read_count == 0


def test_every_other_page_takes_at_most_ten_megabytes(client_for, org_a, adam):
    response = post_announcing(client_for(adam), f"/o/{org_a.slug}/athletes/import/", length=str(11 * 2**20))
    assert response.status_code == 413
    assert "larger than the 10 MB this page accepts" in response.text


def test_an_upload_within_the_limit_still_goes_through(client_for, org_a, adam, settings, monkeypatch):
    from ..videos import tiny_mp4

    monkeypatch.setattr("coachportal.uploads.services.enqueue_forward", lambda upload: None)
    settings.MAX_UPLOAD_MB = 1
    credentials.save_key(org_a, "aikynetix", api_key="key-for-limit-tests-000", label="", actor=None)
    response = client_for(adam).post(
        f"/o/{org_a.slug}/uploads/new/",
        {"target": "own", "activity": "running", "videos": [SimpleUploadedFile("a.mp4", tiny_mp4())]},
    )
    assert response.status_code == 302, response.content
    assert Upload.objects.count() == 1


def test_a_file_past_the_limit_in_a_body_that_passes_is_counted_while_it_streams(
    client_for, org_a, adam, settings
):
    # What a chunked body (no Content-Length) meets: the receiving handler counts and the form refuses.
    settings.MAX_UPLOAD_MB = 1
    credentials.save_key(org_a, "aikynetix", api_key="key-for-limit-tests-000", label="", actor=None)
    big = SimpleUploadedFile("big.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * (3 * 2**19))
    response = client_for(adam).post(
        f"/o/{org_a.slug}/uploads/new/", {"target": "own", "activity": "running", "videos": [big]}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["videos"] == ["“big.mp4” is 2 MB, larger than the 1 MB limit."]
