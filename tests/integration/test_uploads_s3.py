"""With S3 storage the browser sends the file straight to the bucket; the portal presigns and finishes."""

import pytest

from coachportal.athletes.models import Athlete
from coachportal.organizations import credentials
from coachportal.organizations.models import AuditEvent
from coachportal.uploads import forward
from coachportal.uploads.models import Upload
from tests.fixtures.s3 import S3_TEST_BUCKET, put_like_the_browser
from tests.videos import broken_mp4s, tiny_mp4

pytestmark = pytest.mark.django_db

BUCKET = S3_TEST_BUCKET
MP4 = tiny_mp4()


@pytest.fixture
def setup(org_a, adam):
    credentials.save_key(org_a, "aikynetix", api_key="key-for-s3-tests-000", label="", actor=None)
    return Athlete.objects.create(organization=org_a, name="Valentina Vega", aikynetix_user_id="val-01")


MP4_SIZE = len(MP4)


def presign(client, org, athlete, size=MP4_SIZE, filename="Hill reps.mp4"):
    return client.post(
        f"/o/{org.slug}/uploads/new/presign/",
        {
            "target": "athlete",
            "athlete": athlete.pk,
            "activity": "running",
            "filename": filename,
            "size": size,
            "content_type": "video/mp4",
        },
    )


def finish(client, org, token):
    return client.post(f"/o/{org.slug}/uploads/new/finish/", {"token": token})


class FakeTask:
    """Stands in for the forwarding task so this test stops at the queue (forwarding has its own tests)."""

    def __init__(self, queue):
        self.queue = queue

    def enqueue(self, upload_id):
        self.queue.append(upload_id)


def test_the_upload_page_asks_the_browser_to_send_files_to_the_bucket(client_for, org_a, adam, setup, s3):
    assert 'data-direct="true"' in client_for(adam).get(f"/o/{org_a.slug}/uploads/new/").content.decode()


def test_presign_chooses_a_random_key_under_the_organizations_prefix(client_for, org_a, adam, setup, s3):
    response = presign(client_for(adam), org_a, setup, filename="../../secret.mp4")
    assert response.status_code == 200
    answer = response.json()
    key = answer["fields"]["key"]
    assert key.startswith(f"uploads/org-{org_a.pk}/") and key.endswith(".mp4")
    assert "secret" not in key
    assert answer["url"].startswith("https://")
    assert "policy" in {name.lower() for name in answer["fields"]}
    assert not Upload.objects.exists()  # nothing is recorded until the file is in the bucket


def test_finish_records_the_upload_and_queues_forwarding(
    client_for, org_a, adam, setup, s3, monkeypatch, django_capture_on_commit_callbacks
):
    forwarded = []
    monkeypatch.setattr("coachportal.uploads.tasks.forward_upload", FakeTask(forwarded))
    client = client_for(adam)
    answer = presign(client, org_a, setup).json()
    put_like_the_browser(s3, answer, MP4)
    with django_capture_on_commit_callbacks(execute=True):
        response = finish(client, org_a, answer["token"])
    assert response.status_code == 201
    upload = Upload.objects.get()
    assert (upload.file.name, upload.size, upload.title, upload.state) == (
        answer["fields"]["key"],
        len(MP4),
        "Hill reps",
        "stored",
    )
    assert forwarded == [upload.pk]
    assert AuditEvent.objects.filter(verb="upload.created").count() == 1
    # Finishing twice is harmless.
    assert finish(client, org_a, answer["token"]).json()["uploads"][0]["id"] == upload.pk
    assert Upload.objects.count() == 1


def test_the_worker_streams_the_object_from_the_bucket(client_for, org_a, adam, setup, s3, monkeypatch):
    monkeypatch.setattr("coachportal.uploads.services.enqueue_forward", lambda upload: None)
    client = client_for(adam)
    answer = presign(client, org_a, setup).json()
    put_like_the_browser(s3, answer, MP4)
    upload = Upload.objects.get(pk=finish(client, org_a, answer["token"]).json()["uploads"][0]["id"])
    with forward.open_stored(upload) as reader:
        assert isinstance(reader, forward.HashingReader)
        data = b"".join(iter(lambda: reader.read(1000), b""))
    assert data == MP4 and reader.complete


def test_finish_refuses_a_file_that_never_arrived(client_for, org_a, adam, setup, s3):
    client = client_for(adam)
    answer = presign(client, org_a, setup).json()
    response = finish(client, org_a, answer["token"])
    assert response.status_code == 400
    assert response.json()["non_field_errors"] == ["The file did not arrive in storage. Upload it again."]
    assert not Upload.objects.exists()


def test_finish_refuses_a_different_size_and_deletes_the_object(client_for, org_a, adam, setup, s3):
    client = client_for(adam)
    answer = presign(client, org_a, setup).json()
    put_like_the_browser(s3, answer, MP4 + b"extra")
    response = finish(client, org_a, answer["token"])
    assert response.status_code == 400
    assert f"not the {MP4_SIZE:,} announced" in response.json()["non_field_errors"][0]
    assert s3.list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0


def test_finish_refuses_something_that_is_not_a_video(client_for, org_a, adam, setup, s3):
    client = client_for(adam)
    fake = b"%PDF-1.7" + b"\x00" * (len(MP4) - 8)
    answer = presign(client, org_a, setup).json()
    put_like_the_browser(s3, answer, fake)
    response = finish(client, org_a, answer["token"])
    assert response.json()["non_field_errors"] == [
        "“Hill reps.mp4” is not a video. Upload an MP4, MOV, WebM, MKV or AVI file."
    ]
    assert not Upload.objects.exists()


@broken_mp4s
def test_finish_reads_the_header_and_index_in_the_bucket_and_refuses_a_broken_file(
    client_for, org_a, adam, setup, s3, make, message
):
    content = make(MP4)
    client = client_for(adam)
    answer = presign(client, org_a, setup, size=len(content)).json()
    put_like_the_browser(s3, answer, content)
    response = finish(client, org_a, answer["token"])
    assert response.status_code == 400
    assert response.json()["non_field_errors"] == [message.format(name="Hill reps.mp4")]
    assert not Upload.objects.exists()
    assert s3.list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0


def test_presign_refuses_a_name_that_is_not_a_video_name(client_for, org_a, adam, setup, s3):
    response = presign(client_for(adam), org_a, setup, filename="Hill reps.mp4.exe")
    assert response.status_code == 400
    assert response.json()["errors"]["filename"][0].startswith("“Hill reps.mp4.exe” does not end in a video")


def test_only_the_uploader_may_finish(client_for, org_a, adam, olivia, setup, s3):
    answer = presign(client_for(adam), org_a, setup).json()
    put_like_the_browser(s3, answer, MP4)
    response = finish(client_for(olivia), org_a, answer["token"])
    assert response.json()["non_field_errors"] == ["This upload was started by someone else."]
    assert not Upload.objects.exists()


def test_a_tampered_token_is_refused(client_for, org_a, adam, setup, s3):
    answer = presign(client_for(adam), org_a, setup).json()
    response = finish(client_for(adam), org_a, answer["token"][:-2] + "xx")
    assert response.status_code == 400
    assert "not valid" in response.json()["non_field_errors"][0]


def test_presign_checks_the_form_and_the_size_first(client_for, org_a, adam, setup, s3, settings):
    settings.MAX_UPLOAD_MB = 1
    response = presign(client_for(adam), org_a, setup, size=2 * 1024 * 1024, filename="big.mp4")
    assert response.status_code == 400
    assert response.json()["errors"]["size"] == ["“big.mp4” is 2 MB, larger than the 1 MB limit."]
    response = presign(client_for(adam), org_a, setup, size=0, filename="empty.mp4")
    assert response.json()["errors"]["size"] == ["“empty.mp4” is empty."]
